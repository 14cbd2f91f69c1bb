"""Security review M1 / M2: consent proof is set by the system, never by a client's create; the
evidence file is readable by privacy officers only; events only on contacts the user can read."""

import base64

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestConsentForgery(HygieneCommon):
    def _values(self, partner=None, **extra):
        return {
            "partner_id": (partner or self.marc).id,
            "purpose_id": self.purpose_newsletter.id,
            "action": "grant",
            "channel": "phone",
            **extra,
        }

    def test_user_cannot_forge_proof(self):
        contract = self.env["ir.attachment"].create({"name": "contract.pdf", "raw": b"%PDF"})
        Consent = self.env["hygiene.consent"].with_user(self.user_hygiene)
        forged = [
            {"ip_address": "203.0.113.9"},
            {"user_agent": "Mozilla"},
            {"page_url": "https://shop.example/optin"},
            {"double_optin_date": "2024-01-01 10:00:00"},
            {"evidence_attachment_id": contract.id},
            {"source_ref": "fair.xlsx row 3"},
            {"proven": True},
            {"channel": "portal"},
            {"channel": "import"},
            {"channel": "api"},
        ]
        for extra in forged:
            with self.subTest(extra=extra), self.assertRaises(AccessError):
                Consent.create(self._values(**extra))
        self.assertFalse(
            self.env["hygiene.consent"].search([("partner_id", "=", self.marc.id)]),
            "no event was recorded",
        )
        # the contract can still be deleted (nothing pinned it)
        contract.unlink()

    def test_plain_event_still_recorded_by_a_user(self):
        event = self.env["hygiene.consent"].with_user(self.user_hygiene).create(self._values())
        self.assertEqual(event.recorded_by_id, self.user_hygiene)
        self.assertEqual(event.state, "granted")

    def test_event_on_an_unreadable_contact_is_refused(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        foreign = self.env["res.partner"].create(
            {"name": "Foreign", "email": "foreign@example.fr", "company_id": company_b.id}
        )
        with self.assertRaises(AccessError):
            self.env["hygiene.consent"].with_user(self.user_hygiene).create(
                self._values(foreign, action="withdraw")
            )
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "foreign@example.fr")]))

    def test_evidence_file_is_readable_by_officers_only(self):
        wizard_form = Form(
            self.env["hygiene.consent.wizard"].with_user(self.user_hygiene),
        )
        wizard_form.partner_id = self.marc
        wizard_form.purpose_id = self.purpose_newsletter
        wizard_form.evidence_file = base64.b64encode(b"signed paper form")
        wizard_form.save().action_record()
        event = self.env["hygiene.consent"].search([("partner_id", "=", self.marc.id)])
        attachment = event.evidence_attachment_id
        self.assertEqual(attachment.raw, b"signed paper form")
        Attachment = self.env["ir.attachment"].with_user(self.user_hygiene)
        self.assertFalse(
            Attachment.search([("res_model", "=", "hygiene.consent")]),
            "a hygiene user does not find the evidence",
        )
        with self.assertRaises(AccessError):
            Attachment.browse(attachment.id).read(["raw"])
        with self.assertRaises(AccessError):
            Attachment.browse(attachment.id).check("read")
        officer = self.env["ir.attachment"].with_user(self.user_officer).browse(attachment.id)
        self.assertEqual(officer.raw, b"signed paper form")


@tagged("post_install", "-at_install")
class TestLegalHoldOnCreate(HygieneCommon):
    def test_employee_cannot_set_a_legal_hold_while_creating(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_employee).create(
                {
                    "name": "Held Forever",
                    "hygiene_hold_reason": "litigation",
                    "hygiene_hold_end_date": "2099-01-01",
                }
            )
        partner = (
            self.env["res.partner"]
            .with_user(self.user_officer)
            .create(
                {
                    "name": "Held By The Officer",
                    "hygiene_hold_reason": "litigation",
                    "hygiene_hold_end_date": "2099-01-01",
                }
            )
        )
        self.assertEqual(partner.sudo().hygiene_hold_reason, "litigation")


@tagged("post_install", "-at_install")
class TestRetentionClock(HygieneCommon):
    """Security review M3: the retention clock cannot be moved back by a non-officer."""

    def test_steward_cannot_backdate_an_origin(self):
        Origin = self.env["hygiene.partner.origin"]
        values = {
            "partner_id": self.marc.id,
            "source_id": self.source_fair.id,
            "collected_date": "2000-01-01 00:00:00",
        }
        with self.assertRaises(AccessError):
            Origin.with_user(self.user_steward).create(values)
        origin = Origin.with_user(self.user_steward).create(
            {"partner_id": self.marc.id, "source_id": self.source_fair.id}
        )
        with self.assertRaises(AccessError):
            origin.write({"collected_date": "2000-01-01 00:00:00"})
        self.assertNotEqual(str(self.marc.hygiene_collected_date)[:4], "2000")
        # a privacy officer may: it is their decision
        Origin.with_user(self.user_officer).create(values)
        self.assertEqual(str(self.marc.hygiene_collected_date)[:4], "2000")

    def test_origin_on_an_unwritable_contact_is_refused(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        foreign = self.env["res.partner"].create({"name": "Foreign", "company_id": company_b.id})
        with self.assertRaises(AccessError):
            self.env["hygiene.partner.origin"].with_user(self.user_steward).create(
                {"partner_id": foreign.id, "source_id": self.source_fair.id}
            )


@tagged("post_install", "-at_install")
class TestExposedToEmployees(HygieneCommon):
    """Security review L7: whether a person was erased or objected, and birth dates, are for the
    hygiene roles only."""

    def test_employee_cannot_probe_the_suppression_list_or_birth_dates(self):
        self.env["hygiene.suppression"]._suppress("erasure", email="gone@example.fr")
        probe = self.env["res.partner"].create({"name": "Probe", "email": "gone@example.fr"})
        with self.assertRaises(AccessError):
            probe.with_user(self.user_employee).read(["hygiene_suppression_warning"])
        spec = self.env["res.partner"].with_user(self.user_employee).get_views([(False, "form")])
        self.assertNotIn("hygiene_suppression_warning", spec["views"]["form"]["arch"])
        with self.assertRaises(AccessError):
            self.marc.with_user(self.user_employee).read(["hygiene_birthdate"])
        with self.assertRaises(AccessError):
            self.user_portal.partner_id.with_user(self.user_portal).read(["hygiene_birthdate"])
        [values] = probe.with_user(self.user_hygiene).read(["hygiene_suppression_warning"])
        self.assertTrue(values["hygiene_suppression_warning"])


@tagged("post_install", "-at_install")
class TestForgedActivity(HygieneCommon):
    def test_employee_cannot_fake_an_inbound_email(self):
        """Attacker's pass V6: the gateway's context key sent by an employee over RPC kept a
        customer's last activity fresh forever."""
        self.marc.invalidate_recordset()
        before = self.marc.hygiene_last_activity_date
        self.env["mail.message"].with_user(self.user_employee).with_context(from_alias=True).create(
            {"body": "x", "message_type": "email", "author_id": self.marc.id}
        )
        self.marc.invalidate_recordset()
        self.assertEqual(self.marc.hygiene_last_activity_date, before)


@tagged("post_install", "-at_install")
class TestConsentWizardChannels(HygieneCommon):
    """Attacker's pass V10."""

    def test_wizard_refuses_system_channels_and_forgets_the_evidence(self):
        Wizard = self.env["hygiene.consent.wizard"].with_user(self.user_hygiene)
        for channel in ("re_permission", "double_opt_in", "portal"):
            # what a forged RPC value would try: not a value of the wizard's selection
            with self.subTest(channel=channel), self.assertRaises(ValueError):
                Wizard.create(
                    {
                        "partner_id": self.marc.id,
                        "purpose_id": self.purpose_sms.id,
                        "channel": channel,
                    }
                )
        wizard = Wizard.create(
            {
                "partner_id": self.marc.id,
                "purpose_id": self.purpose_sms.id,
                "channel": "phone",
                "evidence_file": base64.b64encode(b"SIGNED-FORM"),
            }
        )
        wizard.action_record()
        self.assertFalse(wizard.sudo().evidence_file)
        with self.assertRaises(AccessError):
            self.env["hygiene.consent"].with_user(self.user_hygiene).create(
                {
                    "partner_id": self.marc.id,
                    "purpose_id": self.purpose_sms.id,
                    "action": "grant",
                    "channel": "double_opt_in",
                }
            )
