import base64
import logging
import time
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..const import IMPORT_MAX_ROWS
from ..tools.actions import notification
from .hygiene_import_attachment import NO_INDEX
from .hygiene_import_const import COMMIT_CHUNK, ENGINE_FIELDS, STEWARD, sanitize_filename
from .hygiene_import_preset import IMPORT_KINDS

_logger = logging.getLogger(__name__)

MAX_ROWS_PARAM = IMPORT_MAX_ROWS
DEFAULT_MAX_ROWS = 200_000
SYNC_LIMIT = 2000  # files up to this many rows are staged and committed at once
STAGE_CHUNK = 5000
# The stages of the import, one AbstractModel each (models/hygiene_import_<stage>.py): this model
# keeps the fields, the state machine and the buttons.
STAGES = [
    "hygiene.import.reading",
    "hygiene.import.staging",
    "hygiene.import.normalise",
    "hygiene.import.matching",
    "hygiene.import.conflicts",
    "hygiene.import.commit",
    "hygiene.import.consents",
    "hygiene.import.report",
]


class HygieneImportBatch(models.Model):
    """One imported file: its raw content (kept a limited time), how its columns are read, its
    staged lines and the decisions taken on them.

    Nothing touches contacts before ``action_commit``: reading, staging, matching and the dry run
    only write the batch and its lines. Big files are staged and committed in chunks by a cron
    (``_cron_process``), each line carrying its own state so that a crash resumes where it stopped.
    """

    _name = "hygiene.import.batch"
    _inherit = STAGES
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
        # the context's default_<field> values count: the ORM adds them after this check
        for vals in self._hygiene_values_with_defaults(vals_list):
            self._check_engine_fields(vals)
            self._check_import_company(vals)
        for vals in vals_list:
            if vals.get("raw_filename"):
                vals["raw_filename"] = sanitize_filename(vals["raw_filename"])
                vals.setdefault("name", vals["raw_filename"])
        # the uploaded file is not indexed (hygiene_import_attachment.py); the records are
        # returned in the caller's context
        batches = super(HygieneImportBatch, self.with_context(**{NO_INDEX: True})).create(vals_list)
        return batches.with_env(self.env)

    def write(self, vals):
        self._check_engine_fields(vals)
        if "company_id" in vals:
            self._check_import_company(vals)
        if vals.get("raw_filename"):
            vals = dict(vals, raw_filename=sanitize_filename(vals["raw_filename"]))
        if vals.get("sheet_id") and "sheet" not in vals:
            vals = dict(vals, sheet=self.env["hygiene.import.sheet"].browse(vals["sheet_id"]).name)
        if vals.get("raw_file"):  # not indexed (hygiene_import_attachment.py)
            return super(HygieneImportBatch, self.with_context(**{NO_INDEX: True})).write(vals)
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

    def _check_import_company(self, vals):
        """An import is one of the user's companies, set before its file is read: its new
        contacts are that company's (a batch of no company, or moved after staging, would
        make them every company's)."""
        if self.env.su or "company_id" not in vals:
            return
        if vals["company_id"] not in self.env.user.company_ids.ids:
            raise AccessError(self.env._("An import belongs to one of your companies."))
        if any(batch.state != "draft" for batch in self):
            raise UserError(self.env._("The company of an import is set before its file is read."))

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

    # ------------------------------------------------------------------ rights

    def _check_steward(self):
        if not self.env.user.has_group(STEWARD):
            raise AccessError(self.env._("Only data stewards can import contacts."))
        self.check_access("write")

    # ------------------------------------------------------------------ file

    @api.onchange("sheet_id")
    def _onchange_sheet_id(self):
        if self.sheet_id:
            self.sheet = self.sheet_id.name

    def _max_rows(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_ROWS_PARAM)
        try:
            return int(value) if value else DEFAULT_MAX_ROWS
        except ValueError:
            return DEFAULT_MAX_ROWS

    def action_read_file(self):
        """Read the uploaded file, check it, and propose the mapping of its columns."""
        self._check_steward()
        for batch in self:
            if batch.state != "draft":
                raise UserError(self.env._("Only a draft import can read its file again."))
            batch._read_file()
        return True

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
        return notification(
            self.env._(
                "Preset %(preset)s saved: %(count)s columns mapped. Choose it for the next "
                "file from %(origin)s; now stage this one.",
                preset=preset.name,
                count=len(self.mapping_ids.filtered("target")),
                origin=self.source_id.name,
            )
        )

    # ------------------------------------------------------------------ staging

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
        if len(self) != 1:
            return True
        if self.state in ("staging", "committing"):
            title = self.env._("Import running in the background")
            message = self.env._(
                "%(rows)s rows are processed in the background: the report fills as it goes.",
                rows=self.line_count,
            )
        elif step == "commit":
            title = self.env._("Import committed")
            message = self.env._(
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
            title = (
                self.env._("Dry run done: nothing was written")
                if step == "dry_run"
                else self.env._("Staged")
            )
            message = self.env._(
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
        return notification(message, title=title)

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

    # ------------------------------------------------------------------ dry run

    def action_dry_run(self):
        """Count what the commit would do, writing no contact."""
        self._check_steward()
        for batch in self:
            if batch.state != "staged":
                raise UserError(self.env._("Stage the file before the dry run."))
            batch.dry_run_summary = batch._dry_run_text(batch._dry_run_counts())
        return self._step_notification("dry_run")

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
