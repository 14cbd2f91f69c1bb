from odoo import api, models
from odoo.tools import SQL


class HygieneEraserWebsite(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [*super()._hygiene_erasers(), (50, "website.visitor", "_hygiene_erase_website")]

    def _hygiene_erase_website(self, erasure):
        """Website visitors of the persons: deleted, with their page views."""
        erasure.counts["website.visitor"] += self._hygiene_engine()._hygiene_unlink_where(
            "website.visitor", SQL("partner_id = ANY(%s)", erasure.nodes)
        )
