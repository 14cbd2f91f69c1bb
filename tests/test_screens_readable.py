"""Screens readable where they were not (issue 14, fourth round): the compare wizard on a phone,
the duplicate lists without the evidence, "Contacts by Source" without "None" first, and an
anonymised contact named in the reader's language."""

from lxml import etree

from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HygieneCommon


def _arch(env, model, view_type, xmlid=None):
    view_id = env.ref(xmlid).id if xmlid else None
    return etree.fromstring(env[model].get_view(view_id, view_type)["arch"])


@tagged("post_install", "-at_install")
class TestReadableScreens(HygieneCommon):
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

    def test_compare_wizard_shows_a_card_per_field_on_a_phone(self):
        """Was cramped at 390 px: four columns cut every value (a street in one word per line).
        On a phone the fields that differ are cards (x2many kanban), each value on its line, and
        a tap opens the choice of whose value to keep."""
        arch = _arch(self.env, "hygiene.duplicate.compare", "form")
        lines = arch.xpath("//field[@name='line_ids']")[0]
        card = lines.xpath("./kanban//t[@t-name='card']")
        self.assertTrue(card, "a card per field on a phone")
        shown = set(card[0].xpath(".//field/@name"))
        self.assertLessEqual({"field_label", "values_text", "kept_value", "keep_partner_id"}, shown)
        values = card[0].xpath(".//field[@name='values_text']")[0]
        self.assertIn("o_hygiene_compare_values", values.get("class"), "one value per line")
        choice = lines.xpath("./form//field[@name='keep_partner_id']")
        self.assertTrue(choice, "the card opens the choice of whose value to keep")
        # and the choice made there is the one the merge takes
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        group = self.env["hygiene.duplicate.group"].search(
            [("partner_ids", "in", self.claire.ids)], limit=1
        )
        action = group.with_user(self.user_steward).action_compare_merge()
        wizard = self.env[action["res_model"]].with_user(self.user_steward).browse(action["res_id"])
        email = wizard.line_ids.filtered(lambda line: line.field_name == "email")
        email.keep_partner_id = self.claire_twin
        self.assertEqual(email.kept_value, "Claire.Fontaine@example.fr")

    def test_duplicate_lists_leave_the_evidence_to_the_form(self):
        """Was tall: "Weights of the evidence" (a paragraph per pair) sat in the Why column of
        every row of Duplicates to Review. The lists and cards show why in short; the form shows
        the weights under their own heading."""
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        group = self.env["hygiene.duplicate.group"].search(
            [("partner_ids", "in", self.claire.ids)], limit=1
        )
        self.assertTrue(group.evidence)
        self.assertIn("same email", group.reasons_label)
        self.assertNotIn("Weights", group.reasons_label)
        self.assertNotIn("total", group.reasons_label)
        self.assertIn("total", group.evidence_label)
        xmlid = "partner_data_hygiene.hygiene_duplicate_group_view_"
        for view_type in ("list", "kanban"):
            names = set(_arch(self.env, group._name, view_type, xmlid + view_type).xpath("//@name"))
            self.assertFalse({"evidence", "evidence_label"} & names, view_type)
        form = _arch(self.env, group._name, "form", xmlid + "form")
        self.assertTrue(form.xpath("//field[@name='evidence_label']"))

    def test_contacts_by_source_is_a_counted_list_and_a_chart(self):
        """Was "None" first: on a phone the menu opened cards, the column of the contacts
        without a source first (the web client puts an empty column first), folded. A phone
        gets the list too (the sources in their order, the unknown one last, named by
        static/src/js/source_groups.js), and the menu has a chart and a table by source."""
        action = self.env.ref("partner_data_hygiene.hygiene_partner_action")
        self.assertEqual(action.mobile_view_mode, "list")
        views = dict((mode, view) for view, mode in action.views)
        self.assertEqual(action.views[0][1], "list", "the list first")
        for mode in ("graph", "pivot"):
            self.assertIn(mode, views)
            arch = etree.fromstring(self.env["ir.ui.view"].browse(views[mode]).arch)
            self.assertEqual(arch.xpath("//field/@name"), ["hygiene_source_id"], mode)
        groups = self.env["res.partner"].read_group([], ["__count"], ["hygiene_source_id"])
        self.assertFalse(groups[-1]["hygiene_source_id"], "the unknown source last")

    def test_lists_a_phone_reads_as_cards(self):
        """Were cut at 390 px (seen on the screenshots): the imports (file name and state
        hidden), the origins, the details checks, the data-subject requests and the consent
        ledger. A phone opens them as cards (the web client's default on a phone when the
        action has a kanban view) with what the list's first columns said."""
        cards = {
            "hygiene_import_batch_action": {"name", "state", "source_id", "line_count"},
            "hygiene_partner_origin_action": {"partner_id", "source_id", "source_ref"},
            "hygiene_details_request_action": {"partner_id", "state", "pending_count"},
            "hygiene_privacy_request_action": {"name", "state", "request_type", "due_date"},
            "hygiene_privacy_request_overdue_action": {"name", "state", "due_date"},
            "hygiene_consent_action": {"partner_id", "purpose_id", "action", "state"},
            # issue 14, fifth round
            "hygiene_retention_policy_action": {"name", "active", "duration_months", "end_action"},
            "hygiene_processing_activity_action": {"name", "legal_basis", "subject_categories"},
            "hygiene_segment_action": {"name", "purpose_id", "member_count"},
            "hygiene_segment_log_action": {"partner_id", "segment_id", "move", "reason_label"},
            "hygiene_partner_score_action": {
                "partner_id",
                "quality_score",
                "quality_reasons_label",
            },
            "hygiene_merge_journal_action": {"survivor_id", "source_ids", "state", "date"},
            "hygiene_breach_action": {"name", "risk", "deadline"},
        }
        for xmlid, names in cards.items():
            action = self.env.ref(f"partner_data_hygiene.{xmlid}")
            modes = action.view_mode.split(",")
            self.assertEqual(modes[0], "list", f"{xmlid}: the list first on a computer")
            self.assertIn("kanban", modes, xmlid)
            self.assertEqual(action.mobile_view_mode, "kanban", xmlid)
            arch = _arch(self.env, action.res_model, "kanban")
            card = arch.xpath("//t[@t-name='card']")
            self.assertTrue(card, xmlid)
            self.assertLessEqual(names, set(card[0].xpath(".//field/@name")), xmlid)

    def test_the_cards_keep_the_lists_buttons(self):
        """On a phone the cards replace the list: the list's header buttons (Recompute All of
        the quality scores, Export as CSV of the record of processing) are on the cards too,
        for the same groups."""
        for view in ("hygiene_partner_score_view", "hygiene_processing_activity_view"):
            header = {}
            for view_type in ("list", "kanban"):
                arch = etree.fromstring(
                    self.env.ref(f"partner_data_hygiene.{view}_{view_type}").arch
                )
                header[view_type] = {
                    (button.get("name"), button.get("groups"), button.get("display"))
                    for button in arch.xpath("//header/button")
                }
            self.assertTrue(header["list"], view)
            self.assertEqual(header["kanban"], header["list"], view)


@tagged("post_install", "-at_install")
class TestAnonymisedNameForTheReader(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        cls.reader_fr = cls.user_hygiene
        cls.reader_fr.lang = "fr_FR"
        cls.reader_en = cls.user_steward
        cls.reader_en.lang = "en_US"

    def _anonymised(self, company_lang, name):
        self.env.company.partner_id.lang = company_lang
        person = self.env["res.partner"].create({"name": name, "email": "x.y@example.fr"})
        person.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        person.invalidate_recordset()
        return person

    def _read_as(self, user, partner):
        return partner.with_user(user).with_context(lang=user.lang, active_test=False)

    def test_french_reader_of_an_english_company(self):
        """Was English for a French user: the stored name is the English company's; the
        screens show it in the reader's language."""
        person = self._anonymised("en_US", "Octave Anonymisable")
        self.assertEqual(person.name, "Anonymised contact", "stored as the company prints it")
        self.assertEqual(self._read_as(self.reader_fr, person).display_name, "Contact anonymisé")
        self.assertEqual(self._read_as(self.reader_en, person).display_name, "Anonymised contact")
        # what is exported (the stored name) is the company's, for every reader
        exported = person.with_context(lang="fr_FR").export_data(["name"])["datas"]
        self.assertEqual(exported, [["Anonymised contact"]])

    def test_english_reader_of_a_french_company(self):
        person = self._anonymised("fr_FR", "Ernest Effaçable")
        self.assertEqual(person.name, "Contact anonymisé")
        self.assertEqual(self._read_as(self.reader_en, person).display_name, "Anonymised contact")
        self.assertEqual(self._read_as(self.reader_fr, person).display_name, "Contact anonymisé")
        # the display name says nothing of the person, in any language
        for reader in (self.reader_en, self.reader_fr):
            shown = self._read_as(reader, person).with_context(show_address=True).display_name
            self.assertNotIn("Ernest", shown)
            self.assertNotIn("x.y", shown)

    def test_form_title_follows_the_reader_and_a_new_name_stays(self):
        """The form's title is the display name for an anonymised contact (the name field,
        stored, stays for the others); a contact renamed after its anonymisation (an
        officer reusing the record) is shown by its new name."""
        form = _arch(self.env, "res.partner", "form")
        title = form.xpath("//h1/field[@name='display_name']")
        self.assertTrue(title)
        self.assertIn("anonymized", title[0].get("invisible"))
        for name_field in form.xpath("//h1/field[@name='name']"):
            self.assertIn("anonymized", name_field.get("invisible"))
        person = self._anonymised("en_US", "Octave Anonymisable")
        person.name = "Accounts Payable Desk"
        self.assertEqual(
            self._read_as(self.reader_fr, person).display_name, "Accounts Payable Desk"
        )
        # someone named like the placeholder, not anonymised, keeps their name
        namesake = self.env["res.partner"].create({"name": "Anonymised contact"})
        self.assertEqual(self._read_as(self.reader_fr, namesake).display_name, "Anonymised contact")


@tagged("post_install", "-at_install")
class TestAnonymisedNameInLists(HttpCase):
    """Was the company's language in the lists: the Contacts list and the retention lists
    showed the stored name ("Anonymised contact" for an English company) to a French reader,
    while the form and the cards said "Contact anonymisé". The name column stays the stored
    one (search and sort read it); its cell says the reader's words for an anonymised contact
    (static/src/js/anonymised_name.js). The tours: static/tests/tours/anonymised_name_tour.js."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        cls.reader = mail_new_test_user(
            cls.env,
            login="anonymised_reader",
            groups="base.group_user,base.group_partner_manager,"
            "partner_data_hygiene.group_hygiene_steward",
        )

    def _read_lists(self, company_lang, reader_lang, name):
        self.env.company.partner_id.lang = company_lang
        person = self.env["res.partner"].create({"name": name, "email": "x.y@example.fr"})
        person._hygiene_retention_execute("anonymize")
        self.assertEqual(person.hygiene_retention_state, "anonymized")
        self.reader.lang = reader_lang
        Action = self.env["ir.actions.act_window"]
        everyone = {"domain": [("id", "=", person.id)], "context": "{'active_test': False}"}
        contacts = Action.create(
            {"name": "Contacts", "res_model": "res.partner", "view_mode": "list,kanban", **everyone}
        )
        due = self.env.ref("partner_data_hygiene.hygiene_retention_partner_view_list")
        retention = Action.create(
            {"name": "Due", "res_model": "res.partner", "view_id": due.id, "view_mode": "list"}
            | everyone
        )
        suffix = reader_lang[:2]
        self.start_tour(
            f"/odoo/action-{contacts.id}",
            f"partner_data_hygiene_anonymised_cards_{suffix}",
            login=self.reader.login,
        )
        self.start_tour(
            f"/odoo/action-{retention.id}",
            f"partner_data_hygiene_anonymised_list_{suffix}",
            login=self.reader.login,
        )
        return person

    def test_english_company_read_in_french(self):
        person = self._read_lists("en_US", "fr_FR", "Octave Anonymisable")
        self.assertEqual(person.name, "Anonymised contact", "the stored name is the company's")

    def test_french_company_read_in_english(self):
        person = self._read_lists("fr_FR", "en_US", "Ernest Effaçable")
        self.assertEqual(person.name, "Contact anonymisé", "the stored name is the company's")
        rows = person.search_read([("id", "=", person.id), ("active", "=", False)], ["name"])
        self.assertEqual(rows[0]["name"], "Contact anonymisé", "what is read and exported")


@tagged("post_install", "-at_install")
class TestPhoneCardsInFrench(HygieneCommon):
    def test_the_cards_read_in_french(self):
        """Were English on a French screen ("36 months", "0 due now", "3 members"): the
        words of the new cards were in fr.po only, which Odoo merges with the .pot (an entry
        missing from the template is dropped)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        words = {
            "hygiene_retention_policy": ("mois", "échus à ce jour", "contacts"),
            "hygiene_segment": ("membres", "Marketing"),
            "hygiene_partner_score": ("Tout recalculer", "Ne pas solliciter"),
            "hygiene_processing_activity": ("Exporter en CSV",),
        }
        for view, french in words.items():
            view = self.env.ref(f"partner_data_hygiene.{view}_view_kanban")
            text = view.with_context(lang="fr_FR").arch_db
            for word in french:
                self.assertIn(word, text, view.name)

    def test_what_is_wrong_reads_in_french(self):
        """Was English on the French quality scores ("no email, no phone"): the labels,
        English templates (tools/i18n.py), were shown untranslated."""
        person = self.env["res.partner"].create({"name": "Sans Rien"})
        self.env["hygiene.partner.score"]._hygiene_refresh(full=True)
        score = self.env["hygiene.partner.score"].search([("partner_id", "=", person.id)])
        self.assertIn("no email", score.with_context(lang="en_US").quality_reasons_label)
        self.env["res.lang"]._activate_lang("fr_FR")
        french = score.with_context(lang="fr_FR")
        french.invalidate_recordset(["quality_reasons_label"])
        self.assertIn("pas d'e-mail", french.quality_reasons_label)
        self.assertNotIn("no email", french.quality_reasons_label)

    def test_why_a_contact_entered_a_segment_reads_in_french(self):
        """Was English on the French segment log ("matches the filter")."""
        self.env["res.lang"]._activate_lang("fr_FR")
        Log = self.env["hygiene.segment.log"]
        self.assertEqual(Log.new({"reason": "matches"}).reason_label, "matches the filter")
        french = Log.with_context(lang="fr_FR").new({"reason": "matches"})
        self.assertEqual(french.reason_label, "correspond au filtre")

    def test_empty_logs_say_why_they_are_empty(self):
        """Were blank rows (no help): "Consents Relied On by Mailings" before any mailing,
        "RFM Movements" before any customer moved. Each says what will appear there, in
        French too."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        french = {
            "hygiene_mailing_consent_action": "Aucun envoi à un segment marketing",
            "hygiene_rfm_history_action": "Aucun client n'a changé de segment RFM",
        }
        for xmlid, words in french.items():
            action = self.env.ref(f"partner_data_hygiene.{xmlid}")
            self.assertIn("o_view_nocontent", action.help or "", xmlid)
            self.assertIn(words, action.with_context(lang="fr_FR").help, xmlid)
