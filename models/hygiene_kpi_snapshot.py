"""Daily KPI snapshots of the base and the operations that moved them (issue 18).

Odoo's dashboards compute live: once merges and purges have run, the "before" is gone. A snapshot
freezes the figures; each one lists the imports, merges and purges run since the previous one
with the contacts each added or removed, so that a clean-up shows its before/after and where the
difference came from. The summary screen reads the latest snapshot (one row): it opens at once
on a base of any size.
"""

import re

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_datetime

USER = "partner_data_hygiene.group_hygiene_user"
STEWARD = "partner_data_hygiene.group_hygiene_steward"

KPIS = [
    ("contacts", "Contacts"),
    ("contacts_by_source", "Contacts by source"),
    ("email_valid_rate", "Valid email rate (%)"),
    ("phone_valid_rate", "Valid phone rate (%)"),
    ("quality_avg", "Average quality score"),
    ("duplicates_pending", "Contacts in duplicates to review"),
    ("inactive_retention", "Past their retention date"),
    ("consent_coverage", "Consent coverage (%)"),
    ("suppressed", "Suppression list entries"),
    ("unsubscribe_rate_mailing", "Unsubscribe rate per mailing (%)"),
    ("unsubscribe_rate_month", "Unsubscribe rate per month (%)"),
    ("engagement_avg", "Average engagement score"),
    ("do_not_solicit", "Do not solicit"),
]
CAUSES = [
    ("import", "Import"),
    ("merge", "Merge"),
    ("purge", "Retention purge"),
    ("other", "Other changes"),
]
# Above this unsubscribe rate the base is not qualified enough (professional practice: 0.2-0.3 %).
UNSUBSCRIBE_ALERT_PERCENT = 0.3
_MAILING_PATH = re.compile(r"^/mailing/(\d+)/")


SCALAR_KPIS = (
    "contacts",
    "email_valid_rate",
    "phone_valid_rate",
    "quality_avg",
    "engagement_avg",
    "duplicates_pending",
    "inactive_retention",
    "suppressed",
    "do_not_solicit",
)
SCORE_FIGURES_QUERY = """
    SELECT COUNT(*), COUNT(*) FILTER (WHERE email_valid), COUNT(*) FILTER (WHERE phone_valid),
           AVG(quality_score), AVG(engagement_score), COUNT(email_invalid), COUNT(no_contact),
           COUNT(no_consent), COUNT(do_not_solicit)
      FROM hygiene_partner_score s WHERE %s"""
DUPLICATE_FIGURES_QUERY = """
    SELECT COUNT(DISTINCT g.id), COUNT(DISTINCT r.partner_id)
      FROM hygiene_duplicate_group g
      JOIN hygiene_duplicate_group_partner_rel r ON r.group_id = g.id
     WHERE g.state = 'pending' AND %s"""
BY_SOURCE_QUERY = """
    SELECT p.hygiene_source_id, COUNT(*) FROM res_partner p
     WHERE p.active AND %s GROUP BY 1 ORDER BY 2 DESC, 1"""
COVERAGE_QUERY = """
    SELECT pu.id, COUNT(cs.id) FILTER (WHERE cs.state = 'granted')
      FROM hygiene_purpose pu
 LEFT JOIN hygiene_consent_state cs ON cs.purpose_id = pu.id
 LEFT JOIN res_partner p ON p.id = cs.partner_id
     WHERE pu.active AND (cs.id IS NULL OR (p.active AND %s))
  GROUP BY pu.id"""


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0


class HygieneKpiSnapshot(models.Model):
    _name = "hygiene.kpi.snapshot"
    _description = "Data Quality Snapshot"
    _order = "date desc, id desc"
    _rec_name = "date"

    date = fields.Datetime(required=True, readonly=True, index=True, default=fields.Datetime.now)
    kind = fields.Selection(
        [
            ("daily", "Daily"),
            ("manual", "On demand"),
            ("import", "After an import"),
            ("merge", "After a merge"),
            ("purge", "After a retention run"),
        ],
        required=True,
        readonly=True,
    )

    company_id = fields.Many2one("res.company", readonly=True, index=True)
    previous_id = fields.Many2one("hygiene.kpi.snapshot", readonly=True, string="Previous")
    contacts = fields.Integer(readonly=True)
    email_valid_rate = fields.Float(readonly=True, digits=(5, 1), string="Valid Emails (%)")
    phone_valid_rate = fields.Float(readonly=True, digits=(5, 1), string="Valid Phones (%)")
    quality_avg = fields.Float(readonly=True, digits=(5, 1), string="Average Quality")
    engagement_avg = fields.Float(readonly=True, digits=(5, 1), string="Average Engagement")
    invalid_email = fields.Integer(readonly=True, string="Invalid Emails")
    no_contact = fields.Integer(readonly=True, string="No Way to Contact")
    no_consent = fields.Integer(readonly=True, string="No Provable Consent")
    duplicates_pending = fields.Integer(readonly=True, string="Contacts in Duplicates to Review")
    duplicate_groups = fields.Integer(readonly=True, string="Duplicate Groups to Review")
    inactive_retention = fields.Integer(readonly=True, string="Past Their Retention Date")
    suppressed = fields.Integer(readonly=True, string="Suppression List")
    do_not_solicit = fields.Integer(readonly=True, string="Do Not Solicit")
    unsubscribes_30d = fields.Integer(readonly=True, string="Unsubscribes (30 days)")
    unsubscribe_rate_30d = fields.Float(
        readonly=True, digits=(5, 2), string="Unsubscribe Rate (30 days, %)"
    )
    unsubscribe_alert = fields.Boolean(
        readonly=True,
        help="The unsubscribe rate of the last 30 days is above 0.3 %: the base is not qualified "
        "enough (consents, engagement).",
    )
    value_ids = fields.One2many("hygiene.kpi.value", "snapshot_id", string="Figures")
    cause_ids = fields.One2many("hygiene.kpi.cause", "snapshot_id", string="What Changed")
    # before/after: the difference with the previous snapshot
    contacts_delta = fields.Integer(compute="_compute_deltas", string="Contacts Change")
    email_valid_rate_delta = fields.Float(compute="_compute_deltas", digits=(5, 1))
    phone_valid_rate_delta = fields.Float(compute="_compute_deltas", digits=(5, 1))
    quality_avg_delta = fields.Float(compute="_compute_deltas", digits=(5, 1))
    duplicates_pending_delta = fields.Integer(compute="_compute_deltas")
    inactive_retention_delta = fields.Integer(compute="_compute_deltas")
    suppressed_delta = fields.Integer(compute="_compute_deltas")
    previous_contacts = fields.Integer(
        compute="_compute_previous_contacts", string="Contacts Before"
    )
    source_value_ids = fields.One2many(
        "hygiene.kpi.value", compute="_compute_dashboard_values", string="Contacts by Source"
    )
    consent_value_ids = fields.One2many(
        "hygiene.kpi.value", compute="_compute_dashboard_values", string="Consent Coverage"
    )
    mailing_value_ids = fields.One2many(
        "hygiene.kpi.value", compute="_compute_dashboard_values", string="Unsubscribes per Mailing"
    )
    month_value_ids = fields.One2many(
        "hygiene.kpi.value", compute="_compute_dashboard_values", string="Unsubscribes per Month"
    )

    def _compute_display_name(self):
        """The date in the reader's time zone and format (the breadcrumb and "Previous" showed
        the stored UTC value)."""
        tz = self.env.context.get("tz")
        for snapshot in self:
            date = snapshot.date
            snapshot.display_name = format_datetime(self.env, date, tz=tz) if date else ""

    @api.depends("value_ids")
    def _compute_dashboard_values(self):
        for snapshot in self:
            lines = snapshot.value_ids
            snapshot.source_value_ids = lines.filtered(lambda v: v.kpi == "contacts_by_source")
            snapshot.consent_value_ids = lines.filtered(lambda v: v.kpi == "consent_coverage")
            snapshot.mailing_value_ids = lines.filtered(
                lambda v: v.kpi == "unsubscribe_rate_mailing"
            )
            snapshot.month_value_ids = lines.filtered(lambda v: v.kpi == "unsubscribe_rate_month")

    @api.depends("previous_id.contacts")
    def _compute_previous_contacts(self):
        self._hygiene_readable_related("previous_id", "contacts", "previous_contacts")

    @api.depends("previous_id")
    def _compute_deltas(self):
        names = (
            "contacts",
            "email_valid_rate",
            "phone_valid_rate",
            "quality_avg",
            "duplicates_pending",
            "inactive_retention",
            "suppressed",
        )
        for snapshot in self:
            previous = snapshot.previous_id
            for name in names:
                snapshot[f"{name}_delta"] = (snapshot[name] - previous[name]) if previous else 0

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Snapshots are taken by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("A snapshot cannot be changed."))
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    def action_open_dashboard(self):
        """The summary screen: the latest snapshot of the user's company (taken now if none)."""
        self.check_access("read")
        snapshot = self.search([], limit=1)
        if not snapshot:
            snapshot = self.sudo()._hygiene_take("manual").with_env(self.env)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Data Quality Dashboard"),
            "res_model": self._name,
            "res_id": snapshot.id,
            "view_mode": "form",
            "views": [(self.env.ref("partner_data_hygiene.hygiene_kpi_dashboard_form").id, "form")],
            "target": "current",
        }

    def action_take_snapshot(self):
        """Refresh the scores and take a snapshot now (before and after a clean-up)."""
        if not self.env.user.has_group(STEWARD):
            raise AccessError(self.env._("Only data stewards can take a snapshot."))
        self.env["hygiene.partner.score"].sudo()._hygiene_refresh()
        self.sudo()._hygiene_take("manual")
        return self.action_open_dashboard()

    def _hygiene_open(self, model, domain, name):
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
        }

    def action_open_invalid_email(self):
        return self._hygiene_open(
            "res.partner",
            [("hygiene_score_ids.email_invalid", "=", True)],
            self.env._("Invalid Email"),
        )

    def action_open_no_contact(self):
        return self._hygiene_open(
            "res.partner",
            [("hygiene_score_ids.no_contact", "=", True)],
            self.env._("No Way to Contact"),
        )

    def action_open_no_consent(self):
        return self._hygiene_open(
            "res.partner",
            [("hygiene_score_ids.no_consent", "=", True)],
            self.env._("No Provable Consent"),
        )

    def action_open_duplicates(self):
        return self._hygiene_open(
            "hygiene.duplicate.group",
            [("state", "=", "pending")],
            self.env._("Duplicates to Review"),
        )

    def action_open_retention(self):
        return self._hygiene_open(
            "res.partner",
            [("hygiene_retention_due_date", "<", fields.Date.context_today(self))],
            self.env._("Past Their Retention Date"),
        )

    def action_open_do_not_solicit(self):
        return self._hygiene_open(
            "res.partner",
            [("hygiene_score_ids.do_not_solicit", "=", True)],
            self.env._("Do Not Solicit"),
        )

    def action_open_history(self):
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "partner_data_hygiene.hygiene_kpi_value_action"
        )
        return action

    # ------------------------------------------------------------------ cron

    @api.model
    def _cron_daily(self):
        self.env["hygiene.partner.score"]._hygiene_refresh()
        self._hygiene_take("daily")

    @api.model
    def _hygiene_after_operation(self, kind, operations=None):
        """The snapshot an engine takes at its end (``kind``: "import" at the end of an import
        commit, "merge" after a merge, "purge" after a retention run): the scores of what
        changed are refreshed (incremental: only those contacts) and a snapshot taken whose
        causes link the operation, so that the clean-up shows its before (the previous snapshot)
        and after at once, without waiting for the daily cron. Privileged: the engine checked
        the user's rights before the operation. ``operations``: the records of the operation
        (the import batch, the merge journals), linked whatever their date."""
        snapshots = self.sudo()
        if kind == "purge" and not snapshots._hygiene_purge_pending():
            return snapshots.browse()
        snapshots.env["hygiene.partner.score"]._hygiene_refresh()
        return snapshots._hygiene_take(kind, operations=operations)

    @api.model
    def _hygiene_purge_pending(self):
        """Whether a purge journal entry is not linked to a snapshot yet (the retention run ends
        in a batch that may have handled nobody)."""
        self.env.cr.execute(
            SQL(
                """SELECT 1 FROM hygiene_journal j
                    WHERE j.operation IN ('anonymize', 'delete', 'archive')
                      AND j.date >= COALESCE((SELECT MAX(date) FROM hygiene_kpi_snapshot),
                                             '-infinity') - INTERVAL '1 second'
                      AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c WHERE c.journal_id = j.id)
                    LIMIT 1"""
            )
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _hygiene_take(self, kind="daily", operations=None):
        """Compute every KPI with a few aggregate queries and store them; one snapshot per
        company. Returns the snapshots (of the current company first)."""
        self.env.flush_all()
        snapshots = self.browse()
        # every company has its snapshot (a handful of rows)
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        current = self.env.company
        for company in current | (companies - current):
            snapshots |= self._hygiene_take_company(
                kind, company, single=len(companies) == 1, operations=operations
            )
        return snapshots

    def _hygiene_company_sql(self, alias, company, single):
        if single:
            return SQL("TRUE")
        return SQL(
            "(%s.company_id = %s OR %s.company_id IS NULL)",
            SQL.identifier(alias),
            company.id,
            SQL.identifier(alias),
        )

    @api.model
    def _hygiene_take_company(self, kind, company, single, operations=None):
        previous = self.search(
            [("company_id", "in", [company.id, False])], order="date desc, id desc", limit=1
        )
        figures = self._hygiene_base_figures(company, single)
        values = self._hygiene_dimension_values(company, single, figures["contacts"])
        mailing_values, unsub_30, unsub_rate_30 = self._hygiene_unsubscribe_values(company, single)
        snapshot = self.sudo().create(
            {
                **figures,
                "date": fields.Datetime.now(),
                "kind": kind,
                "company_id": company.id,
                "previous_id": previous.id,
                "unsubscribes_30d": unsub_30,
                "unsubscribe_rate_30d": unsub_rate_30,
                "unsubscribe_alert": unsub_rate_30 > UNSUBSCRIBE_ALERT_PERCENT,
            }
        )
        self._hygiene_store_values(snapshot, previous, values + mailing_values)
        self.env["hygiene.kpi.cause"].sudo()._hygiene_attribute(
            snapshot, previous, company, single, operations=operations
        )
        return snapshot

    @api.model
    def _hygiene_store_values(self, snapshot, previous, values):
        """The figures of ``snapshot``, each beside its value in ``previous``. A detail given as
        ``{lang: text}`` is stored in every language; figures are matched to the previous ones
        by their English detail, the same whatever the reader's language."""
        english = self.env["hygiene.kpi.value"].sudo().with_context(lang="en_US")
        previous_values = {
            (v.kpi, v.dimension or ""): v.value for v in previous.value_ids.with_env(english.env)
        }
        lines = [(kpi, "", snapshot[kpi]) for kpi in SCALAR_KPIS] + values
        details = [d if isinstance(d, dict) else {"en_US": d} for __, d, __ in lines]
        records = english.create(
            [
                {
                    "snapshot_id": snapshot.id,
                    "kpi": kpi,
                    "dimension": detail.get("en_US") or "",
                    "value": value,
                    "previous_value": previous_values.get((kpi, detail.get("en_US") or "")),
                }
                for (kpi, __, value), detail in zip(lines, details, strict=True)
            ]
        )
        for record, detail in zip(records, details, strict=True):
            others = {lang: text for lang, text in detail.items() if lang != "en_US"}
            if others:
                record.update_field_translations("dimension", others)

    @api.model
    def _hygiene_base_figures(self, company, single):
        """The scalar figures of the base (a few aggregate queries)."""
        cr = self.env.cr
        where_p = self._hygiene_company_sql("p", company, single)
        cr.execute(SQL("SELECT COUNT(*) FROM res_partner p WHERE p.active AND %s", where_p))
        contacts = cr.fetchone()[0]
        cr.execute(SQL(SCORE_FIGURES_QUERY, self._hygiene_company_sql("s", company, single)))
        scored, email_ok, phone_ok, quality, engagement, bad_email, no_contact, no_consent, dns = (
            cr.fetchone()
        )
        cr.execute(SQL(DUPLICATE_FIGURES_QUERY, self._hygiene_company_sql("g", company, single)))
        groups, dup_contacts = cr.fetchone()
        cr.execute("SELECT COUNT(*) FROM hygiene_suppression")
        suppressed = cr.fetchone()[0]
        inactive = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .with_context(allowed_company_ids=[company.id])
            .search_count(
                [
                    ("hygiene_retention_due_date", "<", fields.Date.context_today(self)),
                    ("company_id", "in", [company.id, False]),
                ]
            )
        )
        return {
            "contacts": contacts,
            "email_valid_rate": _rate(email_ok, scored),
            "phone_valid_rate": _rate(phone_ok, scored),
            "quality_avg": round(quality or 0.0, 1),
            "engagement_avg": round(engagement or 0.0, 1),
            "invalid_email": bad_email,
            "no_contact": no_contact,
            "no_consent": no_consent,
            "do_not_solicit": dns,
            "duplicates_pending": dup_contacts,
            "duplicate_groups": groups,
            "inactive_retention": inactive,
            "suppressed": suppressed,
        }

    @api.model
    def _hygiene_dimension_values(self, company, single, contacts):
        """The contacts by source channel and the consent coverage per purpose. Their detail is
        ``{lang: name}`` in every installed language: a snapshot is taken by a cron in the
        company's language, and read by a steward in theirs (issue 14)."""
        cr = self.env.cr
        where_p = self._hygiene_company_sql("p", company, single)
        cr.execute(SQL(BY_SOURCE_QUERY, where_p))
        sources = self.env["hygiene.source"].sudo().with_context(active_test=False)
        values = [
            ("contacts_by_source", self._hygiene_names(sources.browse(source_id)), count)
            for source_id, count in cr.fetchall()
        ]
        # consent coverage per purpose: share of the contacts with a proven grant
        cr.execute(SQL(COVERAGE_QUERY, where_p))
        purposes = self.env["hygiene.purpose"].sudo().with_context(active_test=False)
        values += [
            (
                "consent_coverage",
                self._hygiene_names(purposes.browse(pid)),
                _rate(granted, contacts),
            )
            for pid, granted in cr.fetchall()
        ]
        return values

    @api.model
    def _hygiene_names(self, record):
        """``{lang: name}`` of ``record`` (a source or a purpose, or none: "No known source")
        in every installed language."""
        names = {}
        langs = {"en_US"} | {lang for lang, __ in self.env["res.lang"].get_installed()}
        for lang in sorted(langs):
            env = self.with_context(lang=lang).env
            names[lang] = record.with_env(env).name if record else env._("No known source")
        return names

    @api.model
    def _hygiene_unsubscribe_values(self, company, single):
        """(values, unsubscribes in 30 days, rate in 30 days) from the opt-outs linked to their
        mailing and the mailing traces (when Email Marketing is installed)."""
        if "mailing.trace" not in self.env:
            return [], 0, 0.0
        cr = self.env.cr
        where_o = self._hygiene_company_sql("o", company, single)
        values = []
        # per mailing, the mailings sent in the last 12 months
        cr.execute(
            SQL(
                """WITH sent AS (
                        SELECT mass_mailing_id AS mailing_id, COUNT(*) AS sent
                          FROM mailing_trace
                         WHERE sent_datetime >= NOW() - INTERVAL '12 months'
                           AND mass_mailing_id IS NOT NULL
                      GROUP BY mass_mailing_id),
                   outs AS (
                        SELECT o.mailing_id, COUNT(*) AS outs FROM hygiene_optout o
                         WHERE o.mailing_id IS NOT NULL AND %s GROUP BY o.mailing_id)
                 SELECT m.id, m.subject, sent.sent, COALESCE(outs.outs, 0)
                   FROM sent JOIN mailing_mailing m ON m.id = sent.mailing_id
              LEFT JOIN outs ON outs.mailing_id = sent.mailing_id
               ORDER BY m.id""",
                where_o,
            )
        )
        for mailing_id, subject, sent, outs in cr.fetchall():
            label = f"{subject or ''} (#{mailing_id})"
            values.append(("unsubscribe_rate_mailing", label, round(100.0 * outs / sent, 2)))
        # per month: the opt-outs of the month over the mails sent that month
        cr.execute(
            SQL(
                """WITH sent AS (
                        SELECT date_trunc('month', sent_datetime) AS month, COUNT(*) AS sent
                          FROM mailing_trace
                         WHERE sent_datetime >= date_trunc('month', NOW()) - INTERVAL '11 months'
                      GROUP BY 1),
                   outs AS (
                        SELECT date_trunc('month', o.date) AS month, COUNT(*) AS outs
                          FROM hygiene_optout o WHERE o.mailing_id != 0 AND %s GROUP BY 1)
                 SELECT to_char(sent.month, 'YYYY-MM'), sent.sent, COALESCE(outs.outs, 0)
                   FROM sent LEFT JOIN outs ON outs.month = sent.month ORDER BY 1""",
                where_o,
            )
        )
        for month, sent, outs in cr.fetchall():
            values.append(("unsubscribe_rate_month", month, round(100.0 * outs / sent, 2)))
        return values, *self._hygiene_unsubscribes_30d(where_o)

    @api.model
    def _hygiene_unsubscribes_30d(self, where_o):
        """(opt-outs of the last 30 days, their rate over the mails sent in that time)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT COUNT(*), COUNT(*) FILTER (WHERE o.mailing_id != 0),
                          (SELECT COUNT(*) FROM mailing_trace
                            WHERE sent_datetime >= NOW() - INTERVAL '30 days')
                     FROM hygiene_optout o
                    WHERE o.date >= NOW() - INTERVAL '30 days' AND %s""",
                where_o,
            )
        )
        # the rate: the opt-outs made from a mailing over the mails sent (a blocklist addition
        # by hand or by an import is counted, not charged to the mailings: 14 of those over 6
        # mails sent showed a rate of 233 %)
        outs, from_mailings, sent = cr.fetchone()
        return outs, round(100.0 * from_mailings / sent, 2) if sent else 0.0
