"""An anonymised contact is named, for whoever reads it, in the reader's language.

Its stored name stays the one constant of the company ("Anonymised contact" in the company's
language, see hygiene.retention.engine._hygiene_partner_placeholder): invoices, exports and other
applications print that, and it says nothing about the person. What the screens show (the display
name: breadcrumbs, the fields that link to the contact, the form's title, cards) is the same
constant in the language of the user who reads it, so a French user of an English company reads
"Contact anonymisé". A contact renamed after its anonymisation keeps its new name.
"""

from odoo import api, models

from ..tools import anonymize


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.depends("hygiene_retention_state")
    def _compute_display_name(self):
        super()._compute_display_name()
        anonymised = self.filtered(lambda partner: partner.hygiene_retention_state == "anonymized")
        if not anonymised:
            return
        stored_names = self._hygiene_anonymised_names()
        label = self.env._("Anonymised contact")
        for partner in anonymised:
            if partner.name in stored_names and partner.display_name:
                partner.display_name = partner.display_name.replace(partner.name, label, 1)

    @api.model
    def _hygiene_anonymised_names(self):
        """The name an anonymisation may have stored: the constant in every active language."""
        names = {anonymize.PARTNER_NAME}
        for code, __ in self.env["res.lang"].get_installed():
            names.add(self.with_context(lang=code).env._("Anonymised contact"))
        return names
