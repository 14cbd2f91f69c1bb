"""The phone region of a contact, and its matching keys kept right through core's address sync
and a company's move.

Core copies a company's address to its contacts, a new contact's company address to it, and a
first contact's address to its company (``update_address``) with a ``write`` below every
override of it: the keys depend on the country too, so the contacts whose country moved get
their keys again (``_hygiene_keys_after_write``, deferred within the import's updates).
"""

from odoo import models

from ..tools.service_fields import defer_keys


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _hygiene_default_region(self, company=None):
        """The phone region of a contact without a country: its company's, else the main one's,
        never the writer's current company (the same contact gets the same keys from anyone)."""
        company = company or self.env.ref("base.main_company", raise_if_not_found=False)
        return (company or self.env.company).sudo().country_id.code or "FR"

    def _hygiene_phone_region(self, default_region=None):
        """The region in which the numbers of the contact ``self`` written without their
        country prefix are read, by its keys, the suppression list and the anonymiser alike:
        its country, else its company's, else the main company's (``default_region``)."""
        self.ensure_one()
        if self.country_id.code:
            return self.country_id.code
        if self.company_id:
            return self._hygiene_default_region(self.company_id)
        return default_region or self._hygiene_default_region()

    def _fields_sync(self, values):
        countries = {partner: partner.country_id for partner in self}
        result = super()._fields_sync(values)
        synced = self.filtered(lambda partner: partner.country_id != countries[partner])
        if "country_id" in values:
            synced |= self.child_ids
        if synced:  # core calls this once per created contact: most have nothing to refresh
            synced._hygiene_keys_after_write({"country_id": True})
        return result

    def _handle_first_contact_creation(self):
        if not self.parent_id:  # core's own step does nothing either (called per new contact)
            return super()._handle_first_contact_creation()
        country = self.parent_id.country_id
        result = super()._handle_first_contact_creation()
        if self.parent_id.country_id != country:
            self.parent_id._hygiene_keys_after_write({"country_id": True})
        return result

    def _hygiene_keys_of_company_contacts(self):
        """The contacts without a country of the companies whose partner is in ``self`` take
        their phone region from it: when its country moves, so do their keys."""
        companies = self.sudo().with_context(active_test=False).hygiene_company_ref_ids
        if not companies:
            return
        contacts = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("country_id", "=", False)])
        )
        if contacts and not defer_keys(contacts.ids):
            contacts._hygiene_refresh_keys()
