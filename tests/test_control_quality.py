from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlQuality(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.fr = cls.env.ref("base.fr")
        cls.complete = Partner.create(
            {
                "name": "Claire Fontaine",
                "email": "claire.fontaine@example.fr",
                "phone": "0611223344",
                "street": "3 rue des Lilas",
                "zip": "69003",
                "city": "Lyon",
                "country_id": cls.fr.id,
            }
        )
        cls.bad_email = Partner.create({"name": "Bad Email", "email": "not-an-email@"})
        cls.unreachable = Partner.create({"name": "Nobody Reachable"})
        cls.company_bad_vat = Partner.create(
            {"name": "ACME SAS", "is_company": True, "vat": "FR00123456789"}
        )
        cls.Score = cls.env["hygiene.partner.score"]

    def _score(self, partner):
        return self.Score.search([("partner_id", "=", partner.id)])

    def _refresh(self, partners):
        self.Score._hygiene_refresh(partner_ids=partners.ids)

    def test_scores_and_reasons(self):
        self._consent(self.complete, "grant")
        partners = self.complete | self.bad_email | self.unreachable | self.company_bad_vat
        self._refresh(partners)
        complete = self._score(self.complete)
        # complete, valid, fresh, no duplicate, a proven grant: every point
        self.assertEqual(complete.quality_score, 100)
        self.assertFalse(complete.quality_reasons)
        self.assertTrue(complete.email_valid and complete.phone_valid)
        self.assertFalse(complete.no_consent)

        bad = self._score(self.bad_email)
        self.assertTrue(bad.email_invalid)
        self.assertIn("email_invalid", bad.quality_reasons.split(","))
        self.assertIn("invalid email", bad.quality_reasons_label)
        self.assertTrue(bad.no_consent)
        self.assertLess(bad.quality_score, complete.quality_score)

        nobody = self._score(self.unreachable)
        self.assertTrue(nobody.no_contact)
        self.assertFalse(nobody.email_invalid)
        self.assertEqual(
            set(nobody.quality_reasons.split(",")),
            {"no_email", "no_phone", "no_address", "no_country", "no_consent", "no_contact"},
        )
        company = self._score(self.company_bad_vat)
        self.assertIn("company_id_invalid", company.quality_reasons.split(","))

    def test_filters_on_contacts(self):
        group = (
            self.env["hygiene.duplicate.group"]
            .sudo()
            .create({"partner_ids": [(6, 0, (self.jeanne | self.marc).ids)], "score": 0.9})
        )
        self.assertEqual(group.state, "pending")
        partners = self.jeanne | self.marc | self.bad_email | self.unreachable | self.complete
        self._refresh(partners)
        Partner = self.env["res.partner"].with_user(self.user_hygiene)
        dup = Partner.search(
            [("hygiene_score_ids.duplicate", "=", True), ("id", "in", partners.ids)]
        )
        self.assertEqual(dup, self.jeanne | self.marc)
        invalid = Partner.search(
            [("hygiene_score_ids.email_invalid", "=", True), ("id", "in", partners.ids)]
        )
        self.assertEqual(invalid, self.bad_email)
        unreachable = Partner.search(
            [("hygiene_score_ids.no_contact", "=", True), ("id", "in", partners.ids)]
        )
        # an invalid email and nothing else is no way to contact either
        self.assertEqual(unreachable, self.unreachable | self.bad_email)
        self._consent(self.complete, "grant")
        self._refresh(self.complete)
        no_consent = Partner.search(
            [("hygiene_score_ids.no_consent", "=", True), ("id", "in", partners.ids)]
        )
        self.assertEqual(no_consent, partners - self.complete)

    def test_freshness(self):
        self._refresh(self.complete)
        self.assertEqual(self._score(self.complete).quality_freshness, 20)
        old = fields.Datetime.now() - timedelta(days=800)
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s", (old, self.complete.id)
        )
        self._refresh(self.complete)
        self.assertEqual(self._score(self.complete).quality_freshness, 10)
        self.assertIn("aging", self._score(self.complete).quality_reasons)
        self.complete._hygiene_register_activity("inbound_email")
        self._refresh(self.complete)
        self.assertEqual(self._score(self.complete).quality_freshness, 20)

    def test_incremental_only_what_changed(self):
        stats = self.Score._hygiene_refresh(full=True)
        self.assertGreaterEqual(stats["partners"], 6)
        untouched = self._score(self.marc)
        untouched_date = untouched.computed_date
        # the next run finds nothing to do: nothing changed
        stats = self.Score._hygiene_refresh()
        self.assertEqual(stats["partners"], 0)
        # one contact changes: only it is recomputed
        self.env.cr.execute(
            "UPDATE hygiene_partner_score SET computed_date = computed_date - interval '1 hour'"
        )
        self.Score.invalidate_model()
        untouched_date = self._score(self.marc).computed_date
        self.bad_email.email = "bad.email@example.fr"
        self.env.flush_all()  # (in a test, one transaction: the change is dated a second later)
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = NOW() AT TIME ZONE 'UTC' + interval '1 second' "
            "WHERE id = %s",
            (self.bad_email.id,),
        )
        stats = self.Score._hygiene_refresh()
        self.assertEqual(stats["partners"], 1)
        self.assertFalse(self._score(self.bad_email).email_invalid)
        self.assertEqual(self._score(self.marc).computed_date, untouched_date)
        # a new consent event is a change too
        self._consent(self.marc, "grant")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE hygiene_consent_state SET write_date = NOW() AT TIME ZONE 'UTC' "
            "+ interval '1 second' WHERE partner_id = %s",
            (self.marc.id,),
        )
        stats = self.Score._hygiene_refresh()
        self.assertIn(stats["partners"], (1, 2))
        self.assertFalse(self._score(self.marc).no_consent)

    def test_set_based_queries(self):
        """The cost in queries does not grow with the number of contacts."""
        Partner = self.env["res.partner"]
        few = Partner.create(
            [{"name": f"Few {i}", "email": f"few{i}@example.fr"} for i in range(3)]
        )
        many = Partner.create(
            [{"name": f"Many {i}", "email": f"many{i}@example.fr"} for i in range(60)]
        )
        self.env.flush_all()
        self._refresh(few)  # warm the caches
        queries = []

        def count(partners):
            before = self.env.cr.sql_log_count
            self._refresh(partners)
            return self.env.cr.sql_log_count - before

        queries = [count(few), count(many)]
        self.assertEqual(queries[0], queries[1])
        self.assertEqual(self.Score.search_count([("partner_id", "in", many.ids)]), 60)

    def test_archived_contact_loses_its_row(self):
        self._refresh(self.unreachable)
        self.assertTrue(self._score(self.unreachable))
        self.unreachable.active = False
        self.Score._hygiene_refresh(partner_ids=[])
        self.assertFalse(self._score(self.unreachable))

    def test_scores_are_read_only(self):
        self._refresh(self.complete)
        score = self._score(self.complete).with_user(self.user_manager)
        with self.assertRaises(AccessError):
            score.write({"quality_score": 0})
        with self.assertRaises(AccessError):
            self.Score.with_user(self.user_manager).create({"partner_id": self.marc.id})
        # read: every hygiene role; nothing for an employee without one
        self.assertTrue(score.with_user(self.user_hygiene).quality_score)
        with self.assertRaises(AccessError):
            score.with_user(self.user_employee).read(["quality_score"])
        with self.assertRaises(AccessError):
            self.Score.with_user(self.user_hygiene).action_refresh_all()
