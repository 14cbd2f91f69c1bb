"""Attacker's sixth pass, RPC half: ``onchange``, ``default_get``, ``web_read`` specifications,
``read_group``, ``name_search`` of the addon's models and of the contacts' ``hygiene_*`` fields
called by the lowest roles; the merge undo (keys of what it moves back, who may undo, what an
erasure since the merge leaves); contacts of a company touched by an import, and the company of
imported contacts; personal ``ir.default`` rows (read by every employee, and on the sales orders
the addon only reads). Probed over real JSON-RPC sessions. Each test asserts the SAFE behaviour: a
failing test is a hole; a passing one stays as a guard.

The HTTP half (portal and public routes) is in ``test_attack_pass6.py``."""

import logging

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import HygieneRpcMixin, company_user
from .test_security_import import ImportCommon

_logger = logging.getLogger(__name__)

BE_PHONE = "0470 12 34 56"
VICTIM_BIRTH = "1971-03-09"
HOLD_REASON = "Litigation pass6 SECRET-42"
CONSENT_DATE = "2019-04-05 06:07:08"


@tagged("post_install", "-at_install")
class TestAttackPass6Rpc(HygieneRpcMixin, HttpCase, ImportCommon):
    # the keys of a contact without a country take its company's region (the fifth pass's fix)
    KEYS_FOLLOW_COMPANY_COUNTRY = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Pass6 RPC Co B"})
        cls.steward_b = company_user(
            cls.env,
            "hyg_steward_p6b",
            ["partner_data_hygiene.group_hygiene_steward"],
            cls.company_b,
        )
        cls.victim_b = cls.env["res.partner"].create(
            {
                "name": "Victor Pass6 Rpc",
                "email": "victor.pass6.rpc@example.org",
                "company_id": cls.company_b.id,
            }
        )

    # ------------------------------------------------------------------ helpers

    def _archive_restricted(self, partner):
        """``partner`` moved to the restricted archive, as the retention engine does."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET active = FALSE, hygiene_retention_state = 'archived'"
            " WHERE id = %s",
            (partner.id,),
        )
        partner.invalidate_recordset()

    # ------------------------------------------------------------------ onchange / default_get

    def test_birthdate_oracle_through_the_duplicate_ranking(self):
        """An employee (no hygiene role: the birth date is for hygiene users and up) runs the
        contact form's onchange with a name and postcode shared by a victim and a decoy, and a
        guessed ``hygiene_birthdate`` in the values. The possible duplicates come back ranked
        by the scan's scorer, which compares the typed birth date with the victim's. Expected:
        the answer does not depend on the guess (the typed value of a field the user may not
        read is not used), so the ranking tells nothing of the victim's birth date."""
        Partner = self.env["res.partner"]
        victim = Partner.create(
            {
                "name": "Lucien Ferrandpass",
                "zip": "69001",
                "city": "Lyon",
                "hygiene_birthdate": VICTIM_BIRTH,
            }
        )
        decoy = Partner.create({"name": "Lucien Ferrandpass", "zip": "69001", "city": "Lyon"})
        spec = {"hygiene_duplicate_ids": {"fields": {"display_name": {}}}}
        rankings = {}
        for guess in (VICTIM_BIRTH, "1980-01-01"):
            values = {
                "name": "Lucien Ferrandpass",
                "zip": "69001",
                "city": "Lyon",
                "hygiene_birthdate": guess,
            }
            result = self._try(
                "hyg_employee", "res.partner", "onchange", [[], values, ["name"], spec]
            )
            commands = ((result or {}).get("value") or {}).get("hygiene_duplicate_ids") or []
            rankings[guess] = [command[1] for command in commands]
        self.assertEqual(set(rankings[VICTIM_BIRTH]) | {0}, {victim.id, decoy.id, 0})
        self.assertEqual(
            rankings[VICTIM_BIRTH],
            rankings["1980-01-01"],
            "the ranking of the possible duplicates tells an employee the victim's birth date",
        )

    def test_compare_line_onchange_reads_any_contact_field(self):
        """A data steward (not an officer) runs the onchange of a comparison line
        (``hygiene.duplicate.compare.line``: field name + contact whose value to keep) with the
        name of an officer-only field (legal hold reason and date), then with contacts of
        another company and of the restricted archive. Expected: ``kept_value`` never holds a
        value the steward may not read."""
        held = self.env["res.partner"].create(
            {
                "name": "Held Pass6 Person",
                "email": "held.pass6@example.org",
                "hygiene_hold_reason": HOLD_REASON,
                "hygiene_hold_end_date": "2031-01-01",
            }
        )
        hidden = self.env["res.partner"].create(
            {"name": "Hidden Pass6 Archive", "email": "hidden.pass6@example.org"}
        )
        self._archive_restricted(hidden)
        attempts = [
            (held, "hygiene_hold_reason", HOLD_REASON),
            (held, "hygiene_hold_end_date", "2031-01-01"),
            (self.victim_b, "email", self.victim_b.email),
            (hidden, "email", "hidden.pass6@example.org"),
        ]
        leaks = []
        for partner, name, secret in attempts:
            values = {"field_name": name, "keep_partner_id": partner.id}
            result = self._try(
                "hyg_steward",
                "hygiene.duplicate.compare.line",
                "onchange",
                [[], values, ["keep_partner_id"], {"kept_value": {}}],
            )
            kept = ((result or {}).get("value") or {}).get("kept_value") or ""
            if secret in str(kept):
                leaks.append(name)
        self.assertEqual(leaks, [], "a steward reads fields they may not read through kept_value")
        # the probe itself works: a field the steward may read comes back
        control = self._try(
            "hyg_steward",
            "hygiene.duplicate.compare.line",
            "onchange",
            [
                [],
                {"field_name": "email", "keep_partner_id": held.id},
                ["keep_partner_id"],
                {"kept_value": {}},
            ],
        )
        self.assertEqual(control["value"]["kept_value"], "held.pass6@example.org")

    def test_lowest_roles_get_nothing_from_generic_entry_points(self):
        """An employee calls ``name_search``, ``read_group`` and ``web_search_read`` on the
        addon's models, and reaches the hygiene fields of contacts through ``read_group``, a
        search domain and ``web_read``/``onchange`` specifications. Expected: each is refused.
        (``default_get`` and ``onchange`` of a new record are open on every model in Odoo;
        what they compute from other records is probed below.)"""
        models_ = (
            "hygiene.consent",
            "hygiene.consent.state",
            "hygiene.consent.wizard",
            "hygiene.partner.origin",
            "hygiene.privacy.request",
            "hygiene.merge.journal",
            "hygiene.duplicate.group",
        )
        accepted = []
        for model in models_:
            for method, args, kwargs in (
                ("name_search", [], {"name": ""}),
                ("read_group", [[], ["partner_id"], ["partner_id"]], {}),
                ("web_search_read", [], {"domain": [], "specification": {"display_name": {}}}),
            ):
                if self._try("hyg_employee", model, method, args, kwargs) is not None:
                    accepted.append(f"{model}.{method}")
        jeanne = self.jeanne.id
        for method, args, kwargs in (
            ("read_group", [[], ["hygiene_birthdate"], ["hygiene_birthdate"]], {}),
            ("search", [[("hygiene_birthdate", "!=", False)]], {}),
            ("web_read", [[jeanne]], {"specification": {"hygiene_consent_state_ids": {}}}),
            ("web_read", [[jeanne]], {"specification": {"hygiene_suppression_warning": {}}}),
            ("onchange", [[jeanne], {}, [], {"hygiene_origin_ids": {}}], {}),
        ):
            if self._try("hyg_employee", "res.partner", method, args, kwargs) is not None:
                accepted.append(f"res.partner.{method} {args or kwargs}")
        self.assertEqual(accepted, [])

    def test_related_fields_of_new_records_read_other_companies(self):
        """A hygiene user of the main company (and an employee) run the onchange of a new
        record whose many2one points to a record of company B: a KPI snapshot's ``previous_id``
        (related ``previous_contacts``), a segment log's ``consent_id`` (related consent date
        and channel), a consent state's ``event_id`` (related channel). Related fields are
        computed as superuser. Expected: none of company B's values comes back."""
        event = self._consent(self.victim_b, "grant", channel="paper", event_date=CONSENT_DATE)
        snapshot = (
            self.env["hygiene.kpi.snapshot"]
            .sudo()
            .create({"kind": "manual", "company_id": self.company_b.id, "contacts": 987654})
        )
        attempts = [
            ("hyg_user", "hygiene.kpi.snapshot", {"previous_id": snapshot.id}, "987654"),
            ("hyg_user", "hygiene.segment.log", {"consent_id": event.id}, CONSENT_DATE),
            ("hyg_user", "hygiene.consent.state", {"event_id": event.id}, "paper"),
            ("hyg_employee", "hygiene.consent.state", {"event_id": event.id}, "paper"),
        ]
        specs = {
            "hygiene.kpi.snapshot": {"previous_contacts": {}},
            "hygiene.segment.log": {"consent_date": {}, "consent_channel": {}},
            "hygiene.consent.state": {"channel": {}},
        }
        leaks = []
        for login, model, values, secret in attempts:
            result = self._try(login, model, "onchange", [[], values, list(values), specs[model]])
            if secret in str(result):
                leaks.append(f"{login} {model}: {result}")
        self.assertEqual(leaks, [], "company B's values read through related fields")

    def test_hygiene_user_reaches_no_proof_nor_other_company(self):
        """A hygiene user (the lowest role) reaches the consent proof (officers only) through
        ``web_read`` of the contact's consents, ``read_group`` and an ``onchange`` of the
        consent, and another company's contact through the consent wizard's onchange and
        ``default_get`` with a ``default_partner_id``. Expected: refused, or nothing of
        it in the answer."""
        event = self._consent(
            self.jeanne, "grant", ip_address="203.0.113.66", user_agent="pass6-agent"
        )
        self.assertTrue(event)
        leaks = []
        for model, method, args, kwargs in (
            (
                "res.partner",
                "web_read",
                [[self.jeanne.id]],
                {"specification": {"hygiene_consent_ids": {"fields": {"ip_address": {}}}}},
            ),
            ("hygiene.consent", "read_group", [[], ["ip_address"], ["ip_address"]], {}),
            ("hygiene.consent", "onchange", [[event.id], {}, [], {"ip_address": {}}], {}),
            (
                "hygiene.consent.wizard",
                "onchange",
                [
                    [],
                    {"partner_id": self.victim_b.id},
                    ["partner_id"],
                    {"partner_id": {"fields": {"email": {}}}},
                ],
                {},
            ),
            (
                "hygiene.consent.wizard",
                "default_get",
                [["partner_id"]],
                {"context": {"default_partner_id": self.victim_b.id}},
            ),
        ):
            result = self._try("hyg_user", model, method, args, kwargs)
            if any(s in str(result) for s in ("203.0.113.66", self.victim_b.email)):
                leaks.append(f"{model}.{method}")
        self.assertEqual(leaks, [])

    def test_an_officers_personal_default_is_not_readable_by_employees(self):
        """A privacy officer stores a personal default on an officer-only contact field (the
        legal hold reason) over RPC; an employee then reads ``ir.default`` (core lets every
        employee read every row: its record rule is for changes only). Expected: either the
        officer cannot store it, or the employee cannot read its value."""
        stored = self._try(
            "hyg_officer",
            "ir.default",
            "set",
            ["res.partner", "hygiene_hold_reason", HOLD_REASON, True, False],
        )
        _logger.info("pass6 officer default stored: %s", stored)
        rows = self._try(
            "hyg_employee",
            "ir.default",
            "search_read",
            [[], ["json_value", "user_id"]],
        )
        self.assertNotIn(HOLD_REASON, str(rows), "an employee reads an officer-only value")

    # ------------------------------------------------------------------ merge undo

    def _merge_with_children(self, company=None):
        """A Belgian company merged into a French namesake; the Belgian one has a contact with
        a Belgian phone and a delivery address without a country; all of ``company`` if given
        (else shared)."""
        Partner = self.env["res.partner"].with_context(default_company_id=company and company.id)
        fr, be = self.env.ref("base.fr"), self.env.ref("base.be")
        source = Partner.create(
            {
                "name": "Pass6 Undo SA",
                "is_company": True,
                "country_id": be.id,
                "vat": "BE0477472701",
                "email": "contact@pass6-undo.be",
            }
        )
        survivor = Partner.create(
            {
                "name": "Pass6 Undo SA",
                "is_company": True,
                "country_id": fr.id,
                "vat": "FR40303265045",
            }
        )
        person = Partner.create({"name": "Kid Pass6", "parent_id": source.id, "phone": BE_PHONE})
        delivery = Partner.create(
            {"name": "Depot Pass6", "parent_id": source.id, "type": "delivery", "mobile": BE_PHONE}
        )
        journal = survivor.with_user(self.user_steward)._hygiene_merge(
            source, field_values={"email": source.email}
        )
        return journal, survivor, source, person | delivery

    def test_undo_gives_moved_back_contacts_fresh_keys(self):
        """Merge, then undo over RPC as the steward. Expected: the survivor, the source and
        the contacts moved back under it have matching keys equal to a fresh computation,
        and the contacts take their company's VAT again."""
        journal, survivor, source, children = self._merge_with_children()
        for partner in (survivor, source, *children):
            self._assert_keys_fresh(partner, f"after the merge: {partner.name}")
        self._call("hyg_steward", "hygiene.merge.journal", "action_undo", [journal.ids])
        self.assertEqual(journal.state, "undone")
        for partner in (survivor, source, *children):
            self._assert_keys_fresh(partner, f"after the undo: {partner.name}")
        self.assertEqual(children.mapped("parent_id"), source)
        self.assertEqual(set(children.mapped("vat")), {"BE0477472701"})

    def test_undo_refused_to_lower_roles_other_companies_and_twice(self):
        """The undo over RPC by an employee, a hygiene user, a steward of another company
        only, then twice by the steward. Expected: only the steward's first undo runs."""
        journal, __, source, __ = self._merge_with_children(company=self.main)
        self.assertEqual(journal.company_id, self.main)
        for login in ("hyg_employee", "hyg_user", "hyg_steward_p6b"):
            with self.subTest(login=login):
                self._try(login, "hygiene.merge.journal", "action_undo", [journal.ids])
                self.assertEqual(journal.state, "done")
        self.assertTrue(
            self._try("hyg_steward", "hygiene.merge.journal", "action_undo", [journal.ids])
        )
        self.assertEqual(journal.state, "undone")
        self.assertIsNone(
            self._try("hyg_steward", "hygiene.merge.journal", "action_undo", [journal.ids])
        )
        self.assertTrue(source.active)

    def test_erasure_of_a_survivor_reaches_its_merged_contacts(self):
        """A person merged (kept in the undo window), then erased by the privacy officer
        (anonymise). Probed: the merged-away contact, archived with the person's name, email
        and phone, and the undo. Expected: nothing of the person is left on the merged
        contact, and the undo cannot bring the erased values back."""
        Partner = self.env["res.partner"]
        survivor = Partner.create({"name": "Erika Pass6merge", "email": "erika.p6@example.org"})
        source = Partner.create(
            {
                "name": "Erika Pass6merge",
                "email": "erika.pass6.old@example.org",
                "phone": "06 98 76 54 32",
            }
        )
        journal = survivor.with_user(self.user_steward)._hygiene_merge(source)
        self._call("hyg_officer", "res.partner", "action_hygiene_anonymize", [survivor.ids])
        survivor.invalidate_recordset()
        self.assertEqual(survivor.hygiene_retention_state, "anonymized")
        self._try("hyg_steward", "hygiene.merge.journal", "action_undo", [journal.ids])
        self.assertNotEqual(journal.state, "undone")
        left = source.with_context(active_test=False).read(["name", "email", "phone"])[0]
        markers = ("Pass6merge", "erika.pass6.old", "98 76 54 32")
        leaked = [m for m in markers if any(m in str(value) for value in left.values())]
        self.assertEqual(leaked, [], f"the merged contact keeps the erased person's data: {left}")

    def test_undo_keeps_a_rectification_made_since_the_merge(self):
        """The merge gives the survivor a source's phone; the person then has it corrected (a
        steward writes the new number). The undo writes back the survivor's values from before
        the merge. Expected: a value changed since the merge is kept, as the undo already does
        for company-dependent values (a rectification, GDPR Art. 16, is not lost)."""
        Partner = self.env["res.partner"]
        survivor = Partner.create({"name": "Rita Pass6rect", "email": "rita.p6@example.org"})
        source = Partner.create({"name": "Rita Pass6rect", "phone": "06 11 22 33 44"})
        journal = survivor.with_user(self.user_steward)._hygiene_merge(
            source, field_values={"phone": source.phone}
        )
        self.assertEqual(survivor.phone, "06 11 22 33 44")
        self._call(
            "hyg_steward", "res.partner", "write", [survivor.ids, {"phone": "06 55 66 77 88"}]
        )
        self._call("hyg_steward", "hygiene.merge.journal", "action_undo", [journal.ids])
        survivor.invalidate_recordset()
        self.assertEqual(journal.state, "undone")
        self.assertEqual(survivor.phone, "06 55 66 77 88", "the undo overwrote a rectification")
        self._assert_keys_fresh(survivor)

    # ------------------------------------------------------------------ import rows

    def test_import_update_of_a_company_contact(self):
        """A steward's file updates a contact that belongs to a company (``parent_id``): the
        row brings a phone, another country and another company name (a row with another VAT
        number is a different entity: created, not matched). Expected: the contact keeps its
        company link and company, the commercial field (VAT) stays its company's, and its
        matching keys equal a fresh computation."""
        Partner = self.env["res.partner"]
        acme = Partner.create(
            {
                "name": "Acme Pass6",
                "is_company": True,
                "vat": "FR40303265045",
                "country_id": self.env.ref("base.fr").id,
                "company_id": self.main.id,
            }
        )
        julie = Partner.create(
            {"name": "Julie Pass6child", "email": "julie.p6@acme.example", "parent_id": acme.id}
        )
        julie.company_id = self.main
        text = (
            "Nom;Courriel;Téléphone;TVA;Société;Pays\n"
            f"Julie Pass6child;julie.p6@acme.example;{BE_PHONE};FR40303265045;Other P6 SA;BE\n"
        )
        batch = self._staged_file(text)
        line = batch.line_ids
        self.assertEqual(line.match_partner_id, julie)
        line.decision = "update"
        batch.action_commit()
        julie.invalidate_recordset()
        self.assertEqual(julie.parent_id, acme)
        self.assertEqual(julie.company_id, self.main)
        self.assertEqual(julie.vat, acme.vat, "the file forked a commercial field of the company")
        self._assert_keys_fresh(julie, "imported company contact")

    def test_imported_contacts_belong_to_the_batch_company(self):
        """A steward of company B only imports a file into a batch of company B. Expected: the
        contacts it creates are company B's: an employee of the main company cannot read them
        and a main-company import does not match them."""
        text = "Nom;Courriel\nNadia Pass6import;nadia.p6.import@example.org\n"
        batch = self._staged_file(text, user=self.steward_b)
        self.assertEqual(batch.company_id, self.company_b)
        batch.action_commit()
        created = self.env["res.partner"].search([("email", "=", "nadia.p6.import@example.org")])
        self.assertEqual(len(created), 1)
        self.assertEqual(created.company_id, self.company_b, "an import made a shared contact")
        self.assertFalse(
            self._try(
                "hyg_employee",
                "res.partner",
                "search_read",
                [[("id", "=", created.id)], ["email"]],
            )
        )

    # ------------------------------------------------------------------ personal defaults

    def test_personal_defaults_on_orders_do_not_pin_the_retention_clock(self):
        """A salesperson (no hygiene role) stores personal defaults on ``sale.order`` (an order
        date in 2099, the state "sale"), then creates an order for a customer; a second order
        is confirmed and its date written to 2099 afterwards. The addon only reads orders: the
        customers' policy starts at the last confirmed order's date. Expected: a date in the
        future does not count (the start is at most now), so nobody keeps a customer out of
        the retention clock forever (the import already refuses future activity dates)."""
        if "sale.order" not in self.env:
            self.skipTest("sale is not installed")
        policy = self.env.ref("partner_data_hygiene.retention_policy_customers")
        policy.active = True
        self._salesman("hyg_sales_p6")
        customers = self.env["res.partner"].create(
            [
                {"name": f"Pinned Pass6 {how}", "company_id": self.main.id}
                for how in ("by defaults", "by a write after confirm")
            ]
        )
        login, future = "hyg_sales_p6", "2099-01-01 00:00:00"
        for field, value in (("date_order", future), ("state", "sale")):
            self._try(login, "ir.default", "set", ["sale.order", field, value, True, False])
        self._try(login, "sale.order", "create", [{"partner_id": customers[0].id}])
        self.env["ir.default"].sudo().search([("user_id.login", "=", login)]).unlink()
        order = self._call(login, "sale.order", "create", [{"partner_id": customers[1].id}])
        self._call(login, "sale.order", "action_confirm", [[order]])
        self._try(login, "sale.order", "write", [[order], {"date_order": future}])
        self.env.invalidate_all()
        info = policy.sudo()._hygiene_classify(customers.ids)
        now = fields.Datetime.now()
        pinned = {
            customer.name: str(start)
            for customer in customers
            for __, start, __ in [info.get(customer.id, (None, now, None))]
            if start > now
        }
        self.assertEqual(pinned, {}, "an order dated in the future pins the retention clock")
