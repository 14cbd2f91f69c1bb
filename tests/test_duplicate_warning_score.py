from odoo.tests import Form, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestDuplicateWarningScore(HygieneCommon):
    """The live warning ranks what the stored keys find with the scan's matcher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        # six people behind one landline (a shop's number), found first by id
        cls.neighbours = Partner.create(
            [
                {"name": f"Client {name}", "phone": "01 45 67 89 10", "zip": "75011"}
                for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")
            ]
        )
        cls.same = Partner.create(
            {
                "name": "Jean Dupont",
                "email": "jean.dupont@example.fr",
                "phone": "01 45 67 89 10",
                "zip": "75011",
            }
        )

    def test_the_scans_best_match_is_shown_first_even_behind_many_weak_ones(self):
        with Form(self.env["res.partner"]) as form:
            form.name = "Jean Dupont"
            form.email = "jean.dupont@example.fr"
            form.phone = "0145678910"
            form.zip = "75011"
            shown = form.hygiene_duplicate_ids[:]
            self.assertEqual(len(shown), 5, "the warning's limit")
            self.assertEqual(shown[:1], self.same, "the scan's best match comes first")
