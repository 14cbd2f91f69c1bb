"""Re-permission: the mail before expiry, its single-use link, and the answer "yes"."""

import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .test_retention_policy import RetentionCommon


class RepermissionCommon(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # due in 10 days: inside the 30-day re-permission window
        start = cls.now - relativedelta(months=36) + timedelta(days=10)
        cls.asked = cls._partner(
            "Asked Person", "RET-ASK", activity=start, email="asked.person@example.com"
        )
        cls.no_email = cls._partner("No Email", "RET-ASK", activity=start)
        cls.far = cls._partner(
            "Far Person",
            "RET-ASK",
            activity=cls.now - relativedelta(months=12),
            email="far.person@example.com",
        )
        cls.policy = cls._policy("Ask first", "[('ref', '=', 'RET-ASK')]", repermission_days=30)

    def _send(self):
        return self.env["hygiene.repermission"]._cron_send()

    def _request(self, partner):
        return self.env["hygiene.repermission"].search([("partner_id", "=", partner.id)])


@tagged("post_install", "-at_install")
class TestRepermissionMail(RepermissionCommon):
    def test_mail_sent_once_per_period_with_a_personal_link(self):
        journal_before = self.env["hygiene.journal"].search_count([])
        sent = self._send()
        self.assertEqual(sent, 1)
        request = self._request(self.asked)
        self.assertEqual(request.state, "sent")
        self.assertEqual(request.due_date, self.asked.hygiene_retention_due_date)
        self.assertFalse(self._request(self.no_email), "no email, no mail")
        self.assertFalse(self._request(self.far), "not yet in the window")
        mail = self.env["mail.mail"].search([("model", "=", "hygiene.repermission")])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.asked)
        self.assertIn(request.stay_url, mail.body_html)
        self.assertTrue(mail.auto_delete, "the mail with its link is deleted once sent")
        # the link is in no chatter message
        token = request.stay_url.rsplit("/", 1)[1]
        self.assertFalse(
            self.env["mail.message"].search(
                [("body", "ilike", token), ("message_type", "!=", "email_outgoing")]
            )
        )
        self.assertTrue(self.asked.hygiene_repermission_sent_date)
        entry = self.env["hygiene.journal"].search([], limit=1)
        self.assertEqual(self.env["hygiene.journal"].search_count([]), journal_before + 1)
        self.assertEqual(entry.operation, "repermission")
        self.assertEqual(entry.counts, {"res.partner": 1})
        self.assertFalse(entry.record_ids, "counts only")
        # the next day: nothing new for the same period
        self.assertEqual(self._send(), 0)
        self.assertEqual(len(self._request(self.asked)), 1)

    def test_blacklisted_person_is_not_asked(self):
        self.env["mail.blacklist"]._add("asked.person@example.com")
        self.assertEqual(self._send(), 0)

    def test_no_mail_without_delay(self):
        self.policy.repermission_days = 0
        self.assertEqual(self._send(), 0)

    def test_yes_records_consent_with_proof_and_moves_the_due_date(self):
        self._send()
        request = self._request(self.asked)
        due_before = self.asked.hygiene_retention_due_date
        consent = request._hygiene_confirm(ip_address="203.0.113.7", user_agent="TestAgent/1.0")
        self.assertEqual(consent.partner_id, self.asked)
        self.assertEqual(
            consent.purpose_id, self.env.ref("partner_data_hygiene.purpose_keep_contact")
        )
        self.assertEqual(consent.channel, "re_permission")
        self.assertEqual(consent.action, "grant")
        self.assertEqual(consent.sudo().ip_address, "203.0.113.7")
        self.assertEqual(consent.sudo().user_agent, "TestAgent/1.0")
        self.assertTrue(consent.wording_hash)
        self.assertEqual(request.state, "confirmed")
        self.env.invalidate_all()
        self.assertEqual(self.asked.hygiene_last_activity_source, "consent")
        self.assertGreater(self.asked.hygiene_retention_due_date, due_before)
        # once answered, the link is dead
        token = request._hygiene_token()
        self.assertFalse(self.env["hygiene.repermission"]._hygiene_from_token(request.id, token))

    def test_no_answer_lets_the_end_action_come(self):
        self._send()
        due_on = self.asked.hygiene_retention_due_date
        domain = self.policy._hygiene_due_partners_domain(due_on)
        self.assertIn(self.asked, self.Partner.search(domain))
        self.assertNotIn(
            self.asked, self.Partner.search(self.policy._hygiene_due_partners_domain(self.today))
        )

    def test_tokens_are_checked(self):
        self._send()
        request = self._request(self.asked)
        Request = self.env["hygiene.repermission"]
        token = request._hygiene_token()
        self.assertEqual(Request._hygiene_from_token(request.id, token), request)
        for request_id, bad in (
            (request.id, ""),
            (request.id, token[:-1] + ("0" if token[-1] != "0" else "1")),
            (request.id + 1000, token),
            (-1, token),
            (request.id, "x" * 500),
        ):
            with self.subTest(request_id=request_id, token=bad[:10]):
                self.assertFalse(Request._hygiene_from_token(request_id, bad))
        request.sudo().expiry_date = fields.Datetime.now() - timedelta(seconds=1)
        self.assertFalse(Request._hygiene_from_token(request.id, token), "expired")


@tagged("post_install", "-at_install")
class TestRepermissionPage(HttpCase, RepermissionCommon):
    def setUp(self):
        super().setUp()
        self._send()
        self.request = self._request(self.asked)
        self.url = f"/hygiene/stay/{self.request.id}/{self.request._hygiene_token()}"

    def _csrf(self, page):
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def test_get_shows_the_question_and_changes_nothing(self):
        for __ in range(2):  # e.g. a mail scanner, then the person
            page = self.url_open(self.url)
            self.assertEqual(page.status_code, 200)
            self.assertIn("Yes, I want to stay", page.text)
        self.assertEqual(self.request.state, "sent")
        self.assertFalse(self.env["hygiene.consent"].search([("partner_id", "=", self.asked.id)]))

    def test_post_yes_records_the_answer(self):
        page = self.url_open(self.url)
        response = self.url_open(
            self.url + "/confirm",
            data={"csrf_token": self._csrf(page), "answer": "yes"},
            headers={"User-Agent": "HygieneBrowser/2.0"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.request.state, "confirmed")
        consent = self.request.consent_id.sudo()
        self.assertEqual(consent.user_agent, "HygieneBrowser/2.0")
        self.assertEqual(consent.ip_address, "127.0.0.1")
        self.assertNotIn(self.request._hygiene_token(), consent.page_url)
        self.assertEqual(self.asked.hygiene_last_activity_source, "consent")
        # used: the same link is now a 404, for the page and the answer
        self.assertEqual(self.url_open(self.url).status_code, 404)

    def test_post_without_csrf_is_refused(self):
        response = self.url_open(self.url + "/confirm", data={"answer": "yes"})
        self.assertIn(response.status_code, (400, 403))
        self.assertEqual(self.request.state, "sent")

    def test_forged_expired_and_wrong_links_are_404(self):
        token = self.request._hygiene_token()
        forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
        for url in (
            f"/hygiene/stay/{self.request.id}/{forged}",
            f"/hygiene/stay/{self.request.id + 999}/{token}",
            f"/hygiene/stay/0/{token}",
            f"/hygiene/stay/{self.request.id}/x",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        page = self.url_open(self.url)
        csrf = self._csrf(page)
        response = self.url_open(
            f"/hygiene/stay/{self.request.id}/{forged}/confirm", data={"csrf_token": csrf}
        )
        self.assertEqual(response.status_code, 404)
        self.request.sudo().expiry_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.url_open(self.url).status_code, 404)
        response = self.url_open(self.url + "/confirm", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.request.state, "sent")

    def test_get_on_the_answer_route_changes_nothing(self):
        response = self.url_open(self.url + "/confirm")
        self.assertIn(response.status_code, (404, 405))
        self.assertEqual(self.request.state, "sent")

    def test_link_is_dead_after_erasure(self):
        """Security review L4: a mail link of a person erased since is a 404."""
        self.asked._hygiene_retention_execute("anonymize", reason="manual")
        self.assertEqual(self.url_open(self.url).status_code, 404)
        self.assertEqual(self.request.sudo().state, "sent")

    def test_page_url_of_the_proof_ignores_the_host_header(self):
        """Security review L10: the proof's page is the database's address."""
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://shop.example")
        self.env["ir.config_parameter"].sudo().set_param("web.base.url.freeze", "1")
        page = self.url_open(self.url)
        self.url_open(self.url + "/confirm", data={"csrf_token": self._csrf(page), "answer": "yes"})
        self.env.invalidate_all()
        consent = self.request.consent_id.sudo()
        self.assertEqual(consent.page_url, f"https://shop.example/hygiene/stay/{self.request.id}")
