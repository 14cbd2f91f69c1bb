from odoo import api, fields, models

from ..tools.import_rows import TARGETS, fold_header

IMPORT_KINDS = [
    ("contacts", "Contacts"),
    ("unsubscribe", "Unsubscribe list"),
    ("bounce", "Hard-bounce list"),
]


def target_selection(model):
    labels = {
        "name": model.env._("Name (full)"),
        "firstname": model.env._("First name"),
        "lastname": model.env._("Last name"),
        "company_name": model.env._("Company name"),
        "email": model.env._("Email"),
        "phone": model.env._("Phone"),
        "mobile": model.env._("Mobile"),
        "street": model.env._("Street"),
        "street2": model.env._("Street 2"),
        "zip": model.env._("Postcode"),
        "city": model.env._("City"),
        "country": model.env._("Country"),
        "vat": model.env._("VAT number"),
        "company_registry": model.env._("SIREN / SIRET"),
        "birthdate": model.env._("Birth date"),
        "source_ref": model.env._("Origin: identifier in the source"),
        "collected_date": model.env._("Origin: collection date"),
        "optin": model.env._("Consent: opt-in flag"),
        "optin_date": model.env._("Consent: opt-in date"),
        "optin_ip": model.env._("Consent: IP address"),
        "optin_wording": model.env._("Consent: wording shown"),
        "optout_date": model.env._("Consent: withdrawal date"),
        "last_order_date": model.env._("Activity: last order"),
        "last_click_date": model.env._("Activity: last click"),
        "last_visit_date": model.env._("Activity: last visit"),
    }
    return [(code, labels[code]) for code in TARGETS]


class HygieneImportPreset(models.Model):
    """A saved way of reading the files of one source: what each column means, which list it is
    (contacts, unsubscribes, hard bounces), and how consents in it were collected."""

    _name = "hygiene.import.preset"
    _description = "Import Mapping Preset"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Stable identifier, for the command line (--preset CODE).")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    source_id = fields.Many2one("hygiene.source", ondelete="set null", string="Default Source")
    kind = fields.Selection(IMPORT_KINDS, required=True, default="contacts")
    purpose_id = fields.Many2one(
        "hygiene.purpose",
        string="Consent Purpose",
        ondelete="restrict",
        help="Purpose of the consents, withdrawals and unsubscribes in these files.",
    )
    consent_channel = fields.Selection(
        # the labels of the consent's channels, translated (a callable selection is not)
        selection=lambda self: self.env["hygiene.consent"]
        ._fields["channel"]
        ._description_selection(self.env),
        default="import",
        string="Consent Collected Through",
        help="How the source collected the consents found in the file (web form, store...).",
    )
    day_first = fields.Boolean(
        string="Day Before Month", default=True, help="Dates written 31/01/2024 (French)."
    )
    country_id = fields.Many2one(
        "res.country",
        string="Country of the Phone Numbers",
        help="Country of the numbers and addresses these files write without a country "
        "(06 12 34 56 78 is French). Empty: the company's country.",
    )
    mapping_ids = fields.One2many("hygiene.import.mapping", "preset_id", string="Columns")

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of an import preset must be unique."),
    ]

    def _mapping_for(self, headers):
        """``{header: target or False}`` for ``headers``: the preset's columns, compared on
        their folded spelling ("E-mail" = "email")."""
        self.ensure_one()
        known = {fold_header(line.column): line.target for line in self.mapping_ids}
        return {header: known.get(fold_header(header), False) for header in headers}


class HygieneImportMapping(models.Model):
    """One column of a file and what it is imported as (empty target: ignored)."""

    _name = "hygiene.import.mapping"
    _description = "Import Column Mapping"
    _order = "sequence, id"

    preset_id = fields.Many2one("hygiene.import.preset", ondelete="cascade", index=True)
    batch_id = fields.Many2one("hygiene.import.batch", ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    column = fields.Char(required=True, string="Column Header")
    target = fields.Selection(
        selection="_target_selection",
        string="Import As",
        help="Empty: the column is ignored.",
    )
    target_kind = fields.Char(compute="_compute_target_kind", string="Kind")
    sample = fields.Char(string="First Values", readonly=True)

    @api.model
    def _target_selection(self):
        return target_selection(self)

    @api.depends("target")
    def _compute_target_kind(self):
        for line in self:
            line.target_kind = TARGETS.get(line.target) or False
