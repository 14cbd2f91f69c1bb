"""Text readers of ``tools/readers.py``: CSV (encoding and delimiter detected) and JSON (an array
of objects or JSON lines). Pure Python."""

import codecs
import csv
import io
import json

import chardet

from .i18n import _lt
from .read_common import (
    CELL_LIMIT,
    CSV_FIELD_LIMIT,
    MAX_COLUMNS,
    ReaderError,
    ReadResult,
    _align,
    _cell_text,
    _decode_single_byte,
    unique_headers,
)

CHARDET_SAMPLE = 1024 * 1024
SNIFF_SAMPLE = 64 * 1024
DECODE_PIECE = 1024 * 1024  # bytes decoded at a time when a file is checked or streamed
CSV_DELIMITERS = ",;\t|"
SNIFF_LINES = 200


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
    strict = _decode_strict(content)
    if strict:
        return strict
    mixed = _decode_mixed(content)
    if mixed:
        return mixed
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


def _decode_strict(content):
    """``(text, encoding, [])`` when ``content`` is UTF-16 with a BOM or UTF-8 (BOM or not) from
    end to end, else None."""
    candidates = [("utf-8-sig", "utf-8")]
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.insert(0, ("utf-16", "utf-16"))
    for codec, name in candidates:
        try:
            return content.decode(codec), name, []
        except UnicodeDecodeError:
            continue
    return None


def _decode_mixed(content):
    """Mixed encodings: most non-ASCII lines are valid UTF-8, a few are not (read as cp1252).
    ``(text, "utf-8", bad_lines)``, or None when the file is not mostly UTF-8."""
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
    if not (utf8_lines and utf8_lines >= len(bad_lines)):
        return None
    bad = set(bad_lines)
    decoded = []
    for number, line in enumerate(lines, start=1):
        if number in bad:
            decoded.append(_decode_single_byte(line, "cp1252"))
        else:
            decoded.append(line.decode("utf-8"))
    text = "\n".join(decoded)
    return text.removeprefix("\ufeff"), "utf-8", bad_lines


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


def _decodes(content, encoding):
    """Whether the whole of ``content`` decodes as ``encoding``, checked by pieces (no text of
    the whole file is built)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    try:
        for start in range(0, len(view), DECODE_PIECE):
            decoder.decode(view[start : start + DECODE_PIECE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def open_text(content):
    """``(text stream, encoding, bad_lines)`` of a text export, as :func:`decode_text` reads it.

    A file that is entirely UTF-16 (with BOM) or UTF-8 is read as a stream over its bytes, never
    decoded as a whole; the other cases (mixed or single-byte encodings) are decoded by
    :func:`decode_text` in memory."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) and _decodes(content, "utf-16"):
        encoding, codec = "utf-16", "utf-16"
    elif _decodes(content, "utf-8-sig"):
        encoding, codec = "utf-8", "utf-8-sig"
    else:
        text, encoding, bad_lines = decode_text(content)
        return io.StringIO(text, newline=""), encoding, bad_lines
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=codec, newline="")
    return stream, encoding, []


def _check_text_head(stream):
    """The first characters of the text (what the checks and the delimiter sniffer read); refuse
    an empty or binary file. Leaves ``stream`` at its start."""
    head = stream.read(SNIFF_SAMPLE + 1)
    blank = not head.strip()
    while blank:
        more = stream.read(DECODE_PIECE)
        if not more:
            raise ReaderError(_lt("The file is empty."))
        blank = not more.strip()
    stream.seek(0)
    if _is_garbage(head):
        raise ReaderError(
            _lt("This file is not a text (CSV) file, nor a supported workbook or database.")
        )
    return head


def read_csv(content, *, max_rows=None, stream=None):
    stream_text, encoding, bad_lines = open_text(bytes(content))
    delimiter = sniff_delimiter(_check_text_head(stream_text))
    result = ReadResult(
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        file_size=len(content),
        **(stream or {}),
    )
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        _read_csv_rows(csv.reader(stream_text, delimiter=delimiter), result, max_rows, bad_lines)
    finally:
        csv.field_size_limit(previous_limit)
    if not result.headers:
        raise ReaderError(_lt("The file is empty."))
    return result


def _read_csv_rows(reader, result, max_rows, bad_lines):
    bad = set(bad_lines)
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
        if bad and bad.intersection(range(start, last_line + 1)):
            result.errors.append((start, "row is not valid UTF-8, read as Windows-1252 (cp1252)"))
        result._add(start, _align(cells, width, start, result))


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


def read_json(content, *, max_rows=None, stream=None):
    text, encoding, _bad_lines = decode_text(bytes(content))
    stripped = text.strip()
    if not stripped:
        raise ReaderError(_lt("The file is empty."))
    result = ReadResult(format="json", encoding=encoding, file_size=len(content), **(stream or {}))
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
