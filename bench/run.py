"""Benchmarks of partner_data_hygiene, run by ``./dev bench [NAME]``.

Each benchmark prints its figures and the ratio to its reference, and appends a JSON line to
bench/out/results.jsonl. Benchmarks are not tests: they measure, they do not assert.

    ./dev bench partners [--count 10000] [--repeat 3]
        Create COUNT partners in one batch, in a database with only the addon's dependencies and
        in one with the addon, inside a rolled-back transaction; median of REPEAT runs.
        Target (issue 3): at most 15 % slower with the addon.

    ./dev bench warning [--count 1000000] [--probes 200]
        A base of COUNT partners (bulk-loaded once with SQL into hygiene_bench_<count>), the
        matching keys back-filled by the addon's own back-fill (timed), then PROBES duplicate
        warnings computed as on a partner form being typed (new record: email, phone, name, zip).
        Target (issue 4): under 50 ms per warning on a 1,000,000-partner base.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPENDENCIES = "contacts,mail,portal,phone_validation,privacy_lookup"

FIRST = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Thomas", "Inès", "Julien", "Émilie", "Rémi"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garnier", "Roux", "Fontaine"]
CITIES = [("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("33000", "Bordeaux")]


def partner_values(count, seed=42):
    rng = random.Random(seed)
    values = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        zip_code, city = rng.choice(CITIES)
        values.append(
            {
                "name": f"{first} {last} {i}",
                "email": f"{first.lower()}.{last.lower()}.{i}@example.fr",
                "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)}",
                "street": f"{rng.randint(1, 200)} rue de la République",
                "zip": zip_code,
                "city": city,
            }
        )
    return values


def ensure_database(args, db, modules):
    import odoo
    from odoo.service import db as db_service

    if db_service.exp_db_exist(db):
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM ir_module_module"
                " WHERE state = 'installed' AND name = ANY(%s)",
                [modules.split(",")],
            )
            if cr.fetchone()[0] == len(modules.split(",")):
                if args.addon in modules.split(","):  # measure the code as it is now
                    odoo_bin(args, db, "-u", args.addon)
                return
    print(f"  creating {db} with {modules} (once)", flush=True)
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    odoo_bin(args, db, "-i", modules)


def odoo_bin(args, db, *options):
    command = [sys.executable, str(Path(args.odoo_src) / "odoo-bin"), "-c", args.config]
    command += ["-d", db, *options, "--without-demo=all", "--stop-after-init", "--no-http"]
    subprocess.run([*command, "--log-level=warn"], check=True)


def time_partner_create(db, count, repeat):
    import odoo
    from odoo.api import Environment

    registry = odoo.modules.registry.Registry(db)
    durations = []
    for run in range(repeat):
        values = partner_values(count, seed=run)
        with registry.cursor() as cr:
            env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            env["res.partner"].search([], limit=1)  # warm the registry caches
            start = time.perf_counter()
            env["res.partner"].create(values)
            env.flush_all()
            durations.append(time.perf_counter() - start)
            cr.rollback()
    return statistics.median(durations), durations


def bench_partners(args):
    args.count = args.count or 10000
    without_db, with_db = "hygiene_bench_deps", "hygiene_bench_addon"
    ensure_database(args, without_db, DEPENDENCIES)
    ensure_database(args, with_db, f"{DEPENDENCIES},{args.addon}")
    print(f"creating {args.count} partners in one batch, median of {args.repeat}", flush=True)
    base, base_runs = time_partner_create(without_db, args.count, args.repeat)
    addon, addon_runs = time_partner_create(with_db, args.count, args.repeat)
    overhead = (addon / base - 1) * 100
    print(f"  without the addon: {base:.2f} s  ({args.count / base:,.0f} partners/s)")
    print(f"  with the addon:    {addon:.2f} s  ({args.count / addon:,.0f} partners/s)")
    print(f"  overhead: {overhead:+.1f} %  (target: at most +15 %)")
    return {
        "bench": "partners",
        "count": args.count,
        "without_s": round(base, 3),
        "with_s": round(addon, 3),
        "without_runs": [round(d, 3) for d in base_runs],
        "with_runs": [round(d, 3) for d in addon_runs],
        "overhead_pct": round(overhead, 1),
    }


def _bulk_load_partners(cr, count):
    """Insert ``count`` realistic partners with COPY (minutes for 1M, instead of hours via ORM)."""
    import io

    rng = random.Random(7)
    first = FIRST + ["Nathalie", "Olivier", "Sophie", "Pierre", "Manon", "Antoine", "Claire"]
    last = LAST + ["Petit", "Durand", "Leroy", "Simon", "Laurent", "Michel", "Garcia", "Roux"]
    domains = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "yahoo.fr"]
    chunk = 100000
    for start in range(0, count, chunk):
        buffer = io.StringIO()
        for i in range(start, min(count, start + chunk)):
            name = f"{rng.choice(first)} {rng.choice(last)}"
            email = f"{name.lower().replace(' ', '.')}.{i}@{rng.choice(domains)}"
            phone = f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} " + str(
                rng.randint(10, 99)
            )
            zip_code, city = rng.choice(CITIES)
            buffer.write("\t".join([name, name, email, email, phone, zip_code, city]) + "\n")
        buffer.seek(0)
        cr.copy_expert(
            "COPY res_partner (name, complete_name, email, email_normalized, phone, zip, city)"
            " FROM STDIN",
            buffer,
        )
        print(f"  loaded {min(count, start + chunk):,} partners", flush=True)
    cr.execute(
        "UPDATE res_partner SET active = true, type = 'contact', is_company = false,"
        " partner_share = true, commercial_partner_id = id, create_uid = 1, write_uid = 1,"
        " create_date = now(), write_date = now() WHERE commercial_partner_id IS NULL"
    )
    cr.execute("ANALYZE res_partner")


def bench_warning(args):
    import odoo
    from odoo.api import Environment

    count = args.count or 1000000
    db = f"hygiene_bench_{count}"
    ensure_database(args, db, args.addon)
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT count(*), count(hygiene_email_key) FROM res_partner")
        existing, with_keys = cr.fetchone()
        backfill_s = None
        if existing < count:
            _bulk_load_partners(cr, count - existing)
            cr.commit()
        if with_keys < count:
            print("  back-filling the matching keys", flush=True)
            start = time.perf_counter()
            done = env["res.partner"]._hygiene_backfill_keys()
            backfill_s = time.perf_counter() - start
            cr.commit()
            cr.execute("ANALYZE res_partner")
            print(f"  back-fill: {done:,} partners in {backfill_s:.1f} s", flush=True)
        cr.execute(
            "SELECT name, email, phone, zip FROM res_partner ORDER BY random() LIMIT %s",
            [args.probes],
        )
        samples = cr.fetchall()
        rng = random.Random(3)
        durations, found = [], 0
        for name, email, phone, zip_code in samples:
            # what a user types: the same person, written differently half of the time
            typed = {
                "name": name.upper() if rng.random() < 0.5 else name,
                "email": email.upper() if rng.random() < 0.5 else f"x{rng.randint(0, 9**6)}@a.fr",
                "phone": phone.replace(" ", "") if rng.random() < 0.5 else "",
                "zip": zip_code,
            }
            partner = env["res.partner"].new(typed)
            start = time.perf_counter()
            matches, _reasons = partner._hygiene_find_duplicates()
            durations.append(time.perf_counter() - start)
            found += bool(matches)
        durations.sort()
        median = statistics.median(durations) * 1000
        p95 = durations[int(len(durations) * 0.95) - 1] * 1000
        print(
            f"  duplicate warning on {count:,} partners: median {median:.1f} ms, "
            f"p95 {p95:.1f} ms, max {durations[-1] * 1000:.1f} ms "
            f"({found}/{len(samples)} probes found a duplicate; target < 50 ms)"
        )
    return {
        "bench": "warning",
        "count": count,
        "backfill_s": backfill_s and round(backfill_s, 1),
        "median_ms": round(median, 2),
        "p95_ms": round(p95, 2),
    }


BENCHES = {"partners": bench_partners, "warning": bench_warning}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("bench", choices=[*BENCHES, "all"], nargs="?", default="all")
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--addon", default="partner_data_hygiene")
    parser.add_argument("--count", type=int, help="size (default: 10000 partners, 1M warning)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--probes", type=int, default=200)
    args = parser.parse_args()

    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    names = ["partners"] if args.bench == "all" else [args.bench]  # "all": the cheap ones
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    for name in names:
        result = BENCHES[name](args)
        result["at"] = time.strftime("%Y-%m-%d %H:%M:%S")
        with open(out / "results.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
