"""An attacker's pass on /my/privacy and /privacy/request (issue 17), over real HTTP sessions:
each test is a finding that was exploitable before its fix, or a probe that must stay blocked."""

import io
import json
import re
import zipfile
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HygieneCommon


@tagged("post_install", "-at_install", "privacy_portal")
class TestAttackPortal(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["hygiene.privacy.request"]
        cls.paula = cls.user_portal.partner_id

    def _csrf(self, url="/my/privacy"):
        page = self.url_open(url)
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def _post(self, url, data):
        data = {**data, "csrf_token": self._csrf()}
        return self.url_open(url, data=data, allow_redirects=False)

    # ------------------------------------------------------------------ export download

    def test_export_token_alone_does_not_open_the_file(self):
        """The download link's token was the attachment's access_token: /web/content served
        the export with it to anyone, without a session and after the download expiry (until
        the daily clean-up), bypassing the route's login and ownership checks."""
        self.authenticate("hyg_portal", "hyg_portal")
        self._post("/my/privacy/export", {"submit": "1"})
        req = self.Request.sudo().search(
            [("partner_id", "=", self.paula.id), ("request_type", "=", "portability")]
        )
        self.assertEqual(req.export_state, "ready")
        link = re.search(
            r'href="(/my/privacy/export/\d+/[^"]+)"', self.url_open("/my/privacy").text
        )
        self.assertTrue(link)
        token = link.group(1).rsplit("/", 1)[1]
        self.assertEqual(self.url_open(link.group(1)).content[:2], b"PK")
        attachment = req.export_attachment_id
        self.authenticate(None, None)
        for url in (
            f"/web/content/{attachment.id}?access_token={token}",
            f"/web/content/ir.attachment/{attachment.id}/datas?access_token={token}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertNotEqual(response.content[:2], b"PK")
        # another portal user holding the link: still nothing
        mail_new_test_user(self.env, login="hyg_atk_b", groups="base.group_portal")
        self.authenticate("hyg_atk_b", "hyg_atk_b")
        self.assertNotEqual(
            self.url_open(f"/web/content/{attachment.id}?access_token={token}").content[:2], b"PK"
        )
        self.assertEqual(self.url_open(link.group(1)).status_code, 404)
        # expired, before the clean-up job: nothing either
        req.sudo().export_expiry = fields.Datetime.now() - timedelta(minutes=1)
        self.authenticate(None, None)
        self.assertNotEqual(
            self.url_open(f"/web/content/{attachment.id}?access_token={token}").content[:2], b"PK"
        )

    def test_export_of_an_email_typed_on_my_account_leaks_nothing(self):
        """/my/account lets a portal user type any email, unverified; the export then listed the
        mailing-list subscriptions of that address: another person's lists and dates."""
        if "mailing.subscription" not in self.env:
            self.skipTest("mass_mailing is not installed")
        secret_list = self.env["mailing.list"].create({"name": "Board Private List ATK"})
        self.env["mailing.contact"].create(
            {
                "name": "Victor Victim",
                "email": "victor.victim@atk.example",
                "list_ids": [fields.Command.link(secret_list.id)],
            }
        )
        self.authenticate("hyg_portal", "hyg_portal")
        response = self.url_open(
            "/my/account",
            data={
                "csrf_token": self._csrf("/my/account"),
                "name": "Paula Portal",
                "email": "victor.victim@atk.example",
                "phone": "0600000000",
                "street": "1 rue X",
                "city": "Paris",
                "zipcode": "75001",
                "country_id": str(self.env.ref("base.fr").id),
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self.paula.email, "victor.victim@atk.example")
        self._post("/my/privacy/export", {"submit": "1"})
        req = self.Request.sudo().search(
            [("partner_id", "=", self.paula.id), ("request_type", "=", "portability")]
        )
        with zipfile.ZipFile(io.BytesIO(req.export_attachment_id.raw)) as archive:
            document = json.loads(archive.read("personal_data.json"))
        self.assertNotIn("Board Private List ATK", json.dumps(document))

    # ------------------------------------------------------------------ erasure of others

    def test_portal_erasure_of_a_company_never_reaches_its_people(self):
        """A portal account on a company contact asked for "its" erasure with its password: the
        grace period ended and the engine anonymised the company and every employee contact
        under it (other people, who asked nothing). From the portal, a company, or a tree that
        holds someone else's account, goes to the privacy officer instead."""
        Partner = self.env["res.partner"]
        company = Partner.create(
            {"name": "Acme Attack SARL", "is_company": True, "email": "contact@acme-atk.example"}
        )
        colleague = Partner.create(
            {
                "name": "Colette Collegue",
                "parent_id": company.id,
                "email": "colette@acme-atk.example",
                "phone": "0611223344",
            }
        )
        user = mail_new_test_user(
            self.env, login="hyg_atk_company", groups="base.group_portal", partner_id=company.id
        )
        self.assertEqual(user.partner_id, company)
        self.authenticate("hyg_atk_company", "hyg_atk_company")
        response = self._post("/my/privacy/erase", {"password": "hyg_atk_company"})
        self.assertIn(response.status_code, (200, 302, 303))
        req = self.Request.sudo().search(
            [("partner_id", "=", company.id), ("request_type", "=", "erasure")]
        )
        self.assertEqual(len(req), 1, "the request is recorded for the officer")
        # long after any grace period, the job leaves the colleague alone
        if req.erasure_scheduled_date:
            req.sudo().erasure_scheduled_date = fields.Datetime.now() - timedelta(days=1)
        self.Request.sudo()._cron_hygiene_erasures()
        self.assertEqual(colleague.name, "Colette Collegue")
        self.assertEqual(colleague.email, "colette@acme-atk.example")
        self.assertFalse(req.erasure_scheduled_date, "no automatic erasure of a company")
        self.assertEqual(req.state, "new")
        # posting again does not pile up requests
        self._post("/my/privacy/erase", {"password": "hyg_atk_company"})
        self.assertEqual(
            self.Request.sudo().search_count(
                [("partner_id", "=", company.id), ("request_type", "=", "erasure")]
            ),
            1,
        )

    def test_portal_erasure_of_a_person_still_planned(self):
        """The fix above leaves a person's own erasure as it was: planned after the grace."""
        self.authenticate("hyg_portal", "hyg_portal")
        self._post("/my/privacy/erase", {"password": "hyg_portal"})
        req = self.Request.sudo().search(
            [("partner_id", "=", self.paula.id), ("request_type", "=", "erasure")]
        )
        self.assertTrue(req.erasure_scheduled_date)
        self.assertEqual(req.state, "in_progress")

    # ------------------------------------------------------------------ probes that must hold

    def test_probes_blocked(self):
        """GET on the POST routes, no CSRF, spoofed X-Forwarded-For against the per-IP limit,
        RPC on the register as portal and employee."""
        self.authenticate("hyg_portal", "hyg_portal")
        for url in ("/my/privacy/export", "/my/privacy/consent", "/my/privacy/erase/cancel"):
            with self.subTest(url=url):
                self.assertNotEqual(self.url_open(url, allow_redirects=False).status_code, 200)
        self.assertIn(
            self.url_open(
                "/my/privacy/erase", data={"password": "hyg_portal"}, allow_redirects=False
            ).status_code,
            (400, 403),
        )
        self.assertFalse(self.Request.sudo().search([("partner_id", "=", self.paula.id)]))
        self.authenticate(None, None)
        csrf = self._csrf("/privacy/request")
        codes = []
        for index in range(4):
            response = self.url_open(
                "/privacy/request",
                data={
                    "csrf_token": csrf,
                    "email": f"x{index}@atk.example",
                    "request_type": "access",
                },
                headers={"X-Forwarded-For": f"10.0.0.{index}", "X-Real-IP": f"10.0.1.{index}"},
            )
            codes.append(response.status_code)
        self.assertEqual(codes[-1], 429, codes)
        # the answer does not tell whether the address is known
        known = self.url_open(
            "/privacy/request",
            data={"csrf_token": csrf, "email": self.paula.email, "request_type": "access"},
            headers={"X-Forwarded-For": "10.9.9.9"},
        )
        self.assertEqual(known.status_code, 429)
        for user in (self.user_portal, self.user_employee):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Request.with_user(user).search_read([], ["name", "partner_id"])
                with self.assertRaises(AccessError):
                    self.Request.with_user(user).create(
                        {"request_type": "erasure", "partner_id": self.jeanne.id}
                    )
