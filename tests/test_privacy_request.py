import io
import json
import zipfile
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models.hygiene_privacy_request import TODO_OVERDUE
from ..tools import privacy_export
from .common import HygieneCommon


@tagged("post_install", "-at_install", "privacy_portal")
class TestPrivacyRequest(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["hygiene.privacy.request"]

    def _request(self, **values):
        return self.Request.with_user(self.user_officer).create(
            {"request_type": "access", "partner_id": self.jeanne.id, **values}
        )

    def test_due_date_calendar_month(self):
        """31 January + 1 calendar month = 28 February (29 in a leap year), not +30 days."""
        self.assertEqual(self._request(received_date="2025-01-31").due_date, date(2025, 2, 28))
        self.assertEqual(self._request(received_date="2024-01-31").due_date, date(2024, 2, 29))
        self.assertEqual(self._request(received_date="2025-03-15").due_date, date(2025, 4, 15))

    def test_extension(self):
        req = self._request(received_date="2025-01-31")
        with self.assertRaises(ValidationError):  # no reason, not notified
            req.extension_months = 2
        with self.assertRaises(ValidationError):  # notified after the first month
            req.write(
                {
                    "extension_months": 2,
                    "extension_reason": "Complex request",
                    "extension_notified_date": "2025-03-01",
                }
            )
        with self.assertRaises(ValidationError):  # three further months: too much
            req.write(
                {
                    "extension_months": 3,
                    "extension_reason": "Complex",
                    "extension_notified_date": "2025-02-10",
                }
            )
        req.write(
            {
                "extension_months": 2,
                "extension_reason": "Many requests",
                "extension_notified_date": "2025-02-28",
            }
        )
        # two further months from the first deadline, calendar months
        self.assertEqual(req.initial_due_date, date(2025, 2, 28))
        self.assertEqual(req.due_date, date(2025, 4, 30))

    def test_refusal_needs_reason_and_complaint(self):
        req = self._request()
        req.complaint_text = False
        with self.assertRaises(ValidationError):
            req.action_refuse()
        req.write({"refusal_reason": "Manifestly excessive (fifth copy this month)"})
        with self.assertRaises(ValidationError):
            req.action_refuse()
        req.complaint_text = req._default_complaint_text()
        self.patch(type(self.env["mail.mail"]), "send", lambda self, *args, **kwargs: True)
        req.action_refuse()
        self.assertEqual(req.state, "refused")
        self.assertIn("CNIL", req.complaint_text)
        mail = self.env["mail.mail"].search([("email_to", "=", self.jeanne.email)])
        self.assertIn("Manifestly excessive", mail.body_html)
        self.assertIn("CNIL", mail.body_html)
        with self.assertRaises(UserError):  # created closed: not through the buttons
            self._request(state="done")

    def test_closing_only_through_buttons(self):
        req = self._request()
        with self.assertRaises(UserError):
            req.state = "done"
        req.action_done()
        self.assertEqual(req.state, "done")

    def test_officer_activity_on_arrival(self):
        req = self._request()
        self.assertEqual(len(req.activity_ids), 1)
        self.assertEqual(req.activity_ids.user_id, self.user_officer)
        self.assertEqual(req.activity_ids.date_deadline, req.due_date)

    def test_officer_activity_in_the_officers_language(self):
        """A request created in English (a portal customer, a cron) gives a French officer a
        French to-do, and its reminders too (the summary was stored in the creator's language)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        self.user_officer.lang = "fr_FR"
        req = self._request().with_context(lang="en_US")
        self.assertEqual(req.activity_ids.summary, "Répondre à la demande de la personne concernée")
        req.sudo()._schedule_officer_activity(summary=TODO_OVERDUE)
        summaries = " / ".join(req.activity_ids.mapped("summary"))
        self.assertIn("le délai légal est dépassé", summaries)

    def test_reminder_and_overdue_cron(self):
        with freeze_time("2025-01-10"):
            req = self._request(received_date="2025-01-10")  # due 2025-02-10
            other = self._request(received_date="2025-01-20")  # due 2025-02-20
        Request = self.Request.sudo()
        with freeze_time("2025-02-02"):
            self.assertFalse(Request._cron_hygiene_request_deadlines()["reminded"])
        with freeze_time("2025-02-03"):
            result = Request._cron_hygiene_request_deadlines()
            self.assertEqual(result["reminded"], req.ids)
            self.assertEqual(len(req.activity_ids), 2)
            # once only
            self.assertFalse(Request._cron_hygiene_request_deadlines()["reminded"])
        with freeze_time("2025-02-11"):
            self.assertTrue(req.is_overdue)
            self.assertFalse(other.is_overdue)
            self.assertEqual(self.Request.search([("is_overdue", "=", True)]), req)
            self.assertEqual(self.Request.search([("is_overdue", "=", False)]) & req, self.Request)
            result = Request._cron_hygiene_request_deadlines()
            self.assertIn(req.id, result["overdue"])
            self.assertNotIn(other.id, result["overdue"])
            self.assertFalse(Request._cron_hygiene_request_deadlines()["overdue"])

    def test_access_rights(self):
        for user in (self.user_steward, self.user_hygiene, self.user_employee, self.user_portal):
            with self.assertRaises(AccessError):
                self.Request.with_user(user).create(
                    {"request_type": "access", "partner_id": self.jeanne.id}
                )
        req = self._request()
        for user in (self.user_steward, self.user_employee, self.user_portal):
            with self.assertRaises(AccessError):
                req.with_user(user).read(["name"])
        with self.assertRaises(AccessError):  # the system fields
            req.with_user(self.user_officer).write({"export_state": "ready"})
        with self.assertRaises(AccessError):
            self._request(confirm_token_hash="x")

    def test_restriction_keeps_out_of_mailings_exports_merges(self):
        req = self._request(request_type="restriction")
        self.assertTrue(self.jeanne.hygiene_restricted)
        blacklist = self.env["mail.blacklist"].search(
            [("email", "=", self.jeanne.email_normalized)]
        )
        self.assertTrue(blacklist)
        # the list export of an employee leaves the contact out; the officer's keeps it
        export_group = self.env.ref("base.group_allow_export")
        (self.user_steward | self.user_officer).write({"groups_id": [(4, export_group.id)]})
        both = self.jeanne | self.marc
        rows = both.with_user(self.user_steward).export_data(["name"])["datas"]
        self.assertEqual(rows, [["Marc Dubois"]])
        rows = both.with_user(self.user_officer).export_data(["name"])["datas"]
        self.assertEqual(len(rows), 2)
        twin = self.env["res.partner"].create({"name": "Jeanne Lefèvre"})
        with self.assertRaises(UserError):
            twin.with_user(self.user_steward)._hygiene_merge(self.jeanne)
        req.action_done()
        self.assertFalse(self.jeanne.hygiene_restricted)
        self.assertFalse(
            self.env["mail.blacklist"].search([("email", "=", self.jeanne.email_normalized)])
        )

    def test_restriction_lift_keeps_other_blacklist(self):
        self.env["mail.blacklist"]._add(self.jeanne.email_normalized)
        req = self._request(request_type="restriction")
        req.action_done()
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", self.jeanne.email_normalized)])
        )

    def test_confirm_token(self):
        req = self._request(state="identity", requester_email="x@example.com")
        token = req._hygiene_new_confirm_token()
        self.assertNotIn(token, str(req.sudo().confirm_token_hash))
        self.assertEqual(self.Request._hygiene_from_confirm_token(req.id, token), req)
        self.assertFalse(self.Request._hygiene_from_confirm_token(req.id, token + "x"))
        self.assertFalse(self.Request._hygiene_from_confirm_token(req.id + 1, token))
        self.assertFalse(self.Request._hygiene_from_confirm_token(-1, token))
        with freeze_time(fields.Datetime.now() + timedelta(hours=25)):
            self.assertFalse(self.Request._hygiene_from_confirm_token(req.id, token))


@tagged("post_install", "-at_install", "privacy_portal")
class TestPrivacyExport(HygieneCommon):
    def test_export_content_and_schema(self):
        partner = self.user_portal.partner_id
        partner.write({"name": '=HYPERLINK("http://x","y")', "phone": "+33 6 12 34 56 78"})
        self.env["hygiene.partner.origin"].create(
            {
                "partner_id": partner.id,
                "source_id": self.source_fair.id,
                "note": "fair_2021.xlsx, row 14",
                "collected_date": "2021-03-02 10:00:00",
            }
        )
        self._consent(partner, "grant", wording_id=self.wording_newsletter.id)
        # a message the person wrote, one they received from someone else, an internal note
        partner.message_post(
            body="My own words",
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        partner.message_post(
            body="From Marc",
            author_id=self.marc.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        partner.message_post(
            body="Internal secret", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        Service = self.env["hygiene.privacy.service"]
        req, created = Service.with_user(self.user_portal)._hygiene_request_export(partner)
        self.assertTrue(created)
        self.assertEqual(req.export_state, "ready")
        self.assertEqual(req.state, "done")
        attachment = req.export_attachment_id
        self.assertFalse(attachment.public)
        # no token of its own: /web/content cannot serve it; the request's token is the link's
        self.assertFalse(attachment.access_token)
        self.assertTrue(req.sudo().export_token)
        archive = zipfile.ZipFile(io.BytesIO(attachment.raw))
        names = set(archive.namelist())
        self.assertIn("personal_data.json", names)
        self.assertIn("schema.json", names)
        self.assertTrue({f"{t}.csv" for t in privacy_export.TABLES} <= names)
        document = json.loads(archive.read("personal_data.json"))
        self.assertEqual(document["schema_version"], privacy_export.SCHEMA_VERSION)
        for key in ("purposes", "recipients", "retention", "rights", "complaint", "sources"):
            self.assertIn(key, document["about"])
        self.assertEqual(document["about"]["sources"][0]["note"], "fair_2021.xlsx, row 14")
        self.assertEqual(document["tables"]["consents"][0]["wording_version"], "v1")
        bodies = [m["body"] for m in document["tables"]["messages"]]
        self.assertEqual(bodies, ["My own words"])
        raw = archive.read("personal_data.json").decode()
        self.assertNotIn("Marc", raw)
        self.assertNotIn("Internal secret", raw)
        # JSON keeps the value as is; the CSV neutralises the formula
        self.assertEqual(document["tables"]["partner"][0]["name"], '=HYPERLINK("http://x","y")')
        csv_text = archive.read("partner.csv").decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", csv_text)
        self.assertIn("'+33", csv_text)
        self._check_schema(document, json.loads(archive.read("schema.json")))
        # one per 24 hours: the second links to the first
        again, created = Service._hygiene_request_export(partner)
        self.assertFalse(created)
        self.assertEqual(again, req)

    def _check_schema(self, document, schema):
        try:
            import jsonschema
        except ImportError:
            jsonschema = None
        if jsonschema:
            jsonschema.validate(document, schema)
            return
        tables = schema["properties"]["tables"]["properties"]
        self.assertEqual(set(document["tables"]), set(tables))
        for name, rows in document["tables"].items():
            columns = set(tables[name]["items"]["required"])
            for row in rows:
                self.assertEqual(set(row), columns)

    def test_export_expiry_cron(self):
        partner = self.user_portal.partner_id
        Service = self.env["hygiene.privacy.service"]
        req, __ = Service._hygiene_request_export(partner)
        attachment = req.export_attachment_id
        token = req.sudo().export_token
        self.assertEqual(req._hygiene_export_download(token), attachment)
        self.assertFalse(req._hygiene_export_download("forged"))
        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            self.assertFalse(req._hygiene_export_download(token))
            result = self.env["hygiene.privacy.request"]._cron_hygiene_privacy_exports()
        self.assertIn(req.id, result["expired"])
        self.assertFalse(attachment.exists())
        self.assertEqual(req.export_state, "expired")

    def test_large_export_in_background(self):
        partner = self.user_portal.partner_id
        Service = self.env["hygiene.privacy.service"]
        self.patch(type(Service), "_hygiene_export_size", lambda self, partner: 10**6)
        req, __ = Service._hygiene_request_export(partner)
        self.assertEqual(req.export_state, "pending")
        result = self.env["hygiene.privacy.request"]._cron_hygiene_privacy_exports()
        self.assertEqual(result["built"], req.ids)
        self.assertEqual(req.export_state, "ready")


@tagged("post_install", "-at_install", "privacy_portal")
class TestPrivacyConsentErasure(HygieneCommon):
    def test_portal_withdrawal_blacklists_and_logs_proof(self):
        partner = self.user_portal.partner_id
        Service = self.env["hygiene.privacy.service"].with_user(self.user_portal)
        proof = {"ip_address": "203.0.113.7", "user_agent": "UA/1", "page_url": "http://x/my"}
        grant = Service._hygiene_portal_consent(partner, self.purpose_newsletter, "grant", proof)
        self.assertEqual(grant.sudo().ip_address, "203.0.113.7")
        self.assertEqual(grant.wording_hash, self.wording_newsletter.text_hash)
        self.assertEqual(grant.channel, "portal")
        self.assertEqual(self._state(partner), "granted")
        Service._hygiene_portal_consent(partner, self.purpose_newsletter, "withdraw", proof)
        self.assertEqual(self._state(partner), "withdrawn")
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", partner.email_normalized)])
        )
        objection = partner.sudo().hygiene_privacy_request_ids
        self.assertEqual(objection.request_type, "objection")
        self.assertEqual(objection.state, "done")

    def test_erasure_grace_cancel_then_run(self):
        # keep the receipts in the queue to read them
        self.patch(type(self.env["mail.mail"]), "send", lambda self, *args, **kwargs: True)
        partner = self.user_portal.partner_id
        email = partner.email
        Service = self.env["hygiene.privacy.service"]
        preview = Service._hygiene_erasure_preview(partner)
        self.assertTrue(preview["deleted"] and preview["anonymised"] and preview["kept"])
        req = Service._hygiene_request_erasure(partner)
        self.assertEqual(Service._hygiene_request_erasure(partner), req)  # idempotent
        self.assertAlmostEqual(
            req.erasure_scheduled_date,
            fields.Datetime.now() + timedelta(days=14),
            delta=timedelta(minutes=1),
        )
        Service._hygiene_cancel_erasure(partner)
        self.assertEqual(req.state, "cancelled")
        self.env["ir.config_parameter"].set_param("partner_data_hygiene.erasure_grace_days", "3")
        req = Service._hygiene_request_erasure(partner)
        Request = self.env["hygiene.privacy.request"]
        planned = self.env["mail.mail"].sudo().search([("email_to", "=", email)])
        self.assertEqual(len(planned), 2)  # the cancelled plan and the new one
        self.assertTrue(all("Kept, and why" in mail.body_html for mail in planned))
        self.assertFalse(Request._cron_hygiene_erasures())  # grace period running
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.assertEqual(Request._cron_hygiene_erasures(), req.ids)
        self.assertEqual(req.state, "done")
        self.assertEqual(req.erasure_result, "done")
        self.assertFalse(partner.email)
        self.assertEqual(partner.hygiene_retention_state, "anonymized")
        self.assertTrue(self.env["hygiene.suppression"].sudo()._is_suppressed(email=email))
        receipts = self.env["mail.mail"].sudo().search([("email_to", "=", email)])
        # the engine empties the queued mails to the person; the outcome receipt comes after
        self.assertEqual(len(receipts), 1)
        self.assertIn("has been carried out", receipts.body_html)
        self.assertTrue(all("Kept, and why" in mail.body_html for mail in receipts))
        self.assertFalse(receipts.mapped("recipient_ids"))
