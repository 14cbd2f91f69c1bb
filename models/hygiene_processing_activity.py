"""The record of processing activities (GDPR Art. 30) as data, linked to the retention policies,
and the breach register (Art. 33(5)) with the look-up "which contacts were in this file".

Every active retention policy belongs to a processing activity, and every activity says how long
its data is kept (its policies, or a retention rule in words for data no policy purges: the
accounting documents, the suppression list...). ``_hygiene_record_gaps()`` lists what breaks
that rule; the record's export shows the gaps to the privacy officer.
"""

import base64
import logging
import re
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError

from .. import const
from ..tools.export import csv_download
from .hygiene_purpose import LEGAL_BASES

OFFICER = const.GROUP_OFFICER
NOTIFY_HOURS = 72
# the fields whose change looks the contacts concerned up again
FILE_FIELDS = frozenset({"import_batch_ids", "export_log_ids", "leaked_file"})
EMAIL_PATTERN = re.compile(r"[^\s,;<>\"']+@[^\s,;<>\"']+")


_logger = logging.getLogger(__name__)


class HygieneProcessingActivity(models.Model):
    _name = "hygiene.processing.activity"
    _description = "Processing Activity (Art. 30)"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, string="Controller"
    )
    purpose = fields.Text(required=True, translate=True, tracking=True)
    purpose_ids = fields.Many2many("hygiene.purpose", string="Consent Purposes")
    legal_basis = fields.Selection(LEGAL_BASES, required=True, default="contract", tracking=True)
    subject_categories = fields.Char(
        string="Categories of People", translate=True, help="Customers, prospects..."
    )
    data_categories = fields.Text(string="Categories of Data", translate=True)
    recipients = fields.Text(translate=True)
    transfers = fields.Text(
        string="Transfers outside the EU",
        translate=True,
        help="Country and safeguard (adequacy decision, standard clauses), or 'None'.",
    )
    security_measures = fields.Text(translate=True)
    retention_policy_ids = fields.Many2many(
        "hygiene.retention.policy",
        "hygiene_processing_activity_policy_rel",
        "activity_id",
        "policy_id",
        string="Retention Policies",
    )
    retention_note = fields.Text(
        string="Retention Rule",
        translate=True,
        help="For data no retention policy purges: how long it is kept and why.",
    )

    @api.constrains("active", "retention_policy_ids", "retention_note")
    def _check_retention(self):
        for activity in self.with_context(active_test=False):
            if activity.active and not (
                activity.retention_policy_ids or (activity.retention_note or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "The processing activity %(name)s needs its retention: a retention "
                        "policy or a retention rule.",
                        name=activity.name,
                    )
                )

    @api.model
    def _hygiene_record_gaps(self):
        """{"policies": active policies in no active activity, "activities": active activities
        without retention}."""
        policies = self.env["hygiene.retention.policy"].search([("active", "=", True)])
        active = [("active", "=", True)]
        covered = self.search(active).with_context(active_test=False).retention_policy_ids
        activities = (
            self.search(active)
            .with_context(active_test=False)
            .filtered(lambda a: not (a.retention_policy_ids or (a.retention_note or "").strip()))
        )
        return {"policies": policies - covered, "activities": activities}

    def _retention_text(self):
        self.ensure_one()
        parts = [
            self.env._(
                "%(policy)s: %(months)s months%(active)s",
                policy=policy.name,
                months=policy.duration_months,
                active="" if policy.active else self.env._(" (inactive)"),
            )
            for policy in self.with_context(active_test=False).retention_policy_ids
        ]
        if self.retention_note:
            parts.append(self.retention_note)
        return "; ".join(parts)

    def action_export_csv(self):
        """The record for the supervisory authority, as CSV (formula-safe)."""
        if not self.env.user.has_group(OFFICER):
            raise AccessError(self.env._("Only privacy officers export the record."))
        activities = self or self.search([("active", "=", True)])
        activities.check_access("read")
        basis = dict(self._fields["legal_basis"]._description_selection(self.env))
        header = [
            self.env._("Processing activity"),
            self.env._("Controller"),
            self.env._("Purpose"),
            self.env._("Legal basis"),
            self.env._("Categories of people"),
            self.env._("Categories of data"),
            self.env._("Recipients"),
            self.env._("Transfers outside the EU"),
            self.env._("Security measures"),
            self.env._("Retention"),
        ]
        rows = (
            [
                value or ""
                for value in (
                    activity.name,
                    activity.company_id.name,
                    activity.purpose,
                    basis.get(activity.legal_basis),
                    activity.subject_categories,
                    activity.data_categories,
                    activity.recipients,
                    activity.transfers,
                    activity.security_measures,
                    activity._retention_text(),
                )
            ]
            for activity in activities
        )
        return csv_download(self.env, "record_of_processing.csv", header, rows)


class HygieneRetentionPolicy(models.Model):
    _inherit = "hygiene.retention.policy"

    processing_activity_ids = fields.Many2many(
        "hygiene.processing.activity",
        "hygiene_processing_activity_policy_rel",
        "policy_id",
        "activity_id",
        string="Processing Activities",
    )


class HygieneBreach(models.Model):
    """A personal-data breach (Art. 33): notified to the authority within 72 hours of becoming
    aware of it, or with the reasons for the delay; every breach is documented (33(5))."""

    _name = "hygiene.breach"
    _description = "Personal Data Breach"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "aware_at desc, id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    aware_at = fields.Datetime(
        string="Aware Since",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the company became aware of the breach (UTC).",
    )
    deadline = fields.Datetime(
        string="Notify By",
        compute="_compute_deadline",
        store=True,
        help="72 hours after becoming aware (UTC: no daylight-saving shift).",
    )
    description = fields.Text(string="What Happened")
    subject_categories = fields.Char(string="Categories of People")
    subject_count = fields.Integer(string="People (approx.)")
    data_categories = fields.Text(string="Categories of Data")
    record_count = fields.Integer(string="Records (approx.)")
    consequences = fields.Text(string="Likely Consequences")
    measures = fields.Text(string="Measures Taken or Proposed")
    risk = fields.Selection(
        [("none", "Unlikely to result in a risk"), ("risk", "Risk"), ("high", "High risk")],
        default="risk",
        required=True,
        tracking=True,
        help="High risk: the people must be told too (Art. 34).",
    )
    notified_at = fields.Datetime(string="Notified to the Authority On", tracking=True)
    delay_reason = fields.Text(string="Reason for the Delay")
    subjects_informed_at = fields.Datetime(string="People Informed On")
    is_late = fields.Boolean(compute="_compute_is_late")
    import_batch_ids = fields.Many2many(
        "hygiene.import.batch", string="Files Involved", help="Imports whose file leaked."
    )
    export_log_ids = fields.Many2many(
        "hygiene.export.log",
        string="Exports Involved",
        help="List exports of contacts (Odoo's Export) whose file leaked.",
    )
    leaked_file = fields.Binary(
        attachment=True, help="A list of the leaked addresses (any text: emails are found in it)."
    )
    leaked_filename = fields.Char()
    affected_partner_ids = fields.Many2many(
        "res.partner", string="Contacts Concerned", readonly=True, copy=False
    )
    affected_count = fields.Integer(compute="_compute_affected_count")

    @api.depends("aware_at")
    def _compute_deadline(self):
        for breach in self:
            breach.deadline = (
                breach.aware_at + timedelta(hours=NOTIFY_HOURS) if breach.aware_at else False
            )

    @api.depends("deadline", "notified_at", "risk")
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for breach in self:
            breach.is_late = bool(
                breach.risk != "none"
                and breach.deadline
                and (breach.notified_at or now) > breach.deadline
            )

    @api.depends("affected_partner_ids")
    def _compute_affected_count(self):
        for breach in self:
            breach.affected_count = len(breach.affected_partner_ids)

    @api.constrains("notified_at", "delay_reason", "aware_at")
    def _check_delay(self):
        for breach in self:
            late = breach.notified_at and breach.notified_at > breach.deadline
            if late and not (breach.delay_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Notified more than 72 hours after becoming aware: give the reasons for "
                        "the delay (Art. 33(1))."
                    )
                )
            if breach.notified_at and breach.notified_at < breach.aware_at:
                raise ValidationError(
                    self.env._("The notification cannot come before becoming aware.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        breaches = super().create(vals_list)
        breaches.filtered(lambda b: b._hygiene_has_files())._hygiene_find_contacts()
        return breaches

    def write(self, vals):
        result = super().write(vals)
        if FILE_FIELDS & set(vals):
            self._hygiene_find_contacts()
        return result

    def _hygiene_has_files(self):
        return bool(self.import_batch_ids or self.export_log_ids or self.leaked_file)

    def action_find_contacts(self):
        """Look the files of this breach up again (the contacts they hold may have changed) and
        open the contacts concerned. Saving the breach with files does the look-up too: the form
        showed "People 0" beside an attached import until this button was found."""
        self.ensure_one()
        self._hygiene_find_contacts()
        return self.action_view_contacts()

    def _hygiene_find_contacts(self):
        """Which contacts were in the files of each breach: the partners created or matched by
        the imports involved, those of the list exports involved, and the contacts whose email
        appears in the leaked list. The number of people follows, unless typed by hand."""
        if not self.env.user.has_group(OFFICER):
            raise AccessError(self.env._("Only privacy officers handle breaches."))
        self.check_access("write")
        for breach in self:
            found = breach._hygiene_contacts_in_files()
            counted = breach.subject_count
            typed = counted and counted != len(breach.affected_partner_ids)
            values = {"affected_partner_ids": [fields.Command.set(found.ids)]}
            if not typed:
                values["subject_count"] = len(found)
            breach.write(values)  # no file field: it does not look the files up again

    def _hygiene_contacts_in_files(self):
        self.ensure_one()
        partners = self.env["res.partner"].with_context(active_test=False)
        lines = self.import_batch_ids.line_ids
        found = lines.result_partner_id | lines.match_partner_id
        found |= self.export_log_ids.partner_ids
        if self.leaked_file:
            raw = self.with_context(bin_size=False).leaked_file
            text = raw if isinstance(raw, bytes) else raw.encode()
            emails = set()
            for candidate in EMAIL_PATTERN.findall(
                self._hygiene_decode(text).replace("mailto:", " ")
            ):
                normalized = tools.email_normalize(candidate)
                if normalized:
                    emails.add(normalized)
            if emails:
                found |= partners.search([("email_normalized", "in", sorted(emails))])
        return found

    @api.model
    def _hygiene_decode(self, data):
        try:
            data = base64.b64decode(data, validate=True)
        except ValueError:
            _logger.debug("breach file: not base64, read as plain text")
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        return data.decode("latin-1")

    def action_view_contacts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contacts Concerned"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self.affected_partner_ids.ids)],
            "context": {"active_test": False},
        }
