"""The import of legacy files: staging, matching, decisions, commit, evidence, bad input."""

import base64
import csv
import io
import json
import sqlite3
import tempfile
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..models import hygiene_import_batch
from .common import HygieneCommon

HEADER = "Prénom;Nom;Courriel;Portable;CP;Ville;N° client;Optin;Date optin;Adresse IP\n"


@tagged("post_install", "-at_install")
class TestImport(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["hygiene.import.batch"].with_user(cls.user_steward)
        cls.jeanne.write({"zip": "75011", "city": "Paris", "street": False})

    def _batch(self, content, filename="clients.csv", read=True, **values):
        if isinstance(content, str):
            content = content.encode("utf-8")
        batch = self.Batch.create(
            {
                "raw_file": base64.b64encode(content),
                "raw_filename": filename,
                "source_id": values.pop("source_id", self.source_shop.id),
                **values,
            }
        )
        if read:
            batch.action_read_file()
        return batch

    def _lines(self, batch):
        return {line.line_number: line for line in batch.line_ids}

    def _partners(self, email):
        return self.env["res.partner"].search([("email", "=ilike", email)])

    # ------------------------------------------------------------ main flow

    def test_stage_match_review_and_commit(self):
        suppressed = "erased.person@example.fr"
        self.env["hygiene.suppression"]._suppress("erasure", email=suppressed)
        csv_text = HEADER + (
            # 2: Jeanne again: other case, messy phone, a street the base lacks -> update
            "jeanne;lefevre;JEANNE.LEFEVRE@example.fr;06.12.34.56.78;75011;Paris;C1;;;\n"
            # 3: a new person -> create
            "Paul;Martin;paul.martin@example.org;07 81 22 33 44;69003;Lyon;C2;oui;"
            "12/03/2021 10:15;90.1.2.3\n"
            # 4: the same new person again -> merged into line 3
            "Paul;MARTIN;Paul.Martin@Example.org;;69003;Lyon;C3;;;\n"
            # 5: invalid email -> quarantine
            "Léa;Roux;lea roux@example.fr;;;;C4;;;\n"
            # 6: on the suppression list -> quarantine
            f"Eve;Effacée;{suppressed};;;;C5;;;\n"
            # 7: formula and HTML are data: stored unchanged
            '=HYPERLINK("x");<b>Gras</b>;formula@example.net;;;;C6;1;;\n'
        )
        batch = self._batch(csv_text)
        targets = {line.column: line.target for line in batch.mapping_ids}
        self.assertEqual(targets["Courriel"], "email")
        self.assertEqual(targets["Portable"], "mobile")
        self.assertEqual(targets["CP"], "zip")
        count = self.env["res.partner"].search_count([])
        batch.action_stage()
        self.assertEqual(batch.state, "staged")
        self.assertEqual(self.env["res.partner"].search_count([]), count, "staging writes nothing")
        lines = self._lines(batch)
        self.assertEqual(lines[2].decision, "update")
        self.assertEqual(lines[2].match_partner_id, self.jeanne)
        self.assertIn("same email", lines[2].reasons)
        self.assertEqual(lines[3].decision, "create")
        self.assertEqual(lines[4].decision, "merge")
        self.assertEqual(lines[4].match_line_id, lines[3])
        self.assertEqual((lines[5].decision, lines[5].decision_reason), ("quarantine", "invalid"))
        self.assertEqual(lines[5].error_kind, "invalid_email")
        self.assertEqual(lines[6].decision_reason, "suppressed")
        self.assertEqual(lines[7].decision, "create")

        batch.action_dry_run()
        self.assertIn("Contacts to create: 2", batch.dry_run_summary)
        self.assertIn("Contacts to update: 1", batch.dry_run_summary)
        self.assertIn("Quarantined: 2", batch.dry_run_summary)
        self.assertEqual(
            self.env["res.partner"].search_count([]), count, "a dry run writes nothing"
        )

        batch.action_commit()
        self.assertEqual(batch.state, "done")
        self.assertEqual(self.env["res.partner"].search_count([]), count + 2)
        paul = self._partners("paul.martin@example.org")
        self.assertEqual(len(paul), 1)
        self.assertEqual(paul.mobile and paul.hygiene_mobile_key, "+33781223344")
        self.assertEqual(lines[4].result_partner_id, paul)
        origins = paul.hygiene_origin_ids
        self.assertEqual(set(origins.mapped("source_ref")), {"C2", "C3"})
        self.assertEqual(origins.import_batch_id, batch)
        self.assertEqual(sorted(origins.mapped("import_line_number")), [3, 4])
        # the origins are inserted set-based: same stored values as through the ORM
        self.assertEqual(set(origins.mapped("channel_type")), {batch.source_id.channel_type})
        self.assertEqual(origins.company_id, paul.company_id)
        self.assertEqual(set(origins.mapped("note")), {"clients.csv:3", "clients.csv:4"})
        self.assertEqual(paul.hygiene_first_origin_id, origins.sorted("id")[0])
        self.assertEqual(paul.hygiene_source_id, batch.source_id)
        self.assertEqual(paul.hygiene_collected_date, paul.hygiene_first_origin_id.collected_date)
        self.assertEqual(self._state(paul), "granted")
        event = paul.hygiene_consent_ids
        self.assertEqual(event.event_date, fields.Datetime.to_datetime("2021-03-12 10:15:00"))
        self.assertEqual(event.sudo().ip_address, "90.1.2.3")
        self.assertEqual(event.sudo().source_ref, "clients.csv:3")
        # Jeanne: updated, her values kept, provenance added, nothing erased
        self.assertEqual(self.jeanne.email, "Jeanne.Lefevre@Example.fr")
        self.assertEqual(self.jeanne.hygiene_origin_ids.source_ref, "C1")
        # filled from the file, and her matching keys follow (refreshed once per chunk)
        self.assertEqual((self.jeanne.mobile, self.jeanne.zip), ("+33612345678", "75011"))
        self.assertEqual(self.jeanne.hygiene_mobile_key, "+33612345678")
        formula = self._partners("formula@example.net")
        self.assertEqual(formula.name, '=HYPERLINK("x") <b>Gras</b>')
        self.assertEqual(self._state(formula), "unproven", "an opt-in without a date is unproven")
        self.assertFalse(self._partners(suppressed))
        self.assertFalse(paul.hygiene_last_activity_date, "an import is not an activity")

        rejected = batch._rejected_csv().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(rejected)))
        line, errors = rows[0].index("Line in the File"), rows[0].index("Errors")
        self.assertEqual([row[line] for row in rows[1:]], ["5", "6"])
        self.assertIn("Invalid email", rows[1][errors])

    def test_update_never_empties_and_lists_conflicts(self):
        self.jeanne.write({"city": "Paris", "street": "1 rue de la Paix"})
        batch = self._batch(
            "email;ville;adresse;téléphone\nJeanne.Lefevre@example.fr;Lyon;;\n",
        )
        batch.action_stage()
        line = batch.line_ids
        self.assertEqual(line.decision, "update")
        batch.action_commit()
        self.assertEqual(self.jeanne.street, "1 rue de la Paix", "never emptied")
        self.assertEqual(self.jeanne.city, "Paris", "most recent rule: the contact keeps it")
        self.assertIn("Lyon", line.conflicts)
        # source priority: a source trusted more than the contact's first one wins
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.merge_survivorship", "source_priority"
        )
        trusted = self.env["hygiene.source"].create(
            {"name": "CRM", "code": "crm_test", "priority": 99}
        )
        batch = self._batch("email;ville\nJeanne.Lefevre@example.fr;Lyon\n", source_id=trusted.id)
        batch.action_stage()
        batch.action_commit()
        self.assertEqual(self.jeanne.city, "Lyon")

    def test_same_file_twice_creates_nothing_the_second_time(self):
        content = "Nom;Email;Id\nAnne Bise;anne.bise@example.fr;A1\nBob Ponge;bob@example.fr;A2\n"
        first = self._batch(content)
        first.action_stage()
        first.action_commit()
        count = self.env["res.partner"].search_count([])
        second = self._batch(content)
        self.assertIn("already imported", second.message)
        second.action_stage()
        self.assertEqual(set(second.line_ids.mapped("decision")), {"update"})
        second.action_commit()
        self.assertEqual(self.env["res.partner"].search_count([]), count)
        anne = self._partners("anne.bise@example.fr")
        self.assertEqual(len(anne.hygiene_origin_ids), 1, "no second identical origin")

    def test_customer_number_of_the_source_finds_the_contact(self):
        """A later export of the same shop: the customer changed email, the account number is
        the same, so it is an update of that contact, not a new one. Name and email both
        changed: the steward is asked, with the contact proposed."""
        first = self._batch("Nom;Email;N° client\nAnne Bise;anne.bise@example.fr;A1\n")
        first.action_stage()
        first.action_commit()
        anne = self._partners("anne.bise@example.fr")
        later = self._batch(
            "Nom;Email;N° client\nAnne Bise;anne.b@example.org;A1\n"
            "Anne Lavigne;anne.l@example.org;A1\n"
        )
        later.action_stage()
        moved, renamed = later.line_ids.sorted("line_number")
        self.assertEqual((moved.decision, moved.match_partner_id), ("update", anne))
        self.assertIn("same customer number", moved.reasons)
        self.assertEqual(renamed.decision, "quarantine")
        self.assertIn(anne, renamed.match_partner_id | moved.match_partner_id)
        # the same number from another system is another customer's
        fair = self._batch(
            "Nom;Email;N° client\nAnne Lavigne;anne.l@example.org;A1\n",
            source_id=self.source_fair.id,
        )
        fair.action_stage()
        self.assertEqual(fair.line_ids.decision, "create")

    def test_steward_changes_decisions(self):
        batch = self._batch("Nom;Email\nAnne Bise;anne.bise@example.fr\nBad;not-an-email\n")
        batch.action_stage()
        lines = self._lines(batch)
        lines[2].action_set_skip()
        self.assertEqual(lines[2].decision_reason, "manual")
        with self.assertRaisesRegex(UserError, "matches no contact"):
            lines[3].action_set_update()
        lines[3].action_set_create()
        batch.action_commit()
        self.assertFalse(self._partners("anne.bise@example.fr"))
        created = lines[3].result_partner_id
        self.assertEqual(created.name, "Bad")
        self.assertFalse(created.email, "an invalid email is never written")
        with self.assertRaisesRegex(UserError, "cannot change"):
            lines[2].action_set_create()

    # ------------------------------------------------------------ consent and activity

    def test_withdrawal_wins_over_a_grant_of_another_file(self):
        # SMS offers: a withdrawal that does not put the person on the suppression list
        self._consent(
            self.jeanne, "withdraw", purpose=self.purpose_sms, event_date="2022-01-01 00:00:00"
        )
        batch = self._batch(
            "email;optin;date optin\nJeanne.Lefevre@example.fr;1;2023-05-01\n",
            purpose_id=self.purpose_sms.id,
        )
        batch.action_stage()
        self.assertEqual(batch.line_ids.decision, "update")
        batch.action_commit()
        self.assertEqual(self._state(self.jeanne, self.purpose_sms), "withdrawn")
        self.assertIn("withdrew", batch.line_ids.decision_note)

    def test_objector_row_quarantined_as_suppressed(self):
        self._consent(self.jeanne, "withdraw")  # newsletter: objection, suppression list
        batch = self._batch("email;nom\nJeanne.Lefevre@example.fr;Jeanne Lefèvre\n")
        batch.action_stage()
        self.assertEqual(batch.line_ids.decision_reason, "suppressed")

    def test_unsubscribe_list_withdraws_and_never_creates(self):
        self._consent(self.marc, "grant", event_date="2024-01-01 00:00:00")
        count = self.env["res.partner"].search_count([])
        batch = self._batch(
            "Email,Unsubscribed At\n"
            "marc.dubois@example.fr,2023-01-01\nnobody@example.fr,2023-01-02\n",
            filename="unsubscribes.csv",
            preset_id=self.env.ref("partner_data_hygiene.preset_emailing_unsubscribes").id,
            kind="unsubscribe",
        )
        batch.action_stage()
        lines = self._lines(batch)
        self.assertEqual(lines[2].decision, "update")
        self.assertEqual((lines[3].decision, lines[3].decision_reason), ("skip", "no_contact"))
        with self.assertRaisesRegex(UserError, "never creates"):
            lines[3].action_set_create()
        batch.action_commit()
        self.assertEqual(self.env["res.partner"].search_count([]), count)
        # the file's date is older than the grant: the withdrawal still wins
        self.assertEqual(self._state(self.marc), "withdrawn")
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "marc.dubois@example.fr")])
        )
        self.assertTrue(
            self.env["hygiene.suppression"]._is_suppressed(email="nobody@example.fr"),
            "an unsubscribe of an unknown person is kept on the suppression list",
        )

    def test_hard_bounce_list_flags_the_email(self):
        count = self.env["res.partner"].search_count([])
        batch = self._batch(
            "Email;Bounced At\nmarc.dubois@example.fr;2024-01-01\nghost@example.fr;2024-01-01\n",
            kind="bounce",
        )
        batch.action_stage()
        batch.action_commit()
        self.assertTrue(self.marc.hygiene_email_bounced)
        self.assertFalse(self.jeanne.hygiene_email_bounced)
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_historical_activity_with_its_source(self):
        batch = self._batch(
            "email;date dernière commande\nmarc.dubois@example.fr;15/06/2024\n",
        )
        # on a contact already in the base, an activity date of a file is a privacy officer's
        # import (it moves the retention clock); a steward's file leaves it out
        batch = batch.with_user(self.user_officer)
        batch.action_stage()
        batch.action_commit()
        self.assertEqual(
            self.marc.hygiene_last_activity_date, fields.Datetime.to_datetime("2024-06-15")
        )
        self.assertEqual(self.marc.hygiene_last_activity_source, "sale_order")

    def test_consent_evidence_reserved_to_officers(self):
        batch = self._batch("email;optin;date optin;ip\nnew@example.fr;1;2024-01-01;1.2.3.4\n")
        batch.action_stage()
        line = batch.line_ids
        self.assertNotIn("1.2.3.4", line.raw_values)
        with self.assertRaises(AccessError):
            line.with_user(self.user_steward).read(["consent_raw"])
        self.assertIn("1.2.3.4", line.with_user(self.user_officer).consent_raw)
        with self.assertRaises(AccessError):
            self.env["hygiene.import.batch"].with_user(self.user_hygiene).search([])

    # ------------------------------------------------------------ bad input catalogue

    def test_whole_file_refused_with_a_clear_message(self):
        cases = [
            (b"", "x.csv", "Upload the file"),
            (b"email;name\n", "x.csv", "0 rows"),
            (bytes(range(256)) * 40, "x.csv", "not a text"),
            (b"PK\x03\x04garbage", "x.xlsx", "not a valid Excel"),
            (b"id,name\n1,x\n", "x.sqlite", "not an SQLite"),
            (b"42", "x.json", "neither an array"),
            (b"[1, 2]", "x.json", "neither an array"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xlsx", "encrypted"),
        ]
        for content, filename, message in cases:
            with self.subTest(filename=filename, message=message):
                batch = self._batch(content, filename=filename, read=False)
                with self.assertRaisesRegex(UserError, message):
                    batch.action_read_file()
                self.assertFalse(batch.line_ids)
        batch = self._batch(b"name\nx\n", read=False)
        with patch.object(hygiene_import_batch, "DEFAULT_MAX_ROWS", 0):
            with self.assertRaisesRegex(UserError, "more than 0 rows"):
                batch.action_read_file()

    def test_rows_quarantined_with_line_and_reason(self):
        content = (
            "nom;email;téléphone;date de naissance\n"
            "Ok Person;ok@example.fr;0612345678;01/02/1980\n"
            "Ragged;ragged@example.fr\n"
            "Two At;a@@example.fr;;\n"
            "Letters;letters@example.fr;06 CALL ME;\n"
            "Feb;feb@example.fr;;31/02/1980\n"
            "Future;future@example.fr;;01/01/2099\n"
            ";;;\n"
            "Nobody;;;\n"
            ";;06 CALL ME;\n"
        )
        batch = self._batch(content)
        batch.action_stage()
        lines = self._lines(batch)
        expected = {
            2: ("create", None),
            3: ("quarantine", "unreadable"),
            4: ("quarantine", "invalid_email"),
            5: ("create", None),  # the invalid phone is dropped: name and email remain
            6: ("quarantine", "invalid_date"),
            7: ("quarantine", "invalid_date"),
            9: ("create", None),
            10: ("quarantine", "invalid_phone"),  # nothing but an invalid phone
        }
        for number, (decision, kind) in expected.items():
            with self.subTest(line=number):
                self.assertEqual(lines[number].decision, decision)
                self.assertEqual(lines[number].error_kind or None, kind)
        self.assertIn("2 cells", lines[3].errors)
        self.assertIn("Phone ignored: invalid (06 CALL ME)", lines[5].warnings)
        self.assertIn("06 CALL ME", lines[5].raw_values)
        self.assertIn("06 CALL ME", lines[10].errors)
        batch.action_commit()
        self.assertEqual(len(batch.line_ids.result_partner_id), 3)
        letters = lines[5].result_partner_id
        self.assertEqual(letters.email, "letters@example.fr")
        self.assertFalse(letters.phone)
        self.assertFalse(lines[10].result_partner_id)

    def test_mixed_encodings_stored_without_mojibake(self):
        content = "nom;email\nRené Lévêque;rene@example.fr\n".encode() + (
            "Hélène Noël;helene@example.fr\n".encode("cp1252")
        )
        batch = self._batch(content)
        batch.action_stage()
        lines = self._lines(batch)
        self.assertEqual(lines[3].decision_reason, "unreadable")
        self.assertIn("Hélène Noël", lines[3].raw_values.encode().decode("utf-8"))
        self.assertNotIn("Ã", lines[2].raw_values + lines[3].raw_values)

    def test_json_xlsx_and_sqlite_sources(self):
        rows = [{"email": "json1@example.fr", "nom": "Jason Un"}]
        batch = self._batch(json.dumps(rows), filename="contacts.json")
        batch.action_stage()
        self.assertEqual(batch.line_ids.decision, "create")
        with tempfile.NamedTemporaryFile(suffix=".sqlite") as handle:
            connection = sqlite3.connect(handle.name)
            connection.execute('CREATE TABLE "clients fidélité" (nom TEXT, courriel TEXT)')
            connection.execute("CREATE TABLE autre (x TEXT)")
            connection.execute(
                "INSERT INTO \"clients fidélité\" VALUES ('Sam Lite', 'sam@example.fr')"
            )
            connection.commit()
            connection.close()
            with open(handle.name, "rb") as db:
                content = db.read()
        batch = self._batch(content, filename="scratch.db", read=False)
        batch.action_read_file()  # the first table is empty: the steward picks another one
        self.assertFalse(batch.mapping_ids)
        self.assertIn("no data rows", batch.message)
        self.assertEqual(batch.sheet_ids.mapped("name"), ["autre", "clients fidélité"])
        with Form(batch) as form:
            form.sheet_id = batch.sheet_ids[1]
        self.assertEqual(batch.sheet, "clients fidélité")
        batch.action_read_file()
        self.assertIn("autre", batch.available_sheets)
        self.assertEqual(batch.sheet_id.name, "clients fidélité")
        batch.action_stage()
        self.assertEqual(batch.line_ids.display_label, "Sam Lite")

    def test_file_name_sanitised(self):
        batch = self._batch(
            "nom;email\nA;a@example.fr\n", filename="../../etc/\u202epasswd\x00.csv"
        )
        self.assertEqual(batch.name, "passwd.csv")

    # ------------------------------------------------------------ background and retention

    def test_big_file_in_background_chunks_resumable(self):
        rows = "".join(f"Person {i};person{i}@example.fr\n" for i in range(7))
        with (
            patch.object(hygiene_import_batch, "SYNC_LIMIT", 2),
            patch.object(hygiene_import_batch, "STAGE_CHUNK", 3),
            patch.object(hygiene_import_batch, "COMMIT_CHUNK", 3),
        ):
            batch = self._batch("nom;email\n" + rows)
            batch.action_stage()
            self.assertEqual(batch.state, "staging")
            self.assertEqual(set(batch.line_ids.mapped("state")), {"new"})
            Batch = self.env["hygiene.import.batch"]
            Batch._cron_process()
            self.assertEqual(batch.line_ids.mapped("state").count("normalised"), 3)
            for __ in range(5):
                Batch._cron_process()
            self.assertEqual(batch.state, "staged")
            batch.action_commit()
            self.assertEqual(batch.state, "committing")
            Batch._cron_process()  # one chunk, as if the server stopped here
            self.assertEqual(batch.line_ids.mapped("state").count("done"), 3)
            for __ in range(5):
                Batch._cron_process()
        self.assertEqual(batch.state, "done")
        self.assertEqual(len(batch.line_ids.result_partner_id), 7)

    def test_raw_file_deleted_after_retention(self):
        batch = self._batch("nom;email\nA;a@example.fr\n")
        self.assertEqual(batch.raw_deletion_date, fields.Date.today() + timedelta(days=30))
        self.env["hygiene.import.batch"]._cron_delete_raw_files()
        self.assertTrue(batch.sudo().raw_file)
        batch.sudo().raw_deletion_date = fields.Date.today()
        self.env["hygiene.import.batch"]._cron_delete_raw_files()
        self.assertFalse(batch.sudo().raw_file)
        self.assertFalse(
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", batch._name), ("res_id", "=", batch.id)])
        )

    def test_form_flow_and_preset_saved(self):
        with Form(self.Batch) as form:
            form.raw_file = base64.b64encode(b"E-mail;Nom\nform@example.fr;Form User\n")
            form.preset_id = self.env.ref("partner_data_hygiene.preset_loyalty")
            self.assertEqual(form.source_id, self.env.ref("partner_data_hygiene.source_loyalty"))
        batch = form.record
        batch.raw_filename = "form.csv"
        batch.action_read_file()
        self.assertEqual(batch.name, "form.csv")
        targets = {line.column: line.target for line in batch.mapping_ids}
        self.assertEqual(targets, {"E-mail": False, "Nom": "lastname"})
        batch.mapping_ids.filtered(lambda line: line.column == "E-mail").target = "email"
        batch.action_save_preset()
        self.assertEqual(batch.preset_id.mapping_ids.mapped("target"), ["email", "lastname"])
        batch.action_stage()
        self.assertEqual(batch.count_create, 1)
        self.assertIn("1 rows", batch.report)

    def test_a_row_country_is_the_region_of_its_phones(self):
        """A row of another country (its own country column, a code or a name) has its
        national numbers read in that country, not the import's: a Swiss 044 number is not a
        French landline, a Belgian 0470 mobile not a Lyon number. Rows without one keep the
        import's region."""
        batch = self._batch(
            "email;nom;téléphone;portable;pays\n"
            "be.row@example.org;Belge;02 511 11 11;0470 12 34 56;BE\n"
            "ch.row@example.org;Suisse;044 668 18 00;;Switzerland\n"
            "fr.row@example.org;Français;01 45 67 89 10;0470 12 34 56;\n"
        )
        batch.action_stage()
        batch.action_commit()
        expected = {
            "be.row@example.org": ("+3225111111", "+32470123456", "BE"),
            "ch.row@example.org": ("+41446681800", False, "CH"),
            "fr.row@example.org": ("+33145678910", "+33470123456", "FR"),
        }
        for email, (phone, mobile, country) in expected.items():
            partner = self._partners(email)
            with self.subTest(email=email):
                self.assertEqual((partner.phone, partner.mobile), (phone, mobile))
                self.assertEqual(partner.country_id.code, country)
                self.assertEqual(partner.phone_sanitized, mobile or phone)
