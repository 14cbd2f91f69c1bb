from odoo import api, models
from odoo.tools import SQL


class HygieneEraserCrm(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [*super()._hygiene_erasers(), (10, "crm.lead", "_hygiene_erase_crm")]

    def _hygiene_erase_crm(self, erasure):
        """Leads linked to the persons, or with their email or phone: emptied, their name
        replaced; their chatter, activities, meetings and files go (documents)."""
        Engine = self._hygiene_engine()
        lead_ids = Engine._hygiene_ids(
            SQL(
                """
                SELECT id FROM crm_lead
                 WHERE partner_id = ANY(%s) OR email_normalized = ANY(%s)
                    OR phone_sanitized = ANY(%s)
                """,
                erasure.nodes,
                erasure.emails,
                erasure.phones,
            )
        )
        if lead_ids:
            erasure.counts["crm.lead"] += Engine._hygiene_blank(
                "crm.lead", SQL("id = ANY(%s)", lead_ids)
            )
            self._hygiene_record_names("crm.lead", lead_ids)
            erasure.add_documents("crm.lead", lead_ids)
