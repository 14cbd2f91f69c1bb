import base64
import csv
import hashlib
import io
import json
import logging
import re
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, split_every

from ..tools import normalize
from ..tools.export import safe_cell
from ..tools.i18n import _lt
from ..tools.import_checks import DAY_FIRST, MIXED, MONTH_FIRST, date_order, mixed_scripts
from ..tools.import_rows import (
    ACTIVITY_TARGETS,
    DATE_TARGETS,
    TARGETS,
    guess_mapping,
    normalize_row,
)
from ..tools.matching import (
    SCORE_AUTO,
    SCORE_REVIEW,
    Features,
    cluster,
    is_generic_email,
    score_pair,
)
from ..tools.matching import is_generic_email as is_role_address
from ..tools.readers import ReaderError, read_file
from ..tools.suppression import suppression_hash, suppression_values
from .hygiene_import_preset import IMPORT_KINDS
from .res_partner_merge import SURVIVORSHIP_PARAM

_logger = logging.getLogger(__name__)

STEWARD = "partner_data_hygiene.group_hygiene_steward"
OFFICER = "partner_data_hygiene.group_hygiene_officer"
RETENTION_PARAM = "partner_data_hygiene.import_file_retention_days"
MAX_ROWS_PARAM = "partner_data_hygiene.import_max_rows"
DEFAULT_RETENTION_DAYS = 30
DEFAULT_MAX_ROWS = 200_000
SYNC_LIMIT = 2000  # files up to this many rows are staged and committed at once
ENGINE_FIELDS = frozenset({"state", "line_count", "launched_uid"})
# Consent proof columns: kept out of the normalised values stewards read (security review L2).
PROOF_TARGETS = ("optin_ip", "optin_wording")
STAGE_CHUNK = 5000
# Contacts written per savepoint: the ORM's fixed cost per create/flush is paid once per chunk; a
# refused chunk is retried line by line, so a bad row costs its chunk a second pass, nothing more.
COMMIT_CHUNK = 2500
INSERT_CHUNK = 5000
# No chatter message, follower or tracking value per imported contact: the origin and the
# staging line are the record of the import.
IMPORT_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
REPORT_DETAIL_LIMIT = 300  # lines of "values dropped or changed" shown in the report
CANDIDATE_CAP = 30  # a key shared by more contacts than this is not evidence (generic mailbox)
# Partner fields an import writes, in the order conflicts are listed.
PARTNER_FIELDS = (
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "country_id",
    "vat",
    "company_registry",
    "company_name",
    "hygiene_birthdate",
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069/\\]")


def sanitize_filename(name):
    """A file name to display and store, never used as a path: no folders, control or bidi
    characters, at most 120 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name).strip(" .") or "import"
    return name[:120]


class HygieneImportBatch(models.Model):
    """One imported file: its raw content (kept a limited time), how its columns are read, its
    staged lines and the decisions taken on them.

    Nothing touches contacts before ``action_commit``: reading, staging, matching and the dry run
    only write the batch and its lines. Big files are staged and committed in chunks by a cron
    (``_cron_process``), each line carrying its own state so that a crash resumes where it stopped.
    """

    _name = "hygiene.import.batch"
    _description = "Contact Import"
    _order = "id desc"

    name = fields.Char(string="File", required=True, default="import", readonly=True)
    source_id = fields.Many2one(
        "hygiene.source", required=True, ondelete="restrict", string="Source", index=True
    )
    preset_id = fields.Many2one("hygiene.import.preset", ondelete="set null", string="Preset")
    kind = fields.Selection(IMPORT_KINDS, required=True, default="contacts", string="List Type")
    purpose_id = fields.Many2one(
        "hygiene.purpose",
        ondelete="restrict",
        string="Consent Purpose",
        default=lambda self: self.env.ref(
            "partner_data_hygiene.purpose_newsletter", raise_if_not_found=False
        ),
    )
    consent_channel = fields.Selection(
        # the labels of the consent's channels, translated (a callable selection is not)
        selection=lambda self: self.env["hygiene.consent"]
        ._fields["channel"]
        ._description_selection(self.env),
        default="import",
        string="Consent Collected Through",
    )
    day_first = fields.Boolean(string="Day Before Month", default=True)
    country_id = fields.Many2one(
        "res.country",
        string="Country of the Phone Numbers",
        default=lambda self: self.env.company.country_id or self.env.ref("base.fr"),
        help="Country of the phone numbers written without their +prefix (06 12 34 56 78 is a "
        "French number) and of the addresses without a country: the preset's, else the "
        "company's. A number that is not valid in this country is dropped and listed in the "
        "report.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("staging", "Staging"),
            ("staged", "To Review"),
            ("committing", "Importing"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        index=True,
    )
    raw_file = fields.Binary(string="Raw File", attachment=True, groups=STEWARD)
    raw_filename = fields.Char(string="Uploaded File Name")
    raw_deletion_date = fields.Date(
        string="Raw File Deleted On",
        readonly=True,
        help="The uploaded file holds personal data: it is deleted on this date.",
    )
    file_hash = fields.Char(string="SHA-256", readonly=True, index=True)
    file_format = fields.Char(string="Format", readonly=True)
    encoding = fields.Char(readonly=True)
    sheet = fields.Char(string="Sheet / Table", help="Sheet of a workbook or table of a database.")
    available_sheets = fields.Char(string="Sheets / Tables in the File", readonly=True)
    sheet_ids = fields.One2many("hygiene.import.sheet", "batch_id", readonly=True)
    sheet_id = fields.Many2one(
        "hygiene.import.sheet",
        string="Sheet / Table to Import",
        domain="[('batch_id', '=', id)]",
        help="The sheet of the workbook, or the table or view of the database, to import; "
        "choose another one, then read the file again.",
    )
    message = fields.Text(string="Notes", readonly=True)
    mapping_ids = fields.One2many("hygiene.import.mapping", "batch_id", string="Columns")
    line_ids = fields.One2many("hygiene.import.line", "batch_id", string="Lines")
    line_count = fields.Integer(string="Rows", readonly=True)
    progress = fields.Float(compute="_compute_counts", string="Progress (%)")
    count_create = fields.Integer(compute="_compute_counts", string="To Create")
    count_update = fields.Integer(compute="_compute_counts", string="To Update")
    count_merge = fields.Integer(compute="_compute_counts", string="Duplicates in File")
    count_skip = fields.Integer(compute="_compute_counts", string="Skipped")
    count_quarantine = fields.Integer(compute="_compute_counts", string="Quarantined")
    count_done = fields.Integer(compute="_compute_counts", string="Written")
    count_created = fields.Integer(compute="_compute_counts", string="Created")
    count_updated = fields.Integer(compute="_compute_counts", string="Updated")
    count_merged = fields.Integer(compute="_compute_counts", string="Merged into Another Row")
    report = fields.Text(compute="_compute_report", string="Report")
    dry_run_summary = fields.Text(string="Dry Run", readonly=True)
    rejected_file = fields.Binary(string="Rejected Rows (CSV)", attachment=True, readonly=True)
    rejected_filename = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    launched_uid = fields.Many2one(
        "res.users",
        string="Launched By",
        readonly=True,
        copy=False,
        help="The steward who staged or committed the import: background chunks run with "
        "this user's rights, never as superuser.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_engine_fields(vals)
            if vals.get("raw_filename"):
                vals["raw_filename"] = sanitize_filename(vals["raw_filename"])
                vals.setdefault("name", vals["raw_filename"])
        return super().create(vals_list)

    def write(self, vals):
        self._check_engine_fields(vals)
        if vals.get("raw_filename"):
            vals = dict(vals, raw_filename=sanitize_filename(vals["raw_filename"]))
        if vals.get("sheet_id") and "sheet" not in vals:
            vals = dict(vals, sheet=self.env["hygiene.import.sheet"].browse(vals["sheet_id"]).name)
        return super().write(vals)

    def _check_engine_fields(self, vals):
        """The state, the row count and the launching user drive the background work (which
        rows are committed, and with whose rights): only the import engine sets them."""
        forged = ENGINE_FIELDS.intersection(vals)
        if forged and not self.env.su:
            raise AccessError(
                self.env._(
                    "These fields are set by the import itself: %(fields)s.",
                    fields=", ".join(sorted(forged)),
                )
            )

    def _engine_write(self, vals):
        """Write engine fields (rights were checked by the calling action)."""
        return self.sudo().write(dict(vals, launched_uid=self.env.uid))

    # ------------------------------------------------------------------ computes

    @api.depends("line_ids.decision", "line_ids.state", "state")
    def _compute_counts(self):
        Line = self.env["hygiene.import.line"]
        by_decision = defaultdict(dict)
        by_state = defaultdict(dict)
        written = defaultdict(dict)
        if self.ids:
            for batch, decision, count in Line._read_group(
                [("batch_id", "in", self.ids)], ["batch_id", "decision"], ["__count"]
            ):
                by_decision[batch.id][decision] = count
            for batch, state, count in Line._read_group(
                [("batch_id", "in", self.ids)], ["batch_id", "state"], ["__count"]
            ):
                by_state[batch.id][state] = count
            for batch, decision, count in Line._read_group(
                [
                    ("batch_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("decision", "in", ("create", "update", "merge")),
                    ("result_partner_id", "!=", False),
                ],
                ["batch_id", "decision"],
                ["__count"],
            ):
                written[batch.id][decision] = count
        for batch in self:
            decisions = by_decision[batch.id]
            states = by_state[batch.id]
            total = sum(states.values())
            batch.count_create = decisions.get("create", 0)
            batch.count_update = decisions.get("update", 0)
            batch.count_merge = decisions.get("merge", 0)
            batch.count_skip = decisions.get("skip", 0)
            batch.count_quarantine = decisions.get("quarantine", 0)
            # quarantined and skipped rows are closed too, but nothing of them was written
            batch.count_done = sum(written[batch.id].values())
            batch.count_created = written[batch.id].get("create", 0)
            batch.count_updated = written[batch.id].get("update", 0)
            batch.count_merged = written[batch.id].get("merge", 0)
            if batch.state in ("committing", "done"):
                batch.progress = 100.0 * states.get("done", 0) / total if total else 0.0
            else:
                ready = states.get("staged", 0) + states.get("normalised", 0)
                batch.progress = 100.0 * ready / total if total else 0.0

    @api.depends("line_ids.decision", "line_ids.state", "state")
    @api.depends_context("lang")
    def _compute_report(self):
        for batch in self:
            batch.report = batch._report_text() if batch.id else False

    def _selection_labels(self, model, field):
        """``{code: label}`` of a selection field, in the user's language."""
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    def _report_text(self, detail_limit=REPORT_DETAIL_LIMIT):
        """What the import will do (under review) or did (committed), in numbers, then every
        value the import dropped or changed, with its line and why."""
        self.ensure_one()
        self.env.flush_all()
        _ = self.env._
        reasons = self._selection_labels("hygiene.import.line", "decision_reason")
        errors = self._selection_labels("hygiene.import.line", "error_kind")
        done = self.state in ("committing", "done")
        self.env.cr.execute(
            SQL(
                """
                SELECT decision, decision_reason, error_kind, count(*),
                       count(*) FILTER (WHERE result_partner_id IS NOT NULL)
                  FROM hygiene_import_line WHERE batch_id = %s
              GROUP BY decision, decision_reason, error_kind
                """,
                self.id,
            )
        )
        total, counts, written = 0, defaultdict(int), defaultdict(int)
        quarantine, error_counts = defaultdict(int), defaultdict(int)
        for decision, reason, error_kind, count, with_result in self.env.cr.fetchall():
            total += count
            counts[decision] += count
            written[decision] += with_result
            if decision in ("quarantine", "skip") and reason:
                quarantine[decision, reason] += count
            if error_kind:
                error_counts[error_kind] += count
        if done:
            lines = [
                _("%(count)s rows in the file", count=total),
                _("Contacts created: %(count)s", count=written["create"]),
                _("Contacts updated: %(count)s", count=written["update"]),
                _("Rows merged into another row of the file: %(count)s", count=written["merge"]),
                _("Quarantined, nothing written: %(count)s", count=counts["quarantine"]),
                _("Skipped: %(count)s", count=counts["skip"]),
            ]
        else:
            lines = [
                _("%(count)s rows in the file", count=total),
                _("To create: %(count)s", count=counts["create"]),
                _("To update: %(count)s", count=counts["update"]),
                _("Duplicates of another row of the file: %(count)s", count=counts["merge"]),
                _("Quarantined (to review or to correct): %(count)s", count=counts["quarantine"]),
                _("Skipped: %(count)s", count=counts["skip"]),
            ]
        # each reason right under its decision (quarantined, then skipped)
        for decision in ("quarantine", "skip"):  # the skip line is the last one
            at = len(lines) - (1 if decision == "quarantine" else 0)
            lines[at:at] = [
                _("  - %(reason)s: %(count)s", reason=reasons.get(reason, reason), count=count)
                for (code, reason), count in sorted(quarantine.items())
                if code == decision
            ]
        if counts[None] and self.state in ("staging", "staged"):
            lines.append(_("Not matched yet: %(count)s", count=counts[None]))
        for kind, count in sorted(error_counts.items()):
            label = errors.get(kind, kind)
            lines.append(_("Error - %(label)s: %(count)s", label=label, count=count))
        details = self._report_details(detail_limit)
        if details:
            lines += ["", _("Values dropped or changed (line: why):"), *details]
        return "\n".join(lines)

    def _report_details(self, limit):
        """``Line N: message`` for every error, warning, conflict and note of the lines, the
        first ``limit`` ones, then how many more."""
        self.env.cr.execute(
            SQL(
                """
                SELECT line_number, message FROM (
                    SELECT line_number, id, unnest(array_remove(ARRAY[
                               errors, warnings, conflicts, decision_note], NULL)) AS text
                      FROM hygiene_import_line
                     WHERE batch_id = %s
                       AND (errors IS NOT NULL OR warnings IS NOT NULL
                            OR conflicts IS NOT NULL OR decision_note IS NOT NULL)
                ) AS l, LATERAL regexp_split_to_table(l.text, E'\\n') AS message
                 WHERE message != ''
              ORDER BY line_number, id
                """,
                self.id,
            )
        )
        rows = self.env.cr.fetchall()
        details = [
            self.env._("Line %(line)s: %(message)s", line=line, message=message)
            for line, message in rows[:limit]
        ]
        if len(rows) > limit:
            details.append(
                self.env._(
                    "... and %(count)s more: open the lines and filter With Errors, With "
                    "Warnings or With Conflicts.",
                    count=len(rows) - limit,
                )
            )
        return details

    # ------------------------------------------------------------------ rights

    def _check_steward(self):
        if not self.env.user.has_group(STEWARD):
            raise AccessError(self.env._("Only data stewards can import contacts."))
        self.check_access("write")

    # ------------------------------------------------------------------ file

    def _sheet_choices(self, names, current):
        """Replace the sheet picker's choices by ``names``; return the id of ``current``."""
        self.ensure_one()
        self.sheet_ids.unlink()
        sheets = self.env["hygiene.import.sheet"].create(
            [
                {"batch_id": self.id, "name": name, "sequence": index}
                for index, name in enumerate(names)
            ]
        )
        return sheets.filtered(lambda sheet: sheet.name == current)[:1].id

    @api.onchange("sheet_id")
    def _onchange_sheet_id(self):
        if self.sheet_id:
            self.sheet = self.sheet_id.name

    @api.model
    def _reader_message(self, error):
        """The translated message of a ReaderError (its English template and parameters)."""
        return self.env._(error.message, **error.params)  # pylint: disable=translation-required

    def _max_rows(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_ROWS_PARAM)
        try:
            return int(value) if value else DEFAULT_MAX_ROWS
        except ValueError:
            return DEFAULT_MAX_ROWS

    def _content(self):
        self.ensure_one()
        content = self.sudo().raw_file
        if not content:
            raise UserError(self.env._("Upload the file to import first."))
        return base64.b64decode(content)

    def _read(self, max_rows=None):
        """Read the attached file; a file that cannot be read is refused with a clear message."""
        self.ensure_one()
        try:
            return read_file(
                self._content(),
                self.name,
                sheet=self.sheet or None,
                table=self.sheet or None,
                max_rows=max_rows,
            )
        except ReaderError as error:
            raise UserError(self._reader_message(error)) from error

    def action_read_file(self):
        """Read the uploaded file, check it, and propose the mapping of its columns."""
        self._check_steward()
        for batch in self:
            if batch.state != "draft":
                raise UserError(self.env._("Only a draft import can read its file again."))
            content = batch._content()
            days = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
            try:
                days = int(days) if days else DEFAULT_RETENTION_DAYS
            except ValueError:
                days = DEFAULT_RETENTION_DAYS
            batch.write(
                {
                    "name": sanitize_filename(batch.raw_filename or batch.name),
                    "file_hash": hashlib.sha256(content).hexdigest(),
                    "raw_deletion_date": fields.Date.today() + timedelta(days=days),
                }
            )
            limit = batch._max_rows()
            result = batch._read(max_rows=limit)
            if result.truncated:
                raise UserError(
                    self.env._(
                        "The file has more than %(limit)s rows: split it, or import it with the "
                        "command line.",
                        limit=limit,
                    )
                )
            choices = result.sheets or result.tables or []
            if not result.rows and len(choices) > 1:
                # An empty sheet or table among several: keep the choices so that the steward
                # picks the right one in the form, instead of a dead end.
                batch.write(
                    {
                        "file_format": result.format,
                        "sheet": result.sheet or result.table or False,
                        "available_sheets": ", ".join(choices),
                        "sheet_id": batch._sheet_choices(choices, result.sheet or result.table),
                        "message": self.env._(
                            "%(sheet)s has no data rows: choose another sheet or table and "
                            "read the file again.",
                            sheet=result.sheet or result.table,
                        ),
                    }
                )
                continue
            if not result.rows:
                raise UserError(
                    self.env._("The file has no data rows (0 rows): nothing to import.")
                )
            notes = []
            previous = self.search(
                [
                    ("file_hash", "=", batch.file_hash),
                    ("id", "!=", batch.id),
                    ("state", "=", "done"),
                ],
                limit=1,
            )
            if previous:
                notes.append(
                    self.env._(
                        "This file was already imported on %(date)s: rows matching the contacts "
                        "it created will only update them.",
                        date=previous.create_date.date(),
                    )
                )
            if result.errors:
                notes.append(
                    self.env._(
                        "%(count)s rows could not be read cleanly.", count=len(result.errors)
                    )
                )
            batch.write(
                {
                    "file_format": result.format,
                    "encoding": result.encoding or False,
                    "sheet": result.sheet or result.table or False,
                    "available_sheets": ", ".join(result.sheets or result.tables or []) or False,
                    "sheet_id": batch._sheet_choices(
                        result.sheets or result.tables or [], result.sheet or result.table
                    ),
                    "message": "\n".join(notes) or False,
                }
            )
            batch._engine_write({"line_count": len(result.rows)})
            batch._set_mapping(result)
        return True

    def _set_mapping(self, result):
        """Mapping lines for the file's headers: the preset's columns, else a guess."""
        self.ensure_one()
        if self.preset_id:
            mapping = self.preset_id._mapping_for(result.headers)
            guessed = guess_mapping(result.headers)
            mapping = {
                header: target or (guessed[header] if not self.preset_id.mapping_ids else False)
                for header, target in mapping.items()
            }
        else:
            mapping = guess_mapping(result.headers)
        samples = {
            header: ", ".join(
                str(row.get(header))[:40] for row in result.rows[:3] if row.get(header)
            )
            for header in result.headers
        }
        self.mapping_ids.unlink()
        self.env["hygiene.import.mapping"].create(
            [
                {
                    "batch_id": self.id,
                    "sequence": index,
                    "column": header,
                    "target": target or False,
                    "sample": samples[header][:200],
                }
                for index, (header, target) in enumerate(mapping.items())
            ]
        )

    @api.onchange("preset_id")
    def _onchange_preset_id(self):
        preset = self.preset_id
        if preset:
            self.kind = preset.kind
            self.source_id = preset.source_id or self.source_id
            self.purpose_id = preset.purpose_id or self.purpose_id
            self.consent_channel = preset.consent_channel
            self.day_first = preset.day_first
            self.country_id = preset.country_id or self.country_id

    @api.model
    def _preset_values(self, preset):
        """Batch values a preset stands for (the command line has no onchange)."""
        values = {
            "preset_id": preset.id,
            "kind": preset.kind,
            "consent_channel": preset.consent_channel,
            "day_first": preset.day_first,
        }
        if preset.source_id:
            values["source_id"] = preset.source_id.id
        if preset.purpose_id:
            values["purpose_id"] = preset.purpose_id.id
        if preset.country_id:
            values["country_id"] = preset.country_id.id
        return values

    def action_save_preset(self):
        """Save the current mapping as a new preset for the source."""
        self._check_steward()
        self.ensure_one()
        preset = self.env["hygiene.import.preset"].create(
            {
                "name": self.env._(
                    "%(channel)s - %(file)s", channel=self.source_id.name, file=self.name
                ),
                "source_id": self.source_id.id,
                "kind": self.kind,
                "purpose_id": self.purpose_id.id,
                "consent_channel": self.consent_channel,
                "day_first": self.day_first,
                "country_id": self.country_id.id,
                "mapping_ids": [
                    fields.Command.create(
                        {"column": line.column, "target": line.target, "sequence": line.sequence}
                    )
                    for line in self.mapping_ids
                ],
            }
        )
        self.preset_id = preset
        return True

    # ------------------------------------------------------------------ staging

    def _check_mapping(self):
        targets = [line.target for line in self.mapping_ids if line.target]
        if not targets:
            raise UserError(self.env._("Map at least one column before staging the file."))
        if self.kind in ("unsubscribe", "bounce") and "email" not in targets:
            raise UserError(
                self.env._("An unsubscribe or hard-bounce list needs a column mapped to Email.")
            )
        if self.kind == "contacts" and not {"name", "lastname", "company_name", "email"} & set(
            targets
        ):
            raise UserError(
                self.env._("Map a column to the name, the company name or the email of contacts.")
            )
        if self.kind == "unsubscribe" and not self.purpose_id:
            raise UserError(self.env._("Choose the purpose the persons unsubscribed from."))

    def action_stage(self):
        """Stage the file: one line per row, normalised and matched. Writes no contact."""
        self._check_steward()
        for batch in self:
            if batch.state != "draft":
                raise UserError(self.env._("This import was already staged."))
            if not batch.mapping_ids:
                batch.action_read_file()
            batch._check_mapping()
            batch._stage_insert()
            if batch.line_count <= SYNC_LIMIT:
                batch._process_all()
            else:
                self.env.ref("partner_data_hygiene.ir_cron_hygiene_import")._trigger()
        return self._step_notification("stage")

    def _step_notification(self, step):
        """The notification closing a step (stage, dry run, commit): what happened in numbers;
        the form then reloads on its Report tab."""
        _ = self.env._
        if len(self) != 1:
            return True
        if self.state in ("staging", "committing"):
            title = _("Import running in the background")
            message = _(
                "%(rows)s rows are processed in the background: the report fills as it goes.",
                rows=self.line_count,
            )
        elif step == "commit":
            title = _("Import committed")
            message = _(
                "%(created)s contacts created, %(updated)s updated, %(merged)s rows merged into "
                "another row, %(quarantined)s quarantined and %(skipped)s skipped (nothing "
                "written for them). See the report.",
                created=self.count_created,
                updated=self.count_updated,
                merged=self.count_merged,
                quarantined=self.count_quarantine,
                skipped=self.count_skip,
            )
        else:
            title = _("Dry run done: nothing was written") if step == "dry_run" else _("Staged")
            message = _(
                "%(rows)s rows: %(create)s to create, %(update)s to update, %(merge)s duplicates "
                "in the file, %(quarantine)s quarantined, %(skip)s skipped. Review the lines, "
                "then commit.",
                rows=self.line_count,
                create=self.count_create,
                update=self.count_update,
                merge=self.count_merge,
                quarantine=self.count_quarantine,
                skip=self.count_skip,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _stage_insert(self):
        """Insert the raw rows (set-based) and move the batch to ``staging``."""
        self.ensure_one()
        result = self._read(max_rows=self._max_rows())
        if not result.rows:
            raise UserError(self.env._("The file has no data rows (0 rows): nothing to import."))
        self._check_date_order(result)
        consent_columns = {
            line.column for line in self.mapping_ids if TARGETS.get(line.target) == "consent"
        }
        row_errors = defaultdict(list)
        for line, reason in result.errors:
            row_errors[line].append(reason)
        read_lines = set(result.line_numbers)

        def staged_rows():
            # one chunk at a time, the non-empty cells only (``Rows.sparse``): memory follows
            # what the file holds, not rows x columns
            for line, values in zip(result.line_numbers, result.rows.sparse(), strict=True):
                raw = {k: v for k, v in values.items() if k not in consent_columns}
                consent = {k: v for k, v in values.items() if k in consent_columns}
                errors = row_errors.get(line)
                yield (
                    line,
                    json.dumps(raw, ensure_ascii=False),
                    json.dumps(consent, ensure_ascii=False) if consent else None,
                    "\n".join(errors) if errors else None,
                    "unreadable" if errors else None,
                )
            # rows the reader could not return at all (broken quoting...) are listed too
            for line, reasons in row_errors.items():
                if line not in read_lines:
                    yield (line, "{}", None, "\n".join(reasons), "unreadable")

        uid = self.env.uid
        staged = 0
        for chunk in split_every(INSERT_CHUNK, staged_rows()):
            staged += len(chunk)
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, 'new', %s, %s, %s, %s, %s, now() at time zone 'UTC', %s,"
                    " now() at time zone 'UTC')",
                    self.id,
                    *row,
                    uid,
                    uid,
                )
                for row in chunk
            )
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO hygiene_import_line
                           (batch_id, line_number, state, raw_values, consent_raw, errors,
                            error_kind, create_uid, create_date, write_uid, write_date)
                    VALUES %s
                    """,
                    values,
                )
            )
        self._engine_write({"state": "staging", "line_count": staged})
        self.env["hygiene.import.line"].invalidate_model()

    def _check_date_order(self, result):
        """Refuse the file when a date column proves another day/month order than the import's
        setting, or both orders at once (a ``13/01`` and a ``01/13``): guessing would store
        wrong dates silently."""
        date_targets = {*DATE_TARGETS, "birthdate"}
        for mapping in self.mapping_ids.filtered(lambda m: m.target in date_targets):
            column = mapping.column
            order, examples = date_order(
                (line, values.get(column))
                for line, values in zip(result.line_numbers, result.rows, strict=True)
            )
            if order == MIXED:
                # line numbers, not the dates: the message is logged (a birth date is personal)
                (day_line, __), (month_line, __) = examples
                raise UserError(
                    self.env._(
                        "Column %(column)s mixes two date orders: the date of line %(day_line)s "
                        "can only be day/month and the date of line %(month_line)s only "
                        "month/day. Correct the file: it is refused rather than guessed.",
                        column=column,
                        day_line=day_line,
                        month_line=month_line,
                    )
                )
            if (order == MONTH_FIRST and self.day_first) or (
                order == DAY_FIRST and not self.day_first
            ):
                [(line, __)] = examples
                raise UserError(
                    self.env._(
                        "Column %(column)s holds a date (line %(line)s) which cannot be read "
                        "with the chosen date order: change the option Day Before Month and "
                        "stage the file again.",
                        column=column,
                        line=line,
                    )
                )

    @api.model
    def _message_params(self, params):
        """The parameters of a row message, a ``reason`` being itself the addon's wording (an
        email-validator error mapped by tools/normalize.py): translated too."""
        reason = params.get("reason")
        if isinstance(reason, str):
            params = dict(params, reason=self.env._(reason))  # pylint: disable=translation-required
        return params

    @api.model
    def _check_row_warnings(self, values, clean, warnings, retention_limit, retention_months):
        """Flag what is accepted but must be seen: a role address (not a natural person), look-
        alike characters (returns True: never matched automatically), a last activity older than
        the retention period (the contact is due for retention as soon as it is imported)."""
        email_key = clean.get("email_key")
        if email_key and is_role_address(email_key):
            warnings.append(
                (
                    "role_address",
                    _lt("Role address %(value)s: a shared mailbox, not a natural person."),
                    {"value": clean.get("email") or email_key},
                )
            )
        look_alike = any(
            mixed_scripts(str(values.get(target) or ""))
            for target in ("name", "firstname", "lastname", "company_name", "email")
        )
        if look_alike:
            warnings.append(
                (
                    "look_alike",
                    _lt(
                        "The name or email mixes letters of several alphabets (look-alike "
                        "characters): this row is never matched automatically."
                    ),
                    {},
                )
            )
        activity = max(
            (clean[target] for target in ACTIVITY_TARGETS if clean.get(target)), default=None
        )
        if activity and fields.Datetime.to_datetime(activity) < retention_limit:
            warnings.append(
                (
                    "old_activity",
                    _lt(
                        "Last activity %(date)s is older than %(months)s months: the contact is "
                        "due for retention (anonymisation or deletion) as soon as it is imported."
                    ),
                    {"date": activity[:10], "months": retention_months},
                )
            )
        return look_alike

    def _retention_months(self):
        """The shortest retention, in months, counted from the last activity (CNIL: 36)."""
        durations = (
            self.env["hygiene.retention.policy"]
            .sudo()
            .search([("start_event", "=", "last_activity")])
            .mapped("duration_months")
        )
        return min(durations, default=36)

    def _process_all(self, progress=None):
        """Run every remaining chunk now (small files, command line)."""
        while self._process_chunk():
            if progress:
                progress(self)

    def _process_chunk(self):
        """One step of background work; returns True while work remains."""
        self.ensure_one()
        if self.state == "staging":
            if self._stage_chunk(STAGE_CHUNK):
                return True
            self._match_and_decide()
            return False
        if self.state == "committing":
            if self._commit_chunk(COMMIT_CHUNK):
                return True
            self._finish_commit()
            return False
        return False

    def _stage_chunk(self, limit):
        """Normalise up to ``limit`` lines read but not normalised; returns their number."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                """
                SELECT id, raw_values, consent_raw, error_kind
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND state = 'new'
              ORDER BY id
                 LIMIT %s
                """,
                self.id,
                limit,
            )
        )
        fetched = cr.fetchall()
        if not fetched:
            return 0
        mapping = {line.column: line.target for line in self.mapping_ids if line.target}
        columns = {target: column for column, target in mapping.items()}
        region = (self.country_id.code or "FR").upper()
        secret = self.env["hygiene.suppression"]._suppression_secret()
        now = fields.Datetime.now()
        kind, day_first = self.kind, self.day_first  # read once, not per row
        retention_months = self._retention_months()
        retention_limit = fields.Datetime.subtract(now, months=retention_months)
        entry_rules = self.env["hygiene.entry.rules"]._hygiene_import_checker(region)  # issue 19
        updates, hashes_by_line = [], {}
        for line_id, raw_json, consent_json, error_kind in fetched:
            raw = json.loads(raw_json or "{}")
            raw.update(json.loads(consent_json or "{}"))
            values = {target: raw.get(column) for column, target in mapping.items()}
            clean, errors, warnings = normalize_row(
                values, region=region, day_first=day_first, now=now, columns=columns
            )
            # the proof of consent stays in the officer-only consent_raw (read at commit)
            for target in PROOF_TARGETS:
                clean.pop(target, None)
            if kind == "contacts" and not error_kind and not errors:
                if not (clean.get("name") or clean.get("email") or clean.get("phone")) and not (
                    clean.get("mobile")
                ):
                    errors.append(("no_identity", _lt("No name, email nor phone."), {}))
            if kind != "contacts" and not error_kind and not clean.get("email"):
                if not errors:
                    errors.append(("no_identity", _lt("No email address."), {}))
            if kind == "contacts" and not error_kind:
                entry_rules(clean, errors, warnings)
            look_alike = self._check_row_warnings(
                values, clean, warnings, retention_limit, retention_months
            )
            messages = [
                self.env._(template, **self._message_params(params))  # pylint: disable=translation-required
                for __, template, params in errors
            ]
            notes = [
                self.env._(template, **params)  # pylint: disable=translation-required
                for __, template, params in warnings
            ]
            phones = [clean[key] for key in ("phone", "mobile") if clean.get(key)]
            if kind == "contacts" and (clean.get("email") or phones):
                hashes_by_line[line_id] = [
                    suppression_hash(secret, kind, value)
                    for kind, value in suppression_values(clean.get("email"), phones, region)
                ]
            updates.append(
                [
                    line_id,
                    json.dumps(clean, ensure_ascii=False),
                    "\n".join(messages) or None,
                    error_kind or (errors[0][0] if errors else None),
                    "\n".join(notes) or None,
                    clean.get("email_key"),
                    clean.get("phone_key"),
                    clean.get("mobile_key"),
                    clean.get("name_key"),
                    clean.get("company_key"),
                    (clean.get("name") or clean.get("email") or "")[:200] or None,
                    look_alike,
                    False,
                ]
            )
        suppressed = self._suppressed_lines(hashes_by_line)
        for row in updates:
            row[-1] = row[0] in suppressed
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::boolean, %s::boolean)",
                *row,
            )
            for row in updates
        )
        cr.execute(
            SQL(
                """
                UPDATE hygiene_import_line l
                   SET clean_values = v.clean, state = 'normalised',
                       errors = concat_ws(E'\n', l.errors, v.errors),
                       error_kind = v.error_kind, warnings = v.warnings,
                       email_key = v.email_key, phone_key = v.phone_key,
                       mobile_key = v.mobile_key, name_key = v.name_key,
                       company_key = v.company_key, display_label = v.label,
                       look_alike = v.look_alike, suppressed = v.suppressed
                  FROM (VALUES %s) AS v(id, clean, errors, error_kind, warnings, email_key,
                                        phone_key, mobile_key, name_key, company_key, label,
                                        look_alike, suppressed)
                 WHERE l.id = v.id
                """,
                values,
            )
        )
        if suppressed:
            # an erased or opted-out person: their row is refused and nothing of it is kept
            self._blank_lines(SQL("id = ANY(%s)", sorted(suppressed)))
        self.env["hygiene.import.line"].invalidate_model()
        return len(fetched)

    def _blank_lines(self, condition):
        """Drop what the file said on the batch's lines matching ``condition`` (personal data):
        the line number, the decision, its reason and the resulting contact stay."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_import_line
                   SET raw_values = NULL, consent_raw = NULL, clean_values = NULL,
                       conflicts = NULL, errors = NULL, warnings = NULL, display_label = NULL,
                       decision_note = NULL, email_key = NULL, phone_key = NULL,
                       mobile_key = NULL, name_key = NULL, company_key = NULL
                 WHERE batch_id = ANY(%s) AND %s
                """,
                self.ids,
                condition,
            )
        )
        self.env["hygiene.import.line"].invalidate_model()

    def _suppressed_lines(self, hashes_by_line):
        """Line ids whose email or a phone is on the suppression list (one query)."""
        all_hashes = sorted({h for hashes in hashes_by_line.values() for h in hashes})
        if not all_hashes:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT value_hash FROM hygiene_suppression WHERE value_hash = ANY(%s)",
                all_hashes,
            )
        )
        found = {row[0] for row in self.env.cr.fetchall()}
        return {line for line, hashes in hashes_by_line.items() if found.intersection(hashes)}

    # ------------------------------------------------------------------ matching

    def _line_features(self):
        """Features of the valid lines of the batch (``tools.matching.Features``)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id, name_key, email_key, phone_key, mobile_key, company_key, clean_values
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND state = 'normalised' AND error_kind IS NULL
                   AND NOT coalesce(suppressed, FALSE)
                """,
                self.id,
            )
        )
        features = {}
        for line_id, name_key, email, phone, mobile, company, clean_json in self.env.cr.fetchall():
            clean = json.loads(clean_json)
            features[line_id] = Features(
                line_id,
                name_key,
                email,
                frozenset(p for p in (phone, mobile) if p),
                company,
                (clean.get("zip") or "").replace(" ", "") or None,
                clean.get("city"),
                normalize.street_key(clean.get("street")),
                bool(clean.get("is_company")),
                None,
                clean.get("birthdate"),
                frozenset(
                    [f"{self.source_id.id}:{clean['source_ref']}"]
                    if clean.get("source_ref")
                    else []
                ),
            )
        return features

    def _partner_candidates(self):
        """``{line_id: {partner_id, ...}}``: contacts sharing a stored key with each line."""
        joins = {
            "email": SQL("p.hygiene_email_key = l.email_key"),
            "phone": SQL("p.hygiene_phone_key = l.phone_key"),
            "phone_mobile": SQL("p.hygiene_mobile_key = l.phone_key"),
            "mobile": SQL("p.hygiene_mobile_key = l.mobile_key"),
            "mobile_phone": SQL("p.hygiene_phone_key = l.mobile_key"),
            "company": SQL("p.hygiene_company_key = l.company_key"),
            "name": SQL("p.hygiene_name_key = l.name_key AND p.zip = l.zip_key"),
            # the customer number of the line, already on a contact's origin from this source
            "customer": SQL(
                """p.id IN (SELECT o.partner_id FROM hygiene_partner_origin o
                             WHERE o.source_id = %s AND o.source_ref = l.source_ref)""",
                self.source_id.id,
            ),
        }
        candidates = defaultdict(set)
        for join in joins.values():
            self.env.cr.execute(
                SQL(
                    """
                    SELECT l.id, array_agg(p.id ORDER BY p.id)
                      FROM (SELECT id, email_key, phone_key, mobile_key, company_key, name_key,
                                   clean_values::json->>'zip' AS zip_key,
                                   clean_values::json->>'source_ref' AS source_ref
                              FROM hygiene_import_line
                             WHERE batch_id = %(batch)s AND state = 'normalised'
                               AND error_kind IS NULL AND NOT coalesce(suppressed, FALSE)) l
                      JOIN res_partner p ON %(join)s AND p.active
                                         AND (p.company_id IS NULL OR p.company_id = %(company)s)
                  GROUP BY l.id
                    HAVING count(*) <= %(cap)s
                    """,
                    batch=self.id,
                    join=join,
                    cap=CANDIDATE_CAP,
                    # another company's contacts are another controller's: never matched
                    company=(self.company_id or self.env.company).id,
                )
            )
            # a key shared by more than CANDIDATE_CAP contacts is no evidence (filtered above)
            for line_id, partner_ids in self.env.cr.fetchall():
                candidates[line_id].update(partner_ids)
        return candidates

    def _partner_features(self, partner_ids):
        features = {}
        Groups = self.env["hygiene.duplicate.group"]
        for batch in split_every(10000, sorted(partner_ids)):
            features.update(Groups._partner_features(SQL("id = ANY(%s)", list(batch))))
        return features

    def _in_file_clusters(self, features):
        """Complete-linkage clusters of lines that are the same person (blocking on the keys)."""
        blocks = defaultdict(list)
        for feature in features.values():
            if feature.email_key:
                blocks["e", feature.email_key].append(feature.id)
            for phone in feature.phones:
                blocks["p", phone].append(feature.id)
            if feature.company_key:
                blocks["c", feature.company_key].append(feature.id)
            if feature.name_key and (feature.zip or feature.is_company):
                blocks["n", feature.name_key, feature.zip].append(feature.id)
            for customer in feature.ids:
                blocks["i", customer].append(feature.id)
        pair_scores, pair_reasons = {}, {}
        for ids in blocks.values():
            if len(ids) < 2 or len(ids) > CANDIDATE_CAP:
                continue
            for index, first in enumerate(ids):
                for second in ids[index + 1 :]:
                    key = (first, second) if first < second else (second, first)
                    if key not in pair_scores:
                        score, reasons = score_pair(features[key[0]], features[key[1]])
                        pair_scores[key] = score
                        pair_reasons[key] = reasons

        def score_fn(a, b):
            return score_pair(features[a], features[b])[0]

        return cluster(list(features), pair_scores, SCORE_REVIEW, score_fn), pair_reasons

    def _match_and_decide(self):
        """Match the normalised lines against the contacts and each other, propose decisions."""
        self.ensure_one()
        self.env.flush_all()
        # The lines were just inserted and normalised: without fresh statistics the planner
        # takes the batch for a few rows and joins the contacts with nested loops (10x slower).
        self.env.cr.execute(SQL("ANALYZE hygiene_import_line"))
        decisions = {}  # line id -> dict of columns
        self.env.cr.execute(
            SQL(
                """
                SELECT id, error_kind, suppressed, email_key
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND state = 'normalised'
                """,
                self.id,
            )
        )
        lines = self.env.cr.fetchall()
        for line_id, error_kind, suppressed, __ in lines:
            if error_kind:
                reason = "unreadable" if error_kind == "unreadable" else "invalid"
                if error_kind == "no_identity":
                    reason = "no_identity"
                decisions[line_id] = {"decision": "quarantine", "reason": reason}
            elif suppressed:
                decisions[line_id] = {"decision": "quarantine", "reason": "suppressed"}
        if self.kind != "contacts":
            self._decide_list(lines, decisions)
        else:
            self._decide_contacts(decisions)
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s::integer, %s::integer, %s::float, %s)",
                line_id,
                d["decision"],
                d.get("reason"),
                d.get("partner"),
                d.get("line"),
                d.get("score"),
                d.get("reasons"),
            )
            for line_id, d in decisions.items()
        )
        if decisions:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE hygiene_import_line l
                       SET decision = v.decision, decision_reason = v.reason,
                           match_partner_id = v.partner, match_line_id = v.line,
                           score = v.score, reasons = v.reasons, state = 'staged'
                      FROM (VALUES %s) AS v(id, decision, reason, partner, line, score, reasons)
                     WHERE l.id = v.id
                    """,
                    values,
                )
            )
        self._set_line_state("staged", SQL("state = 'normalised'"))
        self._engine_write({"state": "staged"})
        self._stage_conflicts()

    def _stage_conflicts(self, batch_size=COMMIT_CHUNK):
        """The values of each row that differ from the contact it matches, listed on the line
        as the commit would (survivorship rule included), so that the steward reviews them
        before choosing "Update"; the commit lists them again as written."""
        self.ensure_one()
        if self.kind != "contacts":
            return
        Line = self.env["hygiene.import.line"]
        rule = self.env["ir.config_parameter"].sudo().get_param(SURVIVORSHIP_PARAM) or "most_recent"
        countries = self._countries()
        lines = Line.search(
            [
                ("batch_id", "=", self.id),
                ("state", "=", "staged"),
                ("match_partner_id", "!=", False),
            ]
        )
        for chunk in split_every(batch_size, lines.ids, Line.browse):
            partners = chunk.match_partner_id
            partners.fetch([*PARTNER_FIELDS, "write_date", "hygiene_source_id", "parent_id"])
            values = []
            for line in chunk:
                clean = line._clean()
                __, conflicts = self._update_vals(
                    line.match_partner_id,
                    self._partner_vals(clean, countries, default_country=False),
                    clean,
                    rule,
                )
                if conflicts:
                    values.append(SQL("(%s, %s)", line.id, "\n".join(conflicts)))
            if values:
                self.env.cr.execute(
                    SQL(
                        "UPDATE hygiene_import_line l SET conflicts = v.conflicts"
                        " FROM (VALUES %s) AS v(id, conflicts) WHERE l.id = v.id",
                        SQL(", ").join(values),
                    )
                )
        Line.invalidate_model(["conflicts"])

    def _decide_list(self, lines, decisions):
        """Unsubscribe and hard-bounce lists: apply to every contact with the email, never
        create one."""
        keys = {email for line_id, __, __, email in lines if email and line_id not in decisions}
        found = defaultdict(list)
        for chunk in split_every(10000, sorted(keys)):
            self.env.cr.execute(
                SQL(
                    "SELECT hygiene_email_key, array_agg(id ORDER BY id) FROM res_partner"
                    " WHERE hygiene_email_key = ANY(%s)"
                    " AND (company_id IS NULL OR company_id = %s) GROUP BY 1",
                    list(chunk),
                    (self.company_id or self.env.company).id,
                )
            )
            found.update(dict(self.env.cr.fetchall()))
        for line_id, __, __, email in lines:
            if line_id in decisions:
                continue
            partners = found.get(email)
            if partners:
                decisions[line_id] = {"decision": "update", "partner": partners[0], "score": 1.0}
            else:
                decisions[line_id] = {"decision": "skip", "reason": "no_contact"}

    @api.model
    def _score_line(self, line, partner):
        """Score of a line against a contact. A row that only gives an email (a list exported
        from an emailing tool) is the contact owning that personal address: nothing in the row
        contradicts it."""
        score, reasons = score_pair(line, partner)
        if (
            not line.name_key
            and line.email_key
            and line.email_key == partner.email_key
            and not is_generic_email(line.email_key)
        ):
            score = max(score, SCORE_AUTO)
        return score, reasons

    def _decide_contacts(self, decisions):
        features = self._line_features()
        candidates = self._partner_candidates()
        partner_features = self._partner_features(
            {pid for ids in candidates.values() for pid in ids}
        )
        best = {}
        for line_id, partner_ids in candidates.items():
            line = features.get(line_id)
            if not line:
                continue
            scored = [
                (*self._score_line(line, partner_features[pid]), pid)
                for pid in partner_ids
                if pid in partner_features
            ]
            if scored:
                score, reasons, pid = max(scored, key=lambda item: (item[0], -item[2]))
                best[line_id] = (score, reasons, pid)
        clusters, pair_reasons = self._in_file_clusters(features)
        for members, weakest in clusters:
            # the leader: the line matching a contact best, else the first line of the file
            leader = max(members, key=lambda m: (best.get(m, (0,))[0] >= SCORE_AUTO, -m))
            for member in members:
                if member == leader:
                    continue
                key = (min(member, leader), max(member, leader))
                score = score_pair(features[member], features[leader])[0]
                reasons = pair_reasons.get(key) or score_pair(features[member], features[leader])[1]
                sure = weakest >= SCORE_AUTO
                decisions[member] = {
                    "decision": "merge" if sure else "quarantine",
                    "reason": "in_file" if sure else "uncertain_in_file",
                    "line": leader,
                    "score": score,
                    "reasons": ", ".join(reasons),
                }
        for line_id in features:
            if line_id in decisions:
                continue
            score, reasons, pid = best.get(line_id, (0.0, [], None))
            if pid and score >= SCORE_AUTO:
                decision = {"decision": "update", "partner": pid}
            elif pid and score >= SCORE_REVIEW:
                decision = {"decision": "quarantine", "reason": "uncertain_match", "partner": pid}
            else:
                decision = {"decision": "create"}
                pid = pid if score >= SCORE_REVIEW else None
            if pid:
                decision.update(score=score, reasons=", ".join(reasons))
            decisions[line_id] = decision
        self._review_look_alikes(decisions)

    def _review_look_alikes(self, decisions):
        """Rows with look-alike characters are never merged nor matched automatically: a
        homoglyph may imitate an existing contact (bad-input catalogue N3)."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM hygiene_import_line"
                " WHERE batch_id = %s AND look_alike AND state = 'normalised'",
                self.id,
            )
        )
        for (line_id,) in self.env.cr.fetchall():
            decision = decisions.get(line_id)
            if decision and (
                decision["decision"] in ("update", "merge")
                or decision.get("reason") in ("uncertain_match", "uncertain_in_file")
            ):
                decision.update(decision="quarantine", reason="look_alike")

    # ------------------------------------------------------------------ dry run

    def action_dry_run(self):
        """Count what the commit would do, writing no contact."""
        self._check_steward()
        for batch in self:
            if batch.state != "staged":
                raise UserError(self.env._("Stage the file before the dry run."))
            batch.dry_run_summary = batch._dry_run_text(batch._dry_run_counts())
        return self._step_notification("dry_run")

    def _dry_run_counts(self):
        self.ensure_one()
        self.env.flush_all()
        counts = dict.fromkeys(
            (
                "create",
                "update",
                "merge",
                "skip",
                "quarantine",
                "consent_granted",
                "consent_unproven",
                "withdrawals",
                "activities",
                "bounces",
            ),
            0,
        )
        for decision, count in self.env["hygiene.import.line"]._read_group(
            [("batch_id", "=", self.id), ("state", "!=", "done")], ["decision"], ["__count"]
        ):
            counts[decision or "skip"] += count
        self.env.cr.execute(
            SQL(
                """
                SELECT clean_values FROM hygiene_import_line
                 WHERE batch_id = %s AND state != 'done'
                   AND decision IN ('create', 'update', 'merge')
                """,
                self.id,
            )
        )
        for (clean_json,) in self.env.cr.fetchall():
            clean = json.loads(clean_json or "{}")
            if self.kind == "unsubscribe":
                counts["withdrawals"] += 1
            elif self.kind == "bounce":
                counts["bounces"] += 1
            else:
                if clean.get("optin") and clean.get("optin_date"):
                    counts["consent_granted"] += 1
                elif clean.get("optin"):
                    counts["consent_unproven"] += 1
                if clean.get("optout_date"):
                    counts["withdrawals"] += 1
                counts["activities"] += any(clean.get(target) for target in ACTIVITY_TARGETS)
        return counts

    def _dry_run_text(self, counts):
        return self.env._(
            "Contacts to create: %(create)s\nContacts to update: %(update)s\n"
            "Duplicates in the file merged: %(merge)s\nSkipped: %(skip)s\n"
            "Quarantined: %(quarantine)s\nProven consents: %(consent_granted)s\n"
            "Unproven consents (grant nothing): %(consent_unproven)s\n"
            "Withdrawals: %(withdrawals)s\nHard bounces: %(bounces)s\n"
            "Historical activities: %(activities)s\nNothing was written.",
            **counts,
        )

    # ------------------------------------------------------------------ commit

    def action_commit(self):
        """Write the staged decisions: contacts, origins, consents, activities."""
        self._check_steward()
        for batch in self:
            if batch.state != "staged":
                raise UserError(self.env._("Only a staged import can be committed."))
            batch._engine_write({"state": "committing"})
            if batch.line_count <= SYNC_LIMIT:
                batch._process_all()
            else:
                self.env.ref("partner_data_hygiene.ir_cron_hygiene_import")._trigger()
        return True

    def action_commit_notify(self):
        """The Commit button: commit, then say what was written (screens)."""
        self.action_commit()
        return self._step_notification("commit")

    def _commit_chunk(self, limit):
        """Write up to ``limit`` staged lines; returns how many were processed."""
        Line = self.env["hygiene.import.line"]
        base = [("batch_id", "=", self.id), ("state", "=", "staged")]
        if self.kind == "contacts":
            lines = Line.search(
                base + [("decision", "in", ("create", "update"))], order="id", limit=limit
            )
            if not lines:
                lines = Line.search(base + [("decision", "=", "merge")], order="id", limit=limit)
        else:
            lines = Line.search(
                base + [("decision", "=", "update")], order="id", limit=limit
            ) or Line.search(
                base + [("decision", "=", "skip"), ("decision_reason", "=", "no_contact")],
                order="id",
                limit=limit,
            )
        if not lines:
            return 0
        try:
            with self.env.cr.savepoint():
                self._apply_lines(lines)
        except (UserError, ValidationError, psycopg2.Error) as error:
            # the message may quote a value of the file: only its class is logged
            _logger.info(
                "import %s: chunk refused (%s), retrying line by line",
                self.id,
                type(error).__name__,
            )
            for line in lines:
                try:
                    with self.env.cr.savepoint():
                        self._apply_lines(line)
                except (UserError, ValidationError, psycopg2.Error) as line_error:
                    message = getattr(line_error, "args", [""])[0] or str(line_error)
                    line.sudo().write(
                        {
                            "state": "done",
                            "decision_note": str(message)[:500],
                            "error_kind": "commit_error",
                            "errors": str(message)[:2000],
                        }
                    )
                    self.env.cr.execute(
                        SQL(
                            "UPDATE hygiene_import_line SET decision = 'quarantine',"
                            " decision_reason = 'commit_error' WHERE id = %s",
                            line.id,
                        )
                    )
                    line.invalidate_recordset()
        return len(lines)

    def _finish_commit(self):
        self.env.flush_all()
        self._set_line_state("done", SQL("state != 'done'"))
        self._engine_write({"state": "done", "dry_run_summary": False})

    def _set_line_state(self, state, condition):
        """Set ``state`` on the batch's lines matching the SQL ``condition``, in one UPDATE."""
        self.env.cr.execute(
            SQL(
                "UPDATE hygiene_import_line SET state = %s WHERE batch_id = %s AND %s",
                state,
                self.id,
                condition,
            )
        )
        self.env["hygiene.import.line"].invalidate_model()

    def _countries(self):
        countries = {}
        for country in self.env["res.country"].search_read([], ["code", "name"]):
            countries[country["code"].upper()] = country["id"]
            countries[normalize.fold(country["name"])] = country["id"]
        return countries

    def _partner_vals(self, clean, countries, default_country=True):
        vals = {
            "name": clean.get("name") or clean.get("email") or clean.get("phone"),
            "is_company": bool(clean.get("is_company")),
        }
        for name in PARTNER_FIELDS:
            if name in ("name", "country_id"):
                continue
            if clean.get(name):
                vals[name] = clean[name]
        if clean.get("birthdate"):  # checked when normalised: a real, past date
            vals["hygiene_birthdate"] = clean["birthdate"]
        country = clean.get("country")
        if country:
            vals["country_id"] = countries.get(country.strip().upper()) or countries.get(
                normalize.fold(country)
            )
        if default_country and not vals.get("country_id") and self.country_id:
            vals["country_id"] = self.country_id.id
        return {key: value for key, value in vals.items() if value or key == "is_company"}

    def _same_value(self, name, current, new):
        if name == "email":
            return normalize.email_key(current) == normalize.email_key(new)
        if name in ("phone", "mobile"):
            region = (self.country_id.code or "FR").upper()
            return normalize.normalize_phone(current, region) == new
        if name == "name":
            return normalize.person_name_key(current) == normalize.person_name_key(
                new
            ) or normalize.fold(current) == normalize.fold(new)
        if name == "zip":
            return str(current).replace(" ", "") == str(new).replace(" ", "")
        return normalize.fold(str(current)) == normalize.fold(str(new))

    def _file_wins(self, rule, partner, clean):
        """Whether a conflicting value of the file replaces the contact's (survivorship)."""
        if rule == "source_priority":
            return self.source_id.priority > (partner.hygiene_source_id.priority or 0)
        if rule == "most_complete":
            filled = sum(1 for name in PARTNER_FIELDS if clean.get(name))
            return filled > sum(1 for name in PARTNER_FIELDS if partner[name])
        collected = clean.get("collected_date")
        return bool(collected and fields.Datetime.to_datetime(collected) > partner.write_date)

    def _update_vals(self, partner, vals, clean, rule):
        """Values to write on ``partner`` and the conflicts: a non-empty value is never replaced
        by an empty one; a different value follows the survivorship rule and is listed."""
        changes, conflicts = {}, []
        wins = None
        for name in PARTNER_FIELDS:
            new = vals.get(name)
            if not new:
                continue
            if name == "company_name" and partner.commercial_partner_id != partner:
                # The contact belongs to a company (parent_id): the free-text company name
                # would hide that link on the form and offer to create a second company.
                company = partner.commercial_partner_id
                if normalize.company_name_key(company.name) != normalize.company_name_key(new):
                    conflicts.append(
                        self.env._(
                            "Company: the contact belongs to %(company)s, file %(new)s, kept "
                            "%(company)s",
                            company=company.name,
                            new=new,
                        )
                    )
                continue
            current = partner[name]
            current = current.id if isinstance(current, models.BaseModel) else current
            if not current:
                changes[name] = new
                continue
            if current == new or self._same_value(name, current, new):
                continue
            if wins is None:
                wins = self._file_wins(rule, partner, clean)
            if name == "country_id":
                shown = (partner.country_id.name, self.env["res.country"].browse(new).name)
            else:
                shown = (current, new)
            conflicts.append(
                self.env._(
                    "%(field)s: contact %(current)s, file %(new)s, kept %(kept)s",
                    field=partner._fields[name].get_description(self.env)["string"],
                    current=shown[0],
                    new=shown[1],
                    kept=shown[1] if wins else shown[0],
                )
            )
            if wins:
                changes[name] = new
        return changes, conflicts

    def _apply_lines(self, lines):
        if self.kind == "contacts":
            self._apply_contact_lines(lines)
        else:
            self._apply_list_lines(lines)

    def _apply_contact_lines(self, lines):
        Partner = self.env["res.partner"].with_context(**IMPORT_CONTEXT)
        countries = self._countries()
        clean_by_line = {line.id: line._clean() for line in lines}
        for line_id, proof in self._proof_values(lines).items():
            clean_by_line[line_id].update(proof)
        results, conflicts_by_line, notes = {}, {}, defaultdict(list)
        creates = lines.filtered(
            lambda line: line.decision == "create"
            or (line.decision == "merge" and not line.match_line_id.result_partner_id)
        )
        # updates first, while the cache holds no pending computes of the new contacts
        self._update_contacts(lines - creates, clean_by_line, countries, results, conflicts_by_line)
        if creates:
            partners = Partner.create(
                [self._partner_vals(clean_by_line[line.id], countries) for line in creates]
            )
            results.update(zip(creates.ids, partners.ids, strict=True))
        if not (self.env.su or self.env.user.has_group(OFFICER)):
            self._keep_retention_clock(lines - creates, results, clean_by_line, notes)
        self._record_provenance(lines, results, clean_by_line)
        self._record_consents(lines, results, clean_by_line, notes)
        activities = []
        for line in lines:
            clean = clean_by_line[line.id]
            for target, source in ACTIVITY_TARGETS.items():
                if clean.get(target):
                    activities.append((results[line.id], clean[target], source))
        Partner._hygiene_register_activities(activities)
        self._close_lines(lines, results, conflicts_by_line, notes)

    def _keep_retention_clock(self, lines, results, clean_by_line, notes):
        """A steward's file does not move the retention clock of contacts already in the base
        (attacker's pass V5): a collection date before the contact existed would bring its
        erasure forward, an activity date would keep it forever. Both are an officer's call;
        the rows are still written, the dates are left out and the report says so."""
        if not lines:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id, create_date FROM res_partner WHERE id = ANY(%s)",
                sorted({results[line.id] for line in lines}),
            )
        )
        created = dict(self.env.cr.fetchall())
        for line in lines:
            clean = clean_by_line[line.id]
            collected = clean.get("collected_date")
            since = created.get(results[line.id])
            if collected and since and fields.Datetime.to_datetime(collected) < since:
                clean.pop("collected_date")
                notes[line.id].append(
                    self.env._(
                        "Collection date %(date)s not recorded: it is before the contact was "
                        "created, only a privacy officer can date it earlier.",
                        date=collected,
                    )
                )
            dropped = [target for target in ACTIVITY_TARGETS if clean.pop(target, None)]
            if dropped:
                notes[line.id].append(
                    self.env._(
                        "Activity dates of the file not recorded on an existing contact: only a "
                        "privacy officer imports them."
                    )
                )

    def _proof_values(self, lines):
        """``{line id: {"optin_ip": ..., "optin_wording": ...}}`` read from the lines' consent
        columns (officer-only), as the file gave them."""
        columns = {
            mapping.column: mapping.target
            for mapping in self.mapping_ids
            if mapping.target in PROOF_TARGETS
        }
        if not columns or not lines:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, consent_raw FROM hygiene_import_line"
                " WHERE id = ANY(%s) AND consent_raw IS NOT NULL",
                lines.ids,
            )
        )
        proof = {}
        for line_id, raw_json in self.env.cr.fetchall():
            raw = json.loads(raw_json)
            values = {
                target: str(raw[column]).strip()
                for column, target in columns.items()
                if str(raw.get(column) or "").strip()
            }
            if values:
                proof[line_id] = values
        return proof

    def _update_contacts(self, lines, clean_by_line, countries, results, conflicts_by_line):
        """Write on the matched contacts what the rows of ``lines`` add or win (update rules)."""
        if not lines:
            return
        # the matching keys of the written contacts are refreshed once, at the end
        Partner = self.env["res.partner"].with_context(**IMPORT_CONTEXT, hygiene_defer_keys=True)
        rule = self.env["ir.config_parameter"].sudo().get_param(SURVIVORSHIP_PARAM) or "most_recent"
        targets = {}
        for line in lines:
            partner = (
                line.match_partner_id
                if line.decision == "update"
                else line.match_line_id.result_partner_id
            )
            targets[line.id] = partner.id
        to_update = Partner.browse(targets.values())
        # the steward's own rights on every contact the rows update (record rules, companies)
        to_update.check_access("write")
        to_update.fetch([*PARTNER_FIELDS, "write_date", "hygiene_source_id"])
        # read once for all what res.partner.write reads contact by contact
        to_update.mapped("child_ids")
        to_update.mapped("user_ids")
        writes = defaultdict(list)  # the same changes on several contacts: one write
        pending, written = set(), set()

        def write_pending():
            for changes, partner_ids in writes.items():
                Partner.browse(partner_ids).write(dict(changes))
            writes.clear()
            pending.clear()

        for line in lines:
            partner = to_update.browse(targets[line.id])
            clean = clean_by_line[line.id]
            if partner.id in pending:
                write_pending()  # a second row for the contact compares with the first's values
            # only what the file says: the batch's default country is for new contacts
            changes, conflicts = self._update_vals(
                partner, self._partner_vals(clean, countries, default_country=False), clean, rule
            )
            if changes:
                writes[tuple(sorted(changes.items()))].append(partner.id)
                pending.add(partner.id)
                written.add(partner.id)
            results[line.id] = partner.id
            conflicts_by_line[line.id] = conflicts
        write_pending()
        Partner.browse(sorted(written))._hygiene_refresh_keys()

    def _close_lines(self, lines, results, conflicts_by_line, notes):
        self.env.flush_all()
        values = SQL(", ").join(
            SQL(
                "(%s, %s::integer, %s, %s)",
                line.id,
                results.get(line.id),
                "\n".join(conflicts_by_line.get(line.id) or []) or None,
                "; ".join(notes.get(line.id) or []) or None,
            )
            for line in lines
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_import_line l
                   SET state = 'done', result_partner_id = v.partner, conflicts = v.conflicts,
                       decision_note = coalesce(v.note, l.decision_note)
                  FROM (VALUES %s) AS v(id, partner, conflicts, note)
                 WHERE l.id = v.id
                """,
                values,
            )
        )
        lines.invalidate_recordset()

    def _record_provenance(self, lines, results, clean_by_line):
        """One origin per written line (skipped when the same origin is already recorded, so
        that importing a file twice adds nothing)."""
        Origin = self.env["hygiene.partner.origin"]
        partner_ids = sorted(set(results.values()))
        existing = set()
        for chunk in split_every(10000, partner_ids):
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, coalesce(source_ref, note) FROM hygiene_partner_origin"
                    " WHERE source_id = %s AND partner_id = ANY(%s)",
                    self.source_id.id,
                    list(chunk),
                )
            )
            existing.update(self.env.cr.fetchall())
        now = fields.Datetime.now()
        vals_list = []
        for line in lines:
            clean = clean_by_line[line.id]
            partner_id = results[line.id]
            note = f"{self.name}:{line.line_number}"
            key = (partner_id, clean.get("source_ref") or note)
            if key in existing:
                continue
            existing.add(key)
            vals_list.append(
                {
                    "partner_id": partner_id,
                    "source_id": self.source_id.id,
                    "source_ref": clean.get("source_ref") or False,
                    "collected_date": clean.get("collected_date") or now,
                    "note": note,
                    "import_batch_id": self.id,
                    "import_line_number": line.line_number,
                }
            )
        Origin._hygiene_insert_import_origins(vals_list)

    def _current_consents(self, partner_ids):
        """``{partner_id: (state, event_date)}`` for the batch's purpose."""
        states = {}
        for chunk in split_every(10000, sorted(set(partner_ids))):
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, state, event_date FROM hygiene_consent_state"
                    " WHERE purpose_id = %s AND partner_id = ANY(%s)",
                    self.purpose_id.id,
                    list(chunk),
                )
            )
            states.update({pid: (state, date) for pid, state, date in self.env.cr.fetchall()})
        return states

    def _existing_events(self, partner_ids):
        events = set()
        for chunk in split_every(10000, sorted(set(partner_ids))):
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, action, event_date FROM hygiene_consent"
                    " WHERE purpose_id = %s AND partner_id = ANY(%s)",
                    self.purpose_id.id,
                    list(chunk),
                )
            )
            events.update(self.env.cr.fetchall())
        return events

    def _withdrawal_date(self, current, file_date, now):
        """The date of an imported withdrawal: the file's, unless a later grant is on record, in
        which case it is recorded now, so that the withdrawal wins."""
        if current and current[0] in ("granted", "unproven") and current[1] and file_date:
            if current[1] >= file_date:
                return now
        return file_date or now

    def _record_consents(self, lines, results, clean_by_line, notes):
        """Consent evidence of the rows: a grant needs a date (else it is unproven and grants
        nothing); a withdrawal, in this file or an earlier one, always wins over a grant."""
        if not self.purpose_id:
            return
        partner_ids = list(results.values())
        current = self._current_consents(partner_ids)
        existing = self._existing_events(partner_ids)
        now = fields.Datetime.now()
        withdrawn = {
            pid for pid, (state, __) in current.items() if state in ("withdrawn", "refused")
        }
        events, planned = [], set()
        base = {
            "purpose_id": self.purpose_id.id,
            "channel": self.consent_channel or "import",
            "source_id": self.source_id.id,
        }
        # withdrawals first: a grant of the same file for the same person must not override one
        for line in lines:
            clean = clean_by_line[line.id]
            if clean.get("optout_date"):
                partner_id = results[line.id]
                file_date = fields.Datetime.to_datetime(clean["optout_date"])
                key = (partner_id, "withdraw", file_date)
                withdrawn.add(partner_id)
                if key in existing or key in planned:
                    continue
                planned.add(key)
                events.append(
                    {
                        **base,
                        "partner_id": partner_id,
                        "action": "withdraw",
                        "event_date": self._withdrawal_date(
                            current.get(partner_id), file_date, now
                        ),
                        "source_ref": f"{self.name}:{line.line_number}",
                        "note": self.env._(
                            "Withdrawal imported from %(file)s (dated %(date)s in the file).",
                            file=self.name,
                            date=file_date,
                        ),
                    }
                )
        for line in lines:
            clean = clean_by_line[line.id]
            if not clean.get("optin"):
                continue
            partner_id = results[line.id]
            if partner_id in withdrawn:
                notes[line.id].append(self.env._("Consent not recorded: the person withdrew it."))
                continue
            proven = bool(clean.get("optin_date"))
            if not proven and partner_id in current:
                notes[line.id].append(
                    self.env._("Unproven consent ignored: the contact already has a state.")
                )
                continue
            event_date = fields.Datetime.to_datetime(clean["optin_date"]) if proven else now
            key = (partner_id, "grant", event_date)
            if proven and (key in existing or key in planned):
                continue
            planned.add(key)
            note = self.env._("Imported from %(file)s.", file=self.name)
            if clean.get("optin_wording"):
                note = self.env._(
                    "Imported from %(file)s. Wording: %(wording)s",
                    file=self.name,
                    wording=clean["optin_wording"][:200],
                )
            events.append(
                {
                    **base,
                    "partner_id": partner_id,
                    "action": "grant",
                    "proven": proven,
                    "event_date": event_date,
                    "ip_address": clean.get("optin_ip") or False,
                    "source_ref": f"{self.name}:{line.line_number}",
                    "note": note,
                }
            )
            if not proven:
                notes[line.id].append(self.env._("Consent without a date: recorded as unproven."))
        if events:
            # The proof fields are reserved to privacy officers; the steward's right to import
            # was checked by the public action.
            self.env["hygiene.consent"].sudo().create(events)

    def _apply_list_lines(self, lines):
        """Unsubscribe list: a withdrawal for every contact with the email (blacklisted), and the
        suppression list for emails of nobody. Hard-bounce list: the email is flagged invalid."""
        Partner = self.env["res.partner"].with_context(**IMPORT_CONTEXT)
        clean_by_line = {line.id: line._clean() for line in lines}
        keys = {line.email_key for line in lines if line.email_key}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT hygiene_email_key, array_agg(id ORDER BY id) FROM res_partner"
                " WHERE active AND hygiene_email_key = ANY(%s)"
                # another company's contacts are another controller's (attacker's pass V4)
                " AND (company_id IS NULL OR company_id = %s) GROUP BY 1",
                sorted(keys),
                (self.company_id or self.env.company).id,
            )
        )
        partners_by_key = dict(self.env.cr.fetchall())
        now = fields.Datetime.now()
        results, notes = {}, defaultdict(list)
        all_ids = [pid for ids in partners_by_key.values() for pid in ids]
        if self.kind == "bounce":
            Partner.browse(all_ids).sudo().write(
                {"hygiene_email_bounced": True, "hygiene_email_bounced_date": now}
            )
            for line in lines:
                ids = partners_by_key.get(line.email_key)
                results[line.id] = ids[0] if ids else None
            self._close_lines(lines, results, {}, notes)
            return
        current = self._current_consents(all_ids) if self.purpose_id else {}
        existing = self._existing_events(all_ids)
        events = []
        blacklist = self.env["mail.blacklist"].sudo()
        Suppression = self.env["hygiene.suppression"].sudo()
        for line in lines:
            clean = clean_by_line[line.id]
            ids = partners_by_key.get(line.email_key) or []
            file_date = clean.get("optout_date") or clean.get("collected_date")
            file_date = fields.Datetime.to_datetime(file_date) if file_date else None
            if not ids:
                Suppression._suppress("objection", email=clean.get("email"))
                notes[line.id].append(
                    self.env._("No contact: email added to the suppression list.")
                )
                results[line.id] = None
                continue
            results[line.id] = ids[0]
            for pid in ids:
                key = (pid, "withdraw", file_date)
                if file_date and key in existing:
                    continue
                existing.add(key)
                events.append(
                    {
                        "partner_id": pid,
                        "purpose_id": self.purpose_id.id,
                        "action": "withdraw",
                        "channel": self.consent_channel or "import",
                        "source_id": self.source_id.id,
                        "event_date": self._withdrawal_date(current.get(pid), file_date, now),
                        "source_ref": f"{self.name}:{line.line_number}",
                        "note": self.env._(
                            "Unsubscribe imported from %(file)s (dated %(date)s in the file).",
                            file=self.name,
                            date=file_date or "-",
                        ),
                    }
                )
        if events:
            self.env["hygiene.consent"].sudo().create(events)
        emails = {clean_by_line[line.id].get("email") for line in lines if results.get(line.id)}
        already = set(
            blacklist.with_context(active_test=True)
            .search([("email", "in", [e for e in emails if e])])
            .mapped("email")
        )
        for email in emails:
            if email and email not in already:
                blacklist._add(
                    email,
                    message=self.env._("Unsubscribed (imported from %(file)s).", file=self.name),
                )
        self._close_lines(lines, results, {}, notes)

    # ------------------------------------------------------------------ other actions

    def action_cancel(self):
        self._check_steward()
        for batch in self:
            if batch.state in ("done", "committing"):
                raise UserError(self.env._("A committed import cannot be cancelled."))
        self.env.cr.execute(
            SQL("DELETE FROM hygiene_import_line WHERE batch_id = ANY(%s)", self.ids)
        )
        self.env["hygiene.import.line"].invalidate_model()
        self._engine_write({"state": "cancelled", "raw_file": False, "dry_run_summary": False})
        return True

    def action_view_lines(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "partner_data_hygiene.hygiene_import_line_action"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {"default_batch_id": self.id}
        return action

    def _rejected_rows(self):
        """``(line, decision, reason, errors, note, raw values, consent values)`` of the
        quarantined and skipped rows."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT line_number, decision, decision_reason, errors, decision_note, raw_values,
                       consent_raw
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND decision IN ('quarantine', 'skip')
              ORDER BY line_number, id
                """,
                self.id,
            )
        )
        return self.env.cr.fetchall()

    def _rejected_csv(self):
        """CSV of the rejected rows, to correct and import again: the file's own columns, in its
        order and under its headers, consent columns included, then the line, the decision and
        why. Formula-safe, headers included (cells starting with = + - @ tab CR)."""
        decisions = self._selection_labels("hygiene.import.line", "decision")
        reasons = self._selection_labels("hygiene.import.line", "decision_reason")
        rows = self._rejected_rows()
        # the proof of consent (IP, wording shown) stays with the privacy officers (review L2)
        hidden = (
            set()
            if self.env.su or self.env.user.has_group(OFFICER)
            else {m.column for m in self.mapping_ids if m.target in PROOF_TARGETS}
        )
        headers = [
            column
            for column in self.mapping_ids.sorted(lambda m: (m.sequence, m.id)).mapped("column")
            if column not in hidden
        ]
        parsed = []
        for line, decision, reason, errors, note, raw, consent in rows:
            values = {**json.loads(raw or "{}"), **json.loads(consent or "{}")}
            for column in hidden:
                values.pop(column, None)
            headers += [header for header in values if header not in headers]
            parsed.append((line, decision, reason, errors, note, values))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                *(safe_cell(str(header)) for header in headers),
                self.env._("Line in the File"),
                self.env._("Decision"),
                self.env._("Reason"),
                self.env._("Errors"),
            ]
        )
        for line, decision, reason, errors, note, values in parsed:
            writer.writerow(
                [
                    *(
                        safe_cell(str(values[header]) if values.get(header) is not None else "")
                        for header in headers
                    ),
                    line,
                    decisions.get(decision, decision or ""),
                    reasons.get(reason, reason or ""),
                    safe_cell(" / ".join(part for part in (errors, note) if part)),
                ]
            )
        return buffer.getvalue().encode("utf-8-sig")

    def _rejected_filename(self):
        """``rejected-clients.csv`` for ``clients.csv`` (or ``clients.xlsx``): a CSV either way,
        never ``clients.csv.csv``."""
        stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", self.name or "") or "import"
        return sanitize_filename(f"rejected-{stem}.csv")

    def action_download_rejected(self):
        self._check_steward()
        self.ensure_one()
        self.write(
            {
                "rejected_file": base64.b64encode(self._rejected_csv()),
                "rejected_filename": self._rejected_filename(),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/rejected_file/"
            f"{self.rejected_filename}?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------------ crons

    @api.model
    def _cron_process(self):
        """Background staging and commit of big files: one chunk per call, resumable."""
        batch = self.search([("state", "in", ("staging", "committing"))], order="id", limit=1)
        if not batch:
            return
        started = time.perf_counter()
        # The cron runs as superuser: the chunk runs with the rights of the steward who launched
        # the import, so that record rules and companies apply to every contact it writes.
        user = batch.launched_uid or batch.create_uid
        if not user.active or not user.has_group(STEWARD):
            _logger.warning("import %s: its user is no longer a data steward, stopped", batch.id)
            batch.sudo().write({"state": "cancelled"})
            return
        batch = batch.with_user(user).with_company(batch.company_id or user.company_id)
        more = batch._process_chunk()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FILTER (WHERE state = %s), count(*)"
                " FROM hygiene_import_line WHERE batch_id = %s",
                "done" if batch.state == "committing" else "staged",
                batch.id,
            )
        )
        done, total = self.env.cr.fetchone()
        remaining = self.search_count([("state", "in", ("staging", "committing"))])
        _logger.info(
            "import %s: %s/%s lines (%.1f s)", batch.id, done, total, time.perf_counter() - started
        )
        self.env["ir.cron"]._notify_progress(
            done=1, remaining=remaining if more or remaining else 0
        )

    @api.model
    def _cron_delete_raw_files(self):
        """Delete the uploaded files (personal data) once their retention date has passed."""
        expired = self.search(
            [("raw_deletion_date", "<=", fields.Date.today()), ("raw_deletion_date", "!=", False)]
        )
        # an import left under review past the date is closed: its rows are personal data kept
        # only for the review
        abandoned = expired.filtered(lambda b: b.state in ("draft", "staged"))
        abandoned.sudo().write(
            {
                "state": "cancelled",
                "message": self.env._("Closed: the file's retention period ended during review."),
            }
        )
        expired.sudo().write({"raw_file": False, "rejected_file": False})
        # the staged copy of the file goes with it: the lines keep their number, decision and
        # resulting contact; the column samples of the mapping go too
        finished = expired.filtered(lambda b: b.state in ("done", "cancelled"))
        finished._blank_lines(SQL("TRUE"))
        finished.mapping_ids.sudo().write({"sample": False})
        return len(expired)
