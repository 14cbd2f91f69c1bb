from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HygienePartnerOrigin(models.Model):
    """Where a contact came from: one row per source the person was collected through.

    A partner can have several origins (a merged partner keeps all of them). The collection date is
    the one known by the source (when the person gave their data), not the date of the import.
    """

    _name = "hygiene.partner.origin"
    _description = "Contact Origin"
    _order = "collected_date, id"
    _rec_name = "source_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", string="Contact"
    )
    source_id = fields.Many2one("hygiene.source", required=True, index=True, ondelete="restrict")
    channel_type = fields.Selection(related="source_id.channel_type", store=True)
    source_ref = fields.Char(
        string="Identifier in Source",
        index="btree_not_null",
        help="The contact's identifier in the source system (customer number, subscriber id...).",
    )
    collected_date = fields.Datetime(
        string="Collected On",
        default=fields.Datetime.now,
        required=True,
        help="When the person's data was collected by the source (kept from the source file, "
        "not the date of the import).",
    )
    note = fields.Char(
        string="Origin Note", help="Free note on the origin, for example the file name and row."
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)

    @api.constrains("collected_date")
    def _check_collected_date(self):
        now = fields.Datetime.now()
        for origin in self:
            if origin.collected_date > now:
                raise ValidationError(
                    self.env._(
                        "The collection date of an origin cannot be in the future (%(date)s).",
                        date=origin.collected_date,
                    )
                )
