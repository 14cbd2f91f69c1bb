"""The merge engine: N contacts into one, set-based, journaled and reversible.

Service ``hygiene.merge.engine``; the entry points stay on ``res.partner`` (``_hygiene_merge``,
``_hygiene_merge_batch``). This file holds the checks and the orchestration of a merge, the
archive of the sources and the commercial sync; the values the survivor keeps and what is carried
over (consents, blacklist, last activity) are in ``hygiene_merge_values.py``, the re-pointing of
the references in ``hygiene_reference_catalogue.py``, the journal in
``hygiene_merge_journal.py`` and its undo in ``hygiene_merge_undo.py``.
"""

import logging
from collections import Counter, defaultdict

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..const import GROUP_STEWARD, MERGE_SURVIVORSHIP, get_param

_logger = logging.getLogger(__name__)

# Tables whose company column follows their partner_id's company (multi-company rules).
COMPANY_FOLLOWER_MODELS = (
    "hygiene.consent",
    "hygiene.consent.state",
    "hygiene.partner.origin",
    "hygiene.repermission",
)
COMPANY_FOLLOWERS = tuple(model.replace(".", "_") for model in COMPANY_FOLLOWER_MODELS)


class HygieneMergeEngine(models.AbstractModel):
    _name = "hygiene.merge.engine"
    _description = "Contact Merge Engine"

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
            journals = self._hygiene_merge_groups(groups)
        else:
            outcome = self._hygiene_isolated(
                groups, self._hygiene_merge_groups, errors=UserError, label="merge batch"
            )
            refused += [(group[0], group[1], str(error)) for group, error in outcome["failed"]]
            journals = self.env["hygiene.merge.journal"]
            for __, chunk_journals in outcome["ok"]:
                journals |= chunk_journals
        if journals:  # the before/after of the merge, linked to its journals
            self.env["hygiene.kpi.snapshot"]._hygiene_after_operation("merge", journals)
        return journals

    def _hygiene_merge_check_rights(self, groups):
        if not self.env.user.has_group(GROUP_STEWARD):
            raise AccessError(self.env._("Only data stewards can merge contacts."))
        ids = {pid for survivor, sources, __ in groups for pid in survivor._ids + sources._ids}
        self.env["res.partner"].browse(ids).with_context(active_test=False).check_access("write")

    def _hygiene_merge_check_groups(self, groups):
        seen = set()
        for survivor, sources, values in groups:
            self._hygiene_merge_check_group(survivor, sources)
            # a restriction of processing (Art. 18) holds: no merge (issue 17)
            self.env["res.partner"]._hygiene_privacy_check_merge(survivor | sources)
            ids = {survivor.id, *sources.ids}
            if ids & seen:
                raise UserError(self.env._("A contact cannot be in two merges of one batch."))
            seen |= ids
            unknown = set(values) - set(self.env["res.partner"]._fields)
            if unknown:
                raise UserError(
                    self.env._(
                        "Unknown contact fields: %(fields)s.", fields=", ".join(sorted(unknown))
                    )
                )
        all_ids = list(seen)
        self._hygiene_merge_check_parents(groups, all_ids)
        self._hygiene_merge_check_users(groups, all_ids)

    def _hygiene_merge_check_group(self, survivor, sources):
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

    def _hygiene_merge_check_parents(self, groups, all_ids):
        """Refuse a group holding a contact and one of its parents."""
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
                            parent=self.env["res.partner"].browse(min(related)).display_name,
                        )
                    )

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

    def _hygiene_merge_groups(self, groups):
        """Merge ``groups`` (rights already checked): all or nothing."""
        self._hygiene_merge_check_groups(groups)
        # Privileged work from here: the user's rights on every partner were checked above.
        engine = self.sudo().with_context(active_test=False)
        cr = self.env.cr
        self.env.flush_all()
        all_ids = [pid for s, srcs, __ in groups for pid in (s.id, *srcs.ids)]
        picked = {name for __, __, values in groups for name in values}
        snapshot = engine._hygiene_merge_snapshot(all_ids, picked)
        rule = get_param(self.env, MERGE_SURVIVORSHIP)
        plans = []
        for survivor, sources, values in groups:
            vals, before = engine._hygiene_survivor_values(
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
            moved, removed, counts = engine.env[
                "hygiene.reference.catalogue"
            ]._hygiene_merge_repoint(mapping)
            self._hygiene_merge_archive(mapping)
            children = engine.env["res.partner"].browse(
                {
                    rid
                    for by_src in moved.values()
                    for rid in by_src.get("res_partner.parent_id", [])
                }
            )
            engine._hygiene_merge_recompute_children(children)
            company_values = engine._hygiene_merge_company_values(groups, snapshot, rule)
            repointed = (moved, removed, counts)
            journal_vals = [
                self._hygiene_merge_journal_vals(plan, snapshot, company_values, repointed)
                for plan in plans
            ]
            to_write = defaultdict(lambda: self.env["res.partner"].browse())
            for survivor, __, vals, __ in plans:
                if vals:
                    to_write[tuple(sorted(vals.items()))] |= survivor
            for items, survivors in to_write.items():
                # ORM write (one per distinct set of values): constraints, key refresh and
                # recomputations run as for a user edit.
                survivors.with_context(tracking_disable=True).write(dict(items))
            engine._hygiene_sync_commercial_children(children, company_values)
            self.env.flush_all()
            journals = self._hygiene_merge_carry_over(
                groups, restrictive, blacklisted, snapshot, journal_vals
            )
        return journals.with_env(self.env)

    def _hygiene_merge_carry_over(self, groups, restrictive, blacklisted, snapshot, journal_vals):
        """Consents, blacklist, last activity and first origin onto the survivors, then the
        journals (created privileged: the user's rights were checked before the merge)."""
        consent_events = self._hygiene_merge_consents(groups, restrictive)
        self._hygiene_merge_apply_blacklist(groups, blacklisted)
        activity = self._hygiene_merge_activity(groups, snapshot)
        survivor_ids = [survivor.id for survivor, __, __ in groups]
        self.env["hygiene.partner.origin"]._update_partner_first_origin(survivor_ids)
        written = self._hygiene_merge_written_values(journal_vals)
        for vals, (survivor, __, __) in zip(journal_vals, groups, strict=True):
            vals["before_values"]["activity"] = activity.get(survivor.id)
            vals["before_values"]["survivor_after"] = written.get(survivor.id, {})
            vals["consent_event_ids"] = [fields.Command.set(consent_events.get(survivor.id, []))]
        self._hygiene_sync_company_columns(survivor_ids)
        journals = self.env["hygiene.merge.journal"].sudo().create(journal_vals)
        self.env.flush_all()
        return journals

    def _hygiene_merge_journal_vals(self, plan, snapshot, company_values, repointed):
        """The values of the journal of one group: what undo needs to restore it."""
        survivor, sources, __, before = plan
        moved, removed, counts = repointed
        return {
            "survivor_id": survivor.id,
            "user_id": self.env.uid,
            "source_ids": [fields.Command.set(sources.ids)],
            "before_values": {
                "survivor": before,
                "sources": {str(src): {"active": snapshot[src]["active"]} for src in sources.ids},
                "company_dependent": company_values.get(survivor.id),
            },
            "moved_rows": {str(src): moved.get(src, {}) for src in sources.ids},
            "removed_rows": [row for src in sources.ids for row in removed.get(src, [])],
            "counts": dict(sum((counts.get(src, Counter()) for src in sources.ids), Counter())),
        }

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
        self.env["res.partner"].browse(list(mapping)).invalidate_recordset(
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
        dependent = set(self.env["res.partner"]._company_dependent_commercial_fields())
        for partner_id, changes in (company_values or {}).items():
            names = sorted(dependent & changes.keys())
            entity = (
                self.env["res.partner"].browse(int(partner_id)).with_context(tracking_disable=True)
            )
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
