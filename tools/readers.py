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

import contextlib
import io
import os
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.request import pathname2url

from .i18n import _lt
from .read_common import (  # noqa: F401 - the readers' public names, imported from here
    CELL_LIMIT,
    CSV_FIELD_LIMIT,
    MAX_COLUMNS,
    READ_CELLS_FLOOR,
    READ_CHARS_FLOOR,
    READ_CHARS_PER_BYTE,
    ReaderError,
    ReadResult,
    Rows,
    _align,
    _cap_cells,
    _cell_text,
    _decode_single_byte,
    unique_headers,
)
from .read_text import (  # noqa: F401
    CHARDET_SAMPLE,
    CSV_DELIMITERS,
    SNIFF_LINES,
    SNIFF_SAMPLE,
    decode_text,
    read_csv,
    read_json,
    sniff_delimiter,
)

# Limits, module constants so that callers (and tests) can lower them.
MAX_FILE_SIZE = 200 * 1024 * 1024  # bytes of the uploaded file
MAX_UNCOMPRESSED_SIZE = 200 * 1024 * 1024  # total declared size of an XLSX's zip members
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_RATIO = 200  # total uncompressed / compressed size; legitimate XLSX are far below
XLSX_MAX_EMPTY_RUN = 10_000  # consecutive empty rows after which a sheet is deemed finished
SQLITE_MAX_SECONDS = 30.0
SQLITE_MAX_STEPS = 500_000_000  # virtual-machine instructions
SQLITE_PROGRESS_INTERVAL = 10_000
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


def read_file(
    content, filename="", *, sheet=None, table=None, max_rows=None, sink=None, chunk=None
):
    """Read a legacy customer file into a :class:`ReadResult`.

    With ``sink``, the rows are handed to ``sink(result)`` every ``chunk`` rows (and the last ones)
    and not kept: ``result.row_count`` counts them (see :class:`ReadResult`). CSV, XLSX and
    SQLite are then read in a stream; a JSON file is parsed whole first (its headers are the keys
    of every object).

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
    stream = {"sink": sink, "sink_size": chunk or 5000} if sink else None
    kind = detect_format(bytes(content), filename)
    reader = {"csv": read_csv, "xlsx": read_xlsx, "sqlite": read_sqlite, "json": read_json}[kind]
    if kind == "xlsx":
        result = reader(content, sheet=sheet, max_rows=max_rows, stream=stream)
    elif kind == "sqlite":
        result = reader(content, table=table, max_rows=max_rows, stream=stream)
    else:
        result = reader(content, max_rows=max_rows, stream=stream)
    result._flush()
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


def read_xlsx(content, *, sheet=None, max_rows=None, stream=None):
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
        result = ReadResult(format="xlsx", sheets=visible, file_size=len(content), **(stream or {}))
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


def read_sqlite(content, *, table=None, max_rows=None, stream=None):
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
            result = _sqlite_tables(connection, stream)
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
        with contextlib.suppress(OSError):
            os.unlink(path)


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


def _sqlite_tables(connection, stream=None):
    schema = "sqlite_schema" if sqlite3.sqlite_version_info >= (3, 33) else "sqlite_master"
    objects = connection.execute(
        f"SELECT name FROM {schema} "  # noqa: S608 - constant name
        "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY type = 'view', name"
    ).fetchall()
    if not objects:
        raise ReaderError(_lt("This SQLite database has no table."))
    tables = [name for (name,) in objects]
    return ReadResult(format="sqlite", tables=tables, **(stream or {}))  # size: read_sqlite


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
