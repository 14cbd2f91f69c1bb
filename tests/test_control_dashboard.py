from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlDashboard(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["hygiene.kpi.snapshot"]
        Origin = cls.env["hygiene.partner.origin"]
        Origin.create(
            [
                {"partner_id": cls.jeanne.id, "source_id": cls.source_shop.id},
                {"partner_id": cls.marc.id, "source_id": cls.source_fair.id},
            ]
        )
        cls.dupe = cls.env["res.partner"].create(
            {"name": "Jeanne Lefevre", "email": "jeanne.lefevre@example.fr"}
        )

    def _take(self):
        self.env["hygiene.partner.score"]._hygiene_refresh(full=True)
        return self.Snapshot._hygiene_take("manual")[:1]

    def _value(self, snapshot, kpi, dimension=""):
        line = snapshot.value_ids.filtered(
            lambda v: v.kpi == kpi and (v.dimension or "") == dimension
        )
        return line.value if line else None

    def test_snapshot_figures(self):
        self._consent(self.jeanne, "grant")
        snapshot = self._take()
        self.env.cr.execute("SELECT COUNT(*) FROM res_partner WHERE active")
        self.assertEqual(snapshot.contacts, self.env.cr.fetchone()[0])
        self.assertEqual(self._value(snapshot, "contacts"), snapshot.contacts)
        Partner = self.env["res.partner"]
        for source in self.source_shop | self.source_fair:
            self.assertEqual(
                self._value(snapshot, "contacts_by_source", source.name),
                Partner.search_count([("hygiene_source_id", "=", source.id)]),
            )
        coverage = self._value(snapshot, "consent_coverage", self.purpose_newsletter.name)
        granted = self.env["hygiene.consent.state"].search_count(
            [("purpose_id", "=", self.purpose_newsletter.id), ("state", "=", "granted")]
        )
        self.assertAlmostEqual(coverage, round(100.0 * granted / snapshot.contacts, 1))
        self.assertEqual(
            snapshot.suppressed, self.env["hygiene.suppression"].sudo().search_count([])
        )
        Score = self.env["hygiene.partner.score"]
        self.assertEqual(snapshot.invalid_email, Score.search_count([("email_invalid", "=", True)]))
        valid = Score.search_count([("email_valid", "=", True)])
        self.assertAlmostEqual(
            snapshot.email_valid_rate, round(100.0 * valid / Score.search_count([]), 1)
        )

    def test_details_read_in_the_readers_language(self):
        """A snapshot taken by the cron (in English) shows its sources, purposes and "No known
        source" in the reader's language, and the next snapshot still finds the figures before
        (the stored source name was English for a French steward, issue 14)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        self.source_shop.with_context(lang="fr_FR").name = "Boutique en ligne"
        self.purpose_newsletter.with_context(lang="fr_FR").name = "Lettre d'information"
        self.env["res.partner"].create({"name": "Sans Source", "email": "sans.source@example.fr"})
        self.Snapshot = self.Snapshot.with_context(lang="en_US")
        first = self._take()
        snapshot = self._take()
        french = snapshot.with_context(lang="fr_FR")
        details = set(french.source_value_ids.mapped("dimension"))
        self.assertIn("Boutique en ligne", details)
        self.assertIn("Source inconnue", details)
        self.assertNotIn(self.source_shop.with_context(lang="en_US").name, details)
        self.assertIn("Lettre d'information", french.consent_value_ids.mapped("dimension"))
        english = snapshot.with_context(lang="en_US").source_value_ids
        self.assertIn(self.source_shop.with_context(lang="en_US").name, english.mapped("dimension"))
        shop = french.source_value_ids.filtered(lambda v: v.dimension == "Boutique en ligne")
        self.assertEqual(shop.previous_value, shop.value)
        self.assertTrue(first.source_value_ids)

    def test_before_after_a_clean_up(self):
        pending = self.env["hygiene.duplicate.group"].search_count([("state", "=", "pending")])
        group = (
            self.env["hygiene.duplicate.group"]
            .sudo()
            .create({"partner_ids": [(6, 0, (self.jeanne | self.dupe).ids)], "score": 0.9})
        )
        before = self._take()
        self.assertEqual(before.duplicate_groups, pending + 1)
        # the clean-up: a merge, a contact archived by the retention engine, one by hand
        journal = self.jeanne._hygiene_merge(self.dupe)
        # the merge engine took its own snapshot: the merge's before/after at once
        merged = self.Snapshot.search([("kind", "=", "merge")], limit=1)
        self.assertEqual(merged.previous_id, before)
        self.assertEqual(merged.contacts_delta, -1)
        self.assertEqual(merged.cause_ids.merge_journal_id, journal)
        self.assertEqual(merged.cause_ids.contacts_delta, -1)
        group.write({"state": "merged"})
        extra = self.env["res.partner"].create([{"name": "Extra A"}, {"name": "Extra B"}])
        purged = extra[0]
        purged._hygiene_retention_execute("archive", reason="manual")
        extra[1].active = False
        after = self._take()
        self.assertEqual(after.previous_id, merged)
        self.assertEqual(after.duplicates_pending - before.duplicates_pending, -2)
        self.assertEqual(after.duplicate_groups, pending)
        self.assertEqual(after.contacts_delta, after.contacts - merged.contacts)
        causes = {c.kind: c for c in after.cause_ids}
        self.assertNotIn("merge", causes, "the merge was linked to its own snapshot")
        self.assertEqual(causes["purge"].contacts_delta, -1)
        self.assertTrue(causes["purge"].journal_id)
        # the causes explain the whole change (two created, two gone)
        self.assertEqual(sum(after.cause_ids.mapped("contacts_delta")), after.contacts_delta)
        self.assertEqual(after.contacts_delta, 0)
        self.assertEqual(causes["other"].contacts_delta, 1)

    def test_dashboard_access(self):
        self._take()
        action = self.Snapshot.with_user(self.user_hygiene).action_open_dashboard()
        self.assertEqual(action["res_model"], "hygiene.kpi.snapshot")
        snapshot = self.Snapshot.with_user(self.user_hygiene).browse(action["res_id"])
        self.assertTrue(snapshot.contacts)
        # read-only for the hygiene users (sales): no snapshot on demand, no change
        with self.assertRaises(AccessError):
            snapshot.action_take_snapshot()
        with self.assertRaises(AccessError):
            snapshot.write({"contacts": 0})
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(self.user_manager).create({"kind": "manual"})
        # stewards take one before and after a clean-up
        action = snapshot.with_user(self.user_steward).action_take_snapshot()
        self.assertNotEqual(action["res_id"], snapshot.id)
        # employees without a hygiene role see nothing
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(self.user_employee).action_open_dashboard()

    def test_dashboard_opens_with_few_queries(self):
        self._take()
        Snapshot = self.Snapshot.with_user(self.user_hygiene)
        before = self.env.cr.sql_log_count
        action = Snapshot.action_open_dashboard()
        Snapshot.browse(action["res_id"]).web_read(
            {"contacts": {}, "quality_avg": {}, "cause_ids": {"fields": {"name": {}}}}
        )
        self.assertLess(self.env.cr.sql_log_count - before, 25)


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlUnsubscribe(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "mailing.mailing" not in cls.env:
            return
        cls.mlist = cls.env["mailing.list"].create({"name": "Newsletter list"})
        cls.contacts = cls.env["mailing.contact"].create(
            [
                {
                    "name": f"Reader {i}",
                    "email": f"reader{i}@example.fr",
                    "list_ids": [(4, cls.mlist.id)],
                }
                for i in range(10)
            ]
        )
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Spring offers",
                "body_html": "<p>Hello</p>",
                "mailing_model_id": cls.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": [(6, 0, cls.mlist.ids)],
            }
        )
        cls.env["mailing.trace"].create(
            [
                {
                    "mass_mailing_id": cls.mailing.id,
                    "model": "mailing.contact",
                    "res_id": contact.id,
                    "email": contact.email,
                    "trace_status": "sent",
                    "sent_datetime": "2026-01-01 10:00:00",
                }
                for contact in cls.contacts
            ]
        )

    def setUp(self):
        super().setUp()
        if "mailing.mailing" not in self.env:
            self.skipTest("Email Marketing is not installed")

    def test_optout_linked_to_mailing_and_rate(self):
        Optout = self.env["hygiene.optout"]
        self.mlist.with_context(hygiene_mailing_id=self.mailing.id)._update_subscription_from_email(
            "reader3@example.fr", opt_out=True
        )
        optout = Optout.search([("list_name", "=", "Newsletter list")])
        self.assertEqual(len(optout), 1)
        self.assertEqual(optout.mailing_id, self.mailing.id)
        self.assertEqual(optout.mailing_name, "Spring offers")
        # opting out again records nothing more
        self.mlist.with_context(hygiene_mailing_id=self.mailing.id)._update_subscription_from_email(
            "reader3@example.fr", opt_out=True
        )
        self.assertEqual(Optout.search_count([("list_name", "=", "Newsletter list")]), 1)
        # a blocklist addition without a known mailing is still counted, without a mailing
        self.env["mail.blacklist"]._add("reader4@example.fr")
        self.assertEqual(
            Optout.search_count([("kind", "=", "blocklist"), ("mailing_id", "=", False)]), 1
        )
        snapshot = self.env["hygiene.kpi.snapshot"]._hygiene_take("manual")[:1]
        line = snapshot.mailing_value_ids.filtered(lambda v: "Spring offers" in v.dimension)
        self.assertEqual(line.value, 10.0)  # 1 of 10 sent
        month = snapshot.month_value_ids.filtered(lambda v: v.dimension == "2026-01")
        self.assertTrue(month)
        self.assertTrue(snapshot.unsubscribe_rate_30d == 0 or snapshot.unsubscribes_30d)

    def test_rate_counts_the_optouts_of_mailings_only(self):
        """Blocklist additions made outside a mailing (by hand, by an import) are counted but
        not charged to the mailings: the rate stays the share of the mails sent."""
        self.env["mailing.trace"].create(
            [
                {
                    "mass_mailing_id": self.mailing.id,
                    "model": "mailing.contact",
                    "res_id": contact.id,
                    "email": contact.email,
                    "trace_status": "sent",
                    "sent_datetime": fields.Datetime.now() - timedelta(days=2),
                }
                for contact in self.contacts
            ]
        )
        for i in range(5):
            self.env["mail.blacklist"]._add(f"by.hand{i}@example.fr")
        snapshot = self.env["hygiene.kpi.snapshot"]._hygiene_take("manual")[:1]
        self.assertGreaterEqual(snapshot.unsubscribes_30d, 5)
        self.env.cr.execute(
            "SELECT COUNT(*) FROM hygiene_optout WHERE mailing_id != 0 "
            "AND date >= NOW() - INTERVAL '30 days'"
        )
        from_mailings = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            "SELECT COUNT(*) FROM mailing_trace WHERE sent_datetime >= NOW() - INTERVAL '30 days'"
        )
        sent = self.env.cr.fetchone()[0]
        self.assertGreaterEqual(sent, 10)
        self.assertEqual(from_mailings, 0)
        self.assertEqual(snapshot.unsubscribe_rate_30d, 0.0)
        self.assertFalse(snapshot.unsubscribe_alert)

    def test_optout_cannot_be_forged(self):
        with self.assertRaises(AccessError):
            self.env["hygiene.optout"].with_user(self.user_manager).create({"kind": "list"})


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlUnsubscribeHttp(HttpCase):
    def test_unsubscribe_route_links_the_mailing(self):
        if "mailing.mailing" not in self.env:
            self.skipTest("Email Marketing is not installed")
        partner = self.env["res.partner"].create(
            {"name": "Olive Oneclick", "email": "olive@example.fr"}
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Autumn offers",
                "body_html": "<p>Hello</p>",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
                "mailing_domain": [("id", "=", partner.id)],
            }
        )
        token = mailing._generate_mailing_recipient_token(partner.id, partner.email)
        response = self.url_open(
            f"/mailing/{mailing.id}/unsubscribe_oneclick?document_id={partner.id}"
            f"&email={partner.email}&hash_token={token}",
            data={"List-Unsubscribe": "One-Click"},
        )
        self.assertEqual(response.status_code, 200)
        optout = self.env["hygiene.optout"].search([("partner_id", "=", partner.id)])
        self.assertEqual(optout.mailing_id, mailing.id)
        self.assertEqual(optout.kind, "blocklist")


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestQualityOverTime(HygieneCommon):
    def test_two_snapshots_of_one_day_are_averaged_not_added(self):
        """The engines take snapshots too: a day with two of them must not read as twice the
        base in the graph and pivot."""
        Value = self.env["hygiene.kpi.value"]
        for contacts in (200, 202):
            snapshot = self.env["hygiene.kpi.snapshot"].create({"kind": "manual"})
            Value.create({"snapshot_id": snapshot.id, "kpi": "contacts", "value": contacts})
        # as the graph and pivot ask: the field's own aggregate
        [group] = Value.read_group(
            [("kpi", "=", "contacts"), ("value", "in", (200, 202))], ["value"], ["kpi"]
        )
        self.assertEqual(group["value"], 201)

    def test_a_snapshot_is_named_by_its_date_in_the_readers_time_zone(self):
        snapshot = self.env["hygiene.kpi.snapshot"].create(
            {"kind": "manual", "date": "2026-01-15 10:00:00"}
        )
        paris = snapshot.with_context(tz="Europe/Paris")
        self.assertIn("11:00:00", paris.display_name, "the breadcrumb showed the UTC value")
        self.assertNotIn("2026-01-15", paris.display_name)
