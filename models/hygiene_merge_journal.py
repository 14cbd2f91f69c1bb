import json
import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, consteq, mute_logger
from odoo.tools.misc import hmac

from ..const import GROUP_STEWARD, MERGE_UNDO_DAYS, get_param
from .hygiene_merge_values import SURVIVORSHIP_EXCLUDED

_logger = logging.getLogger(__name__)

CRON_BATCH = 1000
# HMAC scope of the payload signature (keyed by database.secret): see _hygiene_signature.
SIGNATURE_SCOPE = "partner_data_hygiene.merge_journal"
# Survivor fields an undo may write back: scalar columns only (an x2many command replayed on
# undo could delete or rewrite rows of other models).
UNDO_FIELD_TYPES = (
    "char", "text", "html", "selection", "many2one", "date", "datetime",
    "boolean", "integer", "float", "monetary",
)  # fmt: skip


class HygieneMergeJournal(models.Model):
    """One merge of contacts: what it changed, so that it can be undone within a window.

    Personal data kept here, and why: ``before_values`` holds the survivor's values that the merge
    replaced (the only way to give them back on undo) and ``removed_rows`` the redundant link rows
    it deleted (ids only: followers, tags...). The re-pointed rows are ids. Both are cleared when
    the merge is undone and when the window ends (the sources are then deleted by the daily job),
    so the journal keeps only ids and counts afterwards.

    Undo re-points the rows back to their source, restores the removed link rows, reactivates the
    sources and restores the survivor's replaced values (its company-dependent values company by
    company, only where they still hold what the merge left). Consent restrictions (withdrawals,
    refusals) appended to the survivor by the merge, and a blacklist entry it added, are NOT
    lifted: the consent ledger is append-only and an objection of the person is never undone by a
    technical operation.
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
        """Undo the merge (see the class docstring for what is and is not restored)."""
        if not self.env.user.has_group(GROUP_STEWARD):
            raise AccessError(self.env._("Only data stewards can undo a merge."))
        self.check_access("read")
        deadline = fields.Datetime.now() - timedelta(days=self._undo_days())
        for journal in self:
            if journal.state != "done":
                raise UserError(
                    self.env._(
                        "%(merge)s cannot be undone: it is no longer in the merged state.",
                        merge=journal.display_name,
                    )
                )
            if journal.date <= deadline:
                raise UserError(
                    self.env._(
                        "%(merge)s is older than the undo window (%(days)s days).",
                        merge=journal.display_name,
                        days=self._undo_days(),
                    )
                )
            survivor = journal.survivor_id.with_context(active_test=False)
            if not survivor or not survivor.active or survivor.hygiene_merged_into_id:
                raise UserError(
                    self.env._(
                        "%(merge)s cannot be undone: its surviving contact was archived or merged "
                        "since. Undo that first.",
                        merge=journal.display_name,
                    )
                )
            (survivor | journal.source_ids).check_access("write")
            journal._hygiene_check_signature()
        for journal in self:
            with self.env.cr.savepoint():
                journal.sudo()._undo()
                # screens hook: the duplicate groups this merge closed are to review again
                self.env["hygiene.duplicate.group"]._hygiene_after_merge_undo(journal)
        return True

    def _undo(self):
        self.ensure_one()
        survivor = self.survivor_id
        self.env.flush_all()
        targets = {
            target.key: target
            for target in self.env["hygiene.reference.catalogue"]._hygiene_merge_targets()
        }
        self._undo_check_payload(targets)
        before = self.before_values or {}
        # The survivor's company-dependent values first: they were set after the re-pointing.
        self._undo_company_values(survivor, before.get("company_dependent") or {})
        # Removed link rows first: a row moved by one column then removed as redundant by
        # another is re-inserted as it was, then moved back by its id like the others.
        self._undo_restore_removed(targets)
        children = self._undo_moved_rows(targets)
        self._undo_restore_sources(before)
        self.env["hygiene.merge.engine"]._hygiene_merge_recompute_children(children)
        if before.get("survivor"):
            # as the user, like the merge wrote them: field groups and record rules apply
            survivor.sudo(False).with_context(tracking_disable=True).write(before["survivor"])
        self.env["hygiene.merge.engine"]._hygiene_sync_commercial_children(
            children, {survivor.id: before.get("company_dependent") or {}}
        )
        self._undo_activity(before.get("activity"))
        self._undo_derived([survivor.id, *self.source_ids.ids])
        self.write(
            {
                "state": "undone",
                "undo_date": fields.Datetime.now(),
                "undo_user_id": self.env.uid,
                # no longer needed: data minimisation
                "before_values": False,
                "removed_rows": False,
            }
        )

    def _undo_moved_rows(self, targets):
        """Point the moved rows back to their source; returns the child contacts moved back."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        survivor = self.survivor_id
        children = Partner.browse()
        for src_key, by_target in (self.moved_rows or {}).items():
            src = int(src_key)
            for key, rows in by_target.items():
                target = targets.get(key)
                if target is None:
                    _logger.warning("merge undo: column %s no longer exists, skipped", key)
                    continue
                if target.kind in ("company", "default"):
                    self._undo_jsonb_target(target, src, survivor.id, rows)
                    continue
                if target.has_id and key == "res_partner.parent_id":
                    children |= Partner.browse([int(row_id) for row_id in rows])
                self._undo_move_back(target, src, rows)
        self.env.invalidate_all(flush=False)
        return children

    def _undo_move_back(self, target, src, rows):
        """Point ``rows`` of ``target`` (ids, or whole rows of an id-less table) back to ``src``."""
        cr = self.env.cr
        if target.has_id:
            condition = SQL("t.id = ANY(%s)", [int(row_id) for row_id in rows])
        else:
            condition = SQL(
                "(to_jsonb(t) - %s) = ANY(%s::jsonb[])",
                target.column,
                [json.dumps(row) for row in rows],
            )
        query = SQL(
            "UPDATE %s AS t SET %s = %s WHERE %s AND %s",
            SQL.identifier(target.table),
            SQL.identifier(target.column),
            target.value_sql(SQL("%s", src)),
            target.where_sql("t", SQL("%s", self.survivor_id.id)),
            condition,
        )
        try:
            with mute_logger("odoo.sql_db"), cr.savepoint(flush=False):
                cr.execute(query)
        except psycopg2.IntegrityError:
            raise UserError(
                self.env._(
                    "The merge cannot be undone: rows of table %(table)s (column "
                    "%(column)s) created since conflict with the merged contact's.",
                    table=target.table,
                    column=target.column,
                )
            ) from None

    def _undo_restore_sources(self, before):
        """The sources active (or not) again as they were, no longer merged."""
        for src_key, values in (before.get("sources") or {}).items():
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE res_partner SET active = %s, hygiene_merged_into_id = NULL,
                           write_uid = %s, write_date = NOW() AT TIME ZONE 'UTC'
                     WHERE id = %s
                    """,
                    bool(values.get("active", True)),
                    self.env.uid,
                    int(src_key),
                )
            )
        self.env.invalidate_all(flush=False)

    def _undo_activity(self, activity):
        """The survivor's last activity as before, unless a newer one was recorded since."""
        if not activity:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET hygiene_last_activity_date = %s, hygiene_last_activity_source = %s
                 WHERE id = %s AND hygiene_last_activity_date = %s
                """,
                activity["before"][0],
                activity["before"][1],
                self.survivor_id.id,
                activity["after"][0],
            )
        )

    def _undo_derived(self, partner_ids):
        """Consent states, first origins and company columns recomputed on ``partner_ids``."""
        # Consent states are derived: recompute them from the events now back on each partner.
        self.env.cr.execute(
            SQL("DELETE FROM hygiene_consent_state WHERE partner_id = ANY(%s)", partner_ids)
        )
        events = self.env["hygiene.consent"].sudo().search([("partner_id", "in", partner_ids)])
        self.env["hygiene.consent.state"].sudo()._update_from_events(events)
        self.env["hygiene.partner.origin"].sudo()._update_partner_first_origin(partner_ids)
        self.env["hygiene.merge.engine"]._hygiene_sync_company_columns(partner_ids)
        self.env.invalidate_all()

    def _undo_check_payload(self, targets):
        """Refuse a payload that is not the shape a merge writes, whatever its signature: rows
        only of the link tables the merge removes from, pointing to this merge's sources; moves
        and reactivations only of its sources; scalar survivor fields only."""
        source_ids = set(self.source_ids.ids)
        before = self.before_values or {}

        def refuse(reason):
            _logger.warning("merge undo refused: journal %s, %s", self.id, reason)
            raise UserError(
                self.env._(
                    "%(merge)s cannot be undone: its journal does not describe a merge "
                    "(%(reason)s).",
                    merge=self.display_name,
                    reason=reason,
                )
            )

        for key in (*(self.moved_rows or {}), *(before.get("sources") or {})):
            if not str(key).isdigit() or int(key) not in source_ids:
                refuse("a row of another contact")
        self._undo_check_survivor_fields(before, refuse)
        self._undo_check_removed_rows(targets, source_ids, refuse)

    def _undo_check_survivor_fields(self, before, refuse):
        """Only stored scalar fields the survivorship may write, none of the engines'."""
        Partner = self.env["res.partner"]
        for name in before.get("survivor") or {}:
            field = Partner._fields.get(name)
            if (
                field is None
                or not field.store
                or field.type not in UNDO_FIELD_TYPES
                or name in SURVIVORSHIP_EXCLUDED
                or name.startswith("hygiene_")
            ):
                refuse(f"field {name}")

    def _undo_check_removed_rows(self, targets, source_ids, refuse):
        """Removed rows only of the link tables, pointing to a source, with their dependents."""
        links = {}
        for target in targets.values():
            if target.is_link and target.kind in ("fk", "ref"):
                links.setdefault(target.table, []).append(target)
        for entry in self.removed_rows or []:
            table, row = entry.get("table"), entry.get("row")
            if table not in links or not isinstance(row, dict):
                refuse(f"table {table}")
            if not any(
                row.get(target.column) in source_ids
                and (target.kind != "ref" or row.get(target.model_column) == "res.partner")
                for target in links[table]
            ):
                refuse(f"a {table} row of another contact")
            referencing = defaultdict(set)
            for dep_table, dep_column in self.env[
                "hygiene.reference.catalogue"
            ]._hygiene_referencing(table):
                referencing[dep_table].add(dep_column)
            for dep_table, dep_rows in (entry.get("dependents") or {}).items():
                columns = referencing.get(dep_table)
                if not columns or any(
                    not isinstance(dep, dict)
                    or not any(dep.get(column) == row.get("id") for column in columns)
                    for dep in dep_rows
                ):
                    refuse(f"table {dep_table}")

    def _undo_company_values(self, survivor, company_values):
        """Give the survivor back its company-dependent values, company by company: a key the
        merge set (or removed) is restored only if it still holds what the merge left, so that
        a value changed since the merge is kept."""
        if not company_values:
            return
        cr = self.env.cr
        names = [name for name in company_values if name in survivor._fields]
        if not names:
            return
        cr.execute(
            SQL(
                "SELECT %s FROM res_partner WHERE id = %s",
                SQL(", ").join(SQL.identifier(name) for name in names),
                survivor.id,
            )
        )
        row = cr.fetchone()
        missing = object()
        for name, current in zip(names, row, strict=True):
            change = company_values[name]
            value = dict(current or {})
            before, after = change.get("before") or {}, change.get("after") or {}
            for key in before.keys() | after.keys():
                if value.get(key, missing) != after.get(key, missing):
                    continue  # changed since the merge: kept
                if key in before:
                    value[key] = before[key]
                else:
                    value.pop(key, None)
            if value != (current or {}):
                cr.execute(
                    SQL(
                        "UPDATE res_partner SET %s = NULLIF(%s::jsonb, '{}'::jsonb) WHERE id = %s",
                        SQL.identifier(name),
                        json.dumps(value),
                        survivor.id,
                    )
                )
        survivor.invalidate_recordset(names)
        survivor.modified(names)

    def _undo_jsonb_target(self, target, src, survivor_id, rows):
        """Point back to ``src`` the company values ([row id, company key]) or ir_default
        fallbacks (ids) the merge moved, where they still point to the survivor."""
        cr = self.env.cr
        if target.kind == "default":
            cr.execute(
                SQL(
                    "UPDATE ir_default SET json_value = %s WHERE id = ANY(%s) AND json_value = %s",
                    str(src),
                    [int(row_id) for row_id in rows],
                    str(survivor_id),
                )
            )
            if cr.rowcount:
                self.env.registry.clear_cache()
            return
        table = SQL.identifier(target.table)
        column = SQL.identifier(target.column)
        cr.execute(
            SQL(
                """
                UPDATE %(table)s AS t SET %(column)s = t.%(column)s || p.patch
                  FROM (SELECT u.id, jsonb_object_agg(u.key, %(src)s::int) AS patch
                          FROM unnest(%(ids)s::int[], %(keys)s::text[]) AS u(id, key)
                          JOIN %(table)s AS r ON r.id = u.id
                         WHERE r.%(column)s ->> u.key = %(survivor)s
                      GROUP BY u.id) AS p
                 WHERE t.id = p.id
                """,
                table=table,
                column=column,
                src=src,
                ids=[int(row_id) for row_id, __ in rows],
                keys=[str(key) for __, key in rows],
                survivor=str(survivor_id),
            )
        )

    def _undo_restore_removed(self, targets):
        """Insert back the redundant link rows the merge deleted, then their dependent rows."""
        cr = self.env.cr
        known_tables = {target.table for target in targets.values()}
        for entry in self.removed_rows or []:
            table = entry.get("table")
            if table not in known_tables:
                _logger.warning("merge undo: table %s no longer exists, skipped", table)
                continue
            rows = [(table, entry["row"])]
            rows += [
                (dep_table, row)
                for dep_table, dep_rows in (entry.get("dependents") or {}).items()
                for row in dep_rows
            ]
            for row_table, row in rows:
                if row_table != table and not self._undo_table_references(row_table, table):
                    continue  # only rows of a table that references the link table
                cr.execute(
                    SQL(
                        "INSERT INTO %(table)s SELECT * FROM jsonb_populate_record("
                        "NULL::%(table)s, %(row)s::jsonb) ON CONFLICT DO NOTHING",
                        table=SQL.identifier(row_table),
                        row=json.dumps(row),
                    )
                )

    def _undo_table_references(self, table, referenced):
        return any(
            dep_table == table
            for dep_table, __ in self.env["hygiene.reference.catalogue"]._hygiene_referencing(
                referenced
            )
        )

    # ------------------------------------------------------------------ cron

    @api.model
    def _cron_delete_merged_sources(self, batch_size=CRON_BATCH):
        """Delete contacts merged longer ago than the undo window, one batch per run.

        A contact something was linked to since the merge (ondelete restrict) is skipped and
        logged by id; its journal stays undoable-in-principle until someone resolves it.
        """
        deadline = fields.Datetime.now() - timedelta(days=self._undo_days())
        journals = self.search([("state", "=", "done"), ("date", "<", deadline)])
        candidates = journals.source_ids.filtered(
            lambda p: not p.active and p.hygiene_merged_into_id
        )
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
