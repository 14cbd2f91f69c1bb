"""The screens as a steward, a privacy officer and a sales user live them (issue 14): buttons
called the way the web client calls them, feedback after each step, nothing dropped silently."""

import base64
import csv
import io

from odoo.tests import HttpCase, tagged, users

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestListHeaderButtons(HttpCase):
    """Buttons of list headers are called by the web client with the selected ids (an empty
    list when the button is shown without a selection): through /web/dataset/call_button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from odoo.addons.mail.tests.common import mail_new_test_user

        cls.steward = mail_new_test_user(
            cls.env,
            login="scr_steward",
            groups="base.group_user,base.group_partner_manager,"
            "partner_data_hygiene.group_hygiene_steward",
        )
        Partner = cls.env["res.partner"]
        Partner.create({"name": "Claire Fontaine", "email": "claire.fontaine@example.fr"})
        Partner.create({"name": "Claire Fontaine", "email": "Claire.Fontaine@example.fr"})

    def _call_button(self, model, method, ids):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": {}}},
        )

    def test_scan_now_without_selection(self):
        self.authenticate("scr_steward", "scr_steward")
        action = self._call_button("hygiene.duplicate.group", "action_scan", [])
        self.assertEqual(action["params"]["type"], "success")
        groups = self.env["hygiene.duplicate.group"].search([("state", "=", "pending")])
        self.assertTrue(groups, "the scan found the two Claire Fontaine")

    def test_scan_now_with_a_selection(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        self.authenticate("scr_steward", "scr_steward")
        action = self._call_button("hygiene.duplicate.group", "action_scan", Group.search([]).ids)
        self.assertEqual(action["params"]["type"], "success")


@tagged("post_install", "-at_install")
class TestScreens(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.claire = Partner.create(
            {"name": "Claire Fontaine", "email": "claire.fontaine@example.fr", "zip": "75011"}
        )
        cls.claire_twin = Partner.create(
            {"name": "Claire Fontaine", "email": "Claire.Fontaine@example.fr", "zip": "75011"}
        )

    def _group_of(self, partner):
        return self.env["hygiene.duplicate.group"].search(
            [("partner_ids", "in", partner.ids)], limit=1
        )

    @users("hyg_steward")
    def test_undoing_a_merge_puts_its_group_back_to_review(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        group = self._group_of(self.claire)
        group.survivor_id = self.claire
        group.action_merge()
        self.assertEqual(group.state, "merged")
        journal = self.env["hygiene.merge.journal"].search([("survivor_id", "=", self.claire.id)])
        journal.action_undo()
        self.assertEqual(journal.state, "undone")
        self.assertEqual(group.state, "pending", "the pair is back to review, no scan needed")
        self.assertTrue(self.claire_twin.active)
        # and it can be merged again from the same group
        group.action_merge()
        self.assertEqual(group.state, "merged")
        self.assertFalse(self.claire_twin.active)


def read_csv(data):
    return list(csv.reader(io.StringIO(base64.b64decode(data).decode("utf-8-sig"))))
