"""Attacker's fourth pass on what a client leaves for the ORM to add after the addon's checks
(commit 83a3a8c): the contact fields outside the system set (restriction, re-permission date,
hygiene-only fields), the shared-defaults cache of the superuser path, the company of the
environment in the matching keys, and key refreshes of writes that change a key source alone.
Probed with the lowest roles over real JSON-RPC sessions. Each test asserts the SAFE behaviour:
a failing test is a hole."""

import contextlib

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import HygieneCommon, HygieneRpcMixin

# a Belgian mobile number, read as a French landline without the country
BE_PHONE = "0470 12 34 56"


@tagged("post_install", "-at_install")
class TestAttackDefaultsPass4(HygieneRpcMixin, HttpCase, HygieneCommon):
    # ------------------------------------------------------------------ helpers

    def _set_default(self, login, model, name, value):
        """The user's own default, as the debug menu's *Set Defaults* stores it; False when
        the addon refuses it."""
        try:
            self._set_own_default(login, model, name, value)
        except JsonRpcException:
            return False
        return True

    # ------------------------------------------------------------------ restriction (Art. 18)

    def test_restriction_not_lifted_by_a_write_of_the_computed_flag(self):
        """The restriction flag is computed from the open requests: an employee writing it
        over RPC must not lift it (the contact would be exported and merged again)."""
        partner, _request = self._restricted_contact(
            "Restricted Pass4 Write", "r.pass4@example.org"
        )
        for login in ("hyg_employee", "hyg_steward"):
            with self.subTest(login=login), contextlib.suppress(JsonRpcException):
                self._call(
                    login, "res.partner", "write", [[partner.id], {"hygiene_restricted": False}]
                )
            partner.invalidate_recordset()
            self.assertTrue(partner.hygiene_restricted, f"{login} lifted a GDPR restriction")

    def test_restriction_not_lifted_by_web_save(self):
        partner, _request = self._restricted_contact("Restricted Pass4 Save", "r.pass4@example.org")
        with contextlib.suppress(JsonRpcException):
            self._call(
                "hyg_employee",
                "res.partner",
                "web_save",
                [[partner.id], {"hygiene_restricted": False}],
                {"specification": {"hygiene_restricted": {}}},
            )
        partner.invalidate_recordset()
        self.assertTrue(partner.hygiene_restricted, "web_save lifted a GDPR restriction")

    def test_restriction_not_set_by_context_or_personal_default(self):
        """No request, no restriction: a default must not put a new contact out of merges."""
        with contextlib.suppress(JsonRpcException):
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Restricted Pass4 Ctx"}],
                {"context": {"default_hygiene_restricted": True}},
            )
        stored = self._set_default("hyg_employee", "res.partner", "hygiene_restricted", True)
        with contextlib.suppress(JsonRpcException):
            self._call("hyg_employee", "res.partner", "create", [{"name": "Restricted Pass4 Own"}])
        partners = self.env["res.partner"].search([("name", "like", "Restricted Pass4 %")])
        self.assertFalse(
            partners.filtered("hygiene_restricted"),
            f"a default restricted a contact with no request (personal default stored: {stored})",
        )

    # ------------------------------------------------------------------ re-permission, groups

    def test_repermission_date_not_set_by_defaults(self):
        """The date the person was asked to stay is written by the campaign (SQL): a default
        set on it keeps every contact of that employee out of the re-permission campaign."""
        now = fields.Datetime.to_string(fields.Datetime.now())
        with contextlib.suppress(JsonRpcException):
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Asked Pass4 Ctx", "email": "asked.ctx@example.org"}],
                {"context": {"default_hygiene_repermission_sent_date": now}},
            )
        stored = self._set_default(
            "hyg_steward", "res.partner", "hygiene_repermission_sent_date", now
        )
        with contextlib.suppress(JsonRpcException):
            self._call(
                "hyg_steward",
                "res.partner",
                "create",
                [{"name": "Asked Pass4 Own", "email": "asked.own@example.org"}],
            )
        partners = self.env["res.partner"].search([("name", "like", "Asked Pass4 %")])
        self.assertFalse(
            partners.filtered("hygiene_repermission_sent_date"),
            f"re-permission date forged by a default (personal default stored: {stored})",
        )

    def test_repermission_date_not_set_by_an_employee_create(self):
        """Field groups are not checked on create: a plain employee (no hygiene role) must not
        set a Data Steward field by creating a contact with it."""
        now = fields.Datetime.to_string(fields.Datetime.now())
        with contextlib.suppress(JsonRpcException):
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Asked Pass4 Vals", "hygiene_repermission_sent_date": now}],
            )
        partner = self.env["res.partner"].search([("name", "=", "Asked Pass4 Vals")])
        self.assertFalse(partner.hygiene_repermission_sent_date)

    def test_hygiene_only_birthdate_not_set_by_an_employee_default(self):
        """The birth date (hygiene roles only) decides that two homonyms are different people:
        an employee without a hygiene role must not set it, by value or by their default."""
        stored = self._set_default("hyg_employee", "res.partner", "hygiene_birthdate", "1970-01-01")
        with contextlib.suppress(JsonRpcException):
            self._call("hyg_employee", "res.partner", "create", [{"name": "Born Pass4 Own"}])
        if stored:
            self.env["ir.default"].sudo().search(
                [("field_id.name", "=", "hygiene_birthdate"), ("user_id", "!=", False)]
            ).unlink()
        with contextlib.suppress(JsonRpcException):
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Born Pass4 Vals", "hygiene_birthdate": "1970-01-01"}],
            )
        partners = self.env["res.partner"].search([("name", "like", "Born Pass4 %")])
        self.assertEqual(
            {p.name: p.hygiene_birthdate for p in partners.filtered("hygiene_birthdate")},
            {},
            f"an employee set a hygiene-only field (personal default stored: {stored})",
        )

    def test_hold_not_set_by_an_employee_personal_default(self):
        stored_reason = self._set_default(
            "hyg_employee", "res.partner", "hygiene_hold_reason", "litigation"
        )
        stored_date = self._set_default(
            "hyg_employee", "res.partner", "hygiene_hold_end_date", "2099-12-31"
        )
        with contextlib.suppress(JsonRpcException):
            self._call("hyg_employee", "res.partner", "create", [{"name": "Held Pass4 Own"}])
        partner = self.env["res.partner"].search([("name", "=", "Held Pass4 Own")])
        self.assertFalse(
            partner.hygiene_hold_end_date,
            f"legal hold set by an employee default (stored {stored_reason}, {stored_date})",
        )

    # ------------------------------------------------------------------ shared defaults cache

    def test_shared_defaults_cache_follows_the_rows(self):
        """An administrator's company default on a hygiene model applies to the system's own
        records, follows a change and a removal (cache cleared), and stays in its company."""
        Default = self.env["ir.default"]
        Source = self.env["hygiene.source"].sudo()
        Default.set("hygiene.source", "description", "v1", company_id=self.main.id)
        self.assertEqual(Source.create({"name": "Src Pass4 A", "code": "p4A"}).description, "v1")
        Default.set("hygiene.source", "description", "v2", company_id=self.main.id)
        self.assertEqual(Source.create({"name": "Src Pass4 B", "code": "p4B"}).description, "v2")
        other = self.env["res.company"].create({"name": "Other Pass4 SPRL"})
        Default.set("hygiene.source", "description", "other", company_id=other.id)
        self.assertEqual(Source.create({"name": "Src Pass4 C", "code": "p4C"}).description, "v2")
        self.assertEqual(
            Source.with_company(other).create({"name": "Src Pass4 D", "code": "p4D"}).description,
            "other",
        )
        Default.discard_values("hygiene.source", "description", ["v2"])
        self.assertFalse(Source.create({"name": "Src Pass4 E", "code": "p4E"}).description)
        # a personal row of the employee (stored before the refusal) is not picked up in the
        # cache of the superuser path, even when the employee's session filled it first
        employee = self.user_employee
        self._stored_default("hyg_employee", "hygiene.source", "description", "personal")
        self.assertNotEqual(
            Source.with_user(employee)
            .sudo()
            .create({"name": "Src Pass4 F", "code": "p4F"})
            .description,
            "personal",
        )

    def test_admin_company_default_on_hygiene_model_reaches_users(self):
        """Legit: an administrator's company default on a hygiene.* field applies to the
        records a user creates too."""
        self.env["ir.default"].set(
            "hygiene.source", "description", "from admin", company_id=self.main.id
        )
        source_id = self._call(
            "hyg_manager", "hygiene.source", "create", [{"name": "Src Pass4 User", "code": "p4u"}]
        )
        self.assertEqual(self.env["hygiene.source"].browse(source_id).description, "from admin")

    def test_employee_city_default_still_applies(self):
        self.assertTrue(self._set_default("hyg_employee", "res.partner", "city", "Lyon"))
        partner_id = self._call("hyg_employee", "res.partner", "create", [{"name": "City Pass4"}])
        self.assertEqual(self.env["res.partner"].browse(partner_id).city, "Lyon")

    # ------------------------------------------------------------------ matching keys

    def test_keys_do_not_depend_on_the_company_the_writer_works_in(self):
        """Two contacts of the same company with the same phone and no country: the one an
        employee creates while working in a Belgian company must get the same keys as the one
        created in the French company (else the duplicate is never found)."""
        belgian = self.env["res.company"].create(
            {"name": "Pass4 BE SPRL", "country_id": self.be.id}
        )
        self.user_employee.company_ids = [(4, belgian.id)]
        vals = {"name": "Same Phone Pass4", "phone": BE_PHONE, "company_id": self.main.id}
        first = self._call(
            "hyg_employee",
            "res.partner",
            "create",
            [vals],
            {"context": {"allowed_company_ids": [self.main.id]}},
        )
        second = self._call(
            "hyg_employee",
            "res.partner",
            "create",
            [vals],
            {"context": {"allowed_company_ids": [belgian.id, self.main.id]}},
        )
        first, second = self.env["res.partner"].browse([first, second])
        self.assertEqual(
            first.hygiene_phone_key,
            second.hygiene_phone_key,
            "the phone key follows the company the employee works in, not the contact's",
        )

    def test_keys_after_a_write_of_the_company_type_alone(self):
        partner = self.env["res.partner"].create(
            {"name": "Type Pass4 SARL", "vat": "FR40303265045", "country_id": self.fr.id}
        )
        self._call(
            "hyg_employee", "res.partner", "write", [[partner.id], {"company_type": "company"}]
        )
        self._assert_keys_fresh(partner, "after company_type")

    def test_keys_after_a_write_of_is_company_alone(self):
        partner = self.env["res.partner"].create(
            {"name": "Flag Pass4 SARL", "vat": "FR40303265045", "country_id": self.fr.id}
        )
        self._call("hyg_employee", "res.partner", "write", [[partner.id], {"is_company": True}])
        self._assert_keys_fresh(partner, "after is_company True")

    def test_keys_of_children_given_the_vat_of_their_company(self):
        company = self.env["res.partner"].create(
            {"name": "Vat Pass4 SAS", "is_company": True, "country_id": self.fr.id}
        )
        child = self.env["res.partner"].create(
            {"name": "Claire Pass4", "parent_id": company.id, "type": "contact"}
        )
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [[company.id], {"vat": "FR40303265045", "company_registry": "303265045"}],
        )
        child.invalidate_recordset()
        self.assertEqual(child.vat, "FR40303265045", "setup: core syncs the VAT to the contact")
        self._assert_keys_fresh(child, "of a contact given its company's VAT")

    def test_keys_of_a_contact_leaving_its_foreign_company(self):
        company = self.env["res.partner"].create(
            {"name": "Leave Pass4 SA", "is_company": True, "country_id": self.be.id}
        )
        child_id = self._call(
            "hyg_employee",
            "res.partner",
            "name_create",
            ["Leaving Pass4 <leaving.pass4@example.org>"],
            {"context": {"default_parent_id": company.id}},
        )[0]
        child = self.env["res.partner"].browse(child_id)
        self._call("hyg_employee", "res.partner", "write", [[child_id], {"phone": BE_PHONE}])
        self._assert_keys_fresh(child, "of a contact of a Belgian company")
        self._call("hyg_employee", "res.partner", "write", [[child_id], {"parent_id": False}])
        self._assert_keys_fresh(child, "after leaving the company")
