"""Benchmarks of partner_data_hygiene, run by ``./dev bench [NAME]``.

Each benchmark prints its figures and the ratio to its reference, and appends a JSON line to
bench/out/results.jsonl. Benchmarks are not tests: they measure, they do not assert.

    ./dev bench partners [--count 10000] [--repeat 3]
        Create COUNT partners in one batch, in a database with only the addon's dependencies and
        in one with the addon, inside a rolled-back transaction; median of REPEAT runs.
        Target (issue 3): at most 15 % slower with the addon.

    ./dev bench warning [--count 1000000] [--probes 200] [--backfill]
        A base of COUNT partners (bulk-loaded once with SQL into hygiene_bench_<count>), the
        matching keys back-filled by the addon's own back-fill (timed; once, or every run with
        --backfill), then PROBES duplicate warnings computed as on a partner form being typed
        (new record: email, phone, name, zip); one probe in four is a name typed with a slip
        (a doubled letter, a silent ending) and no email nor phone: the "similar name" path.
        Target (issue 4): under 50 ms per warning on a 1,000,000-partner base.

    ./dev bench purge [--count 100000] [--limit N] [--db-prefix hygiene_bench_purge]
        Anonymise COUNT expired partners, each with a message it wrote, a CRM lead and one in
        ten a tracking value, with the retention engine in committed batches (bench_purge).
        Target (issue 6): 100,000 partners in under 10 minutes, peak memory under 2 GB.

    ./dev bench retention [--count 100000]
        Retention policies on a copy of that base with five years of activity: cost of the
        policy and due date on a list page and on 10,000 contacts, of the filters, of the
        preview, of 500 re-permission mails and of one cron batch (bench_retention).

    ./dev bench dedup [--count 100000] [--febrl]
        Duplicate detection on generated French partners with known truth (bench/dedup.py):
        pairwise precision, recall, F1, false merges per hard-negative kind, time and peak
        memory of the addon's scan and of the core merge wizard's email grouping.

    ./dev bench dedup --sets 10000,100000 [--learn]
        The matcher on every evaluation set side by side (own generator, independent set,
        FEBRL 1-4), without a database (bench/dedup_offline.py); --learn adds the figures with
        weights learnt by EM on each set.

    ./dev bench import [--count 100000] [--db NAME] [--template DB] [--profile FILE] [--rounds N]
        A realistic French CSV of COUNT rows (20 % existing partners written differently) staged,
        normalised, matched and committed by ``odoo-bin hygiene import --commit`` on a copy of
        hygiene_bench_<count>, then Odoo's base_import on another copy and the same file: wall
        time and peak RSS of both, and the ratio (bench/import_bench.py; --skip-base-import);
        --rounds N alternates N runs of each and prints the median ratio.

    ./dev bench import-memory [--counts 100000,300000] [--template DB] [--db NAME] [--commit]
        The peak RSS (``/usr/bin/time -v``) of ``odoo-bin hygiene import --dry-run`` (read, stage,
        normalise, match; ``--commit``: write too) on files of each size, and what each further
        100,000 rows cost (bench/import_memory.py). Target (issue 13): under 1 GB for 1,000,000
        rows, flat in the rows.

    ./dev bench control [--count 1000000] [--orders 100000] [--template h_ctl] [--keep]
        Quality, engagement and RFM scores of COUNT partners with ORDERS orders recomputed in
        full, then incrementally after 1 % changed, the daily snapshot, and the dashboard opened
        (bench/control_bench.py). Target (issue 18): 1M partners and 100k orders in under
        5 minutes with a peak RSS under 1.5 GB, the dashboard in under 1 s.

    ./dev bench independent [--size 10000] [--seed 16] [--path scan|import|both] [--db PREFIX]
        The independent duplicate set (bench/independent/SPEC.md), COPY-loaded and scanned with
        ``hygiene keys`` + ``hygiene dedup --export``, and imported with ``hygiene import --commit``
        into an empty base (then scanned): precision, recall, F1, merge rate per hard-negative
        kind, recall per difference, time and peak RSS (bench/independent/independent_bench.py).
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import control_bench
import dedup
import import_bench
import import_memory

sys.path.insert(0, str(Path(__file__).resolve().parent / "independent"))
import independent_bench  # noqa: E402

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
        local_accented = f"{first.lower()}.{last.lower()}"
        local = unicodedata.normalize("NFKD", local_accented).encode("ascii", "ignore").decode()
        values.append(
            {
                "name": f"{first} {last} {i}",
                # Addresses are ASCII in practice (few mailboxes accept accents); keep 1 % with
                # accents so that the slower full validation path is measured too.
                "email": f"{local if i % 100 else local_accented}.{i}@example.fr",
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
    # Interleaved runs (without, with, without, with...): drifts of the machine hit both sides.
    base_runs, addon_runs = [], []
    # Each run is rolled back: VACUUM first, so that dead rows and index entries left by the
    # previous runs (more indexes with the addon) do not slow the next one down.
    for __ in range(args.repeat):
        for db, runs in ((without_db, base_runs), (with_db, addon_runs)):
            subprocess.run(["psql", "-q", "-d", db, "-c", "VACUUM ANALYZE res_partner"], check=True)
            runs += time_partner_create(db, args.count, 1)[1]
    base, addon = statistics.median(base_runs), statistics.median(addon_runs)
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


def _ensure_partner_base(args, source, count):
    """Create ``source`` with the addon and ``count`` bulk-loaded partners unless it exists;
    leave it without connections (a template for ``createdb -T``)."""
    import odoo
    from odoo.service import db as db_service

    if not db_service.exp_db_exist(source):
        ensure_database(args, source, args.addon)
        registry = odoo.modules.registry.Registry(source)
        with registry.cursor() as cr:
            _bulk_load_partners(cr, count)
        registry.delete(source)
    odoo.sql_db.close_db(source)


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
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE name IS NOT NULL AND"
            " (hygiene_name_key IS NULL OR hygiene_phonetic_key IS NULL)) FROM res_partner"
        )
        existing, without_keys = cr.fetchone()
        backfill_s = None
        if existing < count:
            _bulk_load_partners(cr, count - existing)
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
        if existing < count or without_keys or args.backfill:
            print("  back-filling the matching keys", flush=True)
            start = time.perf_counter()
            done = env["res.partner"]._hygiene_backfill_keys()
            backfill_s = time.perf_counter() - start
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
            cr.execute("ANALYZE res_partner")
            print(f"  back-fill: {done:,} partners in {backfill_s:.1f} s", flush=True)
        cr.execute(
            "SELECT name, email, phone, zip FROM res_partner ORDER BY random() LIMIT %s",
            [args.probes],
        )
        samples = cr.fetchall()
        rng = random.Random(3)
        durations, lead_durations, found = [], [], 0
        similar_durations, similar_found, new_durations = [], 0, []
        initials_durations, initials_found = [], 0
        Partner = env["res.partner"]
        for index, (name, email, phone, zip_code) in enumerate(samples):
            # what a user types: the same person, written differently half of the time
            typed = {
                "name": name.upper() if rng.random() < 0.5 else name,
                "email": email.upper() if rng.random() < 0.5 else f"x{rng.randint(0, 9**6)}@a.fr",
                "phone": phone.replace(" ", "") if rng.random() < 0.5 else "",
                "zip": zip_code,
            }
            similar = index % 4 == 0
            if similar:  # a slip in the name, nothing else to go on but the postcode
                typed = {"name": _misspelled(name, rng), "email": "", "phone": "", "zip": zip_code}
            new = index % 4 == 2
            if new:  # a new contact: a name and a postcode that match nobody
                typed = {"name": f"Zoltan Quenec{index}", "email": "", "phone": "", "zip": zip_code}
            initials = index % 8 == 1 and len(name.split()) == 2
            if initials:  # "Jean Dupont" typed "DUPONT J.", nothing else but the postcode
                first, last = name.split()
                typed = {"name": f"{last.upper()} {first[0]}.", "email": "", "phone": ""}
                typed["zip"] = zip_code
            partner = env["res.partner"].new(typed)
            start = time.perf_counter()
            matches, reasons = partner._hygiene_find_duplicates()
            durations.append(time.perf_counter() - start)
            found += bool(matches)
            if new:
                new_durations.append(durations[-1])
            if similar:
                similar_durations.append(durations[-1])
                similar_found += "similar name" in (reasons or "")
            if initials:
                initials_durations.append(durations[-1])
                initials_found += "similar name" in (reasons or "")
            # the same contact typed in a CRM lead (the lead form's live warning)
            start = time.perf_counter()
            Partner.hygiene_duplicate_hint(typed)
            lead_durations.append(time.perf_counter() - start)
        durations.sort()
        lead_durations.sort()
        median = statistics.median(durations) * 1000
        p95 = durations[int(len(durations) * 0.95) - 1] * 1000
        lead_median = statistics.median(lead_durations) * 1000
        lead_p95 = lead_durations[int(len(lead_durations) * 0.95) - 1] * 1000
        similar_durations.sort()
        new_durations.sort()
        new_median = statistics.median(new_durations) * 1000 if new_durations else 0
        similar_median = statistics.median(similar_durations) * 1000 if similar_durations else 0
        initials_durations.sort()
        initials_median = statistics.median(initials_durations) * 1000 if initials_durations else 0
        print(
            f"  duplicate warning on {count:,} partners: median {median:.1f} ms, "
            f"p95 {p95:.1f} ms, max {durations[-1] * 1000:.1f} ms "
            f"({found}/{len(samples)} probes found a duplicate, {len(new_durations)} new names "
            "could not; target < 50 ms)\n"
            f"  lead form warning: median {lead_median:.1f} ms, p95 {lead_p95:.1f} ms, "
            f"max {lead_durations[-1] * 1000:.1f} ms\n"
            f"  of which misspelt names without email nor phone: median {similar_median:.1f} ms, "
            f"max {similar_durations[-1] * 1000 if similar_durations else 0:.1f} ms "
            f"({similar_found}/{len(similar_durations)} found by 'similar name')\n"
            f"  of which new names at a postcode: median {new_median:.1f} ms, "
            f"max {new_durations[-1] * 1000 if new_durations else 0:.1f} ms\n"
            f"  of which a surname and an initial: median {initials_median:.1f} ms, "
            f"max {initials_durations[-1] * 1000 if initials_durations else 0:.1f} ms "
            f"({initials_found}/{len(initials_durations)} found by 'similar name')"
        )
    return {
        "bench": "warning",
        "count": count,
        "backfill_s": backfill_s and round(backfill_s, 1),
        "median_ms": round(median, 2),
        "p95_ms": round(p95, 2),
        "lead_median_ms": round(lead_median, 2),
        "lead_p95_ms": round(lead_p95, 2),
        "similar_median_ms": round(similar_median, 2),
        "similar_found": similar_found,
        "similar_probes": len(similar_durations),
        "new_name_median_ms": round(new_median, 2),
        "initials_median_ms": round(initials_median, 2),
        "initials_found": initials_found,
        "initials_probes": len(initials_durations),
    }


def _misspelled(name, rng):
    """``name`` as typed with a slip that does not change its sound: a doubled consonant, a
    silent final consonant added or changed (Dupont/Dupond), an accent dropped."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = folded.split()
    index = rng.randrange(len(words))
    word = words[index]
    consonants = [i for i, char in enumerate(word) if char.lower() not in "aeiouy"]
    if word[-1] in "td" and rng.random() < 0.5:
        word = word[:-1] + ("d" if word[-1] == "t" else "t")
    elif word[-1] in "aeiouy" and rng.random() < 0.5:
        word += "s"
    elif consonants:
        i = rng.choice(consonants)
        word = word[: i + 1] + word[i] + word[i + 1 :]
    words[index] = word
    return " ".join(words)


MERGE_PAIRS_BATCH = 500


def _merge_count_related(cr, ids):
    """Rows pointing to ``ids`` by table: the documents a merge must not lose."""
    queries = {
        "mail_message": "SELECT count(*) FROM mail_message"
        " WHERE model = 'res.partner' AND res_id = ANY(%s)",
        "ir_attachment": "SELECT count(*) FROM ir_attachment"
        " WHERE res_model = 'res.partner' AND res_id = ANY(%s)",
        "mail_followers": "SELECT count(*) FROM mail_followers"
        " WHERE res_model = 'res.partner' AND res_id = ANY(%s)",
        "children": "SELECT count(*) FROM res_partner WHERE parent_id = ANY(%s)",
    }
    counts = {}
    for label, query in queries.items():
        cr.execute(query, [ids])
        counts[label] = cr.fetchone()[0]
    return counts


def bench_merge(args):
    """``./dev bench merge [--count 100000] [--pairs 10000] [--core-pairs 200]``

    A base of COUNT partners (bulk-loaded once into a template database), each with a message,
    an attachment and a follower (one in ten with a child contact); every run copies the template,
    merges PAIRS pairs with the addon's batch merge (MERGE_PAIRS_BATCH pairs per transaction),
    checks that no related row was lost, then merges CORE_PAIRS other pairs with the core wizard.
    Target (issue 4): 10,000 pairs in under 1 minute, at least 20x the core wizard's rate.
    """
    import odoo
    from odoo.api import Environment

    count = args.count or 100000
    pairs_count = args.pairs
    core_count = args.core_pairs
    template = f"{args.merge_prefix}_tpl_{count}"
    db = f"{args.merge_prefix}_{count}"
    ensure_database(args, template, args.addon)
    registry = odoo.modules.registry.Registry(template)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner")
        existing = cr.fetchone()[0]
        if existing < count:
            _bulk_load_partners(cr, count - existing)
            print("  adding a message, an attachment and a follower per partner", flush=True)
            cr.execute(
                "INSERT INTO mail_message (model, res_id, message_type, body, author_id, date,"
                " create_uid, write_uid, create_date, write_date)"
                " SELECT 'res.partner', id, 'comment', '<p>note</p>', 3, now(), 1, 1, now(), now()"
                " FROM res_partner"
            )
            cr.execute(
                "INSERT INTO ir_attachment (name, res_model, res_id, type, create_uid, write_uid,"
                " create_date, write_date) SELECT 'doc.txt', 'res.partner', id, 'binary', 1, 1,"
                " now(), now() FROM res_partner"
            )
            cr.execute(
                "INSERT INTO mail_followers (res_model, res_id, partner_id)"
                " SELECT 'res.partner', id, 3 FROM res_partner WHERE id != 3"
                " ON CONFLICT DO NOTHING"
            )
            # one partner in ten gets a child contact (re-pointed by parent_id)
            cr.execute(
                "INSERT INTO res_partner (name, complete_name, parent_id, active, type,"
                " is_company, partner_share, create_uid, write_uid, create_date, write_date)"
                " SELECT 'Contact of ' || name, 'Contact of ' || name, id, true, 'contact',"
                " false, true, 1, 1, now(), now() FROM res_partner WHERE id % 10 = 0"
            )
            cr.execute(
                "UPDATE res_partner c SET commercial_partner_id = p.commercial_partner_id"
                " FROM res_partner p WHERE c.parent_id = p.id AND c.commercial_partner_id IS NULL"
            )
            cr.execute("ANALYZE")
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
    registry.delete(template)
    odoo.sql_db.close_db(template)  # createdb -T needs a template without connections
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    subprocess.run(["createdb", "-T", template, db], check=True, capture_output=True)
    registry = odoo.modules.registry.Registry(db)
    try:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM res_partner WHERE parent_id IS NULL AND id > 3"
                " AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = res_partner.id)"
                " ORDER BY id LIMIT %s",
                [2 * (pairs_count + core_count)],
            )
            ids = [row[0] for row in cr.fetchall()]
            pairs = [(ids[2 * i], ids[2 * i + 1]) for i in range(pairs_count)]
            core_pairs = [(ids[2 * i], ids[2 * i + 1]) for i in range(pairs_count, len(ids) // 2)]
            # the sources carry a value the survivor lacks, so each merge writes the survivor
            cr.execute(
                "UPDATE res_partner SET street = '1 rue du Merge' WHERE id = ANY(%s)",
                [[src for __, src in pairs + core_pairs]],
            )
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
            ours_ids = [pid for pair in pairs for pid in pair]
            before = _merge_count_related(cr, ours_ids)

            env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            Partner = env["res.partner"]
            Partner.search([], limit=1)
            start = time.perf_counter()
            for offset in range(0, len(pairs), MERGE_PAIRS_BATCH):
                chunk = pairs[offset : offset + MERGE_PAIRS_BATCH]
                groups = [(Partner.browse(dst), Partner.browse(src), None) for dst, src in chunk]
                Partner._hygiene_merge_batch(groups)
                cr.commit()  # pylint: disable=invalid-commit  (bench database)
                env.invalidate_all()
            ours_s = time.perf_counter() - start
            after = _merge_count_related(cr, [dst for dst, __ in pairs])
            on_sources = _merge_count_related(cr, [src for __, src in pairs])
            # A follower present on both partners is redundant: removed, kept in the journal.
            cr.execute(
                "SELECT COALESCE(sum(jsonb_array_length(removed_rows)), 0)"
                " FROM hygiene_merge_journal WHERE removed_rows IS NOT NULL"
            )
            journaled = cr.fetchone()[0]
            lost = {key: before[key] - after[key] for key in before}
            lost["mail_followers"] -= journaled
            print(
                f"  addon: {len(pairs):,} pairs in {ours_s:.1f} s "
                f"({len(pairs) / ours_s:,.0f} pairs/s); related rows before {before}, "
                f"on survivors after {after}, left on sources {on_sources}, redundant "
                f"followers removed and journaled for undo {journaled:,}",
                flush=True,
            )

            Wizard = env["base.partner.merge.automatic.wizard"]
            start = time.perf_counter()
            for dst, src in core_pairs:
                Wizard._merge([dst, src], dst_partner=Partner.browse(dst))
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
            core_s = time.perf_counter() - start
    finally:
        registry.delete(db)
        odoo.sql_db.close_db(db)
        subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)
    ours_rate = len(pairs) / ours_s
    core_rate = len(core_pairs) / core_s
    print(
        f"  core wizard: {len(core_pairs):,} pairs in {core_s:.1f} s ({core_rate:,.1f} pairs/s)\n"
        f"  ratio: {ours_rate / core_rate:.1f}x  (targets: {pairs_count:,} pairs < 60 s, >= 20x;"
        f" rows lost: {sum(lost.values())})"
    )
    return {
        "bench": "merge",
        "count": count,
        "pairs": len(pairs),
        "ours_s": round(ours_s, 2),
        "ours_pairs_per_s": round(ours_rate, 1),
        "core_pairs": len(core_pairs),
        "core_s": round(core_s, 2),
        "core_pairs_per_s": round(core_rate, 2),
        "ratio": round(ours_rate / core_rate, 1),
        "rows_lost": lost,
        "redundant_journaled": journaled,
        "rows_left_on_sources": on_sources,
    }


PURGE_BATCH = 5000


def _purge_seed(cr, count):
    """Give each partner of the base a message it wrote on its record, a CRM lead with its email,
    phone, name and street, and one in ten a tracking value holding its email (SQL, once)."""
    cr.execute(
        "SELECT id FROM res_partner WHERE id > 3 AND NOT EXISTS"
        " (SELECT 1 FROM res_users u WHERE u.partner_id = res_partner.id) ORDER BY id LIMIT %s",
        [count],
    )
    ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "INSERT INTO mail_message (model, res_id, message_type, body, subject, email_from,"
        " author_id, date, create_uid, write_uid, create_date, write_date)"
        " SELECT 'res.partner', id, 'email', '<p>Hello, this is ' || name || ', call me on '"
        " || COALESCE(phone, '') || '</p>', 'Question from ' || name, email, id, now(), 1, 1,"
        " now(), now() FROM res_partner WHERE id = ANY(%s)",
        [ids],
    )
    cr.execute("SELECT id FROM ir_model_fields WHERE model = 'res.partner' AND name = 'email'")
    field_id = cr.fetchone()[0]
    cr.execute(
        "INSERT INTO mail_tracking_value (field_id, mail_message_id, old_value_char,"
        " new_value_char, create_uid, write_uid, create_date, write_date)"
        " SELECT %s, m.id, p.email, 'new@example.org', 1, 1, now(), now()"
        " FROM mail_message m JOIN res_partner p ON p.id = m.res_id"
        " WHERE m.model = 'res.partner' AND m.res_id = ANY(%s) AND m.res_id %% 10 = 0",
        [field_id, ids],
    )
    cr.execute("SELECT id FROM crm_stage ORDER BY sequence, id LIMIT 1")
    stage = cr.fetchone()
    cr.execute(
        "INSERT INTO crm_lead (name, type, active, partner_id, email_from, email_normalized,"
        " phone, contact_name, street, zip, city, stage_id, priority, company_id,"
        " create_uid, write_uid, create_date, write_date)"
        " SELECT 'Quote for ' || name, 'opportunity', true, id, email, email_normalized, phone,"
        " name, '12 rue de la Paix', zip, city, %s, '0', 1, 1, 1, now(), now()"
        " FROM res_partner WHERE id = ANY(%s)",
        [stage and stage[0], ids],
    )
    cr.execute(
        "UPDATE res_partner SET hygiene_last_activity_date = now() - interval '4 years'"
        " WHERE id = ANY(%s)",
        [ids],
    )
    cr.execute("ANALYZE")
    return len(ids)


def bench_purge(args):
    """``./dev bench purge [--count 100000] [--db-prefix hygiene_bench_purge]``

    Copies the base of COUNT partners (hygiene_bench_<count>, bulk-loaded once by the warning
    bench) into a template with crm installed, gives each partner a message it wrote, a CRM lead
    and one in ten a tracking value (SQL), then anonymises every one of them with the retention
    engine in committed batches of PURGE_BATCH, as the nightly run does, on a fresh copy.
    Target (issue 6): 100,000 partners in under 10 minutes, peak memory under 2 GB.
    """
    import resource

    import odoo
    from odoo.api import Environment

    count = args.count or 100000
    source = f"hygiene_bench_{count}"
    template = f"{args.db_prefix}_tpl_{count}"
    db = f"{args.db_prefix}_{count}"
    from odoo.service import db as db_service

    if not db_service.exp_db_exist(template):
        _ensure_partner_base(args, source, count)
        print(f"  copying {source} into {template} and installing crm (once)", flush=True)
        subprocess.run(["createdb", "-T", source, template], check=True, capture_output=True)
        odoo_bin(args, template, "-i", "crm", "-u", args.addon)
        registry = odoo.modules.registry.Registry(template)
        with registry.cursor() as cr:
            seeded = _purge_seed(cr, count)
            print(f"  seeded {seeded:,} partners with a message and a lead", flush=True)
        registry.delete(template)
        odoo.sql_db.close_db(template)
    else:
        odoo_bin(args, template, "-u", args.addon)  # measure the code as it is now
    odoo.sql_db.close_db(template)
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    subprocess.run(["createdb", "-T", template, db], check=True, capture_output=True)
    registry = odoo.modules.registry.Registry(db)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT DISTINCT res_id FROM mail_message WHERE model = 'res.partner'"
                " AND message_type = 'email' AND author_id = res_id ORDER BY res_id LIMIT %s",
                [args.limit or count],
            )
            ids = [row[0] for row in cr.fetchall()]
            env = Environment(cr, odoo.SUPERUSER_ID, {})
            Partner = env["res.partner"]
            Partner.search([], limit=1)
            counts, done = {}, 0
            start = time.perf_counter()
            for offset in range(0, len(ids), PURGE_BATCH):
                chunk = ids[offset : offset + PURGE_BATCH]
                result = Partner.browse(chunk)._hygiene_retention_execute(
                    "anonymize", reason="bench"
                )
                cr.commit()  # pylint: disable=invalid-commit  (bench database)
                env.invalidate_all()
                done += len(result["done"])
                for model, number in result["counts"].items():
                    counts[model] = counts.get(model, 0) + number
                elapsed = time.perf_counter() - start
                print(f"  {offset + len(chunk):,} partners in {elapsed:.0f} s", flush=True)
            duration = time.perf_counter() - start
            cr.execute(
                "SELECT count(*) FROM crm_lead WHERE partner_id = ANY(%s)"
                " AND (email_from IS NOT NULL OR phone IS NOT NULL OR contact_name IS NOT NULL)",
                [ids],
            )
            leads_left = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM mail_message WHERE model = 'res.partner'"
                " AND res_id = ANY(%s) AND (body != '' OR email_from IS NOT NULL)",
                [ids],
            )
            messages_left = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM res_partner WHERE id = ANY(%s)"
                " AND hygiene_retention_state = 'anonymized' AND email IS NULL",
                [ids],
            )
            anonymised = cr.fetchone()[0]
    finally:
        registry.delete(db)
        odoo.sql_db.close_db(db)
        subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  anonymised {anonymised:,}/{len(ids):,} partners in {duration:.1f} s "
        f"({len(ids) / duration:,.0f} partners/s), peak memory {peak:,.0f} MB "
        f"({rss_before:,.0f} MB before the run); rows changed {counts}; "
        f"leads left with personal data {leads_left}, messages left {messages_left}\n"
        f"  targets: {count:,} partners < 600 s, peak < 2048 MB"
    )
    return {
        "bench": "purge",
        "count": len(ids),
        "done": done,
        "anonymised": anonymised,
        "seconds": round(duration, 1),
        "partners_per_s": round(len(ids) / duration, 1),
        "peak_mb": round(peak),
        "counts": counts,
        "leads_left": leads_left,
        "messages_left": messages_left,
    }


def _median_time(function, repeat=5):
    timings = []
    for __ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def bench_retention(args):
    """``./dev bench retention [--count 100000] [--db-prefix hygiene_bench_retention]``

    On a copy of the base of COUNT partners (hygiene_bench_<count>) whose last activities are
    spread over five years, with the two shipped policies active: the cost of showing the policy
    and due date (a list page, 10,000 contacts), of the searches behind the filters, of the
    preview, of one batch of re-permission mails and of one cron batch (500 contacts anonymised).
    Targets: a list page under 50 ms, every search and the preview under 1 s.
    """
    import odoo
    from odoo.api import Environment

    count = args.count or 100000
    source = f"hygiene_bench_{count}"
    prefix = args.db_prefix if args.db_prefix != "hygiene_bench_purge" else "hygiene_bench"
    db = f"{prefix}_retention_{count}"
    _ensure_partner_base(args, source, count)
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    subprocess.run(["createdb", "-T", source, db], check=True, capture_output=True)
    figures = {"bench": "retention", "count": count}
    try:
        odoo_bin(args, db, "-u", args.addon)
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            cr.execute(
                "UPDATE res_partner SET hygiene_last_activity_date = now() - "
                "(((hashtext(id::text) % 1800 + 1800) % 1800) || ' days')::interval,"
                " hygiene_last_activity_source = 'history' WHERE id > 10"
            )
            env = Environment(cr, odoo.SUPERUSER_ID, {})
            Policy = env["hygiene.retention.policy"]
            for xmlid in ("retention_policy_prospects", "retention_policy_customers"):
                env.ref(f"{args.addon}.{xmlid}").active = True
            env["ir.config_parameter"].set_param(
                "partner_data_hygiene.retention_safety_valve_percent", "100"
            )
            env.flush_all()
            cr.execute("ANALYZE res_partner")
            Partner = env["res.partner"]
            page = Partner.search([], limit=80, order="id desc")
            many = Partner.search([], limit=10000)

            def classify(records):
                env.invalidate_all()
                records.mapped("hygiene_retention_due_date")

            figures["list_page_80_ms"] = round(_median_time(lambda: classify(page)) * 1000, 1)
            figures["classify_10000_s"] = round(_median_time(lambda: classify(many), 3), 3)
            today = time.strftime("%Y-%m-%d")
            searches = {
                "unclassified": [("hygiene_retention_policy_id", "=", False)],
                "due_today": [("hygiene_retention_due_date", "<=", today)],
                "under_prospects": [
                    (
                        "hygiene_retention_policy_id",
                        "=",
                        "Prospects: 36 months after the last " "contact from the person",
                    ),
                ],
            }
            for name, domain in searches.items():
                figures[f"{name}_count"] = Partner.search_count(domain)
                figures[f"search_{name}_s"] = round(
                    _median_time(lambda d=domain: Partner.search_count(d), 3), 3
                )
            start = time.perf_counter()
            wizard = env["hygiene.retention.preview"].create({})
            wizard.action_refresh()
            figures["preview_s"] = round(time.perf_counter() - start, 3)
            figures["preview_due"] = wizard.due_count
            prospects = env.ref(f"{args.addon}.retention_policy_prospects")
            start = time.perf_counter()
            sent, left = prospects._hygiene_send_repermissions(batch_size=500)
            figures["repermission_500_s"] = round(time.perf_counter() - start, 2)
            figures["repermission_sent"] = sent
            start = time.perf_counter()
            report = Policy._cron_retention(batch_size=500)
            figures["cron_batch_500_s"] = round(time.perf_counter() - start, 2)
            figures["cron_batch_done"] = report["done"]
            cr.rollback()
        registry.delete(db)
    finally:
        odoo.sql_db.close_db(db)
        subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print("  targets: list page < 50 ms; searches and preview < 1 s")
    return figures


BENCHES = {
    "partners": bench_partners,
    "warning": bench_warning,
    "dedup": dedup.bench_dedup,
    "merge": bench_merge,
    "import": import_bench.bench_import,
    "import-memory": import_memory.bench_import_memory,
    "purge": bench_purge,
    "retention": bench_retention,
    "independent": independent_bench.bench_independent,
    "control": control_bench.bench_control,
}


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
    parser.add_argument(
        "--backfill", action="store_true", help="warning: time the key back-fill again"
    )
    parser.add_argument(
        "--skip-core", action="store_true", help="dedup: do not run the core wizard"
    )
    parser.add_argument("--workers", type=int, default=2, help="dedup: scan worker processes")
    parser.add_argument(
        "--warning", action="store_true", help="dedup: also time PROBES live warnings on the base"
    )
    parser.add_argument("--pairs", type=int, default=10000, help="merge: pairs merged by the addon")
    parser.add_argument("--core-pairs", type=int, default=200, help="merge: pairs for the core")
    parser.add_argument("--febrl", action="store_true", help="dedup: also the FEBRL 1-4 sets")
    parser.add_argument(
        "--sets",
        help="dedup: the matcher on the own generator, the independent set and FEBRL 1-4 side by"
        " side, without a database, at these sizes (e.g. 10000,100000; bench/dedup_offline.py)",
    )
    parser.add_argument(
        "--learn", action="store_true", help="dedup --sets: also with weights learnt by EM"
    )
    parser.add_argument("--db", help="import: database to copy the base into")
    parser.add_argument("--limit", type=int, help="purge: anonymise only this many partners")
    parser.add_argument(
        "--db-prefix",
        default="hygiene_bench_purge",
        help="purge, retention: prefix of the databases",
    )
    parser.add_argument(
        "--merge-prefix",
        default="hygiene_bench_merge",
        help="merge: prefix of the databases (template and copy)",
    )
    parser.add_argument("--template", help="import: base to copy (default: hygiene_bench_<count>)")
    parser.add_argument(
        "--counts", help="import-memory: sizes of the files (default 100000,300000)"
    )
    parser.add_argument(
        "--commit", action="store_true", help="import-memory: commit too (default: dry run)"
    )
    parser.add_argument("--profile", metavar="FILE", help="import: cProfile the command to FILE")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="import: alternated runs of the import and base_import; prints the median ratio",
    )
    parser.add_argument(
        "--skip-base-import", action="store_true", help="import: leave out base_import's time"
    )
    parser.add_argument("--size", type=int, help="independent: rows of the set (default 10000)")
    parser.add_argument("--seed", type=int, default=16, help="independent: seed of the set")
    parser.add_argument(
        "--path",
        choices=["scan", "import", "both"],
        default="both",
        help="independent: COPY-load and scan, import, or both",
    )
    parser.add_argument("--orders", type=int, help="control: confirmed orders (default count/10)")
    parser.add_argument("--keep", action="store_true", help="control: keep the database")
    parser.add_argument(
        "--anchor-config",
        help="control: also measure the addon of this odoo.conf's addons path (the anchor), on "
        "a copy of the same base taken before this version's update",
    )
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
