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
email and phone) keeps everything. ``test_erasure_scan.py`` proves that the scan finds a marker
planted in a table the ORM does not know, in each column type, and in a file.

Runs in the ``full`` database of ``./dev test`` (crm, sale_management, account, mass_mailing,
website); skipped where one of them is missing.
"""

import secrets
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from ..tools import anonymize
from .common import HygieneCommon
from .erasure_flows import FIRST_NAME, NAME, SURNAME, ErasureFlowsMixin
from .erasure_scan import ErasureScanMixin

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


def _phone_forms(digits):
    """The forms a French mobile number takes in the database: typed, national, E.164."""
    spaced = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return f"+33 6 {spaced}", [f"6 {spaced}", f"06{digits}", f"+336{digits}", f"336{digits}"]


@tagged("post_install", "-at_install")
class TestErasureEndToEnd(ErasureFlowsMixin, ErasureScanMixin, HttpCase, HygieneCommon):
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

        self._assert_under_hold(person, invoice, baseline, held_files)
        self.assertEqual(self._namesake_state(namesake, namesake_lead), namesake_before)
        self._end_hold(person, invoice)
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

    def _assert_under_hold(self, person, invoice, baseline, held_files):
        """Erased by the privacy officer, under the accounting hold (a posted invoice): nothing
        outside the documented hold columns and the held invoice's files."""
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
        # Odoo's privacy lookup finds nothing by the person's email (the name is held)
        self.assertEqual(self._privacy_lookup("-", self.email), set())
        self._assert_meeting_without_person(person)

    def _end_hold(self, person, invoice):
        """The hold ends (ten years later): the release cron completes the erasure. Every entry
        of the person moves back (the invoice, and the payment's own entry)."""
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
