"""The one getter of the system parameters (const.get_param): typed, defaulted, bounded."""

from odoo.tests import BaseCase, tagged

from .. import const
from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestParamParsing(BaseCase):
    def test_unset_or_unreadable_gives_the_default(self):
        spec = const.PARAMS[const.MERGE_UNDO_DAYS]
        for raw in (None, False, "", "twelve", "12.5"):
            self.assertEqual(spec.parse(raw), spec.default, raw)

    def test_value_is_typed_and_brought_within_bounds(self):
        self.assertEqual(const.PARAMS[const.MERGE_UNDO_DAYS].parse("12"), 12)
        self.assertEqual(const.PARAMS[const.MERGE_UNDO_DAYS].parse("-3"), 0)
        self.assertEqual(const.PARAMS[const.RETENTION_BATCH_SIZE].parse("0"), 1)
        self.assertEqual(const.PARAMS[const.RETENTION_SAFETY_VALVE_PERCENT].parse("0.5"), 0.5)
        self.assertEqual(const.PARAMS[const.DEDUP_REVIEW_THRESHOLD].parse("7"), 1.0)

    def test_text_outside_the_choices_gives_the_default(self):
        spec = const.PARAMS[const.MERGE_SURVIVORSHIP]
        self.assertEqual(spec.parse("source_priority"), "source_priority")
        self.assertEqual(spec.parse("loudest"), "most_recent")

    def test_every_group_constant_is_a_group_of_the_addon(self):
        for name in ("GROUP_USER", "GROUP_STEWARD", "GROUP_OFFICER", "GROUP_MANAGER"):
            self.assertTrue(getattr(const, name).startswith("partner_data_hygiene.group_hygiene_"))


@tagged("post_install", "-at_install")
class TestGetParam(HygieneCommon):
    def test_reads_the_stored_parameter(self):
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param(const.RETENTION_BATCH_SIZE, "42")
        self.assertEqual(const.get_param(self.env, const.RETENTION_BATCH_SIZE), 42)
        Param.set_param(const.RETENTION_BATCH_SIZE, "lots")
        self.assertEqual(const.get_param(self.env, const.RETENTION_BATCH_SIZE), 500)
        for group in (const.GROUP_USER, const.GROUP_STEWARD, const.GROUP_OFFICER):
            self.assertTrue(self.env.ref(group))
        self.assertTrue(self.env.ref(const.GROUP_MANAGER))
