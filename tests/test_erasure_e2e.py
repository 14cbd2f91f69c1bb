"""Proof by test (issue 15): after the erasure of a person built through real flows — an inbound
email through the mail gateway that creates a lead, an activity and a meeting planned on it, a
quotation sent by email and confirmed (its terms and a line naming them), a posted invoice sent
with its electronic invoice and paid with a memo naming them, a mailing clicked through the real
click route, a portal user who visits the website, attachments, tracked changes, a consent with
proof, a lookup of Odoo's privacy wizard — then the addon's crons, Odoo's autovacuum and the
filestore garbage collection, no value of theirs is left in any text, varchar, json(b), array or
bytea column of any table, nor in any file of the filestore or of the session store, except what
the legal hold keeps (README, "Legal hold"); once the hold has ended, nothing at all, and Odoo's
privacy lookup finds nothing but the namesake. A namesake (same first name and surname, other
email and phone) keeps everything. ``TestErasureScan`` proves that the scan finds a marker
planted in a table the ORM does not know, in each column type, and in a file.

Runs in the ``full`` database of ``./dev test`` (crm, sale_management, account, mass_mailing,
website); skipped where one of them is missing.
"""

import os
import re
import secrets
import zlib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from unittest.mock import patch
from urllib.parse import urlparse

from odoo import Command, fields, http
from odoo.tests import Form, HttpCase, tagged
from odoo.tools import SQL, config

from ..tools import anonymize
from .common import HygieneCommon

FIRST_NAME = "Zyxwvuq"
SURNAME = "Kappamarker"
NAME = f"{FIRST_NAME} {SURNAME}"  # the namesake has the very same name
# Every column type that can hold a text: arrays (of text, or of anything) are read as text too.
SCANNED_TYPES = ("character varying", "character", "text", "json", "jsonb", "bytea", "ARRAY")
REQUIRED_MODELS = (
    "crm.lead",
    "sale.order",
    "account.move",
    "mailing.mailing",
    "link.tracker.click",
    "website.visitor",
    "calendar.event",
    "privacy.lookup.wizard",
)
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _phone_forms(digits):
    """The forms a French mobile number takes in the database: typed, national, E.164."""
    spaced = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return f"+33 6 {spaced}", [f"6 {spaced}", f"06{digits}", f"+336{digits}", f"336{digits}"]


class ErasureScanMixin:
    """The scans of the database and of the files, for the markers of a person."""

    def _scan_tables(self, markers):
        """{(table, column): {row key}} of every text, json, array and bytea column of every
        table of the database (the catalogue, not the ORM: tables no model declares too) that
        holds one of ``markers`` (case-insensitive; bytea as bytes); the key is the row's id, or
        a hash of the row where the table has no id."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.column_name),
                       array_agg(c.data_type::text ORDER BY c.column_name),
                       bool_or(c.column_name = 'id')
                  FROM information_schema.columns c
                  JOIN information_schema.tables t
                    ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                   AND (c.data_type = ANY(%s) OR c.column_name = 'id')
              GROUP BY c.table_name
                """,
                list(SCANNED_TYPES),
            )
        )
        patterns = [anonymize.like_pattern(marker) for marker in markers]
        variants = sorted({v for m in markers for v in (m, m.lower(), m.upper())})
        residues = {}
        for table, columns, types, has_id in cr.fetchall():
            tests = []
            for column, data_type in zip(columns, types, strict=True):
                if data_type not in SCANNED_TYPES:
                    continue
                if data_type == "bytea":
                    test = SQL(" OR ").join(
                        SQL("position(convert_to(%s, 'UTF8') IN %s) > 0", v, SQL.identifier(column))
                        for v in variants
                    )
                else:
                    test = SQL("%s::text ILIKE ANY(%s)", SQL.identifier(column), patterns)
                tests.append((column, SQL("COALESCE(%s, FALSE)", test)))
            if not tests:
                continue
            key = SQL("id") if has_id else SQL("md5(ROW(%s)::text)", SQL.identifier(table))
            cr.execute(
                SQL(
                    "SELECT %s, %s FROM %s WHERE %s",
                    key,
                    SQL(", ").join(test for __, test in tests),
                    SQL.identifier(table),
                    SQL(" OR ").join(test for __, test in tests),
                )
            )
            for row in cr.fetchall():
                for (column, __), hit in zip(tests, row[1:], strict=True):
                    if hit:
                        residues.setdefault((table, column), set()).add(row[0])
        return residues

    def _filestore_files(self):
        """(name, path) of every file of the database's filestore (its checklist holds only
        links to files of the filestore)."""
        root = self.env["ir.attachment"]._filestore()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "checklist"]
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                yield os.path.relpath(path, root), path

    def _session_files(self):
        """(name, path) of every file of the HTTP session store (a session holds the login)."""
        root = http.root.session_store.path
        for dirpath, __, filenames in os.walk(root):
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                yield f"sessions/{os.path.relpath(path, root)}", path

    def _scan_files(self, markers):
        """{name} of every file of the filestore and of the session store holding one of
        ``markers`` (case-insensitive): the raw bytes, and the inflated streams of a PDF."""
        needles = [marker.lower().encode() for marker in markers]
        found = set()
        for fname, path in [*self._filestore_files(), *self._session_files()]:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except FileNotFoundError:  # a session expired meanwhile
                continue
            texts = [data]
            if data.startswith(b"%PDF"):
                for stream in PDF_STREAM.findall(data):
                    try:
                        texts.append(zlib.decompress(stream))
                    except zlib.error:
                        continue
            if any(needle in text.lower() for text in texts for needle in needles):
                found.add(fname)
        return found

    def _scan(self):
        return {
            "unique": self._scan_tables(self.unique_markers),
            "names": self._scan_tables(self.name_markers),
            "files": self._scan_files(self.unique_markers + self.name_markers),
        }


@tagged("post_install", "-at_install")
class TestErasureScan(ErasureScanMixin, HygieneCommon):
    """The scan of the end-to-end test can fail: a marker planted anywhere is found."""

    def test_the_scan_finds_a_marker_planted_anywhere(self):
        marker = f"Zq{secrets.token_hex(6)}Marker"
        cr = self.env.cr
        # A table no model declares, without an id, with one column of each type scanned.
        cr.execute(
            """
            CREATE TABLE hygiene_scan_probe (
                note text, label varchar, code char(40), doc jsonb, raw json, data bytea,
                tags varchar[]
            )
            """
        )
        values = {
            "note": f"a note on {marker}",
            "label": marker.lower(),
            "code": marker.upper(),
            "doc": f'{{"en_US": "{marker}"}}',
            "raw": f'["{marker}"]',
            "data": marker.upper().encode(),
            "tags": ["other", marker],
        }
        for column, value in values.items():
            cr.execute(
                SQL(
                    "INSERT INTO hygiene_scan_probe (%s) VALUES (%s)", SQL.identifier(column), value
                )
            )
        self.env["ir.config_parameter"].sudo().set_param("hygiene.scan.probe", marker)
        # A plain file and a compressed PDF stream in the filestore.
        Attachment = self.env["ir.attachment"]
        root = Attachment._filestore()
        os.makedirs(os.path.join(root, "zz"), exist_ok=True)
        planted = {
            "zz/hygiene-probe-plain": f"x {marker} x".encode(),
            "zz/hygiene-probe-pdf": b"%PDF-1.4\n1 0 obj\nstream\n"
            + zlib.compress(f"BT ({marker}) Tj ET".encode())
            + b"\nendstream\n",
        }
        for name, content in planted.items():
            path = os.path.join(root, name)
            with open(path, "wb") as handle:
                handle.write(content)
            self.addCleanup(os.remove, path)

        found = self._scan_tables([marker])
        expected = {("hygiene_scan_probe", column) for column in values}
        expected.add(("ir_config_parameter", "value"))
        self.assertEqual(set(found), expected)
        self.assertEqual(len(found[("hygiene_scan_probe", "note")]), 1, "keyed by a row hash")
        self.assertEqual(self._scan_files([marker]), set(planted))
        self.assertEqual(self._scan_tables([f"Zq{secrets.token_hex(6)}None"]), {})


@tagged("post_install", "-at_install")
class TestErasureEndToEnd(ErasureScanMixin, HttpCase, HygieneCommon):
    # Read/write cursors for every request, as a server without a read replica runs them (the
    # website records a visit only on a read/write cursor).
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.missing = [model for model in REQUIRED_MODELS if model not in cls.env]
        if cls.missing:
            return
        # Plain env: the flows below track, log and send as in production.
        cls.flow_env = cls.env(context={})
        cls.company = cls.env.company
        cls.company.write({"email": "shop@example.org", "phone": "+33 4 78 00 00 00"})
        cls.salesman = cls.env["res.users"].create(
            {
                "name": "Sam Sales",
                "login": "hyg_e2e_sales",
                "email": "sam.sales@example.org",
                "groups_id": [
                    Command.link(cls.env.ref("sales_team.group_sale_salesman_all_leads").id),
                    Command.link(cls.env.ref("account.group_account_invoice").id),
                    Command.link(cls.env.ref("mass_mailing.group_mass_mailing_user").id),
                ],
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Data audit", "list_price": 1200.0, "type": "service"}
        )
        cls.fr = cls.env.ref("base.fr")

    def setUp(self):
        super().setUp()
        if self.missing:
            self.skipTest(f"not installed: {', '.join(self.missing)}")
        # Values unique to this run: nothing left by another test or run can match them.
        self.token = token = secrets.token_hex(5)
        digits = f"{secrets.randbelow(10**8):08d}"
        self.email = f"zz.{token}@example.com"
        self.phone, phone_markers = _phone_forms(digits)
        self.street = f"{int(token[:4], 16) % 90 + 10} rue {token.upper()}-Marqueur"
        self.ip = f"2001:db8:{token[:4]}::{token[4:8]}"
        self.unique_markers = [token, *phone_markers, self.ip]
        self.name_markers = [FIRST_NAME, SURNAME]
        # The filestore collection below runs inside this test's transaction: the files it
        # keeps lose their checklist entry, so mark the files of this test again for the next
        # collection once the test is rolled back.
        files_before = {fname for fname, __ in self._filestore_files()}

        def mark_new_files():
            Attachment = self.env["ir.attachment"]
            for fname, __ in self._filestore_files():
                if fname not in files_before:
                    Attachment._mark_for_gc(fname)

        self.addCleanup(mark_new_files)

    # ------------------------------------------------------------------ real flows

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
        return namesake, lead

    def _build_person(self):
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
        # 5. A mailing to a list holding the person, clicked (the link tracker's own API).
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
        # visitor and its page views), a consent with its proof, an attachment on the contact.
        self.authenticate(user.login, "unused")  # the password check is patched by HttpCase
        self.assertEqual(self._open_from_person("/my").status_code, 200)  # the device log
        response = self._open_from_person(f"/contactus?utm_term={self.token}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            self.env["website.visitor"].search([("partner_id", "=", person.id)]),
            "the visit of a tracked page created a visitor",
        )
        # (the person stays logged in: their session file on the server holds their login)
        self._consent(person, "grant", ip_address=self.ip, user_agent="Firefox")
        person.message_post(
            body="<p>Signed contract</p>",
            attachments=[(f"contract-{FIRST_NAME}.txt", f"{NAME}, {self.street}".encode())],
        )
        self._flush_tracking()
        return person, lead, order

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

    # ------------------------------------------------------------------ erase, then clean up

    def _erase_and_clean_up(self, partners):
        action = partners.with_user(self.user_officer).action_hygiene_erase()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self._run_crons_and_vacuum()

    def _run_crons_and_vacuum(self):
        """The addon's scheduled jobs, then Odoo's autovacuum (transient records, the portal
        users queued for deletion, ...) and the filestore garbage collection, as the cron
        workers would; their commits stay inside the test transaction."""
        crons = self.env["ir.model.data"].search(
            [("module", "=", "partner_data_hygiene"), ("model", "=", "ir.cron")]
        )
        for cron in self.env["ir.cron"].browse(crons.mapped("res_id")):
            cron.method_direct_trigger()
        with patch.object(self.env.cr, "commit", lambda: None):
            self.env["ir.autovacuum"]._run_vacuum_cleaner()
            self.env["ir.attachment"]._gc_file_store_unsafe()
        self.env.invalidate_all()

    # ------------------------------------------------------------------ checks

    def _assert_spread(self, scan):
        """The markers are really spread over the places the issue lists (the scan can fail)."""
        places = set(scan["unique"]) | set(scan["names"])
        expected = {
            ("crm_lead", "email_from"),
            ("mail_message", "body"),
            ("mail_message", "email_from"),
            ("mail_activity", "summary"),
            ("mail_activity", "note"),
            ("mail_activity", "res_name"),
            ("mail_tracking_value", "new_value_char"),
            ("link_tracker_click", "ip"),
            ("mailing_trace", "email"),
            ("mail_mail", "body_html"),
            ("ir_attachment", "index_content"),
            ("ir_attachment", "name"),
            ("sale_order", "client_order_ref"),
            ("res_device_log", "ip_address"),
            ("hygiene_consent", "ip_address"),
            ("website_track", "url"),
            ("res_users", "login"),
            ("calendar_event", "name"),
            ("calendar_event", "description"),
            ("calendar_event", "location"),
            ("calendar_attendee", "common_name"),
            ("sale_order", "note"),
            ("sale_order_line", "name"),
            ("privacy_lookup_wizard", "email"),
            ("privacy_lookup_wizard_line", "res_name"),
        }
        self.assertLessEqual(expected, places, expected - places)
        self.assertTrue(scan["files"], "the sent documents are in the filestore")
        self.assertTrue(
            any(name.startswith("sessions/") for name in scan["files"]),
            "the portal user's session file holds their login",
        )

    def _assert_meeting_without_person(self, person):
        """The meeting stays in the salesman's agenda, without its subject, notes, place, nor
        the person among its attendees."""
        meeting = self.meeting
        self.assertTrue(meeting.exists())
        self.assertEqual(meeting.name, anonymize.EVENT_NAME)
        self.assertFalse(meeting.description or meeting.location)
        self.assertNotIn(person, meeting.partner_ids | meeting.attendee_ids.partner_id)
        self.assertIn(self.salesman.partner_id, meeting.partner_ids)

    def _assert_names_only_namesake(self, baseline, scan):
        """The first name and surname are only where the namesake had them before."""
        extra = {
            place: rows - baseline.get(place, set())
            for place, rows in scan.items()
            if rows - baseline.get(place, set())
        }
        return extra

    def _namesake_state(self, namesake, lead):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT name, email, phone, active FROM res_partner WHERE id = %s",
                namesake.id,
            )
        )
        partner = cr.fetchone()
        cr.execute(
            SQL(
                "SELECT name, email_from, contact_name, description FROM crm_lead WHERE id = %s",
                lead.id,
            )
        )
        lead_row = cr.fetchone()
        cr.execute(
            SQL(
                """
                SELECT m.body, m.email_from, t.old_value_char, t.new_value_char
                  FROM mail_message m LEFT JOIN mail_tracking_value t ON t.mail_message_id = m.id
                 WHERE (m.model = 'res.partner' AND m.res_id = %s)
                    OR (m.model = 'crm.lead' AND m.res_id = %s)
              ORDER BY m.id, t.id
                """,
                namesake.id,
                lead.id,
            )
        )
        return partner, lead_row, cr.fetchall()

    def test_erasure_leaves_no_trace_outside_the_hold(self):
        namesake, namesake_lead = self._build_namesake()
        baseline = self._scan()
        namesake_before = self._namesake_state(namesake, namesake_lead)
        self.assertIn(("res_partner", "name"), baseline["names"])
        lookup_before = self._privacy_lookup(NAME, self.email)  # the namesake's records

        person, lead, order = self._build_person()
        invoice = self._invoice(order)
        self._officer_lookup(person, lead)
        documents = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )
        xml = documents.filtered(lambda a: a.name.endswith(".xml"))
        self.assertTrue(xml, "the electronic invoice (Factur-X) was generated")
        self.assertIn(self.email.encode(), xml.raw, "it carries the customer's email")
        spread = self._scan()
        self._assert_spread(spread)
        self.assertLessEqual(
            {("account_payment", "memo"), ("account_move_line", "name")},
            set(spread["names"]),
            "the payment's memo and the invoice line copied from the order name the person",
        )
        # every file of the invoice, its PDF (a binary field's attachment) included
        self.env.cr.execute(
            SQL(
                "SELECT store_fname FROM ir_attachment WHERE res_model = %s AND res_id = %s",
                "account.move",
                invoice.id,
            )
        )
        held_files = {row[0] for row in self.env.cr.fetchall()}
        self.assertTrue(held_files)

        # Erased by the privacy officer, under the accounting hold (a posted invoice).
        self._erase_and_clean_up(person)
        self.assertEqual(person.hygiene_retention_state, "partial")
        scan = self._scan()
        allowed = anonymize.HOLD_KEPT_COLUMNS
        unique = {place: rows for place, rows in scan["unique"].items() if place not in allowed}
        self.assertEqual(unique, {}, "the person's email, phone or IP outside the hold")
        names = self._assert_names_only_namesake(baseline["names"], scan["names"])
        names = {place: rows for place, rows in names.items() if place not in allowed}
        self.assertEqual(names, {}, "the person's name outside the hold")
        self.assertLessEqual(
            scan["files"] - baseline["files"], held_files, "only the held invoice's files stay"
        )
        # what the hold keeps: the printed name on the invoice and its documents
        self.assertEqual(invoice.invoice_partner_display_name, NAME)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.payment.memo, f"Transfer from {NAME}", "the payment as posted")
        self.assertEqual(self._namesake_state(namesake, namesake_lead), namesake_before)
        # Odoo's privacy lookup finds nothing by the person's email (the name is held)
        self.assertEqual(self._privacy_lookup("-", self.email), set())
        self._assert_meeting_without_person(person)

        # The hold ends (ten years later): the release cron completes the erasure. Every entry
        # of the person moves back (the invoice, and the payment's own entry).
        cr = self.env.cr
        cr.execute(
            SQL(
                """UPDATE account_move SET invoice_date = invoice_date - interval '11 years',
                                           date = date - interval '11 years'
                    WHERE id = %s OR partner_id = %s""",
                invoice.id,
                person.id,
            )
        )
        cr.execute(
            SQL(
                "UPDATE res_partner SET hygiene_hold_until = %s WHERE id = %s",
                fields.Date.today() - timedelta(days=1),
                person.id,
            )
        )
        self.env.invalidate_all()
        self._run_crons_and_vacuum()
        self.assertEqual(person.hygiene_retention_state, "anonymized")
        scan = self._scan()
        self.assertEqual(scan["unique"], {}, "nothing of the person once the hold has ended")
        self.assertEqual(self._assert_names_only_namesake(baseline["names"], scan["names"]), {})
        self.assertEqual(scan["files"] - baseline["files"], set())
        self.assertEqual(self._namesake_state(namesake, namesake_lead), namesake_before)
        # the books still balance: the invoice stays, anonymised
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_untaxed, 1200.0)
        self.assertEqual(invoice.invoice_partner_display_name, anonymize.PARTNER_NAME)
        self.assertFalse(self.payment.memo)
        self.assertLessEqual(self._privacy_lookup(NAME, self.email), lookup_before)

    def test_erasure_without_invoice_leaves_nothing(self):
        namesake, namesake_lead = self._build_namesake()
        baseline = self._scan()
        namesake_before = self._namesake_state(namesake, namesake_lead)
        lookup_before = self._privacy_lookup(NAME, self.email)
        person, lead, order = self._build_person()
        self._officer_lookup(person, lead)
        self._assert_spread(self._scan())
        self._erase_and_clean_up(person)
        scan = self._scan()
        self.assertEqual(scan["unique"], {})
        self.assertEqual(self._assert_names_only_namesake(baseline["names"], scan["names"]), {})
        self.assertEqual(scan["files"] - baseline["files"], set())
        self.assertEqual(self._namesake_state(namesake, namesake_lead), namesake_before)
        # the order stays for the sales figures, anonymised; the lead too
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.client_order_ref)
        self.assertEqual(lead.name, anonymize.LEAD_NAME)
        # the files of others stay: the mailing's catalogue sent to everybody
        self.assertEqual(self.mailing.attachment_ids.mapped("name"), ["catalogue.txt"])
        self.assertTrue(self.sheet.exists(), "the product's sheet shared on the lead stays")
        self.assertFalse(lead.activity_ids)
        self.assertEqual(order.order_line.name, "Data audit", "the product's name is back")
        self.assertFalse(order.note)
        self._assert_meeting_without_person(person)
        # Odoo's privacy lookup finds only the namesake's records
        self.assertLessEqual(self._privacy_lookup(NAME, self.email), lookup_before)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
            )
        )
