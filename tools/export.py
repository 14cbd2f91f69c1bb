"""Safe spreadsheet output: cells that a spreadsheet would run as a formula are neutralised."""

import csv
import io

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Prefix a text cell with a quote when Excel or LibreOffice would read it as a formula
    (OWASP CSV injection), leave anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(header, rows):
    """The header and the rows as UTF-8 CSV, every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode()


def csv_download(env, filename, header, rows):
    """An action downloading the rows as a CSV file: the file is a private attachment of the user
    who asked (no model, no record: only its creator and administrators can read it)."""
    attachment = env["ir.attachment"].create(
        {"name": filename, "raw": csv_bytes(header, rows), "mimetype": "text/csv"}
    )
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "download",
    }
