from odoo import api, models
from odoo.tools import SQL

from ...tools import anonymize
from ..hygiene_eraser import LAYER_SEQUENCE


class HygieneEraserPrivacyLookup(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (LAYER_SEQUENCE + 55, "privacy.lookup.wizard", "_hygiene_erase_privacy_lookup"),
        ]

    def _hygiene_erase_privacy_lookup(self, erasure):
        """Odoo's *Privacy Lookup* (module ``privacy_lookup``, installed with ``mail``): a lookup
        the officer ran on the person keeps the name and email typed, and the names of the
        records found, for a day: deleted now. Its *Privacy Log* keeps only Odoo's masked form
        of the name and email (``J**** D****``), the officer's record of what was done: left as
        is. After the erasure, the lookup finds nothing of the person outside the legal hold."""
        if not erasure.emails:
            return
        patterns = [anonymize.like_pattern(email) for email in erasure.emails]
        Engine = self._hygiene_engine()
        wizards = SQL("SELECT id FROM privacy_lookup_wizard WHERE email ILIKE ANY(%s)", patterns)
        # its lines keep the name of each record found, and outlive it (wizard_id set null)
        erasure.counts["privacy.lookup.wizard.line"] += Engine._hygiene_unlink_where(
            "privacy.lookup.wizard.line", SQL("wizard_id IN (%s)", wizards)
        )
        erasure.counts["privacy.lookup.wizard"] += Engine._hygiene_unlink_where(
            "privacy.lookup.wizard", SQL("id IN (%s)", wizards)
        )
