from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..models.hygiene_consent import CONSENT_CHANNELS, SYSTEM_CHANNELS


class HygieneConsentWizard(models.TransientModel):
    """Record a consent event the person gave outside the web (phone call, paper form, shop)."""

    _name = "hygiene.consent.wizard"
    _description = "Record a Consent Event"

    partner_id = fields.Many2one("res.partner", required=True, string="Contact")
    purpose_id = fields.Many2one("hygiene.purpose", required=True, string="Purpose")
    action = fields.Selection(
        [("grant", "Granted"), ("withdraw", "Withdrawn"), ("refuse", "Refused")],
        required=True,
        default="grant",
    )
    event_date = fields.Datetime(string="Date", required=True, default=fields.Datetime.now)
    channel = fields.Selection(
        # channels whose events only the system records (with their own proof) are left out
        [c for c in CONSENT_CHANNELS if c[0] not in SYSTEM_CHANNELS],
        required=True,
        default="phone",
    )
    wording_id = fields.Many2one(
        "hygiene.purpose.wording",
        string="Wording Shown",
        compute="_compute_wording_id",
        store=True,
        readonly=False,
        domain="[('purpose_id', '=', purpose_id)]",
    )
    wording_text = fields.Text(related="wording_id.text")
    evidence_file = fields.Binary(string="Evidence")
    evidence_filename = fields.Char()
    note = fields.Char(help="For example: call of 12 May with the customer service.")

    @api.depends("purpose_id")
    def _compute_wording_id(self):
        for wizard in self:
            wizard.wording_id = wizard.purpose_id.current_wording_id

    def action_record(self):
        self.ensure_one()
        consent_model = self.env["hygiene.consent"]
        consent_model.check_access("create")
        self.partner_id.check_access("read")
        # The proof fields are readable by privacy officers only; recording evidence is allowed to
        # every hygiene user, so it is written with sudo after the access checks above. The event
        # still records the real user (sudo keeps the uid).
        values = {
            "partner_id": self.partner_id.id,
            "purpose_id": self.purpose_id.id,
            "action": self.action,
            "event_date": self.event_date,
            "channel": self.channel,
            "wording_id": self.wording_id.id,
            "note": self.note,
        }
        if self.evidence_file:
            # stored as the event's evidence field: readable by privacy officers only
            values["evidence_file"] = self.evidence_file
        if values["channel"] in SYSTEM_CHANNELS:  # a forged selection value over RPC
            raise AccessError(self.env._("This channel is recorded by the system only."))
        consent_model.sudo().create(values)
        # the evidence now lives on the event (officers only): not on this transient record,
        # which other users with the same role could read until the vacuum
        self.write({"evidence_file": False, "evidence_filename": False})
        return {"type": "ir.actions.act_window_close"}
