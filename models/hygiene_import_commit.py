import json
from collections import defaultdict
from datetime import datetime, timezone

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, split_every

from ..const import MERGE_SURVIVORSHIP, get_param
from ..tools.i18n import _lt
from ..tools.import_rows import ACTIVITY_TARGETS
from ..tools.service_fields import deferred_keys
from .hygiene_import_const import IMPORT_CONTEXT, OFFICER, PARTNER_FIELDS, PROOF_TARGETS

# the rows created beside a look-alike row of the file, as groups to review (their leader's
# contact and theirs), with the import's scores and reasons (``_propose_file_duplicates``)
PROPOSED_GROUPS_QUERY = """
    CREATE TEMP TABLE %(groups)s ON COMMIT DROP AS
    SELECT lead.result_partner_id AS leader,
           nextval('hygiene_duplicate_group_id_seq') AS gid,
           array_agg(l.result_partner_id ORDER BY l.result_partner_id) AS members,
           min(l.score) AS score,
           string_agg('#' || least(lead.result_partner_id, l.result_partner_id)
                      || ' ~ #' || greatest(lead.result_partner_id, l.result_partner_id)
                      || ': ' || coalesce(l.reasons, ''), E'\n'
                      ORDER BY l.result_partner_id) AS reasons
      FROM hygiene_import_line l
      JOIN hygiene_import_line lead ON lead.id = l.match_line_id
      JOIN res_partner p ON p.id = l.result_partner_id AND p.active
      JOIN res_partner q ON q.id = lead.result_partner_id AND q.active
     WHERE l.batch_id = %(batch)s AND l.decision = 'create'
       AND l.decision_reason = 'uncertain_in_file'
       AND l.result_partner_id != lead.result_partner_id
       AND NOT EXISTS (
           SELECT 1 FROM hygiene_duplicate_group_partner_rel r
             JOIN hygiene_duplicate_group g ON g.id = r.group_id
            WHERE g.state = 'pending'
              AND r.partner_id IN (l.result_partner_id, lead.result_partner_id))
  GROUP BY lead.result_partner_id
"""
INSERT_PROPOSED_QUERY = """
    INSERT INTO hygiene_duplicate_group
           (id, partner_count, score, reasons, state,
            create_uid, create_date, write_uid, write_date)
    SELECT gid, cardinality(members) + 1, round(score::numeric, 4), reasons,
           'pending', %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
           NOW() AT TIME ZONE 'UTC'
      FROM %(groups)s;
    INSERT INTO hygiene_duplicate_group_partner_rel (group_id, partner_id)
    SELECT gid, leader FROM %(groups)s
     UNION SELECT gid, unnest(members) FROM %(groups)s;
"""


def _naive(value):
    """A normalised date of a row (``YYYY-MM-DD[ HH:MM:SS]``) as a naive UTC datetime, parsed
    by ``fromisoformat`` (C) rather than the ORM's ``strptime`` (a tenth of the creation of the
    contacts when measured); None for none."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return fields.Datetime.to_datetime(value)
    value = fields.Datetime.to_datetime(value)
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class HygieneImportCommit(models.AbstractModel):
    """Commit stage of a contact import: the staged decisions are written (contacts, provenance,
    activities), one chunk per savepoint, a refused chunk being retried line by line. Inherited by
    ``hygiene.import.batch``: ``self`` is the batch."""

    _name = "hygiene.import.commit"
    _description = "Contact Import: Commit"

    def _commit_chunk(self, limit):
        """Write up to ``limit`` staged lines; returns how many were processed."""
        Line = self.env["hygiene.import.line"]
        base = [("batch_id", "=", self.id), ("state", "=", "staged")]
        if self.kind == "contacts":
            lines = Line.search(
                base + [("decision", "in", ("create", "update"))], order="id", limit=limit
            )
            if not lines:
                lines = Line.search(base + [("decision", "=", "merge")], order="id", limit=limit)
        else:
            lines = Line.search(
                base + [("decision", "=", "update")], order="id", limit=limit
            ) or Line.search(
                base + [("decision", "=", "skip"), ("decision_reason", "=", "no_contact")],
                order="id",
                limit=limit,
            )
        if not lines:
            return 0
        # "savepoint, else one by one": a refused chunk is written again line by line
        outcome = self._hygiene_isolated(
            lines,
            lambda items: self._apply_lines(Line.browse([line.id for line in items])),
            errors=(UserError, ValidationError, psycopg2.Error),
            label=f"import {self.id}: chunk",
        )
        for line, error in outcome["failed"]:
            self._refuse_line(line, error)
        return len(lines)

    def _refuse_line(self, line, error):
        """A line the commit refused: quarantined, with the reason (the message may quote a
        value of the file: it stays on the line, it is never logged)."""
        message = getattr(error, "args", [""])[0] or str(error)
        line.sudo().write(
            {
                "state": "done",
                "decision_note": str(message)[:500],
                "note_templates": False,
                "error_kind": "commit_error",
                "errors": str(message)[:2000],
                "error_templates": False,
            }
        )
        self.env.cr.execute(
            SQL(
                "UPDATE hygiene_import_line SET decision = 'quarantine',"
                " decision_reason = 'commit_error' WHERE id = %s",
                line.id,
            )
        )
        line.invalidate_recordset()

    def _finish_commit(self):
        self.env.flush_all()
        self._set_line_state("done", SQL("state != 'done'"))
        self._propose_file_duplicates()
        self._engine_write({"state": "done", "dry_run_summary": False})
        self.env["hygiene.kpi.snapshot"]._hygiene_after_operation("import", self)  # control-perf

    def _propose_file_duplicates(self):
        """The rows the matcher put with another row of the file below the auto-merge score
        were created each as its own contact ("uncertain duplicate in the file"): they reach
        the stewards now, as duplicate groups in the review band with the import's scores and
        reasons, instead of after the next daily scan (which finds them again, the same
        matcher grouping them the same way; issue 16). A contact already in a group to review
        is left to that group. Set-based: one statement per table, whatever the file's size."""
        groups = SQL.identifier(f"hygiene_import_{self.id}_proposed")
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", groups))
        cr.execute(SQL(PROPOSED_GROUPS_QUERY, groups=groups, batch=self.id))
        cr.execute(SQL(INSERT_PROPOSED_QUERY, uid=self.env.uid, groups=groups))
        Group = self.env["hygiene.duplicate.group"]
        Group.invalidate_model()
        Group._set_group_companies()
        cr.execute(SQL("SELECT count(*) FROM %s", groups))
        proposed = cr.fetchone()[0]
        cr.execute(SQL("DROP TABLE %s", groups))
        return proposed

    def _set_line_state(self, state, condition):
        """Set ``state`` on the batch's lines matching the SQL ``condition``, in one UPDATE."""
        self.env.cr.execute(
            SQL(
                "UPDATE hygiene_import_line SET state = %s WHERE batch_id = %s AND %s",
                state,
                self.id,
                condition,
            )
        )
        self.env["hygiene.import.line"].invalidate_model()

    def _apply_lines(self, lines):
        if self.kind == "contacts":
            self._apply_contact_lines(lines)
        else:
            self._apply_list_lines(lines)

    def _apply_contact_lines(self, lines):
        Partner = self.env["res.partner"].with_context(**IMPORT_CONTEXT)
        countries = self._countries()
        clean_by_line = {line.id: line._clean() for line in lines}
        for line_id, proof in self._proof_values(lines).items():
            clean_by_line[line_id].update(proof)
        results, conflicts_by_line, notes = {}, {}, defaultdict(list)
        creates = lines.filtered(
            lambda line: line.decision == "create"
            or (line.decision == "merge" and not line.match_line_id.result_partner_id)
        )
        # updates first, while the cache holds no pending computes of the new contacts
        self._update_contacts(lines - creates, clean_by_line, countries, results, conflicts_by_line)
        now = fields.Datetime.now()
        if creates:
            company = self._new_contact_company()
            vals_list = [
                {
                    **self._partner_vals(clean_by_line[line.id], countries),
                    **self._first_values(clean_by_line[line.id], now),
                    **company,
                }
                for line in creates
            ]
            partners = Partner._hygiene_create_imported(self._with_salesperson(Partner, vals_list))
            results.update(zip(creates.ids, partners.ids, strict=True))
        if not (self.env.su or self.env.user.has_group(OFFICER)):
            self._keep_retention_clock(lines - creates, results, clean_by_line, notes)
        self._record_provenance(lines, results, clean_by_line, now)
        self._record_consents(lines, results, clean_by_line, notes)
        activities = []
        for line in lines:
            clean = clean_by_line[line.id]
            for target, source in ACTIVITY_TARGETS.items():
                if clean.get(target):
                    activities.append((results[line.id], clean[target], source))
        Partner._hygiene_register_activities(activities)
        self._close_lines(lines, results, conflicts_by_line, notes)

    def _new_contact_company(self):
        """The company of the contacts the import creates: the import's in a base of several
        companies (a company's customers are its own: its record rules keep them from the other
        companies' users, and a file of company B must not become every company's); none, as
        core creates them, in a base of one company."""
        companies = self.env["res.company"].sudo().search_count([], limit=2)
        return {"company_id": self.company_id.id} if self.company_id and companies > 1 else {}

    def _first_values(self, clean, now):
        """What the origin and the activities of a new contact's row set on it right after its
        creation (``_record_provenance``, ``_hygiene_register_activities``), given to its
        creation instead: the first origin, and the latest activity of the row (the first of
        ``ACTIVITY_TARGETS`` on a tie). A date in the future is left out: the activity's own
        check refuses the row after. Another row of the file for the same contact still moves
        both, through the same services."""
        values = {}
        if self.source_id:
            values["hygiene_source_id"] = self.source_id.id
            values["hygiene_collected_date"] = _naive(clean.get("collected_date")) or now
        latest = None
        for target, source in ACTIVITY_TARGETS.items():
            date = _naive(clean.get(target))
            if date and date <= now and (latest is None or date > latest[0]):
                latest = (date, source)
        if latest:
            values["hygiene_last_activity_date"], values["hygiene_last_activity_source"] = latest
        return values

    def _with_salesperson(self, Partner, vals_list):
        """``vals_list`` with the salesperson each new contact would get anyway: its default,
        the contacts of an import having no parent company to take one from. The salesperson is
        the one field of a contact computed before its creation (``precompute``): given, the ORM
        no longer builds a draft record of every row to compute it (a fifth of the creation)."""
        if "user_id" not in Partner._fields or not Partner._fields["user_id"].precompute:
            return vals_list
        salesperson = Partner.default_get(["user_id"]).get("user_id", False)
        for vals in vals_list:
            if not vals.get("parent_id"):
                vals.setdefault("user_id", salesperson)
        return vals_list

    def _keep_retention_clock(self, lines, results, clean_by_line, notes):
        """A steward's file does not move the retention clock of contacts already in the base
        (attacker's pass V5): a collection date before the contact existed would bring its
        erasure forward, an activity date would keep it forever. Both are an officer's call;
        the rows are still written, the dates are left out and the report says so."""
        if not lines:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id, create_date FROM res_partner WHERE id = ANY(%s)",
                sorted({results[line.id] for line in lines}),
            )
        )
        created = dict(self.env.cr.fetchall())
        for line in lines:
            clean = clean_by_line[line.id]
            collected = clean.get("collected_date")
            since = created.get(results[line.id])
            if collected and since and fields.Datetime.to_datetime(collected) < since:
                clean.pop("collected_date")
                notes[line.id].append(
                    (
                        _lt(
                            "Collection date %(date)s not recorded: it is before the contact "
                            "was created, only a privacy officer can date it earlier."
                        ),
                        {"date": collected},
                    )
                )
            dropped = [target for target in ACTIVITY_TARGETS if clean.pop(target, None)]
            if dropped:
                notes[line.id].append(
                    (
                        _lt(
                            "Activity dates of the file not recorded on an existing contact: "
                            "only a privacy officer imports them."
                        ),
                        {},
                    )
                )

    def _proof_values(self, lines):
        """``{line id: {"optin_ip": ..., "optin_wording": ...}}`` read from the lines' consent
        columns (officer-only), as the file gave them."""
        columns = {
            mapping.column: mapping.target
            for mapping in self.mapping_ids
            if mapping.target in PROOF_TARGETS
        }
        if not columns or not lines:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, consent_raw FROM hygiene_import_line"
                " WHERE id = ANY(%s) AND consent_raw IS NOT NULL",
                lines.ids,
            )
        )
        proof = {}
        for line_id, raw_json in self.env.cr.fetchall():
            raw = json.loads(raw_json)
            values = {
                target: str(raw[column]).strip()
                for column, target in columns.items()
                if str(raw.get(column) or "").strip()
            }
            if values:
                proof[line_id] = values
        return proof

    def _update_contacts(self, lines, clean_by_line, countries, results, conflicts_by_line):
        """Write on the matched contacts what the rows of ``lines`` add or win (update rules)."""
        if not lines:
            return
        # the matching keys of the written contacts are refreshed once, at the end
        Partner = self.env["res.partner"].with_context(**IMPORT_CONTEXT)
        rule = get_param(self.env, MERGE_SURVIVORSHIP)
        targets = {}
        for line in lines:
            partner = (
                line.match_partner_id
                if line.decision == "update"
                else line.match_line_id.result_partner_id
            )
            targets[line.id] = partner.id
        to_update = Partner.browse(targets.values())
        # the steward's own rights on every contact the rows update (record rules, companies)
        to_update.check_access("write")
        to_update.fetch([*PARTNER_FIELDS, "write_date", "hygiene_source_id"])
        # read once for all what res.partner.write reads contact by contact
        to_update.mapped("child_ids")
        to_update.mapped("user_ids")
        # as the ORM looks up what depends on a written contact (sudo, archived included)
        to_update.sudo().with_context(active_test=False).mapped("hygiene_company_ref_ids")
        writes = defaultdict(list)  # the same changes on several contacts: one write
        pending, rekey = set(), set()

        def write_pending():
            with deferred_keys() as written:  # and the children that core's sync writes
                for changes, partner_ids in writes.items():
                    Partner.browse(partner_ids).write(dict(changes))
            rekey.update(written)
            writes.clear()
            pending.clear()

        for line in lines:
            partner = to_update.browse(targets[line.id])
            clean = clean_by_line[line.id]
            if partner.id in pending:
                write_pending()  # a second row for the contact compares with the first's values
            # only what the file says: the batch's default country is for new contacts
            changes, conflicts = self._update_vals(
                partner, self._partner_vals(clean, countries, default_country=False), clean, rule
            )
            if changes:
                writes[tuple(sorted(changes.items()))].append(partner.id)
                pending.add(partner.id)
            results[line.id] = partner.id
            conflicts_by_line[line.id] = conflicts
        write_pending()
        Partner.browse(sorted(rekey))._hygiene_refresh_keys()

    def _close_lines(self, lines, results, conflicts_by_line, notes):
        """The lines written: their contact, their conflicts and notes (the text in the
        committer's language and the templates, said in the reader's)."""
        self.env.flush_all()
        said = lines.browse()._messages_text_and_json
        values = SQL(", ").join(
            SQL(
                "(%s, %s::integer, %s, %s, %s, %s)",
                line.id,
                results.get(line.id),
                *said(conflicts_by_line.get(line.id)),
                *said(notes.get(line.id), separator="; "),
            )
            for line in lines
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_import_line l
                   SET state = 'done', result_partner_id = v.partner, conflicts = v.conflicts,
                       conflict_templates = v.conflict_templates,
                       decision_note = coalesce(v.note, l.decision_note),
                       note_templates = CASE WHEN v.note IS NULL THEN l.note_templates
                                             ELSE v.note_templates END
                  FROM (VALUES %s) AS v(id, partner, conflicts, conflict_templates, note,
                                        note_templates)
                 WHERE l.id = v.id
                """,
                values,
            )
        )
        lines.invalidate_recordset()

    def _record_provenance(self, lines, results, clean_by_line, now):
        """One origin per written line (skipped when the same origin is already recorded, so
        that importing a file twice adds nothing), collected ``now`` when the file gives no
        date."""
        Origin = self.env["hygiene.partner.origin"]
        partner_ids = sorted(set(results.values()))
        existing = set()
        for chunk in split_every(10000, partner_ids):
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, coalesce(source_ref, note) FROM hygiene_partner_origin"
                    " WHERE source_id = %s AND partner_id = ANY(%s)",
                    self.source_id.id,
                    list(chunk),
                )
            )
            existing.update(self.env.cr.fetchall())
        vals_list = []
        for line in lines:
            clean = clean_by_line[line.id]
            partner_id = results[line.id]
            note = f"{self.name}:{line.line_number}"
            key = (partner_id, clean.get("source_ref") or note)
            if key in existing:
                continue
            existing.add(key)
            vals_list.append(
                {
                    "partner_id": partner_id,
                    "source_id": self.source_id.id,
                    "source_ref": clean.get("source_ref") or False,
                    "collected_date": clean.get("collected_date") or now,
                    "note": note,
                    "import_batch_id": self.id,
                    "import_line_number": line.line_number,
                }
            )
        Origin._hygiene_insert_import_origins(vals_list)
