import ast
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..const import (
    GROUP_OFFICER,
)

_logger = logging.getLogger(__name__)

# Fields of the retention engine itself, refused in a policy's category.
ENGINE_FIELD_PREFIXES = ("hygiene_retention", "hygiene_hold")


def _domain_paths(domain):
    """Every field path of ``domain``, nested ``any`` domains included."""
    for term in domain:
        if isinstance(term, list | tuple) and len(term) == 3 and isinstance(term[0], str):
            yield term[0]
            if term[1] in ("any", "not any") and isinstance(term[2], list | tuple):
                yield from _domain_paths(term[2])


START_EVENTS = [
    ("last_activity", "Last activity of the person"),
    ("collection_date", "Collection date"),
    ("last_order_invoice", "Last order or invoice"),
]
END_ACTIONS = [
    ("anonymize", "Anonymise"),
    ("delete", "Delete"),
    ("archive", "Move to the restricted archive"),
]
# Leaves that every partner satisfies, whatever the data (a category made of them covers the
# whole base). The dynamic check of _hygiene_check_domain catches the others on the real base.
TAUTOLOGIES = {
    (1, "=", 1),
    ("id", "!=", False),
    ("id", "!=", 0),
    ("id", ">", 0),
    ("id", ">=", 0),
    ("id", ">=", 1),
    ("create_date", "!=", False),
    ("active", "in", (True, False)),
    ("active", "in", (False, True)),
}


def _always_true(domain):
    """True when the normalised prefix ``domain`` holds for any record (syntactic check)."""

    def walk(index):
        token = domain[index]
        if token in ("&", "|"):
            left, index = walk(index + 1)
            right, index = walk(index)
            return (left and right) if token == "&" else (left or right), index
        if token == "!":
            __, index = walk(index + 1)
            return False, index  # a negation is never a tautology we can prove cheaply
        try:
            leaf = tuple(tuple(item) if isinstance(item, list) else item for item in token)
            return leaf in TAUTOLOGIES, index + 1
        except TypeError:  # unhashable values: not one of the known tautologies
            return False, index + 1

    result, __ = walk(0)
    return result


class HygieneRetentionPolicy(models.Model):
    """How long a category of contacts is kept, from which event, and what happens then.

    The category is a domain stored as a literal: it is parsed with ``ast.literal_eval`` and
    checked with ``odoo.osv.expression``, never evaluated as code. When several active policies
    match a contact, the one with the lowest priority number applies; contacts matched by none
    are "unclassified" and listed as such (never silently kept).
    """

    _name = "hygiene.retention.policy"
    _description = "Retention Policy"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        tracking=True,
        index=True,
        help="The company (controller) whose contacts this policy applies to, with the contacts "
        "shared by all companies. Empty: every company.",
    )
    sequence = fields.Integer(
        string="Priority",
        default=10,
        tracking=True,
        help="When several policies match a contact, the one with the lowest number applies.",
    )
    domain = fields.Char(
        string="Category",
        required=True,
        default="[]",
        tracking=True,
        help="Which contacts this policy covers, as a domain literal (never evaluated as code).",
    )
    start_event = fields.Selection(
        START_EVENTS,
        required=True,
        default="last_activity",
        tracking=True,
        help="Last activity: the last contact coming from the person (falls back to the "
        "collection date, then to the creation date, when the person never showed up). "
        "Collection date: when the contact was first collected (falls back to the creation "
        "date). Last order or invoice: the latest confirmed sales order or posted customer "
        "invoice when Sales or Invoicing are installed; without them, or for a contact without "
        "any, the last activity.",
    )
    duration_months = fields.Integer(
        string="Duration (months)", required=True, default=36, tracking=True
    )
    end_action = fields.Selection(END_ACTIONS, required=True, default="anonymize", tracking=True)
    repermission_days = fields.Integer(
        string="Re-permission (days before expiry)",
        tracking=True,
        help="Send a mail asking the person whether they want to stay this many days before the "
        "end of the retention period; 0 sends nothing.",
    )
    repermission_template_id = fields.Many2one(
        "mail.template",
        string="Re-permission Mail",
        domain="[('model', '=', 'hygiene.repermission')]",
        default=lambda self: self.env.ref(
            "partner_data_hygiene.mail_template_repermission", raise_if_not_found=False
        ),
    )
    repermission_purpose_id = fields.Many2one(
        "hygiene.purpose",
        string="Re-permission Purpose",
        default=lambda self: self.env.ref(
            "partner_data_hygiene.purpose_keep_contact", raise_if_not_found=False
        ),
        help="The purpose of the consent event recorded when the person answers yes.",
    )
    partner_count = fields.Integer(
        string="Contacts", compute="_compute_partner_count", compute_sudo=False
    )
    due_count = fields.Integer(
        string="Due Now", compute="_compute_partner_count", compute_sudo=False
    )

    # ------------------------------------------------------------------ validation

    @api.model
    def _hygiene_parse_domain(self, text):
        """The normalised domain of the literal ``text``; a clear error when it is not one."""
        text = (text or "").strip()
        try:
            domain = ast.literal_eval(text) if text else []
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ValidationError(
                self.env._(
                    "The category %(domain)s is not a valid domain: write it as a list of "
                    'conditions with literal values only, e.g. [("is_company", "=", False)].',
                    domain=text,
                )
            ) from None
        if not isinstance(domain, list | tuple) or not domain:
            raise ValidationError(
                self.env._(
                    "The category of a retention policy cannot be empty: an empty domain would "
                    "cover every contact. Give at least one condition."
                )
            )
        bad_value = self._hygiene_bad_value(domain)
        if bad_value is not None:
            raise ValidationError(
                self.env._(
                    "The category %(domain)s holds a value a condition cannot compare to: "
                    "%(value)s. Use text, numbers, True/False or lists of them.",
                    domain=text,
                    value=repr(bad_value),
                )
            )
        self._hygiene_check_engine_paths(domain, text)
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        try:
            normalized = expression.normalize_domain(list(domain))
            # builds the SQL: unknown fields, operators and malformed terms raise here
            Partner._search(normalized)
        except (ValueError, TypeError, AssertionError, KeyError, IndexError, AttributeError) as e:
            raise ValidationError(
                self.env._(
                    "The category %(domain)s is not a valid domain on contacts: %(error)s",
                    domain=text,
                    error=e,
                )
            ) from None
        return normalized

    @api.model
    def _hygiene_check_engine_paths(self, domain, text):
        """Refuse a category filtering on the retention engine's own fields."""
        engine_field = next(
            (
                path
                for path in _domain_paths(domain)
                if any(name.startswith(ENGINE_FIELD_PREFIXES) for name in path.split("."))
            ),
            None,
        )
        if engine_field:
            # the retention engine's own fields would make policies depend on each other (a
            # rename could close a cycle): a category is about the contacts themselves
            raise ValidationError(
                self.env._(
                    "The category %(domain)s filters on %(field)s, which the retention engine "
                    "computes: describe the contacts by their own fields.",
                    domain=text,
                    field=engine_field,
                )
            )

    @api.model
    def _hygiene_bad_value(self, domain):
        """The first value of ``domain`` that is not a scalar or a list of scalars, else None."""
        scalars = str | int | float | bool | None
        for term in domain:
            if isinstance(term, str):
                continue
            if not isinstance(term, list | tuple) or len(term) != 3:
                continue  # malformed terms are reported by the expression check
            __, operator, value = term
            if operator in ("any", "not any") and isinstance(value, list | tuple):
                bad = self._hygiene_bad_value(value)
                if bad is not None:
                    return bad
            elif isinstance(value, list | tuple):
                for item in value:
                    if not isinstance(item, scalars):
                        return item
            elif not isinstance(value, scalars):
                return value
        return None

    def _hygiene_check_domain(self):
        """Refuse a category that covers every contact: static tautologies, then the real base."""
        self.ensure_one()
        domain = self._hygiene_parse_domain(self.domain)
        if _always_true(domain):
            raise ValidationError(self._hygiene_everyone_message())
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        try:
            with self.env.cr.savepoint():
                # "not in" the ids the category selects: a negated condition would leave out the
                # contacts whose field is empty (SQL NULL), as if the category covered them
                outside = [("id", "not in", Partner._search(domain))]
                if Partner.search([], limit=1) and not Partner.search(outside, limit=1):
                    raise ValidationError(self._hygiene_everyone_message())
        except ValidationError:
            raise
        except Exception as e:  # noqa: BLE001 - e.g. a value of the wrong type for a column
            raise ValidationError(
                self.env._(
                    "The category %(domain)s cannot be run on contacts: %(error)s",
                    domain=self.domain,
                    error=str(e).splitlines()[0] if str(e) else e.__class__.__name__,
                )
            ) from None
        return domain

    def _hygiene_everyone_message(self):
        return self.env._(
            "The category of the policy %(name)s matches every contact of the base: a retention "
            "policy must cover one category (prospects, customers, companies...), not everyone.",
            name=self.name,
        )

    @api.constrains("domain", "active")
    def _check_domain(self):
        for policy in self:
            policy._hygiene_check_domain()
            policy._hygiene_check_domain_rights()

    def _hygiene_check_domain_rights(self):
        """The officer's own rights must allow the search: policies are then run and counted by
        the system, and a category on fields the officer cannot read would reveal them."""
        if self.env.su:
            return
        domain = self._hygiene_parse_domain(self.domain)
        try:
            with self.env.cr.savepoint():
                self.env["res.partner"].with_context(active_test=False).search(domain, limit=1)
        except AccessError:
            raise ValidationError(
                self.env._(
                    "The category %(domain)s uses data you are not allowed to read.",
                    domain=self.domain,
                )
            ) from None

    @api.constrains("company_id", "domain", "active", "end_action", "duration_months")
    def _check_company_scope(self):
        """A policy for every company decides for every controller: in a database of several
        companies, only an administrator sets or changes one (an officer's policy applies to
        their company)."""
        if self.env.su or self.env.user.has_group("base.group_system"):
            return
        if self.env["res.company"].sudo().search_count([]) < 2:
            return
        for policy in self:
            if not policy.company_id:
                raise ValidationError(
                    self.env._(
                        "%(name)s applies to every company: only an administrator can set or "
                        "change such a policy. Choose your company.",
                        name=policy.name,
                    )
                )

    @api.constrains("duration_months", "repermission_days")
    def _check_durations(self):
        # Same rules as the SQL constraints, with a translated message shown in forms.
        for policy in self:
            if policy.duration_months <= 0:
                raise ValidationError(
                    self.env._(
                        "The retention duration of %(name)s must be at least one month "
                        "(%(months)s given).",
                        name=policy.name,
                        months=policy.duration_months,
                    )
                )
            if policy.repermission_days < 0:
                raise ValidationError(
                    self.env._(
                        "The re-permission delay cannot be negative (%(days)s given).",
                        days=policy.repermission_days,
                    )
                )
            if policy.repermission_days and policy.repermission_days >= policy.duration_months * 28:
                raise ValidationError(
                    self.env._(
                        "The re-permission mail of %(name)s would be sent before the retention "
                        "period even starts: give fewer days than the duration.",
                        name=policy.name,
                    )
                )

    def _hygiene_domain(self):
        """The parsed category, or None (with a warning) when it no longer parses.

        A stored domain can break later (a field removed with its module): such a policy then
        classifies nobody and runs nothing, instead of breaking every contact screen.
        """
        self.ensure_one()
        try:
            domain = self._hygiene_parse_domain(self.domain)
        except ValidationError:
            _logger.warning("retention policy %s: category no longer valid, skipped", self.id)
            return None
        if self.company_id:
            # a company's policy never reaches another company's contacts
            domain = expression.AND([domain, [("company_id", "in", [self.company_id.id, False])]])
        return domain

    # ------------------------------------------------------------------ classification

    @api.model
    def _hygiene_active_policies(self):
        """Active policies by priority, with a valid category (sudo: classification is the same
        whoever looks; callers restrict who sees the result)."""
        policies = self.sudo().search([("active", "=", True)], order="sequence, id")
        return policies.filtered(lambda p: p._hygiene_domain() is not None)

    def _hygiene_applies_domain(self):
        """Domain of the contacts this policy applies to: its category minus the categories of
        the policies of higher priority. Ids subqueries keep NULL columns from escaping both
        sides of a negation."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        policies = self._hygiene_active_policies()
        before = policies[: list(policies).index(self)] if self in policies else policies
        domain = [("id", "in", Partner._search(self._hygiene_domain()))]
        higher = [p._hygiene_domain() for p in before]
        if higher:
            domain.append(("id", "not in", Partner._search(expression.OR(higher))))
        return domain

    @api.model
    def _hygiene_unclassified_domain(self):
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        domains = [p._hygiene_domain() for p in self._hygiene_active_policies()]
        if not domains:
            return []
        return [("id", "not in", Partner._search(expression.OR(domains)))]

    @api.model
    def _hygiene_start_sql(self, event, alias="p"):
        """SQL expression of the start date (timestamp) of the contact row ``alias``.

        Last order or invoice uses sales orders and customer invoices only when those modules are
        installed; a contact without any (or a base without them) falls back to the last activity.
        """
        p = SQL.identifier(alias)
        activity = SQL(
            "COALESCE(%(p)s.hygiene_last_activity_date, %(p)s.hygiene_collected_date, "
            "%(p)s.create_date)",
            p=p,
        )
        if event == "collection_date":
            return SQL("COALESCE(%(p)s.hygiene_collected_date, %(p)s.create_date)", p=p)
        if event != "last_order_invoice":
            return activity
        parts = self._hygiene_order_invoice_sql(p)
        if not parts:
            return activity
        return SQL("COALESCE(GREATEST(%s), %s)", SQL(", ").join(parts), activity)

    @api.model
    def _hygiene_order_invoice_sql(self, p):
        """The last confirmed order's and posted customer invoice's dates of the row ``p``
        that have come (the users type them: a personal default, a write after confirming). A
        future date is left out, not capped at now: capped, an order of 2099 would restart the
        clock at every run; left out, the order counts once its date has come. The last
        activity and the collection date refuse future dates when written."""
        now = fields.Datetime.now()
        parts = []
        if "sale.order" in self.env:
            parts.append(
                SQL(
                    "(SELECT max(so.date_order) FROM sale_order so "
                    "WHERE so.partner_id = %s.id AND so.state = 'sale' AND so.date_order <= %s)",
                    p,
                    now,
                )
            )
        if "account.move" in self.env:
            parts.append(
                SQL(
                    "(SELECT max(am.invoice_date)::timestamp FROM account_move am "
                    "WHERE am.partner_id = %s.id AND am.move_type = 'out_invoice' "
                    "AND am.state = 'posted' AND am.invoice_date <= %s)",
                    p,
                    now.date(),
                )
            )
        return parts

    def _hygiene_due_sql(self, alias="p"):
        """SQL expression of the due date (date) of the contact row ``alias`` under this policy."""
        self.ensure_one()
        return SQL(
            "(%s + make_interval(months => %s))::date",
            self._hygiene_start_sql(self.start_event, alias),
            self.duration_months,
        )

    @api.model
    def _hygiene_classify(self, partner_ids):
        """{partner_id: (policy, start datetime, due date)} for the partners matched by a policy.

        One query per active policy and one per start event, whatever the number of partners.
        """
        partner_ids = [pid for pid in partner_ids if isinstance(pid, int)]
        if not partner_ids:
            return {}
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        policy_of = {}
        remaining = set(partner_ids)
        for policy in self._hygiene_active_policies():
            if not remaining:
                break
            matched = Partner._search(
                expression.AND([policy._hygiene_domain(), [("id", "in", list(remaining))]])
            )
            for partner_id in matched:
                policy_of[partner_id] = policy
            remaining.difference_update(matched)
        if not policy_of:
            return {}
        self.env.flush_all()
        result = {}
        by_policy = {}
        for partner_id, policy in policy_of.items():
            by_policy.setdefault(policy, []).append(partner_id)
        for policy, ids in by_policy.items():
            self.env.cr.execute(
                SQL(
                    "SELECT p.id, %s, %s FROM res_partner p WHERE p.id = ANY(%s)",
                    self._hygiene_start_sql(policy.start_event),
                    policy._hygiene_due_sql(),
                    ids,
                )
            )
            for partner_id, start, due in self.env.cr.fetchall():
                result[partner_id] = (policy, start, due)
        return result

    @api.model
    def _hygiene_due_domain(self, operator, value):
        """Domain of the contacts whose due date compares to ``value`` with ``operator``."""
        sql_operator = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "<>"}
        if operator not in sql_operator:
            raise UserError(
                self.env._("Unsupported search on the retention due date: %(op)s", op=operator)
            )
        value = fields.Date.to_date(value)
        domains = []
        for policy in self._hygiene_active_policies():
            due_ids = SQL(
                "(SELECT p.id FROM res_partner p WHERE %s %s %s)",
                policy._hygiene_due_sql(),
                SQL(sql_operator[operator]),
                value,
            )
            domains.append(policy._hygiene_applies_domain() + [("id", "in", due_ids)])
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    def _hygiene_due_partners_domain(self, date=None, exclude=True):
        """Contacts this policy applies to, due on ``date`` (today) and that a run may touch.

        Contacts of internal users are left out: they are never purged automatically and are
        reported by the preview for a human decision. Archived contacts are left out (already
        archived, anonymised or merged).
        """
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        due_ids = SQL(
            "(SELECT p.id FROM res_partner p WHERE p.active AND %s <= %s)",
            self._hygiene_due_sql(),
            date,
        )
        domain = self._hygiene_applies_domain() + [("id", "in", due_ids)]
        if exclude:
            domain += self.env["res.partner"]._hygiene_retention_exclusion_domain()
        return domain

    # ------------------------------------------------------------------ counts

    def _compute_partner_count(self):
        # with the reader's rights: the counts only cover the contacts they may see (a category
        # would otherwise count, hence reveal, another company's contacts)
        Partner = self.env["res.partner"].with_context(active_test=False)
        today = fields.Date.context_today(self)
        for policy in self:
            if not policy.id or not policy.active or policy._hygiene_domain() is None:
                policy.partner_count = policy.due_count = 0
                continue
            policy.partner_count = Partner.search_count(policy._hygiene_applies_domain())
            policy.due_count = Partner.search_count(policy._hygiene_due_partners_domain(today))

    # ------------------------------------------------------------------ actions

    def _hygiene_check_officer(self):
        if not self.env.user.has_group(GROUP_OFFICER) and not self.env.su:
            raise AccessError(
                self.env._("Only a privacy officer can preview or run retention policies.")
            )

    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contacts under %(policy)s", policy=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("hygiene_retention_policy_id", "=", self.id)],
        }

    def action_view_due_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contacts due under %(policy)s", policy=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [
                ("hygiene_retention_policy_id", "=", self.id),
                ("hygiene_retention_due_date", "<=", fields.Date.context_today(self)),
            ],
        }

    def action_preview(self):
        self._hygiene_check_officer()
        wizard = self.env["hygiene.retention.preview"].create(
            {"policy_ids": [fields.Command.set(self.ids)]}
        )
        return wizard.action_refresh()

    @api.model
    def _hygiene_open_preview(self):
        """The preview of every active policy (menu entry)."""
        return self._hygiene_active_policies().with_env(self.env).action_preview()
