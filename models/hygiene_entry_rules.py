"""Rules at entry: what a new or changed contact must satisfy, and what is flagged as it is typed.

One service (``hygiene.entry.rules``) holds every rule, so that the contact form, RPC clients,
the CRM lead form and the import apply the same rules with the same messages:

- settings (Data Hygiene › Configuration › Settings): SIREN required for companies in France,
  email required for individuals, block or warn on a probable duplicate, French postal address
  standard (NF Z10-011);
- hints as typed (never a silent change): email syntax and domain typos, phone in the national
  format of the contact's country, French postcode ↔ town, VAT and SIREN/SIRET checksums.

``res.partner`` calls it from ``create``/``write`` (``_hygiene_entry_prepare`` before,
``_hygiene_entry_check`` after); the import calls ``_hygiene_import_row`` on every staged row.
"""

import contextvars

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import const
from ..tools import entry_checks
from ..tools.i18n import _lt

# Configuration keys: registered with their types and defaults in const.py.
PARAM_SIREN_REQUIRED = const.ENTRY_SIREN_REQUIRED
PARAM_EMAIL_REQUIRED = const.ENTRY_EMAIL_REQUIRED
PARAM_DUPLICATE_POLICY = const.ENTRY_DUPLICATE_POLICY
PARAM_ADDRESS_STANDARD = const.ENTRY_ADDRESS_STANDARD
DUPLICATE_POLICIES = [("warn", "Warn"), ("block", "Block")]

# Partners created for a user (res.users.create): a login, not a contact typed by a sales team.
# A ContextVar, not a context key: an RPC client can send any context key, not this.
_CREATING_USERS = contextvars.ContextVar("hygiene_creating_users", default=False)

# Fields whose change re-runs the entry rules on write.
RULE_FIELDS = frozenset(
    {
        "name",
        "email",
        "phone",
        "mobile",
        "vat",
        "company_registry",
        "is_company",
        "company_type",
        "country_id",
        "parent_id",
        "type",
        "street",
        "street2",
        "city",
        "zip",
    }
)
ADDRESS_FIELDS = ("street", "street2", "city")
# Fields whose change may make a contact the duplicate of another.
IDENTITY_FIELDS = frozenset(
    {"name", "email", "phone", "mobile", "vat", "company_registry", "zip", "is_company"}
)


class HygieneEntryRules(models.AbstractModel):
    _name = "hygiene.entry.rules"
    _description = "Data Hygiene: Rules at Entry"

    # ------------------------------------------------------------------ settings

    @api.model
    def _hygiene_settings(self):
        return {
            "siren_required": const.get_param(self.env, PARAM_SIREN_REQUIRED),
            "email_required": const.get_param(self.env, PARAM_EMAIL_REQUIRED),
            "duplicate_policy": const.get_param(self.env, PARAM_DUPLICATE_POLICY),
            "address_standard": const.get_param(self.env, PARAM_ADDRESS_STANDARD),
        }

    @api.model
    def _hygiene_applies(self):
        """The rules are for what people type (forms, RPC, imports), not for the system's own
        records: module data being loaded, superuser code (signup, crons), users' partners."""
        return self.env.registry.ready and not self.env.su and not _CREATING_USERS.get()

    @api.model
    def _hygiene_message(self, template, params):
        return self.env._(template, **params)  # pylint: disable=translation-required

    # ------------------------------------------------------------------ who is concerned

    @api.model
    def _hygiene_is_french(self, country):
        return (country.code or "").upper() == "FR"

    @api.model
    def _hygiene_region(self, country):
        return (country.code or self.env.company.country_id.code or "FR").upper()

    # ------------------------------------------------------------------ create / write

    @api.model
    def _hygiene_entry_prepare(self, partners, vals_list):
        """Values to create (``partners`` empty) or write, completed by the rules: a SIRET typed
        as the registry gives its SIREN (the SIRET is kept in ``hygiene_siret``), an
        establishment of a head office already in the base becomes its address, French
        addresses are laid out as NF Z10-011 when the option is on. Returns
        ``(vals_list, originals)``: ``originals`` maps the index of each vals to the address as
        typed when the layout changed it (recorded in the contact's origin once saved)."""
        if not self._hygiene_applies():
            return vals_list, {}
        settings = self._hygiene_settings()
        vals_list = [dict(vals) for vals in vals_list]
        originals = {}
        countries = self.env["res.country"].browse(
            {vals["country_id"] for vals in vals_list if vals.get("country_id")}
        )
        codes = {country.id: country.code for country in countries}
        for index, vals in enumerate(vals_list):
            # on write, one vals for all the records: the first one tells the country
            current = partners[:1] if partners else None
            country_id = (
                vals.get("country_id")
                if current is None or "country_id" in vals
                else (current.country_id.id)
            )
            french = codes.get(country_id, current.country_id.code if current else "") == "FR"
            is_company = (
                vals.get("is_company") or vals.get("company_type") == "company"
                if {"is_company", "company_type"} & vals.keys()
                else bool(current and current.is_company)
            )
            if settings["siren_required"] and is_company:
                self._hygiene_prepare_registry(vals, current)
            if settings["address_standard"] and french:
                self._hygiene_standard_address(vals, originals, index if current is None else "all")
        return vals_list, originals

    @api.model
    def _hygiene_prepare_registry(self, vals, current):
        """A SIRET typed as the registry gives its SIREN (the SIRET kept in ``hygiene_siret``);
        a French VAT number gives the SIREN when the registry is empty."""
        registry = vals.get("company_registry")
        if not registry and "vat" in vals and not (current and current.company_registry):
            vat = entry_checks.registry_digits(vals.get("vat") or "").upper()
            if vat.startswith("FR") and not entry_checks.vat_hint(vat):
                registry = vat[4:]
        if not registry:
            return
        siren, siret = entry_checks.siren_of(registry)
        if not siren:
            return  # refused after the save, with the value in the message
        vals["company_registry"] = siren
        if siret:
            vals["hygiene_siret"] = siret
            if not current:
                self._hygiene_link_establishment(vals, siren)

    @api.model
    def _hygiene_link_establishment(self, vals, siren):
        """A company typed with a SIRET whose SIREN is a company already in the base is one of
        its establishments: created as an address of that company, not as a second company."""
        is_company = vals.get("is_company") or vals.get("company_type") == "company"
        if not is_company or vals.get("parent_id"):
            return
        head = self.env["res.partner"].search(
            [
                ("is_company", "=", True),
                ("hygiene_company_key", "=", f"FR:{siren}"),
                ("parent_id", "=", False),
            ],
            limit=1,
        )
        if head:
            vals.update(is_company=False, company_type="person", parent_id=head.id, type="other")

    @api.model
    def _hygiene_standard_address(self, vals, originals, index):
        """Lay out the address lines being saved (only those in ``vals``)."""
        if not set(ADDRESS_FIELDS) & vals.keys():
            return
        typed = {name: vals.get(name) or False for name in ADDRESS_FIELDS}
        street, street2, city, __ = entry_checks.afnor_address(
            typed["street"], typed["street2"], typed["city"]
        )
        new = {"street": street, "street2": street2, "city": city}
        changed = {
            name: new[name]
            for name in ADDRESS_FIELDS
            if name in vals and (new[name] or False) != typed[name]
        }
        if changed:
            originals[index] = typed
            vals.update(changed)

    @api.model
    def _hygiene_entry_check(self, partners, originals=None, new=False, changed=()):
        """Refuse what the settings forbid, naming the field; record the addresses as typed.

        Called after the partners are created (``new``) or written (``changed``: the fields
        written), on the values the records finally hold: the ORM rolls the change back when
        this raises, and a form, an RPC client and the import get the same message."""
        if not self._hygiene_applies() or not partners:
            return
        if not new and not RULE_FIELDS & set(changed):
            return
        settings = self._hygiene_settings()
        for partner in partners:
            message = self._hygiene_refusal(partner, settings)
            if message:
                raise ValidationError(message)
        if settings["duplicate_policy"] == "block" and (new or IDENTITY_FIELDS & set(changed)):
            for partner in partners:
                message = self._hygiene_duplicate_refusal(partner)
                if message:
                    raise ValidationError(message)
        if originals:
            self._hygiene_keep_original_addresses(partners, originals)

    @api.model
    def _hygiene_refusal(self, partner, settings):
        """The message refusing ``partner`` under ``settings``, or None."""
        if partner.type != "contact":
            return None  # invoice, delivery, other addresses: the contact's own rules
        name = partner.display_name or partner.name or ""
        if (
            partner.is_company
            and settings["siren_required"]
            and self._hygiene_is_french(partner.country_id)
        ):
            registry = partner.company_registry
            if not registry:
                return self.env._(
                    "SIREN (Company ID field) is required for a company in France: type the "
                    "SIREN or a SIRET of %(name)s.",
                    name=name,
                )
            if entry_checks.siren_of(registry) == (None, None):
                return self.env._(
                    "SIREN (Company ID field) %(value)s of %(name)s fails its checksum: a SIREN "
                    "has 9 digits, a SIRET 14, with a Luhn check digit.",
                    value=registry,
                    name=name,
                )
        if not partner.is_company and settings["email_required"] and not partner.email:
            return self.env._(
                "Email is required for an individual: type the email of %(name)s.", name=name
            )
        return None

    @api.model
    def _hygiene_probable_duplicates(self, partner):
        """The partners ``partner`` is a probable duplicate of: same email, phone, SIREN/VAT, or
        name (companies; persons at the same postcode). A similar name alone only warns."""
        matches, __ = partner._hygiene_find_duplicates()
        if not matches:
            return matches
        strong = matches.filtered(
            lambda match: (
                (partner.hygiene_email_key and match.hygiene_email_key == partner.hygiene_email_key)
                or (
                    ({partner.hygiene_phone_key, partner.hygiene_mobile_key} - {False, None})
                    & {match.hygiene_phone_key, match.hygiene_mobile_key}
                )
                or (
                    partner.hygiene_company_key
                    and match.hygiene_company_key == partner.hygiene_company_key
                )
                or (
                    partner.hygiene_name_key
                    and match.hygiene_name_key == partner.hygiene_name_key
                    and match.is_company == partner.is_company
                    and (partner.is_company or match.zip == partner.zip)
                )
            )
        )
        return strong

    @api.model
    def _hygiene_duplicate_refusal(self, partner):
        if partner.type != "contact":
            return None
        matches = self._hygiene_probable_duplicates(partner)
        if not matches:
            return None
        return self.env._(
            "%(name)s is probably already in the base (%(matches)s): open that contact instead "
            "of creating a duplicate (Data Hygiene setting: block probable duplicates).",
            name=partner.display_name or partner.name or "",
            matches=", ".join(matches[:3].mapped("display_name")),
        )

    @api.model
    def _hygiene_keep_original_addresses(self, partners, originals):
        """The address as typed goes to the contact's latest origin (a new *Manual entry*
        origin when it has none), for the stewards: the layout never loses what was typed."""
        Origin = self.env["hygiene.partner.origin"].sudo()
        manual = self.env.ref("partner_data_hygiene.source_manual", raise_if_not_found=False)
        # create: one vals per partner; write: one vals (index 0) for all of them
        targets = (
            [(partner, originals["all"]) for partner in partners]
            if "all" in originals
            else [(partners[index], typed) for index, typed in originals.items()]
        )
        for partner, typed in targets:
            text = " / ".join(str(typed[name]) for name in ADDRESS_FIELDS if typed[name])
            if not text:
                continue
            line = self.env._("Address as typed: %(address)s", address=text)
            origin = Origin.search([("partner_id", "=", partner.id)], order="id desc", limit=1)
            if origin:
                note = origin.hygiene_original_values
                origin.hygiene_original_values = f"{note}\n{line}" if note else line
            elif manual:
                Origin.create(
                    {
                        "partner_id": partner.id,
                        "source_id": manual.id,
                        "collected_date": partner.create_date or fields.Datetime.now(),
                        "hygiene_original_values": line,
                    }
                )

    # ------------------------------------------------------------------ hints as typed

    @api.model
    def _hygiene_value_hints(self, values, country=None):
        """``[(field, level, message)]`` for values being typed: ``level`` is ``"error"`` for a
        value that looks wrong, ``"info"`` for the national format of a phone. Nothing is
        changed: the form shows these next to the fields, the import report lists them."""
        country = country or self.env["res.country"]
        region = self._hygiene_region(country)
        hints = []
        email = values.get("email")
        if email:
            hint = entry_checks.email_hint(email)
            if hint:
                hints.append(("email", "error", self._hygiene_message(*hint)))
        for name in ("phone", "mobile"):
            if values.get(name):
                national = entry_checks.phone_national(values[name], region)
                if national:
                    hints.append(
                        (
                            name,
                            "info",
                            self.env._(
                                "%(field)s: %(national)s",
                                field=self._hygiene_field_label(name),
                                national=national,
                            ),
                        )
                    )
                else:
                    hint = entry_checks.phone_hint(values[name], region)
                    hints.append((name, "error", self._hygiene_message(*hint)))
        french = (country.code or region) == "FR"
        if french and values.get("zip"):
            hint = entry_checks.postcode_city_hint(values["zip"], values.get("city"), "FR")
            if hint:
                hints.append(("zip", "error", self._hygiene_message(*hint)))
        if values.get("vat"):
            hint = entry_checks.vat_hint(values["vat"])
            if hint:
                hints.append(("vat", "error", self._hygiene_message(*hint)))
        if french and values.get("company_registry"):
            hint = entry_checks.registry_hint(values["company_registry"])
            if hint:
                hints.append(("company_registry", "error", self._hygiene_message(*hint)))
        return hints

    @api.model
    def hygiene_value_hints(self, values):
        """The hints for a contact typed in another form (the CRM lead form's widget):
        ``[{"field", "level", "message"}]``. ``values`` may hold ``email``, ``phone``,
        ``mobile``, ``zip``, ``city``, ``vat`` and ``country_id``. Reads nothing of the base:
        the checks are on the values themselves; open to users who may read contacts."""
        self.env["res.partner"].check_access("read")
        if not isinstance(values, dict):
            return []
        clean = {}
        for name in ("email", "phone", "mobile", "zip", "city", "vat"):
            value = values.get(name)
            if isinstance(value, str) and value.strip():
                clean[name] = value.strip()[:256]
        country_id = values.get("country_id")
        country = self.env["res.country"]
        if isinstance(country_id, int) and not isinstance(country_id, bool):
            country = country.browse(country_id).exists()
        return [
            {"field": field, "level": level, "message": message}
            for field, level, message in self._hygiene_value_hints(clean, country)
        ]

    @api.model
    def _hygiene_partner_hints_html(self, partner):
        values = {
            name: partner[name]
            for name in ("email", "phone", "mobile", "zip", "city", "vat", "company_registry")
        }
        if not partner.is_company:
            values.pop("company_registry")
        return self._hygiene_hints_html(self._hygiene_value_hints(values, partner.country_id))

    @api.model
    def _hygiene_field_label(self, name):
        field = self.env["res.partner"]._fields.get(name)
        return field._description_string(self.env) if field else name

    @api.model
    def _hygiene_hints_html(self, hints):
        """The hints as the form's non-blocking alert (escaped: the values are user input)."""
        if not hints:
            return False
        items = Markup("").join(
            Markup('<li class="%s">%s</li>')
            % ("text-danger" if level == "error" else "text-muted", escape(message))
            for __, level, message in hints
        )
        return Markup('<ul class="mb-0">%s</ul>') % items

    # ------------------------------------------------------------------ import

    @api.model
    def _hygiene_import_errors(self, clean, errors, region="FR", settings=None):
        """The refusals of the rules at entry on one staged row of an import: an error of the
        row (kind ``entry_rule``), so that the row is quarantined with its line, the message and
        the reason *Refused by a rule at entry*."""
        settings = settings or self._hygiene_settings()
        french = self._hygiene_import_french(clean, region)
        is_company = bool(clean.get("is_company"))
        if is_company and french and settings["siren_required"]:
            registry = clean.get("company_registry")
            siren = entry_checks.siren_of(registry)[0] if registry else None
            if not registry:
                errors.append(
                    (
                        "entry_rule",
                        _lt("SIREN required for a company in France (column SIREN / SIRET)."),
                        {},
                    )
                )
            elif not siren:
                errors.append(
                    (
                        "entry_rule",
                        _lt(
                            "SIREN/SIRET %(value)s fails its checksum (required for a company "
                            "in France)."
                        ),
                        {"value": registry},
                    )
                )
        if not is_company and settings["email_required"] and not clean.get("email"):
            errors.append(
                ("entry_rule", _lt("Email required for an individual (column email)."), {})
            )

    @api.model
    def _hygiene_import_french(self, clean, region):
        country = (clean.get("country") or region or "FR").strip().upper()
        return country in ("FR", "FRANCE")

    @api.model
    def _hygiene_import_warnings(self, clean, warnings, region="FR", settings=None):
        """The hints on one staged row (warnings of the import report, the same messages as
        on the form) and the address laid out when the standard is on (the original stays in
        the line's raw values, which the row's origin points to)."""
        settings = settings or self._hygiene_settings()
        french = self._hygiene_import_french(clean, region)
        for hint in (
            entry_checks.postcode_city_hint(clean.get("zip"), clean.get("city"), "FR")
            if french
            else None,
            entry_checks.vat_hint(clean.get("vat")),
            entry_checks.email_hint(clean.get("email")),
        ):
            if hint:
                warnings.append(("entry_hint", *hint))
        if settings["address_standard"] and french:
            street, street2, city, too_long = entry_checks.afnor_address(
                clean.get("street"), clean.get("street2"), clean.get("city")
            )
            changed = {
                name: value
                for name, value in (("street", street), ("street2", street2), ("city", city))
                if value and value != clean.get(name)
            }
            if changed:
                warnings.append(
                    (
                        "address_standard",
                        _lt(
                            "Address laid out as the French postal standard: %(address)s "
                            "(typed: %(typed)s)."
                        ),
                        {
                            "address": " / ".join(v for v in (street, street2, city) if v),
                            "typed": " / ".join(
                                clean[name]
                                for name in ("street", "street2", "city")
                                if clean.get(name)
                            ),
                        },
                    )
                )
                clean.update(changed)
            for line in too_long:
                warnings.append(
                    (
                        "address_standard",
                        _lt("Address line longer than 38 characters: %(value)s."),
                        {"value": line},
                    )
                )
