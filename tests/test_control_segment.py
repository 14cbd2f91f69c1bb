from unittest.mock import patch

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.partner_data_hygiene.models.hygiene_segment import ResPartner

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlSegment(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.newsletter = cls.env.ref("partner_data_hygiene.segment_newsletter_optin")
        # only the contacts of this test: the shipped segment's filter, narrowed
        cls.claire = cls.env["res.partner"].create(
            {"name": "Claire Fontaine", "email": "claire@example.fr", "mobile": "0611223344"}
        )
        cls.people = cls.jeanne | cls.marc | cls.claire
        cls.newsletter.domain = str([("email", "!=", False), ("id", "in", cls.people.ids)])
        cls.grant_jeanne = cls._grant(cls, cls.jeanne)
        cls._grant(cls, cls.claire)

    def _grant(self, partner, purpose=None):
        return self.env["hygiene.consent"].create(
            {
                "partner_id": partner.id,
                "purpose_id": (purpose or self.purpose_newsletter).id,
                "action": "grant",
                "channel": "web_form",
            }
        )

    def _members(self, segment=None):
        return (segment or self.newsletter).member_ids.partner_id

    def _log(self, partner, move, segment=None):
        return (segment or self.newsletter).log_ids.filtered(
            lambda log: log.partner_id == partner and log.move == move
        )[:1]

    def test_marketing_segment_keeps_valid_consents_only(self):
        stats = self.newsletter._hygiene_refresh()[self.newsletter.id]
        self.assertEqual(self._members(), self.jeanne | self.claire)
        self.assertEqual(stats["entered"], 2)
        entry = self._log(self.jeanne, "entered")
        self.assertEqual(entry.reason, "consent")
        self.assertEqual(entry.consent_id, self.grant_jeanne)
        self.assertEqual(entry.consent_channel, "web_form")
        # materialised: a tag on the contacts
        self.assertIn(self.newsletter.tag_id, self.jeanne.category_id)
        self.assertNotIn(self.newsletter.tag_id, self.marc.category_id)
        # nothing changed, nothing logged
        self.assertEqual(self.newsletter._hygiene_refresh()[self.newsletter.id]["entered"], 0)
        # a withdrawal: leaves with its reason, the tag goes
        self._consent(self.jeanne, "withdraw")
        stats = self.newsletter._hygiene_refresh()[self.newsletter.id]
        self.assertEqual(stats["left"], 1)
        self.assertEqual(self._log(self.jeanne, "left").reason, "consent_lost")
        self.assertEqual(
            self._log(self.jeanne, "left").reason_label,
            "consent withdrawn, refused or no longer proven",
        )
        self.assertNotIn(self.newsletter.tag_id, self.jeanne.category_id)
        self.assertEqual(self.newsletter.member_count, 1)

    def test_suppressed_restricted_do_not_solicit_merged(self):
        self.newsletter._hygiene_refresh()
        self.assertEqual(self._members(), self.jeanne | self.claire)
        # on the suppression list (a grant recorded afterwards by mistake does not bring it back)
        self.env["hygiene.suppression"].sudo()._suppress("erasure", email=self.claire.email)
        self.newsletter._hygiene_refresh()
        self.assertEqual(self._members(), self.jeanne)
        self.assertEqual(self._log(self.claire, "left").reason, "suppressed")
        # under restriction (the hook the portal work provides)
        with patch.object(
            ResPartner,
            "_hygiene_segment_restriction_domain",
            lambda self: [("id", "in", TestControlSegment.jeanne.ids)],
        ):
            self.newsletter._hygiene_refresh()
        self.assertFalse(self._members())
        self.assertEqual(self._log(self.jeanne, "left").reason, "restricted")

    def test_do_not_solicit_and_merge(self):
        self.newsletter._hygiene_refresh()
        self.env.cr.execute(
            "UPDATE hygiene_partner_score SET do_not_solicit = TRUE WHERE partner_id = %s",
            (self.claire.id,),
        )
        with patch.object(type(self.env["hygiene.partner.score"]), "_hygiene_refresh"):
            self.newsletter._hygiene_refresh()
        self.assertEqual(self._log(self.claire, "left").reason, "do_not_solicit")
        self.marc._hygiene_merge(self.jeanne)
        self.newsletter._hygiene_refresh()
        self.assertEqual(self._log(self.jeanne, "left").reason, "merged")

    def test_restriction_hook_tolerates_absence(self):
        domain = self.env["res.partner"]._hygiene_segment_restriction_domain()
        field = next(
            (
                n
                for n in ("hygiene_restricted", "hygiene_processing_restricted")
                if n in self.env["res.partner"]._fields
            ),
            None,
        )
        self.assertEqual(domain, [(field, "=", True)] if field else [])

    def test_non_marketing_segment(self):
        segment = (
            self.env["hygiene.segment"]
            .with_user(self.user_steward)
            .create(
                {
                    "name": "Lyon contacts",
                    "marketing": False,
                    "domain": str([("id", "in", (self.marc | self.claire).ids)]),
                }
            )
        )
        segment.action_refresh()
        self.assertEqual(self._members(segment), self.marc | self.claire)
        self.assertEqual(self._log(self.marc, "entered", segment).reason, "matches")
        segment.domain = str([("id", "in", self.claire.ids)])
        segment._hygiene_refresh()
        self.assertEqual(self._log(self.marc, "left", segment).reason, "filter")

    def test_access(self):
        Segment = self.env["hygiene.segment"]
        with self.assertRaises(AccessError):
            Segment.with_user(self.user_hygiene).create({"name": "X", "marketing": False})
        with self.assertRaises(AccessError):
            self.newsletter.with_user(self.user_hygiene).action_refresh()
        self.assertTrue(self.newsletter.with_user(self.user_hygiene).name)
        with self.assertRaises(AccessError):
            self.newsletter.with_user(self.user_employee).read(["name"])
        # a steward cannot filter on what only privacy officers may read
        with self.assertRaises(ValidationError):
            Segment.with_user(self.user_steward).create(
                {
                    "name": "By IP",
                    "marketing": False,
                    "domain": "[('hygiene_consent_ids.ip_address', '!=', False)]",
                }
            )
        with self.assertRaises(ValidationError):
            Segment.with_user(self.user_steward).create(
                {"name": "Code", "marketing": False, "domain": "__import__('os')"}
            )
        # members and log cannot be forged
        with self.assertRaises(AccessError):
            self.env["hygiene.segment.member"].with_user(self.user_manager).create(
                {"segment_id": self.newsletter.id, "partner_id": self.marc.id}
            )
        with self.assertRaises(AccessError):
            self.env["hygiene.segment.log"].with_user(self.user_manager).create(
                {"segment_id": self.newsletter.id, "partner_id": self.marc.id}
            )

    def test_mailing_list_and_consent_per_mailing(self):
        if "mailing.mailing" not in self.env:
            self.skipTest("Email Marketing is not installed")
        self.newsletter._hygiene_refresh()
        mailing_list = self.env["mailing.list"].browse(self.newsletter.mailing_list_id)
        self.assertEqual(
            set(mailing_list.contact_ids.mapped("email_normalized")),
            {"jeanne.lefevre@example.fr", "claire@example.fr"},
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "June newsletter",
                "body_html": "<p>Hi</p>",
                "mailing_model_id": self.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": [(6, 0, mailing_list.ids)],
            }
        )
        mailing.action_put_in_queue()
        proofs = self.env["hygiene.mailing.consent"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(proofs.partner_id, self.jeanne | self.claire)
        self.assertEqual(
            proofs.filtered(lambda p: p.partner_id == self.jeanne).consent_id, self.grant_jeanne
        )
        # the proof is the privacy officer's
        self.assertTrue(proofs.with_user(self.user_officer).read(["consent_date"]))
        with self.assertRaises(AccessError):
            proofs.with_user(self.user_steward).read(["consent_date"])
        # leaving the segment removes the subscription without counting an unsubscribe
        self._consent(self.claire, "withdraw")
        optouts = self.env["hygiene.optout"].search_count([])
        self.newsletter._hygiene_refresh()
        self.assertEqual(
            set(mailing_list.contact_ids.mapped("email_normalized")), {"jeanne.lefevre@example.fr"}
        )
        self.assertEqual(self.env["hygiene.optout"].search_count([]), optouts)
