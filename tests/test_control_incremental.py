"""The incremental refresh of the scores and the snapshots the engines take (issue 18 §5, §2)."""

import base64
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import HygieneCommon

LAST_RUN = "partner_data_hygiene.control_last_run"
VALVE = "partner_data_hygiene.retention_safety_valve_percent"


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlIncremental(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["hygiene.partner.score"]
        cls.Snapshot = cls.env["hygiene.kpi.snapshot"]
        Partner = cls.env["res.partner"]
        cls.changed = Partner.create({"name": "Will Change", "email": "will.change@"})
        cls.unchanged = Partner.create({"name": "Stays Put", "email": "stays.put@example.fr"})

    def _backdate(self, partners, days=2):
        """As if the contacts had been written ``days`` ago (one test is one transaction)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date - %s * INTERVAL '1 day', "
                "create_date = create_date - %s * INTERVAL '1 day' WHERE id IN %s",
                days,
                days,
                tuple(partners.ids),
            )
        )
        partners.invalidate_recordset()

    def _full_then_an_hour_ago(self):
        """A full run, dated an hour ago: what is written now is "since the last run"."""
        self.Score._hygiene_refresh(full=True)
        self.env["ir.config_parameter"].sudo().set_param(
            LAST_RUN, (fields.Datetime.now() - timedelta(hours=1)).isoformat(sep=" ")
        )

    def _row(self, partner):
        """(ctid, quality score) of the contact's score row: the ctid moves on any rewrite."""
        self.env.cr.execute(
            SQL(
                "SELECT ctid::text, quality_score FROM hygiene_partner_score WHERE partner_id = %s",
                partner.id,
            )
        )
        return self.env.cr.fetchone()

    def test_changed_partner_rescored_unchanged_untouched(self):
        self._backdate(self.changed | self.unchanged)
        self._full_then_an_hour_ago()
        changed_before, unchanged_before = self._row(self.changed), self._row(self.unchanged)
        self.changed.write({"email": "will.change@example.fr", "phone": "0611223344"})
        self.env.flush_all()
        now = fields.Datetime.now() + timedelta(seconds=1)
        since = fields.Datetime.now() - timedelta(hours=1)
        found = self.Score._hygiene_changed_partner_ids(since, now)
        self.assertIn(self.changed.id, found)
        self.assertNotIn(self.unchanged.id, found)
        stats = self.Score._hygiene_refresh()
        self.assertGreaterEqual(stats["partners"], 1)
        self.assertIn("changes_seconds", stats)
        changed_after = self._row(self.changed)
        self.assertGreater(changed_after[1], changed_before[1], "rescored")
        self.assertNotEqual(changed_after[0], changed_before[0])
        self.assertEqual(self._row(self.unchanged), unchanged_before, "row not rewritten")
        # a second full run rewrites nothing that did not change (IS DISTINCT FROM)
        changed_after = self._row(self.changed)
        self.Score._hygiene_refresh(full=True)
        self.assertEqual(self._row(self.changed), changed_after)
        self.assertEqual(self._row(self.unchanged), unchanged_before)

    def test_time_threshold_crossed_is_found_without_a_change(self):
        """Twelve months without activity cost freshness points: time alone changes the score,
        found through the row's next check date, not by scanning the base."""
        self._backdate(self.unchanged, days=360)
        self._full_then_an_hour_ago()
        score = self.Score.search([("partner_id", "=", self.unchanged.id)])
        self.assertEqual(score.quality_freshness, 20)
        self.assertEqual(
            score.next_check_date.date(),
            (self.unchanged.create_date + relativedelta(months=12, days=1)).date(),
        )
        # ten days later (the clock of the base moved back instead): the threshold is crossed
        self._backdate(self.unchanged, days=10)
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = %s WHERE id = %s",
                fields.Datetime.now() - timedelta(days=30),
                self.unchanged.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE hygiene_partner_score SET next_check_date = next_check_date "
                "- INTERVAL '10 days' WHERE partner_id = %s",
                self.unchanged.id,
            )
        )
        self.Score.invalidate_model()
        self.Score._hygiene_refresh()
        score = self.Score.search([("partner_id", "=", self.unchanged.id)])
        self.assertEqual(score.quality_freshness, 10)
        self.assertIn("aging", score.quality_reasons)

    # ------------------------------------------------------------------ engines' snapshots

    def test_merge_takes_a_snapshot_linked_to_its_journal(self):
        before = self.Snapshot._hygiene_take("manual")[:1]
        journal = self.changed.with_user(self.user_steward)._hygiene_merge(self.unchanged)
        snapshot = self.Snapshot.search([("kind", "=", "merge")], limit=1)
        self.assertTrue(snapshot, "the merge engine took a snapshot")
        self.assertEqual(snapshot.previous_id, before)
        self.assertEqual(snapshot.contacts_delta, -1)
        self.assertEqual(snapshot.cause_ids.kind, "merge")
        self.assertEqual(snapshot.cause_ids.merge_journal_id, journal)
        # the scores were refreshed first: the merged-away contact has no score row any more
        self.assertFalse(self.Score.search([("partner_id", "=", self.unchanged.id)]))

    def test_import_commit_takes_a_snapshot_linked_to_its_batch(self):
        self.Snapshot._hygiene_take("manual")
        content = (
            "Prénom;Nom;Courriel\n"
            "Nina;Garnier;nina.garnier@example.fr\n"
            "Rémi;Moreau;remi.moreau@example.fr\n"
        )
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content.encode()),
                    "raw_filename": "clients.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        batch.action_commit()
        self.assertEqual(batch.state, "done")
        snapshot = self.Snapshot.search([("kind", "=", "import")], limit=1)
        self.assertTrue(snapshot, "the import commit took a snapshot")
        cause = snapshot.cause_ids.filtered(lambda c: c.kind == "import")
        self.assertEqual(cause.import_batch_id, batch)
        self.assertEqual(cause.contacts_delta, 2)
        self.assertEqual(snapshot.contacts_delta, 2)
        created = self.env["res.partner"].search([("email", "=", "nina.garnier@example.fr")])
        self.assertTrue(self.Score.search([("partner_id", "=", created.id)]), "scored at once")

    def test_retention_run_takes_a_snapshot_linked_to_its_journal(self):
        Policy = self.env["hygiene.retention.policy"]
        Policy.search([]).active = False
        self.env["ir.config_parameter"].sudo().set_param(VALVE, "100")
        old = fields.Datetime.now() - relativedelta(months=40)
        due = self.env["res.partner"].create(
            [{"name": f"Old Person {i}", "ref": "CTL-RUN"} for i in range(3)]
        )
        self.env["res.partner"]._hygiene_register_activities([(p.id, old, "history") for p in due])
        Policy.create(
            {
                "name": "Control runs",
                "domain": "[('ref', '=', 'CTL-RUN')]",
                "duration_months": 36,
                "end_action": "archive",
            }
        )
        before = self.Snapshot._hygiene_take("manual")[:1]
        report = Policy._cron_retention(batch_size=2)
        self.assertEqual(report["remaining"], 1)
        self.assertFalse(self.Snapshot.search([("kind", "=", "purge")]), "not the end of the run")
        report = Policy._cron_retention(batch_size=2)
        self.assertEqual(report["remaining"], 0)
        snapshot = self.Snapshot.search([("kind", "=", "purge")])
        self.assertEqual(len(snapshot), 1, "one snapshot at the end of the run")
        self.assertEqual(snapshot.previous_id, before)
        self.assertEqual(snapshot.contacts_delta, -3)
        causes = snapshot.cause_ids.filtered(lambda c: c.kind == "purge")
        self.assertEqual(len(causes), 2, "both batches of the run")
        self.assertEqual(sum(causes.mapped("contacts_delta")), -3)
        # a run with nothing left to do takes none
        Policy._cron_retention(batch_size=2)
        self.assertEqual(self.Snapshot.search_count([("kind", "=", "purge")]), 1)
