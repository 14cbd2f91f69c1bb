""" "Check your details" requests (issue 19, point 5): the mail and its single-use link, the
public page (GET shows, POST answers, CSRF), corrections as proposals a steward reviews field by
field, the answer as an activity of the person; and what an attacker tries on the page."""

import hashlib
import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..models import hygiene_entry_rules as rules
from .common import HygieneCommon


class DetailsCommon(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jeanne.write(
            {"street": "3 rue des Lilas", "zip": "75011", "city": "Paris", "mobile": False}
        )
        cls.Partner = cls.env["res.partner"].with_user(cls.user_steward)

    def _send(self, partners, user=None):
        """Send the request; return ``(requests, {partner: url})`` (the urls from the mails)."""
        partners = partners.with_user(user or self.user_steward)
        before = self.env["mail.mail"].search([]).ids
        requests = (
            self.env["hygiene.details.request"]
            .with_user(user or self.user_steward)
            ._hygiene_send(partners)
        )
        mails = self.env["mail.mail"].search([("id", "not in", before)])
        urls = {}
        for mail in mails:
            match = re.search(r'href="([^"]*/hygiene/details/[^"]+)"', mail.body_html)
            urls[mail.recipient_ids] = match.group(1)
        return requests.sudo(), urls

    def _path(self, url):
        return "/hygiene/details/" + url.rsplit("/", 1)[1]


@tagged("post_install", "-at_install")
class TestDetailsRequest(DetailsCommon):
    def test_mail_with_a_personal_link_whose_token_is_stored_only_hashed(self):
        requests, urls = self._send(self.jeanne | self.marc)
        self.assertEqual(len(requests), 2)
        self.assertEqual(set(urls), {self.jeanne, self.marc})
        token = urls[self.jeanne].rsplit("/", 1)[1]
        self.assertGreaterEqual(len(token), 43, "256 bits")
        request = requests.filtered(lambda r: r.partner_id == self.jeanne)
        self.assertEqual(request.token_hash, hashlib.sha256(token.encode()).hexdigest())
        self.assertNotEqual(urls[self.jeanne], urls[self.marc])
        mail = self.env["mail.mail"].search([("model", "=", "hygiene.details.request")], limit=1)
        self.assertTrue(mail.auto_delete, "the mail holding the link is deleted once sent")
        # the token is nowhere in the database but in the queued mail
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM hygiene_details_request WHERE token_hash = %s "
            "OR token_hash ILIKE %s",
            [token, f"%{token}%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # in no chatter: only the outgoing mail itself (deleted once sent) holds it
        self.assertFalse(
            self.env["mail.message"].search(
                [("body", "ilike", token), ("message_type", "!=", "email_outgoing")]
            )
        )

    def test_only_stewards_send_and_nobody_forges_a_request_or_a_proposal(self):
        for user in (self.user_employee, self.user_hygiene):
            with self.assertRaises(AccessError):
                self.env["hygiene.details.request"].with_user(user)._hygiene_send(self.jeanne)
            with self.assertRaises(AccessError):
                self.jeanne.with_user(user).action_hygiene_check_details()
        with self.assertRaises(AccessError):
            self.env["hygiene.details.request"].with_user(self.user_manager).create(
                {"partner_id": self.jeanne.id, "token_hash": "0" * 64}
            )
        requests, __ = self._send(self.jeanne)
        with self.assertRaises(AccessError):
            requests.with_user(self.user_manager).write({"state": "sent", "token_hash": "x"})
        with self.assertRaises(AccessError):
            self.env["hygiene.details.proposal"].with_user(self.user_manager).create(
                {"request_id": requests.id, "field_name": "email", "new_value": "x@example.com"}
            )
        with self.assertRaises(AccessError):
            requests.with_user(self.user_hygiene).read(["state"])
        with self.assertRaises(AccessError):
            requests.with_user(self.user_steward).read(["token_hash"])

    def test_no_email_no_request_and_a_new_request_kills_the_old_link(self):
        nomail = self.env["res.partner"].create({"name": "Sans Mail"})
        with self.assertRaises(UserError):
            self._send(nomail)
        self.env["mail.blacklist"].sudo()._add(self.marc.email)
        requests, __ = self._send(self.jeanne | self.marc)
        self.assertEqual(requests.partner_id, self.jeanne, "no mail to a blacklisted address")
        first, urls = self._send(self.jeanne)
        second, __ = self._send(self.jeanne)
        self.assertEqual(first.state, "cancelled")
        self.assertFalse(first.token_hash)
        Request = self.env["hygiene.details.request"]
        self.assertFalse(Request._hygiene_from_token(urls[self.jeanne].rsplit("/", 1)[1]))
        self.assertEqual(second.state, "sent")

    def test_answer_confirms_or_proposes_and_never_writes_the_contact(self):
        request, __ = self._send(self.jeanne)
        held = dict(request._hygiene_current_values())
        proposals = request._hygiene_answer(
            {
                **held,
                "email": "jeanne.nouvelle@example.fr",
                "mobile": "06 11 22 33 44",
                "vat": "FR00000000000",  # not a field of the page: ignored
                "hygiene_birthdate": "1900-01-01",
            }
        )
        self.assertEqual(
            set(proposals.mapped("field_name")), {"email", "mobile"}, "one proposal per change"
        )
        self.assertEqual(self.jeanne.email, held["email"], "nothing written before review")
        self.assertFalse(self.jeanne.vat)
        self.assertEqual(request.state, "corrected")
        self.assertFalse(request.token_hash, "the link is dead once used")
        self.assertEqual(self.jeanne.hygiene_last_activity_source, "details_check")
        with self.assertRaises(UserError):
            request._hygiene_answer(held)

    def test_steward_accepts_and_rejects_field_by_field(self):
        request, __ = self._send(self.jeanne)
        held = request._hygiene_current_values()
        proposals = request._hygiene_answer(
            {**held, "email": "jeanne.nouvelle@example.fr", "city": "Lyon"}
        )
        email = proposals.filtered(lambda p: p.field_name == "email")
        city = proposals.filtered(lambda p: p.field_name == "city")
        with self.assertRaises(AccessError):
            email.with_user(self.user_hygiene).action_accept()
        email.with_user(self.user_steward).action_accept()
        self.assertEqual(self.jeanne.email, "jeanne.nouvelle@example.fr")
        self.assertEqual(request.state, "corrected", "the city is still to review")
        city.with_user(self.user_steward).action_reject()
        self.assertEqual(self.jeanne.city, "Paris")
        self.assertEqual(request.state, "reviewed")
        self.assertEqual((email | city).mapped("reviewed_by_id"), self.user_steward)
        with self.assertRaises(UserError):
            city.with_user(self.user_steward).action_accept()

    def test_an_accepted_value_goes_through_the_rules_at_entry(self):
        request, __ = self._send(self.jeanne)
        proposals = request._hygiene_answer(
            {**request._hygiene_current_values(), "email": self.marc.email}
        )
        self.env["ir.config_parameter"].sudo().set_param(rules.PARAM_DUPLICATE_POLICY, "block")
        with self.assertRaises(ValidationError):
            proposals.with_user(self.user_steward).action_accept()
        self.assertEqual(proposals.state, "pending")

    def test_confirmation_moves_the_retention_clock(self):
        old = fields.Datetime.now() - timedelta(days=400)
        self.jeanne._hygiene_register_activity("inbound_email", old)
        request, __ = self._send(self.jeanne)
        self.assertFalse(request._hygiene_answer(request._hygiene_current_values()))
        self.assertEqual(request.state, "confirmed")
        self.assertGreater(self.jeanne.hygiene_last_activity_date, old)
        self.assertEqual(self.jeanne.hygiene_last_activity_source, "details_check")

    def test_link_dead_when_expired_or_the_contact_erased(self):
        request, urls = self._send(self.jeanne | self.marc)
        Request = self.env["hygiene.details.request"]
        token = urls[self.jeanne].rsplit("/", 1)[1]
        self.assertTrue(Request._hygiene_from_token(token))
        request.filtered(lambda r: r.partner_id == self.jeanne).write(
            {"expiry_date": fields.Datetime.now() - timedelta(seconds=1)}
        )
        self.assertFalse(Request._hygiene_from_token(token))
        marc_request = request.filtered(lambda r: r.partner_id == self.marc)
        marc_request._hygiene_answer({"city": "Marseille"})
        self.marc.with_user(self.user_officer)._hygiene_retention_execute(
            "anonymize", reason="manual"
        )
        self.assertFalse(Request._hygiene_from_token(urls[self.marc].rsplit("/", 1)[1]))
        # the requests, the proposed values and the queued mail with the link are gone
        self.assertFalse(Request.sudo().search([("partner_id", "=", self.marc.id)]))
        self.assertFalse(
            self.env["hygiene.details.proposal"].sudo().search([("new_value", "=", "Marseille")])
        )
        mail = self.env["mail.mail"].search(
            [("model", "=", "hygiene.details.request"), ("res_id", "=", marc_request.id)]
        )
        self.assertTrue(mail)
        self.assertEqual(mail.state, "cancel", "the queued mail is not sent")
        self.assertNotIn(urls[self.marc].rsplit("/", 1)[1], mail.body_html or "")


@tagged("post_install", "-at_install")
class TestDetailsPage(HttpCase, DetailsCommon):
    def setUp(self):
        super().setUp()
        self.request_record, urls = self._send(self.jeanne)
        self.path = self._path(urls[self.jeanne])

    def _csrf(self, page):
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)

    def _post(self, path, data, page=None):
        page = page or self.url_open(self.path)
        return self.url_open(path, data={"csrf_token": self._csrf(page), **data})

    def test_get_shows_the_details_and_changes_nothing(self):
        for __ in range(2):  # mail scanners open links: a GET is harmless, as often as it comes
            page = self.url_open(self.path)
            self.assertEqual(page.status_code, 200)
        self.assertIn("Jeanne.Lefevre@Example.fr", page.text)
        self.assertIn("rue des Lilas", page.text)
        self.assertEqual(page.headers.get("Cache-Control"), "no-store")
        self.assertEqual(page.headers.get("Referrer-Policy"), "no-referrer")
        self.assertEqual(self.request_record.state, "sent")
        self.assertFalse(self.jeanne.hygiene_last_activity_date)

    def test_post_confirm(self):
        response = self._post(self.path, {"answer": "confirm", "email": "changed@example.fr"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you", response.text)
        self.assertEqual(self.request_record.state, "confirmed")
        self.assertFalse(self.request_record.proposal_ids, "confirm ignores the fields")
        self.assertEqual(self.jeanne.hygiene_last_activity_source, "details_check")
        self.assertEqual(self.url_open(self.path).status_code, 404, "single use")

    def test_post_corrections_land_as_proposals(self):
        page = self.url_open(self.path)
        values = dict(self.request_record._hygiene_current_values())
        values.update(answer="correct", phone="01 23 45 67 89", city="Paris <script>x</script>")
        response = self._post(self.path, values, page)
        self.assertEqual(response.status_code, 200)
        proposals = self.request_record.proposal_ids
        self.assertEqual(set(proposals.mapped("field_name")), {"phone", "city"})
        self.assertEqual(self.jeanne.city, "Paris", "nothing written from the anonymous page")
        self.assertEqual(self.jeanne.phone, "0612345678")
        second = self._post(self.path, values, page)
        self.assertEqual(second.status_code, 404)
        self.assertEqual(len(self.request_record.proposal_ids), 2)

    def test_invalid_email_is_shown_and_the_link_stays_valid(self):
        values = dict(self.request_record._hygiene_current_values())
        response = self._post(self.path, {**values, "answer": "correct", "email": "jeanne@@x"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("invalid-feedback", response.text)
        self.assertEqual(self.request_record.state, "sent")
        self.assertEqual(self.url_open(self.path).status_code, 200)

    @mute_logger("odoo.http")
    def test_post_without_csrf_is_refused(self):
        response = self.url_open(self.path, data={"answer": "confirm"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.request_record.state, "sent")

    def test_forged_malformed_and_other_links_are_the_same_404(self):
        token = self.path.rsplit("/", 1)[1]
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        page = self.url_open(self.path)
        for path in (
            f"/hygiene/details/{forged}",
            f"/hygiene/details/{token[:20]}",
            f"/hygiene/details/{token}x",
            f"/hygiene/details/{self.request_record.sudo().token_hash}",
            "/hygiene/details/%27%20OR%201%3D1--",
        ):
            self.assertEqual(self.url_open(path).status_code, 404, path)
            response = self.url_open(path, data={"csrf_token": self._csrf(page)})
            self.assertEqual(response.status_code, 404, path)
        self.assertEqual(self.request_record.state, "sent")

    def test_a_logged_in_user_gets_no_more_than_anyone(self):
        """The page acts on the token only: a logged-in employee still only proposes."""
        self.user_employee.password = "hyg_employee"
        self.authenticate("hyg_employee", "hyg_employee")
        page = self.url_open(self.path)
        values = dict(self.request_record._hygiene_current_values(), email="x@example.org")
        self._post(self.path, {**values, "answer": "correct"}, page)
        self.assertNotEqual(self.jeanne.email, "x@example.org")
        self.assertEqual(self.request_record.proposal_ids.field_name, "email")
