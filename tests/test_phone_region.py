"""One region for a number written without its country, whoever reads it: the contact's keys,
the suppression list, its warning and the anonymiser read it in the contact's country, else its
company's, else the main company's; never in the current company of the user at work (an
erasure by an officer working in the Belgian company hashed a French contact's national number
as a Belgian one, and the list no longer recognised it)."""

from odoo.tests import tagged

from .common import HygieneCommon

BELGIAN_MOBILE = "0470 12 34 56"  # +32470123456 in Belgium, a Lyon landline +33470123456 in France


@tagged("post_install", "-at_install")
class TestPhoneRegion(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.main = cls.env.ref("base.main_company")
        cls.main.country_id = cls.env.ref("base.fr")
        cls.company_be = cls.env["res.company"].create(
            {"name": "Région BE", "country_id": cls.env.ref("base.be").id}
        )
        cls.user_officer.company_ids |= cls.company_be
        cls.Suppression = cls.env["hygiene.suppression"].sudo()

    def _contact(self, name, company=None):
        return self.env["res.partner"].create(
            {"name": name, "mobile": BELGIAN_MOBILE, "company_id": company and company.id}
        )

    def _erase_as_officer_in(self, partner, company):
        partner.with_user(self.user_officer).with_context(
            allowed_company_ids=[company.id, *(self.user_officer.company_ids - company).ids]
        ).action_hygiene_anonymize()
        self.assertEqual(partner.hygiene_retention_state, "anonymized")

    def test_erased_contact_of_the_belgian_company_is_suppressed_as_belgian(self):
        contact = self._contact("Bea Region", self.company_be)
        self.assertEqual(contact.hygiene_mobile_key, "+32470123456")
        self._erase_as_officer_in(contact, self.main)
        self.assertIn("phone", self.Suppression._is_suppressed(phones=["+32470123456"]))
        self.assertNotIn("phone", self.Suppression._is_suppressed(phones=["+33470123456"]))
        again = self._contact("Bea Again", self.company_be)
        self.assertTrue(again.hygiene_suppression_warning)

    def test_erased_shared_contact_is_suppressed_in_the_main_company_region(self):
        contact = self._contact("Sam Shared")
        self.assertEqual(contact.hygiene_mobile_key, "+33470123456")
        self._erase_as_officer_in(contact, self.company_be)
        self.assertIn("phone", self.Suppression._is_suppressed(phones=["+33470123456"]))
        self.assertNotIn("phone", self.Suppression._is_suppressed(phones=["+32470123456"]))
        # the same national number typed again, by a user of either company, is recognised
        self.assertTrue(self._contact("Sam Again").hygiene_suppression_warning)
        self.assertIn(
            "phone",
            self.Suppression.with_company(self.company_be)._is_suppressed(phones=[BELGIAN_MOBILE]),
        )

    def test_the_contact_country_comes_first(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Fanny Country",
                "mobile": BELGIAN_MOBILE,
                "company_id": self.company_be.id,
                "country_id": self.env.ref("base.fr").id,
            }
        )
        self.assertEqual(contact._hygiene_phone_region(), "FR")
        self.assertEqual(contact.hygiene_mobile_key, "+33470123456")
        self._erase_as_officer_in(contact, self.company_be)
        self.assertIn("phone", self.Suppression._is_suppressed(phones=["+33470123456"]))
