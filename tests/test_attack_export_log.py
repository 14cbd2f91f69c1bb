"""Attacker's pass on the export log: each test either documents a blocked attempt (passes) or
reproduced a hole that is now closed (the nested exports)."""

import json

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestAttackExportLog(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        export = cls.env.ref("base.group_allow_export")
        for user in (cls.user_employee, cls.user_steward, cls.user_officer, cls.user_manager):
            user.groups_id += export
        cls.Log = cls.env["hygiene.export.log"]
        cls.company = cls.env["res.partner"].create({"name": "Atk Corp", "is_company": True})
        cls.child = cls.env["res.partner"].create(
            {"name": "Atk Child", "email": "child@atk.example", "parent_id": cls.company.id}
        )
        cls.company.with_user(cls.user_steward).export_data(["name"])
        cls.log = cls.Log.search([], limit=1)

    def _logs(self):
        return self.Log.search([])

    # --- forging / hiding logs over the ORM
    def test_create_blocked_for_every_role(self):
        for user in (self.user_employee, self.user_steward, self.user_officer, self.user_manager):
            with self.assertRaises(AccessError):
                self.Log.with_user(user).create(
                    {"user_id": self.user_manager.id, "partner_ids": [(6, 0, self.child.ids)]}
                )

    def test_write_forge_user_blocked(self):
        for user in (self.user_steward, self.user_officer, self.user_manager):
            with self.assertRaises(AccessError):
                self.log.with_user(user).write({"user_id": self.user_manager.id})
            with self.assertRaises(AccessError):
                self.log.with_user(user).write({"partner_ids": [(5, 0, 0)]})

    def test_unlink_blocked_below_manager(self):
        for user in (self.user_employee, self.user_steward, self.user_officer):
            with self.assertRaises(AccessError):
                self.log.with_user(user).unlink()

    def test_private_logger_not_rpc_callable(self):
        from odoo.service.model import get_public_method

        with self.assertRaises(AccessError):
            get_public_method(self.Log, "_hygiene_log_export")

    # --- reading logs as non-officers
    def test_read_blocked_below_officer(self):
        for user in (self.user_employee, self.user_steward, self.user_portal):
            log = self.Log.with_user(user)
            with self.assertRaises(AccessError):
                log.search_read([], ["partner_ids"])
            with self.assertRaises(AccessError):
                log.read_group([], ["partner_count:sum"], ["user_id"])
            with self.assertRaises(AccessError):
                self.log.with_user(user).read(["partner_ids", "field_names"])

    def test_cross_company_read_blocked(self):
        other = self.env["res.company"].create({"name": "Atk Other Co"})
        self.log.sudo().company_id = other
        self.assertFalse(self.Log.with_user(self.user_officer).search([("id", "=", self.log.id)]))
        with self.assertRaises(AccessError):
            self.log.with_user(self.user_officer).read(["partner_ids"])

    # --- exporting without leaving a log
    def test_context_keys_do_not_skip_the_log(self):
        before = len(self._logs())
        self.child.with_user(self.user_employee).with_context(
            active_test=False, import_compat=True, tracking_disable=True
        ).export_data(["name", "email"])
        self.assertEqual(len(self._logs()), before + 1)

    def test_nested_one2many_children_are_logged(self):
        """Hole found: exporting a company with child_ids/email carried the children's emails
        out while the log named only the company."""
        self.company.with_user(self.user_employee).export_data(["name", "child_ids/email"])
        log = self._logs()[:1]
        self.assertIn(self.child, log.partner_ids)
        self.assertIn(self.company, log.partner_ids)

    def test_export_from_another_model_is_logged(self):
        """Hole found: exporting users with partner_id/email (contacts' data through another
        model) left no log at all."""
        before = len(self._logs())
        self.user_portal.with_user(self.user_employee).export_data(["login", "partner_id/email"])
        logs = self._logs()
        self.assertEqual(len(logs), before + 1)
        self.assertIn(self.user_portal.partner_id, logs[:1].partner_ids)
        self.assertEqual(logs[:1].user_id, self.user_employee)

    def test_empty_export_is_no_log_and_no_data(self):
        before = len(self._logs())
        result = self.env["res.partner"].with_user(self.user_employee).export_data(["email"])
        self.assertFalse(result["datas"])
        self.assertEqual(len(self._logs()), before)


@tagged("post_install", "-at_install")
class TestAttackExportLogHttp(HttpCase, HygieneCommon):
    def test_web_xlsx_route_grouped_users_export_is_logged(self):
        """The web route, grouped, on another model: the contacts reached are logged."""
        self.user_employee.groups_id += self.env.ref("base.group_allow_export")
        Log = self.env["hygiene.export.log"]
        before = Log.search_count([])
        self.authenticate("hyg_employee", "hyg_employee")
        data = {
            "model": "res.users",
            "fields": [
                {"name": "login", "label": "Login", "type": "char"},
                {"name": "partner_id/email", "label": "Email", "type": "char"},
            ],
            "ids": self.user_portal.ids,
            "domain": [],
            "groupby": ["company_id"],
            "import_compat": False,
        }
        response = self.url_open(
            "/web/export/xlsx",
            data={"data": json.dumps(data), "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(
            response.status_code, 200, response.text[-600:] if response.status_code != 200 else ""
        )
        logs = Log.search([])
        self.assertEqual(len(logs), before + 1)
        self.assertIn(self.user_portal.partner_id, logs[:1].partner_ids)
        self.assertEqual(logs[:1].user_id, self.user_employee)
