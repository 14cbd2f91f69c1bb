"""Live duplicate warning on forms of other apps (CRM lead form)."""

from odoo.tests import HttpCase, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestDuplicateHint(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create(
            {"name": "ACME Distribution SAS", "is_company": True, "vat": "FR40303265045"}
        )
        cls.acme_contact = Partner.create(
            {"name": "Paul Martin", "parent_id": cls.acme.id, "email": "paul.martin@acme.fr"}
        )

    def _hint(self, **values):
        return self.env["res.partner"].with_user(self.user_employee).hygiene_duplicate_hint(values)

    def test_email_written_differently_is_found_with_its_reason(self):
        [match] = self._hint(email=" Jeanne.LEFEVRE+salon@example.fr ")
        self.assertEqual(match["id"], self.jeanne.id)
        self.assertEqual(match["name"], "Jeanne Lefèvre")
        self.assertEqual(match["reasons"], "same email")

    def test_phone_in_another_format_is_found(self):
        [match] = self._hint(name="J. Lefevre", phone="+33 (0)6 12 34 56 78")
        self.assertEqual(match["id"], self.jeanne.id)
        self.assertIn("same phone", match["reasons"])

    def test_company_name_without_legal_form_is_found(self):
        matches = self._hint(company_name="Acme distribution")
        self.assertEqual([m["id"] for m in matches], [self.acme.id])
        self.assertIn("same name", matches[0]["reasons"])

    def test_the_contact_already_linked_and_its_company_are_not_reported(self):
        self.assertEqual(
            self._hint(email="paul.martin@acme.fr", partner_id=self.acme_contact.id), []
        )
        self.assertEqual(self._hint(company_name="ACME distribution", partner_id=self.acme.id), [])

    def test_nothing_typed_or_nothing_similar_gives_no_warning(self):
        self.assertEqual(self._hint(), [])
        self.assertEqual(self._hint(email="nobody@nowhere.example"), [])

    def test_bad_input_is_ignored_not_a_traceback(self):
        Partner = self.env["res.partner"].with_user(self.user_employee)
        self.assertEqual(Partner.hygiene_duplicate_hint("not a dict"), [])
        self.assertEqual(Partner.hygiene_duplicate_hint(None), [])
        self.assertEqual(
            self._hint(
                email=["x"], phone=12, partner_id="1; DROP TABLE res_partner", country_id=-5
            ),
            [],
        )
        self.assertEqual(self._hint(name="x'); DROP TABLE res_partner;--", zip="75001"), [])
        self.assertTrue(self.jeanne.exists())

    def test_record_rules_apply(self):
        """A user who cannot read a contact is not told it exists."""
        Partner = self.env["res.partner"].with_user(self.user_portal)
        self.assertEqual(Partner.hygiene_duplicate_hint({"email": "jeanne.lefevre@example.fr"}), [])

    def test_lead_form_carries_the_widget(self):
        if "crm.lead" not in self.env:
            self.skipTest("crm is not installed")
        arch = self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertEqual(arch.count('name="hygiene_duplicate_hint"'), 1)
        # Other forms are left alone.
        arch = self.env["res.country"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("hygiene_duplicate_hint", arch)


@tagged("post_install", "-at_install")
class TestDuplicateHintTour(HttpCase):
    def test_lead_form_warns_while_typing(self):
        if "crm.lead" not in self.env:
            self.skipTest("crm is not installed")
        self.env.company.country_id = self.env.ref("base.fr")
        self.env["res.partner"].create(
            {"name": "Jeanne Lefèvre", "email": "jeanne.lefevre@example.fr"}
        )
        self.start_tour("/odoo", "partner_data_hygiene_lead_duplicate_hint", login="admin")
