"""What a merge keeps: the survivorship of the values, the company-dependent values, and the
carry-over of consents, blacklist and last activity (service ``hygiene.merge.engine``, continued
from ``hygiene_merge_engine.py``)."""

import json
import logging
from collections import defaultdict
from datetime import date, datetime

from odoo import fields, models
from odoo.models import MAGIC_COLUMNS
from odoo.tools import SQL

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


def _jsonable(value):
    if isinstance(value, datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, date):
        return fields.Date.to_string(value)
    return value


class HygieneMergeEngine(models.AbstractModel):
    _inherit = "hygiene.merge.engine"

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
        rows = self.env["res.partner"].browse(partner_ids).read(names + extra + picked, load=False)
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
            for name, field in self.env["res.partner"]._fields.items()
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

    def _hygiene_merge_written_values(self, journal_vals):
        """{survivor id: {field: value}}: what the merge left in each survivor's fields it
        changed, read back after its write (a write may normalise a value), in one read for
        the batch. The undo gives a field its value from before the merge only while it still
        holds this one: a value changed since, a rectification, is kept."""
        changed = {
            vals["survivor_id"]: list(vals["before_values"]["survivor"])
            for vals in journal_vals
            if vals["before_values"]["survivor"]
        }
        if not changed:
            return {}
        names = list(dict.fromkeys(name for names in changed.values() for name in names))
        # the user's right to write these contacts was checked before the merge
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        rows = partners.browse(list(changed)).read(names, load=False)
        return {
            row["id"]: {name: _jsonable(row[name]) for name in changed[row["id"]]} for row in rows
        }

    def _hygiene_picked_fields(self, names, picked):
        """The fields the user picked a value for that the survivorship rule does not cover
        (``names``); company-dependent ones are handled company by company."""
        return [
            name
            for name in picked
            if name not in names and not self.env["res.partner"]._fields[name].company_dependent
        ]

    def _hygiene_company_dependent_fields(self):
        return [
            name
            for name, field in self.env["res.partner"]._fields.items()
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
                    self._hygiene_pick_company_value(new, name, values[name], survivor, fallbacks)
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
        self._hygiene_write_company_values(updates)
        return dict(result)

    def _hygiene_pick_company_value(self, new, name, value, survivor, fallbacks):
        """Put in ``new`` (the jsonb value of ``name``) the value the user picked, for the
        current company: a pick equal to that company's fallback removes the key."""
        company_key = str(self.env.company.id)
        if isinstance(value, models.BaseModel):
            value = value.id
        value = _jsonable(self.env["res.partner"]._fields[name].convert_to_column(value, survivor))
        if name not in fallbacks:
            fallbacks[name] = json.loads(
                self.env["ir.default"]._get_field_column_fallbacks("res.partner", name)
            )
        if value == fallbacks[name].get(company_key):
            new.pop(company_key, None)
        else:
            new[company_key] = value

    def _hygiene_write_company_values(self, updates):
        """One UPDATE per company-dependent column: ``updates`` {field: {partner id: jsonb}}."""
        for name, by_survivor in updates.items():
            self.env.cr.execute(
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
            partner_ids = {pid for by_survivor in updates.values() for pid in by_survivor}
            changed_partners = self.env["res.partner"].browse(sorted(partner_ids))
            changed_partners.invalidate_recordset(list(updates))
            changed_partners.modified(list(updates))

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
