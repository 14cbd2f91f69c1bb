"""The screens as a steward, a privacy officer and a sales user live them (issue 14): buttons
called the way the web client calls them, feedback after each step, nothing dropped silently."""

import base64
import csv
import io
import re
from pathlib import Path

import polib
from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.tests import Form, HttpCase, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import HygieneCommon

VALVE = "partner_data_hygiene.retention_safety_valve_percent"


@tagged("post_install", "-at_install")
class TestListHeaderButtons(HttpCase):
    """Buttons of list headers are called by the web client with the selected ids (an empty
    list when the button is shown without a selection): through /web/dataset/call_button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from odoo.addons.mail.tests.common import mail_new_test_user

        cls.steward = mail_new_test_user(
            cls.env,
            login="scr_steward",
            groups="base.group_user,base.group_partner_manager,"
            "partner_data_hygiene.group_hygiene_steward",
        )
        Partner = cls.env["res.partner"]
        Partner.create({"name": "Claire Fontaine", "email": "claire.fontaine@example.fr"})
        Partner.create({"name": "Claire Fontaine", "email": "Claire.Fontaine@example.fr"})

    def _call_button(self, model, method, ids):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": {}}},
        )

    def test_scan_now_without_selection(self):
        self.authenticate("scr_steward", "scr_steward")
        action = self._call_button("hygiene.duplicate.group", "action_scan", [])
        self.assertEqual(action["params"]["type"], "success")
        groups = self.env["hygiene.duplicate.group"].search([("state", "=", "pending")])
        self.assertTrue(groups, "the scan found the two Claire Fontaine")

    def test_scan_now_with_a_selection(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        self.authenticate("scr_steward", "scr_steward")
        action = self._call_button("hygiene.duplicate.group", "action_scan", Group.search([]).ids)
        self.assertEqual(action["params"]["type"], "success")


@tagged("post_install", "-at_install")
class TestScreens(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.claire = Partner.create(
            {"name": "Claire Fontaine", "email": "claire.fontaine@example.fr", "zip": "75011"}
        )
        cls.claire_twin = Partner.create(
            {"name": "Claire Fontaine", "email": "Claire.Fontaine@example.fr", "zip": "75011"}
        )

    def _group_of(self, partner):
        return self.env["hygiene.duplicate.group"].search(
            [("partner_ids", "in", partner.ids)], limit=1
        )

    def test_erase_leaves_the_form_of_a_deleted_contact(self):
        """Erase deletes a contact nothing references: the notification then opens the
        contacts, not a reload of a form whose record is gone (a client error)."""
        partner = self.env["res.partner"].create({"name": "Ernestine Effaçable"})
        action = partner.with_user(self.user_officer).action_hygiene_erase()
        self.assertFalse(partner.exists())
        following = action["params"]["next"]
        self.assertEqual((following["res_model"], following["target"]), ("res.partner", "main"))
        kept = self.env["res.partner"].create({"name": "Octave Anonymisable"})
        action = kept.with_user(self.user_officer).action_hygiene_anonymize()
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")

    def test_every_menu_shows_to_the_roles_its_groups_name(self):
        """A role sees every menu of the addon its groups (and its parents') allow: the web
        client also hides a menu whose action's model the user cannot read ("Unclassified
        Contacts" was hidden from the stewards, its server action being on the officers'
        preview)."""
        menus = self.env["ir.ui.menu"].search(
            [("id", "child_of", self.env.ref("partner_data_hygiene.menu_hygiene_root").id)]
        )
        menus = menus.filtered(lambda menu: menu.action)
        self.assertGreater(len(menus), 15)
        for user in (self.user_hygiene, self.user_steward, self.user_officer, self.user_manager):
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            for menu in menus:
                chain, node = menu, menu
                while node.parent_id:
                    node = node.parent_id
                    chain |= node
                allowed = all(not m.groups_id or m.groups_id & user.groups_id for m in chain)
                # the web client shows a menu when it and every parent are visible
                shown = all(m.id in visible for m in chain)
                self.assertEqual(shown, allowed, f"{menu.complete_name} for {user.login}")

    def test_compare_and_merge_says_what_it_did_then_opens_the_contact_kept(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        group = self._group_of(self.claire).with_user(self.user_steward)
        self.env["mail.message"].create(
            {"model": "res.partner", "res_id": self.claire_twin.id, "body": "Called back"}
        )
        action = group.action_compare_merge()
        wizard = self.env[action["res_model"]].with_user(self.user_steward).browse(action["res_id"])
        wizard.survivor_id = self.claire
        email = wizard.line_ids.filtered(lambda line: line.field_name == "email")
        email.keep_partner_id = self.claire_twin
        action = wizard.action_merge()
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn("1 contacts merged into Claire Fontaine: 1 values chosen", message)
        moved = re.search(r"(\d+) records moved", message)
        self.assertTrue(moved and int(moved.group(1)) >= 1, message)
        self.assertIn("Merge Journal", message, "the next step if it was a mistake")
        following = action["params"]["next"]
        self.assertEqual(
            (following["res_model"], following["res_id"]), ("res.partner", self.claire.id)
        )

    def test_reviewing_a_correction_says_what_it_did_and_reloads(self):
        """Accept/Reject on a line of a request's form: the lines kept their buttons (no
        reload) and a second click failed with "already reviewed"."""
        Details = self.env["hygiene.details.request"].sudo()
        request = Details.create(
            {
                "partner_id": self.claire.id,
                "expiry_date": fields.Datetime.now() + relativedelta(days=3),
            }
        )
        request._hygiene_answer({"street": "2 rue Neuve", "mobile": "06 11 22 33 55"})
        first, second = request.proposal_ids.with_user(self.user_steward)
        action = first.action_accept()
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self.assertIn("1 correction(s) accepted", action["params"]["message"])
        self.assertIn("1 left to review", action["params"]["message"])
        action = second.action_reject()
        self.assertIn("the contact is unchanged. 0 left", action["params"]["message"])
        self.assertEqual(request.state, "reviewed")

    def test_no_screen_shows_made_up_data_when_empty(self):
        """An empty graph or pivot (RFM before any order, unsubscribes before any mailing)
        showed Odoo's sample bars behind its help: made-up figures on a data-quality screen."""
        addon = Path(__file__).resolve().parent.parent
        for path in sorted(addon.glob("views/*.xml")):
            root = etree.parse(str(path)).getroot()
            self.assertFalse(root.xpath("//*[@sample='1']"), f"sample data in {path.name}")

    @users("hyg_steward")
    def test_undoing_a_merge_puts_its_group_back_to_review(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        group = self._group_of(self.claire)
        group.survivor_id = self.claire
        group.action_merge()
        self.assertEqual(group.state, "merged")
        journal = self.env["hygiene.merge.journal"].search([("survivor_id", "=", self.claire.id)])
        journal.action_undo()
        self.assertEqual(journal.state, "undone")
        self.assertEqual(group.state, "pending", "the pair is back to review, no scan needed")
        self.assertTrue(self.claire_twin.active)
        # and it can be merged again from the same group
        group.action_merge()
        self.assertEqual(group.state, "merged")
        self.assertFalse(self.claire_twin.active)


@tagged("post_install", "-at_install")
class TestImportScreens(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["hygiene.import.batch"].with_user(cls.user_steward)
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "ACME Industries", "is_company": True})
        cls.jean = Partner.create(
            {
                "name": "Jean Martin",
                "email": "jean.martin@acme.example.com",
                "parent_id": cls.acme.id,
            }
        )

    def _batch(self, content, filename="clients.csv", read=True, **values):
        batch = self.Batch.create(
            {
                "raw_file": base64.b64encode(content.encode("utf-8")),
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

    def test_update_never_fills_the_company_name_of_a_company_contact(self):
        batch = self._batch(
            "Nom;Courriel;Société;Ville\n"
            "Jean Martin;jean.martin@acme.example.com;acme industries;Lyon\n"
            "Jean Martin;jean.martin@acme.example.com;Other Corp;Lyon\n"
        )
        batch.action_stage()
        lines = self._lines(batch)
        self.assertEqual(lines[2].decision, "update")
        batch.action_commit()
        self.assertEqual(self.jean.city, "Lyon", "the rest of the row is written")
        self.assertFalse(self.jean.company_name, "the company link stays the only company")
        self.assertEqual(self.jean.parent_id, self.acme)
        self.assertFalse(lines[2].conflicts, "the same company, written in lower case")
        self.assertIn("ACME Industries", lines[3].conflicts)
        self.assertIn("Other Corp", lines[3].conflicts)

    def test_phone_country_comes_from_the_preset_and_dropped_phones_are_reported(self):
        self.env.company.country_id = self.env.ref("base.us")
        preset = self.env["hygiene.import.preset"].create(
            {
                "name": "French shop",
                "source_id": self.source_shop.id,
                "country_id": self.env.ref("base.fr").id,
            }
        )
        with Form(self.Batch) as form:
            self.assertEqual(form.country_id, self.env.ref("base.us"), "company's by default")
            form.preset_id = preset
            self.assertEqual(form.country_id, self.env.ref("base.fr"))
        values = self.Batch._preset_values(preset)  # the command line
        self.assertEqual(values["country_id"], self.env.ref("base.fr").id)
        batch = self._batch(
            "Nom;Courriel;Téléphone\n"
            "Anne Petit;anne.petit@example.fr;06 12 34 56 79\n"
            "Paul Durand;paul.durand@example.fr;12 34\n",
            **values,
        )
        batch.action_stage()
        lines = self._lines(batch)
        self.assertEqual(lines[2]._clean()["phone"], "+33612345679")
        self.assertNotIn("phone", lines[3]._clean())
        # the dropped value is in the report, with its line and why
        self.assertIn("Line 3: Phone ignored: invalid (12 34)", batch.report)
        self.assertNotIn("Line 2:", batch.report)

    def test_rejected_rows_can_be_corrected_and_imported_again(self):
        batch = self._batch(
            "Nom complet;Courriel;Optin;Date optin;Adresse IP\n"
            "Anne Petit;anne.petit@example.fr;oui;12/03/2021;90.1.2.3\n"
            "Paul Durand;paul durand@example.fr;oui;12/03/2021;90.1.2.4\n"
            "Léa Roux;lea.roux@example.fr;oui;12/03/2099;90.1.2.5\n"
            "=cmd;formula@example.fr;;;\n",
            filename="clients.csv",
        )
        batch.action_stage()
        # a steward's copy leaves out the proof of consent (security review L2): an officer's
        # copy keeps it, to import the corrected rows with their proof
        batch.action_download_rejected()
        self.assertNotIn("Adresse IP", read_csv(batch.rejected_file)[0])
        batch = batch.with_user(self.user_officer)
        action = batch.action_download_rejected()
        self.assertEqual(batch.rejected_filename, "rejected-clients.csv")
        self.assertTrue(action["url"].endswith("/rejected-clients.csv?download=true"))
        rows = read_csv(batch.rejected_file)
        header = rows[0]
        columns = ["Nom complet", "Courriel", "Optin", "Date optin", "Adresse IP"]
        self.assertEqual(header[:5], columns)
        by_line = {row[header.index("Line in the File")]: row for row in rows[1:]}
        self.assertEqual(sorted(by_line), ["3", "4"])
        self.assertEqual(
            by_line["3"][:5],
            ["Paul Durand", "paul durand@example.fr", "oui", "12/03/2021", "90.1.2.4"],
        )
        errors = by_line["4"][header.index("Errors")]
        self.assertIn("Date optin", errors, "the file's column, not the internal name")
        self.assertNotIn("optin_date", errors)
        # corrected, the file is imported again with the same columns
        by_line["3"][1] = "paul.durand@example.fr"
        by_line["4"][3] = "12/03/2023"
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, by_line["3"], by_line["4"]])
        again = self._batch(buffer.getvalue(), filename="rejected-clients.csv")
        targets = {m.column: m.target for m in again.mapping_ids}
        self.assertEqual(
            [targets[h] for h in header[:5]], ["name", "email", "optin", "optin_date", "optin_ip"]
        )
        self.assertFalse(any(targets[h] for h in header[5:]), "the added columns are ignored")
        again.action_stage()
        self.assertEqual(set(again.line_ids.mapped("decision")), {"create"})

    def test_rejected_rows_headers_are_formula_safe(self):
        batch = self._batch("Nom;=Courriel\nX;not an email\n")
        batch.action_stage()
        batch.action_download_rejected()
        self.assertEqual(read_csv(batch.rejected_file)[0][1], "'=Courriel")

    def test_conflicts_are_shown_during_review_and_the_new_email_in_the_report(self):
        self.jeanne.write({"zip": "75011", "city": "Paris"})
        batch = self._batch(
            "Nom complet;Courriel;Téléphone;CP;Ville\n"
            "Jeanne Lefèvre;jeanne.lefevre@nouveau.example.org;06 12 34 56 78;75011;Lyon\n"
        )
        batch.action_stage()
        line = batch.line_ids
        self.assertEqual(line.match_partner_id, self.jeanne)
        self.assertIn("jeanne.lefevre@nouveau.example.org", line.conflicts or "")
        self.assertIn("Lyon", line.conflicts)
        with_conflicts = self.env["hygiene.import.line"].search(
            [("batch_id", "=", batch.id), ("conflicts", "!=", False)]
        )
        self.assertEqual(with_conflicts, line, '"With Conflicts" lists it before the commit')
        if line.decision != "update":
            line.decision = "update"
        batch.action_commit()
        self.assertIn("Line 2: Email: contact", batch.report)
        self.assertIn("jeanne.lefevre@nouveau.example.org", batch.report)

    def test_the_line_form_opens_from_the_editable_list(self):
        arch = self.env["hygiene.import.line"].get_view(view_type="list")["arch"]
        self.assertIn('open_form_view="1"', arch)

    def test_each_step_says_what_it_did_in_numbers(self):
        batch = self._batch(
            "Nom complet;Courriel\n"
            "Anne Petit;anne.petit@example.fr\n"
            "Paul Durand;paul durand@example.fr\n"
            "Jeanne Lefèvre;jeanne.lefevre@example.fr\n"
        )
        action = batch.action_stage()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload", "the form reloads")
        message = action["params"]["message"]
        self.assertIn(
            "3 rows: 1 to create, 1 to update, 0 duplicates in the file, 1 quarantined", message
        )
        self.assertIn("To create: 1", batch.report)
        self.assertIn(
            "Quarantined (to review or to correct): 1\n  - Invalid values: 1\nSkipped: 0",
            batch.report,
            "each reason under its decision",
        )
        action = batch.action_dry_run()
        self.assertIn("nothing was written", action["params"]["title"])
        action = batch.action_commit_notify()
        self.assertIn(
            "1 contacts created, 1 updated, 0 rows merged into another row, 1 quarantined",
            action["params"]["message"],
        )
        self.assertEqual(batch.count_done, 2, "the quarantined row was not written")
        self.assertEqual((batch.count_created, batch.count_updated), (1, 1))
        report = batch.report
        self.assertIn("Contacts created: 1", report)
        self.assertIn("Contacts updated: 1", report)
        self.assertIn("Quarantined, nothing written: 1", report)
        self.assertNotIn("To create", report)
        self.assertIn("Line 3: Invalid email address paul durand@example.fr", report)

    def test_saving_the_mapping_as_a_preset_says_what_it_kept(self):
        batch = self._batch("Nom complet;Courriel;Remarque\nAnne Petit;anne.petit@example.fr;x\n")
        batch.mapping_ids.filtered(lambda line: line.column == "Remarque").target = False
        action = batch.action_save_preset()
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn(batch.preset_id.name, message)
        self.assertIn("2 columns mapped", message, "the ignored column is not counted")
        self.assertIn("stage", message, "the next step")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload", "the preset shows")

    def test_a_cancelled_import_hides_its_lines(self):
        batch = self._batch("Nom complet;Courriel\nAnne Petit;anne.petit@example.fr\n")
        batch.action_stage()
        batch.action_cancel()
        self.assertFalse(batch.line_ids)
        arch = etree.fromstring(self.env["hygiene.import.batch"].get_view(view_type="form")["arch"])
        [button] = arch.xpath("//button[@name='action_view_lines']")
        invisible = safe_eval(button.get("invisible"), {"state": batch.state})
        self.assertTrue(invisible, "no Lines button leading to an empty list")


@tagged("post_install", "-at_install")
class TestRetentionScreens(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["hygiene.retention.policy"]
        cls.Policy.search([]).active = False
        cls.env["ir.config_parameter"].sudo().set_param(VALVE, "100")
        old = fields.Datetime.now() - relativedelta(months=40)
        Partner = cls.env["res.partner"]
        cls.due = Partner.create(
            [{"name": f"Old Prospect {i}", "ref": f"SCR-{i}"} for i in range(3)]
        )
        Partner._hygiene_register_activities([(p.id, old, "history") for p in cls.due])
        # outside the category (the policy check refuses a category matching every contact)
        Partner.create({"name": "Customer", "ref": "CUST-1"})
        cls.policy = cls.Policy.create(
            {
                "name": "Old prospects",
                "domain": "[('ref', '=like', 'SCR-%')]",
                "duration_months": 36,
                "end_action": "archive",
            }
        )

    def _preview(self):
        action = self.policy.with_user(self.user_officer).action_preview()
        return self.env["hygiene.retention.preview"].browse(action["res_id"])

    def test_preview_rows_agree_with_the_safety_valve(self):
        self.assertEqual(set(self._preview().line_ids.mapped("outcome")), {"run"})
        self.env["ir.config_parameter"].sudo().set_param(VALVE, "0.01")
        wizard = self._preview()
        self.assertTrue(wizard.valve_stops)
        self.assertEqual(len(wizard.line_ids), 3)
        self.assertEqual(set(wizard.line_ids.mapped("outcome")), {"stopped"}, "nobody processed")

    def test_apply_now_says_what_it_did_and_opens_the_journal(self):
        wizard = self._preview()
        self.assertEqual(wizard.due_count, 3)
        self.env["ir.config_parameter"].sudo().set_param(VALVE, "0.01")
        action = wizard.action_run_now()
        self.assertIn("nobody was processed", action["params"]["message"])
        self.assertTrue(all(self.due.mapped("active")), "the safety valve held")
        self.env["ir.config_parameter"].sudo().set_param(VALVE, "100")
        action = wizard.action_run_now()
        params = action["params"]
        self.assertEqual(params["type"], "success")
        self.assertIn("3 contacts processed", params["message"])
        self.assertIn("0 still due", params["message"])
        self.assertFalse(any(self.due.with_context(active_test=False).mapped("active")))
        self.assertEqual(params["next"]["res_model"], "hygiene.journal")

    def test_every_policy_inactive_is_explained(self):
        self.assertFalse(self._preview().no_active_policy)
        self.policy.active = False
        wizard = self.env["hygiene.retention.preview"].with_user(self.user_officer).create({})
        wizard.action_refresh()
        self.assertTrue(wizard.no_active_policy)
        action = wizard.action_view_unclassified()
        self.assertIn("no retention policy is active", action["name"])
        self.assertEqual(action["display_name"], action["name"], "the web client shows it")
        menu = self.env.ref("partner_data_hygiene.menu_hygiene_unclassified")
        server_action = menu.action.with_user(self.user_steward)
        self.assertIn("no retention policy is active", server_action.run()["name"])

    def test_due_contacts_show_their_policy_and_due_date_and_no_sample(self):
        action = self.env.ref("partner_data_hygiene.hygiene_retention_due_partner_action")
        [list_view] = [view for view, mode in action._get_action_dict()["views"] if mode == "list"]
        self.assertTrue(list_view)
        arch = etree.fromstring(
            self.env["res.partner"].get_view(view_id=list_view, view_type="list")["arch"]
        )
        names = arch.xpath("//field/@name")
        self.assertIn("hygiene_retention_policy_id", names)
        self.assertIn("hygiene_retention_due_date", names)
        self.assertFalse(arch.xpath("//list[@sample]"), "an empty screen shows no made-up contact")
        # the columns hidden for the unclassified contacts show for the due ones
        context = safe_eval(action.context)
        for node in arch.xpath("//field[@column_invisible]"):
            hidden = bool(safe_eval(node.get("column_invisible"), {"context": context}))
            self.assertEqual(hidden, node.get("name") == "hygiene_source_id", node.get("name"))
        unclassified = self.env.ref("partner_data_hygiene.hygiene_unclassified_partner_action")
        context = safe_eval(unclassified.context)
        [node] = arch.xpath("//field[@name='hygiene_retention_due_date']")
        self.assertTrue(safe_eval(node.get("column_invisible"), {"context": context}))


@tagged("post_install", "-at_install")
class TestJournalScreens(HygieneCommon):
    def _entries(self, operation):
        return (
            self.env["hygiene.journal"]
            .sudo()
            .search([("operation", "=", operation), ("id", "not in", self.before.ids)])
        )

    def setUp(self):
        super().setUp()
        self.before = self.env["hygiene.journal"].sudo().search([])  # demo data has some

    def test_suppression_list_changes_are_journaled(self):
        self.assertFalse(self._entries("suppress") | self._entries("unsuppress"))
        self._consent(self.jeanne, "withdraw")
        added = self._entries("suppress")
        self.assertEqual(len(added), 1, "the withdrawal put the email on the suppression list")
        self.assertEqual((added.reason, added.counts), ("objection", {"hygiene.suppression": 1}))
        self.assertEqual(added.reason_label, "Objection to marketing")
        self._consent(self.jeanne, "grant", proven=True)
        removed = self._entries("unsuppress")
        self.assertEqual(len(removed), 1, "the new grant took it off the list")
        self.assertEqual(removed.counts, {"hygiene.suppression": 1})
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM hygiene_journal")
        self.assertNotIn("lefevre", repr(self.env.cr.fetchall()).lower(), "no personal value")

    def test_an_entry_is_titled_by_its_operation(self):
        """The form's breadcrumb read "hygiene.journal,12" (seen on the screenshots)."""
        self._consent(self.jeanne, "withdraw")
        entry = self.env["hygiene.journal"].sudo().search([("operation", "=", "suppress")], limit=1)
        self.assertTrue(entry.display_name.startswith("Added to the suppression list ("))

    def test_export_without_a_selection_exports_the_journal(self):
        self._consent(self.jeanne, "withdraw")
        Journal = self.env["hygiene.journal"].with_user(self.user_officer)
        action = Journal.browse().action_export_csv()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        rows = list(csv.reader(io.StringIO(attachment.raw.decode())))
        self.assertEqual(len(rows), 1 + Journal.search_count([]))
        self.assertIn(["Objection to marketing"], [row[4:5] for row in rows[1:]])
        arch = etree.fromstring(Journal.get_view(view_type="list")["arch"])
        [button] = arch.xpath("//header/button[@name='action_export_csv']")
        self.assertEqual(button.get("display"), "always")


@tagged("post_install", "-at_install")
class TestFrenchScreens(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        cls.user_steward.lang = "fr_FR"

    def test_import_report_and_messages_in_french(self):
        Batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .with_context(lang="fr_FR")  # the web client sends the user's language
        )
        content = (
            "Nom complet;Courriel;Date optin\n"
            "Anne Petit;anne.petit@example.fr;12/03/2021\n"
            "Paul Durand;paul durand@example.fr;\n"
            "Léa Roux;lea.roux@example.fr;12/03/2099\n"
        )
        batch = Batch.create(
            {
                "raw_file": base64.b64encode(content.encode()),
                "raw_filename": "clients.csv",
                "source_id": self.source_shop.id,
            }
        )
        batch.action_read_file()
        action = batch.action_stage()
        self.assertIn("à créer", action["params"]["message"])
        report = batch.report
        for french in (
            "lignes dans le fichier",
            "À créer : 1",
            "Erreur - Date dans le futur : 1",
            "Ligne 3 : Adresse e-mail invalide paul durand@example.fr : les espaces ne sont pas",
            "colonne Date optin est dans le futur",
        ):
            self.assertIn(french, report)
        for english in ("rows", "To create", "Line ", "Error -", "SPACE", "@-sign", "future"):
            self.assertNotIn(english, report)
        channels = dict(
            batch._fields["consent_channel"]._description_selection(
                batch.with_user(self.user_steward).env
            )
        )
        self.assertEqual(channels["import"], "Import de fichier")
        batch.action_commit_notify()
        self.assertIn("Contacts créés : 1", batch.report)

    def test_anonymised_contacts_are_named_in_the_company_language(self):
        """The name is stored (it is printed on invoices and exported as it is): in the
        language of the company, the same for everybody."""
        self.env.company.partner_id.lang = "fr_FR"
        Partner = self.env["res.partner"]
        person = Partner.create({"name": "Octave Anonymisable", "email": "octave@example.fr"})
        person.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.assertEqual(person.name, "Contact anonymisé")
        self.env.company.partner_id.lang = "en_US"
        english = Partner.create({"name": "Ernest Effaçable", "email": "ernest@example.fr"})
        english.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.assertEqual(english.name, "Anonymised contact")

    def test_duplicate_states_and_journal_in_french(self):
        fr = self.env(context=dict(self.env.context, lang="fr_FR"))
        states = dict(fr["hygiene.duplicate.group"]._fields["state"]._description_selection(fr))
        self.assertEqual(states["ignored"], "Pas de doublons")
        self._consent(self.jeanne, "withdraw")
        entry = fr["hygiene.journal"].sudo().search([("operation", "=", "suppress")], limit=1)
        self.assertEqual(entry.reason_label, "Opposition à la prospection")
        # the models changed by their French name, never their technical one
        self.assertEqual(entry.counts_summary, "Entrée de la liste repoussoir: 1")
        operations = dict(fr["hygiene.journal"]._fields["operation"]._description_selection(fr))
        self.assertEqual(operations["unsuppress"], "Retiré de la liste repoussoir")

    def test_no_english_word_of_the_addon_in_the_french_screens(self):
        """The import report (staged and committed), the duplicate reasons and the operations
        journal, rendered for a French user, hold no word that only the addon's English
        wording has (the words of its msgids that no French translation uses)."""
        po = polib.pofile(str(Path(__file__).resolve().parent.parent / "i18n" / "fr.po"))
        english, french = set(), set()
        for entry in po.translated_entries():
            english |= _words(entry.msgid)
            french |= _words(entry.msgstr)
        english_only = english - french
        self.assertIn("quarantined", english_only, "the vocabulary is read from fr.po")
        fr = self.env(context=dict(self.env.context, lang="fr_FR"), user=self.user_steward)
        batch = fr["hygiene.import.batch"].create(
            {
                "raw_file": base64.b64encode(
                    (
                        "Nom complet;Courriel;Téléphone;Date optin\n"
                        "Anne Petit;anne.petit@example.fr;06 12 34 56 79;12/03/2021\n"
                        "Paul Durand;paul durand@example.fr;12 34;\n"
                        "Léa Roux;lea.roux@example.fr;;12/03/2099\n"
                        "Anne Petit;anne.petit@example.fr;;\n"
                        "Jeanne Lefèvre;jeanne@example.fr;+33 6 00 00 00 01;\n"
                    ).encode()
                ),
                "raw_filename": "clients.csv",
                "source_id": self.source_shop.id,
            }
        )
        batch.action_read_file()
        texts = {"staged report": batch.action_stage() and batch.report}
        texts["dry run"] = batch.action_dry_run()["params"]["message"] + batch.dry_run_summary
        texts["commit"] = batch.action_commit_notify()["params"]["message"]
        texts["committed report"] = batch.report
        Partner = self.env["res.partner"]
        Partner.create(
            [
                {"name": "Odile Martin", "email": "odile.martin@example.fr", "zip": "75011"},
                {"name": "ODILE MARTIN", "email": "Odile.Martin@example.fr", "zip": "75011"},
            ]
        )
        scan = fr["hygiene.duplicate.group"].action_scan()["params"]
        texts["scan"] = f"{scan['title']} {scan['message']}"
        groups = fr["hygiene.duplicate.group"].search([])
        self.assertTrue(groups)
        texts["duplicate reasons"] = " ".join(groups.mapped("reasons_label"))
        self._consent(self.jeanne, "withdraw")
        journal = fr["hygiene.journal"].sudo().search([])
        self.assertTrue(journal)
        operations = dict(journal._fields["operation"]._description_selection(journal.env))
        texts["journal"] = " ".join(
            f"{operations[e.operation]} {e.reason_label} {e.counts_summary}" for e in journal
        )
        for name, text in texts.items():
            # the values of the file (emails, names) are the customer's, not the addon's
            text = re.sub(r"\S+@\S+", "", text)
            self.assertFalse(_words(text) & english_only, f"English in the {name}: {text}")


def _words(text):
    """The lower-case words of 4 letters or more (placeholders and acronyms left out)."""
    text = re.sub(r"%\(\w+\)s|\{\w+\}", "", text or "")
    return {word.lower() for word in re.findall(r"[^\W\d_]{4,}", text)}


def read_csv(data):
    return list(csv.reader(io.StringIO(base64.b64decode(data).decode("utf-8-sig"))))
