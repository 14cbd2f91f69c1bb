"""The members of the segments, their entries and exits, and the consent each recipient of a
mailing was sent under (issue 18): written by the segment refresh only."""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools.i18n import _lt
from .hygiene_consent import CONSENT_CHANNELS

SEGMENT_REASONS = {
    "matches": _lt("matches the filter"),
    "consent": _lt("matches the filter with a valid consent"),
    "filter": _lt("no longer matches the filter"),
    "consent_lost": _lt("consent withdrawn, refused or no longer proven"),
    "suppressed": _lt("on the suppression list"),
    "restricted": _lt("processing restricted"),
    "do_not_solicit": _lt("never engages: do not solicit"),
    "no_channel": _lt("no valid address for the channel"),
    "merged": _lt("merged into another contact"),
    "archived": _lt("archived, anonymised or erased"),
}


class HygieneSegmentMember(models.Model):
    _name = "hygiene.segment.member"
    _description = "Segment Member"
    _order = "segment_id, partner_id"
    _rec_name = "partner_id"

    segment_id = fields.Many2one(
        "hygiene.segment", required=True, ondelete="cascade", readonly=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        ondelete="cascade",
        readonly=True,
        index=True,
        string="Contact",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    consent_id = fields.Many2one(
        "hygiene.consent", readonly=True, ondelete="set null", string="Consent Relied On"
    )
    date_entered = fields.Datetime(readonly=True, string="Member Since")
    mailing_contact_id = fields.Integer(readonly=True)

    _sql_constraints = [
        ("segment_partner_unique", "unique(segment_id, partner_id)", "Once per segment."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Segments are refreshed by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Segments are refreshed by the system."))
        return super().write(vals)


class HygieneSegmentLog(models.Model):
    _name = "hygiene.segment.log"
    _description = "Segment Entry and Exit"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    segment_id = fields.Many2one(
        "hygiene.segment", required=True, ondelete="cascade", readonly=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", readonly=True, ondelete="set null", index=True, string="Contact"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date = fields.Datetime(readonly=True, index=True)
    move = fields.Selection([("entered", "Entered"), ("left", "Left")], readonly=True)
    reason = fields.Char(readonly=True, string="Reason Code")
    reason_label = fields.Char(compute="_compute_reason_label", string="Why")
    consent_id = fields.Many2one(
        "hygiene.consent", readonly=True, ondelete="set null", string="Consent"
    )
    consent_date = fields.Datetime(compute="_compute_consent", string="Consent Date")
    consent_channel = fields.Selection(
        CONSENT_CHANNELS, compute="_compute_consent", string="Consent Channel"
    )

    @api.depends("consent_id.event_date", "consent_id.channel")
    def _compute_consent(self):
        self._hygiene_readable_related("consent_id", "event_date", "consent_date")
        self._hygiene_readable_related("consent_id", "channel", "consent_channel")

    @api.depends("reason")
    def _compute_reason_label(self):
        for log in self:
            label = SEGMENT_REASONS.get(log.reason)
            # an English template (tools/i18n.py): translated for the reader
            log.reason_label = self.env._(label) if label else log.reason

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("The segment log is written by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The segment log is written by the system."))
        return super().write(vals)


class HygieneMailingConsent(models.Model):
    """The consent each recipient of a mailing was sent under, frozen at the launch."""

    _name = "hygiene.mailing.consent"
    _description = "Consent Relied On by a Mailing"
    _order = "mailing_id desc, partner_id"
    _rec_name = "partner_id"

    mailing_id = fields.Integer(readonly=True, index=True, string="Mailing Id")
    mailing_name = fields.Char(readonly=True, string="Mailing")
    segment_id = fields.Many2one("hygiene.segment", readonly=True, ondelete="set null")
    partner_id = fields.Many2one(
        "res.partner", readonly=True, ondelete="cascade", index=True, string="Recipient"
    )
    purpose_id = fields.Many2one("hygiene.purpose", readonly=True, ondelete="set null")
    consent_id = fields.Many2one(
        "hygiene.consent", readonly=True, ondelete="set null", string="Consent Event"
    )
    consent_date = fields.Datetime(readonly=True, string="Consent Given On")
    consent_channel = fields.Selection(CONSENT_CHANNELS, compute="_compute_consent_channel")
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    @api.depends("consent_id.channel")
    def _compute_consent_channel(self):
        self._hygiene_readable_related("consent_id", "channel", "consent_channel")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Recorded by the system when a mailing is sent."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Recorded by the system when a mailing is sent."))
        return super().write(vals)
