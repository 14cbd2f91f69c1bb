"""``odoo-bin hygiene import``: the same engine as the screens, from the command line."""

import io
import os
import tempfile

from odoo.tests import tagged

from ..cli.hygiene import Hygiene, run_import
from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestImportCommandLine(HygieneCommon):
    def _file(self, text, suffix=".csv"):
        handle = tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False)
        with handle:
            handle.write(text.encode("utf-8"))
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_stage_then_commit_with_progress(self):
        path = self._file(
            "Prénom;Nom;Courriel\nAlice;Durand;alice.durand@example.fr\n"
            "Jeanne;Lefèvre;jeanne.lefevre@example.fr\n"
        )
        out = io.StringIO()
        batch = run_import(self.env, path, "shop", out=out, commit_cr=False)
        self.assertEqual(batch.state, "staged")
        self.assertIn("2 rows read", out.getvalue())
        self.assertIn("2/2 lines normalised", out.getvalue())
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "alice.durand@example.fr")])
        )
        batch = run_import(self.env, path, "shop", commit=True, out=out, commit_cr=False)
        self.assertEqual(batch.state, "done")
        self.assertIn("committed", out.getvalue())
        alice = self.env["res.partner"].search([("email", "=", "alice.durand@example.fr")])
        self.assertEqual(alice.hygiene_source_id, self.source_shop)

    def test_preset_and_refusals(self):
        path = self._file("Email,Unsubscribed At\nmarc.dubois@example.fr,2024-01-01\n")
        out = io.StringIO()
        batch = run_import(
            self.env, path, "emailing", preset="emailing_unsubscribes", out=out, commit_cr=False
        )
        self.assertEqual(batch.kind, "unsubscribe")
        self.assertEqual(batch.line_ids.decision, "update")
        self.assertIsNone(run_import(self.env, path, "no_such_source", out=out))
        self.assertIsNone(run_import(self.env, path, "shop", preset="nope", out=out))
        empty = self._file("")
        self.assertIsNone(run_import(self.env, empty, "shop", out=out))
        self.assertIn("refused: ", out.getvalue())

    def test_help(self):
        parser = Hygiene()._parser()
        help_text = parser._subparsers._group_actions[0].choices["import"].format_help()
        for option in ("--source", "--preset", "--dry-run", "--commit", "--sheet"):
            self.assertIn(option, help_text)
