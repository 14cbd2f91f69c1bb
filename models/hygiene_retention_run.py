"""The runs of the retention policies (``hygiene.retention.policy``, continued from
``hygiene_retention_policy.py``): the batch size and safety valve read from the settings, the
count of the contacts due, the valve that stops a run touching too many contacts (and tells the
officers), one batch of the policies, and the cron.
"""

import logging

from odoo import api, models

from ..const import (
    GROUP_OFFICER,
    RETENTION_BATCH_SIZE,
    RETENTION_SAFETY_VALVE_PERCENT,
    get_param,
)

_logger = logging.getLogger(__name__)


class HygieneRetentionPolicy(models.Model):
    _inherit = "hygiene.retention.policy"

    # ------------------------------------------------------------------ runs

    @api.model
    def _hygiene_batch_size(self):
        return get_param(self.env, RETENTION_BATCH_SIZE)

    @api.model
    def _hygiene_valve_percent(self):
        return get_param(self.env, RETENTION_SAFETY_VALVE_PERCENT)

    def _hygiene_due_counts(self):
        """{policy: number of contacts due now} for the policies in ``self``."""
        Partner = self.env["res.partner"].sudo()
        return {
            policy: Partner.search_count(policy._hygiene_due_partners_domain()) for policy in self
        }

    def _hygiene_valve_check(self, due_counts):
        """None if the run may go on; else the figures of the stop (journaled, officers told).

        The share is taken over the active contacts of the base: a run that would touch more of
        them than the system parameter allows (default 5 %) stops before touching anything.
        """
        total = sum(due_counts.values())
        if not total:
            return None
        base = self.env["res.partner"].sudo().search_count([])
        percent = self._hygiene_valve_percent()
        if base and total * 100.0 <= percent * base:
            return None
        figures = {"due": total, "base": base, "percent_limit": percent}
        biggest = max(due_counts, key=due_counts.get)
        self.env["hygiene.journal"]._log(
            "valve",
            policy=biggest if len(due_counts) == 1 else None,
            counts={"res.partner": total, **{f"policy_{p.id}": n for p, n in due_counts.items()}},
            reason="safety_valve",
        )
        biggest._hygiene_notify_officers(figures)
        _logger.warning(
            "retention run stopped by the safety valve: %s contacts due of %s (limit %s %%)",
            total,
            base,
            percent,
        )
        return figures

    def _hygiene_notify_officers(self, figures):
        """A to-do for each privacy officer on the policy, once while it stays open."""
        self.ensure_one()
        summary = self.env._("Retention run stopped by the safety valve")
        note = self.env._(
            "%(due)s contacts are due, out of %(base)s active contacts: more than the "
            "%(percent)s %% allowed in one run. Check the policies with the preview, then raise "
            "the system parameter %(param)s for one run if the figure is expected.",
            due=figures["due"],
            base=figures["base"],
            percent=figures["percent_limit"],
            param=RETENTION_SAFETY_VALVE_PERCENT,
        )
        officers = self.env.ref(GROUP_OFFICER).sudo().users.filtered(lambda u: not u.share)
        policy = self.sudo()
        open_for = policy.activity_ids.filtered(lambda a: a.summary == summary).user_id
        for user in officers - open_for:
            policy.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
            )

    def _hygiene_run_batch(self, batch_size=None, dry_run=False):
        """Process one batch of due contacts for each policy in ``self``.

        Returns {"done": n, "remaining": n, "stopped": figures or None, "results": {policy:
        engine result}}. Idempotent: contacts already handled are archived, anonymised or deleted,
        so they are no longer due; a contact the engine refuses stays for a human decision.
        A dry run only counts.
        """
        self._hygiene_check_officer()
        batch_size = batch_size or self._hygiene_batch_size()
        due_counts = self._hygiene_due_counts()
        report = {"done": 0, "remaining": sum(due_counts.values()), "stopped": None, "results": {}}
        if dry_run or not report["remaining"]:
            return report
        stopped = self._hygiene_valve_check(due_counts)
        if stopped:
            report.update(stopped=stopped, remaining=0)
            return report
        Partner = self.env["res.partner"].sudo()
        processed = 0
        for policy in self:
            if not due_counts[policy]:
                continue
            partners = Partner.search(policy._hygiene_due_partners_domain(), limit=batch_size)
            result = partners._hygiene_retention_execute(policy.end_action, policy=policy)
            report["results"][policy] = result
            handled = len(result.get("done", ())) + len(result.get("held", ()))
            report["done"] += handled
            processed += handled
        report["remaining"] = max(0, report["remaining"] - processed)
        if not report["remaining"] or processed < batch_size:  # the end of the run: a snapshot
            self.env["hygiene.kpi.snapshot"]._hygiene_after_operation("purge")
        return report

    @api.model
    def _cron_retention(self, batch_size=None):
        """Daily run: one batch per active policy, progress reported to the cron runner.

        The cron runner commits after each call and calls again while work remains, so nothing
        here commits; each contact is isolated in a savepoint by the engine.
        """
        policies = self._hygiene_active_policies()
        report = policies._hygiene_run_batch(batch_size=batch_size)
        self.env["ir.cron"]._notify_progress(done=report["done"], remaining=report["remaining"])
        return report
