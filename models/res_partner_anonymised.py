"""An anonymised contact is named, for whoever reads it, in the reader's language; the second
pass of an anonymisation kept partial by a legal hold completes it when the hold ends; a
hold set or released is journaled.

Its stored name stays the one constant of the company ("Anonymised contact" in the company's
language, see hygiene.retention.engine._hygiene_partner_placeholder): invoices, exports and other
applications print that, and it says nothing about the person. What the screens show (the display
name: breadcrumbs, the fields that link to the contact, the form's title, cards) is the same
constant in the language of the user who reads it, so a French user of an English company reads
"Contact anonymisé". A contact renamed after its anonymisation keeps its new name.
"""

from odoo import api, fields, models

from ..tools import anonymize

# contacts whose legal hold has ended, completed per run of the cron
HOLD_RELEASE_BATCH = 10000


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.depends("hygiene_retention_state")
    def _compute_display_name(self):
        super()._compute_display_name()
        anonymised = self.filtered(lambda partner: partner.hygiene_retention_state == "anonymized")
        if not anonymised:
            return
        stored_names = self._hygiene_anonymised_names()
        label = self.env._("Anonymised contact")
        for partner in anonymised:
            if partner.name in stored_names and partner.display_name:
                partner.display_name = partner.display_name.replace(partner.name, label, 1)

    @api.model
    def _hygiene_anonymised_names(self):
        """The name an anonymisation may have stored: the constant in every active language."""
        names = {anonymize.PARTNER_NAME}
        for code, __ in self.env["res.lang"].get_installed():
            names.add(self.with_context(lang=code).env._("Anonymised contact"))
        return names

    @api.model
    def _cron_hygiene_hold_release(self, limit=HOLD_RELEASE_BATCH):
        """Second pass: complete the anonymisation of contacts whose legal hold has ended."""
        today = fields.Date.context_today(self)
        partners = self.with_context(active_test=False).search(
            [("hygiene_retention_state", "=", "partial"), ("hygiene_hold_until", "<", today)],
            limit=limit,
        )
        if partners:
            partners._hygiene_retention_execute("anonymize", reason="hold_ended")
        remaining = self.with_context(active_test=False).search_count(
            [("hygiene_retention_state", "=", "partial"), ("hygiene_hold_until", "<", today)]
        )
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=remaining)

    # ---------------------------------------------- legal hold journal (res_partner.py write)

    def _hygiene_holds_before_write(self, vals):
        """{partner id: hold end date} before a write that sets it, else None."""
        if "hygiene_hold_end_date" not in vals:
            return None
        return {p.id: p.hygiene_hold_end_date for p in self.sudo()}

    def _hygiene_journal_holds(self, vals, before):
        if before is None:
            return
        new_date = fields.Date.to_date(vals["hygiene_hold_end_date"])
        changed = [pid for pid, old in before.items() if old != new_date]
        if changed:
            self.env["hygiene.journal"]._log(
                "hold" if new_date else "hold_release", record_ids=changed, reason="officer"
            )
