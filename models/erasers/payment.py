from odoo import api, models
from odoo.tools import SQL


class HygieneEraserPayment(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (35, "payment.transaction", "_hygiene_erase_payment"),
        ]

    def _hygiene_erase_payment(self, erasure):
        """Payment transactions copy the partner's name, address, email and phone: emptied,
        except under a legal hold (they justify a posted payment)."""
        if erasure.free:
            erasure.counts["payment.transaction"] += self._hygiene_partner()._hygiene_blank(
                "payment.transaction", SQL("partner_id = ANY(%s)", erasure.free), prefix="partner_"
            )
