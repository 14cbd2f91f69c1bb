from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..tools import normalize

# Partner fields the matching keys are derived from: a write touching one of them refreshes them.
KEY_SOURCE_FIELDS = frozenset(
    {"name", "email", "phone", "mobile", "vat", "company_registry", "is_company", "country_id"}
)
KEY_FIELDS = (
    "hygiene_email_key",
    "hygiene_phone_key",
    "hygiene_mobile_key",
    "hygiene_name_key",
    "hygiene_company_key",
)
BACKFILL_BATCH = 10000
DUPLICATE_WARNING_LIMIT = 5


def partner_keys(name, email, phone, mobile, vat, registry, is_company, region):
    """The matching keys of one partner, from its raw values (see tools/normalize.py)."""
    name_key = (normalize.company_name_key if is_company else normalize.person_name_key)(name)
    return {
        "hygiene_email_key": normalize.email_key(email),
        "hygiene_phone_key": normalize.normalize_phone(phone, region),
        "hygiene_mobile_key": normalize.normalize_phone(mobile, region),
        "hygiene_name_key": name_key,
        "hygiene_company_key": normalize.company_identifier(vat=vat, registry=registry),
    }


class ResPartner(models.Model):
    """Stored, indexed matching keys, so that duplicate warnings and candidate generation are
    index look-ups. Keys are written with SQL by the partner's own create/write and by the
    install back-fill; they are never typed in nor shown as data."""

    _inherit = "res.partner"

    hygiene_email_key = fields.Char(
        string="Email Matching Key", readonly=True, copy=False, index="btree_not_null"
    )
    hygiene_phone_key = fields.Char(
        string="Phone (E.164)", readonly=True, copy=False, index="btree_not_null"
    )
    hygiene_mobile_key = fields.Char(
        string="Mobile (E.164)", readonly=True, copy=False, index="btree_not_null"
    )
    hygiene_name_key = fields.Char(
        string="Name Matching Key", readonly=True, copy=False, index="btree_not_null"
    )
    hygiene_company_key = fields.Char(
        string="Company Identifier Key",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="SIREN of French companies (from SIRET, SIREN or VAT number), else the VAT number.",
    )
    hygiene_birthdate = fields.Date(
        string="Birth Date",
        copy=False,
        help="Used by the duplicate scan: two contacts with the same name and different birth "
        "dates are different people (homonyms, father and son).",
    )
    hygiene_duplicate_ids = fields.Many2many(
        "res.partner",
        compute="_compute_hygiene_duplicates",
        string="Possible Duplicates",
    )
    hygiene_duplicate_reason = fields.Char(
        compute="_compute_hygiene_duplicates", string="Why a Duplicate"
    )
    hygiene_suppression_warning = fields.Char(
        compute="_compute_hygiene_suppression_warning",
        string="Suppression Warning",
        help="Set when the email or a phone of the contact is on the suppression list.",
    )

    # ------------------------------------------------------------------ maintenance

    @api.model_create_multi
    def create(self, vals_list):
        # Keys computed from the values and inserted with the partner: no read-back, no UPDATE.
        # A partner whose name is not in the values (computed by another module) is refreshed
        # from its record after creation instead.
        country_ids = {vals["country_id"] for vals in vals_list if vals.get("country_id")}
        codes = {
            country.id: country.code for country in self.env["res.country"].browse(country_ids)
        }
        default_country = self.env.context.get("default_country_id")
        default_region = codes.get(default_country) or self._hygiene_default_region()
        if default_country and default_country not in codes:
            default_region = self.env["res.country"].browse(default_country).code or default_region
        to_refresh = []
        vals_list = [dict(vals) for vals in vals_list]  # callers may reuse their dicts
        for index, vals in enumerate(vals_list):
            if "name" not in vals:
                to_refresh.append(index)
                continue
            vals.update(
                partner_keys(
                    vals.get("name"),
                    vals.get("email"),
                    vals.get("phone"),
                    vals.get("mobile"),
                    vals.get("vat"),
                    vals.get("company_registry"),
                    vals.get("is_company") or vals.get("company_type") == "company",
                    codes.get(vals.get("country_id")) or default_region,
                )
            )
        partners = super().create(vals_list)
        if to_refresh:
            partners.browse([partners.ids[index] for index in to_refresh])._hygiene_refresh_keys()
        return partners

    def write(self, vals):
        result = super().write(vals)
        # hygiene_defer_keys: a caller writing many contacts one by one refreshes them at the end
        if KEY_SOURCE_FIELDS & vals.keys() and not self.env.context.get("hygiene_defer_keys"):
            self._hygiene_refresh_keys()
        return result

    def _hygiene_default_region(self):
        return self.env.company.country_id.code or "FR"

    def _hygiene_refresh_keys(self):
        """Recompute the keys of ``self`` from the values in cache and store them in one UPDATE."""
        if not self:
            return
        default_region = self._hygiene_default_region()
        rows = []
        for partner in self:
            keys = partner_keys(
                partner.name,
                partner.email,
                partner.phone,
                partner.mobile,
                partner.vat,
                partner.company_registry,
                partner.is_company,
                partner.country_id.code or default_region,
            )
            rows.append((partner.id, *(keys[field] for field in KEY_FIELDS)))
        self._hygiene_store_keys(rows)
        self.invalidate_recordset(list(KEY_FIELDS))

    @api.model
    def _hygiene_store_keys(self, rows):
        """Write ``rows`` of (id, email key, phone key, mobile key, name key, company key)."""
        if not rows:
            return
        values = SQL(", ").join(SQL("(%s, %s, %s, %s, %s, %s)", *row) for row in rows)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET hygiene_email_key = v.email_key,
                       hygiene_phone_key = v.phone_key,
                       hygiene_mobile_key = v.mobile_key,
                       hygiene_name_key = v.name_key,
                       hygiene_company_key = v.company_key
                  FROM (VALUES %(values)s)
                       AS v(id, email_key, phone_key, mobile_key, name_key, company_key)
                 WHERE p.id = v.id
                """,
                values=values,
            )
        )

    @api.model
    def _hygiene_backfill_keys(self, batch_size=BACKFILL_BATCH):
        """Compute the keys of every partner (install, or after a change of the key rules).

        Reads raw columns with SQL in id batches so that a 1,000,000-partner base never loads
        into the ORM cache; returns the number of partners processed.
        """
        self.env.flush_all()
        default_region = self._hygiene_default_region()
        self.env.cr.execute(SQL("SELECT id FROM res_partner ORDER BY id"))
        ids = [row[0] for row in self.env.cr.fetchall()]
        for batch in split_every(batch_size, ids):
            self.env.cr.execute(
                SQL(
                    """
                    SELECT p.id, p.name, p.email, p.phone, p.mobile, p.vat,
                           p.company_registry, p.is_company, c.code
                      FROM res_partner p
                 LEFT JOIN res_country c ON c.id = p.country_id
                     WHERE p.id = ANY(%s)
                    """,
                    list(batch),
                )
            )
            rows = []
            for (
                pid,
                name,
                email,
                phone,
                mobile,
                vat,
                registry,
                is_company,
                code,
            ) in self.env.cr.fetchall():
                keys = partner_keys(
                    name, email, phone, mobile, vat, registry, is_company, code or default_region
                )
                rows.append((pid, *(keys[field] for field in KEY_FIELDS)))
            self._hygiene_store_keys(rows)
        self.invalidate_model(list(KEY_FIELDS))
        return len(ids)

    # ------------------------------------------------------------------ suppression warning

    @api.depends("email", "phone", "mobile", "country_id")
    def _compute_hygiene_suppression_warning(self):
        Suppression = self.env["hygiene.suppression"]
        for partner in self:
            phones = [phone for phone in (partner.phone, partner.mobile) if phone]
            kinds = (
                Suppression._is_suppressed(
                    email=partner.email,
                    phones=phones,
                    region=partner.country_id.code or self._hygiene_default_region(),
                )
                if partner.email or phones
                else set()
            )
            partner.hygiene_suppression_warning = (
                self.env._(
                    "This email or phone belongs to a person who was erased or who objected to "
                    "marketing: do not add them to marketing lists without a new, proven consent."
                )
                if kinds
                else False
            )

    # ------------------------------------------------------------------ duplicate warning

    @api.depends(
        "name",
        "email",
        "phone",
        "mobile",
        "vat",
        "company_registry",
        "is_company",
        "zip",
        "country_id",
        "parent_id",
    )
    def _compute_hygiene_duplicates(self):
        for partner in self:
            matches, reasons = partner._hygiene_find_duplicates()
            partner.hygiene_duplicate_ids = matches
            partner.hygiene_duplicate_reason = reasons

    def _hygiene_find_duplicates(self, limit=DUPLICATE_WARNING_LIMIT):
        """Probable duplicates of ``self`` (one partner, saved or being typed) and why.

        Index look-ups on the stored keys, never a scan: same email key, same phone or mobile
        (either way round), same company identifier, same company name, or for a person the same
        name at the same postcode. The partner's own company and its contacts are left out (they
        share the switchboard and the domain), and so are partners the user cannot read.
        """
        self.ensure_one()
        keys = partner_keys(
            self.name,
            self.email,
            self.phone,
            self.mobile,
            self.vat,
            self.company_registry,
            self.is_company,
            self.country_id.code or self._hygiene_default_region(),
        )
        phones = [key for key in (keys["hygiene_phone_key"], keys["hygiene_mobile_key"]) if key]
        criteria = []
        if keys["hygiene_email_key"]:
            criteria.append([("hygiene_email_key", "=", keys["hygiene_email_key"])])
        if phones:
            criteria.append([("hygiene_phone_key", "in", phones)])
            criteria.append([("hygiene_mobile_key", "in", phones)])
        if keys["hygiene_company_key"]:
            criteria.append([("hygiene_company_key", "=", keys["hygiene_company_key"])])
        if keys["hygiene_name_key"] and (self.is_company or self.zip):
            name_criterion = [
                ("hygiene_name_key", "=", keys["hygiene_name_key"]),
                ("is_company", "=", bool(self.is_company)),
            ]
            if not self.is_company:
                name_criterion.append(("zip", "=", self.zip))
            criteria.append(name_criterion)
        if not criteria:
            return self.browse(), False
        domain = ["|"] * (len(criteria) - 1)
        for criterion in criteria:
            domain += ["&"] * (len(criterion) - 1) + criterion
        own_id = self._origin.id
        if own_id:
            domain = ["&", ("id", "!=", own_id), *domain]
        family = self.parent_id.commercial_partner_id or (
            self._origin.commercial_partner_id if own_id else self.browse()
        )
        if family:
            domain = ["&", ("commercial_partner_id", "!=", family.id), *domain]
        matches = self.search(domain, limit=limit, order="id")
        return matches, self._hygiene_duplicate_explanation(matches, keys, phones)

    def _hygiene_duplicate_explanation(self, matches, keys, phones):
        parts = [
            self.env._(
                "%(partner)s (%(reasons)s)",
                partner=match.display_name,
                reasons=self._hygiene_match_reasons(match, keys, phones),
            )
            for match in matches
        ]
        return "; ".join(parts) or False

    # ------------------------------------------------------------------ warning on other forms

    @api.model
    def hygiene_duplicate_hint(self, values):
        """Probable duplicates of a contact typed in another form (e.g. a CRM lead), for the
        live warning widget: ``[{"id", "name", "reasons"}]``, at most DUPLICATE_WARNING_LIMIT.

        ``values`` may hold ``name`` (the person), ``company_name``, ``email``, ``phone``,
        ``mobile``, ``zip``, ``country_id`` and ``partner_id`` (the contact the record is already
        linked to: neither it nor its company are reported). Only index look-ups on the stored
        keys, under the user's own access rights and record rules.
        """
        self.check_access("read")
        if not isinstance(values, dict):
            return []

        def text(key):
            value = values.get(key)
            return value.strip()[:256] if isinstance(value, str) and value.strip() else False

        def record_id(key):
            value = values.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else False

        country = self.env["res.country"].browse(record_id("country_id")).exists()
        linked = self.browse(record_id("partner_id")).exists()
        family = linked.commercial_partner_id if linked and linked.has_access("read") else linked
        common = {"country_id": country.id, "parent_id": family.id}
        candidates = []
        if text("name") or text("email") or text("phone") or text("mobile"):
            candidates.append(
                {
                    **common,
                    "name": text("name"),
                    "email": text("email"),
                    "phone": text("phone"),
                    "mobile": text("mobile"),
                    "zip": text("zip"),
                }
            )
        if text("company_name"):
            candidates.append({**common, "name": text("company_name"), "is_company": True})
        found = {}
        for candidate in candidates:
            matches, _reasons = self.new(candidate)._hygiene_find_duplicates()
            keys = partner_keys(
                candidate.get("name"),
                candidate.get("email"),
                candidate.get("phone"),
                candidate.get("mobile"),
                False,
                False,
                candidate.get("is_company", False),
                country.code or self._hygiene_default_region(),
            )
            phones = {keys["hygiene_phone_key"], keys["hygiene_mobile_key"]} - {None, False}
            for match in matches - linked:
                if match.id not in found and len(found) < DUPLICATE_WARNING_LIMIT:
                    found[match.id] = {
                        "id": match.id,
                        "name": match.display_name,
                        "reasons": self._hygiene_match_reasons(match, keys, phones),
                    }
        return list(found.values())

    def _hygiene_match_reasons(self, match, keys, phones):
        why = []
        if keys["hygiene_email_key"] and match.hygiene_email_key == keys["hygiene_email_key"]:
            why.append(self.env._("same email"))
        if {match.hygiene_phone_key, match.hygiene_mobile_key} & set(phones):
            why.append(self.env._("same phone"))
        if keys["hygiene_company_key"] and match.hygiene_company_key == keys["hygiene_company_key"]:
            why.append(self.env._("same SIREN/VAT"))
        if keys["hygiene_name_key"] and match.hygiene_name_key == keys["hygiene_name_key"]:
            why.append(self.env._("same name"))
        return ", ".join(why)
