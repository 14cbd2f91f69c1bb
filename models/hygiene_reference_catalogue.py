"""The catalogue of the columns that point to contacts, and their re-pointing.

Service ``hygiene.reference.catalogue``: every foreign key to ``res_partner`` read from
``pg_constraint``, the reference-style columns (model + id), the ``"res.partner,ID"`` strings and
the company-dependent many2one values (jsonb, ``ir_default``), each described by a
:class:`MergeTarget`. The merge re-points them (one UPDATE per column for all the sources, with
the rows that would become twins removed and journaled), its undo puts them back, and the
retention engine uses the catalogue to know whether a contact is still referenced.
"""

import logging
from collections import Counter, defaultdict

import psycopg2

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

_logger = logging.getLogger(__name__)

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
        # derived scores and memberships (issue 18): the survivor's are recomputed, the
        # sources' rows dropped (their segment exit is logged "merged")
        ("hygiene_partner_score", "partner_id"),
        ("hygiene_segment_member", "partner_id"),
    }
)
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


class HygieneReferenceCatalogue(models.AbstractModel):
    _name = "hygiene.reference.catalogue"
    _description = "Columns Referencing Contacts"

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
                "res_partner",
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
        targets += self._hygiene_registry_references(refs)
        existing = self._hygiene_existing_tables({table for table, __, __ in refs})
        for table, model_col, col in sorted(refs):
            if table in existing:
                targets.append(
                    MergeTarget("ref", table, col, model_col, is_link=table in LINK_TABLES)
                )
        return targets + self._hygiene_merge_company_targets()

    def _hygiene_registry_references(self, refs):
        """The stored reference fields of the registry as targets; the stored
        many2one_reference fields added to ``refs`` (table, model column, id column)."""
        targets = []
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
        return targets

    def _hygiene_merge_company_targets(self):
        """Company-dependent many2one fields of any model (jsonb {company: partner id}), and
        their fallback values in ir_default, as the core wizard does."""
        columns = set()
        for field in self.env.registry.many2one_company_dependents["res.partner"]:
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
        moved = defaultdict(dict)
        removed = defaultdict(list)
        counts = defaultdict(Counter)
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
            rows = self._hygiene_repoint_column(target, query, srcs, dsts, removed, counts)
            for src, value in rows:
                moved[src].setdefault(target.key, []).append(value)
                counts[src][target.key] += 1
        self.env.invalidate_all(flush=False)
        return moved, removed, counts

    def _hygiene_repoint_column(self, target, query, srcs, dsts, removed, counts):
        """Run the re-pointing ``query`` of ``target`` in a savepoint; a unique conflict on a link
        table removes the sources' twin rows (into ``removed``) and retries; any other conflict
        refuses the merge. Returns the rows the query returned."""
        cr = self.env.cr
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
        return rows

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
                    "res.partner",
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
        twin = self._hygiene_twin_sql(target, others, srcs, dsts)
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
        dependents = self._hygiene_dependent_rows(target.table, ids)
        cr.execute(
            SQL("DELETE FROM %s AS r WHERE r.id = ANY(%s) RETURNING r.id, to_jsonb(r)", table, ids)
        )
        return [
            (
                src_by_id[row_id],
                {"table": target.table, "row": row, "dependents": dict(dependents.get(row_id, {}))},
            )
            for row_id, row in cr.fetchall()
        ]

    def _hygiene_twin_sql(self, target, others, srcs, dsts):
        """Condition "row ``r`` of ``target`` (a source's, mapped by ``m``) has a twin": the
        same values in the ``others`` columns on the survivor, or on another source of the same
        group with a smaller id (one is kept)."""
        table = SQL.identifier(target.table)
        same = SQL(" AND ").join(
            SQL("%s = %s", SQL.identifier("r2", col), SQL.identifier("r", col)) for col in others
        )
        # Two EXISTS rather than one with an OR, so that each can use the indexes: a twin on the
        # survivor, or a twin on another source of the same group with a smaller id (one kept).
        return SQL(
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

    def _hygiene_dependent_rows(self, table, ids):
        """{row id: {table: [rows]}}: the rows that cascade with the rows ``ids`` of ``table``
        (a follower's subtypes), kept for the undo too."""
        cr = self.env.cr
        dependents = defaultdict(lambda: defaultdict(list))
        for dep_table, dep_column in self._hygiene_referencing(table):
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
        return dependents

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

    def _hygiene_key_label(self, key):
        """``table.column`` of a merge's counts said as a reader knows it: the model and the
        field, in the reader's language, the technical key after them. A many2many's table,
        of no model, is said by the many2many field that reads it (the group's contacts,
        the contact's tags); a table of neither keeps its key alone."""
        table, __, rest = key.partition(".")
        column, __, note = rest.partition(" ")
        note = " " + self.env._("(redundant, removed)") if note else ""
        models_of = {model._table: model for model in self.env.registry.values()}
        model = models_of.get(table)
        if model is not None and not model._abstract:
            field = model._fields.get(column)
        else:
            model, field = self._hygiene_relation_field(table, column)
            if model is None:
                return f"{table}.{column}{note}"
        IrModel = self.env["ir.model"].sudo()
        label = IrModel._get(model._name).name or model._description
        if field is not None:
            field_label = self.env["ir.model.fields"].sudo()._get(model._name, field.name)
            label += " › " + (field_label.field_description or field.string)
        return f"{label}{note} ({table}.{column})"

    def _hygiene_relation_field(self, table, column):
        """The stored many2many reading ``table``, its ``column`` on the far side (the one
        the merge moved) preferred: (model, field), or (None, None)."""
        found = []
        for model in self.env.registry.values():
            if model._abstract:
                continue
            for field in model._fields.values():
                if field.type == "many2many" and field.store and field.relation == table:
                    if column in (field.column1, field.column2):
                        found.append((field.column2 != column, model._name, model, field))
        if not found:
            return None, None
        __, __, model, field = min(found, key=lambda item: item[:2])
        return model, field
