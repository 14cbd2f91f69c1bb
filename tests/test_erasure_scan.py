"""The scan of the end-to-end erasure test can fail (issue 15): a marker planted in a table no
model declares, in each column type, or in a file of the filestore is found."""

import os
import secrets
import zlib

from odoo.tests import tagged
from odoo.tools import SQL

from .common import HygieneCommon
from .erasure_scan import ErasureScanMixin


@tagged("post_install", "-at_install")
class TestErasureScan(ErasureScanMixin, HygieneCommon):
    """The scan of the end-to-end test can fail: a marker planted anywhere is found."""

    def test_the_scan_finds_a_marker_planted_anywhere(self):
        marker = f"Zq{secrets.token_hex(6)}Marker"
        cr = self.env.cr
        # A table no model declares, without an id, with one column of each type scanned.
        cr.execute(
            """
            CREATE TABLE hygiene_scan_probe (
                note text, label varchar, code char(40), doc jsonb, raw json, data bytea,
                tags varchar[]
            )
            """
        )
        values = {
            "note": f"a note on {marker}",
            "label": marker.lower(),
            "code": marker.upper(),
            "doc": f'{{"en_US": "{marker}"}}',
            "raw": f'["{marker}"]',
            "data": marker.upper().encode(),
            "tags": ["other", marker],
        }
        for column, value in values.items():
            cr.execute(
                SQL(
                    "INSERT INTO hygiene_scan_probe (%s) VALUES (%s)", SQL.identifier(column), value
                )
            )
        self.env["ir.config_parameter"].sudo().set_param("hygiene.scan.probe", marker)
        # A plain file and a compressed PDF stream in the filestore.
        Attachment = self.env["ir.attachment"]
        root = Attachment._filestore()
        os.makedirs(os.path.join(root, "zz"), exist_ok=True)
        planted = {
            "zz/hygiene-probe-plain": f"x {marker} x".encode(),
            "zz/hygiene-probe-pdf": b"%PDF-1.4\n1 0 obj\nstream\n"
            + zlib.compress(f"BT ({marker}) Tj ET".encode())
            + b"\nendstream\n",
        }
        for name, content in planted.items():
            path = os.path.join(root, name)
            with open(path, "wb") as handle:
                handle.write(content)
            self.addCleanup(os.remove, path)

        found = self._scan_tables([marker])
        expected = {("hygiene_scan_probe", column) for column in values}
        expected.add(("ir_config_parameter", "value"))
        self.assertEqual(set(found), expected)
        self.assertEqual(len(found[("hygiene_scan_probe", "note")]), 1, "keyed by a row hash")
        self.assertEqual(self._scan_files([marker]), set(planted))
        self.assertEqual(self._scan_tables([f"Zq{secrets.token_hex(6)}None"]), {})
