"""Security review M5: hostile small files do not blow up memory. Each reader is fed a file under
1 MB built to be amplified (a wide header over one-cell rows, thousands of JSON keys, an SQLite
view computing huge strings) and the Python heap it allocates stays under 200 MB."""

import io
import json
import os
import sqlite3
import tempfile
import tracemalloc

from odoo.tests import BaseCase, tagged

from ..tools import readers
from ..tools.readers import ReaderError, read_file

BUDGET = 200 * 1024 * 1024
MAX_ROWS = 200_000  # the import's default row cap


def _peak(function, *args, **kwargs):
    """Peak Python allocation of ``function(*args)`` in bytes, and its result (or error)."""
    tracemalloc.start()
    try:
        try:
            outcome = function(*args, **kwargs)
        except ReaderError as error:
            outcome = error
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


@tagged("post_install", "-at_install")
class TestReaderMemory(BaseCase):
    def assertBounded(self, content, filename, **kwargs):
        self.assertLess(len(content), 1024 * 1024, "the hostile file must stay under 1 MB")
        peak, outcome = _peak(read_file, content, filename, max_rows=MAX_ROWS, **kwargs)
        self.assertLess(peak, BUDGET, f"{filename}: {peak / 1048576:.0f} MB")
        return outcome

    def test_csv_wide_header_over_one_cell_rows(self):
        header = ";".join(f"c{i}" for i in range(readers.MAX_COLUMNS)) + "\n"
        content = (header + "x\n" * 50_000).encode()
        result = self.assertBounded(content, "wide.csv")
        self.assertEqual(len(result.rows), 50_000)
        self.assertEqual(result.rows[0]["c0"], "x")
        self.assertEqual(result.rows[0]["c999"], "")

    def test_csv_header_too_wide_is_refused(self):
        header = ",".join(f"c{i}" for i in range(20_000)) + "\n"
        outcome = self.assertBounded((header + "x\n" * 2000).encode(), "wider.csv")
        self.assertIsInstance(outcome, ReaderError)
        self.assertIn("columns", str(outcome))

    def test_json_lines_with_many_distinct_keys(self):
        lines = [json.dumps({f"k{i % 900}": "v"}) for i in range(20_000)]
        content = "\n".join(lines).encode()
        result = self.assertBounded(content, "keys.jsonl")
        self.assertEqual(len(result.headers), 900)
        too_many = "\n".join(json.dumps({f"k{i}": "v"}) for i in range(3000)).encode()
        self.assertIsInstance(self.assertBounded(too_many, "more.jsonl"), ReaderError)

    def test_sqlite_view_of_huge_values(self):
        handle, path = tempfile.mkstemp(suffix=".sqlite")
        os.close(handle)
        try:
            connection = sqlite3.connect(path)
            connection.execute("CREATE TABLE t (n INTEGER)")
            connection.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(40)])
            connection.execute("CREATE VIEW v AS SELECT printf('%.*c', 5000000, 'x') AS big FROM t")
            connection.commit()
            connection.close()
            with open(path, "rb") as file:
                content = file.read()
        finally:
            os.unlink(path)
        outcome = self.assertBounded(content, "views.sqlite", table="v")
        if not isinstance(outcome, ReaderError):  # SQLite refused to build the strings
            self.assertTrue(all(len(row["big"]) <= readers.CELL_LIMIT for row in outcome.rows))

    def _sqlite(self, *statements):
        handle, path = tempfile.mkstemp(suffix=".sqlite")
        os.close(handle)
        try:
            connection = sqlite3.connect(path)
            for statement in statements:
                connection.execute(statement)
            connection.commit()
            connection.close()
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.unlink(path)

    def test_sqlite_view_computing_millions_of_rows(self):
        """The attacker's pass: a 4 KB database whose only view yields 10 million rows of a
        100 KB blob each took the server down (2.3 GB in 4 s)."""
        content = self._sqlite(
            "CREATE VIEW v2 AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "LIMIT 10000000) SELECT 'a' || i || '@example.com' AS email, zeroblob(100000) AS z "
            "FROM n"
        )
        outcome = self.assertBounded(content, "view2.sqlite")
        self.assertIsInstance(outcome, ReaderError)
        self.assertIn("far more data", str(outcome))

    def test_xlsx_wide_header_over_one_cell_rows(self):
        import openpyxl  # noqa: PLC0415

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Clients")
        sheet.append([f"c{i}" for i in range(readers.MAX_COLUMNS)])
        for __ in range(15_000):
            sheet.append(["x"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        result = self.assertBounded(buffer.getvalue(), "wide.xlsx")
        self.assertEqual(len(result.rows), 15_000)
