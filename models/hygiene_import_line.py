import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .hygiene_duplicate_group import translate_reasons

DECISIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("merge", "Merge into"),
    ("skip", "Skip"),
    ("quarantine", "Quarantine"),
]
DECISION_REASONS = [
    ("invalid", "Invalid values"),
    ("unreadable", "Unreadable row"),
    ("no_identity", "No name, email nor phone"),
    ("suppressed", "Suppressed (erased or opted-out person)"),
    ("uncertain_match", "Uncertain match: to review"),
    ("uncertain_in_file", "Uncertain duplicate in the file: to review"),
    ("look_alike", "Look-alike characters: to review"),
    ("in_file", "Duplicate of another row of the file"),
    ("no_contact", "No matching contact"),
    ("commit_error", "Refused when written"),
    ("manual", "Decided by the steward"),
]
ERROR_KINDS = [
    ("unreadable", "Unreadable row"),
    ("invalid_email", "Invalid email"),
    ("invalid_phone", "Invalid phone"),
    ("invalid_date", "Invalid date"),
    ("future_date", "Date in the future"),
    ("no_identity", "No identity"),
    ("commit_error", "Refused when written"),
]
OFFICER = "partner_data_hygiene.group_hygiene_officer"
# What a steward changes on a staged line: the decision. Everything else (values, matches,
# consent evidence) is what the file said and the matcher found, and the commit trusts it.
REVIEW_FIELDS = frozenset({"decision", "decision_reason", "decision_note"})


class HygieneImportLine(models.Model):
    """One row of an imported file, as staged: what the file says, what it means once
    normalised, what it matches and what the steward decided to do with it."""

    _name = "hygiene.import.line"
    _description = "Import Line"
    _order = "batch_id, line_number, id"
    _rec_name = "line_number"

    batch_id = fields.Many2one(
        "hygiene.import.batch", required=True, index=True, ondelete="cascade", readonly=True
    )
    # multi-company: the record rules of security/hygiene_security.xml read this column
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    line_number = fields.Integer(
        string="Line", readonly=True, help="Line (or row) in the file, as a spreadsheet shows it."
    )
    state = fields.Selection(
        [("new", "Read"), ("normalised", "Normalised"), ("staged", "Staged"), ("done", "Done")],
        default="new",
        required=True,
        readonly=True,
        index=True,
    )
    raw_values = fields.Text(string="Raw Values (JSON)", readonly=True)
    consent_raw = fields.Text(
        string="Consent Evidence (JSON)",
        readonly=True,
        groups=OFFICER,
        help="The raw consent columns (date, IP, wording) of the row.",
    )
    clean_values = fields.Text(string="Normalised Values (JSON)", readonly=True)
    errors = fields.Text(string="Errors (Language of the Import)", readonly=True)
    error_kind = fields.Selection(ERROR_KINDS, readonly=True, index=True)
    warnings = fields.Text(string="Warnings (Language of the Import)", readonly=True)
    # the warnings as message templates and parameters (JSON), said in the reader's language
    # by warnings_label; a line staged before keeps its stored text
    warning_templates = fields.Text(readonly=True)
    # the normalisation's errors the same way (JSON: the reader's errors stored before them as
    # text, then the templates), said in the reader's language by errors_label
    error_templates = fields.Text(readonly=True)
    errors_label = fields.Text(string="Errors", compute="_compute_errors_label")
    warnings_label = fields.Text(string="Warnings", compute="_compute_warnings_label")
    suppressed = fields.Boolean(readonly=True)
    look_alike = fields.Boolean(
        string="Look-alike Characters",
        readonly=True,
        help="The name or email mixes letters of several alphabets (a Cyrillic a among Latin "
        "letters...): such a row is never matched to a contact automatically.",
    )
    email_key = fields.Char(readonly=True)
    phone_key = fields.Char(readonly=True)
    mobile_key = fields.Char(readonly=True)
    name_key = fields.Char(readonly=True)
    company_key = fields.Char(readonly=True)
    display_label = fields.Char(string="Contact", readonly=True)
    match_partner_id = fields.Many2one(
        "res.partner", string="Matched Contact", readonly=True, ondelete="set null"
    )
    match_line_id = fields.Many2one(
        "hygiene.import.line", string="Same As Line", readonly=True, ondelete="set null"
    )
    match_line_number = fields.Integer(compute="_compute_match_line_number", string="Same As")
    score = fields.Float(readonly=True, digits=(3, 2))
    reasons = fields.Char(string="Why (English)", readonly=True)
    reasons_label = fields.Char(string="Why", compute="_compute_reasons_label")
    decision = fields.Selection(DECISIONS, index=True)
    decision_reason = fields.Selection(DECISION_REASONS, string="Reason")
    decision_note = fields.Char(string="Note", readonly=True)
    conflicts = fields.Text(
        string="Conflicts (Language of the Import)",
        readonly=True,
        help="Values of the file that differ from the contact.",
    )
    # the conflicts and the import's notes as message templates and parameters (JSON), said in
    # the reader's language by conflicts_label and the report; a line written before keeps its
    # stored text
    conflict_templates = fields.Text(readonly=True)
    note_templates = fields.Text(readonly=True)
    conflicts_label = fields.Text(
        string="Conflicts",
        compute="_compute_conflicts_label",
        help="Values of the file that differ from the contact.",
    )
    result_partner_id = fields.Many2one(
        "res.partner", string="Result", readonly=True, ondelete="set null"
    )

    @api.depends("match_line_id.line_number")
    def _compute_match_line_number(self):
        self._hygiene_readable_related("match_line_id", "line_number", "match_line_number")

    @api.model
    @api.depends("reasons")
    @api.depends_context("lang")
    def _compute_reasons_label(self):
        for line in self:
            line.reasons_label = translate_reasons(self.env, line.reasons)

    @api.depends("warnings", "warning_templates")
    @api.depends_context("lang")
    def _compute_warnings_label(self):
        for line in self:
            line.warnings_label = self._said_warnings(line.warnings, line.warning_templates)

    @api.depends("errors", "error_templates")
    @api.depends_context("lang")
    def _compute_errors_label(self):
        for line in self:
            line.errors_label = self._said_errors(line.errors, line.error_templates)

    @api.depends("conflicts", "conflict_templates")
    @api.depends_context("lang")
    def _compute_conflicts_label(self):
        for line in self:
            line.conflicts_label = self._said_messages(line.conflict_templates) or line.conflicts

    @api.model
    def _said_messages(self, messages, separator="\n"):
        """``[[template, params], ...]`` (or its JSON) said in the reader's language, a partner
        field named by a ``field`` parameter said by its label; None for none."""
        if isinstance(messages, str):
            try:
                messages = json.loads(messages)
            except ValueError:
                return None
        if not isinstance(messages, list) or not messages:
            return None
        render = self.env["hygiene.import.normalise"]._render_messages
        partner_fields = self.env["res.partner"]._fields
        said = []
        for template, params in messages:
            field = partner_fields.get(params.get("field") or "")
            if field:
                params = dict(params, field=field.get_description(self.env)["string"])
            said.append(render([[template, params]]))
        return separator.join(filter(None, said)) or None

    @api.model
    def _said_warnings(self, stored, templates):
        return self._said_messages(templates) or stored

    @api.model
    def _said_errors(self, stored, templates):
        """The reader's errors of the file (kept as text) then the normalisation's said in
        the reader's language; the stored text for a line staged before the templates."""
        kept = json.loads(templates) if templates else {}
        said = kept and self._said_messages(kept.get("messages"))
        return "\n".join(filter(None, [kept.get("before"), said])) if said else stored

    @api.model
    def _said_note(self, stored, templates):
        return self._said_messages(templates, separator="; ") or stored

    @api.model
    def _messages_text_and_json(self, messages, separator="\n"):
        """What a line stores of ``[(template, params), ...]``: the text in the writer's
        language and the templates as JSON; ``(None, None)`` for none."""
        if not messages:
            return None, None
        templates = [[template, params] for template, params in messages]
        return (
            self._said_messages(templates, separator),
            json.dumps(templates, ensure_ascii=False, default=str),
        )

    def _decision_label(self, decision):
        return dict(DECISIONS).get(decision, decision)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Import lines are written by the import itself."))
        return super().create(vals_list)

    def write(self, vals):
        forged = set(vals) - REVIEW_FIELDS
        if forged and not self.env.su:
            raise AccessError(
                self.env._(
                    "Only the decision of an import line can be changed; these fields are set "
                    "by the import itself: %(fields)s.",
                    fields=", ".join(sorted(forged)),
                )
            )
        if "decision" in vals:
            self._check_decision_change(vals["decision"])
            vals = dict(vals, decision_reason=vals.get("decision_reason") or "manual")
        return super().write(vals)

    def _check_decision_change(self, decision):
        for line in self:
            if line.batch_id.state not in ("staged",) or line.state == "done":
                raise UserError(
                    self.env._(
                        "Line %(line)s cannot change any more: its import is not under review.",
                        line=line.line_number,
                    )
                )
            if decision == "update" and not line.match_partner_id:
                raise UserError(
                    self.env._(
                        "Line %(line)s matches no contact: it cannot update one.",
                        line=line.line_number,
                    )
                )
            if decision == "merge" and not line.match_line_id:
                raise UserError(
                    self.env._(
                        "Line %(line)s is not a duplicate of another line of the file.",
                        line=line.line_number,
                    )
                )
            if decision == "create" and line.batch_id.kind != "contacts":
                raise UserError(
                    self.env._(
                        "An unsubscribe or hard-bounce list never creates contacts (line "
                        "%(line)s).",
                        line=line.line_number,
                    )
                )

    def _clean(self):
        return json.loads(self.clean_values or "{}")

    def action_set_create(self):
        self.write({"decision": "create"})

    def action_set_skip(self):
        self.write({"decision": "skip"})

    def action_set_update(self):
        self.write({"decision": "update"})
