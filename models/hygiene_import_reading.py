import base64
import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import IMPORT_FILE_RETENTION_DAYS, get_param
from ..tools.import_rows import guess_mapping
from ..tools.readers import ReaderError, read_file
from .hygiene_import_const import (
    READ_CHUNK,
    SAMPLE_ROWS,
    sanitize_filename,
)


class HygieneImportReading(models.AbstractModel):
    """Reading stage of a contact import: the uploaded file is read, checked, and its columns
    mapped to the import's targets. Inherited by ``hygiene.import.batch``: ``self`` is the batch."""

    _name = "hygiene.import.reading"
    _description = "Contact Import: Reading the File"

    def _sheet_choices(self, names, current):
        """Replace the sheet picker's choices by ``names``; return the id of ``current``."""
        self.ensure_one()
        self.sheet_ids.unlink()
        sheets = self.env["hygiene.import.sheet"].create(
            [
                {"batch_id": self.id, "name": name, "sequence": index}
                for index, name in enumerate(names)
            ]
        )
        return sheets.filtered(lambda sheet: sheet.name == current)[:1].id

    @api.model
    def _reader_message(self, error):
        """The translated message of a ReaderError (its English template and parameters)."""
        return self.env._(error.message, **error.params)  # pylint: disable=translation-required

    def _content(self):
        """The bytes of the uploaded file, read from its attachment (no base64 round trip: a
        file of a million rows is held once)."""
        self.ensure_one()
        attachment = self.env["ir.attachment"]
        if self.id:
            attachment = attachment.sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_field", "=", "raw_file"),
                    ("res_id", "=", self.id),
                ],
                limit=1,
            )
        content = attachment.raw if attachment else None
        if content:
            # held by the caller only: the cache would keep a file of a million rows (130 MB)
            # through every stage after the reading
            attachment.invalidate_recordset(["raw"])
            return content
        content = self.sudo().raw_file
        if not content:
            raise UserError(self.env._("Upload the file to import first."))
        return base64.b64decode(content)

    def _read(self, max_rows=None, sink=None, content=None):
        """Read the attached file (``content``: its bytes, when the caller has them already);
        a file that cannot be read is refused with a clear message. With ``sink``, the rows are
        handed to it chunk by chunk and not kept (``tools.readers.read_file``)."""
        self.ensure_one()
        try:
            return read_file(
                content or self._content(),
                self.name,
                sheet=self.sheet or None,
                table=self.sheet or None,
                max_rows=max_rows,
                sink=sink,
                chunk=READ_CHUNK,
            )
        except ReaderError as error:
            raise UserError(self._reader_message(error)) from error

    def _retention_days(self):
        """Days the uploaded file is kept (setting)."""
        return get_param(self.env, IMPORT_FILE_RETENTION_DAYS)

    def _read_file(self, max_rows=False):
        """Read the file of a draft import, check it, and propose the mapping of its columns.

        The file is read in a stream: only its first rows are kept, for the column samples.
        ``max_rows``: the row cap, the setting's when False, none when None (command line)."""
        self.ensure_one()
        content = self._content()
        self.write(
            {
                "name": sanitize_filename(self.raw_filename or self.name),
                "file_hash": hashlib.sha256(content).hexdigest(),
                "raw_deletion_date": fields.Date.today() + timedelta(days=self._retention_days()),
            }
        )
        limit = self._max_rows() if max_rows is False else max_rows
        head = []
        result = self._read(
            max_rows=limit, sink=lambda chunk: self._keep_head(chunk, head), content=content
        )
        del content
        if result.truncated:
            raise UserError(
                self.env._(
                    "The file has more than %(limit)s rows: split it, or import it with the "
                    "command line.",
                    limit=limit,
                )
            )
        choices = result.sheets or result.tables or []
        if not result.row_count and len(choices) > 1:
            self._offer_sheets(result, choices)
            return
        if not result.row_count:
            raise UserError(self.env._("The file has no data rows (0 rows): nothing to import."))
        self.write(
            {
                "file_format": result.format,
                "encoding": result.encoding or False,
                "sheet": result.sheet or result.table or False,
                "available_sheets": ", ".join(choices) or False,
                "sheet_id": self._sheet_choices(choices, result.sheet or result.table),
                "message": "\n".join(self._file_notes(result)) or False,
            }
        )
        self._engine_write({"line_count": result.row_count})
        self._set_mapping(result, head)

    @api.model
    def _keep_head(self, chunk, head):
        """Sink of the reading pass: keep the first rows (the column samples), drop the rest."""
        if len(head) < SAMPLE_ROWS:
            head.extend(chunk.rows[: SAMPLE_ROWS - len(head)])

    def _offer_sheets(self, result, choices):
        """An empty sheet or table among several: keep the choices so that the steward picks
        the right one in the form, instead of a dead end."""
        self.write(
            {
                "file_format": result.format,
                "sheet": result.sheet or result.table or False,
                "available_sheets": ", ".join(choices),
                "sheet_id": self._sheet_choices(choices, result.sheet or result.table),
                "message": self.env._(
                    "%(sheet)s has no data rows: choose another sheet or table and "
                    "read the file again.",
                    sheet=result.sheet or result.table,
                ),
            }
        )

    def _file_notes(self, result):
        """What the steward should know about the file read: imported before, unclean rows."""
        notes = []
        previous = self.search(
            [
                ("file_hash", "=", self.file_hash),
                ("id", "!=", self.id),
                ("state", "=", "done"),
            ],
            limit=1,
        )
        if previous:
            notes.append(
                self.env._(
                    "This file was already imported on %(date)s: rows matching the contacts "
                    "it created will only update them.",
                    date=previous.create_date.date(),
                )
            )
        if result.errors:
            notes.append(
                self.env._("%(count)s rows could not be read cleanly.", count=len(result.errors))
            )
        return notes

    def _set_mapping(self, result, head=None):
        """Mapping lines for the file's headers: the preset's columns, else a guess; the samples
        are taken from ``head`` (the first rows, when the file was read in a stream)."""
        self.ensure_one()
        if self.preset_id:
            mapping = self.preset_id._mapping_for(result.headers)
            guessed = guess_mapping(result.headers)
            mapping = {
                header: target or (guessed[header] if not self.preset_id.mapping_ids else False)
                for header, target in mapping.items()
            }
        else:
            mapping = guess_mapping(result.headers)
        rows = result.rows[:SAMPLE_ROWS] if head is None else head
        samples = {
            header: ", ".join(str(row.get(header))[:40] for row in rows if row.get(header))
            for header in result.headers
        }
        self.mapping_ids.unlink()
        self.env["hygiene.import.mapping"].create(
            [
                {
                    "batch_id": self.id,
                    "sequence": index,
                    "column": header,
                    "target": target or False,
                    "sample": samples[header][:200],
                }
                for index, (header, target) in enumerate(mapping.items())
            ]
        )
