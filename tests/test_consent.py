from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, users

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestConsentLedger(HygieneCommon):
    def test_grant_records_proof_and_state(self):
        event = self._consent(
            self.jeanne,
            "grant",
            wording_id=self.wording_newsletter.id,
            ip_address="90.1.2.3",
            user_agent="Mozilla/5.0",
            page_url="https://shop.example.fr/nl",
            double_optin_date=fields.Datetime.now(),
        )
        self.assertEqual(event.state, "granted")
        self.assertEqual(event.wording_hash, self.wording_newsletter.text_hash)
        self.assertEqual(len(event.wording_hash), 64)
        self.assertEqual(event.recorded_by_id, self.env.user)
        self.assertEqual(self._state(self.jeanne), "granted")
        self.assertIn(self.purpose_newsletter, self.jeanne.hygiene_granted_purpose_ids)

    def test_withdrawal_is_a_new_event_and_the_old_one_is_unchanged(self):
        grant = self._consent(
            self.jeanne, "grant", event_date=fields.Datetime.now() - timedelta(days=3)
        )
        withdrawal = self._consent(self.jeanne, "withdraw", channel="email")
        self.assertEqual(grant.action, "grant")
        self.assertEqual(grant.state, "granted")
        self.assertEqual(withdrawal.state, "withdrawn")
        self.assertEqual(self._state(self.jeanne), "withdrawn")
        self.assertEqual(len(self.jeanne.hygiene_consent_ids), 2)
        self.assertNotIn(self.purpose_newsletter, self.jeanne.hygiene_granted_purpose_ids)

    def test_older_event_recorded_later_does_not_override_newer_one(self):
        """A historical grant imported today must not resurrect a later withdrawal."""
        self._consent(self.jeanne, "withdraw", event_date=fields.Datetime.now() - timedelta(days=1))
        self._consent(self.jeanne, "grant", event_date=fields.Datetime.now() - timedelta(days=400))
        self.assertEqual(self._state(self.jeanne), "withdrawn")

    def test_unproven_grant_grants_nothing(self):
        event = self._consent(self.marc, "grant", proven=False, channel="import")
        self.assertEqual(event.state, "unproven")
        self.assertEqual(self._state(self.marc), "unproven")
        self.assertFalse(self.marc.hygiene_granted_purpose_ids)

    def test_ledger_is_append_only_even_for_admin(self):
        event = self._consent(self.jeanne, "grant")
        with self.assertRaisesRegex(UserError, "append-only"):
            event.write({"action": "withdraw"})
        with self.assertRaisesRegex(UserError, "record a new consent event"):
            event.unlink()
        with self.assertRaisesRegex(UserError, "append-only"):
            event.sudo().write({"note": "changed"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            event.sudo().unlink()
        self.assertTrue(event.exists())

    def test_bad_events_are_refused_with_a_clear_message(self):
        Consent = self.env["hygiene.consent"]
        base = {
            "partner_id": self.jeanne.id,
            "purpose_id": self.purpose_newsletter.id,
            "action": "grant",
            "channel": "web_form",
        }
        with self.assertRaisesRegex(ValidationError, "needs the contact"):
            Consent.create({**base, "partner_id": False})
        with self.assertRaisesRegex(ValidationError, "needs the purpose"):
            Consent.create({**base, "purpose_id": False})
        with self.assertRaisesRegex(ValidationError, "Unknown consent action"):
            Consent.create({**base, "action": "maybe"})
        with self.assertRaisesRegex(ValidationError, "future"):
            Consent.create({**base, "event_date": fields.Datetime.now() + timedelta(days=1)})
        other_wording = self.env.ref("partner_data_hygiene.purpose_sms_offers_wording_v1")
        with self.assertRaisesRegex(ValidationError, "another purpose"):
            Consent.create({**base, "wording_id": other_wording.id})
        self.assertFalse(self.jeanne.hygiene_consent_ids)

    def test_used_wording_is_frozen(self):
        wording = self.env["hygiene.purpose.wording"].create(
            {"purpose_id": self.purpose_newsletter.id, "version": "v-test", "text": "Texte A"}
        )
        wording.text = "Texte B"  # not used yet: still editable
        self._consent(self.jeanne, "grant", wording_id=wording.id)
        with self.assertRaisesRegex(UserError, "new version"):
            wording.text = "Texte C"
        with self.assertRaises(UserError):
            wording.unlink()

    # ------------------------------------------------------------ blacklist

    def test_newsletter_withdrawal_blacklists_and_regrant_lifts_only_our_entry(self):
        Blacklist = self.env["mail.blacklist"]
        self._consent(self.jeanne, "grant", event_date=fields.Datetime.now() - timedelta(days=2))
        self.assertFalse(Blacklist.search([("email", "=", "jeanne.lefevre@example.fr")]))
        withdrawal = self._consent(
            self.jeanne, "withdraw", event_date=fields.Datetime.now() - timedelta(days=1)
        )
        entry = Blacklist.search([("email", "=", "jeanne.lefevre@example.fr")])
        self.assertTrue(entry)
        self.assertEqual(entry.hygiene_consent_id, withdrawal)
        self.assertTrue(self.jeanne.is_blacklisted)
        self._consent(self.jeanne, "grant")
        self.assertFalse(Blacklist.search([("email", "=", "jeanne.lefevre@example.fr")]))

    def test_grant_never_removes_a_blacklist_entry_made_by_someone_else(self):
        Blacklist = self.env["mail.blacklist"]
        Blacklist._add("marc.dubois@example.fr", message="unsubscribed from a mailing")
        self._consent(self.marc, "withdraw", event_date=fields.Datetime.now() - timedelta(days=1))
        self._consent(self.marc, "grant")
        entry = Blacklist.search([("email", "=", "marc.dubois@example.fr")])
        self.assertTrue(entry, "an entry made by someone else must stay")
        self.assertFalse(entry.hygiene_consent_id)

    def test_blacklist_rules_hold_for_events_recorded_together(self):
        """An import records its events in one create: same outcome as one by one."""
        Blacklist = self.env["mail.blacklist"]
        Blacklist._add("marc.dubois@example.fr", message="unsubscribed from a mailing")
        yesterday = fields.Datetime.now() - timedelta(days=1)
        Consent = self.env["hygiene.consent"]
        base = {"purpose_id": self.purpose_newsletter.id, "channel": "import"}
        withdrawals = Consent.create(
            [
                {**base, "partner_id": partner.id, "action": "withdraw", "event_date": yesterday}
                for partner in (self.jeanne, self.marc)
            ]
        )
        jeanne_entry = Blacklist.search([("email", "=", "jeanne.lefevre@example.fr")])
        marc_entry = Blacklist.search([("email", "=", "marc.dubois@example.fr")])
        self.assertEqual(jeanne_entry.hygiene_consent_id, withdrawals[0])
        self.assertFalse(marc_entry.hygiene_consent_id, "someone else's entry keeps its origin")
        Consent.create(
            [{**base, "partner_id": p.id, "action": "grant"} for p in (self.jeanne, self.marc)]
        )
        self.assertFalse(Blacklist.search([("email", "=", "jeanne.lefevre@example.fr")]))
        self.assertTrue(Blacklist.search([("email", "=", "marc.dubois@example.fr")]))
        # in one batch, events apply in order: a withdrawal then a later grant lifts the entry,
        # a grant then a later withdrawal leaves the address blocked
        anne = self.env["res.partner"].create({"name": "Anne Roux", "email": "anne@example.fr"})
        two_days_ago = fields.Datetime.now() - timedelta(days=2)
        Consent.create(
            [
                {**base, "partner_id": anne.id, "action": "withdraw", "event_date": two_days_ago},
                {**base, "partner_id": anne.id, "action": "grant", "event_date": yesterday},
            ]
        )
        self.assertFalse(Blacklist.search([("email", "=", "anne@example.fr")]))
        Consent.create(
            [
                {**base, "partner_id": self.jeanne.id, "action": "grant", "event_date": yesterday},
                {**base, "partner_id": self.jeanne.id, "action": "withdraw"},
            ]
        )
        self.assertTrue(Blacklist.search([("email", "=", "jeanne.lefevre@example.fr")]))

    def test_withdrawal_of_purpose_without_blacklist_flag_does_not_blacklist(self):
        self._consent(self.jeanne, "withdraw", purpose=self.purpose_sms, channel="phone")
        self.assertFalse(self.jeanne.is_blacklisted)

    # ------------------------------------------------------------ merge helper

    def test_most_restrictive_state_of_several_partners(self):
        self._consent(self.jeanne, "grant")
        self._consent(self.marc, "withdraw")
        self._consent(self.jeanne, "grant", purpose=self.purpose_sms, channel="in_store")
        result = self.env["hygiene.consent.state"]._most_restrictive_states(self.jeanne | self.marc)
        self.assertEqual(result[self.purpose_newsletter], "withdrawn")
        self.assertEqual(result[self.purpose_sms], "granted")

    # ------------------------------------------------------------ search / filters

    def test_search_by_consent(self):
        Partner = self.env["res.partner"]
        self._consent(self.jeanne, "grant")
        self._consent(self.marc, "refuse")
        may_receive = Partner.search(
            [("hygiene_granted_purpose_ids", "in", self.purpose_newsletter.ids)]
        )
        self.assertIn(self.jeanne, may_receive)
        self.assertNotIn(self.marc, may_receive)
        missing = Partner.search(
            [("hygiene_granted_purpose_ids", "not in", self.purpose_newsletter.ids)]
        )
        self.assertIn(self.marc, missing)
        self.assertNotIn(self.jeanne, missing)
        by_name = Partner.search([("hygiene_granted_purpose_ids", "=", "Newsletter")])
        self.assertIn(self.jeanne, by_name)

    # ------------------------------------------------------------ wizard / rights

    @users("hyg_user")
    def test_user_records_consent_with_evidence_through_wizard(self):
        partner = self.jeanne.with_user(self.env.user)
        action = partner.action_hygiene_record_consent()
        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard_form.purpose_id = self.purpose_newsletter
        self.assertEqual(wizard_form.wording_id, self.wording_newsletter)
        wizard_form.action = "grant"
        wizard_form.channel = "paper"
        wizard_form.evidence_file = "SGVsbG8="  # "Hello"
        wizard_form.save().action_record()
        event = self.env["hygiene.consent"].search([("partner_id", "=", partner.id)])
        self.assertEqual(event.recorded_by_id, self.user_hygiene)
        self.assertEqual(event.channel, "paper")
        self.assertEqual(event.state, "granted")
        # proof is for the privacy officer only
        with self.assertRaises(AccessError):
            event.read(["evidence_attachment_id"])
        officer_view = event.with_user(self.user_officer).sudo(False)
        self.assertEqual(officer_view.evidence_attachment_id.raw, b"Hello")
        self.assertEqual(officer_view.evidence_attachment_id.res_id, event.id)

    @users("hyg_employee")
    def test_employee_without_hygiene_role_cannot_record_consent(self):
        with self.assertRaises(AccessError):
            self.env["hygiene.consent"].create(
                {
                    "partner_id": self.jeanne.id,
                    "purpose_id": self.purpose_newsletter.id,
                    "action": "grant",
                    "channel": "phone",
                }
            )
