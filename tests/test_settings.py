"""The Data Hygiene settings page writes the system parameters the engines read."""

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestSettings(HygieneCommon):
    def _param(self, key):
        return self.env["ir.config_parameter"].sudo().get_param(f"partner_data_hygiene.{key}")

    def test_settings_are_saved_as_parameters_read_by_the_engines(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.hygiene_dedup_review_threshold = 0.6
            settings.hygiene_dedup_auto_merge_threshold = 0.98
            settings.hygiene_merge_survivorship = "most_complete"
            settings.hygiene_merge_undo_days = 12
            settings.hygiene_import_file_retention_days = 7
            settings.hygiene_retention_safety_valve_percent = 2.5
        settings.record.execute()
        self.assertEqual(float(self._param("dedup_review_threshold")), 0.6)
        self.assertEqual(float(self._param("dedup_auto_merge_threshold")), 0.98)
        self.assertEqual(self._param("merge_survivorship"), "most_complete")
        self.assertEqual(int(self._param("import_file_retention_days")), 7)
        self.assertEqual(float(self._param("retention_safety_valve_percent")), 2.5)
        # The merge journal's undo window follows the setting.
        self.assertEqual(self.env["hygiene.merge.journal"]._undo_days(), 12)
        # The settings page shows what was saved.
        reopened = self.env["res.config.settings"].create({})
        self.assertEqual(reopened.hygiene_merge_survivorship, "most_complete")
        self.assertEqual(reopened.hygiene_merge_undo_days, 12)

    def test_auto_merge_is_off_by_default(self):
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.hygiene_dedup_auto_merge_threshold)
        self.assertEqual(settings.hygiene_retention_safety_valve_percent, 5.0)

    def test_bad_values_are_refused_with_a_message(self):
        bad_values = [
            ({"hygiene_dedup_review_threshold": 0}, "review threshold"),
            ({"hygiene_dedup_review_threshold": 1.5}, "review threshold"),
            (
                {"hygiene_dedup_review_threshold": 0.8, "hygiene_dedup_auto_merge_threshold": 0.6},
                "auto-merge threshold",
            ),
            ({"hygiene_merge_undo_days": -1}, "negative"),
            ({"hygiene_import_file_retention_days": -3}, "negative"),
            ({"hygiene_retention_safety_valve_percent": 0}, "safety valve"),
            ({"hygiene_retention_safety_valve_percent": 150}, "safety valve"),
        ]
        for values, message in bad_values:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                self.env["res.config.settings"].create(values)
