import uuid
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import HygieneCommon

ACTIVITY_FIELDS = ["hygiene_last_activity_date", "hygiene_last_activity_source"]


class HygieneActivityCommon(HygieneCommon):
    """Helpers to check the last activity of a contact; shared with the HTTP tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.claire = Partner.create({"name": "Claire Martin", "email": "claire.martin@example.com"})
        cls.bruno = Partner.create({"name": "Bruno Petit", "email": "bruno.petit@example.com"})

    def assertActivity(self, partner, source, at=None, since=None):
        """``partner`` last moved because of ``source``, exactly ``at`` or not before ``since``."""
        self.assertEqual(partner.hygiene_last_activity_source, source)
        moved = partner.hygiene_last_activity_date
        self.assertTrue(moved, f"the last activity of {partner.name} should be set")
        if at:
            self.assertEqual(moved, at)
        if since:
            self.assertGreaterEqual(moved, since)
        self.assertLessEqual(moved, fields.Datetime.now())

    def assertNoActivity(self, partner, msg=None):
        self.assertFalse(partner.hygiene_last_activity_date, msg)
        self.assertFalse(partner.hygiene_last_activity_source, msg)

    def _require_module(self, name):
        if self.env["ir.module.module"]._get(name).state != "installed":
            self.skipTest(f"module {name!r} is not installed in this database")


@tagged("post_install", "-at_install")
class TestLastActivity(HygieneActivityCommon):
    def _inbound_email(self, partner, sent=None, thread=None):
        """Process an email sent by ``partner`` through the mail gateway, on ``thread``."""
        sent = sent or fields.Datetime.now() - timedelta(hours=2)
        thread = thread or partner
        raw = (
            f"From: {partner.name} <{partner.email}>\r\n"
            "To: inbox@hygiene-tests.example\r\n"
            "Subject: About my contract\r\n"
            f"Date: {format_datetime(sent.replace(tzinfo=timezone.utc))}\r\n"
            f"Message-ID: <{uuid.uuid4()}@client.example>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Hello, could you call me back?\r\n"
        )
        self.env["mail.thread"].message_process(thread._name, raw, thread_id=thread.id)
        message = self.env["mail.message"].search(
            [("model", "=", thread._name), ("res_id", "=", thread.id)], order="id desc", limit=1
        )
        self.assertEqual(message.message_type, "email", "the gateway should have posted the email")
        self.assertEqual(message.author_id, partner)
        return message

    # ------------------------------------------------------------------ positive cases

    def test_inbound_email_moves_last_activity_to_the_email_date(self):
        sent = fields.Datetime.now() - timedelta(hours=3)
        self._inbound_email(self.claire, sent=sent, thread=self.bruno)
        self.assertActivity(self.claire, "inbound_email", at=sent)
        self.assertNoActivity(self.bruno, "the record the email is posted on is not its author")

    def test_inbound_email_dated_in_the_future_is_accepted_and_capped_to_now(self):
        """A sender whose clock is ahead must not make the gateway refuse the email."""
        before = fields.Datetime.now()
        self._inbound_email(self.claire, sent=before + timedelta(hours=5))
        self.assertActivity(self.claire, "inbound_email", since=before)

    def test_portal_message_by_the_person_moves_last_activity(self):
        before = fields.Datetime.now()
        partner = self.user_portal.partner_id
        # as the portal chatter controller does: the portal user posts on a document in sudo
        partner.with_user(self.user_portal).sudo().message_post(
            body="Please update my address.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertActivity(partner, "portal_message", since=before)

    def test_portal_login_moves_last_activity(self):
        before = fields.Datetime.now()
        portal = self.user_portal.with_user(self.user_portal)
        portal._update_last_login()  # what res.users._login calls (see the HTTP tests)
        self.assertActivity(self.user_portal.partner_id, "portal_login", since=before)

    def test_confirmed_sale_order_moves_last_activity(self):
        self._require_module("sale")
        product = self.env["product.product"].create({"name": "Data audit", "list_price": 100.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.claire.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        self.assertNoActivity(self.claire, "a quotation made by an employee is not a contact")
        before = fields.Datetime.now()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertActivity(self.claire, "sale_order", since=before)

    def test_posted_customer_invoice_moves_last_activity_to_the_invoice_date(self):
        self._require_module("account")
        invoice_date = date.today() - timedelta(days=3)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.claire.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create({"name": "Data audit", "quantity": 1, "price_unit": 100.0})
                ],
            }
        )
        self.assertNoActivity(self.claire, "a draft invoice is not a contact")
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertActivity(self.claire, "invoice", at=datetime.combine(invoice_date, time.min))

    def _mailing_trace(self, model, res_id, email):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Our autumn offers",
                "body_html": "<p>Hello</p>",
                "mailing_model_id": self.env["ir.model"]._get_id(model),
            }
        )
        return self.env["mailing.trace"].create(
            {
                "mass_mailing_id": mailing.id,
                "model": model,
                "res_id": res_id,
                "email": email,
                "trace_type": "mail",
                "trace_status": "sent",
            }
        )

    def test_mailing_click_moves_last_activity(self):
        self._require_module("mass_mailing")
        trace = self._mailing_trace("res.partner", self.claire.id, self.claire.email)
        before = fields.Datetime.now()
        trace.set_clicked()
        self.assertActivity(self.claire, "mailing_click", since=before)

    def test_mailing_click_of_a_mailing_list_contact_moves_the_partner_with_that_email(self):
        self._require_module("mass_mailing")
        contact = self.env["mailing.contact"].create(
            {"name": "Claire M.", "email": "CLAIRE.MARTIN@example.com"}
        )
        trace = self._mailing_trace("mailing.contact", contact.id, "claire.martin@example.com")
        before = fields.Datetime.now()
        trace.set_clicked()
        self.assertActivity(self.claire, "mailing_click", since=before)

    def test_newest_date_wins(self):
        Partner = self.env["res.partner"]
        now = fields.Datetime.now()
        recent, old = now - timedelta(days=2), now - timedelta(days=30)
        Partner._hygiene_register_activities([(self.claire.id, recent, "portal_message")])
        Partner._hygiene_register_activities([(self.claire.id, old, "inbound_email")])
        self.assertActivity(self.claire, "portal_message", at=recent)
        # in one batch too: the newest event of each partner is kept
        Partner._hygiene_register_activities(
            [(self.bruno.id, recent, "portal_login"), (self.bruno.id, old, "inbound_email")]
        )
        self.assertActivity(self.bruno, "portal_login", at=recent)
        # and through a real hook: an old email processed today does not move the date back
        self._inbound_email(self.claire, sent=now - timedelta(days=10))
        self.assertActivity(self.claire, "portal_message", at=recent)
        # while a newer one does
        self._inbound_email(self.claire, sent=now - timedelta(hours=1))
        self.assertActivity(self.claire, "inbound_email", at=now - timedelta(hours=1))

    # ------------------------------------------------------------------ negative cases

    def test_internal_edit_does_not_move_last_activity(self):
        claire = self.claire.with_user(self.user_employee)
        claire.write({"phone": "+33 6 11 22 33 44", "comment": "Called her about the renewal."})
        claire.message_post(body="Left a voicemail.", subtype_xmlid="mail.mt_note")
        claire.message_post(
            body="Dear Claire, here is your quote.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.claire.ids,
        )
        self.assertNoActivity(self.claire)

    def test_employee_login_does_not_move_last_activity(self):
        self.user_employee.with_user(self.user_employee)._update_last_login()
        self.assertNoActivity(self.user_employee.partner_id)

    def test_employee_posting_with_the_customer_as_author_does_not_move_last_activity(self):
        claire = self.claire.with_user(self.user_employee)
        for message_type in ("comment", "email"):
            with self.subTest(message_type=message_type):
                claire.message_post(
                    body="Claire said on the phone she agrees.",
                    author_id=self.claire.id,
                    message_type=message_type,
                    subtype_xmlid="mail.mt_comment",
                )
                self.assertNoActivity(self.claire)
        # nor on behalf of a portal user
        portal_partner = self.user_portal.partner_id
        portal_partner.with_user(self.user_employee).message_post(
            body="Paula agreed.",
            author_id=portal_partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertNoActivity(portal_partner)

    def test_mailing_open_does_not_move_last_activity(self):
        self._require_module("mass_mailing")
        trace = self._mailing_trace("res.partner", self.claire.id, self.claire.email)
        trace.set_opened()
        self.assertEqual(trace.trace_status, "open")
        self.assertNoActivity(self.claire, "an open (tracking pixel) is not a contact (CNIL)")
        trace.set_replied()
        trace.set_bounced()
        self.assertNoActivity(self.claire)

    def test_import_and_creation_do_not_move_last_activity(self):
        Partner = self.env["res.partner"]
        created = Partner.create([{"name": "Created Cora", "email": "cora@example.com"}])
        self.assertNoActivity(created)
        result = Partner.load(["name", "email"], [["Imported Ivan", "ivan@example.com"]])
        self.assertFalse(result["messages"])
        self.assertNoActivity(Partner.browse(result["ids"]))
        result = Partner.load([".id", "comment"], [[str(self.claire.id), "Imported note"]])
        self.assertFalse(result["messages"])
        self.assertNoActivity(self.claire)
        # importing past emails is not a contact made today
        result = self.env["mail.message"].load(
            ["model", "res_id", "message_type", "author_id/.id", "body"],
            [["res.partner", str(self.claire.id), "email", str(self.claire.id), "Old email"]],
        )
        self.assertFalse(result["messages"])
        self.assertNoActivity(self.claire)
        # and the fields themselves cannot be imported
        result = Partner.load(
            ["name", "hygiene_last_activity_date", "hygiene_last_activity_source"],
            [["Imported Ida", "2025-01-01 10:00:00", "inbound_email"]],
        )
        self.assertTrue(result["messages"])
        self.assertFalse(result["ids"])
        self.assertFalse(Partner.search([("name", "=", "Imported Ida")]))

    def test_cron_run_does_not_move_last_activity(self):
        cron = self.env["ir.cron"].create(
            {
                "name": "Hygiene test: follow-up of the contacts",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": (
                    f"partner = model.browse({self.claire.id})\n"
                    "partner.write({'comment': 'Followed up by the scheduler'})\n"
                    "partner.message_post(body='Reminder', author_id=partner.id, "
                    "message_type='email')\n"
                    "partner.message_post(body='Reminder', author_id=partner.id, "
                    "message_type='comment')\n"
                ),
                "user_id": self.env.ref("base.user_root").id,
                "interval_number": 1,
                "interval_type": "days",
            }
        )
        cron.method_direct_trigger()
        self.assertIn("Followed up by the scheduler", self.claire.comment)
        self.assertEqual(len(self.claire.message_ids), 2)
        self.assertNoActivity(self.claire)

    def test_lead_created_by_an_employee_does_not_move_last_activity(self):
        self._require_module("crm")
        self.env["crm.lead"].with_user(self.user_employee).sudo().create(
            {"name": "Renewal", "partner_id": self.claire.id, "email_from": self.claire.email}
        )
        self.assertNoActivity(self.claire)

    def test_vendor_bill_does_not_move_last_activity(self):
        self._require_module("account")
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.bruno.id,
                "invoice_date": date.today(),
                "invoice_line_ids": [
                    Command.create({"name": "Paper", "quantity": 1, "price_unit": 10.0})
                ],
            }
        )
        bill.action_post()
        self.assertNoActivity(self.bruno)

    def test_future_date_is_refused(self):
        Partner = self.env["res.partner"]
        past = fields.Datetime.now() - timedelta(days=1)
        Partner._hygiene_register_activities([(self.claire.id, past, "inbound_email")])
        future = fields.Datetime.now() + timedelta(hours=1)
        with self.assertRaisesRegex(ValidationError, "future"):
            Partner._hygiene_register_activities([(self.claire.id, future, "portal_login")])
        with self.assertRaisesRegex(ValidationError, "future"):
            self.bruno._hygiene_register_activity("portal_login", date=future)
        with self.assertRaisesRegex(ValidationError, "Unknown activity source"):
            self.bruno._hygiene_register_activity("email_open")
        self.assertActivity(self.claire, "inbound_email", at=past)
        self.assertNoActivity(self.bruno)

    def test_writing_the_activity_fields_is_refused(self):
        now = fields.Datetime.now()
        for partner in (self.claire, self.claire.sudo(), self.claire.with_user(self.user_manager)):
            for vals in (
                {"hygiene_last_activity_date": now},
                {"hygiene_last_activity_source": "portal_login"},
                {"hygiene_last_activity_date": False},
            ):
                with self.subTest(user=partner.env.user.login, vals=vals):
                    with self.assertRaisesRegex(UserError, "cannot be set by hand"):
                        partner.write(vals)
        with self.assertRaisesRegex(UserError, "cannot be set by hand"):
            self.env["res.partner"].create(
                {
                    "name": "Forged",
                    "hygiene_last_activity_date": now,
                    "hygiene_last_activity_source": "invoice",
                }
            )
        with self.assertRaisesRegex(UserError, "cannot be set by hand"):
            self.claire.copy({"hygiene_last_activity_date": now})
        self.assertNoActivity(self.claire)
