"""An attacker's pass on the service fields of the import (issue 13): the protected fields of
``res.partner`` that the import now writes in the INSERT of its new contacts
(``tools/service_fields.py``), and the precomputed company of a consent event. Probed with the
lowest roles (employee, steward, portal) over real JSON-RPC sessions and through the product's
own import flow. Each test is a probe that must stay blocked."""

import base64
import contextlib
import threading
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from ..tools.service_fields import allowed_service_fields, service_fields
from .common import HygieneCommon

PROTECTED = {
    "hygiene_last_activity_date": "2001-01-01 00:00:00",
    "hygiene_last_activity_source": "sale_order",
    "hygiene_collected_date": "2001-01-01 00:00:00",
}


@tagged("post_install", "-at_install")
class TestAttackServiceFields(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user, password in (
            (cls.user_employee, "hyg_employee"),
            (cls.user_steward, "hyg_steward"),
            (cls.user_portal, "hyg_portal"),
        ):
            user.password = password

    # ------------------------------------------------------------------ helpers

    def _call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _protected_vals(self, name):
        return dict(PROTECTED, name=name, hygiene_source_id=self.source_fair.id)

    def _import(self, content, user=None, mapping=None, commit=True, stage=True):
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(user or self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content.encode()),
                    "raw_filename": "attack.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        if mapping:
            for column, target in mapping.items():
                batch.mapping_ids.filtered(lambda m, c=column: m.column == c).write(
                    {"target": target}
                )
        if not stage:
            return batch
        batch.action_stage()
        if commit:
            batch.action_commit()
        return batch

    def _partner(self, email):
        return (
            self.env["res.partner"].with_context(active_test=False).search([("email", "=", email)])
        )

    # ------------------------------------------------------------------ 1. RPC

    def test_rpc_never_reaches_the_service_block(self):
        """Private methods that end in the block (or build its values) are refused over RPC,
        and every public create path refuses the protected fields, for each low role."""
        for login in ("hyg_employee", "hyg_steward", "hyg_portal"):
            self.authenticate(login, login)
            probes = [
                ("res.partner", "_hygiene_create_imported", [[self._protected_vals("Forged A")]]),
                ("res.partner", "create", [self._protected_vals("Forged B")]),
                ("res.partner", "create", [[self._protected_vals("Forged B")]]),
                ("res.partner", "web_save", [[], self._protected_vals("Forged C")]),
                (
                    "res.partner",
                    "load",
                    [
                        ["name", "hygiene_collected_date", "hygiene_last_activity_date"],
                        [["Forged D", "2001-01-01 00:00:00", "2001-01-01 00:00:00"]],
                    ],
                ),
                (
                    "res.partner",
                    "create",
                    [
                        {
                            "name": "Forged Parent",
                            "child_ids": [[0, 0, self._protected_vals("Forged Child")]],
                        }
                    ],
                ),
                ("hygiene.import.batch", "_apply_contact_lines", [[], []]),
                ("hygiene.import.batch", "_first_values", [[], {}, "2001-01-01"]),
                ("hygiene.import.batch", "_commit_chunk", [[], 10]),
            ]
            for model, method, args in probes:
                with self.subTest(login=login, model=model, method=method):
                    try:
                        result = self._call(model, method, args)
                    except JsonRpcException:
                        continue
                    # load() reports its errors in its answer instead of raising
                    self.assertEqual(method, "load", f"{method} answered {result!r}")
                    self.assertFalse(result.get("ids"), result)
        self.assertFalse(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=like", "Forged%")])
        )
        self.assertEqual(allowed_service_fields(), frozenset())

    def test_rpc_write_of_protected_fields_refused(self):
        """``write`` never subtracts the service fields: a steward cannot set them on an
        existing contact, over RPC, even right after running an import in the same session."""
        self.authenticate("hyg_steward", "hyg_steward")
        for name, value in PROTECTED.items():
            with self.subTest(field=name), self.assertRaises(JsonRpcException):
                self._call("res.partner", "write", [[self.marc.id], {name: value}])
        with self.assertRaises(JsonRpcException):
            self._call(
                "res.partner", "write", [[self.marc.id], {"hygiene_source_id": self.source_fair.id}]
            )
        self.marc.invalidate_recordset()
        self.assertFalse(self.marc.hygiene_last_activity_date)
        self.assertNotEqual(self.marc.hygiene_source_id, self.source_fair)

    # ------------------------------------------------------------------ 2. import file

    def test_file_columns_named_as_protected_fields_are_ignored(self):
        """Columns named after the protected fields, or a mapping target forged to one, never
        reach the creation: only the row's origin and activity dates do."""
        batch = self._import(
            "email;nom;hygiene_source_id;hygiene_collected_date;hygiene_last_activity_date;"
            "hygiene_last_activity_source\n"
            f"col.forge@example.org;Forge;{self.source_fair.id};2001-01-01;2001-01-01;"
            "sale_order\n",
            stage=False,
        )
        targets = batch.mapping_ids.filtered(lambda m: m.column.startswith("hygiene_")).mapped(
            "target"
        )
        # "last activity" is a synonym of the file's visit date: a legitimate activity column
        self.assertFalse(set(targets) - {False, "last_visit_date"}, targets)
        # a forged target: refused, or stored and then ignored by the staging and the commit
        for mapping in batch.mapping_ids.with_user(self.user_steward):
            if mapping.column.startswith("hygiene_"):
                with contextlib.suppress(ValueError), self.cr.savepoint():
                    mapping.write({"target": mapping.column})
                    mapping.flush_recordset()
        batch.with_user(self.user_steward).action_stage()
        batch.with_user(self.user_steward).action_commit()
        partner = self._partner("col.forge@example.org")
        self.assertTrue(partner)
        self.assertEqual(partner.hygiene_source_id, self.source_shop, "the batch's source only")
        self.assertNotEqual(
            partner.hygiene_collected_date, fields.Datetime.to_datetime("2001-01-01")
        )
        # the only activity is the visit date column's, with its own source
        self.assertIn(partner.hygiene_last_activity_source, (False, "history"))

    def test_steward_file_leaves_existing_contacts_clock(self):
        """An existing contact matched by a steward's row keeps its collection date and last
        activity (only an officer moves them), also when the row is a duplicate in the file
        merged into a row that updates it."""
        marc = self.marc
        before = (marc.hygiene_collected_date, marc.hygiene_last_activity_date)
        self._import(
            "email;nom;date de création;date dernière commande;derniere visite\n"
            "marc.dubois@example.fr;Marc Dubois;2001-01-01;2024-01-01;2024-02-02\n"
            "marc.dubois@example.fr;Marc Dubois;2002-02-02;2024-03-03;2024-04-04\n"
        )
        marc.invalidate_recordset()
        # no activity date of the file, no collection date before the contact existed (a
        # contact with no origin gets the import's "now" as its first origin: as before e9378d2)
        self.assertEqual(marc.hygiene_last_activity_date, before[1])
        self.assertGreaterEqual(marc.hygiene_collected_date or marc.create_date, marc.create_date)
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=", "marc.dubois@example.fr")]), 1
        )

    def test_steward_forced_create_of_a_matched_row(self):
        """A steward who turns an update into a create gets a NEW contact with the row's dates;
        the matched contact's clock does not move."""
        marc = self.marc
        before = (marc.hygiene_collected_date, marc.hygiene_last_activity_date)
        batch = self._import(
            "email;nom;date de création;date dernière commande\n"
            "marc.dubois@example.fr;Marc Dubois;2001-01-01;2024-01-01\n",
            commit=False,
        )
        line = batch.line_ids.with_user(self.user_steward)
        self.assertEqual(line.match_partner_id, marc)
        line.action_set_create()
        batch.with_user(self.user_steward).action_commit()
        marc.invalidate_recordset()
        self.assertEqual((marc.hygiene_collected_date, marc.hygiene_last_activity_date), before)
        new = line.result_partner_id
        self.assertTrue(new and new != marc, "a new contact, with the row's own dates")
        self.assertEqual(new.hygiene_collected_date, fields.Datetime.to_datetime("2001-01-01"))

    def test_future_or_offset_dates_never_reach_the_creation(self):
        """A collection or activity date in the future (plain, with a time zone offset, as an
        Excel serial, two-digit year) is refused; no new contact carries a date after now."""
        future = fields.Datetime.now() + timedelta(days=400)
        serial = (future - fields.Datetime.to_datetime("1899-12-30")).days
        rows = [
            f"{future:%Y-%m-%d}",
            f"{future:%Y-%m-%dT%H:%M:%S}+14:00",
            f"{future:%Y-%m-%d %H:%M:%S}",
            f"{future:%d/%m/%Y}",
            str(serial),
        ]
        content = "email;nom;date de création;date dernière commande\n" + "".join(
            f"fut{index}.c@example.org;C;{value};\nfut{index}.a@example.org;A;;{value}\n"
            for index, value in enumerate(rows)
        )
        self._import(content)
        now = fields.Datetime.now()
        partners = self.env["res.partner"].search([("email", "=like", "fut%@example.org")])
        for partner in partners:
            with self.subTest(email=partner.email):
                self.assertLessEqual(partner.hygiene_collected_date or now, now)
                self.assertLessEqual(partner.hygiene_last_activity_date or now, now)
                self.assertLessEqual(partner.hygiene_first_origin_id.collected_date or now, now)

    def test_employee_and_portal_cannot_run_an_import(self):
        for user in (self.user_employee, self.user_portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._import("email;nom\nno.import@example.org;No\n", user=user)
        self.assertFalse(self._partner("no.import@example.org"))

    # ------------------------------------------------------------------ 3. leaks

    def test_block_does_not_leak(self):
        """The permission is reset after a failing create, does not cross threads, and a
        refused chunk (retried line by line) leaves nothing behind."""
        Partner = self.env["res.partner"].with_user(self.user_steward)
        failed = False
        try:
            with self.cr.savepoint():
                Partner._hygiene_create_imported([{"name": False, "type": "contact"}])
        except Exception:  # noqa: BLE001 - any refusal of the create inside the block
            failed = True
        self.assertTrue(failed, "a contact without a name is refused")
        self.assertEqual(allowed_service_fields(), frozenset())
        seen = []
        with service_fields(["hygiene_source_id"]):
            thread = threading.Thread(target=lambda: seen.append(allowed_service_fields()))
            thread.start()
            thread.join()
        self.assertEqual(seen, [frozenset()], "another thread (request) never inherits it")
        # nested blocks restore the outer set
        with service_fields(["hygiene_source_id"]):
            with service_fields(["hygiene_collected_date"]):
                pass
            self.assertEqual(allowed_service_fields(), {"hygiene_source_id"})
        self.assertEqual(allowed_service_fields(), frozenset())
        # an import whose chunk is refused (future activity) then a plain create
        future = fields.Date.to_string(fields.Date.today() + timedelta(days=400))
        self._import(
            "email;nom;date dernière commande\n"
            f"leak.a@example.org;A;{future}\nleak.b@example.org;B;2020-01-01\n"
        )
        self.assertEqual(allowed_service_fields(), frozenset())
        with self.assertRaises(UserError):
            Partner.create(self._protected_vals("After Import"))

    def test_rpc_after_an_import_in_the_same_server(self):
        """A steward commits an import over RPC; the next requests (steward, employee) still
        cannot create a contact with protected values."""
        self.authenticate("hyg_steward", "hyg_steward")
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(b"email;nom\nrpc.imp@example.org;Rpc\n"),
                    "raw_filename": "rpc.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        for method in ("action_read_file", "action_stage", "action_commit"):
            self._call("hygiene.import.batch", method, [[batch.id]])
        for login in ("hyg_steward", "hyg_employee"):
            self.authenticate(login, login)
            with self.subTest(login=login), self.assertRaises(JsonRpcException):
                self._call("res.partner", "create", [self._protected_vals("Forged After")])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Forged After")]))

    def test_creates_nested_in_the_block_take_no_client_values(self):
        """Inside the block only the rows built by the import are created: a contact created
        by another path in the same request (a child in the values) is still checked when the
        block is not active, and the import's values hold no nested commands."""
        batch = self._import(
            "email;nom;societe;adresse\n"
            "nest.a@example.org;Nest;ACME Nest;[[0, 0, {'name': 'x'}]]\n",
            commit=True,
        )
        partner = self._partner("nest.a@example.org")
        self.assertTrue(partner)
        self.assertFalse(partner.child_ids)
        self.assertEqual(batch.state, "done")

    # ------------------------------------------------------------------ 4. consent company

    def test_consent_company_cannot_be_forged(self):
        """``company_id`` of a consent event (read by the multi-company rules) is precomputed
        from the contact: a client that sends one is refused, over RPC, for each role."""
        other = self.env["res.company"].create({"name": "Other Co (attack)"})
        partner = self.env["res.partner"].create({"name": "Consent Target"})
        vals = {
            "partner_id": partner.id,
            "purpose_id": self.purpose_newsletter.id,
            "action": "grant",
            "channel": "phone",
            "company_id": other.id,
        }
        for login in ("hyg_employee", "hyg_steward", "hyg_portal"):
            self.authenticate(login, login)
            for method, args in (("create", [vals]), ("web_save", [[], vals])):
                with self.subTest(login=login, method=method), self.assertRaises(JsonRpcException):
                    self._call("hygiene.consent", method, args)
        self.assertFalse(
            self.env["hygiene.consent"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", other.id)]
            )
        )
        # without the forged key the event takes the contact's company
        partner.company_id = self.env.company
        event = (
            self.env["hygiene.consent"]
            .with_user(self.user_steward)
            .create({key: value for key, value in vals.items() if key != "company_id"})
        )
        self.assertEqual(event.company_id, self.env.company)
