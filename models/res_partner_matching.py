from odoo import api, fields, models
from odoo.tools import SQL, split_every
from odoo.tools.sql import escape_psql

from ..tools import normalize
from ..tools.matching import name_similarity, partner_keys
from ..tools.service_fields import defer_keys
from .res_partner_warning import WARNING_CANDIDATES

# Partner fields the matching keys are derived from: a write touching one of them refreshes them.
KEY_SOURCE_FIELDS = frozenset(
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
        "company_id",  # the region of a contact without a country is its company's
    }
)
KEY_FIELDS = (
    "hygiene_email_key",
    "hygiene_phone_key",
    "hygiene_mobile_key",
    "hygiene_name_key",
    "hygiene_company_key",
    "hygiene_phonetic_key",
)
BACKFILL_BATCH = 10000
DUPLICATE_WARNING_LIMIT = 5
# The warning's "similar name" look-up: rows sharing the sound of the name (and the postcode or
# town) read at most, then kept when their name is this close to the typed one.
SIMILAR_NAME_CANDIDATES = 30
SIMILAR_NAME_MIN = 0.85


HYGIENE_USER = "partner_data_hygiene.group_hygiene_user"


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
    hygiene_phonetic_key = fields.Char(
        string="Name Sound Key",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Sorted sound codes of the words of the name key: Jean Dupond and Dupont Jean "
        "share it. Used by the duplicate warning to find names typed slightly differently.",
    )
    hygiene_birthdate = fields.Date(
        string="Birth Date",
        copy=False,
        groups=HYGIENE_USER,
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
        # whether a person was erased or objected is itself personal: hygiene roles only
        groups=HYGIENE_USER,
        help="Set when the email or a phone of the contact is on the suppression list.",
    )

    # ------------------------------------------------------------------ maintenance

    @api.model
    def _hygiene_keys_before_create(self, vals_list, with_defaults):
        """Step of the create pipeline (res_partner.py): ``vals_list`` with the keys added, and
        the indexes of the values whose keys are computed after creation instead.

        Keys computed from the values and inserted with the partner: no read-back, no UPDATE.
        A partner whose name is not in the values (computed by another module), or whose email,
        phones... come from a default (``with_defaults``: the context's, the user's own) is
        refreshed from its record after creation instead."""
        # the country as the record will have it: the values', else a default's
        countries = [
            vals["country_id"] if "country_id" in vals else full.get("country_id")
            for vals, full in zip(vals_list, with_defaults, strict=True)
        ]
        codes = {
            country.id: country.code
            for country in self.env["res.country"].browse({c for c in countries if c})
        }
        company_ids = {vals.get("company_id") for vals in vals_list} - {False, None}
        company_regions = {
            company.id: self._hygiene_default_region(company)
            for company in self.env["res.company"].sudo().browse(company_ids)
        }
        default_region = self._hygiene_default_region()
        to_refresh = []
        vals_list = [dict(vals) for vals in vals_list]  # callers may reuse their dicts
        for index, vals in enumerate(vals_list):
            defaulted = with_defaults[index].keys() - vals.keys() - {"country_id"}
            if "name" not in vals or KEY_SOURCE_FIELDS & defaulted:
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
                    codes.get(countries[index])
                    or company_regions.get(vals.get("company_id"))
                    or default_region,
                )
            )
        return vals_list, to_refresh

    def _hygiene_keys_after_create(self, to_refresh):
        """Step of the create pipeline: the keys of the created ``self`` listed by index."""
        if to_refresh:
            self.browse([self.ids[index] for index in to_refresh])._hygiene_refresh_keys()

    def _hygiene_keys_after_write(self, vals):
        """Step of the write pipeline (res_partner.py): refresh the keys the write changed."""
        # a service writing many contacts one by one refreshes them at the end (deferred_keys)
        if KEY_SOURCE_FIELDS & vals.keys() and not defer_keys(self.ids):
            self._hygiene_refresh_keys()
        if "country_id" in vals:
            self._hygiene_keys_of_company_contacts()

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
                partner._hygiene_phone_region(default_region),
            )
            rows.append((partner.id, *(keys[field] for field in KEY_FIELDS)))
        self._hygiene_store_keys(rows)
        self.invalidate_recordset(list(KEY_FIELDS))

    @api.model
    def _hygiene_store_keys(self, rows, fields=KEY_FIELDS):
        """Write ``rows`` of (id, *values of ``fields``), by default (id, *KEY_FIELDS values)."""
        if not rows:
            return
        row_code = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        values = SQL(", ").join(SQL(row_code, *row) for row in rows)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET %(assignments)s
                  FROM (VALUES %(values)s) AS v(id, %(columns)s)
                 WHERE p.id = v.id
                """,
                assignments=SQL(", ").join(
                    SQL("%s = v.%s", SQL.identifier(field), SQL.identifier(field))
                    for field in fields
                ),
                values=values,
                columns=SQL(", ").join(SQL.identifier(field) for field in fields),
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
                           p.company_registry, p.is_company, COALESCE(c.code, cc.code)
                      FROM res_partner p
                 LEFT JOIN res_country c ON c.id = p.country_id
                 LEFT JOIN res_company co ON co.id = p.company_id
                 LEFT JOIN res_partner cp ON cp.id = co.partner_id
                 LEFT JOIN res_country cc ON cc.id = cp.country_id
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

    @api.model
    def _hygiene_backfill_phonetic_keys(self, batch_size=BACKFILL_BATCH):
        """Fill the name sound key from the stored name keys (upgrade of a base whose other keys
        are already computed): no email or phone parsing, id batches, one UPDATE per batch.
        Returns the number of partners processed."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("SELECT id FROM res_partner WHERE hygiene_name_key IS NOT NULL ORDER BY id"))
        ids = [row[0] for row in cr.fetchall()]
        for batch in split_every(batch_size, ids):
            cr.execute(
                SQL("SELECT id, hygiene_name_key FROM res_partner WHERE id = ANY(%s)", list(batch))
            )
            rows = [(pid, normalize.phonetic_name_key(key)) for pid, key in cr.fetchall()]
            self._hygiene_store_keys(rows, ("hygiene_phonetic_key",))
        self.invalidate_model(["hygiene_phonetic_key"])
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
                    region=partner._hygiene_phone_region(),
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
        "city",
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

        When these exact matches leave room, names that sound the same (``hygiene_phonetic_key``)
        at the same postcode (companies: the same postcode or town) are added after them, if
        their name is close enough to the typed one (``name_similarity``): "Jean Dupond" typed
        at 75011 warns about "Jean Dupont" at 75011, and so does "DUPONT J." (initials stand
        for words that begin with them).
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
        keys["initials"] = [] if self.is_company else normalize.name_initials(self.name)
        phones = [key for key in (keys["hygiene_phone_key"], keys["hygiene_mobile_key"]) if key]
        criteria = self._hygiene_exact_criteria(keys, phones)
        similar = self._hygiene_similar_name_domain(keys)
        if not criteria and not similar:
            return self.browse(), False
        exclusions = self._hygiene_warning_exclusions()
        matches = self.browse()
        if criteria:
            domain = ["|"] * (len(criteria) - 1)
            for criterion in criteria:
                domain += ["&"] * (len(criterion) - 1) + criterion
            # no ORDER BY: with one and a limit, PostgreSQL may walk the primary key through
            # the whole base when nothing matches (a new name: 370 ms on 1,000,000 partners)
            # instead of reading the indexes of the keys; the few matches are sorted here.
            query = self._search(exclusions + domain, limit=WARNING_CANDIDATES)
            matches = self.browse(sorted(pid for (pid,) in self.env.execute_query(query.select())))
        if similar and len(matches) < WARNING_CANDIDATES:
            if matches:
                exclusions.append(("id", "not in", matches.ids))
            matches |= self._hygiene_similar_names(
                keys, exclusions + similar, WARNING_CANDIDATES - len(matches)
            )
        # judged by the scan's matcher: what the scan would propose, best first
        matches = self._hygiene_scored_matches(matches, keys, limit)
        return matches, self._hygiene_duplicate_explanation(matches, keys, phones)

    def _hygiene_exact_criteria(self, keys, phones):
        """Domains (one per blocking key of the scan the warning can look up by index) of the
        partners sharing a key with ``self``: email, phone or mobile, company identifier,
        name (a person's at the same postcode)."""
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
        return criteria

    def _hygiene_warning_exclusions(self):
        """``self`` itself and its own company with its contacts (they share the switchboard
        and the domain) are never its duplicates."""
        exclusions = []
        own_id = self._origin.id
        if own_id:
            exclusions.append(("id", "!=", own_id))
        family = self.parent_id.commercial_partner_id or (
            self._origin.commercial_partner_id if own_id else self.browse()
        )
        if family:
            exclusions.append(("commercial_partner_id", "!=", family.id))
        return exclusions

    def _hygiene_similar_name_domain(self, keys):
        """Domain of the partners whose name sounds like the typed one where it is a clue: a
        person at the same postcode, a company at the same postcode or in the same town (a
        company's sound key alone matches unrelated firms across the country), or False."""
        sound = keys["hygiene_phonetic_key"]
        if not sound or not keys["hygiene_name_key"]:
            return False
        sounds = [("hygiene_phonetic_key", "=", sound)]
        # "Dupont J." also sounds like "Jean Dupont" (see normalize.initial_sound_patterns)
        patterns = self._hygiene_initials(keys)[0]
        sounds += [("hygiene_phonetic_key", "=like", pattern) for pattern in patterns]
        domain = [
            *(["|"] * (len(sounds) - 1)),
            *sounds,
            ("hygiene_name_key", "!=", keys["hygiene_name_key"]),  # exact names: found above
            ("is_company", "=", bool(self.is_company)),
        ]
        zip_code = (self.zip or "").strip()
        if not self.is_company:
            return zip_code and [*domain, ("zip", "=", zip_code)]
        city = (self.city or "").strip()
        places = [("zip", "=", zip_code)] if zip_code else []
        if city:
            places.append(("city", "=ilike", escape_psql(city)))
        if not places:
            return False
        return domain + ["|"] * (len(places) - 1) + places

    @api.model
    def _hygiene_initials(self, keys):
        """``(like_patterns, regex)`` of the sound keys the typed name's initials may stand
        for (``normalize.initial_sound_patterns``); ``([], None)`` without initials."""
        if not keys.get("initials"):
            return [], None
        return normalize.initial_sound_patterns(keys["hygiene_name_key"], keys["initials"])

    def _hygiene_similar_names(self, keys, domain, limit):
        """The partners of ``domain`` (same sound key) whose name is at least SIMILAR_NAME_MIN
        like the typed one (``keys``), closest first: at most SIMILAR_NAME_CANDIDATES rows
        read, compared in Python.

        The rows are read in no particular order on purpose (see ``_hygiene_find_duplicates``):
        which candidates are compared only matters when more than SIMILAR_NAME_CANDIDATES
        partners at one postcode sound alike with other names.
        """
        query = self._search(domain, limit=SIMILAR_NAME_CANDIDATES)
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(query.table, "id"),
                SQL.identifier(query.table, "hygiene_name_key"),
                SQL.identifier(query.table, "hygiene_phonetic_key"),
            )
        )
        regex = self._hygiene_initials(keys)[1]
        best = sorted(
            (-similarity, pid)
            for pid, other, sound in rows
            if (similarity := self._hygiene_name_likeness(keys, other, sound, regex))
            >= SIMILAR_NAME_MIN
        )
        return self.browse([pid for __, pid in best[:limit]])

    @api.model
    def _hygiene_name_likeness(self, keys, name_key, sound, regex):
        """How much the typed name (``keys``) is like a partner's (``name_key``, sound key
        ``sound``): their similarity if they sound the same; SIMILAR_NAME_MIN when the typed
        initials stand for words that sound like the partner's ("DUPOND J." and "Jean
        Dupont", ``regex`` of ``_hygiene_initials``); else 0."""
        if not sound:
            return 0.0
        similarity = 0.0
        if sound == keys["hygiene_phonetic_key"]:
            similarity = name_similarity(keys["hygiene_name_key"], name_key)
        if similarity < SIMILAR_NAME_MIN and regex and regex.fullmatch(sound):
            return SIMILAR_NAME_MIN
        return similarity

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
        ``mobile``, ``zip``, ``city``, ``country_id`` and ``partner_id`` (the contact the record
        is already linked to: neither it nor its company are reported). Only index look-ups on
        the stored keys, under the user's own access rights and record rules.
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
        common = {
            "country_id": country.id,
            "parent_id": family.id,
            "zip": text("zip"),
            "city": text("city"),
        }
        candidates = []
        if text("name") or text("email") or text("phone") or text("mobile"):
            candidates.append(
                {
                    **common,
                    "name": text("name"),
                    "email": text("email"),
                    "phone": text("phone"),
                    "mobile": text("mobile"),
                }
            )
        if text("company_name"):
            candidates.append({**common, "name": text("company_name"), "is_company": True})
        found = {}
        for candidate in candidates:
            matches, _reasons = self.new(candidate)._hygiene_find_duplicates()
            keys, phones = self._hygiene_hint_keys(candidate, country)
            for match in matches - linked:
                if match.id not in found and len(found) < DUPLICATE_WARNING_LIMIT:
                    found[match.id] = {
                        "id": match.id,
                        "name": match.display_name,
                        "reasons": self._hygiene_match_reasons(match, keys, phones),
                    }
        return list(found.values())

    @api.model
    def _hygiene_hint_keys(self, candidate, country):
        """``(keys, phones)`` of a contact typed in another form, for the reasons."""
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
        if not candidate.get("is_company"):
            keys["initials"] = normalize.name_initials(candidate.get("name"))
        phones = {keys["hygiene_phone_key"], keys["hygiene_mobile_key"]} - {None, False}
        return keys, phones

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
        elif keys["hygiene_phonetic_key"] and (
            self._hygiene_name_likeness(
                keys,
                match.hygiene_name_key,
                match.hygiene_phonetic_key,
                self._hygiene_initials(keys)[1],
            )
            >= SIMILAR_NAME_MIN
        ):
            why.append(self.env._("similar name"))
        return ", ".join(why)
