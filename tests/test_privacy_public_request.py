"""The request form without an account (/privacy/request), beyond the attackers' probes of
``test_attack_pass6.py``: the register a confirmed request is filed in (its contact's company, with
that company's officer and none of another's), a request linked to a contact by an officer, and
what a request over the limit of its address gets (the neutral answer, no mail, no request, a
note on the address's latest request, no address in the logs)."""

import logging
import re

from odoo import tools
from odoo.tests import HttpCase, tagged

from .common import HygieneCommon, company_user

UA = "Mozilla/5.0 (public request)"
LOGGER = "odoo.addons.partner_data_hygiene.controllers.portal_privacy"


@tagged("post_install", "-at_install", "privacy_portal")
class TestPrivacyPublicRequest(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["hygiene.privacy.request"].sudo()
        cls.main = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "Public Request Co B"})
        cls.officer_b = company_user(
            cls.env,
            "hyg_officer_pub_b",
            ["partner_data_hygiene.group_hygiene_officer"],
            cls.company_b,
        )
        cls.contact_b = cls.env["res.partner"].create(
            {
                "name": "Berta Of B",
                "email": "berta.public.b@example.org",
                "company_id": cls.company_b.id,
            }
        )

    def _csrf(self):
        page = self.url_open("/privacy/request", headers={"User-Agent": UA})
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def _ask(self, email, request_type="access"):
        """The form posted for ``email``: (response, latest request of that address)."""
        response = self.url_open(
            "/privacy/request",
            data={"email": email, "request_type": request_type, "csrf_token": self._csrf()},
            headers={"User-Agent": UA},
            allow_redirects=False,
        )
        normalized = tools.email_normalize(email)
        latest = self.Request.search(
            [("requester_email", "=", normalized)], order="id desc", limit=1
        )
        return response, latest

    def _confirm(self, req):
        token = req._hygiene_new_confirm_token()
        response = self.url_open(
            f"/privacy/request/{req.id}/{token}", data={"csrf_token": self._csrf()}
        )
        self.assertEqual(response.status_code, 200)

    # ------------------------------------------------------------------ the register

    def test_confirmed_request_moves_to_its_contacts_register(self):
        """Created in the site's company, with a to-do for its officer; confirmed about
        company B's contact, it moves to B with a to-do for B's officer only, and no user of
        the main company stays on it (responsible, to-do, follower)."""
        __, req = self._ask(self.contact_b.email)
        self.assertEqual(req.company_id, self.main)
        officer_main = req.activity_ids.user_id
        self.assertEqual(len(officer_main), 1)
        self.assertNotIn(self.company_b, officer_main.company_ids)
        req.message_subscribe(partner_ids=self.user_officer.partner_id.ids)
        req.user_id = self.user_officer
        self._confirm(req)
        self.assertEqual(req.partner_id, self.contact_b)
        self.assertEqual(req.company_id, self.company_b)
        self.assertEqual(req.activity_ids.user_id, self.officer_b)
        self.assertFalse(req.user_id)
        self.assertNotIn(self.user_officer.partner_id, req.message_follower_ids.partner_id)
        officer_b = self.env["hygiene.privacy.request"].with_user(self.officer_b)
        self.assertEqual(officer_b.search([("id", "=", req.id)]), req)

    def test_shared_contact_leaves_the_request_in_the_sites_register(self):
        shared = self.env["res.partner"].create(
            {"name": "Sam Shared", "email": "sam.shared.public@example.org"}
        )
        __, req = self._ask(shared.email)
        self._confirm(req)
        self.assertEqual(req.partner_id, shared)
        self.assertEqual(req.company_id, self.main)
        self.assertEqual(len(req.activity_ids), 1)
        self.assertIn(self.main, req.activity_ids.user_id.company_ids)

    def test_officer_linking_a_contact_files_the_request_in_its_company(self):
        """An officer of both companies links a request of the main company to B's contact:
        the request follows the contact, unless the same write names the company."""
        self.user_manager.company_ids |= self.company_b
        Request = self.env["hygiene.privacy.request"].with_user(self.user_manager)
        req = Request.create({"request_type": "access", "description": "by phone"})
        self.assertEqual(req.company_id, self.main)
        req.partner_id = self.contact_b
        self.assertEqual(req.company_id, self.company_b)
        other = Request.create({"request_type": "access", "partner_id": self.contact_b.id})
        self.assertEqual(other.company_id, self.company_b)
        kept = Request.create({"request_type": "access"})
        kept.write({"partner_id": self.contact_b.id, "company_id": self.main.id})
        self.assertEqual(kept.company_id, self.main)

    # ------------------------------------------------------------------ limit per address

    def test_over_the_address_limit(self):
        """Three requests for one address in the hour (from three connections), then more:
        each further one gets the answer of a sent request, sends no mail, creates no
        request and is noted on the address's latest request; a known address and an unknown
        one get the same answer; no log line holds the address."""
        mails = self.env["mail.mail"].sudo()
        for email in (self.jeanne.email, "nobody.public.limit@example.net"):
            normalized = tools.email_normalize(email)
            first = None
            for index in range(3):
                response, req = self._ask(email)
                first = first or response
                req.requester_ip_hash = f"elsewhere-{index}"
            count = self.Request.search_count([("requester_email", "=", normalized)])
            sent = mails.search_count([("email_to", "=", normalized)])
            with self.assertLogs(LOGGER, logging.INFO) as logs:
                response, latest = self._ask(email, request_type="erasure")
            self.assertEqual(response.status_code, first.status_code)
            self.assertEqual(response.headers.get("Location"), first.headers.get("Location"))
            self.assertEqual(latest, req)
            self.assertEqual(
                self.Request.search_count([("requester_email", "=", normalized)]), count
            )
            self.assertEqual(mails.search_count([("email_to", "=", normalized)]), sent)
            self.assertIn("Erasure", latest.message_ids[:1].body)
            self.assertFalse([line for line in logs.output if normalized in line.lower()])
            page = self.url_open(response.headers["Location"], headers={"User-Agent": UA})
            self.assertEqual(page.status_code, 200)
