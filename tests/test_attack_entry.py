"""An attacker's pass on the rules at entry and the "check your details" page (issue 19), over
real HTTP sessions (JSON-RPC as a plain employee, the anonymous page): each test is a finding
that was exploitable before its fix, or a probe that must stay blocked."""

import re
import secrets
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from ..models import hygiene_details_request as details
from ..models import hygiene_entry_rules as rules
from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestAttackEntry(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_employee.password = "hyg_employee"

    def _set(self, **params):
        config = self.env["ir.config_parameter"].sudo()
        for key, value in params.items():
            config.set_param(key, str(value))

    def _rpc_create(self, vals):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": "res.partner", "method": "create", "args": [vals], "kwargs": {}},
        )

    # ------------------------------------------------------------------ rules at entry

    def test_an_address_type_without_a_parent_does_not_escape_the_rules(self):
        """The rules skipped every partner whose type is not "contact": an employee created an
        individual without email (or a French company without SIREN, or a blocked duplicate)
        over RPC by sending ``type: "other"`` (or invoice, delivery) without any parent."""
        self._set(
            **{
                rules.PARAM_EMAIL_REQUIRED: True,
                rules.PARAM_SIREN_REQUIRED: True,
                rules.PARAM_DUPLICATE_POLICY: "block",
            }
        )
        self.authenticate("hyg_employee", "hyg_employee")
        attempts = {
            "no email": {"name": "Jean Sans Mail ATK", "type": "other"},
            "no siren": {
                "name": "Sans Siren ATK SARL",
                "is_company": True,
                "type": "invoice",
                "country_id": self.env.ref("base.fr").id,
            },
            "duplicate": {"name": "Marc Bis", "email": self.marc.email, "type": "delivery"},
        }
        for label, vals in attempts.items():
            with self.subTest(label), self.assertRaises(JsonRpcException):
                self._rpc_create(vals)
        self.assertFalse(
            self.env["res.partner"].search_count(
                [("name", "in", [vals["name"] for vals in attempts.values()])]
            )
        )
        # an address under its contact is still not a contact of its own
        company = self.env["res.partner"].create(
            {"name": "Parent ATK", "is_company": True, "company_registry": "732829320"}
        )
        self.assertTrue(
            self._rpc_create({"name": "Dock", "type": "delivery", "parent_id": company.id})
        )

    # ------------------------------------------------------------------ check your details

    def _details_request(self, partner):
        token = secrets.token_urlsafe(details.TOKEN_BYTES)
        request = (
            self.env["hygiene.details.request"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "token_hash": details.token_hash(token),
                    "expiry_date": fields.Datetime.now() + timedelta(days=details.VALID_DAYS),
                }
            )
        )
        return request, token

    def _csrf(self, page):
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def test_details_page_probes_blocked(self):
        """Forged, reused and expired tokens, GET, missing CSRF, extra form keys (mass
        assignment): the anonymous page writes nothing on the contact."""
        partner = self.jeanne
        request, token = self._details_request(partner)
        other, other_token = self._details_request(self.marc)
        url = f"/hygiene/details/{token}"
        for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", token + "x", "../1"):
            with self.subTest(token=bad):
                self.assertEqual(self.url_open(f"/hygiene/details/{bad}").status_code, 404)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(self.marc.email, page.text)
        self.assertEqual(request.state, "sent")  # GET only shows
        self.assertIn(
            self.url_open(url, data={"name": "Hacked"}, allow_redirects=False).status_code,
            (400, 403),
        )
        before = partner.read(["name", "email", "is_company", "user_id", "parent_id"])
        response = self.url_open(
            url,
            data={
                "csrf_token": self._csrf(page),
                "name": '<img src=x onerror="alert(1)">',
                "email": partner.email,
                "partner_id": str(self.marc.id),
                "state": "reviewed",
                "is_company": "1",
                "user_id": str(self.user_employee.id),
                "vat": "FR44732829320",
                "hygiene_birthdate": "1900-01-01",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            partner.read(["name", "email", "is_company", "user_id", "parent_id"]), before
        )
        self.assertEqual(request.state, "corrected")
        self.assertEqual(request.proposal_ids.mapped("field_name"), ["name"])
        self.assertEqual(other.state, "sent")
        # used: 404, even with the form
        self.assertEqual(self.url_open(url).status_code, 404)
        # expired: 404
        other.sudo().expiry_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.url_open(f"/hygiene/details/{other_token}").status_code, 404)

    def test_details_registers_closed_to_lower_roles(self):
        request, __ = self._details_request(self.jeanne)
        for user in (self.user_portal, self.user_employee, self.user_hygiene):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["hygiene.details.request"].with_user(user).search_read(
                        [], ["partner_id"]
                    )
                with self.assertRaises(AccessError):
                    self.env["res.partner"].with_user(user).browse(
                        self.jeanne.id
                    ).action_hygiene_check_details()
        with self.assertRaises(AccessError):
            request.with_user(self.user_steward).write({"state": "confirmed"})
