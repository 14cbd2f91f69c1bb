"""Attacker's fifth pass (commit 017c7be): the derived and group-restricted contact fields set
through x2many commands, copy defaults, import (load), web_save and the users' own record; the
restriction flag made stale through the requests' one2many, archiving; matching keys left stale
by child commands, copies, imports, users and the company's own country. Probed with the lowest
roles over real JSON-RPC sessions. Each test asserts the SAFE behaviour: a failing test is a
hole."""

import logging

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import HygieneCommon, HygieneRpcMixin

_logger = logging.getLogger(__name__)

# a Belgian mobile number, read as a French landline without the country
BE_PHONE = "0470 12 34 56"
BIRTH = "1980-05-17"
HOLD = {"hygiene_hold_reason": "Litigation pass5", "hygiene_hold_end_date": "2031-01-01"}


@tagged("post_install", "-at_install")
class TestAttackDefaultsPass5(HygieneRpcMixin, HttpCase, HygieneCommon):
    # the keys this pass expects (its fix): a contact without a country reads its phones in
    # its company's country
    KEYS_FOLLOW_COMPANY_COUNTRY = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be_co = cls.env["res.company"].create({"name": "Pass5 BE Co", "country_id": cls.be.id})
        for user in (cls.user_employee, cls.user_hygiene, cls.user_steward, cls.user_officer):
            user.company_ids = [(4, cls.be_co.id)]

    # ------------------------------------------------------------------ helpers

    def _sudo_partner(self, name):
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "=", name)])
        )

    # ------------------------------------------------------------------ x2many commands

    def test_child_create_command_cannot_set_restricted_fields(self):
        company = self.env["res.partner"].create({"name": "Pass5 Parent Co", "is_company": True})
        attempts = [
            ("hyg_employee", {"hygiene_birthdate": BIRTH}),
            ("hyg_user", dict(HOLD)),
            ("hyg_employee", {"hygiene_restricted": True}),
            ("hyg_steward", {"hygiene_repermission_sent_date": "2026-01-01 00:00:00"}),
        ]
        for index, (login, values) in enumerate(attempts):
            name = f"Pass5 Child Cmd {index}"
            with self.subTest(login=login, values=values):
                self._try(
                    login,
                    "res.partner",
                    "write",
                    [[company.id], {"child_ids": [[0, 0, {"name": name, **values}]]}],
                )
                child = self._sudo_partner(name)
                for field in values:
                    self.assertFalse(child[field] if child else False, f"{login} set {field}")

    def test_child_update_command_cannot_set_restricted_fields(self):
        company = self.env["res.partner"].create({"name": "Pass5 Upd Co", "is_company": True})
        child = self.env["res.partner"].create({"name": "Pass5 Upd Child", "parent_id": company.id})
        attempts = [
            ("hyg_employee", {"hygiene_birthdate": BIRTH}),
            ("hyg_user", dict(HOLD)),
            ("hyg_employee", {"hygiene_restricted": True}),
            ("hyg_steward", {"hygiene_repermission_sent_date": "2026-01-01 00:00:00"}),
        ]
        for login, values in attempts:
            with self.subTest(login=login, values=values):
                self._try(
                    login,
                    "res.partner",
                    "write",
                    [[company.id], {"child_ids": [[1, child.id, values]]}],
                )
                child.invalidate_recordset()
                for field in values:
                    self.assertFalse(child.sudo()[field], f"{login} set {field} via [1, id, ...]")

    def test_web_save_nested_child_cannot_set_hold(self):
        self._try(
            "hyg_user",
            "res.partner",
            "web_save",
            [
                [],
                {
                    "name": "Pass5 WS Co",
                    "is_company": True,
                    "child_ids": [[0, 0, {"name": "Pass5 WS Child", **HOLD}]],
                },
            ],
            {"specification": {"name": {}}},
        )
        child = self._sudo_partner("Pass5 WS Child")
        self.assertFalse(child.hygiene_hold_reason if child else False, "nested hold set")

    # ------------------------------------------------------------------ copy / load / users

    def test_copy_default_cannot_set_restricted_fields(self):
        source = self.env["res.partner"].create({"name": "Pass5 Copy Src"})
        attempts = [
            ("hyg_employee", {"hygiene_birthdate": BIRTH}),
            ("hyg_user", dict(HOLD)),
            ("hyg_employee", {"hygiene_restricted": True}),
            ("hyg_steward", {"hygiene_repermission_sent_date": "2026-01-01 00:00:00"}),
        ]
        for index, (login, values) in enumerate(attempts):
            name = f"Pass5 Copy {index}"
            with self.subTest(login=login, values=values):
                self._try(
                    login,
                    "res.partner",
                    "copy",
                    [[source.id]],
                    {"default": {"name": name, **values}},
                )
                copy = self._sudo_partner(name)
                for field in values:
                    self.assertFalse(copy[field] if copy else False, f"{login} copied {field}")

    def test_load_cannot_set_restricted_fields(self):
        attempts = [
            ("hyg_employee", "hygiene_birthdate", BIRTH),
            ("hyg_user", "hygiene_hold_reason", "Litigation pass5"),
            ("hyg_employee", "hygiene_restricted", "1"),
            ("hyg_steward", "hygiene_repermission_sent_date", "2026-01-01 00:00:00"),
        ]
        for index, (login, field, value) in enumerate(attempts):
            name = f"Pass5 Load {index}"
            with self.subTest(login=login, field=field):
                result = self._try(login, "res.partner", "load", [["name", field], [[name, value]]])
                partner = self._sudo_partner(name)
                self.assertFalse(
                    partner[field] if partner else False, f"{login} imported {field}: {result}"
                )

    def test_load_update_cannot_lift_restriction_or_set_birthdate(self):
        partner, _request = self._restricted_contact(
            "Pass5 Load Upd", "r.pass5@example.org", state="new"
        )
        self._try(
            "hyg_employee",
            "res.partner",
            "load",
            [[".id", "hygiene_restricted", "hygiene_birthdate"], [[str(partner.id), "0", BIRTH]]],
        )
        partner.invalidate_recordset()
        self.assertTrue(partner.hygiene_restricted, "an import lifted the restriction")
        self.assertFalse(partner.sudo().hygiene_birthdate, "an employee imported a birth date")

    def test_own_user_cannot_set_restricted_partner_fields(self):
        attempts = [
            ("hyg_employee", self.user_employee, {"hygiene_birthdate": BIRTH}),
            ("hyg_user", self.user_hygiene, dict(HOLD)),
            ("hyg_user", self.user_hygiene, {"hygiene_restricted": True}),
        ]
        for login, user, values in attempts:
            with self.subTest(login=login, values=values):
                self._try(login, "res.users", "write", [[user.id], values])
                self._try(login, "res.users", "preference_save", [[user.id]], {})
                partner = user.partner_id.sudo()
                partner.invalidate_recordset()
                for field in values:
                    self.assertFalse(partner[field], f"{login} set {field} on their own contact")

    # ------------------------------------------------------------------ restriction staleness

    def test_restriction_not_lifted_through_the_request_one2many(self):
        partner, request = self._restricted_contact("Pass5 O2M", "r.pass5@example.org", state="new")
        commands = [
            [[2, request.id]],
            [[3, request.id]],
            [[1, request.id, {"state": "cancelled"}]],
            [[1, request.id, {"request_type": "access"}]],
            [[5]],
            [[6, 0, []]],
        ]
        for login in ("hyg_employee", "hyg_steward"):
            for command in commands:
                with self.subTest(login=login, command=command):
                    self._try(
                        login,
                        "res.partner",
                        "write",
                        [[partner.id], {"hygiene_privacy_request_ids": command}],
                    )
                    partner.invalidate_recordset()
                    request.invalidate_recordset()
                    self.assertTrue(request.exists(), f"{login} deleted the request")
                    self.assertTrue(partner.hygiene_restricted, f"{login} lifted it: {command}")

    def test_restriction_not_created_by_a_non_officer(self):
        partner = self.env["res.partner"].create({"name": "Pass5 O2M New"})
        self._try(
            "hyg_steward",
            "res.partner",
            "write",
            [
                [partner.id],
                {
                    "hygiene_privacy_request_ids": [
                        [0, 0, {"request_type": "restriction", "channel": "email"}]
                    ]
                },
            ],
        )
        partner.invalidate_recordset()
        self.assertFalse(partner.sudo().hygiene_privacy_request_ids, "a steward logged a request")

    def test_restriction_request_not_changed_directly_by_non_officers(self):
        partner, request = self._restricted_contact(
            "Pass5 Req Direct", "r.pass5@example.org", state="new"
        )
        for login in ("hyg_employee", "hyg_user", "hyg_steward"):
            with self.subTest(login=login):
                self._try(
                    login, "hygiene.privacy.request", "write", [[request.id], {"state": "done"}]
                )
                self._try(login, "hygiene.privacy.request", "unlink", [[request.id]])
                self._try(login, "hygiene.privacy.request", "action_cancel", [[request.id]])
                request.invalidate_recordset()
                partner.invalidate_recordset()
                self.assertTrue(request.exists() and request.state == "new", f"{login} closed it")
                self.assertTrue(partner.hygiene_restricted, f"{login} lifted the restriction")

    def test_restriction_survives_archive_and_copy(self):
        partner, _request = self._restricted_contact(
            "Pass5 Archive", "r.pass5@example.org", state="new"
        )
        self._try("hyg_employee", "res.partner", "action_archive", [[partner.id]])
        self._try("hyg_employee", "res.partner", "action_unarchive", [[partner.id]])
        partner.invalidate_recordset()
        self.assertTrue(partner.hygiene_restricted, "archive/unarchive lifted the restriction")
        copy_id = self._try(
            "hyg_employee", "res.partner", "copy", [[partner.id]], {"default": {"name": "P5 Cp"}}
        )
        if copy_id:
            copy = self.env["res.partner"].browse(copy_id)
            self.assertFalse(copy.hygiene_restricted, "a copy without a request is restricted")

    # ------------------------------------------------------------------ matching keys

    def test_keys_of_child_created_by_command(self):
        company = self.env["res.partner"].create(
            {"name": "Pass5 Key Co", "is_company": True, "country_id": self.be.id}
        )
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [
                [company.id],
                {
                    "child_ids": [
                        [0, 0, {"name": "Pass5 Key Child", "phone": BE_PHONE}],
                        [0, 0, {"name": "Pass5 Key Child Co", "mobile": BE_PHONE}],
                    ]
                },
            ],
        )
        for child in company.child_ids:
            self._assert_keys_fresh(child, f"child {child.name}")
        self.assertEqual(company.child_ids[:1].hygiene_phone_key, "+32470123456")

    def test_keys_of_child_updated_by_command_and_vat_sync(self):
        company = self.env["res.partner"].create({"name": "Pass5 Vat Co", "is_company": True})
        child = self.env["res.partner"].create({"name": "Pass5 Vat Child", "parent_id": company.id})
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [
                [company.id],
                {
                    "vat": "FR40303265045",
                    "child_ids": [[1, child.id, {"phone": BE_PHONE, "company_id": self.be_co.id}]],
                },
            ],
        )
        self._assert_keys_fresh(child, "child after [1, id] and vat sync")
        self._assert_keys_fresh(company, "company after vat")

    def test_keys_of_copy_of_contact_without_country(self):
        source = self.env["res.partner"].create(
            {"name": "Pass5 Cp Src", "phone": BE_PHONE, "company_id": self.be_co.id}
        )
        self._assert_keys_fresh(source, "source")
        copy_id = self._call("hyg_employee", "res.partner", "copy", [[source.id]])
        copy = self.env["res.partner"].browse(copy_id)
        self._assert_keys_fresh(copy, "copy")

    def test_keys_of_company_id_written_alone(self):
        partner = self.env["res.partner"].create({"name": "Pass5 Co Alone", "phone": BE_PHONE})
        self._call(
            "hyg_employee", "res.partner", "write", [[partner.id], {"company_id": self.be_co.id}]
        )
        self._assert_keys_fresh(partner, "after company_id alone")
        self.assertEqual(partner.hygiene_phone_key, "+32470123456")

    def test_keys_follow_the_company_country(self):
        """An employee edits the country of the company's own contact: the contacts of that
        company without a country read their phones in the new region."""
        partner = self.env["res.partner"].create(
            {"name": "Pass5 Co Country", "phone": BE_PHONE, "company_id": self.be_co.id}
        )
        self.assertEqual(partner.hygiene_phone_key, "+32470123456", "setup")
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [[self.be_co.partner_id.id], {"country_id": self.fr.id}],
        )
        self.be_co.invalidate_recordset()
        self.assertEqual(self.be_co.country_id, self.fr, "setup: the company moved")
        self._assert_keys_fresh(partner, "after the company's country changed")

    def test_keys_of_imported_contact(self):
        self._call(
            "hyg_employee",
            "res.partner",
            "load",
            [
                ["name", "phone", "company_id/.id"],
                [["Pass5 Imported", BE_PHONE, str(self.be_co.id)]],
            ],
        )
        partner = self._sudo_partner("Pass5 Imported")
        self.assertTrue(partner, "setup: imported")
        self._assert_keys_fresh(partner, "import")

    def test_keys_of_internal_user_with_phone(self):
        user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Pass5 Internal",
                    "login": "pass5_internal",
                    "phone": BE_PHONE,
                    "company_id": self.be_co.id,
                    "company_ids": [(6, 0, [self.be_co.id, self.main.id])],
                }
            )
        )
        self._assert_keys_fresh(user.partner_id, "user's partner")

    def test_keys_follow_the_company_country_set_in_settings(self):
        """Same as above through the company's own form (Settings): res.company.country_id
        is related to its contact's country."""
        partner = self.env["res.partner"].create(
            {"name": "Pass5 Co Settings", "phone": BE_PHONE, "company_id": self.be_co.id}
        )
        self.be_co.country_id = self.fr
        self._assert_keys_fresh(partner, "after the company's country changed in Settings")

    def test_keys_of_shared_contact_do_not_depend_on_the_writer_company(self):
        """A shared contact (no company, no country): the same number typed by an employee
        working in the Belgian company and by one working in the French company must give
        one key, and a write of the email alone must not change the phone's key."""
        vals = {"name": "Pass5 Shared", "phone": BE_PHONE}
        in_be = {"context": {"allowed_company_ids": [self.be_co.id, self.main.id]}}
        in_fr = {"context": {"allowed_company_ids": [self.main.id, self.be_co.id]}}
        first = self._call("hyg_employee", "res.partner", "create", [vals], in_be)
        second = self._call("hyg_employee", "res.partner", "create", [vals], in_fr)
        first, second = self.env["res.partner"].browse([first, second])
        self.assertEqual(
            first.hygiene_phone_key,
            second.hygiene_phone_key,
            "a shared contact's phone key follows the company its writer works in",
        )

    def test_keys_of_shared_contact_not_moved_by_an_unrelated_write(self):
        """Created while working in the Belgian company, then its email written while working
        in the French one: the phone did not change, its key must not either."""
        in_be = {"context": {"allowed_company_ids": [self.be_co.id, self.main.id]}}
        in_fr = {"context": {"allowed_company_ids": [self.main.id, self.be_co.id]}}
        vals = {"name": "Pass5 Shared Move", "phone": BE_PHONE}
        partner_id = self._call("hyg_employee", "res.partner", "create", [vals], in_be)
        partner = self.env["res.partner"].browse(partner_id)
        before = partner.hygiene_phone_key
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [[partner_id], {"email": "x.p5@example.org"}],
            in_fr,
        )
        partner.invalidate_recordset()
        self.assertEqual(partner.hygiene_phone_key, before, "an email write moved the phone key")

    # ------------------------------------------------------------------ legit

    def test_legit_employee_hygiene_user_officer(self):
        parent_id = self._call(
            "hyg_employee",
            "res.partner",
            "create",
            [{"name": "Pass5 Legit Co", "company_type": "company", "country_id": self.be.id}],
        )
        child_id = self._call(
            "hyg_employee",
            "res.partner",
            "create",
            [
                {
                    "name": "Pass5 Legit Child",
                    "email": "legit.pass5@example.org",
                    "phone": BE_PHONE,
                    "parent_id": parent_id,
                }
            ],
        )
        self._call("hyg_employee", "res.partner", "write", [[child_id], {"name": "Pass5 Legit 2"}])
        self._call(
            "hyg_employee", "res.partner", "write", [[parent_id], {"company_type": "person"}]
        )
        Partner = self.env["res.partner"]
        self._assert_keys_fresh(Partner.browse(child_id), "legit child")
        self._assert_keys_fresh(Partner.browse(parent_id), "legit parent")
        born = self._call(
            "hyg_user",
            "res.partner",
            "create",
            [{"name": "Pass5 Born", "hygiene_birthdate": BIRTH}],
        )
        self._call(
            "hyg_user", "res.partner", "write", [[born], {"hygiene_birthdate": "1981-01-01"}]
        )
        self.assertEqual(
            fields.Date.to_string(Partner.browse(born).hygiene_birthdate), "1981-01-01"
        )
        held = self._call("hyg_officer", "res.partner", "create", [{"name": "Pass5 Held", **HOLD}])
        self._call(
            "hyg_officer", "res.partner", "write", [[born], {"hygiene_hold_reason": "Audit p5"}]
        )
        self.assertEqual(Partner.browse(held).hygiene_hold_reason, HOLD["hygiene_hold_reason"])
        self.assertEqual(Partner.browse(born).hygiene_hold_reason, "Audit p5")
