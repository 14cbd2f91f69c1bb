"""The retention engine: anonymise, delete or archive partners, with legal holds.

Entry point: ``partners._hygiene_retention_execute(action, policy=None, reason=None)``, called by
the retention policies (cron, preview, command line) and by the officer's "Anonymise now" /
"Erase" buttons. Everything is set-based SQL per batch of partners, journaled without personal
data in ``hygiene.journal``; see ``tools/anonymize.py`` for the replacement values.
"""

import logging
from collections import Counter, defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, mute_logger, split_every

from ..tools import anonymize
from ..tools.suppression import suppression_hash, suppression_values
from .hygiene_eraser import Erasure

_logger = logging.getLogger(__name__)

OFFICER = "partner_data_hygiene.group_hygiene_officer"
ACTIONS = ("anonymize", "delete", "archive")
RETENTION_STATES = [
    ("archived", "In the restricted archive"),
    ("partial", "Partially anonymised (legal hold)"),
    ("anonymized", "Anonymised"),
]
# Code de commerce L123-22: accounting documents are kept 10 years.
ACCOUNTING_HOLD_YEARS = 10
BATCH_SIZE = 1000
# written by the engines in SQL only: the retention state, the end of a hold, the merge link
ENGINE_FIELDS = ("hygiene_retention_state", "hygiene_hold_until", "hygiene_merged_into_id")
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


HOLD_FIELDS = ("hygiene_hold_reason", "hygiene_hold_end_date")


class ResPartner(models.Model):
    _inherit = "res.partner"

    hygiene_retention_state = fields.Selection(
        RETENTION_STATES,
        string="Retention State",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Set by the retention engine: moved to the restricted archive, partially anonymised "
        "while a legal hold lasts, or anonymised.",
    )
    hygiene_hold_until = fields.Date(
        string="Retained Until",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="End of the legal hold of a partially anonymised contact: the rest of its data is "
        "anonymised the day after.",
    )
    hygiene_hold_reason = fields.Char(
        string="Legal Hold Reason",
        copy=False,
        groups=OFFICER,
        help="Why the data of this contact must be kept (litigation, legal obligation...). "
        "A technical reason, never a personal value.",
    )
    hygiene_hold_end_date = fields.Date(
        string="Legal Hold Until",
        copy=False,
        groups=OFFICER,
        help="Set by the privacy officer: until this date, only the data not covered by the hold "
        "is anonymised.",
    )

    # ------------------------------------------------------------------ officer hold

    @api.constrains("hygiene_hold_end_date", "hygiene_hold_reason")
    def _check_hygiene_hold(self):
        for partner in self.sudo():
            if partner.hygiene_hold_end_date and not (partner.hygiene_hold_reason or "").strip():
                raise ValidationError(self.env._("A legal hold needs a reason."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hygiene_check_engine_fields(vals)
        if not self.env.su:
            # Odoo checks field groups on write, not on create: a legal hold (officer-only) set
            # while creating a contact would otherwise pass.
            self.check_field_access_rights(
                "write", [name for vals in vals_list for name in vals if name in HOLD_FIELDS]
            )
        return super().create(vals_list)

    def write(self, vals):
        self._hygiene_check_engine_fields(vals)
        if "hygiene_hold_end_date" not in vals:
            return super().write(vals)
        before = {p.id: p.hygiene_hold_end_date for p in self.sudo()}
        result = super().write(vals)
        new_date = fields.Date.to_date(vals["hygiene_hold_end_date"])
        changed = [pid for pid, old in before.items() if old != new_date]
        if changed:
            self.env["hygiene.journal"]._log(
                "hold" if new_date else "hold_release", record_ids=changed, reason="officer"
            )
        return result

    @api.model
    def _hygiene_check_engine_fields(self, vals):
        """The retention state and the end of the hold are written by the engine (SQL) only."""
        if any(name in vals for name in ENGINE_FIELDS):
            raise UserError(
                self.env._(
                    "The retention state of a contact and the contact it was merged into are set "
                    "by the engines: use the Anonymise or Erase buttons, a retention policy, or "
                    "a merge and its undo."
                )
            )

    # ------------------------------------------------------------------ entry point

    def _hygiene_retention_execute(self, action, policy=None, reason=None):
        """Apply ``action`` ("anonymize", "delete" or "archive") to the partners in ``self``.

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
        self._hygiene_retention_check_records(action)
        result = {"done": [], "refused": [], "failed": [], "held": [], "counts": Counter()}
        self.env.flush_all()
        engine = self.sudo().with_context(
            active_test=False, tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        ids = list(dict.fromkeys(self.ids))
        for batch in split_every(BATCH_SIZE, ids):
            engine.browse(batch)._hygiene_retention_batch(action, policy, reason, result)
        result["counts"] = dict(result["counts"])
        return result

    def _hygiene_retention_check_rights(self):
        if not (self.env.su or self.env.user.has_group(OFFICER)):
            raise AccessError(
                self.env._("Only privacy officers can anonymise, erase or archive contacts.")
            )

    def _hygiene_retention_check_records(self, action):
        """The group is not enough: the officer must be allowed to change every contact the
        action reaches (the chosen ones and their child contacts), in their own companies, as
        record rules say; erasing also needs the right to delete. Scheduled jobs (superuser)
        are scoped by their policy instead."""
        if self.env.su:
            return
        partners = self.with_context(active_test=False).exists()
        trees = partners._hygiene_trees(partners.ids)
        reached = self.browse({node for nodes in trees.values() for node in nodes})
        reached = reached.with_context(active_test=False)
        reached.check_access("write")
        if action == "delete":
            reached.check_access("unlink")

    # ------------------------------------------------------------------ one batch

    def _hygiene_retention_batch(self, action, policy, reason, result):
        cr = self.env.cr
        existing = self.exists()
        missing = sorted(set(self.ids) - set(existing.ids))
        result["done"] += missing  # deleted by an earlier run: nothing left to do
        if not existing:
            return
        trees = self._hygiene_trees(existing.ids)
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
        result["refused"] += refused
        roots = [root for root in existing.ids if root not in refused]
        if action == "archive":
            self._hygiene_archive(roots, trees, policy, reason, result)
            return
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
            todo, lambda chunk: self._hygiene_anonymize_roots(chunk, trees, states)
        )
        held_roots = set()
        for chunk_roots, counts, held in outcome["ok"]:
            result["counts"].update(counts)
            held_roots |= held
            self._hygiene_journal_anonymized(
                chunk_roots, counts, held, states, policy, reason or "retention"
            )
        self._hygiene_journal_failed(outcome["failed"], policy, result)
        anonymised = [r for chunk, __, __ in outcome["ok"] for r in chunk if r not in held_roots]
        result["held"] += sorted(held_roots)
        if action == "delete" and anonymised:
            deleted = self._hygiene_delete_roots(anonymised, trees, policy, result)
            result["done"] += deleted
            kept = [root for root in anonymised if root not in set(deleted)]
            result["done"] += kept
        else:
            result["done"] += anonymised

    def _hygiene_isolated(self, roots, function):
        """Run ``function(roots)`` in a savepoint; on failure, once per root in its own savepoint.

        Returns {"ok": [(roots, *function result)], "failed": [(root, error class name)]}.
        """
        cr = self.env.cr
        try:
            # odoo.sql_db logs a failing statement with its parameters: the person's values
            with mute_logger("odoo.sql_db"), cr.savepoint():
                return {"ok": [(roots, *function(roots))], "failed": []}
        except Exception as error:  # noqa: BLE001 - isolated and reported, see below
            # The message may quote a value of the person: only its class is logged.
            _logger.warning(
                "retention batch failed (%s), retrying one by one", type(error).__name__
            )
        self.env.invalidate_all(flush=False)
        outcome = {"ok": [], "failed": []}
        for root in roots:
            try:
                with mute_logger("odoo.sql_db"), cr.savepoint():
                    outcome["ok"].append(([root], *function([root])))
            except Exception as error:  # noqa: BLE001
                _logger.warning("retention failed for partner %s (%s)", root, type(error).__name__)
                self.env.invalidate_all(flush=False)
                outcome["failed"].append((root, type(error).__name__))
        return outcome

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

    def _hygiene_journal_failed(self, failed, policy, result):
        by_reason = defaultdict(list)
        for root, error in failed:
            by_reason[error].append(root)
            result["failed"].append(root)
        for error, roots in by_reason.items():
            self.env["hygiene.journal"]._log(
                "error", policy=policy, record_ids=roots, reason=f"exception:{error}"
            )

    # ------------------------------------------------------------------ structure

    def _hygiene_trees(self, root_ids):
        """{root id: {root and every descendant (child contacts, addresses)}}."""
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE tree(root, id) AS (
                    SELECT id, id FROM res_partner WHERE id = ANY(%(ids)s)
                     UNION
                    SELECT tree.root, p.id FROM res_partner p JOIN tree ON p.parent_id = tree.id
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

    # ------------------------------------------------------------------ anonymisation

    def _hygiene_anonymize_roots(self, roots, trees, states):
        """Anonymise the trees of ``roots``; returns (counts, held roots)."""
        nodes = sorted({node for root in roots for node in trees[root]})
        self._hygiene_anonymize_check(nodes)
        holds = self._hygiene_hold_dates(nodes)
        counts = self._hygiene_anonymize_nodes(nodes, holds)
        held = {root for root in roots if trees[root] & set(holds)}
        return counts, held

    def _hygiene_anonymize_check(self, node_ids):
        """Last check before anything is written (a hook: raise to refuse a batch)."""

    def _hygiene_anonymize_nodes(self, node_ids, holds):
        """Anonymise the partners ``node_ids`` and everything that identifies them.

        ``holds`` ({id: date}) are partially anonymised: the columns of
        ``anonymize.HOLD_KEPT_PARTNER_COLUMNS`` and their posted invoices stay. What holds their
        data through another record (leads, orders, mailings, and the chatter, mails,
        activities, attachments... under them) is erased by the hooks of ``hygiene.eraser``,
        one per application. Returns {model: rows}.
        """
        self.env.flush_all()
        people = self._hygiene_identity(node_ids)
        erasure = Erasure(node_ids, holds, people)
        counts = erasure.counts
        counts["hygiene.suppression"] += self._hygiene_suppress(people)
        counts["res.users"] += self._hygiene_anonymize_users(node_ids)
        self.env["hygiene.eraser"]._hygiene_erase(erasure)
        counts["res.partner.bank"] += self._hygiene_anonymize_banks(node_ids)
        counts["res.partner"] += self._hygiene_anonymize_partner_rows(node_ids, holds)
        self.env.invalidate_all(flush=False)
        return Counter({model: n for model, n in counts.items() if n})

    def _hygiene_identity(self, node_ids):
        """What identifies each partner, read before anything is emptied."""
        cr = self.env.cr
        # Read before the query: reading a field may run a query and replace its result.
        default_region = self.env.company.country_id.code or "FR"
        cr.execute(
            SQL(
                """
                SELECT p.id, p.name, p.complete_name, p.email, p.email_normalized,
                       p.phone, p.mobile, c.code
                  FROM res_partner p LEFT JOIN res_country c ON c.id = p.country_id
                 WHERE p.id = ANY(%s)
                """,
                node_ids,
            )
        )
        people = {}
        for pid, name, complete, email, normalized, phone, mobile, code in cr.fetchall():
            region = code or default_region
            emails = sorted({e.strip().lower() for e in (email, normalized) if e and e.strip()})
            raw_phones = [x for x in (phone, mobile) if x]
            e164 = [value for kind, value in suppression_values(None, raw_phones, region)]
            people[pid] = {
                "names": [x for x in (name, complete) if x],
                "email": email,
                "emails": emails,
                "phones": raw_phones,
                "e164": e164,
                "region": region,
            }
        cr.execute(
            SQL("SELECT partner_id, login FROM res_users WHERE partner_id = ANY(%s)", node_ids)
        )
        for pid, login in cr.fetchall():
            if login and "@" in login:
                people[pid]["emails"].append(login.strip().lower())
        return people

    def _hygiene_suppress(self, people):
        """Put the emails and phones of the persons on the suppression list (keyed hashes)."""
        Suppression = self.env["hygiene.suppression"].sudo()
        secret = Suppression._suppression_secret()
        rows = {}
        for person in people.values():
            for email in dict.fromkeys([person["email"], *person["emails"]]):
                for kind, value in suppression_values(email, person["phones"], person["region"]):
                    rows.setdefault(suppression_hash(secret, kind, value), kind)
        return Suppression._insert_hashes(list(rows.items()), "erasure")

    def _hygiene_anonymize_users(self, node_ids):
        """Portal users: deactivated through Odoo's own chain, then login and signature gone."""
        cr = self.env.cr
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", node_ids), ("share", "=", True)])
        )
        if not users:
            return 0
        # A random login first: the deactivation chain writes the login to the server log.
        for user in users:
            cr.execute(
                SQL(
                    "UPDATE res_users SET login = %s WHERE id = %s",
                    anonymize.anonymised_login(),
                    user.id,
                )
            )
        users.invalidate_recordset(["login"])
        active = users.filtered("active")
        if active:
            active._deactivate_portal_user()
            self.env.flush_all()
        for user in users:
            cr.execute(
                SQL(
                    "UPDATE res_users SET login = %s, password = NULL WHERE id = %s",
                    anonymize.anonymised_login(),
                    user.id,
                )
            )
        self._hygiene_blank("res.users", SQL("id = ANY(%s)", users.ids))
        return len(users)

    def _hygiene_anonymize_banks(self, node_ids):
        """Bank accounts: a random account number (the column is unique), no holder name."""
        cr = self.env.cr
        cr.execute(SQL("SELECT id FROM res_partner_bank WHERE partner_id = ANY(%s)", node_ids))
        bank_ids = [row[0] for row in cr.fetchall()]
        if not bank_ids:
            return 0
        self._hygiene_blank("res.partner.bank", SQL("id = ANY(%s)", bank_ids))
        for bank_id in bank_ids:
            number = anonymize.anonymised_bank_account()
            cr.execute(
                SQL(
                    """UPDATE res_partner_bank
                          SET acc_number = %s, sanitized_acc_number = %s, active = FALSE
                        WHERE id = %s""",
                    number,
                    number,
                    bank_id,
                )
            )
        return len(bank_ids)

    def _hygiene_anonymize_partner_rows(self, node_ids, holds):
        cr = self.env.cr
        free = [pid for pid in node_ids if pid not in holds]
        count = 0
        if free:
            count += self._hygiene_blank(
                "res.partner", SQL("id = ANY(%s)", free), extra=self._hygiene_partner_extra()
            )
            cr.execute(
                SQL(
                    """UPDATE res_partner
                          SET active = FALSE, hygiene_retention_state = 'anonymized',
                              hygiene_hold_until = NULL, hygiene_hold_end_date = NULL
                        WHERE id = ANY(%s)""",
                    free,
                )
            )
        if holds:
            held = list(holds)
            count += self._hygiene_blank(
                "res.partner",
                SQL("id = ANY(%s)", held),
                held=True,
                extra=self._hygiene_partner_extra(held=True),
            )
            until = SQL(", ").join(SQL("(%s, %s::date)", pid, day) for pid, day in holds.items())
            cr.execute(
                SQL(
                    """UPDATE res_partner p
                          SET active = FALSE, hygiene_retention_state = 'partial',
                              hygiene_hold_until = v.until
                         FROM (VALUES %s) AS v(id, until) WHERE p.id = v.id""",
                    until,
                )
            )
        return count

    def _hygiene_partner_extra(self, held=False):
        """Non-text partner columns that describe the person: birth dates, coordinates, and,
        outside a hold, the state and country of the address."""
        names = anonymize.personal_date_columns(
            [n for n, f in self._fields.items() if f.store and f.type == "date"]
        )
        names += [n for n in ("partner_latitude", "partner_longitude") if n in self._fields]
        if not held:
            names += ["state_id", "title", "industry_id"]
        return [n for n in names if n in self._fields and self._fields[n].store]

    def _hygiene_blank_merge_journals(self, node_ids):
        """The merge journal keeps the replaced values for its undo: an erased person's go."""
        rows = self._hygiene_ids(
            SQL(
                """
                SELECT id FROM hygiene_merge_journal WHERE survivor_id = ANY(%s)
                UNION SELECT journal_id FROM hygiene_merge_journal_source_rel
                       WHERE partner_id = ANY(%s)
                """,
                node_ids,
                node_ids,
            )
        )
        if not rows:
            return 0
        self.env.cr.execute(
            SQL("UPDATE hygiene_merge_journal SET before_values = NULL WHERE id = ANY(%s)", rows)
        )
        return self.env.cr.rowcount

    # ------------------------------------------------------------------ SQL helpers

    def _hygiene_ids(self, query):
        self.env.cr.execute(query)
        return sorted({row[0] for row in self.env.cr.fetchall() if row[0]})

    def _hygiene_unlink_where(self, model, where):
        if model not in self.env:
            return 0
        Model = self.env[model].sudo().with_context(active_test=False)
        records = Model.browse(
            self._hygiene_ids(
                SQL("SELECT id FROM %s WHERE %s", SQL.identifier(Model._table), where)
            )
        )
        count = len(records)
        records.unlink()
        return count

    def _hygiene_blank(self, model, where, held=False, extra=(), prefix=None, only=None):
        """Empty the stored text columns of ``model`` (see tools/anonymize.py) where ``where``;
        ``extra`` columns are emptied too, ``prefix`` limits the columns to those names, ``only``
        to those listed (the ones that are installed)."""
        Model = self.env[model]
        table = Model._table
        text_columns = {
            name
            for name, field in Model._fields.items()
            if field.store
            and field.column_type
            and not field.inherited
            and field.type in TEXT_TYPES
            and (prefix is None or name.startswith(prefix))
            and (only is None or name in only)
        }
        blank, replace = anonymize.columns_to_blank(table, text_columns, held=held)
        assignments = []
        for name in blank:
            field = Model._fields[name]
            if field.required and field.column_type[0] != "jsonb":
                assignments.append(SQL("%s = ''", SQL.identifier(name)))
            else:
                assignments.append(SQL("%s = NULL", SQL.identifier(name)))
        assignments += [SQL("%s = %s", SQL.identifier(n), v) for n, v in replace.items()]
        assignments += [SQL("%s = NULL", SQL.identifier(name)) for name in extra]
        if not assignments:
            return 0
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s WHERE %s",
                SQL.identifier(table),
                SQL(", ").join(assignments),
                where,
            )
        )
        return self.env.cr.rowcount

    # ------------------------------------------------------------------ delete

    def _hygiene_delete_roots(self, roots, trees, policy, result):
        """Delete the (anonymised) trees of ``roots`` that nothing references; returns the roots
        deleted. The others stay anonymised, journaled with the reason ``referenced``."""
        referenced = self._hygiene_referenced(roots, trees)
        free = [root for root in roots if root not in referenced]

        def delete(chunk):
            nodes = sorted({n for root in chunk for n in trees[root]})
            self.browse(nodes).unlink()
            self.env.flush_all()
            return (len(nodes),)

        outcome = self._hygiene_isolated(free, delete) if free else {"ok": [], "failed": []}
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
        for target in self._hygiene_merge_targets():
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

    # ------------------------------------------------------------------ archive

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
        self.browse(nodes).invalidate_recordset(["active", "hygiene_retention_state"])
        result["done"] += roots
        result["counts"]["res.partner"] += count
        self.env["hygiene.journal"]._log(
            "archive",
            policy=policy,
            counts={"res.partner": count},
            record_ids=roots,
            reason=reason or "retention",
        )

    # ------------------------------------------------------------------ crons & buttons

    @api.model
    def _cron_hygiene_hold_release(self, limit=BATCH_SIZE * 10):
        """Second pass: complete the anonymisation of contacts whose legal hold has ended."""
        today = fields.Date.context_today(self)
        partners = self.with_context(active_test=False).search(
            [("hygiene_retention_state", "=", "partial"), ("hygiene_hold_until", "<", today)],
            limit=limit,
        )
        if partners:
            partners._hygiene_retention_execute("anonymize", reason="hold_ended")
        remaining = self.with_context(active_test=False).search_count(
            [("hygiene_retention_state", "=", "partial"), ("hygiene_hold_until", "<", today)]
        )
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=remaining)

    def action_hygiene_anonymize(self):
        return self._hygiene_action_retention("anonymize")

    def action_hygiene_erase(self):
        return self._hygiene_action_retention("delete")

    def _hygiene_action_retention(self, action):
        self._hygiene_retention_check_rights()
        result = self._hygiene_retention_execute(action, reason="manual")
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
        # an erased contact is gone: reloading its form would fail, the contacts list opens
        next_action = {"type": "ir.actions.client", "tag": "soft_reload"}
        if not self.exists():
            next_action = self.env["ir.actions.act_window"]._for_xml_id("contacts.action_contacts")
            next_action["target"] = "main"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Retention"),
                "message": " ".join(parts),
                "type": "warning" if result["refused"] or result["failed"] else "success",
                "sticky": False,
                "next": next_action,
            },
        }
