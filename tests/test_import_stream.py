"""The import reads and stages its file in a stream (issue 13 §5): chunk by chunk, the same lines
as a whole read; the checks of the whole file still refuse it; no row cap on the command line."""

import base64
import io
import os
import tempfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..cli.hygiene import run_import
from ..models import hygiene_import_batch, hygiene_import_reading
from .common import HygieneCommon

HEADER = "Prénom;Nom;Courriel;Date de naissance\n"
ROWS = (
    "Anne;Petit;anne.petit@example.fr;13/01/1980\n"
    "Luc;Roux;luc.roux@example.fr;05/05/1981;trop\n"  # an extra cell: an error on the row
    "Eva;Blanc;eva blanc@example.fr;\n"  # an invalid email
    "Jean;Moreau;jean.moreau@example.fr;02/03/1979\n"
    'Zoé;Faure;"zoe.faure@example.fr;01/01/1990\n'  # broken quoting: the rest is one cell
)


@tagged("post_install", "-at_install")
class TestImportStream(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["hygiene.import.batch"].with_user(cls.user_steward)

    def _staged(self, text):
        batch = self.Batch.create(
            {
                "raw_file": base64.b64encode(text.encode()),
                "raw_filename": "clients.csv",
                "source_id": self.source_shop.id,
            }
        )
        batch.action_read_file()
        batch.action_stage()
        return batch

    def _lines(self, batch):
        return [
            (line.line_number, line.raw_values, line.errors, line.error_kind, line.decision)
            for line in batch.line_ids.sorted("id")
        ]

    def test_staged_chunk_by_chunk_as_read_whole(self):
        whole = self._staged(HEADER + ROWS)
        for chunk in (1, 2, 3):
            with (
                self.subTest(chunk=chunk),
                patch.object(hygiene_import_reading, "READ_CHUNK", chunk),
            ):
                batch = self._staged(HEADER + ROWS)
                self.assertEqual(self._lines(batch), self._lines(whole))
                self.assertEqual(batch.line_count, whole.line_count)
                self.assertEqual(
                    batch.mapping_ids.mapped("sample"), whole.mapping_ids.mapped("sample")
                )
        self.assertEqual(whole.line_count, 5)
        self.assertIn("extra cells ignored", self._lines(whole)[1][2])

    def test_whole_file_checks_refuse_across_chunks(self):
        # the day-first proof in the first chunk, the month-first one in the last
        text = HEADER + ROWS.replace("02/03/1979", "03/13/1979")
        with (
            patch.object(hygiene_import_reading, "READ_CHUNK", 1),
            self.assertRaisesRegex(UserError, r"mixes two date orders.*line 2.*line 5"),
        ):
            self._staged(text)
        batch = self.Batch.search([], limit=1)
        self.assertEqual(batch.state, "draft")
        self.assertFalse(batch.line_ids, "the lines inserted before the refusal are taken back")

    def test_command_line_has_no_row_cap(self):
        handle = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)
        with handle:
            handle.write((HEADER + ROWS).encode())
        self.addCleanup(os.unlink, handle.name)
        with patch.object(hygiene_import_batch, "DEFAULT_MAX_ROWS", 2):
            with self.assertRaisesRegex(UserError, "more than 2 rows"):
                self._staged(HEADER + ROWS)  # the screens keep the cap
            batch = run_import(self.env, handle.name, "shop", out=io.StringIO(), commit_cr=False)
        self.assertEqual(batch.state, "staged")
        self.assertEqual(batch.line_count, 5)
        self.assertEqual(len(batch.line_ids), 5)

    def test_uploaded_file_not_indexed(self):
        batch = self._staged(HEADER + ROWS)
        batch.write({"raw_file": base64.b64encode((HEADER + ROWS).encode("utf-8-sig"))})
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", batch._name),
                ("res_field", "=", "raw_file"),
                ("res_id", "=", batch.id),
            ]
        )
        self.assertEqual(len(attachment), 1)
        self.assertNotIn("anne.petit", attachment.index_content or "")
        self.assertEqual(batch._content(), (HEADER + ROWS).encode("utf-8-sig"))
        # other text attachments are still indexed
        other = self.env["ir.attachment"].create({"name": "a.txt", "raw": b"hello world text"})
        self.assertIn("hello", other.index_content)
