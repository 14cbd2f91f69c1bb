from odoo import api, models
from odoo.tools import SQL

from ..hygiene_eraser import LAYER_SEQUENCE


class HygieneEraserMailActivity(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (LAYER_SEQUENCE + 10, "mail.activity", "_hygiene_erase_activities"),
        ]

    def _hygiene_erase_activities(self, erasure):
        """Activities planned on the documents (a call on their lead, a reminder on their order,
        a meeting's): deleted, with their summary, note and stored copy of the record's name."""
        self.env.cr.execute(
            SQL("DELETE FROM mail_activity WHERE %s", erasure.refs("res_model", "res_id"))
        )
        erasure.counts["mail.activity"] += self.env.cr.rowcount
        self.env["mail.activity"].invalidate_model()
