"""Attacker's third pass on what a client leaves for the ORM to add after the addon's checks
(fix 1b2ef8b and before): context ``default_<field>`` keys, the user's own ``ir.default`` rows
(stored before the refusal, as an upgraded database keeps them) and the core writes that skip
the addon's overrides. Probed with the lowest roles over real JSON-RPC sessions. Each test
asserts the SAFE behaviour: a failing test is a hole."""

import base64
import contextlib

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import HygieneCommon, HygieneRpcMixin

EVIDENCE = base64.b64encode(b"%PDF-1.4 signed paper form of Marc Dubois, pass 3").decode()
# a Belgian mobile number, read as a French landline without the country
BE_PHONE = "0470 12 34 56"


@tagged("post_install", "-at_install")
class TestAttackDefaultsPass3(HygieneRpcMixin, HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.brussels = cls.env["res.partner"].create(
            {
                "name": "Brussels Pass3 SA",
                "is_company": True,
                "street": "Rue Neuve 1",
                "city": "Bruxelles",
                "zip": "1000",
                "country_id": cls.be.id,
            }
        )

    # ------------------------------------------------------------------ helpers

    def _merge_group(self, email):
        Partner = self.env["res.partner"]
        survivor = Partner.create({"name": "Merge Pass3", "email": email, "phone": "0611000001"})
        source = Partner.create({"name": "Merge Pass3", "email": email})
        group = self.env["hygiene.duplicate.group"].create(
            {
                "partner_ids": [(6, 0, (survivor | source).ids)],
                "partner_count": 2,
                "score": 0.95,
                "survivor_id": survivor.id,
            }
        )
        return group, survivor, source

    # ------------------------------------------------------------------ matching keys

    def test_keys_of_a_contact_taking_its_company_address(self):
        """Employee: a contact created under a Belgian company, its phone typed, no country:
        core copies the company's address (country) with ``super(Partner).write``, past the
        addon's write, after the keys were computed with the default region."""
        partner_id = self._call(
            "hyg_employee",
            "res.partner",
            "create",
            [{"name": "Lucie Pass3", "parent_id": self.brussels.id, "phone": BE_PHONE}],
        )
        partner = self.env["res.partner"].browse(partner_id)
        self.assertEqual(partner.country_id, self.be, "setup: the address was not synced")
        self._assert_keys_fresh(partner, "after the address sync of a creation")

    def test_keys_of_contacts_when_their_company_moves(self):
        """Employee: the company's country is changed; core moves its contacts' addresses with
        ``update_address`` (``super(Partner).write``): their phone keys stay the old country's."""
        company = self.env["res.partner"].create(
            {
                "name": "Lille Pass3 SAS",
                "is_company": True,
                "city": "Lille",
                "country_id": self.fr.id,
            }
        )
        child = self.env["res.partner"].create(
            {"name": "Paul Pass3", "parent_id": company.id, "phone": BE_PHONE}
        )
        self._assert_keys_fresh(child, "(setup)")
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [[company.id], {"country_id": self.be.id, "city": "Bruxelles"}],
        )
        self.assertEqual(child.country_id, self.be, "setup: the address was not synced")
        self._assert_keys_fresh(company, "of the company")
        self._assert_keys_fresh(child, "of the company's contact")

    def test_keys_of_a_contact_given_a_company(self):
        """Employee: an existing contact (phone, no country) is put under a Belgian company by a
        write of ``parent_id`` (not a key source): core copies the address."""
        partner = self.env["res.partner"].create({"name": "Marie Pass3", "phone": BE_PHONE})
        self._call(
            "hyg_employee",
            "res.partner",
            "write",
            [[partner.id], {"parent_id": self.brussels.id}],
        )
        self.assertEqual(partner.country_id, self.be, "setup: the address was not synced")
        self._assert_keys_fresh(partner, "after a write of parent_id")

    def test_keys_of_defaults_through_other_entry_points(self):
        """Employee: ``default_company_type``, ``name_create`` and ``web_save`` with the key
        sources as context defaults."""
        probes = {
            "company_type": (
                "create",
                [{"name": "Dupont Conseil SARL", "vat": "FR23334175221"}],
                {"context": {"default_company_type": "company"}},
            ),
            "name_create": (
                "name_create",
                ["Twin Pass3 <marc.dubois@example.fr>"],
                {"context": {"default_phone": "0611223344", "default_country_id": self.be.id}},
            ),
            "web_save": (
                "web_save",
                [[], {"name": "Web Save Pass3"}],
                {
                    "specification": {"display_name": {}},
                    "context": {
                        "default_email": "marc.dubois@example.fr",
                        "default_mobile": BE_PHONE,
                        "default_parent_id": self.brussels.id,
                    },
                },
            ),
        }
        for name, (method, args, kwargs) in probes.items():
            with self.subTest(probe=name):
                result = self._call("hyg_employee", "res.partner", method, args, kwargs)
                if method == "name_create":
                    partner_id = result[0]
                elif method == "web_save":
                    partner_id = result[0]["id"]
                else:
                    partner_id = result
                self._assert_keys_fresh(self.env["res.partner"].browse(partner_id), name)

    def test_legit_defaults_of_an_employee_keep_keys_right(self):
        """Employee: ``default_city``/``default_country_id``/``default_parent_id`` are ordinary
        defaults: taken, and the keys follow the record."""
        partner = self.env["res.partner"].browse(
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Legit Pass3", "phone": BE_PHONE}],
                {"context": {"default_city": "Gand", "default_country_id": self.be.id}},
            )
        )
        self.assertEqual((partner.city, partner.country_id), ("Gand", self.be))
        self.assertEqual(partner.hygiene_phone_key, "+32470123456")
        self._assert_keys_fresh(partner, "of a legit default country")
        child = self.env["res.partner"].browse(
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Legit Child Pass3", "email": "legit.child@example.org"}],
                {"context": {"default_parent_id": self.brussels.id}},
            )
        )
        self.assertEqual(child.parent_id, self.brussels)
        self._assert_keys_fresh(child, "of a legit default parent")

    # ------------------------------------------------------------------ stored personal defaults

    def test_stored_defaults_do_not_reach_a_merge_journal(self):
        """Steward: personal defaults on the merge journal's state and date (stored earlier),
        then a merge over RPC: the journal created in sudo takes the user's ir.default rows (the
        superuser path drops the context's only). An 'undone'/'2001' journal cannot be undone
        and its sources are deleted by the expiry cron."""
        self._stored_default("hyg_steward", "hygiene.merge.journal", "state", "undone")
        self._stored_default("hyg_steward", "hygiene.merge.journal", "date", "2001-01-01 00:00:00")
        group, survivor, source = self._merge_group("merge.pass3@example.org")
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call("hyg_steward", "hygiene.duplicate.group", "action_merge", [group.ids])
        journal = self.env["hygiene.merge.journal"].search([("survivor_id", "=", survivor.id)])
        if not journal:
            return
        self.assertEqual(
            {"state": journal.state, "old": journal.date.year < 2020},
            {"state": "done", "old": False},
            "the merge journal took the steward's stored defaults",
        )

    def test_context_defaults_do_not_reach_a_merge_journal(self):
        """Steward: the same values as context defaults of the merge."""
        group, survivor, source = self._merge_group("merge.ctx.pass3@example.org")
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call(
                "hyg_steward",
                "hygiene.duplicate.group",
                "action_merge",
                [group.ids],
                {
                    "context": {
                        "default_state": "undone",
                        "default_date": "2001-01-01 00:00:00",
                        "default_user_id": self.user_employee.id,
                        "default_active": False,
                    }
                },
            )
        journal = self.env["hygiene.merge.journal"].search([("survivor_id", "=", survivor.id)])
        if not journal:
            return
        self.assertEqual(journal.state, "done")
        self.assertEqual(journal.user_id, self.user_steward)
        self.assertGreater(journal.date, fields.Datetime.from_string("2020-01-01 00:00:00"))
        self.assertTrue(survivor.active)

    def test_stored_defaults_do_not_reach_a_consent_recorded_in_sudo(self):
        """Hygiene user: personal defaults on the consent's proof (ip address, source reference)
        stored earlier, then the Record Consent wizard, which creates the event in sudo."""
        self._stored_default("hyg_user", "hygiene.consent", "ip_address", "6.6.6.6")
        self._stored_default("hyg_user", "hygiene.consent", "source_ref", "forged proof")
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            wizard_id = self._consent_wizard("hyg_user", "phone")
            self._call("hyg_user", "hygiene.consent.wizard", "action_record", [[wizard_id]])
        events = self.env["hygiene.consent"].search([("partner_id", "=", self.marc.id)])
        self.assertEqual(
            [(e.ip_address, e.source_ref) for e in events if e.ip_address or e.source_ref],
            [],
            "the proof of a consent recorded in sudo took the user's stored defaults",
        )

    def test_stored_default_does_not_archive_a_withdrawal_blacklist(self):
        """Hygiene user: mail.blacklist.active = False stored earlier, then a withdrawal."""
        self._stored_default("hyg_user", "mail.blacklist", "active", False)
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._withdrawal("hyg_user")
        entry = self._marc_blacklist()
        if entry:
            self.assertTrue(entry.active, "the withdrawal's blacklist entry was created archived")

    def test_stored_default_does_not_make_evidence_public(self):
        """Hygiene user: ir.attachment.public = True stored earlier, then evidence recorded with
        the wizard: the ORM creates the Binary field's attachment in sudo as the user."""
        self._stored_default("hyg_user", "ir.attachment", "public", True)
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            wizard_id = self._consent_wizard(
                "hyg_user", "paper", evidence_file=EVIDENCE, evidence_filename="form.pdf"
            )
            self._call("hyg_user", "hygiene.consent.wizard", "action_record", [[wizard_id]])
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "in", ("hygiene.consent", "hygiene.consent.wizard")),
                    ("res_field", "=", "evidence_file"),
                ]
            )
        )
        self.assertTrue(attachments, "setup: no evidence stored")
        self.logout()
        leaked = [
            attachment.id
            for attachment in attachments
            if b"signed paper form" in self.url_open(f"/web/content/{attachment.id}").content
        ]
        self.assertFalse(leaked, "the evidence of a consent is served to anonymous visitors")
        self.assertFalse(attachments.filtered("public"), "the evidence of a consent is public")

    def test_stored_default_activity_does_not_reach_imported_contacts(self):
        """Steward: hygiene_last_activity_date stored earlier, then an import creating a
        contact (an error refusing the commit is acceptable; a landing is not)."""
        self._stored_default(
            "hyg_steward", "res.partner", "hygiene_last_activity_date", "2030-01-01 00:00:00"
        )
        self._stored_default("hyg_steward", "res.partner", "hygiene_retention_state", "exempt")
        batch = self._import_batch(
            b"email;nom\nstored.pass3@example.org;Stored Pass3\n", "pass3.csv"
        )
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call("hyg_steward", "hygiene.import.batch", "action_commit", [batch.ids])
        partner = self.env["res.partner"].search([("email", "=", "stored.pass3@example.org")])
        if not partner:  # refused: the row reports the error, nothing was created
            self.assertTrue(batch.line_ids.filtered(lambda line: line.error_kind == "commit_error"))
        self.assertFalse(partner.filtered("hygiene_last_activity_date"))
        self.assertFalse(partner.filtered(lambda p: p.hygiene_retention_state == "exempt"))

    def test_stored_default_does_not_copy_a_details_link(self):
        """Steward: mail.mail.email_cc stored earlier, then 'check your details': the mail
        holding the contact's personal link is created in sudo as the steward."""
        self._stored_default("hyg_steward", "mail.mail", "email_cc", "spy@evil.example")
        self._stored_default("hyg_steward", "mail.mail", "reply_to", "spy@evil.example")
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call(
                "hyg_steward", "res.partner", "action_hygiene_check_details", [[self.marc.id]]
            )
        mails = self.env["mail.mail"].sudo().search([("model", "=", "hygiene.details.request")])
        self.assertTrue(mails, "setup: no details mail queued")
        self.assertFalse(
            mails.filtered(lambda m: "evil" in f"{m.email_cc} {m.reply_to} {m.email_to}")
        )

    # ------------------------------------------------------------------ context defaults

    def test_context_defaults_do_not_copy_a_details_link(self):
        """Steward: 'check your details' with the mail's cc, reply-to, recipients as context
        defaults: the template creates the mail in sudo with the client's context."""
        spy = self.env["res.partner"].create({"name": "Spy Pass3", "email": "spy@evil.example"})
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call(
                "hyg_steward",
                "res.partner",
                "action_hygiene_check_details",
                [[self.marc.id]],
                {
                    "context": {
                        "default_email_cc": "spy@evil.example",
                        "default_reply_to": "spy@evil.example",
                        "default_recipient_ids": [[6, 0, [spy.id]]],
                        "default_email_to": "spy@evil.example",
                    }
                },
            )
        mails = self.env["mail.mail"].sudo().search([("model", "=", "hygiene.details.request")])
        self.assertTrue(mails, "setup: no details mail queued")
        self.assertFalse(
            mails.filtered(
                lambda m: "evil" in f"{m.email_cc} {m.reply_to} {m.email_to}"
                or spy in m.recipient_ids
            )
        )

    def test_context_provenance_does_not_reach_imported_contacts(self):
        """Steward: commit with another source and an old collection date as context
        defaults: the contact's provenance is the batch's."""
        batch = self._import_batch(b"email;nom\nprov.pass3@example.org;Prov Pass3\n", "pass3.csv")
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call(
                "hyg_steward",
                "hygiene.import.batch",
                "action_commit",
                [batch.ids],
                {
                    "context": {
                        "default_hygiene_source_id": self.source_fair.id,
                        "default_hygiene_collected_date": "2001-01-01",
                        "default_hygiene_retention_state": "exempt",
                        "default_source_id": self.source_fair.id,
                        "default_collected_date": "2001-01-01",
                    }
                },
            )
        partner = self.env["res.partner"].search([("email", "=", "prov.pass3@example.org")])
        self.assertTrue(partner, "setup: the import did not create the contact")
        self.assertEqual(partner.hygiene_source_id, self.source_shop)
        self.assertNotEqual(str(partner.hygiene_collected_date or ""), "2001-01-01")
        self.assertNotEqual(partner.hygiene_retention_state, "exempt")
        origins = partner.hygiene_origin_ids
        self.assertFalse(origins.filtered(lambda o: o.source_id == self.source_fair))
        self.assertFalse(origins.filtered(lambda o: str(o.collected_date).startswith("2001")))
        self._assert_keys_fresh(partner, "of an imported contact")

    def test_segment_mailing_list_takes_no_context_defaults(self):
        """Steward (mass_mailing installed): a marketing segment's refresh creates its list and
        the members' mailing contacts in sudo with the client's context: other contacts put in
        the list, the members subscribed to another (public) list."""
        if self.env.get("mailing.list") is None:
            self.skipTest("mass_mailing is not installed")
        self._consent(self.marc, "grant")
        public_list = self.env["mailing.list"].create({"name": "Public Pass3", "is_public": True})
        outsider = self.env["mailing.contact"].create(
            {"name": "Outsider Pass3", "email": "outsider.pass3@example.org"}
        )
        segment_id = self._call(
            "hyg_steward",
            "hygiene.segment",
            "create",
            [
                {
                    "name": "List Pass3",
                    "marketing": True,
                    "purpose_id": self.purpose_newsletter.id,
                    "domain": f"[('id', '=', {self.marc.id})]",
                }
            ],
        )
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call(
                "hyg_steward",
                "hygiene.segment",
                "action_refresh",
                [[segment_id]],
                {
                    "context": {
                        "default_contact_ids": [[6, 0, [outsider.id]]],
                        # mailing.contact.create reads this key itself, as a list of ids
                        "default_list_ids": [public_list.id],
                        "default_is_public": True,
                    }
                },
            )
        segment = self.env["hygiene.segment"].browse(segment_id)
        if not segment.mailing_list_id:
            self.assertFalse(segment.member_ids, "setup: members but no mailing list")
            return
        mailing_list = self.env["mailing.list"].browse(segment.mailing_list_id)
        self.assertNotIn(outsider, mailing_list.contact_ids)
        self.assertFalse(mailing_list.is_public)
        self.assertFalse(
            public_list.contact_ids.filtered(
                lambda c: c.email_normalized == "marc.dubois@example.fr"
            )
        )
