import sys
from datetime import datetime

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..const import GROUP_USER
from ..tools.activity import ACTIVITY_SOURCES
from .res_partner_matching import KEY_FIELDS

# Written only by _hygiene_register_activities (SQL): an edit by an employee is not a contact from
# the person (CNIL), so these fields are refused in create/write.
ACTIVITY_FIELDS = ("hygiene_last_activity_date", "hygiene_last_activity_source")
# Copied from the first origin by hygiene.partner.origin, never typed in.
PROVENANCE_FIELDS = ("hygiene_source_id", "hygiene_collected_date")


class ResPartner(models.Model):
    """Provenance, consent and last activity of a contact.

    Origins (where the person came from) and consent events live in their own models; the partner
    shows the first and latest origin, the current consent per purpose, and the last activity that
    came from the person.
    """

    _inherit = "res.partner"

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

    # ------------------------------------------------------------------ computes

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

    # ------------------------------------------------------------------ activity

    @api.model_create_multi
    def create(self, vals_list):
        self._hygiene_check_protected_fields(
            {name for vals in vals_list for name, value in vals.items() if value}
        )
        rules = self.env["hygiene.entry.rules"]  # rules at entry (issue 19)
        vals_list, originals = rules._hygiene_entry_prepare(self.browse(), vals_list)
        partners = super().create(vals_list)
        rules._hygiene_entry_check(partners, originals, new=True)
        return partners

    def write(self, vals):
        self._hygiene_check_protected_fields(set(vals))
        rules = self.env["hygiene.entry.rules"]  # rules at entry (issue 19)
        [vals], originals = rules._hygiene_entry_prepare(self, [vals])
        result = super().write(vals)
        rules._hygiene_entry_check(self, originals, changed=vals.keys())
        return result

    @api.model
    def _hygiene_check_protected_fields(self, field_names):
        """Refuse hand-made values for fields that only their own service may set.

        There is deliberately no context key to bypass this: a context can be sent by any RPC
        client. The services write these columns with SQL.
        """
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

    # --- rules at entry (issue 19) ---
    hygiene_siret = fields.Char(
        string="SIRET",
        copy=False,
        help="The SIRET of this establishment, as typed (the Company ID keeps its SIREN).",
    )
    hygiene_entry_hints = fields.Html(
        compute="_compute_hygiene_entry_hints",
        string="Entry Hints",
        sanitize=False,  # built escaped by hygiene.entry.rules
        help="What looks wrong in the values typed (never changed by itself).",
    )

    @api.depends("email", "phone", "mobile", "zip", "city", "vat", "company_registry", "country_id")
    def _compute_hygiene_entry_hints(self):
        rules = self.env["hygiene.entry.rules"]
        for partner in self:
            partner.hygiene_entry_hints = rules._hygiene_partner_hints_html(partner)
