"""The real flows of the end-to-end erasure test (``test_erasure_e2e.py``): a person (and a
namesake) built as a production database sees them — the mail gateway, the CRM, a quotation sent,
an invoice sent and paid, a mailing clicked through its route, a meeting, the portal and the
website — and Odoo's privacy lookup."""

import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from unittest.mock import patch
from urllib.parse import urlparse

from odoo import Command, fields
from odoo.tests import Form
from odoo.tools import config

FIRST_NAME = "Zyxwvuq"
SURNAME = "Kappamarker"
NAME = f"{FIRST_NAME} {SURNAME}"  # the namesake has the very same name


class ErasureFlowsMixin:
    """Needs an ``HttpCase`` with ``flow_env``, ``salesman``, ``product``, ``fr`` and the person's
    ``email``, ``phone``, ``street``, ``ip``, ``token`` (see ``TestErasureEndToEnd``)."""

    def _inbound_email(self, sender, subject, body, attachment=None):
        """A raw email received by the mail gateway, routed to a new lead."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "sales@example.org"
        message["Subject"] = subject
        message["Message-Id"] = make_msgid(domain="mail.example.com")
        message.set_content(body)
        if attachment:
            name, content = attachment
            message.add_attachment(
                content.encode(), maintype="text", subtype="plain", filename=name
            )
        lead_id = self.flow_env["mail.thread"].message_process("crm.lead", message.as_string())
        return self.flow_env["crm.lead"].browse(lead_id)

    def _open_from_person(self, url, **kwargs):
        """A request from the person's own address, as the reverse proxy forwards it."""
        headers = {
            "X-Forwarded-For": self.ip,
            "X-Forwarded-Host": urlparse(self.base_url()).netloc,
            "X-Forwarded-Proto": "http",
        }
        with patch.dict(config.options, {"proxy_mode": True}):
            return self.url_open(url, headers=headers, **kwargs)

    def _flush_tracking(self):
        """Tracking values are written when the transaction commits (precommit hooks)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.flush_all()

    def _build_namesake(self):
        """Same first name and surname, other email and phone; a lead from the gateway, a note,
        a tracked change: all of it must survive the person's erasure."""
        env = self.flow_env
        namesake = env["res.partner"].create(
            {"name": NAME, "email": "other.namesake@example.net", "phone": "+33 6 99 88 77 66"}
        )
        lead = self._inbound_email(
            f'"{NAME}" <other.namesake@example.net>',
            f"Brochure for {NAME}",
            f"Hello, I am {NAME}, please send the brochure.",
        )
        namesake.message_post(body=f"<p>{NAME} visited the shop</p>", message_type="comment")
        namesake.phone = "+33 6 99 88 77 55"  # tracked
        self._flush_tracking()
        # a duplicate scan has run: its name-word counts (kept for the live warning) hold the
        # namesake's words before the person comes, as the daily scan after the erasure does
        self.env["hygiene.duplicate.group"].sudo()._hygiene_scan()
        return namesake, lead

    def _build_person(self):
        """The person through the real flows; returns (partner, lead, order)."""
        lead, person = self._lead_from_gateway()
        self._plan_on_lead(lead, person)
        order = self._quotation_sent(lead)
        self._mailing_clicked()
        self._portal_visit(person)
        # A consent with its proof, an attachment on the contact.
        self._consent(person, "grant", ip_address=self.ip, user_agent="Firefox")
        person.message_post(
            body="<p>Signed contract</p>",
            attachments=[(f"contract-{FIRST_NAME}.txt", f"{NAME}, {self.street}".encode())],
        )
        self._flush_tracking()
        return person, lead, order

    def _lead_from_gateway(self):
        env = self.flow_env
        # 1. An inbound email from an unknown sender creates a lead, with a file attached.
        lead = self._inbound_email(
            f'"{NAME}" <{self.email}>',
            f"Quote request from {NAME}",
            f"Hello, I am {NAME}, {self.street}, call me on {self.phone}.",
            attachment=(f"brief-{FIRST_NAME}.txt", f"Brief of {NAME}, {self.email}"),
        )
        self.assertEqual(lead.email_from, f'"{NAME}" <{self.email}>')
        # 2. The salesman converts it and creates the customer from the lead (tracked link).
        convert = (
            env["crm.lead2opportunity.partner"]
            .with_user(self.salesman)
            .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
            .create({"name": "convert", "action": "create"})
        )
        convert.action_apply()
        self._flush_tracking()
        person = lead.partner_id
        self.assertTrue(person)
        person.write(
            {
                "phone": self.phone,
                "street": self.street,
                "zip": "69003",
                "city": "Lyon",
                "country_id": self.fr.id,
                "comment": f"<p>{NAME} prefers calls</p>",
            }
        )
        self._flush_tracking()
        return lead, person

    def _plan_on_lead(self, lead, person):
        env = self.flow_env
        # 3. A call planned on the lead, and a file shared on it.
        lead.with_user(self.salesman).activity_schedule(
            "mail.mail_activity_data_call",
            summary=f"Call {NAME} back",
            note=f"<p>{FIRST_NAME} on {self.phone}</p>",
            user_id=self.salesman.id,
        )
        lead.with_user(self.salesman).message_post(
            body=f"<p>Notes of the call with {FIRST_NAME}</p>",
            message_type="comment",
            attachments=[(f"notes-{FIRST_NAME}.txt", f"{NAME} {self.street}".encode())],
        )
        # The product sheet, a file of the product, shared on the lead: it is not the person's.
        self.sheet = env["ir.attachment"].create(
            {
                "name": "data-audit-sheet.txt",
                "raw": b"What the data audit covers",
                "res_model": "product.product",
                "res_id": self.product.id,
            }
        )
        lead.with_user(self.salesman).message_post(
            body="<p>Our product sheet</p>",
            message_type="comment",
            attachment_ids=self.sheet.ids,
        )
        # A meeting planned from the lead, the person invited (an invitation mail is sent).
        meeting_context = lead.with_user(self.salesman).action_schedule_meeting(
            smart_calendar=False
        )["context"]
        meeting = (
            env["calendar.event"]
            .with_user(self.salesman)
            .with_context(**meeting_context)
            .create(
                {
                    "name": f"Meeting with {NAME}",
                    "description": f"<p>Bring the file of {FIRST_NAME}, {self.phone}</p>",
                    "location": self.street,
                    "start": fields.Datetime.now() + timedelta(days=2),
                    "stop": fields.Datetime.now() + timedelta(days=2, hours=1),
                }
            )
        )
        self.assertIn(person, meeting.partner_ids)
        self.meeting = meeting

    def _quotation_sent(self, lead):
        env = self.flow_env
        # 4. A quotation from the lead, sent by email through its wizard, then confirmed.
        quotation_context = lead.with_user(self.salesman).action_new_quotation()["context"]
        with Form(
            env["sale.order"].with_user(self.salesman).with_context(**quotation_context)
        ) as form:
            with form.order_line.new() as line:
                line.product_id = self.product
        order = form.record
        order.client_order_ref = f"PO of {NAME}"
        # typed by the salesman: the terms and a line's description name the person
        order.note = f"<p>Deliver to {NAME}, {self.street}</p>"
        order.order_line.name = f"Data audit for {NAME} ({self.email})"
        send = order.with_user(self.salesman).action_quotation_send()
        composer = Form(
            env["mail.compose.message"].with_user(self.salesman).with_context(**send["context"])
        ).save()
        composer.action_send_mail()
        self.assertEqual(order.state, "sent")
        order.with_user(self.salesman).action_confirm()
        order._send_order_confirmation_mail()  # message_post_with_source
        return order

    def _mailing_clicked(self):
        env = self.flow_env
        # 5. A mailing to a list holding the person, clicked (the real click route).
        mailing_list = env["mailing.list"].create({"name": "Newsletter"})
        env["mailing.contact"].create(
            {"name": NAME, "email": self.email, "list_ids": [Command.link(mailing_list.id)]}
        )
        mailing = env["mailing.mailing"].create(
            {
                "name": "Autumn news",
                "subject": "Autumn news",
                "body_html": '<p>Hello <t t-out="object.name"/>,'
                ' <a href="https://www.example.com/offer">see the offer</a></p>',
                "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                "contact_list_ids": [Command.link(mailing_list.id)],
                # the mailing's own file, linked to the message sent to every recipient
                "attachment_ids": [
                    Command.create(
                        {
                            "name": "catalogue.txt",
                            "raw": b"Autumn catalogue",
                            "res_model": "mailing.mailing",
                        }
                    )
                ],
            }
        )
        self.mailing = mailing
        mailing.action_send_mail()
        mail = env["mail.mail"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(mail), 1)
        body = mail._prepare_outgoing_body()  # the body as sent, its links per recipient
        code, trace_id = re.search(r"/r/(\w+)/m/(\d+)", body).groups()
        # the person clicks: the mass_mailing route records the click, from their address
        response = self._open_from_person(f"/r/{code}/m/{trace_id}", allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        self.assertTrue(self.env["link.tracker.click"].search([("ip", "=", self.ip)]))

    def _portal_visit(self, person):
        env = self.flow_env
        # 6. Portal access, through the portal wizard (an invitation mail).
        portal = (
            env["portal.wizard"]
            .with_context(active_model="res.partner", active_ids=person.ids)
            .create({})
        )
        portal.user_ids.action_grant_access()
        user = portal.user_ids.user_id
        self.assertTrue(user)
        # 7. The portal user visits the website (a session, its device log with their IP, a
        # visitor and its page views).
        self.authenticate(user.login, "unused")  # the password check is patched by HttpCase
        self.assertEqual(self._open_from_person("/my").status_code, 200)  # the device log
        response = self._open_from_person(f"/contactus?utm_term={self.token}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            self.env["website.visitor"].search([("partner_id", "=", person.id)]),
            "the visit of a tracked page created a visitor",
        )
        # (the person stays logged in: their session file on the server holds their login)

    def _invoice(self, order):
        """The order invoiced, posted and sent with its PDF and electronic invoice."""
        invoice = order._create_invoices()
        invoice.action_post()
        wizard = (
            self.flow_env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        wizard.action_send_and_print()
        # paid, with a memo naming the person (their bank's label)
        register = (
            self.flow_env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"communication": f"Transfer from {NAME}"})
        )
        self.payment = register._create_payments()
        self.assertEqual(self.payment.memo, f"Transfer from {NAME}")
        self._flush_tracking()
        return invoice

    def _privacy_lookup(self, name, email):
        """{(model, id)} that Odoo's privacy lookup finds for a name and an email; the wizard
        (which keeps both) is deleted afterwards, so as not to leave what the scan looks for."""
        wizard = self.env["privacy.lookup.wizard"].create({"name": name, "email": email})
        wizard.action_lookup()
        found = {(line.res_model, line.res_id) for line in wizard.line_ids}
        wizard.line_ids.unlink()
        wizard.unlink()
        return found

    def _officer_lookup(self, person, lead):
        """Before erasing, the officer looks the person up in Odoo's privacy wizard (as a DPO
        does to answer a request): the wizard, left open, keeps the name, the email and the
        names of the records found."""
        wizard = self.env["privacy.lookup.wizard"].create({"name": NAME, "email": self.email})
        wizard.action_lookup()
        found = {(line.res_model, line.res_id) for line in wizard.line_ids}
        self.assertLessEqual({("res.partner", person.id), ("crm.lead", lead.id)}, found)
