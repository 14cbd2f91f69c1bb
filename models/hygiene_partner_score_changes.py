"""What changed since the last run of the scores (issue 18 §5): the incremental refresh.

Every source of a change is read through an index, never by scanning the base: the contacts
written since (``res_partner.write_date``), their activity clock, new consent events and states,
duplicate groups, blacklist entries, orders, invoices, mailing traces and portal logins (each on
its ``write_date`` or ``create_date``), the new contacts (ids above the highest scored one), and
the rows whose score moves with time alone: each row stores ``next_check_date``, the moment a
threshold is crossed (12 and 36 months without activity, the "do not solicit" delay, the next
decay of the engagement), so that a time threshold is one index range on the narrow score table.

The indexes on the tables of other modules are created when this module is installed or
updated and, for the apps installed later (Sales, Invoicing, Email Marketing), at the first
refresh that finds them missing (``CREATE INDEX IF NOT EXISTS`` costs a catalogue look-up).
"""

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists, table_exists

# (index name, table, columns, where): what the change detection and the chunk query read.
CHANGE_INDEXES = [
    ("hygiene_res_partner_write_date_index", "res_partner", ["write_date"], ""),
    ("hygiene_consent_state_write_date_index", "hygiene_consent_state", ["write_date"], ""),
    ("hygiene_consent_create_date_index", "hygiene_consent", ["create_date"], ""),
    ("hygiene_duplicate_group_write_date_index", "hygiene_duplicate_group", ["write_date"], ""),
    ("hygiene_mail_blacklist_write_date_index", "mail_blacklist", ["write_date"], ""),
    ("hygiene_res_users_log_create_date_index", "res_users_log", ["create_date"], ""),
    ("hygiene_sale_order_write_date_index", "sale_order", ["write_date"], ""),
    ("hygiene_account_move_write_date_index", "account_move", ["write_date"], ""),
    ("hygiene_mailing_trace_write_date_index", "mailing_trace", ["write_date"], ""),
    # the chunk reads the traces of its contacts: Odoo does not index mailing_trace.res_id
    (
        "hygiene_mailing_trace_partner_index",
        "mailing_trace",
        ["res_id"],
        "model = 'res.partner'",
    ),
]


class HygienePartnerScore(models.Model):
    _inherit = "hygiene.partner.score"

    def init(self):
        result = super().init()
        self._hygiene_ensure_indexes()
        return result

    @api.model
    def _hygiene_ensure_indexes(self):
        """Create the indexes of ``CHANGE_INDEXES`` that are missing on the installed tables."""
        cr = self.env.cr
        for name, table, columns, where in CHANGE_INDEXES:
            if not index_exists(cr, name) and table_exists(cr, table):
                create_index(cr, name, table, columns, where=where)

    @api.model
    def _hygiene_changed_partner_ids(self, since, now):
        """Ids of the contacts whose score may have changed since ``since``: one index range per
        source (EXPLAIN shows no sequential scan of res_partner nor of the score table)."""
        parts = [
            SQL("SELECT id FROM res_partner WHERE write_date > %s", since),
            SQL("SELECT id FROM res_partner WHERE hygiene_last_activity_date > %s", since),
            # contacts inserted without the ORM (SQL loads): above the highest scored id
            SQL(
                "SELECT id FROM res_partner WHERE active AND id > "
                "(SELECT COALESCE(MAX(partner_id), 0) FROM hygiene_partner_score)"
            ),
            SQL("SELECT partner_id FROM hygiene_consent_state WHERE write_date > %s", since),
            SQL("SELECT partner_id FROM hygiene_consent WHERE create_date > %s", since),
            SQL(
                "SELECT r.partner_id FROM hygiene_duplicate_group_partner_rel r "
                "JOIN hygiene_duplicate_group g ON g.id = r.group_id WHERE g.write_date > %s",
                since,
            ),
            SQL(
                "SELECT p.id FROM res_partner p JOIN mail_blacklist b "
                "ON b.email = p.email_normalized WHERE b.write_date > %s",
                since,
            ),
            # a time threshold crossed (freshness, do not solicit) or the engagement to re-decay
            SQL("SELECT partner_id FROM hygiene_partner_score WHERE next_check_date <= %s", now),
        ]
        parts += self._hygiene_changed_events_sql(since)
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT id FROM (%s) AS changed(id) WHERE id IS NOT NULL ORDER BY id",
                SQL(" UNION ALL ").join(parts),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _hygiene_changed_events_sql(self, since):
        """SQL queries of the ids of the contacts with a new event since ``since`` (portal login,
        order, invoice or credit note, mailing trace). Meant to be extended with the events of
        other apps (each one an index range on a date column)."""
        parts = [
            SQL(
                "SELECT u.partner_id FROM res_users_log l JOIN res_users u ON u.id = l.create_uid "
                "WHERE l.create_date > %s",
                since,
            )
        ]
        if "sale.order" in self.env:
            parts.append(SQL("SELECT partner_id FROM sale_order WHERE write_date > %s", since))
        if "account.move" in self.env:
            parts.append(
                SQL(
                    "SELECT partner_id FROM account_move WHERE write_date > %s "
                    "AND move_type IN ('out_invoice', 'out_refund')",
                    since,
                )
            )
        if "mailing.trace" in self.env:
            parts.append(
                SQL(
                    "SELECT res_id FROM mailing_trace WHERE model = 'res.partner' "
                    "AND write_date > %s",
                    since,
                )
            )
        return parts
