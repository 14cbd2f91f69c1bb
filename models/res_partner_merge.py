import json
import logging
from collections import defaultdict
from datetime import date, datetime

import psycopg2

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.models import MAGIC_COLUMNS
from odoo.tools import SQL, mute_logger

from ..const import GROUP_STEWARD, MERGE_SURVIVORSHIP, get_param
from ..tools.consent import RESTRICTION_RANK
from .res_partner import ACTIVITY_FIELDS, PROVENANCE_FIELDS
from .res_partner_matching import KEY_FIELDS

_logger = logging.getLogger(__name__)

# Field types that survivorship copies; booleans and numbers are left out on purpose: "empty"
# means nothing for them (is_company=False is a value, not a gap).
SURVIVORSHIP_TYPES = ("char", "text", "html", "selection", "many2one", "date", "datetime")
# Partner fields the merge never copies: managed by their own services, or meaningless to copy.
SURVIVORSHIP_EXCLUDED = frozenset(
    {
        "active",
        "commercial_partner_id",
        "hygiene_merged_into_id",
        "message_main_attachment_id",
        *MAGIC_COLUMNS,
        *KEY_FIELDS,
        *ACTIVITY_FIELDS,
        *PROVENANCE_FIELDS,
    }
)
# Columns referencing res_partner that must not follow the merge: the commercial partner is
# recomputed from parent_id, the merge link and the journal are history.
REPOINT_EXCLUDED = frozenset(
    {
        ("res_partner", "commercial_partner_id"),
        ("res_partner", "hygiene_merged_into_id"),
        ("hygiene_merge_journal", "survivor_id"),
        ("hygiene_merge_journal_source_rel", "partner_id"),
        # derived data: the sources' rows are deleted and the survivor's recomputed from events
        ("hygiene_consent_state", "partner_id"),
    }
)
# Tables whose company column follows their partner_id's company (multi-company rules).
COMPANY_FOLLOWER_MODELS = (
    "hygiene.consent",
    "hygiene.consent.state",
    "hygiene.partner.origin",
    "hygiene.repermission",
)
COMPANY_FOLLOWERS = tuple(model.replace(".", "_") for model in COMPANY_FOLLOWER_MODELS)
# Reference-style columns (model name column, id column) the core wizard re-points, checked even
# if the field were not declared as a many2one_reference.
REFERENCE_COLUMNS = (
    ("ir_attachment", "res_model", "res_id"),
    ("mail_message", "model", "res_id"),
    ("mail_followers", "res_model", "res_id"),
    ("mail_activity", "res_model", "res_id"),
    ("ir_model_data", "model", "res_id"),
)
# Tables whose rows are links rather than business records: a source's row that already exists
# on the survivor is redundant and can be removed (and restored by undo).
LINK_TABLES = frozenset({"mail_followers"})


def _jsonable(value):
    if isinstance(value, datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, date):
        return fields.Date.to_string(value)
    return value


class MergeTarget:
    """One column pointing to partners: ``kind`` is "fk" (integer foreign key), "ref" (model
    column + integer id), "reference" (``"res.partner,ID"`` string), "company" (jsonb column of a
    company-dependent many2one, ``{"company id": partner id}``) or "default" (``ir_default``
    fallback values of company-dependent many2one fields, a JSON id in a text column).

    The "company" and "default" kinds are re-pointed and restored by their own queries
    (``_hygiene_merge_repoint_jsonb`` and the journal's undo); ``where_sql`` serves all kinds
    (other services look for references with it), ``value_sql`` only the others."""

    __slots__ = ("column", "has_id", "is_link", "kind", "model_column", "table")

    def __init__(self, kind, table, column, model_column=None, has_id=True, is_link=False):
        self.kind = kind
        self.table = table
        self.column = column
        self.model_column = model_column
        self.has_id = has_id
        self.is_link = is_link

    @property
    def key(self):
        return f"{self.table}.{self.column}"

    def where_sql(self, alias, value_sql):
        """Condition "row ``alias`` points to the partner id ``value_sql``"."""
        column = SQL.identifier(alias, self.column)
        if self.kind == "company":
            return SQL(
                "EXISTS (SELECT 1 FROM jsonb_each_text(%s) AS e WHERE e.value = (%s)::text)",
                column,
                value_sql,
            )
        if self.kind == "default":
            return SQL(
                """%s = (%s)::text AND %s IN (
                       SELECT f.id FROM ir_model_fields AS f
                        WHERE f.company_dependent AND f.ttype = 'many2one'
                          AND f.relation = 'res.partner')""",
                column,
                value_sql,
                SQL.identifier(alias, "field_id"),
            )
        if self.kind == "reference":
            return SQL("%s = 'res.partner,' || %s", column, value_sql)
        if self.kind == "ref":
            return SQL(
                "%s = 'res.partner' AND %s = %s",
                SQL.identifier(alias, self.model_column),
                column,
                value_sql,
            )
        return SQL("%s = %s", column, value_sql)

    def value_sql(self, value_sql):
        if self.kind == "reference":
            return SQL("'res.partner,' || %s", value_sql)
        return value_sql


class ResPartner(models.Model):
    """The merge engine: N partners into one, set-based, journaled and reversible.

    See ``_hygiene_merge``; the journal and its undo live in ``hygiene.merge.journal``.
    """

    _inherit = "res.partner"

    hygiene_merged_into_id = fields.Many2one(
        "res.partner",
        string="Merged Into",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="Set on a contact archived by a merge: the contact that now holds its data.",
    )

    # ------------------------------------------------------------------ public API

    def _hygiene_merge(self, sources, field_values=None):
        """Merge ``sources`` into ``self`` (the survivor) and return the ``hygiene.merge.journal``.

        ``field_values`` ({field: value}) are the values the user picked; other fields follow the
        survivorship rule of the setting ``partner_data_hygiene.merge_survivorship``. Consents:
        the most restrictive state wins; blacklist, last activity (max) and origins (all, the
        earliest first) are carried over. Everything pointing to a source is re-pointed with one
        UPDATE per column; a unique conflict on a business table refuses the merge and leaves the
        database unchanged. Sources are archived and linked to the survivor.
        """
        self.ensure_one()
        return self._hygiene_merge_batch([(self, sources, field_values)])

    def _hygiene_merge_batch(self, groups, refused=None):
        """Merge many groups at once: ``groups`` is a list of (survivor, sources, field_values).

        The re-pointing runs one UPDATE per column for all groups together. Without ``refused``,
        any refusal refuses the whole batch (nothing changed). With a list as ``refused``, a
        refused batch is retried group by group and the refused groups are appended to it as
        (survivor, sources, message); the others are merged. Returns the journals.
        """
        # One prefetch set for the whole batch: reading a field of one partner reads it for all.
        prefetch = tuple(
            {pid for survivor, sources, __ in groups for pid in survivor._ids + sources._ids}
        )
        groups = [
            (
                survivor.with_prefetch(prefetch),
                sources.with_context(active_test=False).with_prefetch(prefetch),
                dict(values or {}),
            )
            for survivor, sources, values in groups
        ]
        self._hygiene_merge_check_rights(groups)
        if refused is None or len(groups) == 1:
            return self._hygiene_merge_groups(groups)
        outcome = self._hygiene_isolated(
            groups, self._hygiene_merge_groups, errors=UserError, label="merge batch"
        )
        refused += [(group[0], group[1], str(error)) for group, error in outcome["failed"]]
        journals = self.env["hygiene.merge.journal"]
        for __, chunk_journals in outcome["ok"]:
            journals |= chunk_journals
        return journals

    # ------------------------------------------------------------------ checks

    def _hygiene_merge_check_rights(self, groups):
        if not self.env.user.has_group(GROUP_STEWARD):
            raise AccessError(self.env._("Only data stewards can merge contacts."))
        ids = {pid for survivor, sources, __ in groups for pid in survivor._ids + sources._ids}
        self.browse(ids).with_context(active_test=False).check_access("write")

    def _hygiene_merge_check_groups(self, groups):
        seen = set()
        for survivor, sources, values in groups:
            if len(survivor) != 1:
                raise UserError(self.env._("A merge needs exactly one surviving contact."))
            if not sources:
                raise UserError(
                    self.env._(
                        "Select at least one contact to merge into %(survivor)s.",
                        survivor=survivor.display_name,
                    )
                )
            if survivor in sources:
                raise UserError(
                    self.env._(
                        "%(survivor)s cannot be merged into itself: remove it from the contacts "
                        "to merge.",
                        survivor=survivor.display_name,
                    )
                )
            if not survivor.active:
                raise UserError(
                    self.env._(
                        "%(survivor)s is archived: restore it before merging contacts into it.",
                        survivor=survivor.display_name,
                    )
                )
            merged = sources.filtered("hygiene_merged_into_id")
            if merged:
                raise UserError(
                    self.env._(
                        "%(partners)s were already merged into another contact.",
                        partners=", ".join(merged.mapped("display_name")),
                    )
                )
            ids = {survivor.id, *sources.ids}
            if ids & seen:
                raise UserError(self.env._("A contact cannot be in two merges of one batch."))
            seen |= ids
            unknown = set(values) - set(self._fields)
            if unknown:
                raise UserError(
                    self.env._(
                        "Unknown contact fields: %(fields)s.", fields=", ".join(sorted(unknown))
                    )
                )
        all_ids = list(seen)
        # One query for the whole batch: the ancestors of every partner that are in the batch.
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE anc(id, ancestor) AS (
                    SELECT id, parent_id FROM res_partner
                     WHERE id = ANY(%(ids)s) AND parent_id IS NOT NULL
                     UNION
                    SELECT anc.id, p.parent_id
                      FROM anc JOIN res_partner p ON p.id = anc.ancestor
                     WHERE p.parent_id IS NOT NULL
                )
                SELECT id, ancestor FROM anc WHERE ancestor = ANY(%(ids)s) AND ancestor != id
                """,
                ids=all_ids,
            )
        )
        ancestors = defaultdict(set)
        for pid, ancestor in self.env.cr.fetchall():
            ancestors[pid].add(ancestor)
        for survivor, sources, __ in groups:
            partners = survivor | sources
            ids = set(partners.ids)
            for partner in partners:
                related = ancestors.get(partner.id, set()) & ids
                if related:
                    raise UserError(
                        self.env._(
                            "%(child)s belongs to %(parent)s: a contact cannot be merged with "
                            "its parent company or contact.",
                            child=partner.display_name,
                            parent=self.browse(min(related)).display_name,
                        )
                    )
        self._hygiene_merge_check_users(groups, all_ids)

    def _hygiene_merge_check_users(self, groups, all_ids):
        """Contacts of users: never two users on one contact; an employee's contact is merged
        away by administrators only."""
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, bool_or(NOT share) FROM res_users"
                " WHERE partner_id = ANY(%s) GROUP BY partner_id",
                all_ids,
            )
        )
        internal = set()
        with_user = set()
        for partner_id, is_internal in self.env.cr.fetchall():
            with_user.add(partner_id)
            if is_internal:
                internal.add(partner_id)
        is_admin = self.env.su or self.env.user.has_group("base.group_system")
        for survivor, sources, __ in groups:
            partners = survivor | sources
            ids = set(partners.ids)
            if len(ids & with_user) > 1:
                raise UserError(
                    self.env._(
                        "%(partners)s are each linked to a user: contacts linked to more than "
                        "one user cannot be merged (archived users included).",
                        partners=", ".join(
                            partners.filtered(lambda p: p.id in with_user).mapped("display_name")
                        ),
                    )
                )
            employee_sources = sources.filtered(lambda p: p.id in internal)
            if employee_sources and not is_admin:
                # the employee's user would follow the survivor (and its email, where a reset
                # link is sent): an administrator's decision, as in the core merge
                raise UserError(
                    self.env._(
                        "%(partners)s belong to an employee's user: only an administrator can "
                        "merge them into another contact.",
                        partners=", ".join(employee_sources.mapped("display_name")),
                    )
                )

    # ------------------------------------------------------------------ the merge

    def _hygiene_merge_groups(self, groups):
        """Merge ``groups`` (rights already checked): all or nothing."""
        self._hygiene_merge_check_groups(groups)
        # Privileged work from here: the user's rights on every partner were checked above.
        Partner = self.sudo().with_context(active_test=False)
        cr = self.env.cr
        self.env.flush_all()
        all_ids = [pid for s, srcs, __ in groups for pid in (s.id, *srcs.ids)]
        picked = {name for __, __, values in groups for name in values}
        snapshot = Partner._hygiene_merge_snapshot(all_ids, picked)
        rule = get_param(self.env, MERGE_SURVIVORSHIP)
        plans = []
        for survivor, sources, values in groups:
            vals, before = Partner._hygiene_survivor_values(
                survivor, sources, values, snapshot, rule
            )
            plans.append((survivor, sources, vals, before))
        restrictive = self._hygiene_merge_restrictive_states(groups)
        blacklisted = self._hygiene_merge_blacklisted(groups, snapshot)
        mapping = {src: survivor.id for survivor, sources, __ in groups for src in sources.ids}

        with cr.savepoint():  # rolled back as a whole on any refusal
            self.env.cr.execute(
                SQL(
                    "DELETE FROM hygiene_consent_state WHERE partner_id = ANY(%s)",
                    list(mapping),
                )
            )
            moved, removed, counts = Partner._hygiene_merge_repoint(mapping)
            self._hygiene_merge_archive(mapping)
            children = Partner.browse(
                {
                    rid
                    for by_src in moved.values()
                    for rid in by_src.get("res_partner.parent_id", [])
                }
            )
            Partner._hygiene_merge_recompute_children(children)
            company_values = Partner._hygiene_merge_company_values(groups, snapshot, rule)
            journal_vals = []
            to_write = defaultdict(lambda: self.browse())
            for survivor, sources, vals, before in plans:
                if vals:
                    to_write[tuple(sorted(vals.items()))] |= survivor
                journal_vals.append(
                    {
                        "survivor_id": survivor.id,
                        "user_id": self.env.uid,
                        "source_ids": [fields.Command.set(sources.ids)],
                        "before_values": {
                            "survivor": before,
                            "sources": {
                                str(src): {"active": snapshot[src]["active"]} for src in sources.ids
                            },
                            "company_dependent": company_values.get(survivor.id),
                        },
                        "moved_rows": {str(src): moved.get(src, {}) for src in sources.ids},
                        "removed_rows": [
                            row for src in sources.ids for row in removed.get(src, [])
                        ],
                        "counts": dict(
                            sum(
                                (counts.get(src, _Counter()) for src in sources.ids),
                                _Counter(),
                            )
                        ),
                    }
                )
            for items, survivors in to_write.items():
                # ORM write (one per distinct set of values): constraints, key refresh and
                # recomputations run as for a user edit.
                survivors.with_context(tracking_disable=True).write(dict(items))
            Partner._hygiene_sync_commercial_children(children, company_values)
            self.env.flush_all()
            consent_events = self._hygiene_merge_consents(groups, restrictive)
            self._hygiene_merge_apply_blacklist(groups, blacklisted)
            activity = self._hygiene_merge_activity(groups, snapshot)
            survivor_ids = [survivor.id for survivor, __, __ in groups]
            self.env["hygiene.partner.origin"]._update_partner_first_origin(survivor_ids)
            for vals, (survivor, __, __) in zip(journal_vals, groups, strict=True):
                vals["before_values"]["activity"] = activity.get(survivor.id)
                vals["consent_event_ids"] = [
                    fields.Command.set(consent_events.get(survivor.id, []))
                ]
            self._hygiene_sync_company_columns(survivor_ids)
            journals = self.env["hygiene.merge.journal"].sudo().create(journal_vals)
            self.env.flush_all()
        return journals.with_env(self.env)

    def _hygiene_sync_company_columns(self, partner_ids):
        """The company columns of the addon's records (read by the multi-company rules) follow
        their contact's company again after rows were re-pointed by SQL."""
        self.env.flush_all()
        for table in COMPANY_FOLLOWERS:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE %s AS t SET company_id = p.company_id
                      FROM res_partner p
                     WHERE p.id = t.partner_id AND p.id = ANY(%s)
                       AND t.company_id IS DISTINCT FROM p.company_id
                    """,
                    SQL.identifier(table),
                    list(partner_ids),
                )
            )
        for model in COMPANY_FOLLOWER_MODELS:
            self.env[model].invalidate_model(["company_id"])

    def _hygiene_merge_snapshot(self, partner_ids, picked=()):
        names = self._hygiene_survivorship_fields()
        picked = self._hygiene_picked_fields(names, picked)
        extra = [
            "write_date",
            "active",
            "email_normalized",
            "hygiene_source_id",
            "hygiene_last_activity_date",
            "hygiene_last_activity_source",
        ]
        rows = self.browse(partner_ids).read(names + extra + picked, load=False)
        source_ids = {row["hygiene_source_id"] for row in rows if row["hygiene_source_id"]}
        priorities = {
            source.id: source.priority
            for source in self.env["hygiene.source"].sudo().browse(source_ids)
        }
        snapshot = {}
        for row in rows:
            row["_filled"] = sum(1 for name in names if row[name])
            row["_priority"] = priorities.get(row["hygiene_source_id"], -1)
            snapshot[row["id"]] = row
        return snapshot

    def _hygiene_survivorship_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and field.compute is None
            and not field.company_dependent
            and field.type in SURVIVORSHIP_TYPES
            and name not in SURVIVORSHIP_EXCLUDED
            and not name.startswith("hygiene_")
        ]

    def _hygiene_survivorship_order(self, survivor, sources, snapshot, rule):
        """The snapshot rows of the group, the first to give its values first."""
        current = snapshot[survivor.id]
        source_rows = [snapshot[src] for src in sources.ids]
        recent = sorted(source_rows, key=lambda r: r["write_date"] or datetime.min, reverse=True)
        if rule == "most_recent":
            return [current, *recent]
        sort_key = "_filled" if rule == "most_complete" else "_priority"
        # stable sort: the survivor first, then the most recent sources, on ties
        return sorted([current, *recent], key=lambda r: r[sort_key], reverse=True)

    def _hygiene_survivor_values(self, survivor, sources, field_values, snapshot, rule):
        """Values to write on the survivor and its before-values, for the fields that change.

        ``most_recent``: the survivor keeps its non-empty values, empty ones come from the most
        recently written source that has one. ``most_complete`` / ``source_priority``: the first
        non-empty value in the partners ordered by number of filled fields / priority of their
        first source (the survivor first on ties). A non-empty value is never replaced by an
        empty one, except when the user picked it in ``field_values``.
        """
        current = snapshot[survivor.id]
        ordered = self._hygiene_survivorship_order(survivor, sources, snapshot, rule)
        vals, before = {}, {}
        names = self._hygiene_survivorship_fields()
        picked = self._hygiene_picked_fields(names, field_values)
        for name in names + picked:
            if name in field_values:
                value = field_values[name]
                if isinstance(value, models.BaseModel):
                    value = value.id
            else:
                value = next((row[name] for row in ordered if row[name]), current[name])
                if not value:
                    continue
            if name == "parent_id" and value in snapshot:
                continue  # never attach the survivor to one of the merged partners
            if value != current[name]:
                vals[name] = _jsonable(value)
                before[name] = _jsonable(current[name])
        return vals, before

    def _hygiene_picked_fields(self, names, picked):
        """The fields the user picked a value for that the survivorship rule does not cover
        (``names``); company-dependent ones are handled company by company."""
        return [
            name
            for name in picked
            if name not in names and not self._fields[name].company_dependent
        ]

    def _hygiene_company_dependent_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.company_dependent
            and field.store
            and field.column_type
            and name not in SURVIVORSHIP_EXCLUDED
            and not name.startswith("hygiene_")
        ]

    def _hygiene_merge_company_values(self, groups, snapshot, rule):
        """The survivors' company-dependent fields (jsonb ``{company id: value}``), company by
        company: a company the survivor has no value for (no key: the fallback applies, or a
        null) takes the value of the first source that has one, in the order of the
        survivorship rule; a value the survivor has is never replaced, except by a value the user
        picked in ``field_values``, which applies to the current company (a pick equal to that
        company's fallback removes the key, as the ORM does). One UPDATE per changed column for
        the whole batch. Returns {survivor id: {field: {"before": {key: value}, "after": {key:
        value}}}} with only the changed company keys (a key absent from "before" did not exist,
        from "after" was removed), for the journal and its undo.
        """
        names = self._hygiene_company_dependent_fields()
        if not names:
            return {}
        cr = self.env.cr
        all_ids = [pid for s, srcs, __ in groups for pid in (s.id, *srcs.ids)]
        self.env.flush_all()
        cr.execute(
            SQL(
                "SELECT id, %s FROM res_partner WHERE id = ANY(%s)",
                SQL(", ").join(SQL.identifier(name) for name in names),
                all_ids,
            )
        )
        raw = {row[0]: dict(zip(names, row[1:], strict=True)) for row in cr.fetchall()}
        company_key = str(self.env.company.id)
        fallbacks = {}
        updates = defaultdict(dict)
        result = defaultdict(dict)
        missing = object()
        for survivor, sources, values in groups:
            ordered = [
                row["id"]
                for row in self._hygiene_survivorship_order(survivor, sources, snapshot, rule)
                if row["id"] != survivor.id
            ]
            for name in names:
                current = raw[survivor.id][name] or {}
                new = dict(current)
                for src in ordered:
                    for key, value in (raw[src][name] or {}).items():
                        if value is not None and new.get(key) is None:
                            new[key] = value
                if name in values:
                    value = values[name]
                    if isinstance(value, models.BaseModel):
                        value = value.id
                    value = _jsonable(self._fields[name].convert_to_column(value, survivor))
                    if name not in fallbacks:
                        fallbacks[name] = json.loads(
                            self.env["ir.default"]._get_field_column_fallbacks(self._name, name)
                        )
                    if value == fallbacks[name].get(company_key):
                        new.pop(company_key, None)
                    else:
                        new[company_key] = value
                changed = {
                    key
                    for key in new.keys() | current.keys()
                    if new.get(key, missing) != current.get(key, missing)
                }
                if not changed:
                    continue
                updates[name][survivor.id] = new
                result[survivor.id][name] = {
                    "before": {key: current[key] for key in changed if key in current},
                    "after": {key: new[key] for key in changed if key in new},
                }
        for name, by_survivor in updates.items():
            cr.execute(
                SQL(
                    """
                    UPDATE res_partner AS p SET %s = NULLIF(v.val, '{}'::jsonb)
                      FROM unnest(%s::int[], %s::jsonb[]) AS v(id, val)
                     WHERE p.id = v.id
                    """,
                    SQL.identifier(name),
                    list(by_survivor),
                    [json.dumps(value) for value in by_survivor.values()],
                )
            )
        if updates:
            changed_partners = self.browse(list(result))
            changed_partners.invalidate_recordset(list(updates))
            changed_partners.modified(list(updates))
        return dict(result)

    # ------------------------------------------------------------------ re-pointing

    def _hygiene_merge_targets(self):
        """Every column pointing to partners: foreign keys found in pg_constraint, the
        reference-style columns of the core wizard and of any many2one_reference field, and
        stored reference fields."""
        self.env.cr.execute(
            SQL(
                """
                SELECT cl.relname, att.attname,
                       EXISTS(SELECT 1 FROM pg_attribute a
                               WHERE a.attrelid = cl.oid AND a.attname = 'id'
                                 AND NOT a.attisdropped),
                       (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped)
                  FROM pg_constraint con
                  JOIN pg_class cl ON cl.oid = con.conrelid
                  JOIN pg_attribute att ON att.attrelid = con.conrelid
                                       AND att.attnum = con.conkey[1]
                 WHERE con.contype = 'f'
                   AND con.confrelid = %s::regclass
                   AND array_length(con.conkey, 1) = 1
              ORDER BY cl.relname, att.attname
                """,
                self._table,
            )
        )
        transient = set()
        for model in self.env.registry.values():
            if model._transient:
                transient.add(model._table)
                transient.update(
                    field.relation
                    for field in model._fields.values()
                    if field.type == "many2many" and field.store
                )
        targets = []
        for table, column, has_id, ncols in self.env.cr.fetchall():
            # Wizards are transient: re-pointing them is wasted work.
            if (table, column) in REPOINT_EXCLUDED or table in transient:
                continue
            is_link = (not has_id and ncols == 2) or table in LINK_TABLES
            targets.append(MergeTarget("fk", table, column, has_id=has_id, is_link=is_link))
        refs = {(table, model_col, col) for table, model_col, col in REFERENCE_COLUMNS}
        for model in self.env.registry.values():
            if model._abstract or model._transient or not model._auto:
                continue
            for field in model._fields.values():
                if not field.store or field.compute is not None:
                    continue
                if field.type == "many2one_reference":
                    model_field = model._fields.get(field.model_field)
                    if model_field and model_field.store:
                        refs.add((model._table, field.model_field, field.name))
                elif field.type == "reference":
                    targets.append(MergeTarget("reference", model._table, field.name))
        existing = self._hygiene_existing_tables({table for table, __, __ in refs})
        for table, model_col, col in sorted(refs):
            if table in existing:
                targets.append(
                    MergeTarget("ref", table, col, model_col, is_link=table in LINK_TABLES)
                )
        return targets + self._hygiene_merge_company_targets()

    def _hygiene_merge_company_targets(self):
        """Company-dependent many2one fields of any model (jsonb {company: partner id}), and
        their fallback values in ir_default, as the core wizard does."""
        columns = set()
        for field in self.env.registry.many2one_company_dependents[self._name]:
            model = self.env.get(field.model_name)
            if model is None or model._abstract or model._transient or not model._auto:
                continue
            if field.store and field.column_type:
                columns.add((model._table, field.name))
        targets = [MergeTarget("company", table, column) for table, column in sorted(columns)]
        targets.append(MergeTarget("default", "ir_default", "json_value"))
        return targets

    def _hygiene_existing_tables(self, tables):
        self.env.cr.execute(
            SQL(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
                sorted(tables),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _hygiene_merge_repoint(self, mapping):
        """Re-point every row referencing a key of ``mapping`` ({source id: survivor id}).

        One UPDATE per column for all sources, each in a savepoint. Returns
        ``moved`` {source: {"table.column": [row ids, or rows of id-less link tables]}},
        ``removed`` {source: [redundant link rows deleted, with their dependent rows]} and
        ``counts`` {source: Counter("table.column")}.
        """
        cr = self.env.cr
        moved = defaultdict(dict)
        removed = defaultdict(list)
        counts = defaultdict(_Counter)
        srcs, dsts = list(mapping), [mapping[src] for src in mapping]
        map_sql = SQL("unnest(%s::int[], %s::int[]) AS m(src, dst)", srcs, dsts)
        for target in self._hygiene_merge_targets():
            if target.kind in ("company", "default"):
                for src, value in self._hygiene_merge_repoint_jsonb(target, srcs, dsts):
                    moved[src].setdefault(target.key, []).append(value)
                    counts[src][target.key] += 1
                continue
            table = SQL.identifier(target.table)
            returning = (
                SQL("m.src, t.id")
                if target.has_id
                else SQL("m.src, to_jsonb(t) - %s", target.column)
            )
            query = SQL(
                "UPDATE %s AS t SET %s = %s FROM %s WHERE %s RETURNING %s",
                table,
                SQL.identifier(target.column),
                target.value_sql(SQL("m.dst")),
                map_sql,
                target.where_sql("t", SQL("m.src")),
                returning,
            )
            for _attempt in range(5):
                try:
                    with mute_logger("odoo.sql_db"), cr.savepoint(flush=False):
                        cr.execute(query)
                        rows = cr.fetchall()
                    break
                except psycopg2.errors.UniqueViolation as error:
                    constraint = error.diag.constraint_name
                    if not target.is_link:
                        raise UserError(
                            self.env._(
                                "The merge is refused: moving the rows of table %(table)s "
                                "(column %(column)s) to the surviving contact would break the "
                                "unique constraint %(constraint)s. Resolve the conflicting "
                                "records first; nothing was changed.",
                                table=target.table,
                                column=target.column,
                                constraint=constraint,
                            )
                        ) from None
                    twins = self._hygiene_merge_remove_twins(target, constraint, srcs, dsts)
                    for src, row in twins:
                        removed[src].append(row)
                        counts[src][f"{target.key} (redundant, removed)"] += 1
                except psycopg2.IntegrityError as error:
                    raise UserError(
                        self.env._(
                            "The merge is refused: moving the rows of table %(table)s (column "
                            "%(column)s) breaks a database constraint (%(error)s). Nothing was "
                            "changed.",
                            table=target.table,
                            column=target.column,
                            error=error.diag.message_primary,
                        )
                    ) from None
            else:
                raise UserError(
                    self.env._(
                        "The merge is refused: the rows of table %(table)s (column %(column)s) "
                        "keep conflicting with the surviving contact's.",
                        table=target.table,
                        column=target.column,
                    )
                )
            for src, value in rows:
                moved[src].setdefault(target.key, []).append(value)
                counts[src][target.key] += 1
        self.env.invalidate_all(flush=False)
        return moved, removed, counts

    def _hygiene_merge_repoint_jsonb(self, target, srcs, dsts):
        """Re-point a "company" or "default" target with one UPDATE for the whole batch.

        Returns [(source id, journal value)]: ``[row id, company key]`` per company value moved
        for a "company" column (one row may point to several sources, one per company), the
        ``ir_default`` id for a fallback value.
        """
        cr = self.env.cr
        if target.kind == "default":
            cr.execute(
                SQL(
                    """
                    UPDATE ir_default AS d SET json_value = m.dst::text
                      FROM unnest(%s::int[], %s::int[]) AS m(src, dst), ir_model_fields AS f
                     WHERE f.id = d.field_id AND f.company_dependent AND f.ttype = 'many2one'
                       AND f.relation = %s AND d.json_value = m.src::text
                 RETURNING m.src, d.id
                    """,
                    srcs,
                    dsts,
                    self._name,
                )
            )
            rows = cr.fetchall()
            if rows:
                self.env.registry.clear_cache()  # ir.default's cached fallbacks
            return rows
        table = SQL.identifier(target.table)
        column = SQL.identifier(target.column)
        # Only the company keys holding a source change: t.col || {key: survivor, ...}.
        cr.execute(
            SQL(
                """
                UPDATE %(table)s AS t SET %(column)s = t.%(column)s || h.patch
                  FROM (SELECT r.id, jsonb_object_agg(e.key, m.dst) AS patch,
                               jsonb_agg(jsonb_build_array(m.src, e.key)) AS hits
                          FROM %(table)s AS r
                         CROSS JOIN LATERAL jsonb_each_text(r.%(column)s) AS e
                          JOIN unnest(%(srcs)s::int[], %(dsts)s::int[]) AS m(src, dst)
                            ON e.value = m.src::text
                         WHERE r.%(column)s IS NOT NULL
                      GROUP BY r.id) AS h
                 WHERE t.id = h.id
             RETURNING t.id, h.hits
                """,
                table=table,
                column=column,
                srcs=srcs,
                dsts=dsts,
            )
        )
        return [(src, [row_id, key]) for row_id, hits in cr.fetchall() for src, key in hits]

    def _hygiene_unique_columns(self, table, constraint):
        self.env.cr.execute(
            SQL(
                """
                SELECT a.attname
                  FROM pg_index i
                  JOIN pg_class ic ON ic.oid = i.indexrelid
                  CROSS JOIN LATERAL unnest(i.indkey) AS k(attnum)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                 WHERE ic.relname = %s AND i.indrelid = %s::regclass
                """,
                constraint,
                table,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _hygiene_merge_remove_twins(self, target, constraint, srcs, dsts):
        """Delete the link rows of sources that already exist on their survivor (or twice among
        the sources of one group); return [(source id, {"table", "row", "dependents"})]."""
        cr = self.env.cr
        map_sql = SQL("unnest(%s::int[], %s::int[]) AS m(src, dst)", srcs, dsts)
        others = [
            col
            for col in self._hygiene_unique_columns(target.table, constraint)
            if col != target.column
        ]
        if not others:
            raise UserError(
                self.env._(
                    "The merge is refused: unexpected unique constraint %(constraint)s on table "
                    "%(table)s.",
                    constraint=constraint,
                    table=target.table,
                )
            )
        table = SQL.identifier(target.table)
        same = SQL(" AND ").join(
            SQL("%s = %s", SQL.identifier("r2", col), SQL.identifier("r", col)) for col in others
        )
        # Two EXISTS rather than one with an OR, so that each can use the indexes: a twin on the
        # survivor, or a twin on another source of the same group with a smaller id (one kept).
        twin = SQL(
            """
            (EXISTS (SELECT 1 FROM %(table)s AS r2 WHERE %(same)s AND %(r2_is_dst)s)
             OR EXISTS (SELECT 1 FROM %(table)s AS r2
                          JOIN unnest(%(srcs)s::int[], %(dsts)s::int[]) AS m2(src, dst)
                            ON %(r2_is_m2)s
                         WHERE %(same)s AND m2.dst = m.dst AND %(r2_before_r)s))
            """,
            table=table,
            srcs=srcs,
            dsts=dsts,
            r2_is_m2=target.where_sql("r2", SQL("m2.src")),
            same=same,
            r2_is_dst=target.where_sql("r2", SQL("m.dst")),
            r2_before_r=SQL(
                "%s < %s", SQL.identifier("r2", target.column), SQL.identifier("r", target.column)
            ),
        )
        result = []
        if not target.has_id:
            cr.execute(
                SQL(
                    "DELETE FROM %s AS r USING %s WHERE %s AND %s RETURNING m.src, to_jsonb(r)",
                    table,
                    map_sql,
                    target.where_sql("r", SQL("m.src")),
                    twin,
                )
            )
            return [
                (src, {"table": target.table, "row": row, "dependents": {}})
                for src, row in cr.fetchall()
            ]
        cr.execute(
            SQL(
                "SELECT r.id, m.src FROM %s AS r JOIN %s ON %s WHERE %s",
                table,
                map_sql,
                target.where_sql("r", SQL("m.src")),
                twin,
            )
        )
        src_by_id = dict(cr.fetchall())
        if not src_by_id:
            return []
        ids = list(src_by_id)
        # Rows that cascade with the link (a follower's subtypes) are kept for the undo too.
        dependents = defaultdict(lambda: defaultdict(list))
        for dep_table, dep_column in self._hygiene_referencing(target.table):
            cr.execute(
                SQL(
                    "SELECT %s, to_jsonb(d) FROM %s AS d WHERE %s = ANY(%s)",
                    SQL.identifier("d", dep_column),
                    SQL.identifier(dep_table),
                    SQL.identifier("d", dep_column),
                    ids,
                )
            )
            for parent_id, row in cr.fetchall():
                dependents[parent_id][dep_table].append(row)
        cr.execute(
            SQL("DELETE FROM %s AS r WHERE r.id = ANY(%s) RETURNING r.id, to_jsonb(r)", table, ids)
        )
        for row_id, row in cr.fetchall():
            result.append(
                (
                    src_by_id[row_id],
                    {
                        "table": target.table,
                        "row": row,
                        "dependents": dict(dependents.get(row_id, {})),
                    },
                )
            )
        return result

    def _hygiene_referencing(self, table):
        self.env.cr.execute(
            SQL(
                """
                SELECT cl.relname, att.attname
                  FROM pg_constraint con
                  JOIN pg_class cl ON cl.oid = con.conrelid
                  JOIN pg_attribute att ON att.attrelid = con.conrelid
                                       AND att.attnum = con.conkey[1]
                 WHERE con.contype = 'f' AND con.confrelid = %s::regclass
                   AND array_length(con.conkey, 1) = 1
                """,
                table,
            )
        )
        return self.env.cr.fetchall()

    def _hygiene_merge_archive(self, mapping):
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET active = FALSE, hygiene_merged_into_id = m.dst,
                       write_uid = %s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::int[]) AS m(src, dst)
                 WHERE p.id = m.src
                """,
                self.env.uid,
                list(mapping),
                list(mapping.values()),
            )
        )
        self.browse(list(mapping)).invalidate_recordset(
            ["active", "hygiene_merged_into_id", "write_uid", "write_date"]
        )

    def _hygiene_sync_commercial_children(self, moved, company_values):
        """Commercial fields (VAT, industry, payment terms, accounts, pricelist...) follow the
        commercial partner again where the merge or its undo changed them in SQL, as the core
        does when a parent changes: ``moved`` (children whose parent the merge or undo moved)
        take their new commercial partner's values in every company, and the contacts under a
        partner of ``company_values`` ({partner id: {field: {"after": {company id: value}}}},
        as journaled) take its company-dependent values in the companies that changed.
        Children's commercial fields only mirror their commercial partner: they are derived
        again rather than journaled."""
        for child in moved.exists().with_context(tracking_disable=True):
            child._commercial_sync_from_company()
        dependent = set(self._company_dependent_commercial_fields())
        for partner_id, changes in (company_values or {}).items():
            names = sorted(dependent & changes.keys())
            entity = self.browse(int(partner_id)).with_context(tracking_disable=True)
            if not names or entity.commercial_partner_id != entity:
                continue
            company_ids = {
                int(key)
                for name in names
                for part in ("before", "after")
                for key in (changes[name].get(part) or {})
            }
            for company in self.env["res.company"].sudo().browse(company_ids).exists():
                entity.with_company(company)._commercial_sync_to_children(names)

    def _hygiene_merge_recompute_children(self, children):
        """Children moved by SQL: recompute their commercial partner (and their own children's)."""
        if not children:
            return
        self.env.invalidate_all(flush=False)
        children.modified(["parent_id"])
        self.env.flush_all()

    # ------------------------------------------------------------------ consents & co

    def _hygiene_merge_restrictive_states(self, groups):
        """{survivor id: {purpose: state}} of the partners before the merge (only groups with
        consent states, so that a batch without consents costs one query)."""
        all_ids = [pid for s, srcs, __ in groups for pid in (s.id, *srcs.ids)]
        States = self.env["hygiene.consent.state"].sudo()
        with_states = set(States.search([("partner_id", "in", all_ids)]).mapped("partner_id").ids)
        result = {}
        for survivor, sources, __ in groups:
            partners = survivor | sources
            if with_states & set(partners.ids):
                result[survivor.id] = States._most_restrictive_states(partners)
        return result

    def _hygiene_merge_consents(self, groups, restrictive):
        """Recompute the survivors' states from their (re-pointed) events, then append a
        withdrawal or refusal where a partner had one that the survivor's state lost. Never a
        grant: the ledger only carries over what the person said."""
        Consent = self.env["hygiene.consent"].sudo()
        survivors = [survivor.id for survivor, __, __ in groups if survivor.id in restrictive]
        if not survivors:
            return {}
        events = Consent.search([("partner_id", "in", survivors)])
        self.env["hygiene.consent.state"].sudo()._update_from_events(events)
        States = self.env["hygiene.consent.state"].sudo()
        current = {
            (state.partner_id.id, state.purpose_id.id): state.state
            for state in States.search([("partner_id", "in", survivors)])
        }
        action_by_state = {"withdrawn": "withdraw", "refused": "refuse"}
        vals_list = []
        for survivor_id in survivors:
            for purpose, state in restrictive[survivor_id].items():
                now_state = current.get((survivor_id, purpose.id))
                if state in action_by_state and (
                    RESTRICTION_RANK[now_state] < RESTRICTION_RANK[state]
                ):
                    vals_list.append(
                        {
                            "partner_id": survivor_id,
                            "purpose_id": purpose.id,
                            "action": action_by_state[state],
                            "channel": "other",
                            "note": (
                                self.env._(
                                    "Carried over by a merge: a merged record of this person "
                                    "had withdrawn this purpose."
                                )
                                if state == "withdrawn"
                                else self.env._(
                                    "Carried over by a merge: a merged record of this person "
                                    "had refused this purpose."
                                )
                            ),
                        }
                    )
        created = defaultdict(list)
        if vals_list:
            # As the user: the ledger records who applied the restriction.
            for event in self.env["hygiene.consent"].create(vals_list):
                created[event.partner_id.id].append(event.id)
        return created

    def _hygiene_merge_blacklisted(self, groups, snapshot):
        emails = {
            snapshot[src]["email_normalized"]
            for __, sources, __ in groups
            for src in sources.ids
            if snapshot[src]["email_normalized"]
        }
        if not emails:
            return set()
        return set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", list(emails)), ("active", "=", True)])
            .mapped("email")
        )

    def _hygiene_merge_apply_blacklist(self, groups, blacklisted):
        """An address blacklisted on a source blacklists the survivor's address too."""
        if not blacklisted:
            return
        Blacklist = self.env["mail.blacklist"].sudo()
        for survivor, sources, __ in groups:
            source_emails = set(sources.mapped("email_normalized")) & blacklisted
            email = survivor.email_normalized
            if (
                source_emails
                and email
                and not Blacklist.search_count([("email", "=", email), ("active", "=", True)])
            ):
                Blacklist._add(
                    email,
                    message=self.env._(
                        "Carried over by a merge: a merged record of this person was blacklisted."
                    ),
                )

    def _hygiene_merge_activity(self, groups, snapshot):
        """Last activity = the latest of the group; returns {survivor: before/after} for undo."""
        events, result = [], {}
        for survivor, sources, __ in groups:
            before = snapshot[survivor.id]
            best = max(
                (
                    snapshot[src]
                    for src in sources.ids
                    if snapshot[src]["hygiene_last_activity_date"]
                ),
                key=lambda row: row["hygiene_last_activity_date"],
                default=None,
            )
            if best and (
                not before["hygiene_last_activity_date"]
                or best["hygiene_last_activity_date"] > before["hygiene_last_activity_date"]
            ):
                events.append(
                    (
                        survivor.id,
                        best["hygiene_last_activity_date"],
                        best["hygiene_last_activity_source"],
                    )
                )
                result[survivor.id] = {
                    "before": [
                        _jsonable(before["hygiene_last_activity_date"]),
                        before["hygiene_last_activity_source"],
                    ],
                    "after": [
                        _jsonable(best["hygiene_last_activity_date"]),
                        best["hygiene_last_activity_source"],
                    ],
                }
        self.env["res.partner"]._hygiene_register_activities(events)
        return result


class _Counter(dict):
    """A tiny Counter that stays a plain dict (JSON) and adds with ``+``."""

    def __missing__(self, key):
        return 0

    def __add__(self, other):
        result = _Counter(self)
        for key, value in other.items():
            result[key] += value
        return result
