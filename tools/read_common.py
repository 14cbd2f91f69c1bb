"""What every reader of ``tools/readers.py`` returns and shares: :class:`ReaderError`, the sparse
:class:`Rows`, :class:`ReadResult` with its budget on what a file may produce, header and cell
helpers, and the cp1252 decoding used for text files and SQLite values. Pure Python."""

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime

from .i18n import _lt

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
    # Streaming: ``sink(result)`` is called each time ``sink_size`` rows are read (and for the
    # last ones); it consumes ``rows`` and ``line_numbers``, which are then emptied, so that a
    # file of a million rows is held one chunk at a time. ``row_count`` counts every row read.
    sink: object = None
    sink_size: int = 5000
    sunk: int = 0  # rows already handed to the sink
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
        if self.sink is not None and len(self.line_numbers) >= self.sink_size:
            self._flush()

    @property
    def row_count(self):
        """Rows read: those handed to the sink and those still held."""
        return self.sunk + len(self.line_numbers)

    def _flush(self):
        """Hand the rows held to the sink, then drop them (no-op without a sink)."""
        if self.sink is None or not self.line_numbers:
            return
        self.sink(self)
        self.sunk += len(self.line_numbers)
        self.rows = Rows(self)
        self.line_numbers = []

    def _full(self, max_rows):
        if max_rows is not None and self.row_count >= max_rows:
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


def _latin1_fallback(error):
    """Codec error handler: an undefined byte is read as its latin-1 character."""
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("partner_data_hygiene_latin1", _latin1_fallback)


def _decode_single_byte(data, encoding):
    """cp1252, with its five undefined bytes read as latin-1 (no crash, no replacement char)."""
    return data.decode(encoding, errors="partner_data_hygiene_latin1")
