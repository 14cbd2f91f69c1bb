import functools
import random

from odoo.tests import tagged

from ..const import DEDUP_SCAN_CHUNK_SIZE
from ..models.hygiene_duplicate_group import SCAN_STAGES as STAGES
from ..tools import normalize
from ..tools.matching import BLOCK_CAP, SCORE_REVIEW, Features, find_groups
from ..tools.matching.blocking import candidate_blocks, split_block
from .common import HygieneCommon

FIRST = ["jean", "marie", "pierre", "sophie", "luc", "anne", "paul", "claire", "louis", "eva"]
LAST = ["dupont", "martin", "bernard", "durand", "lefevre", "moreau", "garnier", "roux"]
ZIPS = ["75011", "69003", "13006", "33000"]


def _typo(name, rng):
    index = rng.randrange(1, len(name) - 1)
    return name[:index] + name[index + 1] + name[index] + name[index + 2 :]


@tagged("post_install", "-at_install")
class TestScanChunks(HygieneCommon):
    """The scan in chunks (``hygiene.duplicate.scan``) gives the groups of one run of
    ``find_groups`` over the whole base, whatever the chunk size and the order in which
    workers take the chunks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(16)
        company_b = cls.env["res.company"].create({"name": "Hygiene Co B"})
        values = []
        for entity in range(160):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            zip_code = rng.choice(ZIPS)
            email = f"{first}.{last}{entity}@example.fr"
            mobile = f"06{entity:08d}"
            birth = f"19{50 + entity % 40}-0{1 + entity % 9}-1{entity % 9}"
            for copy in range(rng.choice((1, 1, 2, 3))):
                name = f"{first.title()} {last.title()}"
                if copy and rng.random() < 0.4:
                    name = f"{first.title()} {_typo(last, rng).title()}"
                values.append(
                    {
                        "name": name,
                        "email": email if rng.random() < 0.7 else False,
                        "mobile": mobile if rng.random() < 0.6 else False,
                        "zip": zip_code,
                        "street": f"{entity % 50} rue de la Paix",
                        "hygiene_birthdate": birth if rng.random() < 0.5 else False,
                        "company_id": company_b.id if entity % 17 == 0 and copy else False,
                    }
                )
        # an oversized block: a generic mailbox and one postcode shared by 70 contacts
        values += [
            {"name": f"Agent {rng.choice(LAST).title()} {n}", "email": "contact@acme.fr"}
            for n in range(70)
        ]
        cls.partners = cls.env["res.partner"].create(values)

    def _one_run(self):
        """The groups of ``find_groups`` over every active contact, in memory."""
        Group = self.env["hygiene.duplicate.group"]
        self.env.flush_all()
        clusters, __, reasons, stats = find_groups(
            Group._scan_features(),
            threshold=SCORE_REVIEW,
            block_cap=BLOCK_CAP,
            excluded=self.env["hygiene.duplicate.exclusion"]._excluded_pairs(),
            phonetic=functools.lru_cache(maxsize=10000)(normalize.phonetic_key),
        )
        return {
            (tuple(ids), round(score, 4)) for ids, score in Group._split_by_company(clusters)
        }, stats

    def _stored(self):
        groups = self.env["hygiene.duplicate.group"].search([("state", "=", "pending")])
        return {(tuple(sorted(g.partner_ids.ids)), round(g.score, 4)) for g in groups}

    def _scan(self, chunk_size):
        self.env["ir.config_parameter"].sudo().set_param(DEDUP_SCAN_CHUNK_SIZE, chunk_size)
        return self.env["hygiene.duplicate.group"]._hygiene_scan()

    def test_chunked_scan_gives_the_groups_of_one_run(self):
        expected, one_stats = self._one_run()
        self.assertGreater(len(expected), 40, "the data holds duplicates")
        self.assertEqual(one_stats["skipped_blocks"], 0)
        for chunk_size in (100000, 150, 100):
            stats = self._scan(chunk_size)
            self.assertEqual(self._stored(), expected, f"chunks of {chunk_size} contacts")
            self.assertEqual(stats["groups"], len(expected))
            # each candidate pair scored once over all the chunks, as in one run
            self.assertEqual(stats["pairs"], one_stats["pairs"], f"chunks of {chunk_size}")
            self.assertEqual(stats["skipped_blocks"], 0)
            self.assertGreaterEqual(stats["oversized_blocks"], 1, "the generic mailbox")
        self.assertGreater(stats["chunks"], 3)
        run = self.env["hygiene.scan.run"].search([], limit=1)
        self.assertEqual(run.state, "done")
        self.env.cr.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE %s",
            [f"hygiene_scan_{run.id}_%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0, "the working tables are dropped")

    def test_workers_in_any_order_give_the_same_groups(self):
        """Two workers: one takes chunks from the end, the other from the start; the stage
        opens only when its last chunk is done."""
        expected, __ = self._one_run()
        self.env["ir.config_parameter"].sudo().set_param(DEDUP_SCAN_CHUNK_SIZE, 100)
        Scan = self.env["hygiene.duplicate.scan"]
        run = Scan._start(SCORE_REVIEW, BLOCK_CAP)
        claim = type(Scan)._claim
        reverse = [False]

        def claim_either_end(scan, run):
            reverse[0] = not reverse[0]
            chunks = (
                scan.env["hygiene.scan.chunk"]
                .sudo()
                .search(
                    [("run_id", "=", run.id), ("stage", "=", run.state), ("state", "=", "todo")],
                    order="id desc" if reverse[0] else "id",
                )
            )
            return chunks[:1]

        type(Scan)._claim = claim_either_end
        try:
            self.assertFalse(Scan._advance(run), "the keys stage is not done")
            Scan._work(run)
        finally:
            type(Scan)._claim = claim
        self.assertEqual(run.state, "done")
        self.assertEqual(self._stored(), expected)

    def test_split_features_are_the_full_ones(self):
        """The pairs stage splits oversized blocks with light features: the same values of
        what ``split_block`` reads, so the same parts."""
        self.env.flush_all()
        Group = self.env["hygiene.duplicate.group"]
        full = Group._scan_features()
        light = self.env["hygiene.duplicate.scan"]._split_features(set(full))
        self.assertEqual(set(light), set(full))
        fields = ("name_key", "email_key", "zip", "birthdate", "is_company")
        for pid, features in full.items():
            self.assertEqual(
                [getattr(light[pid], field) for field in fields],
                [getattr(features, field) for field in fields],
            )
        ids = sorted(full)
        self.assertEqual(split_block(light, ids, 10), split_block(full, ids, 10))

    def test_oversized_block_is_split_never_skipped(self):
        features = {
            pid: Features(
                pid,
                f"agent {LAST[pid % 8]} {pid}",
                "contact@acme.fr",
                frozenset(),
                None,
                "75011" if pid % 3 else None,
                None,
                None,
                False,
                pid,
            )
            for pid in range(1, 121)
        }
        blocks, shared, oversized = candidate_blocks(features)
        self.assertEqual(shared, {"contact@acme.fr"})
        self.assertGreaterEqual(oversized, 1)
        self.assertEqual({pid for block in blocks for pid in block}, set(features))
        self.assertTrue(all(len(block) <= BLOCK_CAP for block in blocks))
        parts = split_block(features, sorted(features), 10)
        self.assertEqual({pid for part in parts for pid in part}, set(features), "no one left out")
        self.assertTrue(all(2 <= len(part) <= 10 for part in parts))

    def test_queue_job_chunks_give_the_same_groups(self):
        """With OCA queue_job installed, the daily scan enqueues one job per chunk (the worker
        crons are not woken); the jobs, performed in any order, give the groups of one run."""
        if "queue.job" not in self.env:
            self.skipTest("OCA queue_job is not installed")
        # an optional module: imported only when it is installed
        from odoo.addons.queue_job.job import Job

        expected, __ = self._one_run()
        self.env["ir.config_parameter"].sudo().set_param(DEDUP_SCAN_CHUNK_SIZE, 100)
        Scan = type(self.env["hygiene.duplicate.scan"])
        woken, wake = [], Scan._wake_workers
        Scan._wake_workers = lambda scan: woken.append(1)
        try:
            self.env["hygiene.duplicate.group"]._cron_scan()
            run = self.env["hygiene.scan.run"].search([], limit=1)
            stages, order = [], "id desc"
            while jobs := self._scan_jobs(order):
                stages.append((run.state, len(jobs)))
                for job in jobs:
                    self._perform(Job.load(self.env, job.uuid))
                order = "id" if order == "id desc" else "id desc"
        finally:
            Scan._wake_workers = wake
        # each stage: its chunks' jobs, then the job that opens the next stage
        expected_jobs = [(stage, n) for stage in STAGES for n in (run.chunks, 1)]
        self.assertEqual(stages, expected_jobs)
        self.assertGreater(run.chunks, 3)
        self.assertFalse(woken, "no worker cron woken")
        self.assertEqual(run.state, "done")
        self.assertEqual(self._stored(), expected)

    def _perform(self, job):
        """As the job runner does (``queue_job``'s ``RunJobController``)."""
        job.set_started()
        job.perform()
        job.set_done()
        job.store()
        self.env.flush_all()
        job.enqueue_waiting()

    def _scan_jobs(self, order):
        return self.env["queue.job"].search(
            [("model_name", "=", "hygiene.duplicate.scan"), ("state", "=", "pending")],
            order=order,
        )
