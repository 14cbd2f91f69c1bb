"""/my/privacy over real HTTP sessions: IDOR, CSRF, GET never changes state, tokens, extra form
keys, throttling, escaping."""

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HygieneCommon

UA = "HygieneBrowser/3.0"


@tagged("post_install", "-at_install", "privacy_portal")
class TestPrivacyPortalHttp(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_other = mail_new_test_user(
            cls.env,
            login="hyg_portal_b",
            groups="base.group_portal",
            name="Bruno Other",
            email="bruno.other@example.com",
        )
        cls.paula = cls.user_portal.partner_id
        cls.Request = cls.env["hygiene.privacy.request"]

    def _csrf(self, page):
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def _page(self):
        page = self.url_open("/my/privacy", headers={"User-Agent": UA})
        self.assertEqual(page.status_code, 200)
        return page

    def _post(self, url, data=None, csrf=True):
        data = dict(data or {"submit": "1"})  # never empty: an empty body is a GET
        if csrf:
            data["csrf_token"] = self._csrf(self._page())
        return self.url_open(url, data=data, headers={"User-Agent": UA}, allow_redirects=False)

    def _requests(self, partner, kind=None):
        domain = [("partner_id", "=", partner.id)]
        if kind:
            domain.append(("request_type", "=", kind))
        return self.Request.sudo().search(domain)

    # ------------------------------------------------------------------ the page

    def test_anonymous_is_sent_to_login(self):
        response = self.url_open("/my/privacy", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_login_speaks_the_customers_language(self):
        """A French customer who browsed the site in English (the login page sets the site's
        language cookie) reads /my/privacy in French once logged in, not in English."""
        self.env["res.lang"]._activate_lang("fr_FR")
        modules = ["portal", "partner_data_hygiene"]
        self.env["ir.module.module"]._load_module_terms(modules, ["fr_FR"])
        if "website" in self.env:
            self.env["website"].search([]).language_ids |= self.env.ref("base.lang_fr")
        self.user_portal.sudo().write({"lang": "fr_FR", "password": "paula-portal-pass-1"})
        # as the browser holds it (host-only, path /): the login's answer must replace it
        self.opener.cookies.set("frontend_lang", "en_US", domain="127.0.0.1", path="/")
        login = self.url_open("/web/login", headers={"User-Agent": UA})
        self.url_open(
            "/web/login",
            data={
                "login": "hyg_portal",
                "password": "paula-portal-pass-1",
                "csrf_token": self._csrf(login),
            },
            headers={"User-Agent": UA},
        )
        page = self._page()
        self.assertIn("/fr/my/privacy", page.url)
        self.assertIn("Mes données", page.text)

    def test_page_shows_what_is_held_and_escapes_markup(self):
        self.env["hygiene.partner.origin"].create(
            {
                "partner_id": self.paula.id,
                "source_id": self.source_fair.id,
                "note": "<img src=x onerror=alert(1)> fair_2021.xlsx, row 14",
                "collected_date": "2021-03-02 10:00:00",
            }
        )
        self.paula.name = "<script>alert('paula')</script>"
        self.authenticate("hyg_portal", "hyg_portal")
        home = self.url_open("/my/home")
        self.assertIn('href="/my/privacy"', home.text)
        page = self._page()
        for section in (
            "held",
            "why",
            "consents",
            "retention",
            "recipients",
            "export",
            "erasure",
            "rights",
        ):
            self.assertIn(f'id="{section}"', page.text)
        self.assertIn("fair_2021.xlsx, row 14", page.text)
        self.assertIn("2021-03-02", page.text)
        self.assertIn("CNIL", page.text)
        self.assertNotIn("<img src=x onerror", page.text)
        self.assertIn("&lt;img src=x onerror", page.text)
        self.assertNotIn("<script>alert('paula')", page.text)
        self.assertEqual(page.headers.get("X-Frame-Options"), "SAMEORIGIN")

    def test_get_never_changes_state(self):
        self.authenticate("hyg_portal", "hyg_portal")
        purpose = self.purpose_newsletter
        for url in (
            f"/my/privacy/consent?purpose_id={purpose.id}&consent_action=grant",
            "/my/privacy/export",
            "/my/privacy/erase?password=hyg_portal",
            "/my/privacy/erase/cancel",
            "/my/privacy",
        ):
            with self.subTest(url=url):
                self.assertIn(self.url_open(url).status_code, (200, 404, 405))
        self.assertFalse(self._requests(self.paula))
        self.assertFalse(self.paula.sudo().hygiene_consent_ids)

    # ------------------------------------------------------------------ consents

    def test_consent_grant_withdraw_with_proof_and_csrf(self):
        self.authenticate("hyg_portal", "hyg_portal")
        purpose = self.purpose_newsletter
        refused = self._post(
            "/my/privacy/consent",
            {"purpose_id": purpose.id, "consent_action": "grant"},
            csrf=False,
        )
        self.assertIn(refused.status_code, (400, 403))
        self.assertFalse(self.paula.sudo().hygiene_consent_ids)
        response = self._post(
            "/my/privacy/consent",
            {
                "purpose_id": purpose.id,
                "consent_action": "grant",
                # extra keys: ignored
                "partner_id": self.user_other.partner_id.id,
                "ip_address": "6.6.6.6",
                "channel": "import",
                "state": "granted",
            },
        )
        self.assertIn(response.status_code, (302, 303))
        event = self.paula.sudo().hygiene_consent_ids
        self.assertEqual(len(event), 1)
        self.assertEqual(event.ip_address, "127.0.0.1")
        self.assertEqual(event.user_agent, UA)
        self.assertEqual(event.channel, "portal")
        self.assertEqual(event.wording_id, purpose.current_wording_id)
        self.assertEqual(event.wording_hash, purpose.current_wording_id.text_hash)
        self.assertFalse(self.user_other.partner_id.sudo().hygiene_consent_ids)
        # withdraw: one click, blacklisted at once
        self._post("/my/privacy/consent", {"purpose_id": purpose.id, "consent_action": "withdraw"})
        self.assertEqual(self._state(self.paula), "withdrawn")
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", self.paula.email_normalized)])
        )

    def test_consent_forged_purpose_is_404(self):
        self.authenticate("hyg_portal", "hyg_portal")
        archived = self.env["hygiene.purpose"].create(
            {"name": "Old", "code": "old", "active": False}
        )
        for data in (
            {"purpose_id": "abc", "consent_action": "grant"},
            {"purpose_id": "-1", "consent_action": "grant"},
            {"purpose_id": "99999999", "consent_action": "grant"},
            {"purpose_id": str(archived.id), "consent_action": "grant"},
            {"purpose_id": str(self.purpose_newsletter.id), "consent_action": "refuse"},
        ):
            with self.subTest(data=data):
                self.assertEqual(self._post("/my/privacy/consent", data).status_code, 404)
        self.assertFalse(self.paula.sudo().hygiene_consent_ids)

    # ------------------------------------------------------------------ export

    def test_export_idor_tokens_and_throttle(self):
        self.authenticate("hyg_portal", "hyg_portal")
        self.assertIn(self._post("/my/privacy/export", csrf=False).status_code, (400, 403))
        self.assertFalse(self._requests(self.paula))
        self._post("/my/privacy/export")
        req = self._requests(self.paula, "portability")
        self.assertEqual(len(req), 1)
        self.assertEqual(req.export_state, "ready")
        token = req.sudo().export_token
        url = f"/my/privacy/export/{req.id}/{token}"
        self.assertIn(f'href="{url}"', self._page().text)
        download = self.url_open(url)
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content[:2], b"PK")
        # the file itself is not reachable by /web/content, even for its owner
        attachment = req.export_attachment_id
        for content_url in (
            f"/web/content/{attachment.id}",
            f"/web/content/{attachment.id}?access_token={token}",
        ):
            response = self.url_open(content_url)
            self.assertNotEqual(response.content[:2], b"PK", content_url)
        # throttled: the second one links to the first
        response = self._post("/my/privacy/export")
        self.assertIn("export_throttled", response.headers["Location"])
        self.assertEqual(len(self._requests(self.paula, "portability")), 1)
        # forged, other id, wrong kinds of id
        for bad in (
            f"/my/privacy/export/{req.id}/{token[:-1]}x",
            f"/my/privacy/export/{req.id}/x",
            f"/my/privacy/export/{req.id + 1000}/{token}",
            f"/my/privacy/export/0/{token}",
        ):
            with self.subTest(url=bad):
                self.assertEqual(self.url_open(bad).status_code, 404)
        # another person, with the right token: 404; nor through /web/content
        self.authenticate("hyg_portal_b", "hyg_portal_b")
        self.assertEqual(self.url_open(url).status_code, 404)
        attachment = req.export_attachment_id
        response = self.url_open(f"/web/content/{attachment.id}")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotEqual(response.content[:2], b"PK")
        self.assertNotIn(url, self._page().text)
        # expired: 404 for the owner too
        self.authenticate("hyg_portal", "hyg_portal")
        req.sudo().with_context().export_expiry = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.url_open(url).status_code, 404)

    # ------------------------------------------------------------------ erasure

    def test_erasure_password_grace_and_cancel(self):
        self.authenticate("hyg_portal", "hyg_portal")
        preview = self.url_open("/my/privacy/erase")
        self.assertEqual(preview.status_code, 200)
        self.assertIn("Kept, and why", preview.text)
        self.assertIn(
            self._post("/my/privacy/erase", {"password": "hyg_portal"}, csrf=False).status_code,
            (400, 403),
        )
        wrong = self._post("/my/privacy/erase", {"password": "wrong"})
        self.assertEqual(wrong.status_code, 200)
        self.assertIn("The password is not correct", wrong.text)
        self.assertFalse(self._requests(self.paula, "erasure"))
        response = self._post(
            "/my/privacy/erase", {"password": "hyg_portal", "erasure_scheduled_date": "2000-01-01"}
        )
        self.assertIn(response.status_code, (302, 303))
        req = self._requests(self.paula, "erasure")
        self.assertEqual(req.state, "in_progress")
        self.assertEqual(req.identity_method, "password")
        self.assertGreater(req.erasure_scheduled_date, fields.Datetime.now() + timedelta(days=13))
        # another person cannot cancel it (their own, empty, is cancelled instead)
        self.authenticate("hyg_portal_b", "hyg_portal_b")
        self._post("/my/privacy/erase/cancel")
        self.assertEqual(req.state, "in_progress")
        self.authenticate("hyg_portal", "hyg_portal")
        self.assertIn("Cancel my erasure request", self._page().text)
        self._post("/my/privacy/erase/cancel")
        self.assertEqual(req.state, "cancelled")

    # ------------------------------------------------------------------ without an account

    def test_public_request_confirm_link_and_throttle(self):
        page = self.url_open("/privacy/request")
        csrf = self._csrf(page)
        response = self.url_open(
            "/privacy/request",
            data={"csrf_token": csrf, "email": "<b>x</b>", "request_type": "access"},
        )
        self.assertIn("valid email", response.text)
        self.assertNotIn("<b>x</b>", response.text)
        mails = self.env["mail.mail"].sudo()
        to_visitors = [("email_to", "like", "visitor%@example.com")]
        before = mails.search_count(to_visitors)
        for index in range(3):
            response = self.url_open(
                "/privacy/request",
                data={
                    "csrf_token": csrf,
                    "email": f"visitor{index}@example.com",
                    "request_type": "erasure",
                    "state": "done",
                    "partner_id": self.paula.id,
                },
            )
            self.assertEqual(response.status_code, 200)
        self.assertEqual(mails.search_count(to_visitors), before + 3)
        response = self.url_open(
            "/privacy/request",
            data={"csrf_token": csrf, "email": "visitor9@example.com", "request_type": "access"},
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(mails.search_count(to_visitors), before + 3)
        req = self.Request.sudo().search([("requester_email", "=", "visitor0@example.com")])
        self.assertEqual(req.state, "identity")
        self.assertFalse(req.partner_id)
        token = req._hygiene_new_confirm_token()
        url = f"/privacy/request/{req.id}/{token}"
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertEqual(req.state, "identity")  # GET only shows
        self.assertEqual(self.url_open(f"/privacy/request/{req.id}/{token}x").status_code, 404)
        self.assertIn(self.url_open(url, data={"submit": "1"}).status_code, (400, 403))
        self.assertEqual(req.state, "identity")
        response = self.url_open(url, data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(req.state, "new")
        self.assertEqual(req.identity_method, "email_link")
        # used: 404
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.url_open(url, data={"csrf_token": csrf}).status_code, 404)
