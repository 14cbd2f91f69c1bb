from odoo import api, models
from odoo.tools import SQL

from ...tools.anonymize import HOLD_KEPT_TRANSACTION_COLUMNS


class HygieneEraserPayment(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (35, "payment.transaction", "_hygiene_erase_payment"),
        ]

    def _hygiene_erase_payment(self, erasure):
        """Payment transactions copy the partner's name, address, email and phone: emptied;
        under a legal hold the name and address stay until the hold ends (they justify a posted
        payment: ``anonymize.HOLD_KEPT_TRANSACTION_COLUMNS``)."""
        Engine = self._hygiene_engine()
        if erasure.free:
            erasure.counts["payment.transaction"] += Engine._hygiene_blank(
                "payment.transaction", SQL("partner_id = ANY(%s)", erasure.free), prefix="partner_"
            )
        if erasure.holds:
            Transaction = self.env["payment.transaction"]
            columns = [
                name
                for name, field in Transaction._fields.items()
                if name.startswith("partner_")
                and field.store
                and field.type in ("char", "text")
                and name not in HOLD_KEPT_TRANSACTION_COLUMNS
                and name != "partner_lang"
            ]
            erasure.counts["payment.transaction"] += Engine._hygiene_blank(
                "payment.transaction",
                SQL("partner_id = ANY(%s)", list(erasure.holds)),
                only=columns,
            )
