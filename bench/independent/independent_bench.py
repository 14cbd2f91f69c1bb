"""``./dev bench independent [--size 10000] [--path scan|import|both] [--db PREFIX]``

The independent duplicate set (SPEC.md, generate.py) measured through the addon as a user runs it:

- scan: the rows COPY-loaded as partners (partner id = 1000 + row id) into a copy of an empty base
  with the addon, ``odoo-bin hygiene keys``, ``odoo-bin hygiene dedup --export``, scored;
- import: the same rows as one legacy CSV (``SET.import.csv``, partner columns only) imported with
  ``odoo-bin hygiene import FILE --source shop --commit`` into another copy of the empty base; the
  partner each line became (``result_partner_id``) is its cluster, a line left without one its own
  cluster; scored; then ``hygiene dedup --export`` on the result, scored as the import's grouping
  joined with the scan's groups.

Databases: ``PREFIX_tpl`` (the empty base, kept), ``PREFIX_scan_SIZE`` and ``PREFIX_import_SIZE``
(kept for inspection; ``dropdb`` them). Files under bench/out/independent/. Each command's wall time
and peak RSS (``wait4``) are printed and returned.
"""

import csv
import io
import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import score  # noqa: E402

ID_OFFSET = 1000
COPY_CHUNK = 50000
SOURCE_CODES = ("shop", "web_form", "emailing", "loyalty", "fair")


def parse_birthdate(text):
    """The date a French legacy loader stores for a typed birth date, or None (as a Date field)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if text.isdigit() and len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if text.isdigit() and len(text) == 5:  # an Excel serial number
            return date(1899, 12, 30) + timedelta(days=int(text))
        for separator in "/-.":
            if separator in text:
                day, month, year = (int(part) for part in text.split(separator))
                if year < 100:
                    year += 1900 if year > 25 else 2000
                return date(year, month, day)  # day first: "3/14/1978" is refused
    except ValueError:
        return None
    return None


def _run(command, log=None):
    """Run ``command``; (seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if log:
        Path(log).write_text(output, encoding="utf-8")
    if process.returncode:
        sys.stdout.write(output[-4000:])
        raise RuntimeError(f"{command[3:6]} failed ({process.returncode})")
    return seconds, usage.ru_maxrss / 1024, output


def _hygiene(args, db, *options, log=None):
    import odoo

    command = [
        sys.executable,
        str(Path(args.odoo_src) / "odoo-bin"),
        f"--addons-path={odoo.tools.config['addons_path']}",
        "hygiene",
        "-c",
        args.config,
        "-d",
        db,
        *options,
    ]
    return _run(command, log=log)


def _copy_db(template, db):
    import odoo

    odoo.sql_db.close_db(template)
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    subprocess.run(["createdb", "-T", template, db], check=True, capture_output=True)


def _ensure_template(args, template):
    import odoo
    from odoo.service import db as db_service

    if not db_service.exp_db_exist(template):
        print(f"  creating {template} with {args.addon} (once)", flush=True)
        command = [sys.executable, str(Path(args.odoo_src) / "odoo-bin"), "-c", args.config]
        command += ["-d", template, "-i", args.addon, "--without-demo=all", "--stop-after-init"]
        subprocess.run([*command, "--no-http", "--log-level=warn"], check=True)
    else:  # measure the code as it is now
        command = [sys.executable, str(Path(args.odoo_src) / "odoo-bin"), "-c", args.config]
        command += ["-d", template, "-u", args.addon, "--stop-after-init", "--no-http"]
        subprocess.run([*command, "--log-level=warn"], check=True)
    odoo.sql_db.close_db(template)


def _value(text):
    text = (
        (text or "").replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    )
    return text if text else "\\N"


def load_partners(db, truth_path):
    """COPY the rows of ``truth_path`` into ``db`` as partners ``ID_OFFSET + row_id``; seconds."""
    import odoo
    from odoo.tools import email_normalize

    from odoo.addons.phone_validation.tools import phone_validation

    started = time.perf_counter()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute("SELECT max(id) FROM res_partner")
        assert cr.fetchone()[0] < ID_OFFSET, "the base must be empty"
        cr.execute("SELECT id FROM res_country WHERE code = 'FR'")
        france = cr.fetchone()[0]
        cr.execute(
            "SELECT code, id, channel_type FROM hygiene_source WHERE code = ANY(%s)",
            [list(SOURCE_CODES)],
        )
        sources = {code: (source_id, channel) for code, source_id, channel in cr.fetchall()}

        def sanitized(number):
            if not number:
                return None
            try:
                return phone_validation.phone_format(
                    number, "FR", "33", force_format="E164", raise_exception=True
                )
            except Exception:  # noqa: BLE001 - what the ORM stores for an unparseable number: nothing
                return None

        columns = (
            "id, name, complete_name, email, email_normalized, phone, mobile, phone_sanitized,"
            " street, zip, city, country_id, company_name, hygiene_birthdate, hygiene_source_id,"
            " hygiene_collected_date, create_date, write_date, active, type, is_company,"
            " partner_share, commercial_partner_id, create_uid, write_uid"
        )

        def flush(partners, origins):
            cr.copy_expert(
                f"COPY res_partner ({columns}) FROM STDIN", io.StringIO("".join(partners))
            )
            cr.copy_expert(
                "COPY hygiene_partner_origin (partner_id, source_id, channel_type, collected_date,"
                " create_date, write_date, create_uid, write_uid) FROM STDIN",
                io.StringIO("".join(origins)),
            )

        partners, origins, count = [], [], 0
        with open(truth_path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                pid = ID_OFFSET + int(row["row_id"])
                name = row["name"] or row["email"]  # what Odoo names a contact known by its email
                birth = parse_birthdate(row["birthdate"])
                created = f"{row['created']} 12:00:00"
                source_id, channel = sources[row["source"]]
                values = [
                    str(pid),
                    _value(name),
                    _value(name),
                    _value(row["email"]),
                    _value(email_normalize(row["email"]) or "") if row["email"] else "\\N",
                    _value(row["phone"]),
                    _value(row["mobile"]),
                    _value(sanitized(row["mobile"]) or sanitized(row["phone"]) or ""),
                    _value(row["street"]),
                    _value(row["zip"]),
                    _value(row["city"]),
                    str(france) if row["country_code"] == "FR" else "\\N",
                    _value(row["company_name"]),
                    birth.isoformat() if birth else "\\N",
                    str(source_id),
                    created,
                    created,
                    created,
                    "t",
                    "contact",
                    "f",
                    "t",
                    str(pid),
                    "1",
                    "1",
                ]
                partners.append("\t".join(values) + "\n")
                origins.append(
                    "\t".join(
                        [str(pid), str(source_id), channel, created, created, created, "1", "1"]
                    )
                    + "\n"
                )
                count += 1
                if len(partners) >= COPY_CHUNK:
                    flush(partners, origins)
                    partners, origins = [], []
                    print(f"  loaded {count:,} partners", flush=True)
        if partners:
            flush(partners, origins)
        cr.execute("SELECT setval('res_partner_id_seq', (SELECT max(id) FROM res_partner))")
        cr.execute("ANALYZE res_partner")
        cr.execute("ANALYZE hygiene_partner_origin")
        # a benchmark loader on its own throw-away database, outside any Odoo request: the
        # COPY-loaded base must be committed before the CLI commands run on it
        cr.commit()
    registry.delete(db)
    odoo.sql_db.close_db(db)
    return time.perf_counter() - started, count


def _write_clusters(prediction, path):
    """Keep a grouping as ``row_id,cluster_id`` (score.py --pred) to rescore it later."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row_id", "cluster_id"])
        for row, cluster in sorted(prediction.items()):
            writer.writerow([row, "-".join(str(part) for part in cluster)])


def _score(truth_path, prediction, label, out_json):
    _write_clusters(prediction, str(out_json).replace(".score.json", ".clusters.csv"))
    with open(truth_path, newline="", encoding="utf-8") as handle:
        figures = score.score(csv.DictReader(handle), prediction)
    print(f"--- {label}")
    score.format_report(figures)
    with open(out_json, "w", encoding="utf-8") as handle:
        json.dump(figures, handle, indent=1)
    return figures


def _summary(figures):
    keep = ("precision", "recall", "f1", "true_pairs", "predicted_pairs", "false_pairs")
    result = {key: figures[key] for key in keep}
    result["merge_rate"] = {k: v["merge_rate"] for k, v in figures["hard_negatives"].items()}
    return result


def _scan_export(args, db, export, log):
    seconds, rss, output = _hygiene(args, db, "dedup", "--export", str(export), log=log)
    line = next((line for line in output.splitlines() if "pairs compared" in line), "")
    print(f"  hygiene dedup: {seconds:.1f} s, peak RSS {rss:,.0f} MB: {line.strip()}", flush=True)
    return seconds, rss, line.strip()


def bench_scan(args, truth, prefix, size, out):
    template, db = f"{prefix}_tpl", f"{prefix}_scan_{size}"
    _copy_db(template, db)
    load_s, count = load_partners(db, truth)
    print(f"  {count:,} partners COPY-loaded into {db} in {load_s:.1f} s", flush=True)
    keys_s, keys_rss, _output = _hygiene(args, db, "keys", log=out / f"keys_{size}.log")
    print(f"  hygiene keys: {keys_s:.1f} s, peak RSS {keys_rss:,.0f} MB", flush=True)
    export = out / f"scan_{size}.groups.csv"
    scan_s, scan_rss, line = _scan_export(args, db, export, out / f"scan_{size}.log")
    with open(export, newline="", encoding="utf-8") as handle:
        prediction, joined = score.read_prediction(handle, id_offset=ID_OFFSET)
    figures = _score(truth, prediction, f"scan, {size:,} rows", out / f"scan_{size}.score.json")
    figures["clusters_joined_by_shared_rows"] = joined
    return {
        "path": "scan",
        "db": db,
        "load_s": round(load_s, 1),
        "keys_s": round(keys_s, 1),
        "keys_rss_mb": round(keys_rss),
        "scan_s": round(scan_s, 1),
        "scan_rss_mb": round(scan_rss),
        "scan_line": line,
        **_summary(figures),
    }


def bench_import(args, truth, import_file, prefix, size, out):
    import odoo

    template, db = f"{prefix}_tpl", f"{prefix}_import_{size}"
    _copy_db(template, db)
    seconds, rss, output = _hygiene(
        args,
        db,
        "import",
        str(import_file),
        "--source",
        "shop",
        "--commit",
        log=out / f"import_{size}.log",
    )
    print(f"  hygiene import --commit: {seconds:.1f} s, peak RSS {rss:,.0f} MB", flush=True)
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute("SELECT max(id) FROM hygiene_import_batch")
        batch = cr.fetchone()[0]
        cr.execute(
            "SELECT l.line_number, l.result_partner_id, l.decision, l.state, l.decision_reason,"
            "       l.error_kind, l.match_partner_id, m.line_number"
            "  FROM hygiene_import_line l LEFT JOIN hygiene_import_line m ON m.id = l.match_line_id"
            " WHERE l.batch_id = %s",
            [batch],
        )
        lines = cr.fetchall()
        # the groups to review the commit proposed (the rows created beside a look-alike row)
        cr.execute(
            "SELECT r.partner_id, g.id FROM hygiene_duplicate_group g"
            "  JOIN hygiene_duplicate_group_partner_rel r ON r.group_id = g.id"
            " WHERE g.state = 'pending'"
        )
        proposed_group = dict(cr.fetchall())
    registry.delete(db)
    odoo.sql_db.close_db(db)
    decisions, reasons, row_partner = {}, {}, {}
    proposals = {}
    for line_number, partner, decision, state, reason, error, match_partner, match_line in lines:
        row = line_number - 1  # line 1 is the header
        if not partner and (match_partner or match_line):
            proposals[row] = ("p", match_partner) if match_partner else ("row", match_line - 1)
        key = f"{decision or '-'}/{state or '-'}"
        decisions[key] = decisions.get(key, 0) + 1
        if reason or error:
            reasons[f"{reason or '-'}/{error or '-'}"] = (
                reasons.get(f"{reason or '-'}/{error or '-'}", 0) + 1
            )
        if partner:
            row_partner[row] = partner
    print(f"  {len(lines):,} import lines; decision/state: {decisions}")
    print(f"  reasons/errors: {reasons}")
    without = len(lines) - len(row_partner)
    prediction = {row: ("p", partner) for row, partner in row_partner.items()}
    figures = _score(truth, prediction, f"import, {size:,} rows", out / f"import_{size}.score.json")
    result = {
        "path": "import",
        "db": db,
        "import_s": round(seconds, 1),
        "import_rss_mb": round(rss),
        "lines": len(lines),
        "lines_without_partner": without,
        "decisions": decisions,
        "reasons": reasons,
        **_summary(figures),
    }
    # what the import proposes at commit: its merges and its groups to review, counted as the
    # scan's groups are (a group to review is a predicted duplicate)
    with_groups = {
        row: ("g", proposed_group[partner]) if partner in proposed_group else ("p", partner)
        for row, partner in row_partner.items()
    }
    figures = _score(
        truth,
        with_groups,
        f"import with the groups it proposes to review, {size:,} rows",
        out / f"import_groups_{size}.score.json",
    )
    result["with_proposed_groups"] = {
        "groups": len(set(proposed_group.values())),
        **_summary(figures),
    }
    # what the stewards would get by accepting every proposal left to review (the uncertain
    # matches of the quarantined lines): an upper bound of the review band
    accepted = dict(prediction)
    for row, target in proposals.items():
        seen = {row}
        while target[0] == "row" and target[1] not in seen and target[1] not in accepted:
            seen.add(target[1])
            target = proposals.get(target[1], ("p", None))
        if target[0] == "row":
            target = accepted.get(target[1], ("p", None))
        if target[1] is not None:
            accepted[row] = target
    figures = _score(
        truth,
        accepted,
        f"import, every proposal to review accepted, {size:,} rows",
        out / f"import_accepted_{size}.score.json",
    )
    result["review_accepted"] = {"proposals": len(proposals), **_summary(figures)}
    export = out / f"import_scan_{size}.groups.csv"
    scan_s, scan_rss, line = _scan_export(args, db, export, out / f"import_scan_{size}.log")
    partner_group = {}
    with open(export, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            partner_group.setdefault(int(record["partner_id"]), record["group_id"])
    combined = {
        row: ("g", partner_group[partner]) if partner in partner_group else ("p", partner)
        for row, partner in row_partner.items()
    }
    figures = _score(
        truth, combined, f"import then scan, {size:,} rows", out / f"import_scan_{size}.score.json"
    )
    result["then_scan"] = {
        "scan_s": round(scan_s, 1),
        "scan_rss_mb": round(scan_rss),
        "scan_line": line,
        **_summary(figures),
    }
    return result


def bench_independent(args):
    size = args.size or args.count or 10000
    prefix = args.db or "hygiene_bench_indep"
    out = (
        Path(args.out_dir)
        if getattr(args, "out_dir", None)
        else HERE.parent / "out" / "independent"
    )
    out.mkdir(parents=True, exist_ok=True)
    truth = out / f"indep_{size}_s{args.seed}.csv"
    import_file = out / f"indep_{size}_s{args.seed}.import.csv"
    if not truth.exists() or not import_file.exists():
        started = time.perf_counter()
        summary = generate.generate(size, args.seed, str(truth), import_file=True)
        print(
            f"  generated {summary['rows']:,} rows ({summary['persons']:,} persons, "
            f"{summary['true_pairs']:,} true pairs) in {time.perf_counter() - started:.1f} s"
            f" -> {truth}"
        )
    _ensure_template(args, f"{prefix}_tpl")
    result = {"bench": "independent", "size": size, "seed": args.seed, "set": str(truth)}
    if args.path in ("scan", "both"):
        result["scan"] = bench_scan(args, truth, prefix, size, out)
    if args.path in ("import", "both"):
        result["import"] = bench_import(args, truth, import_file, prefix, size, out)
    result["at_utc"] = datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")
    return result
