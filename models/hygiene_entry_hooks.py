"""Where the rules at entry (``hygiene.entry.rules``) plug into the other models: the users'
partners (exempt), the origins (the values as received), the import (its normalisation stage and
quarantine reason), the settings, the hints on res.partner and on other apps' forms."""

import contextlib

from odoo import api, fields, models

from .. import const
from .hygiene_entry_rules import _CREATING_USERS, DUPLICATE_POLICIES

PARAM_SIREN_REQUIRED = const.ENTRY_SIREN_REQUIRED
PARAM_EMAIL_REQUIRED = const.ENTRY_EMAIL_REQUIRED
PARAM_DUPLICATE_POLICY = const.ENTRY_DUPLICATE_POLICY
PARAM_ADDRESS_STANDARD = const.ENTRY_ADDRESS_STANDARD


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the field is declared in res_partner.py (section "rules at entry")
    @api.depends("email", "phone", "mobile", "zip", "city", "vat", "company_registry", "country_id")
    def _compute_hygiene_entry_hints(self):
        rules = self.env["hygiene.entry.rules"]
        for partner in self:
            partner.hygiene_entry_hints = rules._hygiene_partner_hints_html(partner)


@contextlib.contextmanager
def creating_users():
    """Within this block, partners created are users' partners (see ``_hygiene_applies``)."""
    token = _CREATING_USERS.set(True)
    try:
        yield
    finally:
        _CREATING_USERS.reset(token)


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        # A user's partner is made from a login, not typed as a contact: the entry rules (email
        # required...) are for contacts; they still apply to it when it is edited afterwards.
        with creating_users():
            return super().create(vals_list)


class HygienePartnerOrigin(models.Model):
    _inherit = "hygiene.partner.origin"

    # What was typed or received before the rules at entry changed it (the address laid out as
    # the postal standard): personal data, for the stewards.
    hygiene_original_values = fields.Text(
        string="Values as Received",
        readonly=True,
        groups="partner_data_hygiene.group_hygiene_steward",
        help="The values as typed or received before the rules at entry laid them out (e.g. "
        "the address before the French postal standard).",
    )
    note = fields.Char(groups="partner_data_hygiene.group_hygiene_steward")


class HygieneImportLine(models.Model):
    _inherit = "hygiene.import.line"

    error_kind = fields.Selection(
        selection_add=[("entry_rule", "Refused by a rule at entry")],
        ondelete={"entry_rule": "set null"},
    )
    decision_reason = fields.Selection(
        selection_add=[("entry_rule", "Refused by a rule at entry (SIREN, email...)")],
        ondelete={"entry_rule": "set null"},
    )


class HygieneImportNormalise(models.AbstractModel):
    _inherit = "hygiene.import.normalise"

    def _stage_chunk(self, limit):
        # the settings of the rules, read once per chunk instead of four parameters per row
        settings = self.env["hygiene.entry.rules"]._hygiene_settings()
        batch = self.with_context(hygiene_entry_settings=tuple(sorted(settings.items())))
        return super(HygieneImportNormalise, batch)._stage_chunk(limit)

    def _entry_settings(self):
        """The settings of the rules at entry of this chunk (see ``_stage_chunk``)."""
        settings = self.env.context.get("hygiene_entry_settings")
        return dict(settings) if settings else None

    @api.model
    def _check_identity(self, kind, clean, errors, error_kind):
        result = super()._check_identity(kind, clean, errors, error_kind)
        if kind == "contacts" and not error_kind:  # rules at entry (issue 19)
            self.env["hygiene.entry.rules"]._hygiene_import_errors(
                clean, errors, self._row_region(clean.get("country")), self._entry_settings()
            )
        return result

    @api.model
    def _check_row_warnings(self, values, clean, warnings, retention_limit, retention_months):
        look_alike = super()._check_row_warnings(
            values, clean, warnings, retention_limit, retention_months
        )
        if self.kind == "contacts":  # rules at entry (issue 19)
            self.env["hygiene.entry.rules"]._hygiene_import_warnings(
                clean, warnings, self._row_region(clean.get("country")), self._entry_settings()
            )
        return look_alike


class HygieneImportBatch(models.Model):
    _inherit = "hygiene.import.batch"

    def _match_and_decide(self):
        result = super()._match_and_decide()
        # a row refused by a rule at entry is quarantined for that reason, not "invalid values"
        self.env["hygiene.import.line"].flush_model()
        self.env.cr.execute(
            "UPDATE hygiene_import_line SET decision_reason = 'entry_rule'"
            " WHERE batch_id = %s AND decision = 'quarantine' AND error_kind = 'entry_rule'",
            (self.id,),
        )
        self.env["hygiene.import.line"].invalidate_model(["decision_reason"])
        return result


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hygiene_entry_siren_required = fields.Boolean(
        string="SIREN Required for Companies in France",
        config_parameter=PARAM_SIREN_REQUIRED,
        help="A company in France cannot be saved (form, import, API) without a SIREN whose "
        "checksum passes. A SIRET is accepted and its SIREN stored; an establishment of a head "
        "office already in the base becomes one of its addresses.",
    )
    hygiene_entry_email_required = fields.Boolean(
        string="Email Required for Individuals",
        config_parameter=PARAM_EMAIL_REQUIRED,
        help="A person (not a company, not an address) cannot be saved without an email.",
    )
    hygiene_entry_duplicate_policy = fields.Selection(
        DUPLICATE_POLICIES,
        string="Probable Duplicate",
        config_parameter=PARAM_DUPLICATE_POLICY,
        default=const.param_default(PARAM_DUPLICATE_POLICY),
        help="Warn: the form shows the possible duplicates, the contact is saved. Block: a "
        "contact with the same email, phone, SIREN/VAT or name (at the same postcode for a "
        "person) as an existing one is refused.",
    )
    hygiene_entry_address_standard = fields.Boolean(
        string="French Postal Address Standard",
        config_parameter=PARAM_ADDRESS_STANDARD,
        help="French addresses are stored as NF Z10-011 lays them out: capitals without "
        "accents nor punctuation, the number before the street type, at most 38 characters a "
        "line, the town in capitals. The address as typed is kept in the contact's origin.",
    )


# Forms of optional apps that get the hints as typed (a view widget, see
# static/src/js/entry_hints.js), injected here so that the addon does not depend on those apps.
_ENTRY_HINT_FORMS = frozenset({"crm.lead"})


class Base(models.AbstractModel):
    _inherit = "base"

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form" and self._name in _ENTRY_HINT_FORMS:
            sheet = arch.find(".//sheet")
            if sheet is not None and not sheet.xpath(".//widget[@name='hygiene_entry_hints']"):
                sheet.insert(0, arch.makeelement("widget", {"name": "hygiene_entry_hints"}))
        return arch, view
