"""The undo of a merge (model ``hygiene.merge.journal``, continued from
``hygiene_merge_journal.py``, which holds the journal, its signature and the checks of
``action_undo``): the payload's shape checked, the removed link rows restored, the moved rows
pointed back to their source, the sources reactivated, the survivor's values and
company-dependent values given back where they still hold what the merge left (a value changed
since the merge, a rectification of GDPR Art. 16, is kept), the derived data recomputed.
"""

import json
import logging
from collections import defaultdict

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

from .hygiene_merge_values import SURVIVORSHIP_EXCLUDED, _jsonable

_logger = logging.getLogger(__name__)

# Survivor fields an undo may write back: scalar columns only (an x2many command replayed on
# undo could delete or rewrite rows of other models).
UNDO_FIELD_TYPES = (
    "char", "text", "html", "selection", "many2one", "date", "datetime",
    "boolean", "integer", "float", "monetary",
)  # fmt: skip


class HygieneMergeJournal(models.Model):
    _inherit = "hygiene.merge.journal"

    def _undo(self):
        """Undo this merge (``action_undo`` checked it may be); returns the names of the
        survivor's fields kept because they were changed since the merge."""
        self.ensure_one()
        survivor = self.survivor_id
        self.env.flush_all()
        targets = {
            target.key: target
            for target in self.env["hygiene.reference.catalogue"]._hygiene_merge_targets()
        }
        self._undo_check_payload(targets)
        before = self.before_values or {}
        # read before anything moves: what was changed since the merge is kept
        values, kept = self._undo_survivor_values(before)
        # The survivor's company-dependent values first: they were set after the re-pointing.
        kept += self._undo_company_values(survivor, before.get("company_dependent") or {})
        # Removed link rows first: a row moved by one column then removed as redundant by
        # another is re-inserted as it was, then moved back by its id like the others.
        self._undo_restore_removed(targets)
        children = self._undo_moved_rows(targets)
        self._undo_restore_sources(before)
        self.env["hygiene.merge.engine"]._hygiene_merge_recompute_children(children)
        if values:
            # as the user, like the merge wrote them: field groups and record rules apply
            survivor.sudo(False).with_context(tracking_disable=True).write(values)
        self.env["hygiene.merge.engine"]._hygiene_sync_commercial_children(
            children, {survivor.id: before.get("company_dependent") or {}}
        )
        self._undo_activity(before.get("activity"))
        self._undo_derived([survivor.id, *self.source_ids.ids])
        kept = sorted(set(kept))
        self.write(
            {
                "state": "undone",
                "undo_date": fields.Datetime.now(),
                "undo_user_id": self.env.uid,
                # no longer needed: data minimisation (the names of the fields kept stay)
                "before_values": {"undo_kept": kept} if kept else False,
                "removed_rows": False,
            }
        )
        return kept

    def _undo_survivor_values(self, before):
        """(values to write back on the survivor, names of the fields kept): a field whose
        value is no longer the one the merge left (``survivor_after``, read back after its
        write) was changed since, a rectification (GDPR Art. 16): it is kept. A journal of an
        older version, without ``survivor_after``, gives every value back."""
        values = dict(before.get("survivor") or {})
        after = before.get("survivor_after")
        if not values or after is None:
            return values, []
        # self is the engine's (sudo): the undo's rights were checked by action_undo
        survivor = self.survivor_id.with_context(active_test=False)
        current = survivor.read(list(values), load=False)[0]
        kept = [
            name for name in values if name in after and _jsonable(current[name]) != after[name]
        ]
        return {name: value for name, value in values.items() if name not in kept}, kept

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
        if not isinstance(before.get("survivor_after", {}), dict):
            refuse("survivor values")
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
        a value changed since the merge is kept. Returns the names of the fields kept so (in
        one company at least)."""
        names = [name for name in company_values or {} if name in survivor._fields]
        if not names:
            return []
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT %s FROM res_partner WHERE id = %s",
                SQL(", ").join(SQL.identifier(name) for name in names),
                survivor.id,
            )
        )
        row = cr.fetchone()
        missing = object()
        kept = []
        for name, current in zip(names, row, strict=True):
            change = company_values[name]
            value = dict(current or {})
            before, after = change.get("before") or {}, change.get("after") or {}
            for key in before.keys() | after.keys():
                if value.get(key, missing) != after.get(key, missing):
                    kept.append(name)
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
        return kept

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
