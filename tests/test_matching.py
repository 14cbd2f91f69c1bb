from odoo.exceptions import UserError
from odoo.tests import BaseCase, Form, tagged, users
from odoo.tools import SQL

from .common import HygieneCommon


class MatchingCommon(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium = cls.env.ref("base.be")
        cls.company = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Zéphyrin SAS",
                "is_company": True,
                "vat": "FR44732829320",
                "email": "contact@dupont.fr",
                "phone": "01 45 67 89 10",
                "country_id": cls.env.ref("base.fr").id,
            }
        )

    def _keys(self, partner):
        partner.invalidate_recordset()
        return {
            "email": partner.hygiene_email_key,
            "phone": partner.hygiene_phone_key,
            "mobile": partner.hygiene_mobile_key,
            "name": partner.hygiene_name_key,
            "company": partner.hygiene_company_key,
        }


@tagged("post_install", "-at_install")
class TestMatchingKeys(MatchingCommon):
    def test_keys_are_stored_on_create(self):
        partner = self.env["res.partner"].create(
            {
                "name": "M. Jean-Pierre de La Fontaine",
                "email": "Jean.Pierre+promo@Orange.fr",
                "phone": "+33 (0)6 12 34 56 78",
                "mobile": "0033 7 81 23 45 67",
            }
        )
        self.assertEqual(
            self._keys(partner),
            {
                "email": "jean.pierre@orange.fr",
                "phone": "+33612345678",
                "mobile": "+33781234567",
                "name": "fontaine jean pierre",
                "company": False,
            },
        )
        # the email itself is never rewritten
        self.assertEqual(partner.email, "Jean.Pierre+promo@Orange.fr")
        self.assertEqual(self._keys(self.company)["company"], "FR:732829320")
        self.assertEqual(self._keys(self.company)["name"], "boulangerie zephyrin")

    def test_keys_follow_writes_and_country(self):
        partner = self.env["res.partner"].create({"name": "Anne Peeters", "phone": "02 555 12 12"})
        self.assertFalse(self._keys(partner)["phone"], "not a valid French number")
        partner.country_id = self.belgium
        self.assertEqual(self._keys(partner)["phone"], "+3225551212")
        partner.write({"email": "anne@example.be", "name": "PEETERS Anne"})
        self.assertEqual(self._keys(partner)["email"], "anne@example.be")
        self.assertEqual(self._keys(partner)["name"], "anne peeters")
        partner.write({"email": False, "phone": False})
        self.assertFalse(self._keys(partner)["email"])
        self.assertFalse(self._keys(partner)["phone"])

    def test_keys_cannot_be_written_by_hand(self):
        with self.assertRaisesRegex(UserError, "Matching keys"):
            self.jeanne.write({"hygiene_email_key": "someone@else.fr"})
        with self.assertRaisesRegex(UserError, "Matching keys"):
            self.env["res.partner"].create({"name": "X", "hygiene_phone_key": "+33600000000"})

    def test_backfill_recomputes_every_partner(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET hygiene_email_key = NULL, hygiene_name_key = NULL"
                " WHERE id = ANY(%s)",
                [self.jeanne.id, self.company.id],
            )
        )
        count = self.env["res.partner"]._hygiene_backfill_keys(batch_size=7)
        self.assertGreaterEqual(count, 2)
        self.assertEqual(self._keys(self.jeanne)["email"], "jeanne.lefevre@example.fr")
        self.assertEqual(self._keys(self.company)["name"], "boulangerie zephyrin")

    def test_bad_input_gives_no_key_and_no_error(self):
        partner = self.env["res.partner"].create(
            {
                "name": "x'); DROP TABLE res_partner;--",
                "email": "not an email",
                "phone": "call me maybe",
                "vat": "FR00000000000",
            }
        )
        keys = self._keys(partner)
        self.assertEqual(keys["name"], "drop partner res table x")
        self.assertFalse(keys["email"] or keys["phone"] or keys["company"])
        punctuation = self.env["res.partner"].create({"name": "!!! ..."})
        self.assertFalse(self._keys(punctuation)["name"])


@tagged("post_install", "-at_install")
class TestDuplicateWarning(MatchingCommon):
    def test_warning_while_typing_a_new_contact(self):
        with Form(self.env["res.partner"]) as form:
            form.name = "Jeanne L."
            self.assertFalse(form.hygiene_duplicate_ids)
            form.email = "jeanne.lefevre+shop@example.fr"
            self.assertEqual(form.hygiene_duplicate_ids[:], self.jeanne)
            self.assertIn("same email", form.hygiene_duplicate_reason)
            self.assertIn("Jeanne Lefèvre", form.hygiene_duplicate_reason)
            form.email = False
            form.phone = "+33 6 12 34 56 78"  # Jeanne's 0612345678 written another way
            self.assertEqual(form.hygiene_duplicate_ids[:], self.jeanne)
            self.assertIn("same phone", form.hygiene_duplicate_reason)

    def test_warning_on_company_identifier_and_name(self):
        with Form(self.env["res.partner"]) as form:
            form.company_type = "company"
            form.name = "Zéphyrin"
            form.company_registry = "732 829 320"
            self.assertEqual(form.hygiene_duplicate_ids[:], self.company)
            self.assertIn("same SIREN/VAT", form.hygiene_duplicate_reason)
        with Form(self.env["res.partner"]) as form:
            form.company_type = "company"
            form.name = "BOULANGERIE ZEPHYRIN"
            self.assertEqual(form.hygiene_duplicate_ids[:], self.company)
            self.assertIn("same name", form.hygiene_duplicate_reason)

    def test_person_name_alone_needs_the_same_postcode(self):
        self.jeanne.zip = "75011"
        with Form(self.env["res.partner"]) as form:
            form.name = "LEFEVRE Jeanne"
            self.assertFalse(form.hygiene_duplicate_ids, "a homonym somewhere is not a duplicate")
            form.zip = "69003"
            self.assertFalse(form.hygiene_duplicate_ids)
            form.zip = "75011"
            self.assertEqual(form.hygiene_duplicate_ids[:], self.jeanne)

    def test_own_company_and_colleagues_are_not_duplicates(self):
        colleague = self.env["res.partner"].create(
            {"name": "Paul Dupont", "parent_id": self.company.id, "phone": "01 45 67 89 10"}
        )
        with Form(self.env["res.partner"]) as form:
            form.parent_id = self.company
            form.name = "Marie Dupont"
            form.phone = "0145678910"  # the switchboard of her own company
            self.assertFalse(form.hygiene_duplicate_ids)
            form.parent_id = self.env["res.partner"]
            self.assertEqual(form.hygiene_duplicate_ids[:], self.company | colleague)

    def test_saved_partner_is_not_its_own_duplicate(self):
        twin = self.env["res.partner"].create(
            {"name": "Jeanne Lefevre", "email": "jeanne.lefevre@example.fr"}
        )
        self.assertEqual(twin.hygiene_duplicate_ids, self.jeanne)
        self.assertEqual(self.jeanne.hygiene_duplicate_ids, twin)

    @users("hyg_employee")
    def test_warning_for_a_sales_user_without_hygiene_role(self):
        with Form(self.env["res.partner"]) as form:
            form.name = "Someone"
            form.email = "marc.dubois@example.fr"
            self.assertEqual(form.hygiene_duplicate_ids[:].ids, self.marc.ids)


class TestSameStreet(BaseCase):
    def test_house_numbers_must_agree(self):
        from ..tools.matching import is_same_street

        self.assertTrue(is_same_street("12 rue de la republique", "12 rue de la republque"))
        self.assertTrue(is_same_street("12 rue de la republique", "rue de la republique"))
        self.assertFalse(is_same_street("72 rue de la republique", "157 rue de la republique"))
        self.assertFalse(is_same_street("12 rue de la republique", "12 avenue jean jaures"))
        self.assertFalse(is_same_street(None, "12 rue de la republique"))
