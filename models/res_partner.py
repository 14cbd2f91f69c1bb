import sys
from datetime import datetime

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..const import GROUP_OFFICER, GROUP_STEWARD, GROUP_USER
from ..tools.activity import ACTIVITY_SOURCES
from ..tools.service_fields import allowed_service_fields
from .res_partner_matching import KEY_FIELDS

# Written only by _hygiene_register_activities (SQL): an edit by an employee is not a contact from
# the person (CNIL), so these fields are refused in create/write.
ACTIVITY_FIELDS = ("hygiene_last_activity_date", "hygiene_last_activity_source")
# Copied from the first origin by hygiene.partner.origin, never typed in.
PROVENANCE_FIELDS = ("hygiene_source_id", "hygiene_collected_date")
RETENTION_STATES = [
    ("archived", "In the restricted archive"),
    ("partial", "Partially anonymised (legal hold)"),
    ("anonymized", "Anonymised"),
]
# written by the engines in SQL only: the retention state, the end of a hold, the merge link
ENGINE_FIELDS = ("hygiene_retention_state", "hygiene_hold_until", "hygiene_merged_into_id")
# derived from the privacy requests (computed) and written by the re-permission campaign (SQL)
DERIVED_FIELDS = ("hygiene_restricted", "hygiene_repermission_sent_date")
# no user's own default (ir.default) for these: only their services set them (ir_default.py)
SYSTEM_FIELDS = frozenset(
    (*ACTIVITY_FIELDS, *PROVENANCE_FIELDS, *KEY_FIELDS, *ENGINE_FIELDS, *DERIVED_FIELDS)
)
# set by the privacy officer only (field groups), journaled when they change
HOLD_FIELDS = ("hygiene_hold_reason", "hygiene_hold_end_date")


class ResPartner(models.Model):
    """Provenance, consent and last activity of a contact.

    Origins (where the person came from) and consent events live in their own models; the partner
    shows the first and latest origin, the current consent per purpose, and the last activity that
    came from the person.
    """

    _inherit = "res.partner"
    _hygiene_system_fields = SYSTEM_FIELDS

    hygiene_origin_ids = fields.One2many(
        "hygiene.partner.origin", "partner_id", string="Origins", groups=GROUP_USER
    )
    hygiene_first_origin_id = fields.Many2one(
        "hygiene.partner.origin",
        compute="_compute_hygiene_origins",
        string="First Origin",
        groups=GROUP_USER,
    )
    hygiene_latest_origin_id = fields.Many2one(
        "hygiene.partner.origin",
        compute="_compute_hygiene_origins",
        string="Latest Origin",
        groups=GROUP_USER,
    )
    # Stored so that lists can be grouped and filtered by source with an index. Maintained by
    # hygiene.partner.origin (one UPDATE per batch of origins) rather than a stored compute, so
    # that creating partners without origins costs nothing.
    hygiene_source_id = fields.Many2one(
        "hygiene.source",
        readonly=True,
        index="btree_not_null",
        string="Source",
        ondelete="set null",
        copy=False,
        help="The source the contact was first collected from.",
    )
    hygiene_collected_date = fields.Datetime(
        readonly=True,
        string="First Collected On",
        copy=False,
        help="When the contact was first collected, as known by its source.",
    )
    hygiene_consent_ids = fields.One2many(
        "hygiene.consent", "partner_id", string="Consent History", groups=GROUP_USER
    )
    hygiene_consent_state_ids = fields.One2many(
        "hygiene.consent.state", "partner_id", string="Current Consents", groups=GROUP_USER
    )
    hygiene_granted_purpose_ids = fields.Many2many(
        "hygiene.purpose",
        compute="_compute_hygiene_granted_purpose_ids",
        search="_search_hygiene_granted_purpose_ids",
        string="Consented Purposes",
        groups=GROUP_USER,
        help="Purposes this contact currently consents to, with proof.",
    )
    hygiene_last_activity_date = fields.Datetime(
        string="Last Activity",
        readonly=True,
        index=True,
        copy=False,
        help="Last time the person showed up on their own: inbound email or portal message, "
        "portal login, order, invoice, mailing click, website form. Internal edits, email opens, "
        "imports and scheduled jobs never move it.",
    )
    hygiene_last_activity_source = fields.Selection(
        ACTIVITY_SOURCES, string="Last Activity Source", readonly=True, copy=False
    )

    hygiene_merged_into_id = fields.Many2one(
        "res.partner",
        string="Merged Into",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="Set on a contact archived by a merge: the contact that now holds its data.",
    )
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
        groups=GROUP_OFFICER,
        help="Why the data of this contact must be kept (litigation, legal obligation...). "
        "A technical reason, never a personal value.",
    )
    hygiene_hold_end_date = fields.Date(
        string="Legal Hold Until",
        copy=False,
        groups=GROUP_OFFICER,
        help="Set by the privacy officer: until this date, only the data not covered by the hold "
        "is anonymised.",
    )
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

    # ------------------------------------------------------------------ computes

    @api.constrains("hygiene_hold_end_date", "hygiene_hold_reason")
    def _check_hygiene_hold(self):
        for partner in self.sudo():
            if partner.hygiene_hold_end_date and not (partner.hygiene_hold_reason or "").strip():
                raise ValidationError(self.env._("A legal hold needs a reason."))

    def _sorted_hygiene_origins(self):
        # Same order as the table (collected_date, id). In a form, the lines being added are new
        # records whose ids cannot be compared, and their date may still be empty: those lines
        # keep their order, after the saved ones of the same date, and undated lines go last.
        return self.sudo().hygiene_origin_ids.sorted(
            lambda o: (o.collected_date or datetime.max, o._origin.id or sys.maxsize)
        )

    @api.depends("hygiene_origin_ids.collected_date", "hygiene_origin_ids.source_id")
    def _compute_hygiene_origins(self):
        for partner in self:
            origins = partner._sorted_hygiene_origins()
            partner.hygiene_first_origin_id = origins[:1]
            partner.hygiene_latest_origin_id = origins[-1:]

    @api.depends("hygiene_consent_state_ids.state", "hygiene_consent_state_ids.purpose_id")
    def _compute_hygiene_granted_purpose_ids(self):
        for partner in self:
            partner.hygiene_granted_purpose_ids = partner.hygiene_consent_state_ids.filtered(
                lambda s: s.state == "granted"
            ).purpose_id

    def _search_hygiene_granted_purpose_ids(self, operator, value):
        # Odoo checks a field's groups on stored columns only: these searches check their own
        self.check_field_access_rights("read", ["hygiene_granted_purpose_ids"])
        positive = operator not in ("not in", "!=")
        if operator in ("not in", "!="):
            operator = "in" if operator == "not in" else "="
        if isinstance(value, str) and operator not in ("in", "="):
            purpose_domain = [("purpose_id.name", operator, value)]
        elif isinstance(value, str):
            purpose_domain = [("purpose_id.name", "ilike", value)]
        else:
            purpose_domain = [("purpose_id", operator, value)]
        return [
            (
                "hygiene_consent_state_ids",
                "any" if positive else "not any",
                purpose_domain + [("state", "=", "granted")],
            )
        ]

    # ------------------------------------------------------------------ create / write

    @api.model_create_multi
    def create(self, vals_list):
        """The one create of the addon's partner, in an explicit order: the refused fields,
        then the matching keys added to the values, then the keys of the records created
        without a name."""
        with_defaults = self._hygiene_values_with_defaults(vals_list)
        self._hygiene_check_create(vals_list, with_defaults)
        rules = self.env["hygiene.entry.rules"]  # rules at entry (issue 19)
        vals_list, originals = rules._hygiene_entry_prepare(self.browse(), vals_list)
        vals_list, to_refresh = self._hygiene_keys_before_create(vals_list, with_defaults)
        partners = super().create(vals_list)
        partners._hygiene_keys_after_create(to_refresh)
        rules._hygiene_entry_check(partners, originals, new=True)
        return partners

    def write(self, vals):
        """The one write of the addon's partner: refused fields, the write, the matching keys
        it changed, then the journal of the legal hold it set or released."""
        self._hygiene_check_engine_fields(vals)
        self._hygiene_check_protected_fields(set(vals))
        rules = self.env["hygiene.entry.rules"]  # rules at entry (issue 19)
        [vals], originals = rules._hygiene_entry_prepare(self, [vals])
        holds = self._hygiene_holds_before_write(vals)
        written = dict.fromkeys(vals)  # core removes is_company from vals while it writes
        result = super().write(vals)
        self._hygiene_keys_after_write(written)
        self._hygiene_journal_holds(vals, holds)
        rules._hygiene_entry_check(self, originals, changed=vals.keys())
        return result

    @api.model
    def _hygiene_check_create(self, vals_list, with_defaults):
        """``with_defaults``: ``vals_list`` with the defaults the ORM will add (a service's
        own fields are accepted from its values only, never from a client's default)."""
        for vals in with_defaults:
            self._hygiene_check_engine_fields(vals)
        if not self.env.su:
            # Odoo checks field groups on write, not on create: a legal hold (officer-only), a
            # birth date (hygiene users) set while creating a contact would otherwise pass.
            self.check_field_access_rights(
                "write",
                [
                    name
                    for vals in with_defaults
                    for name in vals
                    if name.startswith("hygiene_") and self._fields[name].groups
                ],
            )
        allowed = allowed_service_fields()
        self._hygiene_check_protected_fields(
            {
                name
                for vals, full in zip(vals_list, with_defaults, strict=True)
                for name, value in full.items()
                if value and not (name in allowed and name in vals)
            }
        )

    @api.model
    def _hygiene_check_engine_fields(self, vals):
        """The retention state and the end of the hold are written by the engine (SQL) only."""
        if any(name in vals for name in DERIVED_FIELDS):
            raise UserError(
                self.env._(
                    "The restriction of processing follows the contact's privacy requests, and "
                    "the date of a re-permission request is recorded when it is sent."
                )
            )
        if any(name in vals for name in ENGINE_FIELDS):
            raise UserError(
                self.env._(
                    "The retention state of a contact and the contact it was merged into are set "
                    "by the engines: use the Anonymise or Erase buttons, a retention policy, or "
                    "a merge and its undo."
                )
            )

    @api.model
    def _hygiene_check_protected_fields(self, field_names):
        """Refuse hand-made values for the fields only their service sets. No context key
        bypasses this (any RPC client sends a context): the services write them in SQL or in
        the INSERT of the contacts they create (``tools/service_fields.py``: Python state)."""
        if field_names & set(ACTIVITY_FIELDS):
            raise UserError(
                self.env._(
                    "The last activity of a contact is recorded from the person's own actions "
                    "(message, order, portal login, click...) and cannot be set by hand."
                )
            )
        if field_names & set(KEY_FIELDS):
            raise UserError(
                self.env._(
                    "Matching keys are derived from the name, email, phones and identifiers of "
                    "the contact: change those instead."
                )
            )
        if field_names & set(PROVENANCE_FIELDS):
            raise UserError(
                self.env._(
                    "The source and collection date of a contact come from its origins: add or "
                    "correct an origin in the Data & Privacy tab instead."
                )
            )

    @api.model
    def _hygiene_register_activities(self, events):
        """Record activities coming from the persons.

        ``events`` is a list of (partner_id, datetime, source).

        The newest date wins; an event older than the recorded one changes nothing, so replaying
        events (a re-import, a retried job) is harmless. A date in the future is refused. One
        UPDATE for the whole batch; partners touched are only those whose date moves forward.
        This is the only way to move the last activity, meant to be called by event hooks.
        """
        now = fields.Datetime.now()
        latest = {}
        for partner_id, date, source in events:
            if not partner_id or not date:
                continue
            date = fields.Datetime.to_datetime(date)
            if date > now:
                raise ValidationError(
                    self.env._(
                        "A last-activity date cannot be in the future (%(date)s).", date=date
                    )
                )
            if source not in dict(ACTIVITY_SOURCES):
                raise ValidationError(self.env._("Unknown activity source %(code)r.", code=source))
            if partner_id not in latest or date > latest[partner_id][0]:
                latest[partner_id] = (date, source)
        if not latest:
            return
        self.env["res.partner"].flush_model(list(ACTIVITY_FIELDS))
        values = SQL(", ").join(
            SQL("(%s, %s::timestamp, %s)", partner_id, date, source)
            for partner_id, (date, source) in latest.items()
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET hygiene_last_activity_date = v.date,
                       hygiene_last_activity_source = v.source
                  FROM (VALUES %(values)s) AS v(id, date, source)
                 WHERE p.id = v.id
                   AND (p.hygiene_last_activity_date IS NULL
                        OR p.hygiene_last_activity_date < v.date)
                """,
                values=values,
            )
        )
        self.browse(list(latest)).invalidate_recordset(list(ACTIVITY_FIELDS))

    def _hygiene_register_activity(self, source, date=None):
        """Record an activity of the persons in ``self`` (see _hygiene_register_activities)."""
        date = date or fields.Datetime.now()
        self._hygiene_register_activities([(partner.id, date, source) for partner in self])

    @api.model
    def _hygiene_find_by_email(self, email):
        """The partner owning ``email`` (normalised), or an empty recordset if none or ambiguous."""
        normalized = tools.email_normalize(email or "")
        if not normalized:
            return self.browse()
        partners = self.with_context(active_test=True).search(
            [("email_normalized", "=", normalized)], limit=2
        )
        return partners if len(partners) == 1 else self.browse()

    # ------------------------------------------------------------ merge (hygiene.merge.engine)

    def _hygiene_merge(self, sources, field_values=None):
        """Merge ``sources`` into ``self`` (the survivor) and return the ``hygiene.merge.journal``.

        ``field_values`` ({field: value}) are the values the user picked; other fields follow the
        survivorship rule of the setting ``partner_data_hygiene.merge_survivorship``. Consents:
        the most restrictive state wins; blacklist, last activity (max) and origins (all, the
        earliest first) are carried over. Everything pointing to a source is re-pointed with one
        UPDATE per column; a unique conflict on a business table refuses the merge and leaves the
        database unchanged. Sources are archived and linked to the survivor.
        """
        self.ensure_one()
        return self._hygiene_merge_batch([(self, sources, field_values)])

    @api.model
    def _hygiene_merge_batch(self, groups, refused=None):
        """Merge many groups of (survivor, sources, field_values) at once (see the engine)."""
        return self.env["hygiene.merge.engine"]._hygiene_merge_batch(groups, refused=refused)

    @api.model
    def _hygiene_merge_groups(self, groups):
        """Merge ``groups`` whose rights were checked by the caller: all or nothing."""
        return self.env["hygiene.merge.engine"]._hygiene_merge_groups(groups)

    @api.model
    def _hygiene_merge_snapshot(self, partner_ids, picked=()):
        return self.env["hygiene.merge.engine"]._hygiene_merge_snapshot(partner_ids, picked)

    @api.model
    def _hygiene_survivorship_fields(self):
        return self.env["hygiene.merge.engine"]._hygiene_survivorship_fields()

    @api.model
    def _hygiene_survivorship_order(self, survivor, sources, snapshot, rule):
        return self.env["hygiene.merge.engine"]._hygiene_survivorship_order(
            survivor, sources, snapshot, rule
        )

    @api.model
    def _hygiene_merge_company_targets(self):
        return self.env["hygiene.reference.catalogue"]._hygiene_merge_company_targets()

    # ---------------------------------------------------- retention (hygiene.retention.engine)

    def _hygiene_retention_execute(self, action, policy=None, reason=None):
        """Apply ``action`` ("anonymize", "delete" or "archive") to the partners in ``self`` and
        return what was done, refused, failed and held (see ``hygiene.retention.engine``)."""
        return self.env["hygiene.retention.engine"]._hygiene_retention_execute(
            self, action, policy=policy, reason=reason
        )

    def action_hygiene_anonymize(self):
        return self._hygiene_action_retention("anonymize")

    def action_hygiene_erase(self):
        return self._hygiene_action_retention("delete")

    def _hygiene_action_retention(self, action):
        self.env["hygiene.retention.engine"]._hygiene_retention_check_rights()
        result = self._hygiene_retention_execute(action, reason="manual")
        engine = self.env["hygiene.retention.engine"]
        return engine._hygiene_retention_notification(result, gone=not self.exists())

    def _hygiene_anonymize_check(self, node_ids):
        """Last check before anything is written (a hook: raise to refuse a batch)."""

    # ------------------------------------------------------------------ actions

    def action_hygiene_record_consent(self):
        self.ensure_one()
        self.env["hygiene.consent.wizard"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Consent"),
            "res_model": "hygiene.consent.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    # ------------------------------------------------------------------ customer

    def _compute_hygiene_is_customer(self):
        subquery = self.env["hygiene.retention.engine"]._hygiene_customer_ids_sql()
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
        subquery = self.env["hygiene.retention.engine"]._hygiene_customer_ids_sql()
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
        self.check_field_access_rights("read", ["hygiene_retention_policy_id"])
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
        self.check_field_access_rights("read", ["hygiene_retention_due_date"])
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

    # --- portal self-service and the request register (issue 17) ---
    hygiene_privacy_request_ids = fields.One2many(
        "hygiene.privacy.request", "partner_id", string="Data Subject Requests"
    )
    hygiene_restricted = fields.Boolean(
        string="Processing Restricted",
        compute="_compute_hygiene_restricted",  # in res_partner_privacy.py
        store=True,
        index="btree_not_null",
        help="A restriction request (GDPR Art. 18) holds: the contact is kept out of mailings, "
        "exports and merges until the privacy officer closes it.",
    )

    # --- rules at entry (issue 19) ---
    hygiene_siret = fields.Char(
        string="SIRET",
        copy=False,
        help="The SIRET of this establishment, as typed (the Company ID keeps its SIREN).",
    )
    hygiene_entry_hints = fields.Html(
        compute="_compute_hygiene_entry_hints",  # in hygiene_entry_hooks.py
        string="Entry Hints",
        sanitize=False,  # built escaped by hygiene.entry.rules
        help="What looks wrong in the values typed (never changed by itself).",
    )
