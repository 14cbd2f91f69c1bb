"""Proof by test (issue 6, item 8): after the anonymisation of a person, no value of theirs is left
in any stored text column of any table, except the documented legal-hold fields.

Runs in full in a database with crm, sale_management, account, mass_mailing and website; in a
database with only the addon, the scan still runs over what exists and the application parts are
skipped.
"""

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.mail.tests.common import mail_new_test_user

from ..tools import anonymize
from .common import HygieneCommon

# Unique values of the person, and the forms they take in other records.
EMAIL = "zz-marker-7f3a@example.com"
PHONE = "+33 6 71 23 45 98"
FIRST_NAME = "Zyxwvuq"
SURNAME = "Kappamarker"  # shared with the bystander: never scanned alone
NAME = f"{FIRST_NAME} {SURNAME}"
STREET = "13 rue du Marqueur Zeta"
IBAN = "FR7630006000011234567890189"
IP = "198.51.100.73"
MARKERS = (
    "zz-marker-7f3a",
    FIRST_NAME,
    "Marqueur Zeta",
    "71 23 45 98",
    "671234598",
    "30006000011234567890189",
    IP,
    "MarkerAgent",
)
TEXT_TYPES = ("character varying", "text", "jsonb", "json")
# What a legal hold keeps (tools/anonymize.py HOLD_KEPT_PARTNER_COLUMNS, and the invoice's
# printed name): the only residues allowed for a held person.
HOLD_ALLOWED = {("res_partner", col) for col in anonymize.HOLD_KEPT_PARTNER_COLUMNS} | {
    ("account_move", "invoice_partner_display_name"),
}


@tagged("post_install", "-at_install")
class TestRetentionLeavesNoTrace(HygieneCommon):
    def _installed(self, *models):
        return all(model in self.env for model in models)

    def _scan(self, markers=MARKERS):
        """{(table, column): rows} of every stored text column holding a marker."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.column_name)
                  FROM information_schema.columns c
                  JOIN information_schema.tables t
                    ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                   AND c.data_type = ANY(%s)
              GROUP BY c.table_name
                """,
                list(TEXT_TYPES),
            )
        )
        patterns = [anonymize.like_pattern(marker) for marker in markers]
        residues = {}
        for table, columns in cr.fetchall():
            for column in columns:
                cr.execute(
                    SQL(
                        "SELECT count(*) FROM %s WHERE %s::text ILIKE ANY(%s)",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        patterns,
                    )
                )
                count = cr.fetchone()[0]
                if count:
                    residues[(table, column)] = count
        return residues

    def _spread_person(self):
        """The person, with their values in every place the anonymisation must reach."""
        Partner = self.env["res.partner"]
        employee_env = self.env(user=self.user_employee)
        person = Partner.create(
            {
                "name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "mobile": "06 71 23 45 98",
                "street": STREET,
                "zip": "69003",
                "city": "Lyon",
                "website": "https://zz-marker-7f3a.example.com",
                "comment": f"<p>{NAME} prefers calls</p>",
                "function": f"Buyer ({FIRST_NAME})",
            }
        )
        child = Partner.create(
            {
                "name": f"{FIRST_NAME} Junior",
                "email": "zz-marker-7f3a-jr@example.com",
                "parent_id": person.id,
                "type": "other",
            }
        )
        portal = mail_new_test_user(
            self.env,
            login=EMAIL,
            groups="base.group_portal",
            name=NAME,
            email=EMAIL,
            signature=f"<p>{NAME}</p>",
        )
        # the portal user got its own partner: the person's child contact
        portal.partner_id.parent_id = person
        self.env.flush_all()
        # messages: on their record, written by them elsewhere, mails and notifications to them
        person.message_post(
            body=f"<p>Call from {NAME}, {PHONE}</p>",
            subject=f"About {NAME}",
            author_id=person.id,
            email_from=f'"{NAME}" <{EMAIL}>',
            message_type="comment",
        )
        self.bystander.message_post(
            body=f"<p>{FIRST_NAME} asked about the bystander</p>",
            author_id=person.id,
            message_type="comment",
        )
        self.bystander.with_env(employee_env).message_post(
            body=f"<p>Dear {FIRST_NAME}, see you soon</p>",
            partner_ids=person.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # an inbound email from their address, received before it was linked to them
        self.bystander.message_post(
            body=f"<p>Regards, {FIRST_NAME}</p>",
            author_id=False,
            email_from=f'"{NAME}" <{EMAIL.upper()}>',
            message_type="email",
        )
        self.env["mail.mail"].create(
            {
                "email_to": f'"{NAME}" <{EMAIL}>',
                "subject": f"Hello {FIRST_NAME}",
                "body_html": f"<p>Dear {NAME}</p>",
                "recipient_ids": [Command.link(person.id)],
            }
        )
        # tracking values holding the person's old values on another record
        tracked = Partner.create({"name": "Tracked Company", "is_company": True})
        tracked.message_post(
            body="",
            message_type="notification",
            tracking_value_ids=[
                Command.create(
                    {
                        "field_id": self.env["ir.model.fields"]._get("res.partner", "email").id,
                        "old_value_char": EMAIL,
                        "new_value_char": "other@example.com",
                    }
                ),
                Command.create(
                    {
                        "field_id": self.env["ir.model.fields"]._get("res.partner", "parent_id").id,
                        "old_value_char": NAME,
                        "old_value_integer": person.id,
                        "new_value_char": "Tracked Company",
                    }
                ),
            ],
        )
        # attachment, bank account, blacklists, consent proof, origin
        self.env["ir.attachment"].create(
            {
                "name": f"cv-{FIRST_NAME}.txt",
                "res_model": "res.partner",
                "res_id": person.id,
                "raw": f"Curriculum of {NAME}, {STREET}".encode(),
                "mimetype": "text/plain",
            }
        )
        self.env["res.partner.bank"].create(
            {"acc_number": IBAN, "partner_id": person.id, "acc_holder_name": NAME}
        )
        self.env["mail.blacklist"]._add(EMAIL)
        self._consent(
            person,
            "grant",
            ip_address=IP,
            user_agent="MarkerAgent/7f3a",
            page_url=f"https://shop.example.com/?u={EMAIL}",
        )
        self.env["hygiene.partner.origin"].create(
            {
                "partner_id": person.id,
                "source_id": self.source_shop.id,
                "source_ref": f"customers.csv row 7 ({EMAIL})",
                "note": f"{FIRST_NAME} at the fair",
            }
        )
        if self._installed("crm.lead"):
            lead = self.env["crm.lead"].create(
                {
                    "name": f"Opportunity {NAME}",
                    "partner_id": person.id,
                    "email_from": EMAIL,
                    "phone": PHONE,
                    "contact_name": NAME,
                    "street": STREET,
                    "description": f"<p>{NAME} wants a quote</p>",
                }
            )
            lead.message_post(body=f"<p>Mail from {FIRST_NAME}</p>", message_type="comment")
            # the same person, not linked to the partner: found by the email
            self.env["crm.lead"].create(
                {"name": "Website form", "email_from": EMAIL.upper(), "contact_name": NAME}
            )
        if self._installed("mailing.contact", "mailing.trace"):
            contact = self.env["mailing.contact"].create({"name": NAME, "email": EMAIL})
            self.env["mailing.trace"].create(
                {
                    "model": "mailing.contact",
                    "res_id": contact.id,
                    "email": EMAIL,
                    "trace_type": "mail",
                }
            )
        if self._installed("website.visitor"):
            visitor = self.env["website.visitor"].create(
                {"partner_id": person.id, "access_token": str(person.id)}
            )
            self.env["website.track"].create(
                {"visitor_id": visitor.id, "url": f"/shop?email={EMAIL}"}
            )
        if self._installed("sale.order"):
            order = (
                self.env["sale.order"]
                .with_context(tracking_disable=False)
                .create({"partner_id": person.id})
            )
            # the order moves to the bystander: its tracking keeps the person's name
            order.with_context(
                tracking_disable=False, mail_notrack=False
            ).partner_id = self.bystander
        if self._installed("hygiene.import.line", "hygiene.import.batch"):
            # a staging line of the file the person came from (the import work)
            batch = self.env["hygiene.import.batch"].create({"source_id": self.source_shop.id})
            self.env["hygiene.import.line"].create(
                {
                    "batch_id": batch.id,
                    "line_number": 7,
                    "raw_values": f'{{"name": "{NAME}", "email": "{EMAIL}", "phone": "{PHONE}"}}',
                    "clean_values": f'{{"email": "{EMAIL}", "street": "{STREET}"}}',
                    "email_key": EMAIL,
                    "match_partner_id": person.id,
                }
            )
        self.env.flush_all()
        return person, child, portal

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bystander = cls.env["res.partner"].create(
            {
                "name": f"Alice {SURNAME}",
                "email": "alice.kappa@example.com",
                "phone": "+33 6 12 12 12 12",
                "street": "1 rue du Témoin",
            }
        )
        cls.env.flush_all()

    def _bystander_state(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT name, email, phone, street, active FROM res_partner WHERE id = %s",
                self.bystander.id,
            )
        )
        return self.env.cr.fetchone()

    def test_no_residue_after_anonymisation(self):
        person, child, portal = self._spread_person()
        before = self._scan()
        # the markers are really spread (the scan can fail): 53 columns in the full database
        spread = {
            ("res_partner", "email"),
            ("res_partner", "phone"),
            ("res_partner", "street"),
            ("res_partner", "hygiene_email_key"),
            ("res_partner", "comment"),
            ("res_users", "login"),
            ("res_users", "signature"),
            ("mail_message", "body"),
            ("mail_message", "subject"),
            ("mail_message", "email_from"),
            ("mail_tracking_value", "old_value_char"),
            ("mail_mail", "body_html"),
            ("mail_mail", "email_to"),
            ("ir_attachment", "name"),
            ("ir_attachment", "index_content"),
            ("res_partner_bank", "acc_number"),
            ("res_partner_bank", "acc_holder_name"),
            ("mail_blacklist", "email"),
            ("hygiene_consent", "ip_address"),
            ("hygiene_consent", "user_agent"),
            ("hygiene_consent", "page_url"),
            ("hygiene_partner_origin", "source_ref"),
        }
        if self._installed("crm.lead"):
            spread |= {
                ("crm_lead", col)
                for col in ("email_from", "phone", "contact_name", "street", "name", "description")
            }
        if self._installed("mailing.contact", "mailing.trace"):
            spread |= {
                ("mailing_contact", "email"),
                ("mailing_contact", "name"),
                ("mailing_trace", "email"),
            }
        if self._installed("website.visitor"):
            spread.add(("website_track", "url"))
        self.assertLessEqual(spread, set(before), spread - set(before))
        bystander = self._bystander_state()
        result = person.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.assertEqual(result["done"], [person.id])
        self.assertEqual(self._scan(), {})
        # the bystander with the same surname is untouched
        self.assertEqual(self._bystander_state(), bystander)
        self.assertEqual(
            self.env["mail.message"].search_count(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.bystander.id),
                    ("body", "ilike", "bystander"),
                ]
            ),
            0,  # that message was written by the person: emptied
        )
        self.assertFalse(portal.with_context(active_test=False).active)
        # the journal holds no personal data
        self.env.cr.execute(SQL("SELECT * FROM hygiene_journal"))
        journal = repr(self.env.cr.fetchall())
        for marker in MARKERS + (SURNAME,):
            self.assertNotIn(marker.lower(), journal.lower())

    def test_legal_hold_keeps_only_the_documented_fields(self):
        if not self._installed("account.move"):
            self.skipTest("account is not installed")
        person, __, __ = self._spread_person()
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": person.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 50})],
            }
        )
        invoice.action_post()
        result = person.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.assertEqual(result["held"], [person.id])
        residues = self._scan()
        self.assertTrue(residues, "the held name and address stay")
        self.assertLessEqual(set(residues), HOLD_ALLOWED, residues)
        self.assertEqual(person.hygiene_retention_state, "partial")
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_untaxed, 50)
