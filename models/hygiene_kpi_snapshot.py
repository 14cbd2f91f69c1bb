"""Daily KPI snapshots of the base and the operations that moved them (issue 18).

Odoo's dashboards compute live: once merges and purges have run, the "before" is gone. A snapshot
freezes the figures; each one lists the imports, merges and purges run since the previous one
with the contacts each added or removed, so that a clean-up shows its before/after and where the
difference came from. The summary screen reads the latest snapshot (one row): it opens at once
on a base of any size.
"""

import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

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


class HygieneKpiSnapshot(models.Model):
    _name = "hygiene.kpi.snapshot"
    _description = "Data Quality Snapshot"
    _order = "date desc, id desc"
    _rec_name = "date"

    date = fields.Datetime(required=True, readonly=True, index=True, default=fields.Datetime.now)
    kind = fields.Selection(
        [("daily", "Daily"), ("manual", "On demand")], required=True, readonly=True
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
    previous_contacts = fields.Integer(related="previous_id.contacts", string="Contacts Before")
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

    @api.model
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
    def _hygiene_take(self, kind="daily"):
        """Compute every KPI with a few aggregate queries and store them; one snapshot per
        company. Returns the snapshots (of the current company first)."""
        self.env.flush_all()
        snapshots = self.browse()
        companies = self.env["res.company"].sudo().search([])
        current = self.env.company
        for company in current | (companies - current):
            snapshots |= self._hygiene_take_company(kind, company, single=len(companies) == 1)
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
    def _hygiene_take_company(self, kind, company, single):
        cr = self.env.cr
        now = fields.Datetime.now()
        where_p = self._hygiene_company_sql("p", company, single)
        where_s = self._hygiene_company_sql("s", company, single)
        previous = self.search(
            [("company_id", "in", [company.id, False])], order="date desc, id desc", limit=1
        )
        cr.execute(SQL("SELECT COUNT(*) FROM res_partner p WHERE p.active AND %s", where_p))
        contacts = cr.fetchone()[0]
        cr.execute(
            SQL(
                """SELECT COUNT(*), COUNT(*) FILTER (WHERE email_valid),
                          COUNT(*) FILTER (WHERE phone_valid), AVG(quality_score),
                          AVG(engagement_score), COUNT(email_invalid), COUNT(no_contact),
                          COUNT(no_consent), COUNT(do_not_solicit)
                     FROM hygiene_partner_score s WHERE %s""",
                where_s,
            )
        )
        scored, email_ok, phone_ok, quality, engagement, bad_email, no_contact, no_consent, dns = (
            cr.fetchone()
        )
        cr.execute(
            SQL(
                """SELECT COUNT(DISTINCT g.id), COUNT(DISTINCT r.partner_id)
                     FROM hygiene_duplicate_group g
                     JOIN hygiene_duplicate_group_partner_rel r ON r.group_id = g.id
                    WHERE g.state = 'pending' AND %s""",
                self._hygiene_company_sql("g", company, single),
            )
        )
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

        def rate(part, whole):
            return round(100.0 * part / whole, 1) if whole else 0.0

        values = []
        # contacts by source channel
        cr.execute(
            SQL(
                """SELECT COALESCE(src.name->>%s, src.name->>'en_US', ''), COUNT(*)
                     FROM res_partner p LEFT JOIN hygiene_source src ON src.id = p.hygiene_source_id
                    WHERE p.active AND %s GROUP BY 1 ORDER BY 2 DESC""",
                self.env.lang or "en_US",
                where_p,
            )
        )
        for name, count in cr.fetchall():
            values.append(("contacts_by_source", name or self.env._("No known source"), count))
        # consent coverage per purpose: share of the contacts with a proven grant
        cr.execute(
            SQL(
                """SELECT pu.id, COUNT(cs.id) FILTER (WHERE cs.state = 'granted')
                     FROM hygiene_purpose pu
                LEFT JOIN hygiene_consent_state cs ON cs.purpose_id = pu.id
                LEFT JOIN res_partner p ON p.id = cs.partner_id
                    WHERE pu.active AND (cs.id IS NULL OR (p.active AND %s))
                 GROUP BY pu.id""",
                where_p,
            )
        )
        purposes = self.env["hygiene.purpose"].sudo()
        coverage_total = 0
        for purpose_id, granted in cr.fetchall():
            coverage_total += granted
            values.append(
                ("consent_coverage", purposes.browse(purpose_id).name, rate(granted, contacts))
            )
        mailing_values, unsub_30, unsub_rate_30 = self._hygiene_unsubscribe_values(company, single)
        values += mailing_values
        snapshot = self.sudo().create(
            {
                "date": now,
                "kind": kind,
                "company_id": company.id,
                "previous_id": previous.id,
                "contacts": contacts,
                "email_valid_rate": rate(email_ok, scored),
                "phone_valid_rate": rate(phone_ok, scored),
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
                "unsubscribes_30d": unsub_30,
                "unsubscribe_rate_30d": unsub_rate_30,
                "unsubscribe_alert": unsub_rate_30 > UNSUBSCRIBE_ALERT_PERCENT,
            }
        )
        scalar = {
            "contacts": contacts,
            "email_valid_rate": snapshot.email_valid_rate,
            "phone_valid_rate": snapshot.phone_valid_rate,
            "quality_avg": snapshot.quality_avg,
            "engagement_avg": snapshot.engagement_avg,
            "duplicates_pending": dup_contacts,
            "inactive_retention": inactive,
            "suppressed": suppressed,
            "do_not_solicit": dns,
        }
        previous_values = {(v.kpi, v.dimension or ""): v.value for v in previous.value_ids}
        lines = [(kpi, "", value) for kpi, value in scalar.items()] + values
        self.env["hygiene.kpi.value"].sudo().create(
            [
                {
                    "snapshot_id": snapshot.id,
                    "kpi": kpi,
                    "dimension": dimension,
                    "value": value,
                    "previous_value": previous_values.get((kpi, dimension or "")),
                }
                for kpi, dimension, value in lines
            ]
        )
        self.env["hygiene.kpi.cause"].sudo()._hygiene_attribute(snapshot, previous, company, single)
        return snapshot

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
                          FROM hygiene_optout o WHERE %s GROUP BY 1)
                 SELECT to_char(sent.month, 'YYYY-MM'), sent.sent, COALESCE(outs.outs, 0)
                   FROM sent LEFT JOIN outs ON outs.month = sent.month ORDER BY 1""",
                where_o,
            )
        )
        for month, sent, outs in cr.fetchall():
            values.append(("unsubscribe_rate_month", month, round(100.0 * outs / sent, 2)))
        cr.execute(
            SQL(
                """SELECT (SELECT COUNT(*) FROM hygiene_optout o
                            WHERE o.date >= NOW() - INTERVAL '30 days' AND %s),
                          (SELECT COUNT(*) FROM mailing_trace
                            WHERE sent_datetime >= NOW() - INTERVAL '30 days')""",
                where_o,
            )
        )
        outs, sent = cr.fetchone()
        return values, outs, round(100.0 * outs / sent, 2) if sent else 0.0


class HygieneKpiValue(models.Model):
    """One figure of a snapshot (by source, purpose, mailing or month): the history that the
    pivot and graph views show over time."""

    _name = "hygiene.kpi.value"
    _description = "Data Quality Figure"
    _order = "date desc, kpi, dimension"
    _rec_name = "kpi"

    snapshot_id = fields.Many2one(
        "hygiene.kpi.snapshot", required=True, ondelete="cascade", index=True, readonly=True
    )
    date = fields.Datetime(related="snapshot_id.date", store=True, string="Date")
    company_id = fields.Many2one(related="snapshot_id.company_id", store=True)
    kpi = fields.Selection(KPIS, required=True, readonly=True, string="Indicator")
    dimension = fields.Char(readonly=True, string="Detail")
    value = fields.Float(readonly=True, aggregator="sum", digits=(16, 2))
    previous_value = fields.Float(readonly=True, string="Before", digits=(16, 2))
    delta = fields.Float(
        compute="_compute_delta", store=True, string="Change", digits=(16, 2), aggregator="sum"
    )

    @api.depends("value", "previous_value")
    def _compute_delta(self):
        for line in self:
            line.delta = line.value - (line.previous_value or 0.0)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Snapshots are taken by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("A snapshot cannot be changed."))
        return super().write(vals)


class HygieneKpiCause(models.Model):
    """What moved the figures between two snapshots: each import, merge and purge in between,
    with the contacts it added or removed; the rest is "other changes"."""

    _name = "hygiene.kpi.cause"
    _description = "Data Quality Change Cause"
    _order = "snapshot_id desc, date, id"

    snapshot_id = fields.Many2one(
        "hygiene.kpi.snapshot", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="snapshot_id.company_id", store=True)
    kind = fields.Selection(CAUSES, required=True, readonly=True)
    date = fields.Datetime(readonly=True)
    name = fields.Char(readonly=True, string="Operation")
    contacts_delta = fields.Integer(readonly=True, string="Contacts Added / Removed")
    import_batch_id = fields.Many2one("hygiene.import.batch", readonly=True, ondelete="set null")
    merge_journal_id = fields.Many2one("hygiene.merge.journal", readonly=True, ondelete="set null")
    journal_id = fields.Many2one("hygiene.journal", readonly=True, ondelete="set null")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Snapshots are taken by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("A snapshot cannot be changed."))
        return super().write(vals)

    def action_open_operation(self):
        self.ensure_one()
        record = self.import_batch_id or self.merge_journal_id or self.journal_id
        if not record:
            return False
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _hygiene_attribute(self, snapshot, previous, company, single):
        """Link the imports, merges and purges run since ``previous`` to ``snapshot``, with the
        contacts each one added (created by the import) or removed (merged away, anonymised,
        deleted or archived); the remainder of the change is "other changes"."""
        cr = self.env.cr
        if not previous:
            return self.browse()  # the first snapshot is the "before" of everything
        # Datetimes are stored to the second: an operation of the same second as the previous
        # snapshot is taken here unless it was already attributed to it.
        since = previous.date - timedelta(seconds=1)
        until = snapshot.date
        vals_list = []
        snapshot_company = self.env["hygiene.kpi.snapshot"]
        cr.execute(
            SQL(
                """SELECT b.id, b.name, b.write_date, COUNT(DISTINCT o.partner_id)
                     FROM hygiene_import_batch b
                LEFT JOIN hygiene_partner_origin o ON o.import_batch_id = b.id
                LEFT JOIN res_partner p ON p.id = o.partner_id
                          AND p.create_date >= %(since)s AND p.create_date <= %(until)s
                    WHERE b.state = 'done' AND %(company)s
                      AND b.write_date >= %(since)s AND b.write_date <= %(until)s
                      AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c
                                       WHERE c.import_batch_id = b.id)
                      AND (p.id IS NOT NULL OR o.id IS NULL)
                 GROUP BY b.id""",
                since=since,
                until=until,
                company=snapshot_company._hygiene_company_sql("b", company, single),
            )
        )
        for batch_id, name, date, created in cr.fetchall():
            vals_list.append(
                {
                    "kind": "import",
                    "import_batch_id": batch_id,
                    "name": name,
                    "date": date,
                    "contacts_delta": created,
                }
            )
        cr.execute(
            SQL(
                """SELECT j.id, j.date, j.source_count FROM hygiene_merge_journal j
                    WHERE j.date >= %(since)s AND j.date <= %(until)s
                      AND j.state != 'undone' AND %(company)s
                      AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c
                                       WHERE c.merge_journal_id = j.id)""",
                since=since,
                until=until,
                company=snapshot_company._hygiene_company_sql("j", company, single),
            )
        )
        for journal_id, date, merged in cr.fetchall():
            vals_list.append(
                {
                    "kind": "merge",
                    "merge_journal_id": journal_id,
                    "name": self.env._("Merge #%(id)s", id=journal_id),
                    "date": date,
                    "contacts_delta": -(merged or 0),
                }
            )
        cr.execute(
            SQL(
                """SELECT j.id, j.date, j.operation, j.policy_name, j.record_count
                     FROM hygiene_journal j
                    WHERE j.operation IN ('anonymize', 'delete', 'archive')
                      AND j.date >= %(since)s AND j.date <= %(until)s
                      AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c
                                       WHERE c.journal_id = j.id)""",
                since=since,
                until=until,
            )
        )
        labels = dict(
            self.env["hygiene.journal"]._fields["operation"]._description_selection(self.env)
        )
        for journal_id, date, operation, policy, count in cr.fetchall():
            # an anonymised contact stays in the base (emptied); deleted and archived ones leave
            removed = 0 if operation == "anonymize" else (count or 0)
            vals_list.append(
                {
                    "kind": "purge",
                    "journal_id": journal_id,
                    "name": " - ".join(filter(None, [labels.get(operation), policy])),
                    "date": date,
                    "contacts_delta": -removed,
                }
            )
        explained = sum(vals["contacts_delta"] for vals in vals_list)
        other = snapshot.contacts - previous.contacts - explained
        if other:
            vals_list.append(
                {
                    "kind": "other",
                    "name": self.env._("Contacts created, archived or restored by hand"),
                    "date": until,
                    "contacts_delta": other,
                }
            )
        for vals in vals_list:
            vals["snapshot_id"] = snapshot.id
        return self.create(vals_list)


class HygieneOptout(models.Model):
    """An unsubscribe linked to the mailing that carried it (Odoo keeps only the list and the
    date): the unsubscribe rate per mailing and per month comes from these rows."""

    _name = "hygiene.optout"
    _description = "Unsubscribe Linked to Its Mailing"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    kind = fields.Selection(
        [("list", "Unsubscribed from a list"), ("blocklist", "Blocked every mailing")],
        required=True,
        readonly=True,
    )
    mailing_id = fields.Integer(readonly=True, index="btree_not_null", string="Mailing Id")
    mailing_name = fields.Char(readonly=True, string="Mailing")
    list_name = fields.Char(readonly=True, string="Mailing List")
    partner_id = fields.Many2one("res.partner", readonly=True, ondelete="set null", index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    count = fields.Integer(default=1, readonly=True, aggregator="sum", string="Unsubscribes")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Unsubscribes are recorded by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("An unsubscribe record cannot be changed."))
        return super().write(vals)

    @api.model
    def _hygiene_current_mailing(self):
        """The mailing of the unsubscribe being processed: the one in the route
        (``/mailing/<id>/...``, whose token the controller has checked) or in the request's
        parameters, or the ``hygiene_mailing_id`` of the context (server-side callers)."""
        mailing_id = self.env.context.get("hygiene_mailing_id")
        if not mailing_id:
            from odoo.http import request

            if request:
                match = _MAILING_PATH.match(request.httprequest.path or "")
                if match:
                    mailing_id = int(match.group(1))
                else:
                    try:
                        mailing_id = int(request.params.get("mailing_id") or 0)
                    except (TypeError, ValueError, AttributeError):
                        mailing_id = 0
        if not mailing_id or "mailing.mailing" not in self.env:
            return None
        mailing = self.env["mailing.mailing"].sudo().browse(mailing_id).exists()
        return mailing or None

    @api.model
    def _hygiene_record(self, kind, emails, lists=None):
        """Record one unsubscribe per email (and list); called from the hooks on
        ``mailing.subscription`` and ``mail.blacklist``."""
        mailing = self._hygiene_current_mailing()
        Partner = self.env["res.partner"].sudo()
        vals_list = []
        for email, list_name in emails:
            partner = Partner._hygiene_find_by_email(email) if email else Partner
            vals_list.append(
                {
                    "kind": kind,
                    "mailing_id": mailing.id if mailing else False,
                    "mailing_name": mailing.subject if mailing else False,
                    "list_name": list_name or False,
                    "partner_id": partner.id,
                    "company_id": partner.company_id.id or self.env.company.id,
                }
            )
        if vals_list:
            self.sudo().create(vals_list)


class Base(models.AbstractModel):
    """Unsubscribes of Email Marketing caught on ``base`` (the addon does not depend on it):
    a subscription set to opt-out, an address added to the blocklist."""

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if self._name == "mailing.subscription":
            optouts = records.filtered("opt_out")
            if optouts:
                self.env["hygiene.optout"]._hygiene_record(
                    "list", [(s.contact_id.email, s.list_id.name) for s in optouts.sudo()]
                )
        elif self._name == "mail.blacklist":
            active = records.filtered("active")
            if active:
                self.env["hygiene.optout"]._hygiene_record(
                    "blocklist", [(r.email, False) for r in active.sudo()]
                )
        return records

    def write(self, vals):
        if self._name == "mailing.subscription" and vals.get("opt_out"):
            before = self.filtered(lambda s: not s.opt_out)
            result = super().write(vals)
            if before:
                self.env["hygiene.optout"]._hygiene_record(
                    "list", [(s.contact_id.email, s.list_id.name) for s in before.sudo()]
                )
            return result
        if self._name == "mail.blacklist" and vals.get("active"):
            before = self.filtered(lambda r: not r.active)
            result = super().write(vals)
            if before:
                self.env["hygiene.optout"]._hygiene_record(
                    "blocklist", [(r.email, False) for r in before.sudo()]
                )
            return result
        return super().write(vals)
