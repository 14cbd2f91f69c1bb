from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.actions import notification

PREVIEW_LIMIT = 200


class HygieneRetentionPreview(models.TransientModel):
    """Who a retention run would touch today, and why, without changing anything."""

    _name = "hygiene.retention.preview"
    _description = "Retention Run Preview"

    policy_ids = fields.Many2many(
        "hygiene.retention.policy",
        string="Policies",
        default=lambda self: self.env["hygiene.retention.policy"]._hygiene_active_policies(),
        help="Active policies to preview (all by default).",
    )
    line_ids = fields.One2many("hygiene.retention.preview.line", "wizard_id", string="Contacts")
    due_count = fields.Integer(string="Due Now", readonly=True)
    refused_count = fields.Integer(
        string="Human Decision Needed",
        readonly=True,
        help="Due contacts linked to an internal user: never processed automatically.",
    )
    unclassified_count = fields.Integer(string="Unclassified Contacts", readonly=True)
    base_count = fields.Integer(string="Active Contacts", readonly=True)
    valve_percent = fields.Float(string="Safety Valve (%)", readonly=True)
    valve_stops = fields.Boolean(
        string="The Safety Valve Would Stop the Run",
        readonly=True,
        help="More contacts are due than the share of the base allowed in one run.",
    )
    truncated = fields.Boolean(readonly=True)
    no_active_policy = fields.Boolean(
        string="No Active Policy",
        readonly=True,
        help="Every retention policy is inactive: no contact is classified and no run touches "
        "anyone.",
    )

    @api.model
    def _hygiene_internal_sql(self):
        return SQL("(SELECT u.partner_id FROM res_users u WHERE NOT u.share)")

    def action_refresh(self):
        """Fill the lines; reads only (apart from these transient lines)."""
        self.ensure_one()
        self.env["hygiene.retention.policy"]._hygiene_check_officer()
        Partner = self.env["res.partner"].sudo()
        Policy = self.env["hygiene.retention.policy"]
        policies = Policy._hygiene_active_policies() & self.policy_ids.sudo()
        today = fields.Date.context_today(self)
        lines = []
        due_total = refused_total = 0
        truncated = False
        for policy in policies:
            due_domain = policy._hygiene_due_partners_domain(today)
            due_total += Partner.search_count(due_domain)
            partners = Partner.search(due_domain, limit=PREVIEW_LIMIT, order="id")
            internal_domain = policy._hygiene_due_partners_domain(today, exclude=False) + [
                ("id", "in", self._hygiene_internal_sql())
            ]
            refused_total += Partner.search_count(internal_domain)
            refused = Partner.search(internal_domain, limit=PREVIEW_LIMIT, order="id")
            truncated = truncated or len(partners) == PREVIEW_LIMIT
            lines += self._hygiene_preview_lines(policy, partners, refused)
        base = Partner.search_count([])
        percent = Policy._hygiene_valve_percent()
        # the same rule as the run (hygiene.retention.policy._hygiene_valve_check): above the
        # share, the run stops before touching anyone, so no row "will be processed"
        valve_stops = bool(due_total) and not (base and due_total * 100.0 <= percent * base)
        if valve_stops:
            for vals in lines:
                if vals["outcome"] == "run":
                    vals["outcome"] = "stopped"
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": [fields.Command.create(vals) for vals in lines],
                "due_count": due_total,
                "refused_count": refused_total,
                "unclassified_count": Partner.search_count(Policy._hygiene_unclassified_domain()),
                "base_count": base,
                "valve_percent": percent,
                "valve_stops": valve_stops,
                "truncated": truncated,
                "no_active_policy": not Policy._hygiene_active_policies(),
            }
        )
        return self._action_open()

    def action_run_now(self):
        """Apply Now: one batch of the daily run (the same engine, the same safety valve) on
        the previewed policies; then say what happened in numbers and open the operations
        journal, where every contact processed is recorded."""
        self.ensure_one()
        Policy = self.env["hygiene.retention.policy"]
        Policy._hygiene_check_officer()
        policies = Policy._hygiene_active_policies() & self.policy_ids
        report = policies._hygiene_run_batch()
        outcome = {"held": 0, "refused": 0, "failed": 0}
        for result in report["results"].values():
            for key in outcome:
                outcome[key] += len(result.get(key, ()))
        if report["stopped"]:
            title = self.env._("Retention run stopped by the safety valve")
            kind = "warning"
            message = self.env._(
                "%(due)s contacts are due, more than %(percent)s %% of the %(base)s active "
                "contacts: nobody was processed. The privacy officers were told.",
                due=report["stopped"]["due"],
                percent=report["stopped"]["percent_limit"],
                base=report["stopped"]["base"],
            )
        else:
            title = self.env._("Retention run done")
            kind = "warning" if outcome["refused"] or outcome["failed"] else "success"
            message = self.env._(
                "%(done)s contacts processed (%(held)s of them partially, under a legal hold), "
                "%(refused)s refused (decide by hand), %(failed)s failed; %(remaining)s still "
                "due (the daily run goes on).",
                done=report["done"],
                remaining=report["remaining"],
                **outcome,
            )
        journal = self.env["ir.actions.act_window"]._for_xml_id(
            "partner_data_hygiene.hygiene_journal_action"
        )
        return notification(
            message, title=title, kind=kind, next_action=journal, sticky=kind == "warning"
        )

    def _hygiene_preview_lines(self, policy, partners, refused):
        """The lines of ``policy``: the contacts due (``partners``) and refused (``refused``)
        that the officer may read (the counts cover the whole run)."""
        Policy = self.env["hygiene.retention.policy"]
        lines = []
        info = Policy._hygiene_classify((partners | refused).ids)
        # the lines name only contacts the officer may read (the counts cover the run)
        readable = (
            (partners | refused)
            .with_env(self.env)
            .with_context(active_test=False)
            ._filtered_access("read")
        )
        for partner in (partners | refused) & readable.with_env(partners.env):
            __, start, due = info.get(partner.id, (policy, False, False))
            lines.append(
                {
                    "policy_id": policy.id,
                    "partner_id": partner.id,
                    "start_date": start,
                    "due_date": due,
                    "outcome": "refused" if partner in refused else "run",
                }
            )
        return lines

    def _action_open(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Retention Preview"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_unclassified(self):
        self.check_access("read")
        return self._hygiene_open_unclassified()

    def action_view_policies(self):
        self.check_access("read")
        return self.env["ir.actions.act_window"]._for_xml_id(
            "partner_data_hygiene.hygiene_retention_policy_action"
        )

    @api.model
    def _hygiene_open_unclassified(self):
        """The Unclassified Contacts screen; when every policy is inactive its title says so:
        then every contact is unclassified, which is not a defect of the contacts."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "partner_data_hygiene.hygiene_unclassified_partner_action"
        )
        if not self.env["hygiene.retention.policy"]._hygiene_active_policies():
            # the web client titles the screen with display_name when the action has one
            action["name"] = action["display_name"] = self.env._(
                "Unclassified Contacts: no retention policy is active, activate one"
            )
        return action


class HygieneRetentionPreviewLine(models.TransientModel):
    _name = "hygiene.retention.preview.line"
    _description = "Retention Run Preview Line"
    _order = "policy_id, due_date, id"

    wizard_id = fields.Many2one("hygiene.retention.preview", required=True, ondelete="cascade")
    policy_id = fields.Many2one("hygiene.retention.policy", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    start_event = fields.Selection(related="policy_id.start_event")
    start_date = fields.Datetime(readonly=True)
    due_date = fields.Date(readonly=True)
    end_action = fields.Selection(related="policy_id.end_action")
    outcome = fields.Selection(
        [
            ("run", "Will be processed"),
            ("stopped", "Stopped by the safety valve"),
            ("refused", "Internal user: human decision"),
        ],
        readonly=True,
    )
