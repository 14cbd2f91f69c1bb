from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..const import GROUP_OFFICER
from ..tools.export import csv_download
from ..tools.i18n import _lt

OPERATIONS = [
    ("anonymize", "Anonymised"),
    ("delete", "Deleted"),
    ("archive", "Moved to the restricted archive"),
    ("hold", "Legal hold"),
    ("hold_release", "Legal hold ended"),
    ("suppress", "Added to the suppression list"),
    ("unsuppress", "Removed from the suppression list"),
    ("repermission", "Re-permission mail"),
    ("valve", "Stopped by the safety valve"),
    ("refused", "Refused (human decision needed)"),
    ("error", "Failed"),
]
# Reason codes of the entries (stored as codes: the journal holds no wording) and their labels.
REASON_LABELS = {
    "retention": _lt("Retention period over"),
    "manual": _lt("Asked by a privacy officer"),
    "officer": _lt("Set by a privacy officer"),
    "erasure": _lt("Erasure"),
    "objection": _lt("Objection to marketing"),
    "internal_user": _lt("Linked to an internal user: human decision needed"),
    "legal_hold": _lt("Legal hold"),
    "partial": _lt("Kept in part under a legal hold"),
    "expired": _lt("Legal hold expired"),
    "hold_ended": _lt("Legal hold ended"),
    "referenced": _lt("Still referenced: anonymised instead of deleted"),
    "safety_valve": _lt("More contacts due than the safety valve allows"),
}


class HygieneJournal(models.Model):
    """Accountability journal of the retention operations (GDPR Art. 5(2)).

    Append-only and free of personal data by construction: it keeps the date, the actor, the
    policy, the operation, a reason code, counts per model and record ids, never a name, an email
    or any value of the person. Ids are kept so the officer can prove which records a run touched;
    once a partner is anonymised or deleted the id no longer leads to the person.
    """

    _name = "hygiene.journal"
    _description = "Data Hygiene Operations Journal"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Actor",
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="set null",
    )
    operation = fields.Selection(OPERATIONS, required=True, readonly=True, index=True)
    policy_id = fields.Many2one(
        "hygiene.retention.policy",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        context={"active_test": False},
    )
    # The policy name at the time: readable after the policy is renamed or deleted.
    policy_name = fields.Char(readonly=True)
    reason = fields.Char(
        readonly=True,
        help="Technical reason code (e.g. referenced_by_fk, internal_user, legal_hold), "
        "never a personal value.",
    )
    counts = fields.Json(readonly=True, help="Number of records changed per model.")
    record_ids = fields.Json(readonly=True, help="Ids of the partners concerned.")
    record_count = fields.Integer(readonly=True)
    reason_label = fields.Char(compute="_compute_reason_label", string="Why")
    counts_summary = fields.Char(compute="_compute_summaries", string="Records Changed")
    record_ids_text = fields.Text(compute="_compute_summaries", string="Contact Ids")

    @api.depends("counts", "record_ids")
    @api.depends_context("lang")
    def _compute_summaries(self):
        # the models by their name in the reader's language ("Contact: 1"), not "res.partner"
        models = {model for entry in self for model in entry.counts or {}}
        labels = {
            model.model: model.name
            for model in self.env["ir.model"].sudo().search([("model", "in", list(models))])
        }
        for entry in self:
            entry.counts_summary = ", ".join(
                f"{labels.get(model, model)}: {count}"
                for model, count in sorted((entry.counts or {}).items())
            )
            entry.record_ids_text = " ".join(str(rid) for rid in entry.record_ids or [])

    @api.depends("operation", "date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """The operation and its date: the form's title read "hygiene.journal,12"."""
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for entry in self:
            entry.display_name = f"{labels.get(entry.operation, '')} ({entry.date or ''})"

    @api.depends("reason")
    @api.depends_context("lang")
    def _compute_reason_label(self):
        for entry in self:
            entry.reason_label = self._reason_label(entry.reason)

    @api.model
    def _reason_label(self, reason):
        """The reason code in the user's language (``exception:Name`` names the error)."""
        if not reason:
            return False
        if reason.startswith("exception:"):
            return self.env._("Error: %(error)s", error=reason.removeprefix("exception:"))
        template = REASON_LABELS.get(reason)
        return self.env._(template) if template else reason  # pylint: disable=translation-required

    @api.model
    def _log(self, operation, policy=None, counts=None, record_ids=(), reason=None):
        """Append one entry; callers have checked their own rights, the journal is system data."""
        record_ids = sorted(set(record_ids))
        return (
            self.sudo()
            .create(
                {
                    "operation": operation,
                    "policy_id": policy.id if policy else False,
                    "policy_name": policy.name if policy else False,
                    "reason": reason,
                    "counts": dict(counts or {}),
                    "record_ids": record_ids,
                    "record_count": len(record_ids),
                    "user_id": self.env.uid,
                }
            )
            .with_env(self.env)
        )

    def action_export_csv(self):
        """Download the selected entries, or the whole journal when none is selected, as CSV
        (the Art. 5(2) evidence): date, actor, operation, policy, reason, counts per model and
        ids, never a personal value."""
        if not self.env.user.has_group(GROUP_OFFICER):
            raise AccessError(self.env._("Only privacy officers can export the journal."))
        # the button is shown without a selection too: the whole journal is the export then
        entries = self or self.search([])  # pylint: disable=no-search-all
        entries.check_access("read")
        operations = dict(self._fields["operation"]._description_selection(self.env))
        header = [
            self.env._("Date (UTC)"),
            self.env._("Actor"),
            self.env._("Operation"),
            self.env._("Policy"),
            self.env._("Reason"),
            self.env._("Contacts"),
            self.env._("Records changed per model"),
            self.env._("Contact ids"),
        ]
        rows = (
            (
                fields.Datetime.to_string(entry.date),
                entry.user_id.login or "",
                operations.get(entry.operation, entry.operation),
                entry.policy_name or "",
                entry.reason_label or "",
                entry.record_count,
                entry.counts_summary,
                entry.record_ids_text,
            )
            for entry in entries.sorted(lambda e: (e.date, e.id))
        )
        return csv_download(self.env, "hygiene_operations_journal.csv", header, rows)

    @api.model_create_multi
    def create(self, vals_list):
        """Entries are written by the engines (``_log``, in sudo), never by a client: they are
        the evidence of accountability, in the name of the user who acted."""
        if not self.env.su:
            raise AccessError(self.env._("The operations journal is written by the operations."))
        return super().create(vals_list)

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("The operations journal cannot be modified."))

    def unlink(self):
        if self.env.context.get(MODULE_UNINSTALL_FLAG):
            return super().unlink()
        raise UserError(self.env._("The operations journal cannot be deleted."))
