"""``odoo-bin hygiene``: the data-hygiene work of the addon from the command line.

Odoo 18 finds this command in the addons of the addons path; the command name must come first:

    odoo-bin --addons-path=ADDONS hygiene -c CONF -d DB dedup [--export groups.csv]
    odoo-bin --addons-path=ADDONS hygiene -c CONF -d DB merge --min-score 0.97 [--dry-run]
    odoo-bin --addons-path=ADDONS hygiene -c CONF -d DB purge [--dry-run] [--policy X] [--limit N]
    odoo-bin --addons-path=ADDONS hygiene -c CONF -d DB keys
    odoo-bin --addons-path=ADDONS hygiene -c CONF -d DB stats
    odoo-bin --addons-path=ADDONS hygiene -c CONF -d DB import FILE --source shop
             [--preset shop_customers] [--sheet NAME] [--dry-run] [--commit]

(``./dev hygiene ARGS`` does the same on the demo database.) Each sub-command commits its work
itself, batch by batch, so that a million-contact base can be processed without the web client.
"""

import argparse
import base64
import csv
import os
import sys
import time

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.export import safe_cell


def _env(cr):
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def run_dedup(env, export=None, threshold=None, out=sys.stdout):
    """Scan for duplicates; optionally write one CSV row per partner in a group."""
    out.write("scanning active contacts for duplicates...\n")
    stats = env["hygiene.duplicate.group"]._hygiene_scan(threshold=threshold)
    out.write(
        "{partners} contacts, {pairs} pairs compared, {groups} groups to review, "
        "{oversized_blocks} oversized blocks split by a second key, {seconds} s\n".format(**stats)
    )
    if export:
        rows = export_groups(env, export)
        out.write(f"{rows} rows written to {export}\n")
    return stats


def export_groups(env, path):
    """CSV ``partner_id,group_id,score,source_ref`` of the groups to review (formula-safe)."""
    env.cr.execute(
        SQL(
            """
            SELECT rel.partner_id, g.id, g.score,
                   (SELECT o.source_ref FROM hygiene_partner_origin o
                     WHERE o.partner_id = rel.partner_id
                  ORDER BY o.collected_date, o.id LIMIT 1)
              FROM hygiene_duplicate_group g
              JOIN hygiene_duplicate_group_partner_rel rel ON rel.group_id = g.id
             WHERE g.state = 'pending'
          ORDER BY g.score DESC, g.id, rel.partner_id
            """
        )
    )
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["partner_id", "group_id", "score", "source_ref"])
        for partner_id, group_id, score, source_ref in env.cr.fetchall():
            writer.writerow([partner_id, group_id, f"{score:.4f}", safe_cell(source_ref or "")])
            count += 1
    return count


def run_merge(env, min_score, dry_run=False, limit=None, out=sys.stdout, commit=True):
    """Merge the groups to review scoring at least ``min_score``, committing batch by batch."""
    started = time.perf_counter()

    def progress(done, total):
        if commit:
            env.cr.commit()  # pylint: disable=invalid-commit
        out.write(f"  {done}/{total} groups processed\n")

    stats = env["hygiene.duplicate.group"]._hygiene_merge_above(
        min_score, limit=limit, dry_run=dry_run, progress=progress
    )
    if dry_run:
        out.write(
            f"dry run: {stats['groups']} groups ({stats['partners']} contacts) would be merged\n"
        )
        return stats
    for group, message in stats["refused"]:
        out.write(f"  refused group {group.id}: {message}\n")
    out.write(
        f"{stats['merged']} groups merged, {len(stats['refused'])} refused, "
        f"{time.perf_counter() - started:.1f} s\n"
    )
    return stats


def run_keys(env, out=sys.stdout):
    """Recompute the matching keys of every partner."""
    started = time.perf_counter()
    count = env["res.partner"]._hygiene_backfill_keys()
    out.write(
        f"matching keys of {count} contacts recomputed in {time.perf_counter() - started:.1f} s\n"
    )
    return count


def run_stats(env, out=sys.stdout):
    """Counts a steward or a DPO asks for first."""
    queries = {
        "active contacts": "SELECT count(*) FROM res_partner WHERE active",
        "with a valid email": "SELECT count(*) FROM res_partner WHERE active"
        " AND hygiene_email_key IS NOT NULL",
        "with a valid phone": "SELECT count(*) FROM res_partner WHERE active"
        " AND (hygiene_phone_key IS NOT NULL OR hygiene_mobile_key IS NOT NULL)",
        "without known source": "SELECT count(*) FROM res_partner WHERE active"
        " AND hygiene_source_id IS NULL",
        "duplicate groups to review": "SELECT count(*) FROM hygiene_duplicate_group"
        " WHERE state = 'pending'",
        "merges done": "SELECT count(*) FROM hygiene_merge_journal WHERE state = 'done'",
        "consents granted": "SELECT count(*) FROM hygiene_consent_state WHERE state = 'granted'",
        "consents withdrawn or refused": "SELECT count(*) FROM hygiene_consent_state"
        " WHERE state IN ('withdrawn', 'refused')",
        "suppression list entries": "SELECT count(*) FROM hygiene_suppression",
    }
    results = {}
    for label, query in queries.items():
        env.cr.execute(SQL(query))  # constant queries, no user input
        results[label] = env.cr.fetchone()[0]
        out.write(f"{label:>32}: {results[label]}\n")
    return results


def _find(env, model, text):
    """A source or preset by code, else by name (exact, case-insensitive)."""
    records = env[model].search([("code", "=", text)], limit=1)
    return records or env[model].search([("name", "=ilike", text)], limit=1)


def _import_values(env, source, preset, out):
    """The batch values of ``source`` and ``preset`` (codes or names), None if one is unknown."""
    source_record = _find(env, "hygiene.source", source)
    if not source_record:
        out.write(f"error: no source with code or name {source!r}\n")
        return None
    values = {"source_id": source_record.id}
    if preset:
        preset_record = _find(env, "hygiene.import.preset", preset)
        if not preset_record:
            out.write(f"error: no import preset with code or name {preset!r}\n")
            return None
        values.update(env["hygiene.import.batch"]._preset_values(preset_record))
        values["source_id"] = source_record.id
    return values


def _import_progress(env, started, out, commit_cr):
    """The progress callback of the chunks: commit what was done, print where it stands."""

    def progress(current):
        if commit_cr:
            env.cr.commit()  # pylint: disable=invalid-commit
        env.cr.execute(
            SQL(
                "SELECT count(*) FILTER (WHERE state IN %s), count(*) FROM hygiene_import_line"
                " WHERE batch_id = %s",
                ("done",) if current.state == "committing" else ("normalised", "staged"),
                current.id,
            )
        )
        done, total = env.cr.fetchone()
        step = "committed" if current.state == "committing" else "normalised"
        out.write(f"  {done}/{total} lines {step} ({time.perf_counter() - started:.1f} s)\n")

    return progress


def run_import(
    env,
    path,
    source,
    preset=None,
    sheet=None,
    dry_run=False,
    commit=False,
    out=sys.stdout,
    commit_cr=True,
):
    """Stage FILE (and with ``commit`` write it), chunk by chunk, printing the progress.

    Without ``commit`` the staged batch waits for review in Data Hygiene > Imports; with
    ``dry_run`` nothing at all is kept. Returns the batch (or None if the file was refused).
    """
    started = time.perf_counter()
    values = _import_values(env, source, preset, out)
    if values is None:
        return None
    with open(path, "rb") as handle:
        values["raw_file"] = base64.b64encode(handle.read())
    batch = env["hygiene.import.batch"].create(
        {**values, "raw_filename": os.path.basename(path), "sheet": sheet or False}
    )
    del values["raw_file"]
    batch.invalidate_recordset(["raw_file"])  # the file is read from its attachment, in a stream
    try:
        # no row cap on the command line: the file is read and staged in a stream
        batch._check_steward()
        batch._read_file(max_rows=None)
        batch._check_mapping()
    except UserError as error:
        out.write(f"refused: {error.args[0]}\n")
        return None
    mapped = ", ".join(f"{m.column}->{m.target}" for m in batch.mapping_ids if m.target)
    out.write(f"{batch.line_count} rows read ({batch.file_format}); columns: {mapped}\n")
    progress = _import_progress(env, started, out, commit_cr and not dry_run)
    batch._stage_insert(max_rows=None)
    batch._process_all(progress=progress)
    out.write(batch._dry_run_text(batch._dry_run_counts()).replace("Nothing was written.", ""))
    out.write(f"\nstaged in {time.perf_counter() - started:.1f} s\n")
    if dry_run:
        out.write("dry run: nothing kept\n")
        return batch
    if commit:
        batch.state = "committing"
        batch._process_all(progress=progress)
        out.write(
            f"import {batch.id} committed: {batch.count_done} lines written "
            f"in {time.perf_counter() - started:.1f} s\n"
        )
    else:
        out.write(f"import {batch.id} staged: review it in Data Hygiene > Imports\n")
    return batch


def _purge_dry_run(env, total, out):
    """What a purge of ``total`` due contacts would do: counts only, nothing changed."""
    base = env["res.partner"].search_count([])
    percent = env["hygiene.retention.policy"]._hygiene_valve_percent()
    if total and total * 100.0 > percent * max(base, 1):
        out.write(
            f"the safety valve would stop this run: {total} due out of {base} active "
            f"contacts, more than {percent} %\n"
        )
    out.write(f"dry run: {total} contacts would be processed, nothing changed\n")
    return {"done": 0, "remaining": total, "stopped": None, "due": total}


def run_purge(env, dry_run=False, policy=None, limit=None, out=sys.stdout, commit=True):
    """Apply the active retention policies (or the one named ``policy``) batch by batch.

    The same service as the daily cron: safety valve first, then one batch per policy per round,
    committed round by round, until nothing is due, ``limit`` contacts are handled, or a round
    handles nothing (only refusals or failures left). A dry run only counts.
    """
    started = time.perf_counter()
    Policy = env["hygiene.retention.policy"]
    policies = Policy._hygiene_active_policies()
    if policy:
        policies = policies.filtered(lambda p: p.name == policy)
        if not policies:
            out.write(f"no active retention policy named {policy!r}\n")
            return {"done": 0, "remaining": 0, "stopped": None, "error": "unknown_policy"}
    if not policies:
        out.write("no active retention policy: nothing to do\n")
        return {"done": 0, "remaining": 0, "stopped": None}
    due = policies._hygiene_due_counts()
    for item, count in due.items():
        out.write(f"{item.name}: {count} contacts due, end action {item.end_action}\n")
    unclassified = env["res.partner"].search_count(Policy._hygiene_unclassified_domain())
    out.write(f"unclassified contacts (no policy): {unclassified}\n")
    total = sum(due.values())
    if dry_run:
        return _purge_dry_run(env, total, out)
    done = 0
    report = {"done": 0, "remaining": total, "stopped": None}
    while True:
        batch = Policy._hygiene_batch_size()
        if limit:
            batch = min(batch, limit - done)
            if batch <= 0:
                break
        report = policies._hygiene_run_batch(batch_size=batch)
        if report["stopped"]:
            figures = report["stopped"]
            out.write(
                "stopped by the safety valve: {due} contacts due out of {base} "
                "(limit {percent_limit} %); the privacy officers are notified\n".format(**figures)
            )
            break
        done += report["done"]
        if commit:
            env.cr.commit()  # pylint: disable=invalid-commit
        out.write(f"  {done}/{total} contacts processed, {report['remaining']} remaining\n")
        if not report["done"] or not report["remaining"]:
            break
    out.write(f"{done} contacts processed in {time.perf_counter() - started:.1f} s\n")
    return {**report, "done": done}


class Hygiene(Command):
    """Data hygiene of contacts: duplicates, merge, retention purge, matching keys, statistics"""

    name = "hygiene"

    def _parser(self):
        parser = argparse.ArgumentParser(
            prog="odoo-bin hygiene",
            description="Data hygiene of contacts (partner_data_hygiene), without the web client.",
        )
        parser.add_argument("-c", "--config", help="Odoo configuration file")
        parser.add_argument("-d", "--database", required=True, help="database to work on")
        commands = parser.add_subparsers(dest="action", required=True, metavar="COMMAND")
        dedup = commands.add_parser("dedup", help="scan for duplicates (replaces groups to review)")
        dedup.add_argument(
            "--export",
            metavar="FILE.csv",
            help="write partner_id,group_id,score,source_ref per grouped contact",
        )
        dedup.add_argument(
            "--threshold",
            type=float,
            help="lowest pair score to propose (default: the system parameter)",
        )
        merge = commands.add_parser("merge", help="merge the groups to review above a score")
        merge.add_argument(
            "--min-score",
            type=float,
            required=True,
            metavar="X",
            help="merge groups whose weakest pair scores at least X (0-1)",
        )
        merge.add_argument("--dry-run", action="store_true", help="count, change nothing")
        merge.add_argument("--limit", type=int, help="merge at most this many groups")
        importer = commands.add_parser("import", help="stage (and commit) a legacy file")
        importer.add_argument("file", metavar="FILE", help="CSV, XLSX, SQLite or JSON file")
        importer.add_argument("--source", required=True, help="source code or name (shop...)")
        importer.add_argument("--preset", help="import preset code or name")
        importer.add_argument("--sheet", help="sheet of a workbook or table of a database")
        importer.add_argument("--dry-run", action="store_true", help="count, keep nothing")
        importer.add_argument(
            "--commit", action="store_true", help="write the proposed decisions at once"
        )
        purge = commands.add_parser(
            "purge", help="apply the retention policies (anonymise, delete or archive due contacts)"
        )
        purge.add_argument(
            "--dry-run",
            action="store_true",
            help="count the contacts due per policy, change nothing",
        )
        purge.add_argument(
            "--policy", metavar="NAME", help="only the active policy with this exact name"
        )
        purge.add_argument(
            "--limit", type=int, metavar="N", help="process at most N contacts in this run"
        )
        commands.add_parser("keys", help="recompute the matching keys of every contact")
        commands.add_parser("stats", help="print data-quality and privacy counts")
        return parser

    def run(self, cmdargs):
        args = self._parser().parse_args(cmdargs)
        odoo.tools.config.parse_config(
            ([f"--config={args.config}"] if args.config else [])
            + [f"--database={args.database}", "--log-level=warn"]  # progress lines, not logs
        )
        registry = odoo.modules.registry.Registry(args.database)
        with registry.cursor() as cr:
            env = _env(cr)
            if args.action == "dedup":
                run_dedup(env, export=args.export, threshold=args.threshold)
            elif args.action == "merge":
                run_merge(env, args.min_score, dry_run=args.dry_run, limit=args.limit)
            elif args.action == "import":
                batch = run_import(
                    env,
                    args.file,
                    args.source,
                    preset=args.preset,
                    sheet=args.sheet,
                    dry_run=args.dry_run,
                    commit=args.commit,
                )
                if batch is None:
                    sys.exit(1)
                if args.dry_run:
                    cr.rollback()
                    return
            elif args.action == "purge":
                run_purge(env, dry_run=args.dry_run, policy=args.policy, limit=args.limit)
            elif args.action == "keys":
                run_keys(env)
            else:
                run_stats(env)
            if args.action not in ("merge", "purge") or not args.dry_run:
                cr.commit()  # pylint: disable=invalid-commit
