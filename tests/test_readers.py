"""Pure tests of tools/readers.py: legacy files built in memory (no database access)."""

import io
import json
import sqlite3
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from unittest.mock import patch

import openpyxl

from odoo.tests import BaseCase, tagged

from ..tools import readers
from ..tools.readers import ReaderError, read_file


def _xlsx(build):
    """Bytes of a workbook made by ``build(workbook)``."""
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestCsv(BaseCase):
    def test_utf8_bom(self):
        result = read_file("\ufeffemail,name\njean@example.fr,Élodie\n".encode(), "a.csv")
        self.assertEqual(result.headers, ["email", "name"])
        self.assertEqual(result.rows, [{"email": "jean@example.fr", "name": "Élodie"}])
        self.assertEqual(result.line_numbers, [2])
        self.assertEqual(result.encoding, "utf-8")
        self.assertEqual(result.delimiter, ",")
        self.assertEqual(result.errors, [])
        self.assertEqual(result.format, "csv")

    def test_utf16_bom_tab(self):
        result = read_file("nom\tville\nHélène\tParis\n".encode("utf-16"), "excel.txt")
        self.assertEqual(result.delimiter, "\t")
        self.assertEqual(result.rows, [{"nom": "Hélène", "ville": "Paris"}])

    def test_cp1252_accents(self):
        content = b"nom;ville;note\nL\xe9a;B\xe9ziers;5 \x80 l\x92\x9cuf\nRen\xe9e;S\xe8te;\n"
        result = read_file(content, "clients.csv")
        self.assertEqual(result.encoding, "cp1252")
        self.assertEqual(result.delimiter, ";")
        self.assertEqual(result.rows[0], {"nom": "Léa", "ville": "Béziers", "note": "5 € l’œuf"})
        self.assertEqual(result.rows[1]["nom"], "Renée")
        self.assertEqual(result.rows[1]["note"], "")
        self.assertFalse(any("Ã" in value for row in result.rows for value in row.values()))

    def test_mixed_encodings_listed(self):
        content = "nom,ville\nHélène,Paris\nJérôme,Lyon\n".encode() + b"Andr\xe9,N\xeemes\n"
        result = read_file(content, "merged.csv")
        self.assertEqual(result.rows[2], {"nom": "André", "ville": "Nîmes"})
        self.assertEqual(result.rows[0]["nom"], "Hélène")
        self.assertEqual([line for line, _reason in result.errors], [4])

    def test_semicolon_with_commas_in_values(self):
        content = b"nom;adresse;montant\nDupont, Jean;1, rue de la Paix;1,5\nMartin;2, place;3,25\n"
        result = read_file(content, "fr.csv")
        self.assertEqual(result.delimiter, ";")
        self.assertEqual(result.rows[0]["nom"], "Dupont, Jean")
        self.assertEqual(result.rows[1]["montant"], "3,25")

    def test_tab_and_pipe(self):
        self.assertEqual(read_file(b"a\tb\n1\t2\n", "t.tsv").delimiter, "\t")
        result = read_file(b"a|b|c\n1|2|3\n4|5|6\n", "p.csv")
        self.assertEqual(result.delimiter, "|")
        self.assertEqual(result.rows[1], {"a": "4", "b": "5", "c": "6"})

    def test_quoted_newline_and_line_numbers(self):
        content = (
            b'name,notes,city\r\n"Dupont","line one\r\nline two, ""quoted""",Paris\r\n'
            b"Martin,,Lyon\r\n"
        )
        result = read_file(content, "q.csv")
        self.assertEqual(result.rows[0]["notes"], 'line one\r\nline two, "quoted"')
        self.assertEqual(result.rows[1]["city"], "Lyon")
        self.assertEqual(result.line_numbers, [2, 4])

    def test_blank_lines_and_lone_cr(self):
        result = read_file(b"a,b\r1,2\r\r3,4\r", "mac.csv")
        self.assertEqual(result.rows, [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}])
        self.assertEqual(result.line_numbers, [2, 4])

    def test_ragged_rows(self):
        content = b"a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n"
        result = read_file(content, "ragged.csv")
        self.assertEqual(result.rows[0], {"a": "1", "b": "2", "c": ""})
        self.assertEqual(result.rows[1], {"a": "1", "b": "2", "c": "3"})
        self.assertEqual(result.rows[2], {"a": "1", "b": "2", "c": "3"})
        # trailing empty separators are not an anomaly
        self.assertEqual([line for line, _reason in result.errors], [2, 3])
        self.assertIn("2 cells, 3 expected", result.errors[0][1])

    def test_duplicate_and_empty_headers(self):
        result = read_file(b"email, Email ,,email,\nx,y,z,t,u\n", "dup.csv")
        self.assertEqual(result.headers, ["email", "Email", "column_3", "email_2", "column_5"])
        self.assertEqual(result.rows[0]["email_2"], "t")

    def test_values_stripped_and_formulas_kept_as_text(self):
        result = read_file(b"name,company\n  =HYPERLINK(1) , @SUM(A1)\n", "f.csv")
        self.assertEqual(result.rows[0], {"name": "=HYPERLINK(1)", "company": "@SUM(A1)"})

    def test_nul_byte_is_row_error(self):
        result = read_file(b"a,b\nx\x00y,2\n", "nul.csv")
        self.assertEqual(result.rows[0]["a"], "xy")
        self.assertEqual(result.errors[0][0], 2)

    def test_max_rows(self):
        content = b"n\n" + b"".join(b"%d\n" % i for i in range(100))
        result = read_file(content, "big.csv", max_rows=3)
        self.assertEqual([row["n"] for row in result.rows], ["0", "1", "2"])
        self.assertTrue(result.truncated)

    def test_header_only(self):
        result = read_file(b"email;name\n", "h.csv")
        self.assertEqual(result.headers, ["email", "name"])
        self.assertEqual(result.rows, [])

    def test_empty_and_garbage(self):
        for content in (b"", b"\xef\xbb\xbf", b"  \n\n"):
            with self.assertRaisesRegex(ReaderError, "empty"):
                read_file(content, "empty.csv")
        garbage = bytes(range(256)) * 20
        with self.assertRaises(ReaderError):
            read_file(garbage, "garbage.csv")

    def test_too_large(self):
        with patch.object(readers, "MAX_FILE_SIZE", 10), self.assertRaises(ReaderError) as caught:
            read_file(b"a,b\n1,2\n3,4\n", "big.csv")
        self.assertIn("too large", str(caught.exception))
        self.assertEqual(caught.exception.message % caught.exception.params, str(caught.exception))


@tagged("post_install", "-at_install")
class TestXlsx(BaseCase):
    def _workbook(self, workbook):
        sheet = workbook.active
        sheet.title = "Clients"
        sheet.append(["Email", "CP", "Date de naissance", "Total", "Formula", "Ratio"])
        sheet.append(["  jean@example.fr ", 75011, date(1980, 2, 29), "=1+1", None, 1.5])
        sheet["E2"] = "=1+1"
        sheet.append(["marie@example.fr", 6000.0, datetime(2001, 12, 3, 0, 0), None, None, None])
        sheet.append([])
        sheet.append(["paul@example.fr", "01000", datetime(2001, 12, 3, 14, 5), None, None, 0.1])
        other = workbook.create_sheet("Fair 2023")
        other.append(["name", "name"])
        other.append(["Dupont", "Jean"])
        hidden = workbook.create_sheet("Secret")
        hidden.sheet_state = "hidden"
        hidden.append(["x"])
        hidden.append(["1"])

    def test_first_sheet_values(self):
        result = read_file(_xlsx(self._workbook), "clients.xlsx")
        self.assertEqual(result.format, "xlsx")
        self.assertEqual(result.sheets, ["Clients", "Fair 2023"])
        self.assertEqual(result.sheet, "Clients")
        self.assertEqual(
            result.headers, ["Email", "CP", "Date de naissance", "Total", "Formula", "Ratio"]
        )
        first, second, third = result.rows
        self.assertEqual(first["Email"], "jean@example.fr")
        self.assertEqual(first["CP"], "75011")
        self.assertEqual(first["Date de naissance"], "1980-02-29")
        self.assertEqual(first["Ratio"], "1.5")
        # formulas written by openpyxl have no cached value: empty, never evaluated to "2"
        self.assertEqual(first["Total"], "")
        self.assertEqual(first["Formula"], "")
        self.assertEqual(second["CP"], "6000")
        self.assertEqual(second["Date de naissance"], "2001-12-03")
        self.assertEqual(third["CP"], "01000")
        self.assertEqual(third["Date de naissance"], "2001-12-03 14:05:00")
        self.assertEqual(third["Ratio"], "0.1")
        self.assertEqual(result.line_numbers, [2, 3, 5])
        self.assertEqual(result.errors, [])

    def test_sheet_picker(self):
        content = _xlsx(self._workbook)
        result = read_file(content, "clients.xlsx", sheet="Fair 2023")
        self.assertEqual(result.headers, ["name", "name_2"])
        self.assertEqual(result.rows, [{"name": "Dupont", "name_2": "Jean"}])
        self.assertEqual(read_file(content, "c.xlsx", sheet="Secret").rows, [{"x": "1"}])
        with self.assertRaisesRegex(ReaderError, "no sheet named"):
            read_file(content, "clients.xlsx", sheet="Nope")

    def test_detected_by_content_and_max_rows(self):
        result = read_file(_xlsx(self._workbook), "export.csv", max_rows=1)
        self.assertEqual(result.format, "xlsx")
        self.assertEqual(len(result.rows), 1)
        self.assertTrue(result.truncated)

    def test_error_cell_is_row_error(self):
        def build(workbook):
            workbook.active.append(["a", "b"])
            workbook.active.append(["x", "#REF!"])
            workbook.active["B2"].data_type = "e"

        result = read_file(_xlsx(build), "e.xlsx")
        self.assertEqual(result.rows, [{"a": "x", "b": ""}])
        self.assertEqual(result.errors[0][0], 2)
        self.assertIn("#REF!", result.errors[0][1])

    def test_garbage_xlsx(self):
        with self.assertRaisesRegex(ReaderError, "not a valid Excel"):
            read_file(b"this is not a workbook at all", "file.xlsx")
        with self.assertRaisesRegex(ReaderError, "encrypted"):
            read_file(readers.OLE_MAGIC + b"\x00" * 100, "protected.xlsx")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        with self.assertRaisesRegex(ReaderError, "zip archive"):
            read_file(buffer.getvalue(), "file.xlsx")
        truncated = _xlsx(self._workbook)[:300]
        with self.assertRaises(ReaderError):
            read_file(truncated, "file.xlsx")

    def test_zip_bomb_refused_before_opening(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 20000)
        with (
            patch.object(readers, "MAX_UNCOMPRESSED_SIZE", 10000),
            patch("openpyxl.load_workbook") as load,
            self.assertRaisesRegex(ReaderError, "decompressed"),
        ):
            read_file(buffer.getvalue(), "bomb.xlsx")
        load.assert_not_called()
        # the ratio guard: 2 MB of zeros compress about 1000 times
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 2_000_000)
        with self.assertRaisesRegex(ReaderError, "unsafe"):
            read_file(buffer.getvalue(), "bomb.xlsx")


@tagged("post_install", "-at_install")
class TestSqlite(BaseCase):
    def _database(self, statements):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "scratch.db"
            connection = sqlite3.connect(path)
            connection.executescript(statements)
            connection.commit()
            connection.close()
            return path.read_bytes()

    def test_tables_views_and_quoted_name(self):
        content = self._database(
            "\n".join(
                [
                    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, zip INTEGER,"
                    " score REAL, photo BLOB);",
                    "INSERT INTO customers VALUES (1, ' jean@example.fr ', 75011, 2.0, NULL);",
                    "INSERT INTO customers VALUES (2, NULL, NULL, 2.5, x'ff00');",
                    'CREATE TABLE "order items" ("client ""id""" INTEGER, "select" TEXT);',
                    "INSERT INTO \"order items\" VALUES (1, 'DROP TABLE customers');",
                    "CREATE VIEW active AS SELECT email AS courriel, zip FROM customers LIMIT 1;",
                ]
            )
        )
        result = read_file(content, "scratch.sqlite")
        self.assertEqual(result.format, "sqlite")
        self.assertEqual(result.tables, ["customers", "order items", "active"])
        self.assertEqual(result.table, "customers")
        self.assertEqual(result.headers, ["id", "email", "zip", "score", "photo"])
        self.assertEqual(
            result.rows[0],
            {"id": "1", "email": "jean@example.fr", "zip": "75011", "score": "2", "photo": ""},
        )
        self.assertEqual(result.rows[1]["email"], "")
        self.assertEqual(result.rows[1]["score"], "2.5")
        self.assertEqual(result.line_numbers, [1, 2])
        self.assertEqual(result.errors, [(2, "binary value in column photo ignored")])

        items = read_file(content, "scratch.db", table="order items")
        self.assertEqual(items.headers, ['client "id"', "select"])
        self.assertEqual(items.rows, [{'client "id"': "1", "select": "DROP TABLE customers"}])
        view = read_file(content, "scratch.db", table="active")
        self.assertEqual(view.rows, [{"courriel": "jean@example.fr", "zip": "75011"}])
        self.assertEqual(read_file(content, "x.db", max_rows=1).rows[0]["id"], "1")

    def test_unknown_table_and_injection(self):
        content = self._database("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x');")
        for name in ("nope", 't"; DROP TABLE t; --', "sqlite_master"):
            with self.assertRaisesRegex(ReaderError, "no table or view named"):
                read_file(content, "x.db", table=name)

    def test_temp_file_deleted(self):
        content = self._database("CREATE TABLE t (a TEXT);")
        created = []
        real_mkstemp = tempfile.mkstemp

        def spy(*args, **kwargs):
            handle, path = real_mkstemp(*args, **kwargs)
            created.append(path)
            return handle, path

        with patch.object(readers.tempfile, "mkstemp", spy):
            result = read_file(content, "x.db")
        self.assertEqual(result.rows, [])
        self.assertEqual(len(created), 1)
        self.assertFalse(Path(created[0]).exists())

    def test_step_budget(self):
        content = self._database(
            """
            CREATE VIEW slow AS WITH RECURSIVE n(i) AS
                (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000)
            SELECT count(*) AS c FROM n;
            """
        )
        with (
            patch.object(readers, "SQLITE_MAX_STEPS", 100_000),
            self.assertRaisesRegex(ReaderError, "too long"),
        ):
            read_file(content, "x.db", table="slow")

    def test_not_sqlite_or_corrupt(self):
        with self.assertRaisesRegex(ReaderError, "not an SQLite"):
            read_file(b"email,name\nx,y\n", "base.sqlite")
        content = self._database("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x');")
        damaged = content[:100] + b"\xff" * (len(content) - 100)
        with self.assertRaises(ReaderError):
            read_file(damaged, "x.db")
        with self.assertRaises(ReaderError):
            read_file(readers.SQLITE_MAGIC + b"\x00" * 50, "x.db")


@tagged("post_install", "-at_install")
class TestJson(BaseCase):
    def test_array(self):
        content = json.dumps(
            [
                {"email": " a@example.fr ", "zip": 75011, "tags": ["vip", "é"], "optin": True},
                {
                    "email": "b@example.fr",
                    "extra": None,
                    "zip": 6000.0,
                    "address": {"city": "Nice"},
                },
            ],
            indent=2,
            ensure_ascii=False,
        ).encode()
        result = read_file(content, "export.json")
        self.assertEqual(result.headers, ["email", "zip", "tags", "optin", "extra", "address"])
        self.assertEqual(
            result.rows[0],
            {
                "email": "a@example.fr",
                "zip": "75011",
                "tags": '["vip","é"]',
                "optin": "true",
                "extra": "",
                "address": "",
            },
        )
        self.assertEqual(result.rows[1]["address"], '{"city":"Nice"}')
        self.assertEqual(result.rows[1]["zip"], "6000")
        self.assertEqual(result.line_numbers, [2, 11])

    def test_array_with_non_object(self):
        result = read_file(b'[{"a": 1}, 2, {"a": 3}]', "x.json")
        self.assertEqual(result.rows, [{"a": "1"}, {"a": "3"}])
        self.assertEqual(result.errors, [(1, "not a JSON object but int")])
        self.assertEqual(read_file(b"[]", "x.json").rows, [])

    def test_json_lines_with_broken_line(self):
        content = (
            b'{"email": "a@example.fr"}\n{"email": "b@example.fr", oops}\n\n'
            b'{"email": "c@example.fr", "n": 1}\n'
        )
        result = read_file(content, "sends.jsonl")
        self.assertEqual(
            result.rows, [{"email": "a@example.fr", "n": ""}, {"email": "c@example.fr", "n": "1"}]
        )
        self.assertEqual(result.line_numbers, [1, 4])
        self.assertEqual(len(result.errors), 1)
        self.assertEqual(result.errors[0][0], 2)
        self.assertIn("invalid JSON", result.errors[0][1])
        self.assertEqual(len(read_file(content, "sends.jsonl", max_rows=1).rows), 1)

    def test_refused(self):
        for content in (b"email,name\nx,y\n", b"[1, 2", b'{"a": 1', b"42", b"[{}] trailing", b""):
            with self.assertRaises(ReaderError, msg=content):
                read_file(content, "data.json")

    def test_single_pretty_object(self):
        result = read_file(b'{\n  "email": "a@example.fr"\n}\n', "one.json")
        self.assertEqual(result.rows, [{"email": "a@example.fr"}])


@tagged("post_install", "-at_install")
class TestStreaming(BaseCase):
    """``read_file(..., sink=, chunk=)``: the rows handed over chunk by chunk, none kept."""

    def _stream(self, content, filename, chunk):
        chunks = []

        def sink(result):
            chunks.append((list(result.line_numbers), list(result.rows), len(result.errors)))

        return read_file(content, filename, sink=sink, chunk=chunk), chunks

    def test_csv_chunks_give_the_rows_of_the_whole_read(self):
        content = (
            "email;name\n"
            "a@example.fr;Anne\n"
            "b@example.fr;Bruno;extra\n"  # an error on a row read
            "\n"
            "c@example.fr;Céline\n"
            "d@example.fr;Denis\n"
            "e@example.fr;Émile\n"
        ).encode()
        whole = read_file(content, "a.csv")
        result, chunks = self._stream(content, "a.csv", 2)
        self.assertEqual([len(lines) for lines, __, __ in chunks], [2, 2, 1])
        self.assertEqual([n for lines, __, __ in chunks for n in lines], whole.line_numbers)
        self.assertEqual([row for __, rows, __ in chunks for row in rows], list(whole.rows))
        self.assertEqual(result.row_count, 5)
        self.assertEqual((len(result.rows), result.line_numbers), (0, []))
        self.assertEqual(result.errors, whole.errors)
        # the error of line 3 is known when the chunk holding line 3 is handed over
        self.assertEqual(chunks[0][2], 1)

    def test_max_rows_counts_every_chunk(self):
        content = b"email\n" + b"".join(b"p%d@example.fr\n" % i for i in range(7))
        result, chunks = self._stream(content, "a.csv", 3)
        self.assertEqual(result.row_count, 7)
        chunks.clear()
        result = read_file(content, "a.csv", max_rows=4, sink=lambda r: chunks.append(1), chunk=3)
        self.assertEqual((result.row_count, result.truncated, len(chunks)), (4, True, 2))

    def test_utf16_and_cp1252_files_stream_as_they_read_whole(self):
        text = "email;nom\nx@example.fr;Lefèvre €\ny@example.fr;Zoë\n"
        for content in (text.encode("utf-16"), text.encode("cp1252"), text.encode("utf-8-sig")):
            with self.subTest(content=content[:4]):
                whole = read_file(content, "a.csv")
                result, chunks = self._stream(content, "a.csv", 1)
                self.assertEqual([row for __, rows, __ in chunks for row in rows], list(whole.rows))
                self.assertEqual(result.encoding, whole.encoding)

    def test_xlsx_and_sqlite_stream(self):
        def build(workbook):
            sheet = workbook.active
            sheet.append(["email", "name"])
            for index in range(5):
                sheet.append([f"p{index}@example.fr", f"P{index}"])

        content = _xlsx(build)
        result, chunks = self._stream(content, "a.xlsx", 2)
        self.assertEqual((result.row_count, len(chunks)), (5, 3))
        whole = list(read_file(content, "a.xlsx").rows)
        self.assertEqual([row for __, rows, __ in chunks for row in rows], whole)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "a.db"
            connection = sqlite3.connect(path)
            connection.execute("CREATE TABLE t (email TEXT)")
            connection.executemany("INSERT INTO t VALUES (?)", [(f"p{i}@x.fr",) for i in range(3)])
            connection.commit()
            connection.close()
            content = path.read_bytes()
        result, chunks = self._stream(content, "a.db", 2)
        self.assertEqual((result.row_count, len(chunks)), (3, 2))
