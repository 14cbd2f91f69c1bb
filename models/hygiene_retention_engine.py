"""The retention engine: anonymise, delete or archive contacts, with legal holds.

Service ``hygiene.retention.engine``; the entry point stays on the contacts,
``partners._hygiene_retention_execute(action, policy=None, reason=None)``, called by the retention
policies (cron, preview, command line) and by the officer's "Anonymise now" / "Erase" buttons.
Everything is set-based SQL per batch of contacts, each batch isolated by
``base._hygiene_isolated`` and journaled without personal data in ``hygiene.journal``. This file
holds the batches, the trees of contacts, the holds, the deletion and the archive; the
anonymisation of the contact rows is in ``hygiene_retention_anonymize.py``, the erasure of what
other applications hold in ``models/erasers/`` (one eraser per application, dispatched by
``hygiene_eraser.py``).
"""

import logging
from collections import Counter, defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from ..const import GROUP_OFFICER
from ..tools.actions import notification

_logger = logging.getLogger(__name__)

ACTIONS = ("anonymize", "delete", "archive")
# Code de commerce L123-22: accounting documents are kept 10 years.
ACCOUNTING_HOLD_YEARS = 10
BATCH_SIZE = 1000
TEXT_TYPES = ("char", "text", "html", "json", "properties")
# Rows that point to a partner without making it "referenced" for a deletion: they belong to the
# partner itself and go with it (or lose the link), after the anonymisation emptied them.
OWN_ROWS = frozenset(
    {
        ("mail_message", "author_id"),
        ("mail_message", "res_id"),
        ("mail_followers", "partner_id"),
        ("mail_followers", "res_id"),
        ("mail_notification", "res_partner_id"),
        ("mail_activity", "res_id"),
        ("ir_attachment", "res_id"),
        ("res_partner_bank", "partner_id"),
        ("hygiene_consent_state", "partner_id"),
        ("hygiene_partner_origin", "partner_id"),
        ("res_users_deletion", "user_id"),
    }
)


class HygieneRetentionEngine(models.AbstractModel):
    _name = "hygiene.retention.engine"
    _description = "Contact Retention Engine"

    def _hygiene_retention_execute(self, partners, action, policy=None, reason=None):
        """Apply ``action`` ("anonymize", "delete" or "archive") to ``partners``.

        Returns ``{"done", "refused", "failed", "held": [partner ids], "counts": {model: n}}``:

        - a partner linked to an internal user is never processed (refused, reason
          ``internal_user``): a human decides;
        - "delete" anonymises first, then deletes the partner and its child contacts when nothing
          else references them; otherwise they stay anonymised (reason ``referenced``);
        - a partner under a legal hold (set by the officer, or posted accounting documents less
          than 10 years old) is partially anonymised: the name, address and VAT printed on its
          invoices stay until the hold ends (state "partial", ``held``);
        - "archive" moves the partners to the restricted archive (archived, visible to privacy
          officers only);
        - each batch runs in a savepoint; when it fails, each partner is retried in its own
          savepoint so that one failure does not stop the others (``failed``);
        - idempotent: anonymised partners are skipped, a partial one is re-checked (its hold may
          have ended), a deleted one counts as done.

        Allowed to privacy officers and to the superuser (scheduled jobs). Nothing is committed
        here: a scheduled caller commits between its calls (a batch of a few thousand partners).
        """
        if action not in ACTIONS:
            raise UserError(
                self.env._(
                    "Unknown retention action %(action)r: use anonymize, delete or archive.",
                    action=action,
                )
            )
        self._hygiene_retention_check_rights()
        self._hygiene_retention_check_records(partners, action)
        result = {"done": [], "refused": [], "failed": [], "held": [], "counts": Counter()}
        self.env.flush_all()
        engine = self.sudo().with_context(
            active_test=False, tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        ids = list(dict.fromkeys(partners.ids))
        for batch in split_every(BATCH_SIZE, ids):
            batch_partners = engine.env["res.partner"].browse(batch)
            engine._hygiene_retention_batch(batch_partners, action, policy, reason, result)
        result["counts"] = dict(result["counts"])
        return result

    def _hygiene_retention_check_rights(self):
        if not (self.env.su or self.env.user.has_group(GROUP_OFFICER)):
            raise AccessError(
                self.env._("Only privacy officers can anonymise, erase or archive contacts.")
            )

    def _hygiene_retention_check_records(self, partners, action):
        """The group is not enough: the officer must be allowed to change every contact the
        action reaches (the chosen ones, their child contacts and the contacts merged into
        them), in their own companies, as
        record rules say; erasing also needs the right to delete. Scheduled jobs (superuser)
        are scoped by their policy instead."""
        if self.env.su:
            return
        partners = partners.with_context(active_test=False).exists()
        trees = self._hygiene_trees(partners.ids)
        reached = self.env["res.partner"].browse(
            {node for nodes in trees.values() for node in nodes}
        )
        reached = reached.with_context(active_test=False)
        reached.check_access("write")
        if action == "delete":
            reached.check_access("unlink")

    def _hygiene_retention_batch(self, partners, action, policy, reason, result):
        existing = partners.exists()
        missing = sorted(set(partners.ids) - set(existing.ids))
        result["done"] += missing  # deleted by an earlier run: nothing left to do
        if not existing:
            return
        trees = self._hygiene_trees(existing.ids)
        refused = self._hygiene_refuse_protected(trees, policy)
        result["refused"] += refused
        roots = [root for root in existing.ids if root not in refused]
        if action == "archive":
            self._hygiene_archive(roots, trees, policy, reason, result)
            return
        self._hygiene_anonymize_batch(roots, trees, action, policy, reason, result)

    def _hygiene_refuse_protected(self, trees, policy):
        """The roots of ``trees`` the engine never touches, journaled with the reason."""
        nodes = {n for tree in trees.values() for n in tree}
        protected = {
            # the company's own partner is the identity printed on every document
            "company_partner": self._hygiene_company_partners(nodes),
            "internal_user": self._hygiene_with_internal_user(nodes),
        }
        refused = []
        for why, protected_ids in protected.items():
            roots = sorted(
                root for root, tree in trees.items() if tree & protected_ids and root not in refused
            )
            if roots:
                refused += roots
                self.env["hygiene.journal"]._log(
                    "refused", policy=policy, record_ids=roots, reason=why
                )
        return refused

    def _hygiene_anonymize_batch(self, roots, trees, action, policy, reason, result):
        """Anonymise ``roots`` (isolated, journaled), then delete them for ``action`` "delete"."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id, hygiene_retention_state FROM res_partner WHERE id = ANY(%s)",
                roots,
            )
        )
        states = dict(cr.fetchall())
        done = [root for root in roots if states[root] == "anonymized" and action == "anonymize"]
        result["done"] += done
        todo = [root for root in roots if root not in done]
        if not todo:
            return
        outcome = self._hygiene_isolated(
            todo,
            lambda chunk: self._hygiene_anonymize_roots(chunk, trees, states),
            label="retention batch",
        )
        self._hygiene_log_failed(outcome)
        held_roots = set()
        for chunk_roots, (counts, held) in outcome["ok"]:
            result["counts"].update(counts)
            held_roots |= held
            self._hygiene_journal_anonymized(
                chunk_roots, counts, held, states, policy, reason or "retention"
            )
        self._hygiene_journal_failed(outcome["failed"], policy, result)
        anonymised = [r for chunk, __ in outcome["ok"] for r in chunk if r not in held_roots]
        result["held"] += sorted(held_roots)
        if action == "delete" and anonymised:
            deleted = self._hygiene_delete_roots(anonymised, trees, policy, result)
            result["done"] += deleted
            kept = [root for root in anonymised if root not in set(deleted)]
            result["done"] += kept
        else:
            result["done"] += anonymised

    def _hygiene_journal_anonymized(self, roots, counts, held, states, policy, reason):
        Journal = self.env["hygiene.journal"]
        # The suppression list first: an erased person never comes back through an import.
        Journal._log(
            "suppress",
            policy=policy,
            counts={"hygiene.suppression": counts.get("hygiene.suppression", 0)},
            record_ids=roots,
            reason="erasure",
        )
        full = [root for root in roots if root not in held]
        if full:
            Journal._log("anonymize", policy=policy, counts=counts, record_ids=full, reason=reason)
            released = [root for root in full if states.get(root) == "partial"]
            if released:
                Journal._log("hold_release", policy=policy, record_ids=released, reason="expired")
        if held:
            # The counts of a batch are not split per partner: they go with its first entry.
            Journal._log(
                "anonymize",
                policy=policy,
                counts=None if full else counts,
                record_ids=held,
                reason="partial",
            )
            new_holds = [root for root in held if states.get(root) != "partial"]
            if new_holds:
                Journal._log("hold", policy=policy, record_ids=new_holds, reason="legal_hold")

    def _hygiene_log_failed(self, outcome):
        # The message may quote a value of the person: only its class is logged.
        for root, error in outcome["failed"]:
            _logger.warning("retention failed for partner %s (%s)", root, type(error).__name__)

    def _hygiene_journal_failed(self, failed, policy, result):
        by_reason = defaultdict(list)
        for root, error in failed:
            by_reason[type(error).__name__].append(root)
            result["failed"].append(root)
        for error, roots in by_reason.items():
            self.env["hygiene.journal"]._log(
                "error", policy=policy, record_ids=roots, reason=f"exception:{error}"
            )

    def _hygiene_trees(self, root_ids):
        """{root id: {root and every descendant (child contacts, addresses)}}, with the
        contacts merged into any of them (archived copies of the same person kept for the
        undo of their merge, ``hygiene_merged_into_id``), transitively: erasing a person erases
        every copy (GDPR Art. 17), and each node is then handled as the others (legal holds
        included)."""
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE tree(root, id) AS (
                    SELECT id, id FROM res_partner WHERE id = ANY(%(ids)s)
                     UNION
                    SELECT tree.root, p.id FROM res_partner p
                      JOIN tree ON p.parent_id = tree.id OR p.hygiene_merged_into_id = tree.id
                )
                SELECT root, id FROM tree
                """,
                ids=list(root_ids),
            )
        )
        trees = defaultdict(set)
        for root, node in self.env.cr.fetchall():
            trees[root].add(node)
        return trees

    def _hygiene_with_internal_user(self, node_ids):
        """Partners linked to an internal user (archived users included)."""
        if not node_ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT partner_id FROM res_users"
                " WHERE partner_id = ANY(%s) AND NOT share",
                list(node_ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _hygiene_company_partners(self, node_ids):
        """Partners of a company of the database (archived companies included)."""
        if not node_ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT partner_id FROM res_company WHERE partner_id = ANY(%s)",
                list(node_ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _hygiene_hold_dates(self, node_ids):
        """{partner id: last day of its legal hold} for the partners still under one: the
        officer's hold, and posted accounting documents (invoice date + 10 years)."""
        today = fields.Date.context_today(self)
        holds = {}
        self.env["res.partner"].flush_model(["hygiene_hold_end_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id, hygiene_hold_end_date FROM res_partner
                 WHERE id = ANY(%s) AND hygiene_hold_end_date >= %s
                """,
                list(node_ids),
                today,
            )
        )
        holds.update(self.env.cr.fetchall())
        if "account.move" in self.env:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT v.pid, max(COALESCE(m.invoice_date, m.date))
                      FROM account_move m,
                           LATERAL (VALUES (m.partner_id), (m.commercial_partner_id)) AS v(pid)
                     WHERE m.state = 'posted'
                       AND (m.partner_id = ANY(%(ids)s) OR m.commercial_partner_id = ANY(%(ids)s))
                       AND v.pid = ANY(%(ids)s)
                  GROUP BY v.pid
                    """,
                    ids=list(node_ids),
                )
            )
            for pid, last in self.env.cr.fetchall():
                until = last + relativedelta(years=ACCOUNTING_HOLD_YEARS)
                if until >= today and until > holds.get(pid, date.min):
                    holds[pid] = until
        return holds

    def _hygiene_delete_roots(self, roots, trees, policy, result):
        """Delete the (anonymised) trees of ``roots`` that nothing references; returns the roots
        deleted. The others stay anonymised, journaled with the reason ``referenced``."""
        referenced = self._hygiene_referenced(roots, trees)
        free = [root for root in roots if root not in referenced]

        def delete(chunk):
            nodes = sorted({n for root in chunk for n in trees[root]})
            self.env["res.partner"].browse(nodes).unlink()
            self.env.flush_all()
            return len(nodes)

        outcome = {"ok": [], "failed": []}
        if free:
            outcome = self._hygiene_isolated(free, delete, label="retention batch")
            self._hygiene_log_failed(outcome)
        deleted = [root for chunk, __ in outcome["ok"] for root in chunk]
        if deleted:
            count = sum(n for __, n in outcome["ok"])
            result["counts"]["res.partner (deleted)"] += count
            self.env["hygiene.journal"]._log(
                "delete", policy=policy, counts={"res.partner": count}, record_ids=deleted
            )
        kept = sorted(referenced | {root for root, __ in outcome["failed"]})
        if kept:
            self.env["hygiene.journal"]._log(
                "anonymize", policy=policy, record_ids=kept, reason="referenced"
            )
        return deleted

    def _hygiene_referenced(self, roots, trees):
        """Roots whose tree is pointed to by a row that is not its own (see OWN_ROWS)."""
        cr = self.env.cr
        owner = {node: root for root in roots for node in trees[root]}
        nodes = list(owner)
        referenced = set()
        for target in self.env["hygiene.reference.catalogue"]._hygiene_merge_targets():
            if target.is_link or (target.table, target.column) in OWN_ROWS:
                continue
            condition = target.where_sql("t", SQL("n.id"))
            outside = SQL("TRUE")
            if target.table == "res_partner":
                outside = SQL("NOT (t.id = ANY(%s))", nodes)
            cr.execute(
                SQL(
                    "SELECT DISTINCT n.id FROM unnest(%s::int[]) AS n(id) WHERE EXISTS "
                    "(SELECT 1 FROM %s AS t WHERE %s AND %s)",
                    nodes,
                    SQL.identifier(target.table),
                    condition,
                    outside,
                )
            )
            referenced |= {owner[row[0]] for row in cr.fetchall()}
        return referenced

    def _hygiene_archive(self, roots, trees, policy, reason, result):
        if not roots:
            return
        nodes = sorted({n for root in roots for n in trees[root]})
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET active = FALSE, hygiene_retention_state = 'archived'
                    WHERE id = ANY(%s) AND hygiene_retention_state IS DISTINCT FROM 'anonymized'""",
                nodes,
            )
        )
        count = self.env.cr.rowcount
        self.env["res.partner"].browse(nodes).invalidate_recordset(
            ["active", "hygiene_retention_state"]
        )
        result["done"] += roots
        result["counts"]["res.partner"] += count
        self.env["hygiene.journal"]._log(
            "archive",
            policy=policy,
            counts={"res.partner": count},
            record_ids=roots,
            reason=reason or "retention",
        )

    def _hygiene_retention_notification(self, result, gone=False):
        """The notification of a manual run (the officer's buttons) summing up ``result``;
        ``gone``: the contacts were erased, their form cannot reload: the contacts open."""
        parts = []
        if result["done"]:
            parts.append(self.env._("%(count)s contact(s) processed.", count=len(result["done"])))
        if result["held"]:
            parts.append(
                self.env._(
                    "%(count)s contact(s) partially anonymised: a legal hold keeps their invoice "
                    "name and address until it ends.",
                    count=len(result["held"]),
                )
            )
        if result["refused"]:
            parts.append(
                self.env._(
                    "%(count)s contact(s) refused: a company of the database or linked to an "
                    "internal user, decide by hand.",
                    count=len(result["refused"]),
                )
            )
        if result["failed"]:
            parts.append(
                self.env._(
                    "%(count)s contact(s) failed: see the operations journal.",
                    count=len(result["failed"]),
                )
            )
        return notification(
            " ".join(parts),
            title=self.env._("Retention"),
            kind="warning" if result["refused"] or result["failed"] else "success",
            next_action=dict(
                self.env["ir.actions.act_window"]._for_xml_id("contacts.action_contacts"),
                target="main",
            )
            if gone
            else {"type": "ir.actions.client", "tag": "soft_reload"},
        )

    @api.model
    def _hygiene_customer_ids_sql(self):
        """SQL subquery of the ids of contacts with a confirmed order or posted invoice."""
        parts = []
        if "sale.order" in self.env:
            parts.append(SQL("SELECT so.partner_id FROM sale_order so WHERE so.state = 'sale'"))
        if "account.move" in self.env:
            parts.append(
                SQL(
                    "SELECT am.partner_id FROM account_move am WHERE am.state = 'posted' "
                    "AND am.move_type = 'out_invoice' AND am.partner_id IS NOT NULL"
                )
            )
        if not parts:
            return None
        return SQL("(%s)", SQL(" UNION ").join(parts))
