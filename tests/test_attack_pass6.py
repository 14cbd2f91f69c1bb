"""Attacker's sixth pass, HTTP half: the portal and public privacy routes with a forged context
(``cids`` cookie, ``allowed_company_ids``, ``lang``/``context`` parameters), other customers'
ids and tokens, tokens swapped between requests, a request about another company's contact, and
the window of a restriction request waiting for its identity check (GDPR Art. 18) and the
confirmation mails one address can be sent. Probed over
real HTTP sessions as a portal customer and as the public user. Each test asserts the SAFE
behaviour: a failing test is a hole; a passing one stays as a guard.

The other half (onchange and default_get, merge undo, import rows, personal defaults) is in
``test_attack_pass6_rpc.py``."""

import json
import re

from odoo import tools
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HygieneCommon

UA = "Mozilla/5.0 (pass6)"


@tagged("post_install", "-at_install", "privacy_portal")
class TestAttackPass6Portal(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["hygiene.privacy.request"].sudo()
        cls.paula = cls.user_portal.partner_id
        cls.main = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "Pass6 Other Controller"})
        cls.user_portal_b = mail_new_test_user(
            cls.env,
            login="hyg_portal_p6b",
            groups="base.group_portal",
            name="Boris Pass6",
            email="boris.pass6@example.com",
        )
        cls.victim_b = cls.env["res.partner"].create(
            {
                "name": "Victor Pass6 Of B",
                "email": "victor.pass6.b@example.org",
                "company_id": cls.company_b.id,
            }
        )

    # ------------------------------------------------------------------ helpers

    def _csrf(self, url="/my/privacy"):
        page = self.url_open(url, headers={"User-Agent": UA})
        self.assertEqual(page.status_code, 200, url)
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def _post(self, url, data, csrf_url="/my/privacy"):
        data = {**data, "csrf_token": self._csrf(csrf_url)}
        return self.url_open(url, data=data, headers={"User-Agent": UA}, allow_redirects=False)

    def _rpc(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _public_request(self, email, request_type="access"):
        """A request sent through /privacy/request by the public user; returns the record."""
        self.authenticate(None, None)
        response = self._post(
            "/privacy/request",
            {"email": email, "request_type": request_type},
            csrf_url="/privacy/request",
        )
        self.assertIn(response.status_code, (200, 302, 303))
        return self.Request.search(
            [("requester_email", "=", tools.email_normalize(email))], order="id desc", limit=1
        )

    def _forge_company_cookie(self):
        self.opener.cookies.set("cids", str(self.company_b.id))
        self.opener.cookies.set("frontend_lang", "xx_XX")

    # ------------------------------------------------------------------ forged context

    def test_portal_forged_company_cookie_and_context(self):
        """A portal customer sets the ``cids`` cookie to another company, a bogus language
        cookie and ``context``/``lang`` query parameters, then records a withdrawal and asks
        for an export; over JSON-RPC it sends ``allowed_company_ids`` of that company.
        Expected: the pages answer as usual, every record made belongs to the customer's own
        company, nothing of the other company shows, and the RPC calls are refused."""
        self.authenticate("hyg_portal", "hyg_portal")
        self._forge_company_cookie()
        forged = json.dumps({"allowed_company_ids": [self.company_b.id], "uid": 1})
        page = self.url_open(f"/my/privacy?context={forged}&lang=xx_XX&cids={self.company_b.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(self.company_b.name, page.text)
        self.assertNotIn(self.victim_b.email, page.text)
        response = self._post(
            "/my/privacy/consent",
            {
                "purpose_id": self.purpose_newsletter.id,
                "consent_action": "withdraw",
                "partner_id": self.victim_b.id,
                "company_id": self.company_b.id,
            },
        )
        self.assertIn(response.status_code, (302, 303))
        expected_company = self.paula.company_id or self.user_portal.company_id
        objection = self.Request.search([("partner_id", "=", self.paula.id)])
        self.assertEqual(objection.mapped("request_type"), ["objection"])
        self.assertEqual(objection.company_id, expected_company)
        self.assertFalse(self.Request.search([("partner_id", "=", self.victim_b.id)]))
        self._post("/my/privacy/export", {"submit": "1", "company_id": self.company_b.id})
        export = self.Request.search(
            [("partner_id", "=", self.paula.id), ("request_type", "=", "portability")]
        )
        self.assertEqual(export.company_id, expected_company)
        context = {"allowed_company_ids": [self.company_b.id]}
        for model, method, args in (
            ("res.partner", "read", [[self.paula.id], ["name"]]),
            ("res.partner", "search_read", [[("id", "=", self.victim_b.id)], ["email"]]),
            ("hygiene.privacy.request", "search_read", [[], ["name"]]),
        ):
            with self.subTest(model=model, method=method), self.assertRaises(JsonRpcException):
                self._rpc(model, method, args, {"context": context})

    def test_public_forged_company_cookie_does_not_move_the_request(self):
        """The public user sends a request with a ``cids`` cookie of another company. Expected:
        the request is the site's company's, as without the cookie."""
        self.authenticate(None, None)
        self._forge_company_cookie()
        req = self._public_request("pass6.cookie@example.net")
        self.assertTrue(req)
        self.assertEqual(req.company_id, self.main)
        self.assertEqual(req.state, "identity")

    # ------------------------------------------------------------------ tokens

    def test_confirmation_token_of_another_request_is_404(self):
        """Two public requests: the token of the first is replayed on the second's id, and on
        ids that are not ids; GET and POST, with the forged company cookie. Expected: 404 for
        each, neither request confirmed; the right pair still confirms once."""
        first = self._public_request("pass6.first@example.net")
        second = self._public_request("pass6.second@example.net")
        token_first = first._hygiene_new_confirm_token()
        token_second = second._hygiene_new_confirm_token()
        self._forge_company_cookie()
        csrf = self._csrf("/privacy/request")
        for url in (
            f"/privacy/request/{second.id}/{token_first}",
            f"/privacy/request/{first.id}/{token_second}",
            f"/privacy/request/0/{token_first}",
            f"/privacy/request/-{first.id}/{token_first}",
            f"/privacy/request/{first.id}/{token_first.upper()}",
            f"/privacy/request/{first.id}/%20{token_first}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
                self.assertEqual(self.url_open(url, data={"csrf_token": csrf}).status_code, 404)
        self.assertEqual((first | second).mapped("state"), ["identity", "identity"])
        ok = self.url_open(f"/privacy/request/{first.id}/{token_first}", data={"csrf_token": csrf})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(first.state, "new")
        self.assertEqual(second.state, "identity")

    def test_other_customers_erasure_and_export_ids_are_ignored(self):
        """Customer A plans an erasure and gets an export; customer B posts the cancel route
        and the export route with A's request ids in the form, and opens A's download link with
        A's token. Expected: A's erasure stays planned, B's own export is B's, the link is 404."""
        self.authenticate("hyg_portal", "hyg_portal")
        self._post("/my/privacy/erase", {"password": "hyg_portal"})
        self._post("/my/privacy/export", {"submit": "1"})
        erasure = self.Request.search(
            [("partner_id", "=", self.paula.id), ("request_type", "=", "erasure")]
        )
        export = self.Request.search(
            [("partner_id", "=", self.paula.id), ("request_type", "=", "portability")]
        )
        self.assertEqual(erasure.state, "in_progress")
        token = export.sudo().export_token
        self.assertTrue(token)
        self.authenticate("hyg_portal_p6b", "hyg_portal_p6b")
        self._post("/my/privacy/erase/cancel", {"request_id": erasure.id, "id": erasure.id})
        self._post("/my/privacy/export", {"request_id": export.id, "partner_id": self.paula.id})
        self.assertEqual(erasure.state, "in_progress")
        self.assertEqual(export.partner_id, self.paula)
        boris = self.user_portal_b.partner_id
        self.assertTrue(self.Request.search([("partner_id", "=", boris.id)]))
        link = f"/my/privacy/export/{export.id}/{token}"
        self.assertEqual(self.url_open(link).status_code, 404)

    # ------------------------------------------------------------------ another company

    def test_public_request_about_another_companys_contact(self):
        """A visitor of the main company's site asks (request form, no account) about the
        address of a contact of company B and confirms it from the link. The request is then
        linked to B's contact. Expected: it belongs to B's register (the contact's company), so
        that B's privacy officer answers it and the main company's officer, who may not read
        B's contacts, does not see it."""
        req = self._public_request(self.victim_b.email, request_type="restriction")
        token = req._hygiene_new_confirm_token()
        csrf = self._csrf("/privacy/request")
        response = self.url_open(f"/privacy/request/{req.id}/{token}", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(req.partner_id, self.victim_b)
        self.assertEqual(
            req.company_id,
            self.victim_b.company_id,
            "a request about company B's contact is filed in another company's register",
        )
        self.assertFalse(
            self.env["hygiene.privacy.request"]
            .with_user(self.user_officer)
            .search([("id", "=", req.id)]),
            "the main company's officer reads a request about company B's contact",
        )

    # ------------------------------------------------------------------ identity window

    def test_restriction_waiting_for_identity(self):
        """GDPR Art. 18 window: a restriction asked through the form waits in state
        ``identity`` until the e-mailed link is confirmed. Probed: what the requester (or
        anyone typing that address) gets in that window. Expected: no restriction, no
        blacklist, no link to the contact, the officer cannot close it as answered; GET on the
        link changes nothing, nor a POST without the CSRF token; a POST with the token makes
        it hold at once."""
        email = self.jeanne.email_normalized
        req = self._public_request(self.jeanne.email, request_type="restriction")
        again = self._public_request(self.jeanne.email, request_type="restriction")
        self.assertNotEqual(req, again, "each form post is its own request")
        self.assertEqual((req | again).mapped("state"), ["identity", "identity"])
        self.assertFalse((req | again).partner_id)
        self.jeanne.invalidate_recordset()
        self.assertFalse(self.jeanne.hygiene_restricted)
        blacklist = self.env["mail.blacklist"].sudo().with_context(active_test=False)
        self.assertFalse(blacklist.search([("email", "=", email)]))
        officer = self.env["hygiene.privacy.request"].with_user(self.user_officer)
        with self.assertRaises(UserError):
            officer.browse(req.id).action_done()
        token = req._hygiene_new_confirm_token()
        url = f"/privacy/request/{req.id}/{token}"
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertEqual(req.state, "identity")
        self.assertIn(
            self.url_open(url, data={"submit": "1"}, allow_redirects=False).status_code,
            (400, 403),
        )
        self.assertEqual(req.state, "identity")
        csrf = self._csrf("/privacy/request")
        self.assertEqual(self.url_open(url, data={"csrf_token": csrf}).status_code, 200)
        self.jeanne.invalidate_recordset()
        self.assertEqual(req.partner_id, self.jeanne)
        self.assertTrue(self.jeanne.hygiene_restricted)
        self.assertTrue(blacklist.search([("email", "=", email), ("active", "=", True)]))

    def test_confirmation_mails_to_one_address_are_limited(self):
        """The form's limit is three requests per hour per IP address. Probed: requests for
        one victim's address coming from several addresses (simulated: the earlier requests'
        IP fingerprints are those of other connections), each sending the victim a
        confirmation mail from the company. Expected: the address gets a bounded number of
        confirmation mails per hour whatever the number of connections (security reference
        P11: per user, per e-mail and per IP)."""
        victim = "pass6.flooded@example.net"
        mails = self.env["mail.mail"].sudo()
        before = mails.search_count([("email_to", "=", victim)])
        for index in range(6):
            req = self._public_request(victim)
            self.assertTrue(req)
            # as if the next one came from another connection
            req.sudo().requester_ip_hash = f"other-connection-{index}"
        sent = mails.search_count([("email_to", "=", victim)]) - before
        self.assertLessEqual(sent, 3, f"{sent} confirmation mails to one address in an hour")
