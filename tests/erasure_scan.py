"""The scans of the erasure tests: every text, json, array and bytea column of every table of the
database (its catalogue, not the ORM), and every file of the filestore and of the HTTP session
store, for the markers of a person. ``test_erasure_scan.py`` proves that they find a planted
marker; ``test_erasure_e2e.py`` uses them after real flows."""

import os
import re
import zlib

from odoo import http
from odoo.tools import SQL

from ..tools import anonymize

# Every column type that can hold a text: arrays (of text, or of anything) are read as text too.
SCANNED_TYPES = ("character varying", "character", "text", "json", "jsonb", "bytea", "ARRAY")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


class ErasureScanMixin:
    """The scans of the database and of the files, for the markers of a person."""

    def _scan_tables(self, markers):
        """{(table, column): {row key}} of every text, json, array and bytea column of every
        table of the database (the catalogue, not the ORM: tables no model declares too) that
        holds one of ``markers`` (case-insensitive; bytea as bytes); the key is the row's id, or
        a hash of the row where the table has no id."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.column_name),
                       array_agg(c.data_type::text ORDER BY c.column_name),
                       bool_or(c.column_name = 'id')
                  FROM information_schema.columns c
                  JOIN information_schema.tables t
                    ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                   AND (c.data_type = ANY(%s) OR c.column_name = 'id')
              GROUP BY c.table_name
                """,
                list(SCANNED_TYPES),
            )
        )
        patterns = [anonymize.like_pattern(marker) for marker in markers]
        variants = sorted({v for m in markers for v in (m, m.lower(), m.upper())})
        residues = {}
        for table, columns, types, has_id in cr.fetchall():
            tests = []
            for column, data_type in zip(columns, types, strict=True):
                if data_type not in SCANNED_TYPES:
                    continue
                if data_type == "bytea":
                    test = SQL(" OR ").join(
                        SQL("position(convert_to(%s, 'UTF8') IN %s) > 0", v, SQL.identifier(column))
                        for v in variants
                    )
                else:
                    test = SQL("%s::text ILIKE ANY(%s)", SQL.identifier(column), patterns)
                tests.append((column, SQL("COALESCE(%s, FALSE)", test)))
            if not tests:
                continue
            key = SQL("id") if has_id else SQL("md5(ROW(%s)::text)", SQL.identifier(table))
            cr.execute(
                SQL(
                    "SELECT %s, %s FROM %s WHERE %s",
                    key,
                    SQL(", ").join(test for __, test in tests),
                    SQL.identifier(table),
                    SQL(" OR ").join(test for __, test in tests),
                )
            )
            for row in cr.fetchall():
                for (column, __), hit in zip(tests, row[1:], strict=True):
                    if hit:
                        residues.setdefault((table, column), set()).add(row[0])
        return residues

    def _filestore_files(self):
        """(name, path) of every file of the database's filestore (its checklist holds only
        links to files of the filestore)."""
        root = self.env["ir.attachment"]._filestore()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "checklist"]
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                yield os.path.relpath(path, root), path

    def _session_files(self):
        """(name, path) of every file of the HTTP session store (a session holds the login)."""
        root = http.root.session_store.path
        for dirpath, __, filenames in os.walk(root):
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                yield f"sessions/{os.path.relpath(path, root)}", path

    def _scan_files(self, markers):
        """{name} of every file of the filestore and of the session store holding one of
        ``markers`` (case-insensitive): the raw bytes, and the inflated streams of a PDF."""
        needles = [marker.lower().encode() for marker in markers]
        found = set()
        for fname, path in [*self._filestore_files(), *self._session_files()]:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except FileNotFoundError:  # a session expired meanwhile
                continue
            texts = [data]
            if data.startswith(b"%PDF"):
                for stream in PDF_STREAM.findall(data):
                    try:
                        texts.append(zlib.decompress(stream))
                    except zlib.error:
                        continue
            if any(needle in text.lower() for text in texts for needle in needles):
                found.add(fname)
        return found

    def _scan(self):
        return {
            "unique": self._scan_tables(self.unique_markers),
            "names": self._scan_tables(self.name_markers),
            "files": self._scan_files(self.unique_markers + self.name_markers),
        }
