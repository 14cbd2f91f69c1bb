"""The anonymisation of the contacts themselves (service ``hygiene.retention.engine``, continued
from ``hygiene_retention_engine.py``): identity read first, suppression list, portal users, bank
accounts, the partner rows, and the SQL helpers the erasers of ``models/erasers/`` use.
See ``tools/anonymize.py`` for the replacement values.
"""

from collections import Counter

from odoo import models
from odoo.tools import SQL

from ..tools import anonymize
from ..tools.suppression import suppression_hash, suppression_values
from .hygiene_eraser import Erasure
from .hygiene_retention_engine import TEXT_TYPES


class HygieneRetentionEngine(models.AbstractModel):
    _inherit = "hygiene.retention.engine"

    def _hygiene_anonymize_roots(self, roots, trees, states):
        """Anonymise the trees of ``roots``; returns (counts, held roots)."""
        nodes = sorted({node for root in roots for node in trees[root]})
        self.env["res.partner"]._hygiene_anonymize_check(nodes)
        holds = self._hygiene_hold_dates(nodes)
        counts = self._hygiene_anonymize_nodes(nodes, holds)
        held = {root for root in roots if trees[root] & set(holds)}
        return counts, held

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
        erasure = Erasure(node_ids, holds, people, placeholder=self._hygiene_partner_placeholder())
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
        # The region of a number without its country is the one its keys and the suppression
        # list read it in (res.partner._hygiene_phone_region): the contact's country, else its
        # company's (FR without one), else the main company's; never the eraser's company.
        default_region = self.env["res.partner"]._hygiene_default_region()
        cr.execute(
            SQL(
                """
                SELECT p.id, p.name, p.complete_name, p.email, p.email_normalized,
                       p.phone, p.mobile, c.code,
                       CASE WHEN p.company_id IS NOT NULL THEN COALESCE(cc.code, 'FR') END
                  FROM res_partner p
             LEFT JOIN res_country c ON c.id = p.country_id
             LEFT JOIN res_company co ON co.id = p.company_id
             LEFT JOIN res_partner cp ON cp.id = co.partner_id
             LEFT JOIN res_country cc ON cc.id = cp.country_id
                 WHERE p.id = ANY(%s)
                """,
                node_ids,
            )
        )
        people = {}
        rows = cr.fetchall()
        for pid, name, complete, email, normalized, phone, mobile, code, company_code in rows:
            region = code or company_code or default_region
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
            [n for n, f in self.env["res.partner"]._fields.items() if f.store and f.type == "date"]
        )
        names += [
            n
            for n in ("partner_latitude", "partner_longitude")
            if n in self.env["res.partner"]._fields
        ]
        if not held:
            names += ["state_id", "title", "industry_id"]
        return [
            n
            for n in names
            if n in self.env["res.partner"]._fields and self.env["res.partner"]._fields[n].store
        ]

    def _hygiene_blank_merge_journals(self, node_ids):
        """The merge journal keeps the replaced values and the removed link rows for its undo:
        an erased person's go (``node_ids`` hold the contacts merged into them, see
        ``_hygiene_trees``), the ids and counts stay. The journal's signature no longer
        verifies: its undo stays refused."""
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
            SQL(
                "UPDATE hygiene_merge_journal SET before_values = NULL, removed_rows = NULL"
                " WHERE id = ANY(%s)",
                rows,
            )
        )
        return self.env.cr.rowcount

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

    def _hygiene_partner_placeholder(self):
        """The name an anonymised contact gets (and its invoices' printed name): "Anonymised
        contact" in the language of the company running the anonymisation. It is stored, not
        translated on display, because it is printed and exported as it is (invoices, CSV, other
        applications' copies of the name); one constant for everybody of the company, so it says
        nothing about the person (not even their language)."""
        lang = self.env.company.partner_id.lang or "en_US"
        if not self.env["res.lang"]._get_code(lang):
            lang = "en_US"
        return self.with_context(lang=lang).env._("Anonymised contact")

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
        if anonymize.PARTNER_NAME in replace.values():
            label = self._hygiene_partner_placeholder()
            replace = {
                name: label if value == anonymize.PARTNER_NAME else value
                for name, value in replace.items()
            }
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
