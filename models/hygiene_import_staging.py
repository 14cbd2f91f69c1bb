import json
from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..tools.import_checks import DAY_FIRST, MIXED, MONTH_FIRST, DateOrder
from ..tools.import_rows import DATE_TARGETS, TARGETS
from .hygiene_import_const import INSERT_CHUNK


class HygieneImportStaging(models.AbstractModel):
    """Staging stage of a contact import: the raw rows are inserted as ``hygiene.import.line``
    (set-based), after the mapping and the date order of the file were checked. Inherited by
    ``hygiene.import.batch``: ``self`` is the batch."""

    _name = "hygiene.import.staging"
    _description = "Contact Import: Staging"

    def _check_mapping(self):
        targets = [line.target for line in self.mapping_ids if line.target]
        if not targets:
            raise UserError(self.env._("Map at least one column before staging the file."))
        if self.kind in ("unsubscribe", "bounce") and "email" not in targets:
            raise UserError(
                self.env._("An unsubscribe or hard-bounce list needs a column mapped to Email.")
            )
        if self.kind == "contacts" and not {"name", "lastname", "company_name", "email"} & set(
            targets
        ):
            raise UserError(
                self.env._("Map a column to the name, the company name or the email of contacts.")
            )
        if self.kind == "unsubscribe" and not self.purpose_id:
            raise UserError(self.env._("Choose the purpose the persons unsubscribed from."))

    def _stage_insert(self, max_rows=False):
        """Insert the raw rows (set-based) and move the batch to ``staging``.

        The file is read in a stream and each chunk of rows inserted as it is read; the checks
        that need the whole file (the date order) refuse it at the end, the savepoint then
        taking back the lines inserted. ``max_rows``: the row cap, the setting's when False,
        none when None (command line)."""
        self.ensure_one()
        limit = self._max_rows() if max_rows is False else max_rows
        state = self._staging_state()
        with self.env.cr.savepoint():
            result = self._read(max_rows=limit, sink=lambda chunk: self._stage_rows(chunk, state))
            if not result.row_count:
                raise UserError(
                    self.env._("The file has no data rows (0 rows): nothing to import.")
                )
            self._check_date_order(state["dates"])
            state["staged"] += self._insert_lines(self._unread_rows(result, state))
        self._engine_write({"state": "staging", "line_count": state["staged"]})
        self.env["hygiene.import.line"].invalidate_model()

    def _staging_state(self):
        """What staging carries from one chunk of the file to the next."""
        date_targets = {*DATE_TARGETS, "birthdate"}
        return {
            "consent_columns": {
                line.column for line in self.mapping_ids if TARGETS.get(line.target) == "consent"
            },
            # the proof of each date order, per date column, over the whole file
            "dates": [
                (mapping.column, DateOrder())
                for mapping in self.mapping_ids.filtered(lambda m: m.target in date_targets)
            ],
            "errors_seen": 0,  # reader errors already sorted (result.errors grows as it reads)
            "unread": {},  # {line: [reasons]} of the rows the reader could not return
            "staged": 0,
        }

    def _stage_rows(self, chunk, state):
        """Sink of the staging pass: check and insert one chunk of rows of the file."""
        sparse = list(chunk.rows.sparse())
        for column, proof in state["dates"]:
            proof.feed(
                (line, values.get(column))
                for line, values in zip(chunk.line_numbers, sparse, strict=True)
            )
        row_errors = self._sort_errors(chunk, state)
        state["staged"] += self._insert_lines(
            self._staged_rows(chunk.line_numbers, sparse, row_errors, state["consent_columns"])
        )

    @api.model
    def _sort_errors(self, chunk, state):
        """``{line: [reasons]}`` of the new reader errors on the rows of ``chunk``; the others
        are of rows the reader could not return, kept in ``state["unread"]``."""
        lines = set(chunk.line_numbers)
        row_errors = defaultdict(list)
        for line, reason in chunk.errors[state["errors_seen"] :]:
            (row_errors[line] if line in lines else state["unread"].setdefault(line, [])).append(
                reason
            )
        state["errors_seen"] = len(chunk.errors)
        return row_errors

    def _unread_rows(self, result, state):
        """The staged rows of the lines the reader could not return at all (broken quoting...),
        in the order of their first error."""
        self._sort_errors(result, state)
        for line, reasons in state["unread"].items():
            yield (line, "{}", None, "\n".join(reasons), "unreadable")

    @api.model
    def _staged_rows(self, line_numbers, sparse, row_errors, consent_columns):
        """``(line, raw json, consent json, errors, error kind)`` of each row read: the non-empty
        cells only (``Rows.sparse``), so that memory follows what the file holds."""
        for line, values in zip(line_numbers, sparse, strict=True):
            raw = {k: v for k, v in values.items() if k not in consent_columns}
            consent = {k: v for k, v in values.items() if k in consent_columns}
            errors = row_errors.get(line)
            yield (
                line,
                json.dumps(raw, ensure_ascii=False),
                json.dumps(consent, ensure_ascii=False) if consent else None,
                "\n".join(errors) if errors else None,
                "unreadable" if errors else None,
            )

    def _insert_lines(self, rows):
        """Insert the staged ``rows`` as new lines of the batch, by chunks; return their number."""
        uid = self.env.uid
        staged = 0
        for chunk in split_every(INSERT_CHUNK, rows):
            staged += len(chunk)
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, 'new', %s, %s, %s, %s, %s, now() at time zone 'UTC', %s,"
                    " now() at time zone 'UTC')",
                    self.id,
                    *row,
                    uid,
                    uid,
                )
                for row in chunk
            )
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO hygiene_import_line
                           (batch_id, line_number, state, raw_values, consent_raw, errors,
                            error_kind, create_uid, create_date, write_uid, write_date)
                    VALUES %s
                    """,
                    values,
                )
            )
        return staged

    def _check_date_order(self, dates):
        """Refuse the file when a date column proves another day/month order than the import's
        setting, or both orders at once (a ``13/01`` and a ``01/13``): guessing would store
        wrong dates silently. ``dates``: ``[(column, DateOrder)]`` fed with the whole file."""
        for column, proof in dates:
            order, examples = proof.result()
            if order == MIXED:
                # line numbers, not the dates: the message is logged (a birth date is personal)
                (day_line, __), (month_line, __) = examples
                raise UserError(
                    self.env._(
                        "Column %(column)s mixes two date orders: the date of line %(day_line)s "
                        "can only be day/month and the date of line %(month_line)s only "
                        "month/day. Correct the file: it is refused rather than guessed.",
                        column=column,
                        day_line=day_line,
                        month_line=month_line,
                    )
                )
            if (order == MONTH_FIRST and self.day_first) or (
                order == DAY_FIRST and not self.day_first
            ):
                [(line, __)] = examples
                raise UserError(
                    self.env._(
                        "Column %(column)s holds a date (line %(line)s) which cannot be read "
                        "with the chosen date order: change the option Day Before Month and "
                        "stage the file again.",
                        column=column,
                        line=line,
                    )
                )

    def _blank_lines(self, condition):
        """Drop what the file said on the batch's lines matching ``condition`` (personal data):
        the line number, the decision, its reason and the resulting contact stay."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_import_line
                   SET raw_values = NULL, consent_raw = NULL, clean_values = NULL,
                       conflicts = NULL, conflict_templates = NULL, errors = NULL,
                       error_templates = NULL, warnings = NULL, warning_templates = NULL,
                       display_label = NULL, decision_note = NULL, note_templates = NULL,
                       email_key = NULL, phone_key = NULL,
                       mobile_key = NULL, name_key = NULL, company_key = NULL
                 WHERE batch_id = ANY(%s) AND %s
                """,
                self.ids,
                condition,
            )
        )
        self.env["hygiene.import.line"].invalidate_model()
