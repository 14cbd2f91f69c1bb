"""Pure tests of tools/ (no database access)."""

from odoo.tests import BaseCase, tagged

from ..tools import consent


@tagged("post_install", "-at_install")
class TestConsentTools(BaseCase):
    def test_state_for_action(self):
        self.assertEqual(consent.state_for_action("grant"), "granted")
        self.assertEqual(consent.state_for_action("grant", proven=False), "unproven")
        self.assertEqual(consent.state_for_action("withdraw"), "withdrawn")
        self.assertEqual(consent.state_for_action("refuse"), "refused")
        # an unproven withdrawal still withdraws: a "no" needs no proof
        self.assertEqual(consent.state_for_action("withdraw", proven=False), "withdrawn")
        with self.assertRaises(ValueError):
            consent.state_for_action("maybe")

    def test_most_restrictive(self):
        self.assertEqual(consent.most_restrictive(["granted", "withdrawn"]), "withdrawn")
        self.assertEqual(consent.most_restrictive(["refused", "granted"]), "refused")
        self.assertEqual(consent.most_restrictive(["withdrawn", "refused"]), "withdrawn")
        self.assertEqual(consent.most_restrictive(["granted", None]), "granted")
        self.assertEqual(consent.most_restrictive(["unproven", "granted"]), "granted")
        self.assertEqual(consent.most_restrictive(["unproven", None]), "unproven")
        self.assertIsNone(consent.most_restrictive([]))
        with self.assertRaises(ValueError):
            consent.most_restrictive(["yes"])

    def test_wording_hash_ignores_layout_not_meaning(self):
        text = "J'accepte de recevoir la newsletter."
        self.assertEqual(
            consent.wording_hash(text),
            consent.wording_hash("  J'accepte de\nrecevoir   la newsletter. "),
        )
        # NFD and NFC forms of an accented letter are the same text
        self.assertEqual(consent.wording_hash("é"), consent.wording_hash("e\u0301"))
        self.assertNotEqual(consent.wording_hash(text), consent.wording_hash(text.lower()))
        self.assertNotEqual(
            consent.wording_hash(text),
            consent.wording_hash("J'accepte de ne pas recevoir la newsletter."),
        )
        self.assertEqual(len(consent.wording_hash(text)), 64)
