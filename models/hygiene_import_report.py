import csv
import io
import json
import re
from collections import defaultdict

from odoo import models
from odoo.tools import SQL

from ..tools.export import safe_cell
from ..tools.import_rows import ACTIVITY_TARGETS
from .hygiene_import_const import OFFICER, PROOF_TARGETS, REPORT_DETAIL_LIMIT, sanitize_filename

# the lines that say something in the report's details
WITH_TEXT = SQL(
    "(errors IS NOT NULL OR warnings IS NOT NULL OR conflicts IS NOT NULL"
    " OR decision_note IS NOT NULL)"
)


class HygieneImportReport(models.AbstractModel):
    """Report of a contact import: what it will do or did in numbers, the values dropped or
    changed, the dry run, and the rejected rows as a CSV to correct. Inherited by
    ``hygiene.import.batch``: ``self`` is the batch."""

    _name = "hygiene.import.report"
    _description = "Contact Import: Report"

    def _selection_labels(self, model, field):
        """``{code: label}`` of a selection field, in the user's language."""
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    def _report_text(self, detail_limit=REPORT_DETAIL_LIMIT):
        """What the import will do (under review) or did (committed), in numbers, then every
        value the import dropped or changed, with its line and why."""
        self.ensure_one()
        self.env.flush_all()
        reasons = self._selection_labels("hygiene.import.line", "decision_reason")
        errors = self._selection_labels("hygiene.import.line", "error_kind")
        done = self.state in ("committing", "done")
        total, counts, written, quarantine, error_counts = self._report_counts()
        if done:
            lines = [
                self.env._("%(count)s rows in the file", count=total),
                self.env._("Contacts created: %(count)s", count=written["create"]),
                self.env._("Contacts updated: %(count)s", count=written["update"]),
                self.env._(
                    "Rows merged into another row of the file: %(count)s", count=written["merge"]
                ),
                self.env._(
                    "Created, and proposed with a look-alike row in Duplicates to Review: "
                    "%(count)s",
                    count=written["proposed"],
                ),
                self.env._("Quarantined, nothing written: %(count)s", count=counts["quarantine"]),
                self.env._("Skipped: %(count)s", count=counts["skip"]),
            ]
        else:
            lines = [
                self.env._("%(count)s rows in the file", count=total),
                self.env._("To create: %(count)s", count=counts["create"]),
                self.env._("To update: %(count)s", count=counts["update"]),
                self.env._(
                    "Duplicates of another row of the file: %(count)s", count=counts["merge"]
                ),
                self.env._(
                    "Quarantined (to review or to correct): %(count)s", count=counts["quarantine"]
                ),
                self.env._("Skipped: %(count)s", count=counts["skip"]),
            ]
        # each reason right under its decision (quarantined, then skipped)
        for decision in ("quarantine", "skip"):  # the skip line is the last one
            at = len(lines) - (1 if decision == "quarantine" else 0)
            lines[at:at] = [
                self.env._(
                    "  - %(reason)s: %(count)s", reason=reasons.get(reason, reason), count=count
                )
                for (code, reason), count in sorted(quarantine.items())
                if code == decision
            ]
        if counts[None] and self.state in ("staging", "staged"):
            lines.append(self.env._("Not matched yet: %(count)s", count=counts[None]))
        for kind, count in sorted(error_counts.items()):
            label = errors.get(kind, kind)
            lines.append(self.env._("Error - %(label)s: %(count)s", label=label, count=count))
        details = self._report_details(detail_limit)
        if details:
            lines += ["", self.env._("Values dropped or changed (line: why):"), *details]
        return "\n".join(lines)

    def _report_counts(self):
        """Rows of the batch: their total, by decision, written by decision, quarantined or
        skipped by ``(decision, reason)`` and by error kind."""
        self.env.cr.execute(
            SQL(
                """
                SELECT decision, decision_reason, error_kind, count(*),
                       count(*) FILTER (WHERE result_partner_id IS NOT NULL)
                  FROM hygiene_import_line WHERE batch_id = %s
              GROUP BY decision, decision_reason, error_kind
                """,
                self.id,
            )
        )
        total, counts, written = 0, defaultdict(int), defaultdict(int)
        quarantine, error_counts = defaultdict(int), defaultdict(int)
        for decision, reason, error_kind, count, with_result in self.env.cr.fetchall():
            total += count
            counts[decision] += count
            written[decision] += with_result
            if decision in ("quarantine", "skip") and reason:
                quarantine[decision, reason] += count
            if decision == "create" and reason == "uncertain_in_file":
                written["proposed"] += with_result
            if error_kind:
                error_counts[error_kind] += count
        return total, counts, written, quarantine, error_counts

    def _report_message_count(self):
        """How many messages the batch's lines store, a message a line of their texts."""
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*)
                  FROM hygiene_import_line l,
                       LATERAL regexp_split_to_table(concat_ws(E'\\n', l.errors, l.warnings,
                           l.conflicts, l.decision_note), E'\\n') AS message
                 WHERE l.batch_id = %s AND %s AND message != ''
                """,
                self.id,
                WITH_TEXT,
            )
        )
        return self.env.cr.fetchone()[0]

    def _report_details(self, limit):
        """``Line N: message`` for every error, warning, conflict and note of the lines, said
        in the reader's language, the first ``limit`` ones, then how many more."""
        total = self._report_message_count()
        # each line says at least one message: the first ``limit`` lines are enough
        self.env.cr.execute(
            SQL(
                """
                SELECT line_number, errors, error_templates, warnings, warning_templates,
                       conflicts, conflict_templates, decision_note, note_templates
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND %s
              ORDER BY line_number, id
                 LIMIT %s
                """,
                self.id,
                WITH_TEXT,
                limit,
            )
        )
        Line = self.env["hygiene.import.line"]
        details = []
        for number, *stored in self.env.cr.fetchall():
            said = [
                Line._said_errors(stored[0], stored[1]),
                Line._said_warnings(stored[2], stored[3]),
                Line._said_messages(stored[5]) or stored[4],
                Line._said_note(stored[6], stored[7]),
            ]
            details += [
                self.env._("Line %(line)s: %(message)s", line=number, message=message)
                for text in said
                if text
                for message in text.split("\n")
                if message
            ]
        shown = details[:limit]
        if total > len(shown):
            shown.append(
                self.env._(
                    "... and %(count)s more: open the lines and filter With Errors, With "
                    "Warnings or With Conflicts.",
                    count=total - len(shown),
                )
            )
        return shown

    def _dry_run_counts(self):
        self.ensure_one()
        self.env.flush_all()
        counts = dict.fromkeys(
            (
                "create",
                "update",
                "merge",
                "skip",
                "quarantine",
                "consent_granted",
                "consent_unproven",
                "withdrawals",
                "activities",
                "bounces",
            ),
            0,
        )
        for decision, count in self.env["hygiene.import.line"]._read_group(
            [("batch_id", "=", self.id), ("state", "!=", "done")], ["decision"], ["__count"]
        ):
            counts[decision or "skip"] += count
        for clean_json in self._written_clean_values():
            clean = json.loads(clean_json or "{}")
            if self.kind == "unsubscribe":
                counts["withdrawals"] += 1
            elif self.kind == "bounce":
                counts["bounces"] += 1
            else:
                if clean.get("optin") and clean.get("optin_date"):
                    counts["consent_granted"] += 1
                elif clean.get("optin"):
                    counts["consent_unproven"] += 1
                if clean.get("optout_date"):
                    counts["withdrawals"] += 1
                counts["activities"] += any(clean.get(target) for target in ACTIVITY_TARGETS)
        return counts

    def _written_clean_values(self, chunk=20000):
        """The normalised values of the lines to write, ``chunk`` lines per query: a file of a
        million rows is never held at once."""
        last = 0
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, clean_values FROM hygiene_import_line
                     WHERE batch_id = %s AND state != 'done' AND id > %s
                       AND decision IN ('create', 'update', 'merge')
                  ORDER BY id LIMIT %s
                    """,
                    self.id,
                    last,
                    chunk,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for __, clean_json in rows:
                yield clean_json

    def _dry_run_text(self, counts):
        return self.env._(
            "Contacts to create: %(create)s\nContacts to update: %(update)s\n"
            "Duplicates in the file merged: %(merge)s\nSkipped: %(skip)s\n"
            "Quarantined: %(quarantine)s\nProven consents: %(consent_granted)s\n"
            "Unproven consents (grant nothing): %(consent_unproven)s\n"
            "Withdrawals: %(withdrawals)s\nHard bounces: %(bounces)s\n"
            "Historical activities: %(activities)s\nNothing was written.",
            **counts,
        )

    def _rejected_rows(self):
        """``(line, decision, reason, errors, note, raw values, consent values)`` of the
        quarantined and skipped rows."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT line_number, decision, decision_reason, errors, decision_note, raw_values,
                       consent_raw
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND decision IN ('quarantine', 'skip')
              ORDER BY line_number, id
                """,
                self.id,
            )
        )
        return self.env.cr.fetchall()

    def _rejected_csv(self):
        """CSV of the rejected rows, to correct and import again: the file's own columns, in its
        order and under its headers, consent columns included, then the line, the decision and
        why. Formula-safe, headers included (cells starting with = + - @ tab CR)."""
        decisions = self._selection_labels("hygiene.import.line", "decision")
        reasons = self._selection_labels("hygiene.import.line", "decision_reason")
        rows = self._rejected_rows()
        # the proof of consent (IP, wording shown) stays with the privacy officers (review L2)
        hidden = (
            set()
            if self.env.su or self.env.user.has_group(OFFICER)
            else {m.column for m in self.mapping_ids if m.target in PROOF_TARGETS}
        )
        headers = [
            column
            for column in self.mapping_ids.sorted(lambda m: (m.sequence, m.id)).mapped("column")
            if column not in hidden
        ]
        parsed = []
        for line, decision, reason, errors, note, raw, consent in rows:
            values = {**json.loads(raw or "{}"), **json.loads(consent or "{}")}
            for column in hidden:
                values.pop(column, None)
            headers += [header for header in values if header not in headers]
            parsed.append((line, decision, reason, errors, note, values))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                *(safe_cell(str(header)) for header in headers),
                self.env._("Line in the File"),
                self.env._("Decision"),
                self.env._("Reason"),
                self.env._("Errors"),
            ]
        )
        for line, decision, reason, errors, note, values in parsed:
            writer.writerow(
                [
                    *(
                        safe_cell(str(values[header]) if values.get(header) is not None else "")
                        for header in headers
                    ),
                    line,
                    decisions.get(decision, decision or ""),
                    reasons.get(reason, reason or ""),
                    safe_cell(" / ".join(part for part in (errors, note) if part)),
                ]
            )
        return buffer.getvalue().encode("utf-8-sig")

    def _rejected_filename(self):
        """``rejected-clients.csv`` for ``clients.csv`` (or ``clients.xlsx``): a CSV either way,
        never ``clients.csv.csv``."""
        stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", self.name or "") or "import"
        return sanitize_filename(f"rejected-{stem}.csv")
