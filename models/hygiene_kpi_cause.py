"""The figures of a snapshot and the operations that moved them (issue 18)."""

from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .hygiene_kpi_snapshot import CAUSES, KPIS

IMPORT_CAUSES_QUERY = """
    SELECT b.id, b.name, b.write_date,
           (SELECT COUNT(DISTINCT l.result_partner_id) FROM hygiene_import_line l
             WHERE l.batch_id = b.id AND l.decision = 'create'
               AND l.result_partner_id IS NOT NULL)
      FROM hygiene_import_batch b
     WHERE b.state = 'done' AND %(company)s AND %(which)s
       AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c WHERE c.import_batch_id = b.id)"""
MERGE_CAUSES_QUERY = """
    SELECT j.id, j.date, j.source_count FROM hygiene_merge_journal j
     WHERE %(which)s AND j.state != 'undone' AND %(company)s
       AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c WHERE c.merge_journal_id = j.id)"""
# The journal has no company: an entry belongs to its policy's company, else (an officer's own
# erasure, a policy for every company) to its actor's; never to another company's snapshot.
PURGE_CAUSES_QUERY = """
    SELECT j.id, j.date, j.operation, j.policy_name, j.record_count
      FROM hygiene_journal j
 LEFT JOIN hygiene_retention_policy pol ON pol.id = j.policy_id
 LEFT JOIN res_users u ON u.id = j.user_id
     WHERE j.operation IN ('anonymize', 'delete', 'archive')
       AND j.date >= %(since)s AND j.date <= %(until)s
       AND %(company)s
       AND NOT EXISTS (SELECT 1 FROM hygiene_kpi_cause c WHERE c.journal_id = j.id)"""


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
    dimension = fields.Char(readonly=True, string="Detail", translate=True)
    value = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
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
    def _hygiene_attribute(self, snapshot, previous, company, single, operations=None):
        """Link the imports, merges and purges run since ``previous`` to ``snapshot``, with the
        contacts each one added (created by the import) or removed (merged away, deleted or
        archived); the remainder of the change is "other changes"."""
        if not previous and snapshot.kind in ("daily", "manual"):
            return self.browse()  # the first snapshot is the "before" of everything
        # Datetimes are stored to the second: an operation of the same second as the previous
        # snapshot is taken here unless it was already attributed to it. The first snapshot,
        # taken by an engine, still names the operation that took it.
        since = previous.date - timedelta(seconds=1) if previous else datetime(1970, 1, 1)
        # (and the until is a second later: a write_date keeps its microseconds)
        window = {"since": since, "until": snapshot.date + timedelta(seconds=1)}
        company_sql = self.env["hygiene.kpi.snapshot"]._hygiene_company_sql
        # the operations done since, by their date; and the one of the engine that takes the
        # snapshot (``operations``: an import batch, merge journals) by its id, whatever the
        # clock of its transaction
        dated = {
            alias: SQL(
                "%s.%s BETWEEN %s AND %s",
                SQL.identifier(alias),
                SQL.identifier(column),
                window["since"],
                window["until"],
            )
            for alias, column in (("b", "write_date"), ("j", "date"))
        }
        alias = operations and {"hygiene.import.batch": "b", "hygiene.merge.journal": "j"}.get(
            operations._name
        )
        if alias:
            dated[alias] = SQL(
                "(%s OR %s.id IN %s)", dated[alias], SQL.identifier(alias), tuple(operations.ids)
            )
        vals_list = (
            self._hygiene_import_causes(dated["b"], company_sql("b", company, single))
            + self._hygiene_merge_causes(dated["j"], company_sql("j", company, single))
            + self._hygiene_purge_causes(window, self._hygiene_purge_company_sql(company, single))
        )
        explained = sum(vals["contacts_delta"] for vals in vals_list)
        other = snapshot.contacts - previous.contacts - explained
        if other and previous:
            vals_list.append(
                {
                    "kind": "other",
                    "name": self.env._("Contacts created, archived or restored by hand"),
                    "date": snapshot.date,
                    "contacts_delta": other,
                }
            )
        for vals in vals_list:
            vals["snapshot_id"] = snapshot.id
        return self.create(vals_list)

    @api.model
    def _hygiene_import_causes(self, which, company):
        self.env.cr.execute(SQL(IMPORT_CAUSES_QUERY, company=company, which=which))
        return [
            {
                "kind": "import",
                "import_batch_id": batch_id,
                "name": name,
                "date": date,
                "contacts_delta": created,
            }
            for batch_id, name, date, created in self.env.cr.fetchall()
        ]

    @api.model
    def _hygiene_merge_causes(self, which, company):
        self.env.cr.execute(SQL(MERGE_CAUSES_QUERY, company=company, which=which))
        return [
            {
                "kind": "merge",
                "merge_journal_id": journal_id,
                "name": self.env._("Merge #%(id)s", id=journal_id),
                "date": date,
                "contacts_delta": -(merged or 0),
            }
            for journal_id, date, merged in self.env.cr.fetchall()
        ]

    @api.model
    def _hygiene_purge_company_sql(self, company, single):
        if single:
            return SQL("TRUE")
        return SQL("COALESCE(pol.company_id, u.company_id) = %s", company.id)

    @api.model
    def _hygiene_purge_causes(self, window, company=None):
        company = company if company is not None else SQL("TRUE")
        self.env.cr.execute(SQL(PURGE_CAUSES_QUERY, company=company, **window))
        Journal = self.env["hygiene.journal"]
        labels = dict(Journal._fields["operation"]._description_selection(self.env))
        return [
            {
                "kind": "purge",
                "journal_id": journal_id,
                "name": " - ".join(filter(None, [labels.get(operation), policy])),
                "date": date,
                # an anonymised contact stays in the base (emptied); deleted and archived leave
                "contacts_delta": 0 if operation == "anonymize" else -(count or 0),
            }
            for journal_id, date, operation, policy, count in self.env.cr.fetchall()
        ]
