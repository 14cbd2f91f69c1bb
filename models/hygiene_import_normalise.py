import json

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools import normalize
from ..tools.i18n import _lt
from ..tools.import_checks import mixed_scripts
from ..tools.import_rows import ACTIVITY_TARGETS, normalize_row
from ..tools.matching import is_generic_email
from ..tools.suppression import suppression_hash, suppression_values
from .hygiene_import_const import PROOF_TARGETS


class HygieneImportNormalise(models.AbstractModel):
    """Normalisation stage of a contact import: each staged line is normalised
    (``tools.import_rows``), checked (identity, role address, look-alike characters, retention) and
    compared with the suppression list, one chunk at a time. Inherited by ``hygiene.import.batch``:
    ``self`` is the batch."""

    _name = "hygiene.import.normalise"
    _description = "Contact Import: Normalisation"

    @api.model
    def _message_params(self, params):
        """The parameters of a row message, a ``reason`` being itself the addon's wording (an
        email-validator error mapped by tools/normalize.py): translated too."""
        reason = params.get("reason")
        if isinstance(reason, str):
            params = dict(params, reason=self.env._(reason))  # pylint: disable=translation-required
        return params

    @api.model
    def _render_messages(self, messages):
        """``[[template, params], ...]`` (or its JSON, as a line stores it) said in the
        reader's language, a message a line; None for none or for what is not such a list."""
        if isinstance(messages, str):
            try:
                messages = json.loads(messages)
            except ValueError:
                return None
        if not isinstance(messages, list):
            return None
        return (
            "\n".join(
                self.env._(template, **self._message_params(params))  # pylint: disable=translation-required
                for template, params in messages
            )
            or None
        )

    @api.model
    def _check_row_warnings(self, values, clean, warnings, retention_limit, retention_months):
        """Flag what is accepted but must be seen: a role address (not a natural person), look-
        alike characters (returns True: never matched automatically), a last activity older than
        the retention period (the contact is due for retention as soon as it is imported)."""
        email_key = clean.get("email_key")
        if email_key and is_generic_email(email_key):
            warnings.append(
                (
                    "role_address",
                    _lt("Role address %(value)s: a shared mailbox, not a natural person."),
                    {"value": clean.get("email") or email_key},
                )
            )
        look_alike = any(
            mixed_scripts(str(values.get(target) or ""))
            for target in ("name", "firstname", "lastname", "company_name", "email")
        )
        if look_alike:
            warnings.append(
                (
                    "look_alike",
                    _lt(
                        "The name or email mixes letters of several alphabets (look-alike "
                        "characters): this row is never matched automatically."
                    ),
                    {},
                )
            )
        activity = max(
            (clean[target] for target in ACTIVITY_TARGETS if clean.get(target)), default=None
        )
        if activity and fields.Datetime.to_datetime(activity) < retention_limit:
            warnings.append(
                (
                    "old_activity",
                    _lt(
                        "Last activity %(date)s is older than %(months)s months: the contact is "
                        "due for retention (anonymisation or deletion) as soon as it is imported."
                    ),
                    {"date": activity[:10], "months": retention_months},
                )
            )
        return look_alike

    def _retention_months(self):
        """The shortest retention, in months, counted from the last activity (CNIL: 36)."""
        durations = (
            self.env["hygiene.retention.policy"]
            .sudo()
            .search([("start_event", "=", "last_activity")])
            .mapped("duration_months")
        )
        return min(durations, default=36)

    def _stage_chunk(self, limit):
        """Normalise up to ``limit`` lines read but not normalised; returns their number."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                """
                SELECT id, raw_values, consent_raw, error_kind
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND state = 'new'
              ORDER BY id
                 LIMIT %s
                """,
                self.id,
                limit,
            )
        )
        fetched = cr.fetchall()
        if not fetched:
            return 0
        context = self._normalise_context()
        updates, hashes_by_line = [], {}
        for line_id, raw_json, consent_json, error_kind in fetched:
            row, hashes = self._normalise_line(context, line_id, raw_json, consent_json, error_kind)
            updates.append(row)
            if hashes is not None:
                hashes_by_line[line_id] = hashes
        suppressed = self._suppressed_lines(hashes_by_line)
        for row in updates:
            row[-1] = row[0] in suppressed
        self._write_normalised(updates)
        if suppressed:
            # an erased or opted-out person: their row is refused and nothing of it is kept
            self._blank_lines(SQL("id = ANY(%s)", sorted(suppressed)))
        self.env["hygiene.import.line"].invalidate_model()
        return len(fetched)

    def _normalise_context(self):
        """What normalising a line needs from the batch, read once per chunk, not per row."""
        mapping = {line.column: line.target for line in self.mapping_ids if line.target}
        now = fields.Datetime.now()
        retention_months = self._retention_months()
        return {
            "mapping": mapping,
            "columns": {target: column for column, target in mapping.items()},
            "secret": self.env["hygiene.suppression"]._suppression_secret(),
            "now": now,
            "kind": self.kind,
            "day_first": self.day_first,
            "retention_months": retention_months,
            "retention_limit": fields.Datetime.subtract(now, months=retention_months),
        }

    def _normalise_line(self, context, line_id, raw_json, consent_json, error_kind):
        """The UPDATE row of one staged line (its suppressed flag last, set by the caller) and
        the suppression hashes of its email and phones (None: nothing to look up)."""
        kind = context["kind"]
        raw = json.loads(raw_json or "{}")
        raw.update(json.loads(consent_json or "{}"))
        values = {target: raw.get(column) for column, target in context["mapping"].items()}
        region = self._row_region(values.get("country"))
        clean, errors, warnings = normalize_row(
            values,
            region=region,
            day_first=context["day_first"],
            now=context["now"],
            columns=context["columns"],
        )
        # the proof of consent stays in the officer-only consent_raw (read at commit)
        for target in PROOF_TARGETS:
            clean.pop(target, None)
        self._check_identity(kind, clean, errors, error_kind)
        look_alike = self._check_row_warnings(
            values, clean, warnings, context["retention_limit"], context["retention_months"]
        )
        problems = [[template, params] for __, template, params in errors]
        notes = [[template, params] for __, template, params in warnings]
        hashes = None
        phones = [clean[key] for key in ("phone", "mobile") if clean.get(key)]
        if kind == "contacts" and (clean.get("email") or phones):
            hashes = [
                suppression_hash(context["secret"], value_kind, value)
                for value_kind, value in suppression_values(clean.get("email"), phones, region)
            ]
        row = [
            line_id,
            json.dumps(clean, ensure_ascii=False),
            self._render_messages(problems),
            json.dumps(problems, ensure_ascii=False, default=str) if problems else None,
            error_kind or (errors[0][0] if errors else None),
            self._render_messages(notes),
            json.dumps(notes, ensure_ascii=False, default=str) if notes else None,
            clean.get("email_key"),
            clean.get("phone_key"),
            clean.get("mobile_key"),
            clean.get("name_key"),
            clean.get("company_key"),
            (clean.get("name") or clean.get("email") or "")[:200] or None,
            look_alike,
            False,
        ]
        return row, hashes

    def _row_region(self, country):
        """The phone and postcode region of a row: the country its own column names (an ISO
        code or a name, read as the commit reads it for the contact's country), else the
        import's. A Swiss number of a Swiss row is not read as a French one."""
        default = (self.country_id.code or "FR").upper()
        text = str(country or "").strip()
        if not text:
            return default
        codes = self._hygiene_country_codes()
        return codes.get(text.upper()) or codes.get(normalize.fold(text)) or default

    @api.model
    @tools.ormcache()
    def _hygiene_country_codes(self):
        """``{ISO code or folded name: ISO code}`` of the countries, their names in every
        installed language (a French file read by an English-speaking steward). Cleared with
        core's caches when a country's code changes, as core's own country look-ups are."""
        codes = {}
        Country = self.env["res.country"].sudo()
        for lang, __ in self.env["res.lang"].get_installed():
            for country in Country.with_context(lang=lang).search_read(
                [("code", "!=", False)], ["code", "name"]
            ):
                code = country["code"].upper()
                codes[code] = code
                codes.setdefault(normalize.fold(country["name"]), code)
        return codes

    @api.model
    def _check_identity(self, kind, clean, errors, error_kind):
        """A contact needs a name, an email or a phone; a list line an email."""
        if kind == "contacts" and not error_kind and not errors:
            if not (clean.get("name") or clean.get("email") or clean.get("phone")) and not (
                clean.get("mobile")
            ):
                errors.append(("no_identity", _lt("No name, email nor phone."), {}))
        if kind != "contacts" and not error_kind and not clean.get("email"):
            if not errors:
                errors.append(("no_identity", _lt("No email address."), {}))

    def _write_normalised(self, updates):
        """Write the normalised ``updates`` rows on their lines, in one UPDATE."""
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::boolean, %s::boolean)",
                *row,
            )
            for row in updates
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_import_line l
                   SET clean_values = v.clean, state = 'normalised',
                       errors = concat_ws(E'\n', l.errors, v.errors),
                       error_templates = CASE WHEN v.error_templates IS NOT NULL
                           THEN json_build_object('before', l.errors,
                                                  'messages', v.error_templates::json)::text
                       END,
                       error_kind = v.error_kind, warnings = v.warnings,
                       warning_templates = v.warning_templates,
                       email_key = v.email_key, phone_key = v.phone_key,
                       mobile_key = v.mobile_key, name_key = v.name_key,
                       company_key = v.company_key, display_label = v.label,
                       look_alike = v.look_alike, suppressed = v.suppressed
                  FROM (VALUES %s) AS v(id, clean, errors, error_templates, error_kind,
                                        warnings, warning_templates, email_key, phone_key,
                                        mobile_key, name_key, company_key, label, look_alike,
                                        suppressed)
                 WHERE l.id = v.id
                """,
                values,
            )
        )

    def _suppressed_lines(self, hashes_by_line):
        """Line ids whose email or a phone is on the suppression list (one query)."""
        all_hashes = sorted({h for hashes in hashes_by_line.values() for h in hashes})
        if not all_hashes:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT value_hash FROM hygiene_suppression WHERE value_hash = ANY(%s)",
                all_hashes,
            )
        )
        found = {row[0] for row in self.env.cr.fetchall()}
        return {line for line, hashes in hashes_by_line.items() if found.intersection(hashes)}
