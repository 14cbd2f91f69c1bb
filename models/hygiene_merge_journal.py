import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, consteq
from odoo.tools.misc import hmac

from ..const import GROUP_STEWARD, MERGE_UNDO_DAYS, get_param
from ..tools.actions import notification

_logger = logging.getLogger(__name__)

CRON_BATCH = 1000
# HMAC scope of the payload signature (keyed by database.secret): see _hygiene_signature.
SIGNATURE_SCOPE = "partner_data_hygiene.merge_journal"


class HygieneMergeJournal(models.Model):
    """One merge of contacts: what it changed, so that it can be undone within a window.

    Personal data kept here, and why: ``before_values`` holds the survivor's values that the merge
    replaced (the only way to give them back on undo) and ``removed_rows`` the redundant link rows
    it deleted (ids only: followers, tags...). The re-pointed rows are ids. Both are cleared when
    the merge is undone and when the window ends (the sources are then deleted by the daily job),
    so the journal keeps only ids and counts afterwards.

    Undo re-points the rows back to their source, restores the removed link rows, reactivates the
    sources and restores the survivor's replaced values, only where they still hold what the
    merge left (its company-dependent values company by company): a value changed since the
    merge, a rectification, is kept and named by the undo. An erasure of the survivor (which
    reaches the contacts merged into it) or of a source is never undone. Consent restrictions
    (withdrawals, refusals) appended to the survivor by the merge, and a blacklist entry it
    added, are NOT lifted: the consent ledger is append-only and an objection of the person is
    never undone by a technical operation.
    """

    _name = "hygiene.merge.journal"
    _description = "Contact Merge Journal"
    _order = "date desc, id desc"
    _rec_name = "survivor_id"

    survivor_id = fields.Many2one(
        "res.partner",
        string="Surviving Contact",
        readonly=True,
        index=True,
        ondelete="set null",
        context={"active_test": False},
    )
    # multi-company: the record rules of security/hygiene_security.xml read this column
    company_id = fields.Many2one(related="survivor_id.company_id", store=True, index=True)
    source_ids = fields.Many2many(
        "res.partner",
        "hygiene_merge_journal_source_rel",
        "journal_id",
        "partner_id",
        string="Merged Contacts",
        readonly=True,
        context={"active_test": False},
    )
    source_count = fields.Integer(compute="_compute_source_count", store=True, string="Merged")
    date = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Merged By",
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="set null",
    )
    state = fields.Selection(
        [("done", "Merged"), ("undone", "Undone"), ("expired", "Expired")],
        default="done",
        required=True,
        readonly=True,
        index=True,
        help="Expired: the undo window is over and the merged contacts were deleted.",
    )
    undo_deadline = fields.Datetime(compute="_compute_undo_deadline", string="Can Be Undone Until")
    undo_date = fields.Datetime(readonly=True, string="Undone On")
    undo_user_id = fields.Many2one("res.users", readonly=True, string="Undone By")
    before_values = fields.Json(readonly=True, copy=False)
    moved_rows = fields.Json(readonly=True, copy=False)
    removed_rows = fields.Json(readonly=True, copy=False)
    counts = fields.Json(readonly=True, copy=False)
    consent_event_ids = fields.Many2many(
        "hygiene.consent",
        "hygiene_merge_journal_consent_rel",
        "journal_id",
        "consent_id",
        string="Restrictions Carried Over",
        readonly=True,
        help="Withdrawals and refusals the merge appended to the survivor; undo keeps them.",
    )
    summary = fields.Text(compute="_compute_summary", string="Rows Moved")
    # HMAC of what the merge recorded: an undo replays a payload only if the merge engine wrote
    # it (a row written by anyone else, even in the database, does not verify).
    signature = fields.Char(readonly=True, copy=False, groups="base.group_system")

    # ------------------------------------------------------------------ written by the engine only

    @api.model_create_multi
    def create(self, vals_list):
        """Journals are written by the merge engine (in sudo, after its own checks), never by a
        client: an undo replays them with more rights than the user has."""
        if not self.env.su:
            raise AccessError(self.env._("Merge journals are written by the merge itself."))
        journals = super().create(vals_list)
        journals._hygiene_sign()
        return journals

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Merge journals are written by the merge itself."))
        return super().write(vals)

    def _hygiene_payload(self):
        """The canonical text of what the undo replays, read back from the database."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT j.survivor_id, j.before_values, j.moved_rows, j.removed_rows,
                       ARRAY(SELECT r.partner_id FROM hygiene_merge_journal_source_rel r
                              WHERE r.journal_id = j.id ORDER BY r.partner_id)
                  FROM hygiene_merge_journal j WHERE j.id = %s
                """,
                self.id,
            )
        )
        survivor, before, moved, removed, sources = self.env.cr.fetchone()
        return json.dumps(
            [self.id, survivor, sources, before, moved, removed],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def _hygiene_signature(self):
        return hmac(self.env(su=True), SIGNATURE_SCOPE, self._hygiene_payload())

    def _hygiene_sign(self):
        for journal in self.sudo():
            self.env.cr.execute(
                SQL(
                    "UPDATE hygiene_merge_journal SET signature = %s WHERE id = %s",
                    journal._hygiene_signature(),
                    journal.id,
                )
            )
        self.invalidate_recordset(["signature"])

    def _hygiene_check_signature(self):
        journal = self.sudo()
        if not journal.signature or not consteq(journal.signature, journal._hygiene_signature()):
            _logger.warning("merge undo refused: journal %s fails its signature check", self.id)
            raise UserError(
                self.env._(
                    "%(merge)s cannot be undone: its journal was not written by the merge "
                    "(signature check failed).",
                    merge=self.display_name,
                )
            )

    @api.depends("source_ids")
    def _compute_source_count(self):
        for journal in self:
            journal.source_count = len(journal.source_ids)

    @api.depends("date")
    def _compute_undo_deadline(self):
        days = self._undo_days()
        for journal in self:
            journal.undo_deadline = journal.date and journal.date + timedelta(days=days)

    @api.depends("counts", "before_values")
    def _compute_summary(self):
        for journal in self:
            label = self.env["hygiene.reference.catalogue"]._hygiene_key_label
            counts = sorted((journal.counts or {}).items())
            lines = [f"{label(key)}: {count}" for key, count in counts if count]
            before = journal.before_values or {}
            changed = sorted(
                {*(before.get("survivor") or {}), *(before.get("company_dependent") or {})}
            )
            if changed:
                lines.append(self.env._("Fields changed: %(fields)s", fields=", ".join(changed)))
            if before.get("undo_kept"):
                lines.append(
                    self.env._(
                        "Kept by the undo, changed since the merge: %(fields)s",
                        fields=", ".join(before["undo_kept"]),
                    )
                )
            journal.summary = "\n".join(lines)

    def _compute_display_name(self):
        for journal in self:
            journal.display_name = self.env._(
                "Merge into %(survivor)s (%(count)s)",
                survivor=journal.survivor_id.display_name or "?",
                count=journal.source_count,
            )

    @api.model
    def _undo_days(self):
        return get_param(self.env, MERGE_UNDO_DAYS)

    # ------------------------------------------------------------------ undo

    def action_undo(self):
        """Undo the merge (see the class docstring for what is and is not restored). Returns
        True, or a notification naming the survivor's fields kept as changed since the merge."""
        if not self.env.user.has_group(GROUP_STEWARD):
            raise AccessError(self.env._("Only data stewards can undo a merge."))
        self.check_access("read")
        for journal in self:
            journal._undo_check_allowed()
        kept = {}
        for journal in self:
            with self.env.cr.savepoint():
                kept[journal] = journal.sudo()._undo()
                # screens hook: the duplicate groups this merge closed are to review again
                self.env["hygiene.duplicate.group"]._hygiene_after_merge_undo(journal)
        return self._undo_result(kept)

    def _undo_check_allowed(self):
        """Refuse the undo of this journal: not merged, too old, survivor gone, archived or
        merged since, a contact of the merge erased since, no right, or not signed."""
        self.ensure_one()
        deadline = fields.Datetime.now() - timedelta(days=self._undo_days())
        if self.state != "done":
            raise UserError(
                self.env._(
                    "%(merge)s cannot be undone: it is no longer in the merged state.",
                    merge=self.display_name,
                )
            )
        if self.date <= deadline:
            raise UserError(
                self.env._(
                    "%(merge)s is older than the undo window (%(days)s days).",
                    merge=self.display_name,
                    days=self._undo_days(),
                )
            )
        survivor = self.survivor_id.with_context(active_test=False)
        if not survivor or not survivor.active or survivor.hygiene_merged_into_id:
            raise UserError(
                self.env._(
                    "%(merge)s cannot be undone: its surviving contact was archived or merged "
                    "since. Undo that first.",
                    merge=self.display_name,
                )
            )
        (survivor | self.source_ids).check_access("write")
        # read in sudo (the read right on the journal is checked): a source in the restricted
        # archive is hidden from stewards, and an erasure is never undone
        journal = self.sudo()
        if (journal.survivor_id | journal.source_ids).filtered("hygiene_retention_state"):
            raise UserError(
                self.env._(
                    "%(merge)s cannot be undone: a contact of this merge was anonymised, erased "
                    "or moved to the restricted archive since (an erasure is never undone).",
                    merge=self.display_name,
                )
            )
        self._hygiene_check_signature()

    def _undo_result(self, kept):
        """True, or a notification naming, per journal of ``kept`` ({journal: field names}),
        the survivor's fields its undo kept as they were changed since the merge."""
        Partner = self.env["res.partner"]
        lines = [
            self.env._(
                "%(merge)s: undone, keeping the values changed since the merge: %(fields)s.",
                merge=journal.display_name,
                fields=", ".join(
                    Partner._fields[name]._description_string(self.env)
                    for name in names
                    if name in Partner._fields
                ),
            )
            for journal, names in kept.items()
            if names
        ]
        if not lines:
            return True
        return notification(
            "\n".join(lines), title=self.env._("Merge undone"), kind="warning", sticky=True
        )

    # ------------------------------------------------------------------ cron

    @api.model
    def _cron_delete_merged_sources(self, batch_size=CRON_BATCH):
        """Delete contacts merged longer ago than the undo window, one batch per run.

        A contact something was linked to since the merge (ondelete restrict) is skipped and
        logged by id; its journal stays undoable-in-principle until someone resolves it. A
        contact under a legal hold is kept until the hold ends.
        """
        deadline = fields.Datetime.now() - timedelta(days=self._undo_days())
        journals = self.search([("state", "=", "done"), ("date", "<", deadline)])
        candidates = journals.source_ids.filtered(
            lambda p: not p.active
            and p.hygiene_merged_into_id
            and p.hygiene_retention_state != "partial"  # its hold's second pass comes first
        )
        # a legal hold outlasts the undo window: the contact stays, and its journal with it
        held = self.env["hygiene.retention.engine"]._hygiene_hold_dates(candidates.ids)
        candidates = candidates.filtered(lambda p: p.id not in held)
        batch, remaining = candidates[:batch_size], candidates[batch_size:]
        outcome = self._hygiene_isolated(
            batch.ids, lambda ids: batch.browse(ids).unlink(), label="merged contacts deletion"
        )
        for partner_id, __ in outcome["failed"]:
            _logger.warning("merged contact %s could not be deleted", partner_id)
        deleted = [pid for ids, __ in outcome["ok"] for pid in ids]
        self.env.invalidate_all()
        expired = journals.filtered(lambda j: not j.source_ids.exists())
        expired.sudo().write({"state": "expired", "before_values": False, "removed_rows": False})
        self.env["ir.cron"]._notify_progress(done=len(deleted), remaining=len(remaining))
        return len(deleted)
