"""Readers of legacy customer files: CSV, XLSX, SQLite and JSON, with one uniform result.

Pure Python (no Odoo import) so that the import wizard and the command line share one
implementation, unit-tested on its own. The bad-input catalogue of ``privacy-and-security.md`` §4
drives the choices:

- the format is detected from the content (magic bytes) before the file name, so a ``.csv`` that is
  an XLSX workbook is read as a workbook and garbage named ``.xlsx`` is refused;
- a file that cannot be read at all raises :class:`ReaderError` whose ``message`` is an English
  template with ``%(name)s`` placeholders and ``params`` its values, so the caller translates it
  (``_(error.message, **error.params)``); ``str(error)`` is the formatted English text;
- a row that cannot be read, or is read with a doubt (too many or too few cells, an error cell,
  a line that is not valid UTF-8 in an otherwise UTF-8 file), is listed in ``errors`` with the line
  number the user sees in the file, and the other rows are still returned;
- nothing is ever evaluated: XLSX formulas give their cached value, SQLite files are opened
  read-only and immutable on a private copy with ``trusted_schema=OFF``, no extension, a step
  budget, and only ``SELECT * FROM "chosen table"``.
"""

import codecs
import csv
import io
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from urllib.request import pathname2url

import chardet

from .i18n import _lt

# Limits, module constants so that callers (and tests) can lower them.
MAX_FILE_SIZE = 200 * 1024 * 1024  # bytes of the uploaded file
MAX_UNCOMPRESSED_SIZE = 200 * 1024 * 1024  # total declared size of an XLSX's zip members
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_RATIO = 200  # total uncompressed / compressed size; legitimate XLSX are far below
XLSX_MAX_EMPTY_RUN = 10_000  # consecutive empty rows after which a sheet is deemed finished
SQLITE_MAX_SECONDS = 30.0
SQLITE_MAX_STEPS = 500_000_000  # virtual-machine instructions
SQLITE_PROGRESS_INTERVAL = 10_000
CHARDET_SAMPLE = 1024 * 1024
SNIFF_SAMPLE = 64 * 1024
CSV_FIELD_LIMIT = 1024 * 1024
# Hostile small files: a header of thousands of columns over one-cell rows, or a database view
# computing huge values. Rows keep only their non-empty cells, the header is capped, and every
# cell is capped at the CSV field limit (SQLite enforces it while computing).
MAX_COLUMNS = 1000
CELL_LIMIT = CSV_FIELD_LIMIT
# What a file may produce, against its own size: a CSV or JSON holds what it produces, but an
# XLSX repeats shared strings and an SQLite view computes values (zeroblob, printf, recursion).
READ_CHARS_PER_BYTE = 8
READ_CHARS_FLOOR = 32 * 1024 * 1024
READ_CELLS_FLOOR = 2_000_000

CSV_DELIMITERS = ",;\t|"
SNIFF_LINES = 200
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX, old XLS, DOC...
JSON_EXTENSIONS = {".json", ".jsonl", ".ndjson"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
SQLITE_EXTENSIONS = {".sqlite", ".sqlite3", ".db", ".db3"}
XLSX_ERROR_VALUES = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
}


class ReaderError(Exception):
    """The whole file is refused. ``message`` is an English template, ``params`` its values."""

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


class Rows(Sequence):
    """The rows of a file as dicts over every header, stored sparse: only the non-empty cells
    of each row are kept, the empty ones are filled in when a row is read. A file whose rows are
    shorter than its header thus costs what it holds, not rows x columns."""

    def __init__(self, result):
        self._result = result
        self._sparse = []

    def append_sparse(self, values):
        self._sparse.append(values)

    def sparse(self):
        """The rows as stored: ``{header: value}`` of their non-empty cells only."""
        return iter(self._sparse)

    def _full(self, values):
        return {header: values.get(header, "") for header in self._result.headers}

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._full(values) for values in self._sparse[index]]
        return self._full(self._sparse[index])

    def __len__(self):
        return len(self._sparse)

    def __eq__(self, other):
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"Rows({list(self)!r})"


@dataclass
class ReadResult:
    headers: list = field(default_factory=list)
    rows: Rows = None
    line_numbers: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [(line, reason)]
    format: str = ""  # csv, xlsx, sqlite, json
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list = field(default_factory=list)
    sheet: str | None = None
    tables: list = field(default_factory=list)
    table: str | None = None
    warnings: list = field(default_factory=list)
    truncated: bool = False  # max_rows was reached before the end of the data
    file_size: int = 0  # bytes of the file: bounds what it may produce (``_add``)
    read_chars: int = 0
    read_cells: int = 0

    def __post_init__(self):
        if self.rows is None:
            self.rows = Rows(self)

    def _add(self, line, values):
        """Append a row given as a list of values aligned on ``headers``."""
        cells = {
            # a short row (``_align``) has no value for the last headers
            header: value
            for header, value in zip(self.headers, values, strict=False)
            if value
        }
        self.read_cells += len(cells)
        self.read_chars += sum(len(value) for value in cells.values())
        if self.read_chars > max(READ_CHARS_PER_BYTE * self.file_size, READ_CHARS_FLOOR) or (
            self.read_cells > max(self.file_size, READ_CELLS_FLOOR)
        ):
            raise ReaderError(
                _lt(
                    "This file produces far more data than it holds (%(size)s KB): repeated or "
                    "computed values (a database view, a workbook formula) are refused."
                ),
                size=round(self.file_size / 1024),
            )
        self.rows.append_sparse(cells)
        self.line_numbers.append(line)

    def _full(self, max_rows):
        if max_rows is not None and len(self.rows) >= max_rows:
            self.truncated = True
            return True
        return False


# ------------------------------------------------------------------------------------------ helpers


def unique_headers(names):
    """Strip header names and make them unique: empty -> ``column_3``, duplicate -> ``email_2``.

    A header of more than ``MAX_COLUMNS`` columns refuses the file."""
    names = list(names)
    if len(names) > MAX_COLUMNS:
        raise ReaderError(
            _lt("The file has %(count)s columns: at most %(limit)s are read."),
            count=len(names),
            limit=MAX_COLUMNS,
        )
    result = []
    seen = set()
    for index, name in enumerate(names, start=1):
        name = "" if name is None else str(name).replace("\ufeff", "").strip()
        base = name or f"column_{index}"
        candidate = base
        suffix = 2
        while candidate in seen:
            candidate = f"{base}_{suffix}"
            suffix += 1
        seen.add(candidate)
        result.append(candidate)
    return result


def _number_text(value):
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        return ""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _cell_text(value):
    """Any cell value as a stripped string, never None."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return _number_text(value)
    if isinstance(value, datetime):
        if value.time() == dtime(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date | dtime):
        return value.isoformat()
    return str(value).strip()


def _cap_cells(values, line, result):
    """``values`` with every cell cut at ``CELL_LIMIT`` characters, noted in ``result.errors``."""
    if any(len(value) > CELL_LIMIT for value in values):
        result.errors.append((line, f"a cell longer than {CELL_LIMIT} characters was cut"))
        return [value[:CELL_LIMIT] for value in values]
    return values


def _align(values, width, line, result):
    """Pad or truncate ``values`` to ``width`` cells, noting the anomaly in ``result.errors``;
    a cell longer than ``CELL_LIMIT`` is cut there."""
    values = _cap_cells(values, line, result)
    count = len(values)
    if count < width:
        result.errors.append(
            (line, f"row has {count} cells, {width} expected: missing cells left empty")
        )
        return values  # not padded: the row is stored sparse (``Rows``)
    if count > width:
        extra = values[width:]
        if any(extra):
            result.errors.append(
                (line, f"row has {count} cells, {width} expected: extra cells ignored")
            )
        return values[:width]
    return values


def _extension(filename):
    return Path(filename or "").suffix.lower()


def detect_format(content, filename=""):
    """``csv``, ``xlsx``, ``sqlite`` or ``json``: the content first, then the file name."""
    extension = _extension(filename)
    if content.startswith(SQLITE_MAGIC):
        return "sqlite"
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLE_MAGIC):
        raise ReaderError(
            _lt(
                "This file is an encrypted (password-protected) workbook or an old Excel 97-2003 "
                "(.xls) file. Remove the password or save it as .xlsx, then import it again."
            )
        )
    if extension in XLSX_EXTENSIONS:
        raise ReaderError(_lt("This file is not a valid Excel (.xlsx) workbook."))
    if extension in SQLITE_EXTENSIONS:
        raise ReaderError(_lt("This file is not an SQLite database."))
    if extension in JSON_EXTENSIONS:
        return "json"
    if extension in (".xls", ".ods"):
        raise ReaderError(
            _lt("Only .xlsx workbooks are supported: save the file as .xlsx (Excel 2007 or later).")
        )
    return "csv"


def read_file(content, filename="", *, sheet=None, table=None, max_rows=None):
    """Read a legacy customer file into a :class:`ReadResult`.

    Raise :class:`ReaderError` when the whole file cannot be read.
    """
    if content is None or not len(content):
        raise ReaderError(_lt("The file is empty."))
    if len(content) > MAX_FILE_SIZE:
        raise ReaderError(
            _lt("The file is too large (%(size)s MB, at most %(limit)s MB)."),
            size=round(len(content) / 1048576, 1),
            limit=round(MAX_FILE_SIZE / 1048576, 1),
        )
    if max_rows is not None and max_rows < 0:
        max_rows = 0
    kind = detect_format(bytes(content), filename)
    reader = {"csv": read_csv, "xlsx": read_xlsx, "sqlite": read_sqlite, "json": read_json}[kind]
    if kind == "xlsx":
        return reader(content, sheet=sheet, max_rows=max_rows)
    if kind == "sqlite":
        return reader(content, table=table, max_rows=max_rows)
    return reader(content, max_rows=max_rows)


# ------------------------------------------------------------------------------------------ text


def _is_garbage(text):
    """True when a decoded text is mostly control characters: a binary file, not a text export."""
    sample = text[:SNIFF_SAMPLE]
    if not sample:
        return False
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n\f\v")
    return controls > 16 and controls > len(sample) * 0.05


def decode_text(content):
    """Decode bytes of a text export; return ``(text, encoding, bad_lines)``.

    UTF-8 (with or without BOM) and UTF-16 with BOM first, then ``chardet``; Western single-byte
    guesses become cp1252 (not latin-1, which maps ``€`` and ``’`` to control characters). A
    mostly-UTF-8 file with a few cp1252 lines (merged exports) is decoded line by line and those
    lines are returned in ``bad_lines`` (1-based physical line numbers). Never raises on
    undecodable bytes.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    # Mixed encodings: most non-ASCII lines are valid UTF-8, a few are not.
    lines = content.split(b"\n")
    utf8_lines, bad_lines = 0, []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad_lines.append(number)
    if utf8_lines and utf8_lines >= len(bad_lines):
        bad = set(bad_lines)
        decoded = []
        for number, line in enumerate(lines, start=1):
            if number in bad:
                decoded.append(_decode_single_byte(line, "cp1252"))
            else:
                decoded.append(line.decode("utf-8"))
        text = "\n".join(decoded)
        return text.removeprefix("\ufeff"), "utf-8", bad_lines
    guess = (chardet.detect(content[:CHARDET_SAMPLE]) or {}).get("encoding") or ""
    guess = guess.lower()
    if not guess or guess in (
        "ascii",
        "iso-8859-1",
        "latin-1",
        "windows-1252",
        "cp1252",
        "iso-8859-15",
    ):
        guess = "cp1252"
    if guess != "cp1252":
        try:
            return content.decode(guess), guess, []
        except (UnicodeDecodeError, LookupError):
            guess = "cp1252"
    return _decode_single_byte(content, "cp1252"), guess, []


def _latin1_fallback(error):
    """Codec error handler: an undefined byte is read as its latin-1 character."""
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("partner_data_hygiene_latin1", _latin1_fallback)


def _decode_single_byte(data, encoding):
    """cp1252, with its five undefined bytes read as latin-1 (no crash, no replacement char)."""
    return data.decode(encoding, errors="partner_data_hygiene_latin1")


def sniff_delimiter(text):
    """The delimiter among ``, ; tab |``.

    csv.Sniffer restricted to them, else counting in the first lines.
    """
    sample = text[:SNIFF_SAMPLE]
    if len(text) > SNIFF_SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    lines = [line for line in sample.splitlines() if line.strip()][:20]
    if not lines:
        return ","
    # the Sniffer costs characters x lines: thousands of tiny lines would take seconds
    sample = "\n".join(sample.splitlines()[:SNIFF_LINES])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    if delimiter and delimiter in lines[0]:
        return delimiter
    # Counting: the candidate present in the header and most consistent over the next lines.
    best, best_score = ",", (0, 0)
    for candidate in CSV_DELIMITERS:
        counts = [line.count(candidate) for line in lines]
        if not counts[0]:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_csv(content, *, max_rows=None):
    text, encoding, bad_lines = decode_text(bytes(content))
    if not text.strip():
        raise ReaderError(_lt("The file is empty."))
    if _is_garbage(text):
        raise ReaderError(
            _lt("This file is not a text (CSV) file, nor a supported workbook or database.")
        )
    delimiter = sniff_delimiter(text)
    result = ReadResult(
        format="csv", encoding=encoding, delimiter=delimiter, file_size=len(content)
    )
    bad = set(bad_lines)
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        width = None
        last_line = 0
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                result.errors.append((last_line + 1, f"unreadable row: {error}"))
                if reader.line_num <= last_line:
                    break
                last_line = reader.line_num
                continue
            start, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue  # blank line
            if width is None:
                result.headers = unique_headers(values)
                width = len(result.headers)
                continue
            if result._full(max_rows):
                break
            cells = [value.strip() for value in values]
            if any("\x00" in cell for cell in cells):
                result.errors.append((start, "row contains NUL characters, removed"))
                cells = [cell.replace("\x00", "") for cell in cells]
            if bad.intersection(range(start, last_line + 1)):
                result.errors.append(
                    (start, "row is not valid UTF-8, read as Windows-1252 (cp1252)")
                )
            result._add(start, _align(cells, width, start, result))
    finally:
        csv.field_size_limit(previous_limit)
    if not result.headers:
        raise ReaderError(_lt("The file is empty."))
    return result


# ------------------------------------------------------------------------------------------ XLSX


def check_zip(content):
    """Refuse a zip announcing an unreasonable size (zip bomb), before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ReaderError(_lt("This file is not a valid Excel (.xlsx) workbook.")) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_ENTRIES:
            raise ReaderError(_lt("This workbook contains too many parts to be read safely."))
        uncompressed = sum(member.file_size for member in members)
        compressed = sum(member.compress_size for member in members) or 1
        if uncompressed > MAX_UNCOMPRESSED_SIZE or (
            uncompressed > 1048576 and uncompressed / compressed > MAX_ZIP_RATIO
        ):
            raise ReaderError(
                _lt(
                    "This workbook would take %(size)s MB once decompressed "
                    "(at most %(limit)s MB): it is refused as unsafe."
                ),
                size=round(uncompressed / 1048576, 1),
                limit=round(MAX_UNCOMPRESSED_SIZE / 1048576, 1),
            )
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            if "content.xml" in names:
                raise ReaderError(
                    _lt(
                        "OpenDocument spreadsheets (.ods) are not supported: "
                        "save the file as .xlsx."
                    )
                )
            raise ReaderError(_lt("This file is a zip archive, not an Excel (.xlsx) workbook."))


def read_xlsx(content, *, sheet=None, max_rows=None):
    import openpyxl  # noqa: PLC0415 - only needed for workbooks

    check_zip(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises anything from KeyError to XML parse errors
        raise ReaderError(
            _lt("This Excel (.xlsx) workbook is corrupt or cannot be read.")
        ) from error
    try:
        visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
        result = ReadResult(format="xlsx", sheets=visible, file_size=len(content))
        if sheet:
            if sheet not in workbook.sheetnames:
                raise ReaderError(_lt("The workbook has no sheet named “%(sheet)s”."), sheet=sheet)
            worksheet = workbook[sheet]
        elif visible:
            worksheet = workbook[visible[0]]
        else:
            raise ReaderError(_lt("The workbook has no worksheet."))
        if not hasattr(worksheet, "iter_rows"):
            raise ReaderError(
                _lt("The sheet “%(sheet)s” is a chart, not a worksheet."), sheet=worksheet.title
            )
        result.sheet = worksheet.title
        try:
            _read_worksheet(worksheet, result, max_rows)
        except ReaderError:
            raise
        except Exception as error:
            raise ReaderError(
                _lt("This Excel (.xlsx) workbook is corrupt or cannot be read.")
            ) from error
    finally:
        workbook.close()
    return result


def _read_worksheet(worksheet, result, max_rows):
    worksheet.reset_dimensions()  # never trust <dimension ref="A1:XFD1048576"/>
    width = None
    empty_run = 0
    line = 0
    for cells in worksheet.iter_rows():
        line = next((cell.row for cell in cells if getattr(cell, "row", None)), line + 1)
        errors = []
        values = []
        for cell in cells:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "e" or (
                isinstance(value, str)
                and value in XLSX_ERROR_VALUES
                and getattr(cell, "data_type", None) != "s"
            ):
                errors.append(f"cell {cell.coordinate} contains the error {value}")
                value = None
            values.append(_cell_text(value))
        while values and not values[-1]:
            values.pop()
        if not values:
            empty_run += 1
            if empty_run >= XLSX_MAX_EMPTY_RUN:
                result.warnings.append(
                    f"reading stopped after {XLSX_MAX_EMPTY_RUN} empty rows at row {line}"
                )
                break
            continue
        empty_run = 0
        if width is None:
            result.headers = unique_headers(values)
            width = len(result.headers)
            continue
        if result._full(max_rows):
            break
        for error in errors:
            result.errors.append((line, error))
        if len(values) < width:
            # trailing empty cells are not stored in XLSX: a short row is normal there
            result._add(line, _cap_cells(values, line, result))
        else:
            result._add(line, _align(values, width, line, result))
    if width is None:
        raise ReaderError(_lt("The sheet “%(sheet)s” is empty."), sheet=result.sheet)


# ------------------------------------------------------------------------------------------ SQLite


def _sqlite_text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_single_byte(data, "cp1252")


def read_sqlite(content, *, table=None, max_rows=None):
    """Read one table or view of an SQLite file, on a private read-only immutable copy."""
    content = bytes(content)
    if not content.startswith(SQLITE_MAGIC):
        raise ReaderError(_lt("This file is not an SQLite database."))
    handle, path = tempfile.mkstemp(prefix="hygiene_", suffix=".sqlite")  # mode 0600
    connection = None
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(content)
        try:
            connection = _sqlite_connect(path)
            result = _sqlite_tables(connection)
            result.file_size = len(content)
            if len(content) > 19 and content[18] == 2:
                result.warnings.append(
                    "the database is in WAL mode: changes not checkpointed into it are not read"
                )
            _sqlite_rows(connection, result, table, max_rows)
            return result
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise ReaderError(
                    _lt("Reading this SQLite database takes too long: it is refused.")
                ) from error
            raise ReaderError(
                _lt("This SQLite database cannot be read (%(reason)s)."), reason=str(error)
            ) from error
        except sqlite3.DatabaseError as error:
            raise ReaderError(
                _lt("This SQLite database is corrupt or encrypted (%(reason)s)."), reason=str(error)
            ) from error
    finally:
        if connection is not None:
            connection.close()
        try:
            os.unlink(path)
        except OSError:
            pass


def _sqlite_connect(path):
    """Read-only, immutable, untrusted schema, no extension, a step and time budget."""
    deadline = time.monotonic() + SQLITE_MAX_SECONDS
    steps = [0]

    def progress():
        steps[0] += SQLITE_PROGRESS_INTERVAL
        return 1 if steps[0] > SQLITE_MAX_STEPS or time.monotonic() > deadline else 0

    uri = f"file:{pathname2url(path)}?mode=ro&immutable=1"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        if hasattr(connection, "enable_load_extension"):
            connection.enable_load_extension(False)
        connection.text_factory = _sqlite_text
        connection.set_progress_handler(progress, SQLITE_PROGRESS_INTERVAL)
        # a view may compute huge strings (printf('%.*c', 5000000, 'x')): refused while computed
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, CELL_LIMIT * 4)
        connection.execute("PRAGMA trusted_schema=OFF")
        connection.execute("PRAGMA cell_size_check=ON")
        check = connection.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise ReaderError(_lt("This SQLite database is corrupt."))
    except BaseException:
        connection.close()
        raise
    return connection


def _sqlite_tables(connection):
    schema = "sqlite_schema" if sqlite3.sqlite_version_info >= (3, 33) else "sqlite_master"
    objects = connection.execute(
        f"SELECT name FROM {schema} "  # noqa: S608 - constant name
        "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY type = 'view', name"
    ).fetchall()
    if not objects:
        raise ReaderError(_lt("This SQLite database has no table."))
    return ReadResult(format="sqlite", tables=[name for (name,) in objects])  # size: read_sqlite


def _sqlite_rows(connection, result, table, max_rows):
    if table is None:
        table = result.tables[0]
    elif table not in result.tables:
        raise ReaderError(_lt("The database has no table or view named “%(table)s”."), table=table)
    result.table = table
    quoted = '"' + table.replace('"', '""') + '"'
    cursor = connection.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - quoted identifier
    result.headers = unique_headers([column[0] for column in cursor.description])
    width = len(result.headers)
    for number, row in enumerate(cursor, start=1):
        if result._full(max_rows):
            break
        values = []
        for header, value in zip(result.headers, row, strict=False):
            if isinstance(value, bytes):
                try:
                    value = value.decode("utf-8")
                except UnicodeDecodeError:
                    result.errors.append((number, f"binary value in column {header} ignored"))
                    value = None
            values.append(_cell_text(value))
        result._add(number, _align(values, width, number, result))


# ------------------------------------------------------------------------------------------ JSON


def _json_text(value):
    """A JSON value as a cell: nested values as compact JSON, booleans as JSON spells them."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return _cell_text(value)


class _JsonRows:
    """Collect objects whose keys become headers in order of first appearance."""

    def __init__(self, result):
        self.result = result
        self.objects = []
        self.keys = {}

    def add(self, line, value):
        if not isinstance(value, dict):
            self.result.errors.append((line, f"not a JSON object but {type(value).__name__}"))
            return
        for key in value:
            self.keys.setdefault(key, None)
        if len(self.keys) > MAX_COLUMNS:
            unique_headers(self.keys)  # refuses the file
        self.objects.append((line, value))

    def finish(self):
        keys = list(self.keys)
        self.result.headers = headers = unique_headers(keys)
        header_of = dict(zip(keys, headers, strict=True))
        for line, value in self.objects:
            # only the object's own keys: the row is stored sparse
            cells = {}
            for key, item in value.items():
                text = _json_text(item)
                if len(text) > CELL_LIMIT:
                    self.result.errors.append(
                        (line, f"a cell longer than {CELL_LIMIT} characters was cut")
                    )
                    text = text[:CELL_LIMIT]
                if text:
                    cells[header_of[key]] = text
            self.result.rows.append_sparse(cells)
            self.result.line_numbers.append(line)
        return self.result


def read_json(content, *, max_rows=None):
    text, encoding, _bad_lines = decode_text(bytes(content))
    stripped = text.strip()
    if not stripped:
        raise ReaderError(_lt("The file is empty."))
    result = ReadResult(format="json", encoding=encoding, file_size=len(content))
    rows = _JsonRows(result)
    if stripped.startswith("["):
        _read_json_array(text, rows, max_rows)
    else:
        _read_json_lines(text, rows, max_rows)
    if not rows.objects and (result.errors or not stripped.startswith("[")):
        raise ReaderError(
            _lt(
                "This JSON file is neither an array of objects nor JSON lines "
                "(one object per line)."
            )
        )
    return rows.finish()


def _read_json_array(text, rows, max_rows):
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    line, counted = 1, 0  # line number of ``position``, counted incrementally
    length = len(text)

    def skip(pos):
        while pos < length and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def fail(pos, reason):
        raise ReaderError(
            _lt("This JSON file is invalid near line %(line)s: %(reason)s."),
            line=text.count("\n", 0, pos) + 1,
            reason=reason,
        )

    position = skip(position)
    if position < length and text[position] == "]":
        return
    while True:
        if max_rows is not None and len(rows.objects) >= max_rows:
            rows.result.truncated = True
            return
        line += text.count("\n", counted, position)
        counted = position
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            fail(error.pos, error.msg)
        rows.add(line, value)
        position = skip(end)
        if position >= length:
            fail(position, "the array is not closed")
        if text[position] == "]":
            if text[position + 1 :].strip():
                fail(position + 1, "extra data after the array")
            return
        if text[position] != ",":
            fail(position, "a comma was expected")
        position = skip(position + 1)


def _read_json_lines(text, rows, max_rows):
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if max_rows is not None and len(rows.objects) >= max_rows:
            rows.result.truncated = True
            return
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            if number == 1 and line.strip() == "{":
                # A single pretty-printed object rather than JSON lines.
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    rows.result.errors.append((number, f"invalid JSON: {error.msg}"))
                    continue
                rows.add(number, value)
                return
            rows.result.errors.append((number, f"invalid JSON: {error.msg}"))
            continue
        rows.add(number, value)
