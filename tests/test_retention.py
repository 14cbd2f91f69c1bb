"""The retention engine: anonymise, delete, archive, legal holds, isolation, journal."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

from ..tools import anonymize
from .common import HygieneCommon

# a 1x1 PNG
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
    "hQGAhKmMIQAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestAnonymizeTools(BaseCase):
    def test_replacement_values_carry_nothing_of_the_person(self):
        self.assertEqual(anonymize.PARTNER_NAME, "Anonymised contact")
        first, second = anonymize.anonymised_login(), anonymize.anonymised_login()
        self.assertNotEqual(first, second)  # unique, random
        self.assertTrue(first.startswith(anonymize.USER_LOGIN_PREFIX))
        # a random token only: no date, no initials, no id (a token may contain "2053" by chance)
        self.assertRegex(first, r"^anonymised-[0-9a-f]+@anonymised\.invalid$")
        today = fields.Date.today()
        for stamp in (today.strftime("%Y%m%d"), today.isoformat(), today.strftime("%d%m%Y")):
            self.assertNotIn(stamp, first)
        self.assertNotEqual(
            anonymize.anonymised_bank_account(), anonymize.anonymised_bank_account()
        )

    def test_columns_to_blank(self):
        columns = {"name", "complete_name", "email", "street", "vat", "lang", "comment"}
        blank, replace = anonymize.columns_to_blank("res_partner", columns)
        self.assertEqual(blank, ["comment", "email", "street", "vat"])
        self.assertEqual(
            replace, {"name": "Anonymised contact", "complete_name": "Anonymised contact"}
        )
        # a legal hold keeps the name and the address printed on invoices
        blank, replace = anonymize.columns_to_blank("res_partner", columns, held=True)
        self.assertEqual(blank, ["comment", "email"])
        self.assertEqual(replace, {})
        # technical columns stay in every table
        blank, __ = anonymize.columns_to_blank("mailing_trace", {"email", "model", "message_id"})
        self.assertEqual(blank, ["email"])
        # only the replacements of columns that exist
        self.assertEqual(
            anonymize.columns_to_blank("crm_lead", {"email_from"}), (["email_from"], {})
        )

    def test_identifiers_and_patterns(self):
        self.assertEqual(
            anonymize.identifiers([" jean@x.fr ", "Jo", None, "jean@x.fr", "Anonymised contact"]),
            ["jean@x.fr"],
        )
        self.assertEqual(anonymize.like_pattern("a_b%c@x.fr"), "%a\\_b\\%c@x.fr%")
        self.assertEqual(
            anonymize.personal_date_columns(["birthdate", "date", "x_birth_day"]),
            ["birthdate", "x_birth_day"],
        )


@tagged("post_install", "-at_install")
class TestRetentionEngine(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.company = Partner.create(
            {
                "name": "Zorglub Industries",
                "is_company": True,
                "email": "contact@zorglub-industries.com",
                "street": "12 rue Zorglub",
                "vat": "FR40303265045",
            }
        )
        cls.person = Partner.create(
            {
                "name": "Quentin Zorglub",
                "email": "quentin.zorglub@example.com",
                "phone": "+33 6 99 88 77 66",
                "street": "7 impasse Zorglub",
                "city": "Lyon",
                "parent_id": cls.company.id,
                "comment": "<p>Met Quentin Zorglub at the fair</p>",
            }
        )
        cls.bystander = Partner.create(
            {"name": "Martine Zorglub", "email": "martine.zorglub@example.com"}
        )
        # The engine reads with SQL: the fixtures must be in the database, not only in the cache.
        cls.env.flush_all()

    def _run(self, partners, action="anonymize", user=None, **kw):
        partners = partners.with_user(user or self.user_officer)
        return partners._hygiene_retention_execute(action, **kw)

    def setUp(self):
        super().setUp()
        # only the entries of this test (a database may hold earlier ones)
        self.journal_start = self.env["hygiene.journal"].search([], order="id desc", limit=1).id

    def _journal(self, **domain):
        return self.env["hygiene.journal"].search(
            [("id", ">", self.journal_start or 0)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    # ------------------------------------------------------------------ anonymise

    def test_anonymize_partner_and_child_contacts(self):
        self.person.message_post(body="Call Quentin Zorglub back", author_id=self.person.id)
        # a photo: stored as an attachment of the partner
        self.person.image_1920 = PIXEL
        self.env.flush_all()
        result = self._run(self.company)
        self.assertEqual(result["done"], [self.company.id], result)
        self.assertFalse(result["refused"] or result["failed"] or result["held"])
        for partner in self.company | self.person:
            self.assertEqual(partner.name, "Anonymised contact")
            self.assertFalse(partner.email or partner.phone or partner.street or partner.vat)
            self.assertFalse(partner.comment)
            self.assertFalse(partner.active)
            self.assertEqual(partner.hygiene_retention_state, "anonymized")
            self.assertFalse(partner.hygiene_email_key or partner.hygiene_name_key)
            self.assertFalse(partner.hygiene_phonetic_key)
        self.assertEqual(result["counts"]["res.partner"], 2)
        self.assertFalse(self.person.image_1920)
        self.assertFalse(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.person.id)]
            )
        )
        self.assertGreaterEqual(result["counts"]["mail.message"], 1)
        # the bystander with the same surname is untouched
        self.assertEqual(self.bystander.name, "Martine Zorglub")
        self.assertEqual(self.bystander.email, "martine.zorglub@example.com")
        self.assertTrue(self.bystander.active)
        # an erased person never comes back: email and phone are suppressed
        Suppression = self.env["hygiene.suppression"]
        self.assertEqual(
            Suppression._is_suppressed(
                email="Quentin.Zorglub@example.com", phones=["06 99 88 77 66"]
            ),
            {"email", "phone"},
        )
        self.assertFalse(Suppression._is_suppressed(email="martine.zorglub@example.com"))
        entry = self._journal(operation="anonymize")
        self.assertEqual(entry.record_ids, [self.company.id])
        self.assertEqual(entry.counts["res.partner"], 2)
        suppress = self._journal(operation="suppress")
        self.assertEqual(suppress.record_ids, [self.company.id])
        self.assertEqual(suppress.reason, "erasure")
        # the person's email and phone, the company's email
        self.assertEqual(suppress.counts, {"hygiene.suppression": 3})

    def test_two_anonymised_people_are_indistinguishable(self):
        other = self.env["res.partner"].create(
            {"name": "Quentin Zorglub", "email": "q.z@example.com"}
        )
        self._run(self.person | other)
        fields_ = ["name", "email", "phone", "street", "city", "comment", "complete_name"]
        self.assertEqual(
            self.person.read(fields_)[0] | {"id": 0}, other.read(fields_)[0] | {"id": 0}
        )

    def test_portal_user_deactivated_through_odoo_chain(self):
        portal_partner = self.user_portal.partner_id
        result = self._run(portal_partner)
        self.assertEqual(result["done"], [portal_partner.id], result)
        user = self.user_portal.with_context(active_test=False)
        self.assertFalse(user.active)
        self.assertTrue(user.login.startswith(anonymize.USER_LOGIN_PREFIX))
        self.assertNotIn("paula", user.login.lower())
        # Odoo's own chain queued the account for deletion
        self.assertTrue(self.env["res.users.deletion"].search([("user_id", "=", user.id)]))

    def test_internal_user_is_refused(self):
        partner = self.user_employee.partner_id
        name = partner.name
        result = self._run(partner | self.bystander)
        self.assertEqual(result["refused"], [partner.id])
        self.assertEqual(result["done"], [self.bystander.id])
        self.assertEqual(partner.name, name)
        self.assertEqual(self._journal(operation="refused").reason, "internal_user")
        # a company whose contact is an employee is refused as a whole
        self.user_employee.partner_id.parent_id = self.company
        result = self._run(self.company)
        self.assertEqual(result["refused"], [self.company.id])
        self.assertEqual(self.company.name, "Zorglub Industries")

    def test_rights(self):
        for user in (self.user_employee, self.user_hygiene, self.user_steward):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._run(self.person, user=user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.person.with_user(user).action_hygiene_anonymize()
        self.assertEqual(self.person.name, "Quentin Zorglub")
        # the superuser (scheduled jobs) may
        self.assertEqual(
            self.person.sudo()._hygiene_retention_execute("anonymize")["done"], [self.person.id]
        )

    def test_bad_input(self):
        with self.assertRaises(UserError):
            self._run(self.person, action="shred")
        with self.assertRaises(UserError):
            self.person.write({"hygiene_retention_state": "anonymized"})
        with self.assertRaises(UserError):
            self.env["res.partner"].create({"name": "X", "hygiene_hold_until": "2030-01-01"})
        with self.assertRaises(ValidationError):
            self.person.with_user(self.user_officer).write({"hygiene_hold_end_date": "2099-01-01"})
        # nothing, or a partner deleted meanwhile, is not an error
        ghost = self.env["res.partner"].create({"name": "Ghost"})
        ghost_id = ghost.id
        ghost.unlink()
        result = self._run(self.env["res.partner"].browse(ghost_id))
        self.assertEqual(result["done"], [ghost_id])

    def test_idempotent(self):
        first = self._run(self.person)
        snapshot = self.person.read(["name", "email", "street", "hygiene_retention_state"])
        second = self._run(self.person)
        self.assertEqual(first["done"], second["done"])
        self.assertEqual(
            self.person.read(["name", "email", "street", "hygiene_retention_state"]), snapshot
        )

    def test_one_failure_does_not_stop_the_others_and_rerun_completes(self):
        Partner = self.env["res.partner"]
        partners = Partner.create(
            [{"name": f"Zorglub Victim {i}", "email": f"victim{i}@example.com"} for i in range(3)]
        )
        failing = partners[1]
        original = type(Partner)._hygiene_anonymize_check

        def check(self_, node_ids):
            if failing.id in node_ids:
                raise ValueError("boom")
            return original(self_, node_ids)

        with patch.object(type(Partner), "_hygiene_anonymize_check", check):
            result = self._run(partners)
        self.assertEqual(result["failed"], [failing.id])
        self.assertEqual(sorted(result["done"]), sorted((partners - failing).ids))
        self.assertEqual(failing.name, "Zorglub Victim 1")  # rolled back as a whole
        self.assertEqual(failing.email, "victim1@example.com")
        error = self._journal(operation="error")
        self.assertEqual(error.record_ids, [failing.id])
        self.assertEqual(error.reason, "exception:ValueError")
        # the run after the "crash" completes the job: same end state for all three
        result = self._run(partners)
        self.assertEqual(sorted(result["done"]), sorted(partners.ids))
        self.assertEqual(set(partners.mapped("name")), {"Anonymised contact"})
        self.assertEqual(set(partners.mapped("hygiene_retention_state")), {"anonymized"})

    # ------------------------------------------------------------------ delete

    def test_delete_where_nothing_references(self):
        lonely = self.env["res.partner"].create(
            {"name": "Zorglub Alone", "email": "alone@example.com"}
        )
        lonely.message_post(body="note")
        self.env["res.partner.bank"].create(
            {"acc_number": "FR7630006000011234567890189", "partner_id": lonely.id}
        )
        lonely_id = lonely.id
        result = self._run(lonely, action="delete")
        self.assertEqual(result["done"], [lonely_id])
        self.assertFalse(self.env["res.partner"].browse(lonely_id).exists())
        entry = self._journal(operation="delete")
        self.assertEqual(entry.record_ids, [lonely_id])
        self.assertEqual(entry.counts, {"res.partner": 1})
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM mail_message WHERE model = 'res.partner' " "AND res_id = %s",
                lonely_id,
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_delete_falls_back_to_anonymise_when_referenced(self):
        # a consent event is proof: the ledger keeps it, so the partner cannot go
        self._consent(self.bystander, "grant", ip_address="203.0.113.7", user_agent="ZorgBrowser")
        result = self._run(self.bystander, action="delete")
        self.assertEqual(result["done"], [self.bystander.id])
        self.assertTrue(self.bystander.exists())
        self.assertEqual(self.bystander.name, "Anonymised contact")
        self.assertEqual(
            self._journal(operation="anonymize", reason="referenced").record_ids,
            [self.bystander.id],
        )
        self.assertFalse(self._journal(operation="delete"))
        # the event stays, its proof is gone
        event = self.bystander.sudo().hygiene_consent_ids
        self.assertEqual(event.action, "grant")
        self.assertFalse(event.ip_address or event.user_agent)

    def test_delete_takes_the_child_contacts_along(self):
        company = self.env["res.partner"].create({"name": "Zorglub Gone SAS", "is_company": True})
        child = self.env["res.partner"].create(
            {"name": "Zorglub Child", "parent_id": company.id, "email": "child@example.com"}
        )
        ids = (company | child).ids
        result = self._run(company, action="delete")
        self.assertEqual(result["done"], [company.id])
        self.assertFalse(self.env["res.partner"].browse(ids).exists())
        self.assertEqual(self._journal(operation="delete").counts, {"res.partner": 2})
        # the erased child's email is on the suppression list
        self.assertEqual(
            self.env["hygiene.suppression"]._is_suppressed(email="child@example.com"), {"email"}
        )
        # re-running on deleted partners is harmless
        self.assertEqual(self._run(company, action="delete")["done"], [company.id])

    def test_delete_refused_by_the_database_stays_anonymised(self):
        partner = self.env["res.partner"].create({"name": "Zorglub Referenced"})
        original = type(partner).unlink

        def unlink(records):
            if partner in records:
                message = "referenced by a document"
                raise UserError(message)
            return original(records)

        with patch.object(type(partner), "unlink", unlink):
            result = self._run(partner, action="delete")
        self.assertEqual(result["done"], [partner.id])
        self.assertFalse(result["failed"])
        self.assertTrue(partner.exists())
        self.assertEqual(partner.name, "Anonymised contact")
        self.assertEqual(
            self._journal(operation="anonymize", reason="referenced").record_ids, [partner.id]
        )

    def test_archive_is_visible_to_officers_only(self):
        result = self._run(self.bystander, action="archive")
        self.assertEqual(result["done"], [self.bystander.id])
        self.assertEqual(self.bystander.hygiene_retention_state, "archived")
        self.assertEqual(self.bystander.name, "Martine Zorglub")  # kept, restricted
        domain = [("id", "=", self.bystander.id), ("active", "=", False)]
        Partner = self.env["res.partner"]
        self.assertFalse(Partner.with_user(self.user_employee).search(domain))
        self.assertFalse(Partner.with_user(self.user_steward).search(domain))
        self.assertTrue(Partner.with_user(self.user_officer).search(domain))
        with self.assertRaises(AccessError):
            self.bystander.with_user(self.user_employee).read(["name"])
        # other contacts stay readable and writable by employees; portal users read their own
        self.person.with_user(self.user_employee).write({"city": "Paris"})
        self.assertEqual(
            self.user_portal.partner_id.with_user(self.user_portal).read(["name"])[0]["name"],
            "Paula Portal",
        )
        self.assertEqual(self._journal(operation="archive").record_ids, [self.bystander.id])

    # ------------------------------------------------------------------ legal hold

    def test_officer_hold_partial_then_second_pass(self):
        hold_end = fields.Date.today() + timedelta(days=30)
        self.person.with_user(self.user_officer).write(
            {"hygiene_hold_reason": "litigation", "hygiene_hold_end_date": hold_end}
        )
        self.assertEqual(
            self._journal(operation="hold", reason="officer").record_ids, [self.person.id]
        )
        result = self._run(self.person)
        self.assertEqual(result["held"], [self.person.id])
        self.assertFalse(result["done"])
        self.assertEqual(self.person.hygiene_retention_state, "partial")
        self.assertEqual(self.person.hygiene_hold_until, hold_end)
        # the name and address stay, the rest goes now
        self.assertEqual(self.person.name, "Quentin Zorglub")
        self.assertEqual(self.person.street, "12 rue Zorglub")  # synced from its company
        self.assertFalse(self.person.email or self.person.phone or self.person.comment)
        self.assertFalse(self.person.hygiene_email_key)
        self.assertEqual(
            self._journal(operation="hold", reason="legal_hold").record_ids, [self.person.id]
        )
        partial = self._journal(operation="anonymize", reason="partial")
        self.assertEqual(partial.record_ids, [self.person.id])
        self.assertEqual(partial.counts["res.partner"], 1)
        # the second pass does nothing before the end of the hold...
        self.env["res.partner"]._cron_hygiene_hold_release()
        self.assertEqual(self.person.hygiene_retention_state, "partial")
        # ... and completes the job after it (the shipped daily job)
        cron = self.env.ref("partner_data_hygiene.ir_cron_hygiene_hold_release")
        with freeze_time(hold_end + timedelta(days=1)):
            cron.method_direct_trigger()
        self.assertEqual(self.person.hygiene_retention_state, "anonymized")
        self.assertEqual(self.person.name, "Anonymised contact")
        self.assertFalse(self.person.street or self.person.sudo().hygiene_hold_reason)
        self.assertEqual(
            self._journal(operation="hold_release", reason="expired").record_ids, [self.person.id]
        )

    def test_officer_hold_lifted_is_journaled(self):
        partner = self.person.with_user(self.user_officer)
        partner.write(
            {
                "hygiene_hold_reason": "audit",
                "hygiene_hold_end_date": fields.Date.today() + timedelta(days=10),
            }
        )
        partner.write({"hygiene_hold_end_date": False, "hygiene_hold_reason": False})
        self.assertEqual(
            self._journal(operation="hold_release", reason="officer").record_ids, [partner.id]
        )
        # without a hold, the anonymisation is complete
        self.assertEqual(self._run(self.person)["done"], [self.person.id])
        self.assertEqual(self.person.hygiene_retention_state, "anonymized")
        # a steward cannot set a hold
        with self.assertRaises(AccessError):
            self.bystander.with_user(self.user_steward).write({"hygiene_hold_reason": "x"})

    def test_accounting_hold(self):
        if "account.move" not in self.env:
            self.skipTest("account is not installed")
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.person.id,
                "invoice_date": fields.Date.today() - timedelta(days=400),
                "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100})],
            }
        )
        invoice.action_post()
        printed = invoice.invoice_partner_display_name
        result = self._run(self.company)
        self.assertEqual(result["held"], [self.company.id])
        self.assertEqual(self.person.hygiene_retention_state, "partial")
        expected = invoice.invoice_date.replace(year=invoice.invoice_date.year + 10)
        self.assertEqual(self.person.hygiene_hold_until, expected)
        self.assertEqual(self.company.hygiene_hold_until, expected)  # commercial partner
        self.assertEqual(self.person.name, "Quentin Zorglub")
        self.assertFalse(self.person.email)
        invoice.invalidate_recordset()
        self.assertEqual(invoice.invoice_partner_display_name, printed)
        self.assertEqual(invoice.amount_untaxed, 100)
        self.assertEqual(invoice.state, "posted")
        # an invoice older than 10 years holds nothing
        with freeze_time(expected + timedelta(days=1)):
            self.env["res.partner"]._cron_hygiene_hold_release()
        self.assertEqual(self.person.hygiene_retention_state, "anonymized")
        invoice.invalidate_recordset()
        self.assertEqual(invoice.invoice_partner_display_name, "Anonymised contact")

    # ------------------------------------------------------------------ buttons, journal

    def test_officer_buttons(self):
        action = self.person.with_user(self.user_officer).action_hygiene_anonymize()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.person.hygiene_retention_state, "anonymized")
        self.assertEqual(self._journal(operation="anonymize").reason, "manual")
        lonely = self.env["res.partner"].create({"name": "Zorglub Gone"})
        lonely.with_user(self.user_officer).action_hygiene_erase()
        self.assertFalse(lonely.exists())
        action = self.user_employee.partner_id.with_user(
            self.user_officer
        ).action_hygiene_anonymize()
        self.assertEqual(action["params"]["type"], "warning")

    def test_journal_has_no_personal_data_and_exports(self):
        self.person.message_post(body="Zorglub", author_id=self.person.id)
        self._run(self.company | self.bystander | self.user_employee.partner_id)
        self._run(self.company, action="delete")
        entries = self._journal()
        self.assertTrue(entries)
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT * FROM hygiene_journal"))
        dump = repr(self.env.cr.fetchall()).lower()
        for marker in ("zorglub", "quentin", "martine", "99 88 77", "example.com", "impasse"):
            self.assertNotIn(marker, dump)
        action = entries.with_user(self.user_officer).action_export_csv()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        content = self.env["ir.attachment"].browse(attachment_id).raw.decode()
        self.assertIn("Anonymised", content)
        self.assertIn(str(self.company.id), content)
        self.assertNotIn("zorglub", content.lower())
        with self.assertRaises(AccessError):
            entries.with_user(self.user_steward).action_export_csv()
        with self.assertRaises(UserError):
            entries[:1].sudo().write({"reason": "x"})
