import csv
import io
import os
import subprocess
import sys
import tempfile

import odoo
from odoo.tests import tagged
from odoo.tools import config

from ..cli.hygiene import Hygiene, run_dedup, run_keys, run_merge, run_stats
from ..tools.export import safe_cell
from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestCommandLine(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        common = {"zip": "44000", "city": "Nantes", "street": "3 rue Crébillon"}
        cls.first = Partner.create(
            {"name": "Gwenaëlle Kerbrat", "email": "gwen.kerbrat@orange.fr", **common}
        )
        cls.second = Partner.create(
            {"name": "KERBRAT Gwenaelle", "email": "Gwen.Kerbrat@orange.fr", **common}
        )
        cls.env["hygiene.partner.origin"].create(
            {
                "partner_id": cls.second.id,
                "source_id": cls.source_shop.id,
                "source_ref": '=HYPERLINK("http://evil")',
            }
        )

    def test_dedup_exports_one_safe_row_per_grouped_partner(self):
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "groups.csv")
            stats = run_dedup(self.env, export=path, out=out)
            with open(path, encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        self.assertGreaterEqual(stats["groups"], 1)
        ours = [row for row in rows if int(row["partner_id"]) in (self.first | self.second).ids]
        self.assertEqual(len(ours), 2)
        self.assertEqual(ours[0]["group_id"], ours[1]["group_id"])
        self.assertEqual({row["source_ref"] for row in ours}, {"", '\'=HYPERLINK("http://evil")'})
        self.assertIn("groups to review", out.getvalue())

    def test_merge_dry_run_then_merge(self):
        run_dedup(self.env, out=io.StringIO())
        out = io.StringIO()
        stats = run_merge(self.env, 0.9, dry_run=True, out=out, commit=False)
        self.assertGreaterEqual(stats["groups"], 1)
        self.assertTrue(self.first.active and self.second.active, "a dry run changes nothing")
        self.assertIn("dry run", out.getvalue())
        stats = run_merge(self.env, 0.9, out=out, commit=False)
        self.assertGreaterEqual(stats["merged"], 1)
        self.assertEqual(len((self.first | self.second).filtered("active")), 1)
        self.assertIn("groups merged", out.getvalue())

    def test_keys_and_stats(self):
        out = io.StringIO()
        self.assertGreaterEqual(run_keys(self.env, out=out), 2)
        results = run_stats(self.env, out=out)
        self.assertGreaterEqual(results["active contacts"], 2)
        self.assertIn("suppression list entries", out.getvalue())

    def test_help_documents_every_option(self):
        help_text = Hygiene()._parser().format_help()
        for word in ("dedup", "merge", "keys", "stats", "--config", "--database"):
            self.assertIn(word, help_text)
        merge_help = Hygiene()._parser()._subparsers._group_actions[0].choices["merge"]
        for option in ("--min-score", "--dry-run", "--limit"):
            self.assertIn(option, merge_help.format_help())

    def test_odoo_bin_finds_the_command(self):
        """Odoo 18's discovery of addon commands, for real, in a separate process."""
        odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
        result = subprocess.run(
            [
                sys.executable,
                odoo_bin,
                f"--addons-path={config['addons_path']}",
                "hygiene",
                "--database=unused",
                "merge",
                "--help",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        for option in ("--min-score", "--dry-run", "--limit"):
            self.assertIn(option, result.stdout)

    def test_formula_cells_are_escaped(self):
        for value in ("=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"):
            self.assertEqual(safe_cell(value), "'" + value)
        self.assertEqual(safe_cell("Jean"), "Jean")
        self.assertEqual(safe_cell(12), 12)
