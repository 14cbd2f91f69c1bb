"""Rules at entry (issue 19): the settings (SIREN, email, duplicates, address standard) and the
hints as typed, on the contact form (``Form``), over RPC (real HTTP sessions) and in the import."""

import ast
import base64
import json
from pathlib import Path

import polib

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, Form, HttpCase, tagged

from ..models import hygiene_entry_rules as rules
from ..tools import entry_checks
from .common import HygieneCommon

SIREN = "732829320"  # checksum-valid SIREN (python-stdnum's example)
SIRET = "73282932000074"  # one of its establishments
BAD_SIREN = "732829321"
ADDON = Path(__file__).resolve().parent.parent


class EntryCommon(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr = cls.env.ref("base.fr")
        cls.Partner = cls.env["res.partner"].with_user(cls.user_hygiene)

    def _set(self, **settings):
        params = self.env["ir.config_parameter"].sudo()
        keys = {
            "siren": rules.PARAM_SIREN_REQUIRED,
            "email": rules.PARAM_EMAIL_REQUIRED,
            "duplicate": rules.PARAM_DUPLICATE_POLICY,
            "address": rules.PARAM_ADDRESS_STANDARD,
        }
        for name, value in settings.items():
            params.set_param(keys[name], str(value))

    def _company_form(self, name="Acme", registry=None, country=None, user=None):
        form = Form(self.env["res.partner"].with_user(user or self.user_hygiene))
        form.company_type = "company"
        form.name = name
        form.country_id = country or self.fr
        if registry:
            form.company_registry = registry
        return form


@tagged("post_install", "-at_install")
class TestEntrySettings(EntryCommon):
    def test_settings_are_stored_as_parameters_with_warn_by_default(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.hygiene_entry_duplicate_policy, "warn")
        self.assertFalse(settings.hygiene_entry_siren_required)
        settings.write(
            {
                "hygiene_entry_siren_required": True,
                "hygiene_entry_email_required": True,
                "hygiene_entry_duplicate_policy": "block",
            }
        )
        settings.execute()
        got = self.env["hygiene.entry.rules"]._hygiene_settings()
        self.assertEqual(
            (got["siren_required"], got["email_required"], got["duplicate_policy"]),
            (True, True, "block"),
        )

    # ------------------------------------------------------------ SIREN

    def test_siren_off_by_default_a_french_company_saves_without_it(self):
        partner = self._company_form().save()
        self.assertTrue(partner.is_company)

    def test_siren_required_refuses_a_french_company_without_it_naming_the_field(self):
        self._set(siren=True)
        form = self._company_form()
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("SIREN", str(caught.exception))
        self.assertIn("Company ID", str(caught.exception))

    def test_siren_required_refuses_a_wrong_checksum(self):
        self._set(siren=True)
        with self.assertRaises(ValidationError) as caught:
            self._company_form(registry=BAD_SIREN).save()
        self.assertIn(BAD_SIREN, str(caught.exception))
        self.assertIn("checksum", str(caught.exception))

    def test_siren_required_only_for_companies_in_france(self):
        self._set(siren=True)
        belgian = self._company_form(country=self.env.ref("base.be")).save()
        self.assertTrue(belgian.is_company)
        person = self.Partner.create({"name": "Jean Martin", "country_id": self.fr.id})
        self.assertFalse(person.company_registry)

    def test_a_siret_is_accepted_and_its_siren_stored(self):
        self._set(siren=True)
        partner = self._company_form(registry="732 829 320 00074").save()
        self.assertEqual(partner.company_registry, SIREN)
        self.assertEqual(partner.hygiene_siret, SIRET)
        self.assertEqual(partner.hygiene_company_key, f"FR:{SIREN}")

    def test_a_french_vat_number_gives_the_siren(self):
        self._set(siren=True)
        form = self._company_form(name="Vat Only")
        form.vat = "FR44732829320"
        partner = form.save()
        self.assertEqual(partner.company_registry, SIREN)

    def test_an_establishment_of_a_head_office_in_the_base_is_linked_to_it(self):
        self._set(siren=True)
        head = self._company_form(name="Acme SA", registry=SIREN).save()
        count = self.env["res.partner"].search_count([("is_company", "=", True)])
        branch = self._company_form(name="Acme Lyon", registry=SIRET).save()
        self.assertFalse(branch.is_company, "an establishment is not a second company")
        self.assertEqual(branch.parent_id, head)
        self.assertEqual(branch.type, "other")
        self.assertEqual(branch.hygiene_siret, SIRET)
        self.assertEqual(branch.company_registry, SIREN)
        self.assertEqual(self.env["res.partner"].search_count([("is_company", "=", True)]), count)

    def test_write_cannot_remove_the_siren(self):
        self._set(siren=True)
        partner = self._company_form(registry=SIREN).save()
        with self.assertRaises(ValidationError):
            partner.with_user(self.user_hygiene).write({"company_registry": False})

    # ------------------------------------------------------------ email

    def test_email_required_for_individuals(self):
        self._set(email=True)
        form = Form(self.Partner)
        form.name = "Jean Sans Mail"
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("Email", str(caught.exception))
        form.email = "jean.sansmail@example.fr"
        self.assertTrue(form.save().email)

    def test_email_not_required_for_companies_addresses_and_users(self):
        self._set(email=True)
        company = self.Partner.create({"name": "Mailless SARL", "is_company": True})
        delivery = self.Partner.create(
            {"name": "Dock", "type": "delivery", "parent_id": company.id}
        )
        self.assertEqual(delivery.parent_id, company)
        user = self.env["res.users"].create({"name": "Login Only", "login": "login_only"})
        self.assertFalse(user.partner_id.email)

    def test_email_required_cannot_be_emptied(self):
        self._set(email=True)
        with self.assertRaises(ValidationError):
            self.marc.with_user(self.user_hygiene).write({"email": False})

    # ------------------------------------------------------------ duplicates

    def test_duplicate_warns_by_default(self):
        partner = self.Partner.create({"name": "Marc Dubois bis", "email": self.marc.email})
        self.assertIn(self.marc, partner.hygiene_duplicate_ids)

    def test_duplicate_blocked_when_set_naming_the_existing_contact(self):
        self._set(duplicate="block")
        form = Form(self.Partner)
        form.name = "M. Dubois"
        form.email = "MARC.DUBOIS@example.fr"
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("Marc Dubois", str(caught.exception))
        # a similar name alone only warns
        other = self.Partner.create({"name": "Marc Duboiss", "email": "md2@example.org"})
        self.assertTrue(other.exists())

    def test_duplicate_block_on_write_of_an_identity_field(self):
        self._set(duplicate="block")
        other = self.Partner.create({"name": "Unrelated", "email": "unrelated@example.org"})
        other.write({"comment": "no identity change"})
        with self.assertRaises(ValidationError):
            other.write({"email": self.jeanne.email})

    # ------------------------------------------------------------ system paths

    def test_superuser_code_is_not_refused(self):
        self._set(email=True, siren=True)
        partner = self.env["res.partner"].sudo().create({"name": "System Made"})
        self.assertTrue(partner.exists())


@tagged("post_install", "-at_install")
class TestEntryAddressStandard(EntryCommon):
    def test_address_laid_out_on_save_and_original_kept_in_the_origin(self):
        self._set(address=True)
        form = Form(self.Partner)
        form.name = "Léa Roux"
        form.email = "lea.roux@example.fr"
        form.country_id = self.fr
        form.street = "rue de la Paix, 12"
        form.zip = "75002"
        form.city = "Paris"
        partner = form.save()
        self.assertEqual(partner.street, "12 RUE DE LA PAIX")
        self.assertEqual(partner.city, "PARIS")
        origin = partner.sudo().hygiene_origin_ids
        self.assertEqual(len(origin), 1)
        self.assertIn("rue de la Paix, 12", origin.hygiene_original_values)
        partner.with_user(self.user_hygiene).write({"street": "avenue des Champs-Élysées 8"})
        self.assertEqual(partner.street, "8 AVENUE DES CHAMPS ELYSEES")
        self.assertIn("Champs-Élysées", origin.hygiene_original_values)

    def test_address_standard_off_or_abroad_leaves_the_address(self):
        partner = self.Partner.create(
            {"name": "A", "street": "rue de la Paix, 12", "country_id": self.fr.id}
        )
        self.assertEqual(partner.street, "rue de la Paix, 12")
        self._set(address=True)
        partner = self.Partner.create(
            {"name": "B", "street": "Rue Neuve 12", "country_id": self.env.ref("base.be").id}
        )
        self.assertEqual(partner.street, "Rue Neuve 12")

    def test_afnor_lines_fit_38_characters(self):
        street, __, city, too_long = entry_checks.afnor_address(
            "145 boulevard du Maréchal de Lattre de Tassigny", "", "Saint-Étienne"
        )
        self.assertLessEqual(len(street), 38)
        self.assertTrue(street.startswith("145 BD "))
        self.assertEqual(city, "SAINT ETIENNE")
        self.assertFalse(too_long)


@tagged("post_install", "-at_install")
class TestEntryHints(EntryCommon):
    def _form(self, **values):
        form = Form(self.Partner)
        form.name = "Typed Person"
        for name, value in values.items():
            setattr(form, name, value)
        return form

    def test_email_typo_flagged_never_changed(self):
        form = self._form(email="jean.dupont@gmial.com")
        self.assertIn("gmail.com", form.hygiene_entry_hints)
        self.assertIn("text-danger", form.hygiene_entry_hints)
        partner = form.save()
        self.assertEqual(partner.email, "jean.dupont@gmial.com")

    def test_invalid_email_syntax_flagged(self):
        form = self._form(email="jean dupont@example.fr")
        self.assertIn("Invalid email address", form.hygiene_entry_hints)

    def test_phone_shown_in_the_national_format_of_the_country(self):
        form = self._form(country_id=self.fr, mobile="+33612345678")
        self.assertIn("06 12 34 56 78", form.hygiene_entry_hints)
        form = self._form(country_id=self.fr, phone="0012")
        self.assertIn("Invalid phone number", form.hygiene_entry_hints)

    def test_postcode_and_town_must_agree(self):
        form = self._form(country_id=self.fr, zip="75011", city="Lyon")
        self.assertIn("75011", form.hygiene_entry_hints)
        self.assertIn("PARIS", form.hygiene_entry_hints)
        form.city = "Paris"
        self.assertFalse(form.hygiene_entry_hints)
        form.zip, form.city = "93200", "Saint-Denis"
        self.assertFalse(form.hygiene_entry_hints, "ST and SAINT are the same town")
        form.zip = "99999"
        self.assertIn("does not exist", form.hygiene_entry_hints)

    def test_vat_checksum_flagged(self):
        form = Form(self.Partner)
        form.company_type = "company"
        form.name = "Vat Typo"
        form.vat = "FR44732829321"
        self.assertIn("checksum", form.hygiene_entry_hints)
        form.vat = "FR44732829320"
        self.assertFalse(form.hygiene_entry_hints)

    def test_hints_are_escaped(self):
        form = self._form(email="<img src=x onerror=alert(1)>@x")
        self.assertNotIn("<img", form.hygiene_entry_hints)
        self.assertIn("&lt;img", form.hygiene_entry_hints)

    def test_hints_for_other_forms(self):
        hints = (
            self.env["hygiene.entry.rules"]
            .with_user(self.user_employee)
            .hygiene_value_hints({"email": "a@hotmial.fr", "zip": "69003", "city": "Paris"})
        )
        self.assertEqual({hint["field"] for hint in hints}, {"email", "zip"})
        self.assertEqual(
            self.env["hygiene.entry.rules"].hygiene_value_hints({"email": ["not", "text"]}), []
        )


@tagged("post_install", "-at_install")
class TestEntryImport(EntryCommon):
    def _staged(self, text, **values):
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(text.encode()),
                    "raw_filename": "entry.csv",
                    "source_id": self.source_shop.id,
                    **values,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        return batch, {line.line_number: line for line in batch.line_ids}

    def test_refusals_are_quarantine_reasons_with_line_and_message(self):
        self._set(siren=True, email=True)
        batch, lines = self._staged(
            "Nom;Société;Courriel;SIRET;Pays\n"
            ";Sans Siren SARL;contact@sanssiren.fr;;FR\n"
            f";Bon Siren SA;contact@bonsiren.fr;{SIRET};FR\n"
            f";Faux Siren SA;contact@fauxsiren.fr;{BAD_SIREN};FR\n"
            "Jean Sansmail;;;;FR\n"
            "Anne Mail;;anne.mail@example.org;;FR\n"
        )
        self.assertEqual(lines[2].decision, "quarantine")
        self.assertEqual(lines[2].decision_reason, "entry_rule")
        self.assertIn("SIREN", lines[2].errors)
        self.assertEqual(lines[4].decision_reason, "entry_rule")
        self.assertIn(BAD_SIREN, lines[4].errors)
        self.assertEqual(lines[5].decision_reason, "entry_rule")
        self.assertIn("Email", lines[5].errors)
        self.assertEqual(lines[3].decision, "create")
        self.assertEqual(lines[6].decision, "create")
        rejected = batch.with_user(self.user_steward)._rejected_csv().decode("utf-8-sig")
        self.assertIn("Sans Siren SARL", rejected)
        batch.with_user(self.user_steward).action_commit()
        company = self.env["res.partner"].search([("name", "=", "Bon Siren SA")])
        self.assertEqual(company.company_registry, SIREN)
        self.assertEqual(company.hygiene_siret, SIRET)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Sans Siren SARL")]))

    def test_hints_and_address_standard_in_the_import_report(self):
        self._set(address=True)
        __, lines = self._staged(
            "Nom;Courriel;Adresse;CP;Ville\n"
            "Paul Martin;paul.martin@gmial.com;rue de la Paix, 12;75011;Lyon\n"
        )
        line = lines[2]
        self.assertIn("gmail.com", line.warnings)
        self.assertIn("75011", line.warnings)
        self.assertIn("12 RUE DE LA PAIX", line.warnings)
        self.assertEqual(line._clean()["street"], "12 RUE DE LA PAIX")
        self.assertEqual(line._clean()["email"], "paul.martin@gmial.com", "never changed")


@tagged("post_install", "-at_install")
class TestEntryRulesHttp(HttpCase, EntryCommon):
    def _rpc(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _rpc_error(self, model, method, args, context=None):
        """The error (name, message) an RPC call ends with, as a client receives it."""
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": {"context": context or {}},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        error = response.json()["error"]["data"]
        return error["name"], error["message"]

    def test_rpc_create_refused_with_the_message_naming_the_field(self):
        self._set(siren=True, email=True)
        self.user_hygiene.password = "hyg_user"
        self.authenticate("hyg_user", "hyg_user")
        for vals, field in (
            ({"name": "Rpc SARL", "is_company": True, "country_id": self.fr.id}, "SIREN"),
            ({"name": "Rpc Person"}, "Email"),
        ):
            name, message = self._rpc_error("res.partner", "create", [vals])
            self.assertEqual(name, "odoo.exceptions.ValidationError")
            self.assertIn(field, message)
        self.assertFalse(self.env["res.partner"].search([("name", "like", "Rpc ")]))
        created = self._rpc(
            "res.partner",
            "create",
            [
                {
                    "name": "Rpc SA",
                    "is_company": True,
                    "country_id": self.fr.id,
                    "company_registry": SIRET,
                }
            ],
        )
        self.assertEqual(self.env["res.partner"].browse(created).company_registry, SIREN)
        name, message = self._rpc_error(
            "res.partner", "write", [[created], {"company_registry": BAD_SIREN}]
        )
        self.assertIn(BAD_SIREN, message)

    def test_rpc_refusal_message_is_translated(self):
        source = "Email is required for an individual: type the email of %(name)s."
        pot = polib.pofile(str(ADDON / "i18n" / "partner_data_hygiene.pot"))
        if not pot.find(source):
            # Odoo reads code translations through the .pot (fr.po entries missing from it are
            # dropped): the lead regenerates it when the branch is merged.
            self.skipTest("i18n/partner_data_hygiene.pot not regenerated yet")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        self._set(email=True)
        self.user_hygiene.write({"password": "hyg_user", "lang": "fr_FR"})
        self.authenticate("hyg_user", "hyg_user")
        __, message = self._rpc_error(
            "res.partner", "create", [{"name": "Jean Sansmail"}], {"lang": "fr_FR"}
        )
        self.assertIn("obligatoire", message)

    def test_lead_form_hints_over_rpc(self):
        self.user_employee.password = "hyg_employee"
        self.authenticate("hyg_employee", "hyg_employee")
        hints = self._rpc(
            "hygiene.entry.rules",
            "hygiene_value_hints",
            [{"mobile": "0612345678", "zip": "75011", "city": "Lyon"}],
        )
        self.assertEqual({hint["field"] for hint in hints}, {"mobile", "zip"})
        self.assertIn("06 12 34 56 78", " ".join(hint["message"] for hint in hints))
        if "crm.lead" in self.env:  # the widget is on the lead form where CRM is installed
            arch = self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertIn("hygiene_entry_hints", arch)


@tagged("post_install", "-at_install")
class TestEntryFrench(BaseCase):
    """Every message of the rules at entry has its French translation in i18n/fr.po."""

    FILES = (
        "tools/entry_checks.py",
        "models/hygiene_entry_rules.py",
        "models/hygiene_details_request.py",
        "controllers/details.py",
    )

    def _messages(self, path):
        tree = ast.parse((ADDON / path).read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in ("_", "_lt") and isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    yield first.value

    def test_every_message_is_translated(self):
        french = {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(str(ADDON / "i18n" / "fr.po"))
            if not entry.obsolete
        }
        missing = [
            message
            for path in self.FILES
            if (ADDON / path).exists()
            for message in self._messages(path)
            if not french.get(message)
        ]
        self.assertFalse(missing, "messages without a French translation")
        self.assertGreater(len(list(self._messages("tools/entry_checks.py"))), 10)
