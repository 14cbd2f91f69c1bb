from odoo import api, models
from odoo.tools import SQL


class HygieneEraserSms(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [*super()._hygiene_erasers(), (55, "sms.sms", "_hygiene_erase_sms")]

    def _hygiene_erase_sms(self, erasure):
        """Text messages sent to the persons or their numbers: number and body emptied."""
        erasure.counts["sms.sms"] += self._hygiene_engine()._hygiene_blank(
            "sms.sms",
            SQL("partner_id = ANY(%s) OR number = ANY(%s)", erasure.nodes, erasure.phones),
        )
