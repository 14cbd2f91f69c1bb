from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..const import GROUP_STEWARD


class ResPartner(models.Model):
    """The retention policy that applies to each contact and the date it falls due.

    Nothing here is stored: a category is any domain on contacts and changes with them, so the
    policy and due date are computed for a whole page of contacts at once (one query per active
    policy and one per start event) and searched with SQL subqueries.
    """

    _inherit = "res.partner"

    hygiene_is_customer = fields.Boolean(
        string="Customer (order or invoice)",
        compute="_compute_hygiene_is_customer",
        search="_search_hygiene_is_customer",
        help="Has a confirmed sales order or a posted customer invoice (when Sales or Invoicing "
        "are installed); without those apps, nobody is a customer.",
    )
    hygiene_retention_policy_id = fields.Many2one(
        "hygiene.retention.policy",
        string="Retention Policy",
        compute="_compute_hygiene_retention",
        search="_search_hygiene_retention_policy_id",
        groups=GROUP_STEWARD,
        help="The active policy of highest priority whose category matches the contact; empty "
        "for an unclassified contact.",
    )
    hygiene_retention_start_date = fields.Datetime(
        string="Retention Start",
        compute="_compute_hygiene_retention",
        groups=GROUP_STEWARD,
        help="Date of the start event of the policy (last activity, collection, last order or "
        "invoice).",
    )
    hygiene_retention_due_date = fields.Date(
        string="Retention Due Date",
        compute="_compute_hygiene_retention",
        search="_search_hygiene_retention_due_date",
        groups=GROUP_STEWARD,
        help="When the end action of the policy applies to the contact.",
    )
    hygiene_retention_action = fields.Selection(
        related="hygiene_retention_policy_id.end_action",
        string="Retention End Action",
        groups=GROUP_STEWARD,
    )
    hygiene_repermission_sent_date = fields.Datetime(
        string="Re-permission Asked On",
        readonly=True,
        copy=False,
        groups=GROUP_STEWARD,
        help="When the person was last asked whether they want to stay; asked once per "
        "retention period.",
    )

    # ------------------------------------------------------------------ customer

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

    def _compute_hygiene_is_customer(self):
        subquery = self._hygiene_customer_ids_sql()
        ids = [pid for pid in self.ids if isinstance(pid, int)]
        customers = set()
        if subquery and ids:
            self.env.flush_all()
            self.env.cr.execute(
                SQL("SELECT id FROM res_partner WHERE id = ANY(%s) AND id IN %s", ids, subquery)
            )
            customers = {row[0] for row in self.env.cr.fetchall()}
        for partner in self:
            partner.hygiene_is_customer = partner.id in customers

    def _search_hygiene_is_customer(self, operator, value):
        if operator not in ("=", "!="):
            return expression.FALSE_DOMAIN
        positive = bool(value) == (operator == "=")
        subquery = self._hygiene_customer_ids_sql()
        if subquery is None:
            return expression.FALSE_DOMAIN if positive else expression.TRUE_DOMAIN
        return [("id", "in" if positive else "not in", subquery)]

    # ------------------------------------------------------------------ retention

    def _compute_hygiene_retention(self):
        info = self.env["hygiene.retention.policy"]._hygiene_classify(self.ids)
        for partner in self:
            policy, start, due = info.get(partner.id, (False, False, False))
            partner.hygiene_retention_policy_id = policy
            partner.hygiene_retention_start_date = start
            partner.hygiene_retention_due_date = due

    def _search_hygiene_retention_policy_id(self, operator, value):
        Policy = self.env["hygiene.retention.policy"]
        if operator in ("=", "!=") and not value:
            unclassified = Policy._hygiene_unclassified_domain()
            if operator == "!=":
                return expression.distribute_not(["!", *expression.normalize_domain(unclassified)])
            return unclassified
        if isinstance(value, str):
            name_op = "=ilike" if operator in ("=", "!=") else "ilike"
            targets = Policy.sudo().search([("name", name_op, value)])
        else:
            ids = value if isinstance(value, list | tuple) else [value]
            targets = Policy.sudo().browse([i for i in ids if i])
        domains = [p._hygiene_applies_domain() for p in targets if p._hygiene_domain() is not None]
        domain = expression.OR(domains) if domains else expression.FALSE_DOMAIN
        if operator in ("!=", "not in", "not ilike"):
            Partner = self.sudo().with_context(active_test=False)
            return [("id", "not in", Partner._search(domain))]
        return domain

    def _search_hygiene_retention_due_date(self, operator, value):
        Policy = self.env["hygiene.retention.policy"]
        if value is False or value is None:
            # "no due date" = unclassified, "has a due date" = classified
            return self._search_hygiene_retention_policy_id(operator, False)
        return Policy._hygiene_due_domain(operator, value)

    @api.model
    def _hygiene_retention_exclusion_domain(self):
        """Contacts a retention run never picks: those of internal users (a human decides) and
        the companies' own partners.

        Meant to be extended by the engine (e.g. contacts already anonymised or under hold).
        """
        internal = SQL("(SELECT u.partner_id FROM res_users u WHERE NOT u.share)")
        companies = SQL("(SELECT c.partner_id FROM res_company c)")
        return [("id", "not in", internal), ("id", "not in", companies)]
