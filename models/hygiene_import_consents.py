from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL, split_every

from ..tools.i18n import _lt
from .hygiene_import_const import IMPORT_CONTEXT


class HygieneImportConsents(models.AbstractModel):
    """Consent evidence of a contact import, and the unsubscribe and hard-bounce lists: grants,
    withdrawals, blacklist and suppression list. Inherited by ``hygiene.import.batch``: ``self`` is
    the batch."""

    _name = "hygiene.import.consents"
    _description = "Contact Import: Consents and Lists"

    def _current_consents(self, partner_ids):
        """``{partner_id: (state, event_date)}`` for the batch's purpose."""
        states = {}
        for chunk in split_every(10000, sorted(set(partner_ids))):
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, state, event_date FROM hygiene_consent_state"
                    " WHERE purpose_id = %s AND partner_id = ANY(%s)",
                    self.purpose_id.id,
                    list(chunk),
                )
            )
            states.update({pid: (state, date) for pid, state, date in self.env.cr.fetchall()})
        return states

    def _existing_events(self, partner_ids):
        events = set()
        for chunk in split_every(10000, sorted(set(partner_ids))):
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, action, event_date FROM hygiene_consent"
                    " WHERE purpose_id = %s AND partner_id = ANY(%s)",
                    self.purpose_id.id,
                    list(chunk),
                )
            )
            events.update(self.env.cr.fetchall())
        return events

    def _withdrawal_date(self, current, file_date, now):
        """The date of an imported withdrawal: the file's, unless a later grant is on record, in
        which case it is recorded now, so that the withdrawal wins."""
        if current and current[0] in ("granted", "unproven") and current[1] and file_date:
            if current[1] >= file_date:
                return now
        return file_date or now

    def _record_consents(self, lines, results, clean_by_line, notes):
        """Consent evidence of the rows: a grant needs a date (else it is unproven and grants
        nothing); a withdrawal, in this file or an earlier one, always wins over a grant."""
        if not self.purpose_id:
            return
        partner_ids = list(results.values())
        current = self._current_consents(partner_ids)
        existing = self._existing_events(partner_ids)
        withdrawn = {
            pid for pid, (state, __) in current.items() if state in ("withdrawn", "refused")
        }
        # ``planned``: the events already made for this file, ``existing`` those on record
        state = {
            "current": current,
            "existing": existing,
            "withdrawn": withdrawn,
            "planned": set(),
            "now": fields.Datetime.now(),
            "base": {
                "purpose_id": self.purpose_id.id,
                "channel": self.consent_channel or "import",
                "source_id": self.source_id.id,
            },
        }
        # withdrawals first: a grant of the same file for the same person must not override one
        events = self._withdrawal_events(lines, results, clean_by_line, state)
        events += self._grant_events(lines, results, clean_by_line, notes, state)
        if events:
            # The proof fields are reserved to privacy officers; the steward's right to import
            # was checked by the public action.
            self.env["hygiene.consent"].sudo().create(events)

    def _withdrawal_events(self, lines, results, clean_by_line, state):
        """The withdrawals of the rows with an opt-out date (their contacts are withdrawn)."""
        events = []
        for line in lines:
            clean = clean_by_line[line.id]
            if clean.get("optout_date"):
                partner_id = results[line.id]
                file_date = fields.Datetime.to_datetime(clean["optout_date"])
                key = (partner_id, "withdraw", file_date)
                state["withdrawn"].add(partner_id)
                if key in state["existing"] or key in state["planned"]:
                    continue
                state["planned"].add(key)
                events.append(
                    {
                        **state["base"],
                        "partner_id": partner_id,
                        "action": "withdraw",
                        "event_date": self._withdrawal_date(
                            state["current"].get(partner_id), file_date, state["now"]
                        ),
                        "source_ref": f"{self.name}:{line.line_number}",
                        "note": self.env._(
                            "Withdrawal imported from %(file)s (dated %(date)s in the file).",
                            file=self.name,
                            date=file_date,
                        ),
                    }
                )
        return events

    def _grant_events(self, lines, results, clean_by_line, notes, state):
        """The grants of the rows with an opt-in, but of withdrawn contacts; proven when dated."""
        events = []
        for line in lines:
            clean = clean_by_line[line.id]
            if not clean.get("optin"):
                continue
            partner_id = results[line.id]
            if partner_id in state["withdrawn"]:
                notes[line.id].append((_lt("Consent not recorded: the person withdrew it."), {}))
                continue
            proven = bool(clean.get("optin_date"))
            if not proven and partner_id in state["current"]:
                notes[line.id].append(
                    (_lt("Unproven consent ignored: the contact already has a state."), {})
                )
                continue
            event_date = (
                fields.Datetime.to_datetime(clean["optin_date"]) if proven else state["now"]
            )
            key = (partner_id, "grant", event_date)
            if proven and (key in state["existing"] or key in state["planned"]):
                continue
            state["planned"].add(key)
            events.append(
                {
                    **state["base"],
                    "partner_id": partner_id,
                    "action": "grant",
                    "proven": proven,
                    "event_date": event_date,
                    "ip_address": clean.get("optin_ip") or False,
                    "source_ref": f"{self.name}:{line.line_number}",
                    "note": self._grant_note(clean),
                }
            )
            if not proven:
                notes[line.id].append((_lt("Consent without a date: recorded as unproven."), {}))
        return events

    def _grant_note(self, clean):
        if clean.get("optin_wording"):
            return self.env._(
                "Imported from %(file)s. Wording: %(wording)s",
                file=self.name,
                wording=clean["optin_wording"][:200],
            )
        return self.env._("Imported from %(file)s.", file=self.name)

    def _apply_list_lines(self, lines):
        """Unsubscribe list: a withdrawal for every contact with the email (blacklisted), and the
        suppression list for emails of nobody. Hard-bounce list: the email is flagged invalid."""
        Partner = self.env["res.partner"].with_context(**IMPORT_CONTEXT)
        clean_by_line = {line.id: line._clean() for line in lines}
        keys = {line.email_key for line in lines if line.email_key}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT hygiene_email_key, array_agg(id ORDER BY id) FROM res_partner"
                " WHERE active AND hygiene_email_key = ANY(%s)"
                # another company's contacts are another controller's (attacker's pass V4)
                " AND (company_id IS NULL OR company_id = %s) GROUP BY 1",
                sorted(keys),
                (self.company_id or self.env.company).id,
            )
        )
        partners_by_key = dict(self.env.cr.fetchall())
        now = fields.Datetime.now()
        results, notes = {}, defaultdict(list)
        all_ids = [pid for ids in partners_by_key.values() for pid in ids]
        if self.kind == "bounce":
            Partner.browse(all_ids).sudo().write(
                {"hygiene_email_bounced": True, "hygiene_email_bounced_date": now}
            )
            for line in lines:
                ids = partners_by_key.get(line.email_key)
                results[line.id] = ids[0] if ids else None
            self._close_lines(lines, results, {}, notes)
            return
        events = self._unsubscribe_events(
            lines, clean_by_line, partners_by_key, all_ids, results, notes
        )
        if events:
            self.env["hygiene.consent"].sudo().create(events)
        self._blacklist_unsubscribed(lines, clean_by_line, results)
        self._close_lines(lines, results, {}, notes)

    def _unsubscribe_events(self, lines, clean_by_line, partners_by_key, all_ids, results, notes):
        """A withdrawal per contact of each unsubscribed email; the emails of nobody go to the
        suppression list."""
        now = fields.Datetime.now()
        current = self._current_consents(all_ids) if self.purpose_id else {}
        existing = self._existing_events(all_ids)
        events = []
        Suppression = self.env["hygiene.suppression"].sudo()
        for line in lines:
            clean = clean_by_line[line.id]
            ids = partners_by_key.get(line.email_key) or []
            file_date = clean.get("optout_date") or clean.get("collected_date")
            file_date = fields.Datetime.to_datetime(file_date) if file_date else None
            if not ids:
                Suppression._suppress("objection", email=clean.get("email"))
                notes[line.id].append((_lt("No contact: email added to the suppression list."), {}))
                results[line.id] = None
                continue
            results[line.id] = ids[0]
            for pid in ids:
                key = (pid, "withdraw", file_date)
                if file_date and key in existing:
                    continue
                existing.add(key)
                events.append(
                    {
                        "partner_id": pid,
                        "purpose_id": self.purpose_id.id,
                        "action": "withdraw",
                        "channel": self.consent_channel or "import",
                        "source_id": self.source_id.id,
                        "event_date": self._withdrawal_date(current.get(pid), file_date, now),
                        "source_ref": f"{self.name}:{line.line_number}",
                        "note": self.env._(
                            "Unsubscribe imported from %(file)s (dated %(date)s in the file).",
                            file=self.name,
                            date=file_date or "-",
                        ),
                    }
                )
        return events

    def _blacklist_unsubscribed(self, lines, clean_by_line, results):
        """Blacklist the emails of the unsubscribed contacts not blacklisted yet."""
        blacklist = self.env["mail.blacklist"].sudo()
        emails = {clean_by_line[line.id].get("email") for line in lines if results.get(line.id)}
        already = set(
            blacklist.with_context(active_test=True)
            .search([("email", "in", [e for e in emails if e])])
            .mapped("email")
        )
        for email in emails:
            if email and email not in already:
                blacklist._add(
                    email,
                    message=self.env._("Unsubscribed (imported from %(file)s).", file=self.name),
                )
