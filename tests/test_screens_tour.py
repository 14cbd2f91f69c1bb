"""Tours per role (static/tests/tours/screens_tour.js): a data steward, a privacy officer and a
sales user click the main buttons of the addon's screens, in English and in French; a client
error or a server traceback fails the tour."""

import base64

from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

EMPLOYEE = "base.group_user,base.group_partner_manager"


@tagged("post_install", "-at_install")
class TestScreensTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.fr")
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        roles = {
            "steward": "group_hygiene_steward",
            "officer": "group_hygiene_officer",
            "sales": "group_hygiene_user",
        }
        cls.users = {
            role: mail_new_test_user(
                cls.env,
                login=f"tour_{role}",
                name=f"Tour {role.title()}",
                groups=f"{EMPLOYEE},partner_data_hygiene.{group}",
            )
            for role, group in roles.items()
        }
        Partner = cls.env["res.partner"]
        cls.pair = Partner.create(
            [
                {
                    "name": "Zéphyrin Tourmaline",
                    "email": "zephyrin.tourmaline@example.fr",
                    "phone": "06 98 76 54 32",
                    "zip": "75011",
                },
                {
                    "name": "Zephyrin TOURMALINE",
                    "email": "Zephyrin.Tourmaline@example.fr",
                    "phone": "+33 6 98 76 54 32",
                    "zip": "75011",
                },
            ]
        )

    def _as(self, role, lang):
        self.users[role].lang = lang
        return self.users[role].login

    def _tours(self, lang):
        # Scan Now proposes the pair: the tour finds it by the name
        self.env["hygiene.duplicate.group"].search([("state", "=", "pending")]).unlink()
        self.start_tour(
            "/odoo/action-partner_data_hygiene.hygiene_duplicate_group_action",
            "partner_data_hygiene_steward_duplicates",
            login=self._as("steward", lang),
        )
        batch = self.env["hygiene.import.batch"].create(
            {
                "raw_file": base64.b64encode(
                    (
                        "Nom complet;Courriel;Téléphone\n"
                        "Anne Tourmaline;anne.tourmaline@example.fr;06 11 22 33 44\n"
                        "Paul Tourmaline;paul tourmaline@example.fr;12 34\n"
                        "Zéphyrin Tourmaline;zephyrin.tourmaline@example.fr;\n"
                    ).encode()
                ),
                "raw_filename": f"tour-{lang}.csv",
                "source_id": self.env.ref("partner_data_hygiene.source_shop").id,
            }
        )
        self.start_tour(
            f"/odoo/action-partner_data_hygiene.hygiene_import_batch_action/{batch.id}",
            "partner_data_hygiene_steward_import",
            login=self._as("steward", lang),
        )
        self.assertEqual(batch.state, "done")
        self.start_tour(
            "/odoo/action-partner_data_hygiene.hygiene_journal_action",
            "partner_data_hygiene_officer",
            login=self._as("officer", lang),
        )
        self.start_tour(
            f"/odoo/action-partner_data_hygiene.hygiene_partner_action/{self.pair[0].id}",
            "partner_data_hygiene_sales_user",
            login=self._as("sales", lang),
        )

    def test_tours_in_english(self):
        self._tours("en_US")

    def test_tours_in_french(self):
        self._tours("fr_FR")
