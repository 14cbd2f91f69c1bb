from odoo import fields, models
from odoo.tools import SQL, split_every

from ..const import MERGE_SURVIVORSHIP, get_param
from ..tools import normalize
from ..tools.i18n import _lt
from .hygiene_import_const import COMMIT_CHUNK, PARTNER_FIELDS


class HygieneImportConflicts(models.AbstractModel):
    """Conflicts of a contact import: the values a row writes on the contact it matches, and those
    that differ from the contact's, under the survivorship rule; listed on the lines at staging, and
    applied at commit. Inherited by ``hygiene.import.batch``: ``self`` is the batch."""

    _name = "hygiene.import.conflicts"
    _description = "Contact Import: Conflicts"

    def _stage_conflicts(self, batch_size=COMMIT_CHUNK):
        """The values of each row that differ from the contact it matches, listed on the line
        as the commit would (survivorship rule included), so that the steward reviews them
        before choosing "Update"; the commit lists them again as written."""
        self.ensure_one()
        if self.kind != "contacts":
            return
        Line = self.env["hygiene.import.line"]
        rule = get_param(self.env, MERGE_SURVIVORSHIP)
        countries = self._countries()
        lines = Line.search(
            [
                ("batch_id", "=", self.id),
                ("state", "=", "staged"),
                ("match_partner_id", "!=", False),
            ]
        )
        for chunk in split_every(batch_size, lines.ids, Line.browse):
            partners = chunk.match_partner_id
            partners.fetch([*PARTNER_FIELDS, "write_date", "hygiene_source_id", "parent_id"])
            values = []
            for line in chunk:
                clean = line._clean()
                __, conflicts = self._update_vals(
                    line.match_partner_id,
                    self._partner_vals(clean, countries, default_country=False),
                    clean,
                    rule,
                )
                if conflicts:
                    text, templates = Line._messages_text_and_json(conflicts)
                    values.append(SQL("(%s, %s, %s)", line.id, text, templates))
            if values:
                self.env.cr.execute(
                    SQL(
                        "UPDATE hygiene_import_line l SET conflicts = v.conflicts,"
                        " conflict_templates = v.templates"
                        " FROM (VALUES %s) AS v(id, conflicts, templates) WHERE l.id = v.id",
                        SQL(", ").join(values),
                    )
                )
            # the chunk's lines and contacts leave the cache: a file of a million rows
            # matches hundreds of thousands of contacts
            self.env.invalidate_all()
        Line.invalidate_model(["conflicts", "conflict_templates"])

    def _countries(self):
        """``{ISO code or folded name: country id}``: a row's country as staging read it for
        its phones and postcode (``_hygiene_country_codes``)."""
        ids = {
            country["code"].upper(): country["id"]
            for country in self.env["res.country"].search_read([("code", "!=", False)], ["code"])
        }
        return {
            key: ids[code] for key, code in self._hygiene_country_codes().items() if code in ids
        }

    def _partner_vals(self, clean, countries, default_country=True):
        vals = {
            "name": clean.get("name") or clean.get("email") or clean.get("phone"),
            "is_company": bool(clean.get("is_company")),
        }
        for name in PARTNER_FIELDS:
            if name in ("name", "country_id"):
                continue
            if clean.get(name):
                vals[name] = clean[name]
        if clean.get("birthdate"):  # checked when normalised: a real, past date
            vals["hygiene_birthdate"] = clean["birthdate"]
        country = clean.get("country")
        if country:
            vals["country_id"] = countries.get(country.strip().upper()) or countries.get(
                normalize.fold(country)
            )
        if default_country and not vals.get("country_id") and self.country_id:
            vals["country_id"] = self.country_id.id
        return {key: value for key, value in vals.items() if value or key == "is_company"}

    def _same_value(self, name, current, new):
        if name == "email":
            return normalize.email_key(current) == normalize.email_key(new)
        if name in ("phone", "mobile"):
            region = (self.country_id.code or "FR").upper()
            return normalize.normalize_phone(current, region) == new
        if name == "name":
            return normalize.person_name_key(current) == normalize.person_name_key(
                new
            ) or normalize.fold(current) == normalize.fold(new)
        if name == "zip":
            return str(current).replace(" ", "") == str(new).replace(" ", "")
        return normalize.fold(str(current)) == normalize.fold(str(new))

    def _file_wins(self, rule, partner, clean):
        """Whether a conflicting value of the file replaces the contact's (survivorship)."""
        if rule == "source_priority":
            return self.source_id.priority > (partner.hygiene_source_id.priority or 0)
        if rule == "most_complete":
            filled = sum(1 for name in PARTNER_FIELDS if clean.get(name))
            return filled > sum(1 for name in PARTNER_FIELDS if partner[name])
        collected = clean.get("collected_date")
        return bool(collected and fields.Datetime.to_datetime(collected) > partner.write_date)

    def _update_vals(self, partner, vals, clean, rule):
        """Values to write on ``partner`` and the conflicts: a non-empty value is never replaced
        by an empty one; a different value follows the survivorship rule and is listed."""
        changes, conflicts = {}, []
        wins = None
        for name in PARTNER_FIELDS:
            new = vals.get(name)
            if not new:
                continue
            if name == "company_name" and partner.commercial_partner_id != partner:
                # The contact belongs to a company (parent_id): the free-text company name
                # would hide that link on the form and offer to create a second company.
                company = partner.commercial_partner_id
                if normalize.company_name_key(company.name) != normalize.company_name_key(new):
                    conflicts.append(
                        (
                            _lt(
                                "Company: the contact belongs to %(company)s, file %(new)s, "
                                "kept %(company)s"
                            ),
                            {"company": company.name, "new": new},
                        )
                    )
                continue
            current = partner[name]
            current = current.id if isinstance(current, models.BaseModel) else current
            if not current:
                changes[name] = new
                continue
            if current == new or self._same_value(name, current, new):
                continue
            if wins is None:
                wins = self._file_wins(rule, partner, clean)
            if name == "country_id":
                shown = (partner.country_id.name, self.env["res.country"].browse(new).name)
            else:
                shown = (current, new)
            conflicts.append(
                (
                    _lt("%(field)s: contact %(current)s, file %(new)s, kept %(kept)s"),
                    {  # the field by its name: said by its label in the reader's language
                        "field": name,
                        "current": shown[0],
                        "new": shown[1],
                        "kept": shown[1] if wins else shown[0],
                    },
                )
            )
            if wins:
                changes[name] = new
        return changes, conflicts
