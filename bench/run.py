"""Benchmarks of partner_data_hygiene, run by ``./dev bench [NAME]``.

Each benchmark prints its figures and the ratio to its reference, and appends a JSON line to
bench/out/results.jsonl. Benchmarks are not tests: they measure, they do not assert.

    ./dev bench partners [--count 10000] [--repeat 3]
        Create COUNT partners in one batch, in a database with only the addon's dependencies and
        in one with the addon, inside a rolled-back transaction; median of REPEAT runs.
        Target (issue 3): at most 15 % slower with the addon.
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


BENCHES = {"partners": bench_partners}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("bench", choices=[*BENCHES, "all"], nargs="?", default="all")
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--addon", default="partner_data_hygiene")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    names = list(BENCHES) if args.bench == "all" else [args.bench]
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    for name in names:
        result = BENCHES[name](args)
        result["at"] = time.strftime("%Y-%m-%d %H:%M:%S")
        with open(out / "results.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
