import functools
import json
import time

import psycopg2

from odoo import api, models
from odoo.tools import SQL

from ..tools import normalize
from .hygiene_duplicate_group import SCAN_WORKER_CRONS
from .hygiene_duplicate_scan import NEXT_STAGE


class HygieneDuplicateScanWork(models.AbstractModel):
    """Who runs the chunks of a scan run: the worker crons (``SCAN_WORKER_CRONS``, woken when
    a stage opens), or, when OCA ``queue_job`` is installed, one of its jobs per chunk. The
    addon does not depend on ``queue_job``: the model ``queue.job`` in the registry is the
    only sign of it (``_queue_job``)."""

    _inherit = "hygiene.duplicate.scan"

    @api.model
    def _queue_job(self):
        """Whether OCA ``queue_job`` is installed: the chunks then run as its jobs."""
        return "queue.job" in self.env

    @api.model
    def _dispatch(self, run, commit):
        """Run the chunks of a run just opened (and committed, with ``commit``): enqueue its
        jobs with ``queue_job``, else wake the worker crons and work with them."""
        if self._queue_job():
            self._enqueue_chunks(run)
            self._commit(commit)
            return run.state
        self._wake_workers()
        return self._work(run, commit=commit)

    @api.model
    def _work(self, run, commit=False, wait=0.0):
        """Run chunks of ``run`` until it is done (``commit``: after each chunk, as a cron
        worker does; else in the caller's transaction, alone). When the other chunks of the
        stage are still running elsewhere, return, or with ``wait`` (seconds) poll until the
        next stage opens. Returns the run's state."""
        run = run.sudo()
        context = self._context_of_work()
        while True:
            run.invalidate_recordset()
            if run.state in ("done", "failed"):
                return run.state
            chunk = self._claim(run)
            if chunk:
                self._run_chunk(run, chunk, context)
                self._commit(commit)
                continue
            try:
                advanced = self._advance(run)
            except psycopg2.errors.SerializationFailure:
                if not commit:
                    raise
                # another worker changed the run since this transaction began: look again
                self.env.cr.rollback()  # pylint: disable=invalid-commit
                continue
            if advanced and commit and self._queue_job():
                self._enqueue_chunks(run)  # the stage opened here gets its jobs too
            if advanced:
                self._commit(commit)
                if commit:
                    self._wake_workers()  # the workers that found nothing to do come back
            elif commit and wait:
                self._commit(commit)  # release the run's row, then look again
                time.sleep(wait)
            else:
                return run.state  # other workers still hold chunks of this stage

    def _context_of_work(self):
        return {"phonetic": functools.lru_cache(maxsize=200000)(normalize.phonetic_key)}

    @api.model
    def _run_chunk(self, run, chunk, context):
        started = time.perf_counter()
        stats = getattr(self, f"_chunk_{chunk.stage}")(run, chunk, context) or {}
        stats["seconds"] = round(time.perf_counter() - started, 2)
        chunk.write({"state": "done", "stats": json.dumps(stats)})

    # ------------------------------------------------------------------ queue_job

    @api.model
    def _enqueue_chunks(self, run):
        """The jobs of the run's stage: one per chunk to do, then one that opens the next
        stage once they are all done (a ``queue_job`` graph: ``on_done``) and enqueues that
        stage's. A job commits nothing itself (``queue_job`` forbids it): its chunk and the
        chunk's "done" are one transaction, retried as a whole."""
        if run.state not in NEXT_STAGE:
            return
        chunks = (
            self.env["hygiene.scan.chunk"]
            .sudo()
            .search([("run_id", "=", run.id), ("stage", "=", run.state), ("state", "=", "todo")])
        )
        stage = dict(run._fields["state"]._description_selection(self.env))[run.state]
        # queue_job is optional: imported only when it is installed
        from odoo.addons.queue_job.delay import group

        jobs = [
            self.delayable(
                description=self.env._(
                    "Duplicate scan %(run)s: %(stage)s, chunk %(number)s of %(count)s",
                    run=run.id,
                    stage=stage,
                    number=chunk.number + 1,
                    count=run.chunks,
                )
            )._job_scan_chunk(chunk.id)
            for chunk in chunks
        ]
        advance = self.delayable(
            description=self.env._(
                "Duplicate scan %(run)s: after the %(stage)s stage", run=run.id, stage=stage
            )
        )._job_scan_advance(run.id, run.state)
        if jobs:
            group(*jobs).on_done(advance).delay()
        else:
            advance.delay()

    @api.model
    def _job_scan_chunk(self, chunk_id):
        """A ``queue_job`` job: one chunk (nothing when a worker cron did it already)."""
        chunk = self.env["hygiene.scan.chunk"].sudo().browse(chunk_id).exists()
        if not chunk or chunk.run_id.state != chunk.stage:
            return None
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM hygiene_scan_chunk WHERE id = %s AND state = 'todo'"
                " FOR UPDATE SKIP LOCKED",
                chunk.id,
            )
        )
        if not self.env.cr.fetchone():
            chunk.invalidate_recordset()
            if chunk.state != "done":  # a worker cron is on it: the stage waits for it
                self._retry_job(self.env._("A worker cron is scanning this chunk."))
            return None
        self._run_chunk(chunk.run_id, chunk, self._context_of_work())
        return chunk.stats

    @api.model
    def _job_scan_advance(self, run_id, stage):
        """A ``queue_job`` job, once every chunk job of ``stage`` is done: open the next
        stage (the run's ``_after_<stage>``) and enqueue its jobs."""
        run = self.env["hygiene.scan.run"].sudo().browse(run_id).exists()
        if not run or run.state != stage:
            return None  # a worker cron opened it already (and enqueued its jobs)
        if not self._advance(run):
            self._retry_job(self.env._("Chunks of this stage are still running."))
        self._enqueue_chunks(run)
        return run.state

    def _retry_job(self, message):
        # queue_job is optional: imported only when it is installed
        from odoo.addons.queue_job.exception import RetryableJobError

        raise RetryableJobError(message, seconds=10)

    @api.model
    def _wake_workers(self):
        """Trigger the worker crons (``hygiene.duplicate.group.SCAN_WORKER_CRONS``)."""
        for xmlid in SCAN_WORKER_CRONS:
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron and cron.active:
                cron.sudo()._trigger()

    def _commit(self, commit):
        if commit:
            self.env.flush_all()
            # one chunk of a cron worker
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _claim(self, run):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM hygiene_scan_chunk WHERE run_id = %s AND stage = %s"
                " AND state = 'todo' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                run.id,
                run.state,
            )
        )
        row = self.env.cr.fetchone()
        return row and self.env["hygiene.scan.chunk"].sudo().browse(row[0])

    @api.model
    def _advance(self, run):
        """Open the next stage when every chunk of this one is done (the run row locked, so
        that one worker only does it); False when some are still running elsewhere."""
        cr = self.env.cr
        # NO KEY: the other workers' chunk updates (a key share on the run) do not wait
        cr.execute(
            SQL("SELECT state FROM hygiene_scan_run WHERE id = %s FOR NO KEY UPDATE", run.id)
        )
        state = cr.fetchone()[0]
        run.invalidate_recordset()
        if state != run.state or state in ("done", "failed"):
            return state != run.state
        cr.execute(
            SQL(
                "SELECT count(*) FROM hygiene_scan_chunk WHERE run_id = %s AND stage = %s"
                " AND state != 'done'",
                run.id,
                state,
            )
        )
        if cr.fetchone()[0]:
            return False
        getattr(self, f"_after_{state}")(run)
        if NEXT_STAGE[state] != "done":
            self.env["hygiene.scan.chunk"].sudo().create(
                [
                    {"run_id": run.id, "stage": NEXT_STAGE[state], "number": number}
                    for number in range(run.chunks)
                ]
            )
        run.state = NEXT_STAGE[state]
        return True
