"""Import bad-input cases that need the whole file or the base: date order (D1), role
addresses (E7), look-alike characters (N3), activity older than the retention period (D4)."""

import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HygieneCommon

HEADER = "Prénom;Nom;Courriel;Date de naissance;Dernière commande\n"


@tagged("post_install", "-at_install")
class TestImportCatalogue(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["hygiene.import.batch"].with_user(cls.user_steward)

    def _staged(self, text, **values):
        batch = self.Batch.create(
            {
                "raw_file": base64.b64encode(text.encode()),
                "raw_filename": "clients.csv",
                "source_id": self.source_shop.id,
                **values,
            }
        )
        batch.action_read_file()
        batch.action_stage()
        return batch

    def _line(self, batch, number):
        return batch.line_ids.filtered(lambda line: line.line_number == number)

    def test_mixed_date_orders_refuse_the_whole_file(self):
        text = HEADER + (
            "Anne;Petit;anne.petit@example.fr;13/01/1980;\n"
            "Luc;Roux;luc.roux@example.fr;05/05/1981;\n"
            "Eva;Blanc;eva.blanc@example.fr;01/13/1982;\n"
        )
        with self.assertRaisesRegex(UserError, r"mixes two date orders.*line 2.*line 4"):
            self._staged(text)
        self.assertFalse(
            self.env["hygiene.import.line"].search([("display_label", "=", "Eva Blanc")])
        )
        self.assertFalse(self.env["res.partner"].search([("email", "=", "eva.blanc@example.fr")]))

    def test_dates_contradicting_the_chosen_order_refuse_the_file(self):
        text = HEADER + "Anne;Petit;anne.petit@example.fr;12/31/1980;\n"
        with self.assertRaisesRegex(UserError, "Day Before Month"):
            self._staged(text)
        # the same file read month first is accepted, with the right date
        batch = self._staged(text, day_first=False)
        self.assertEqual(self._line(batch, 2)._clean().get("birthdate"), "1980-12-31")

    def test_ambiguous_dates_follow_the_setting(self):
        batch = self._staged(HEADER + "Anne;Petit;anne.petit@example.fr;01/02/1980;\n")
        self.assertEqual(self._line(batch, 2)._clean().get("birthdate"), "1980-02-01")

    def test_role_address_is_accepted_and_flagged(self):
        batch = self._staged(HEADER + ";;contact@boulangerie-dupont.fr;;\n")
        line = self._line(batch, 2)
        self.assertEqual(line.decision, "create")
        self.assertIn("not a natural person", line.warnings)

    def test_look_alike_characters_are_never_matched_automatically(self):
        # "Jеanne" with a Cyrillic "е", and the email of the existing Jeanne
        batch = self._staged(HEADER + "J\u0435anne;Lefèvre;jeanne.lefevre@example.fr;;\n")
        line = self._line(batch, 2)
        self.assertTrue(line.look_alike)
        self.assertEqual(line.decision, "quarantine")
        self.assertEqual(line.decision_reason, "look_alike")
        self.assertEqual(line.match_partner_id, self.jeanne)
        self.assertIn("several alphabets", line.warnings)
        # ordinary accented names are not flagged
        plain = self._staged(HEADER + "Zoé;Müller-Ñúñez;zoe.muller@example.fr;;\n")
        self.assertFalse(self._line(plain, 2).look_alike)

    def test_activity_older_than_the_retention_period_is_reported(self):
        text = HEADER + (
            "Anne;Petit;anne.petit@example.fr;;2015-03-01\n"
            "Luc;Roux;luc.roux@example.fr;;2024-01-15\n"
            "Eva;Blanc;eva.blanc@example.fr;;2026-01-15\n"
        )
        self.env["hygiene.retention.policy"].create(
            {
                "name": "Prospects 24 months",
                "domain": "[('is_company', '=', False)]",
                "start_event": "last_activity",
                "duration_months": 24,
            }
        )
        batch = self._staged(text)
        old = self._line(batch, 2)
        self.assertIn("older than 24 months", old.warnings or "")
        self.assertIn("2015-03-01", old.warnings)
        self.assertEqual(old.decision, "create")
        # older than the active 24-month policy, within the CNIL's 36 months: reported too
        self.assertIn("older than 24 months", self._line(batch, 3).warnings or "")
        self.assertNotIn("older than", self._line(batch, 4).warnings or "")

    def test_birth_date_is_stored_for_the_duplicate_scan(self):
        batch = self._staged(HEADER + "Anne;Petit;anne.petit@example.fr;13/01/1980;\n")
        batch.action_commit()
        partner = self.env["res.partner"].search([("email", "=", "anne.petit@example.fr")])
        self.assertEqual(str(partner.hygiene_birthdate), "1980-01-13")
        # a later file never empties it
        again = self._staged(HEADER + "Anne;Petit;anne.petit@example.fr;;\n")
        again.action_commit()
        self.assertEqual(str(partner.hygiene_birthdate), "1980-01-13")

    def test_birth_dates_tell_a_father_from_his_son(self):
        father = self.env["res.partner"].create(
            {"name": "Jean Dupont", "zip": "75011", "hygiene_birthdate": "1950-03-01"}
        )
        header = "Prénom;Nom;CP;Date de naissance\n"
        son = self._staged(header + "Jean;Dupont;75011;05/05/1980\n")
        line = self._line(son, 2)
        self.assertEqual(line.decision, "create")
        self.assertFalse(line.match_partner_id)  # not even proposed for review
        same = self._staged(header + "Jean;Dupont;75011;01/03/1950\n")
        line = self._line(same, 2)
        self.assertEqual(line.match_partner_id, father)
        self.assertIn("same birth date", line.reasons)
