"""The import writes a new contact's first origin and last activity in its creation (issue 13:
two UPDATEs of every new row saved), with the values the services would set, and that
permission is nobody else's: not a client's over RPC, not outside the import's block."""

import base64
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import SQL

from ..tools.service_fields import allowed_service_fields, service_fields
from .common import HygieneCommon

FILE = (
    "email;prénom;nom;date de création;date dernière commande;date dernier clic\n"
    "lea.first@example.org;Léa;First;2019-04-02;2023-05-06;2024-01-09\n"
    "noe.first@example.org;Noé;First;;2022-11-30;\n"
    "ines.first@example.org;Inès;First;2020-02-02;;\n"
)


@tagged("post_install", "-at_install")
class TestImportFirstValues(HttpCase, HygieneCommon):
    def _import_staged(self, content, user=None):
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(user or self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content.encode()),
                    "raw_filename": "first.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        return batch

    def _import(self, content, user=None):
        batch = self._import_staged(content, user)
        batch.action_commit()
        return batch

    def _partner(self, email):
        return self.env["res.partner"].search([("email", "=", email)])

    def _rows_moved_by_services(self, content):
        """Import ``content``; the rows of res_partner the first-origin and activity services
        rewrote during its commit."""
        moved = []
        origin_class = type(self.env["hygiene.partner.origin"])
        partner_class = type(self.env["res.partner"])
        first_origin = origin_class._update_partner_first_origin
        activities = partner_class._hygiene_register_activities

        def counted(method):
            def wrapper(records, *args):
                result = method(records, *args)
                moved.append(records.env.cr.rowcount)
                return result

            return wrapper

        with (
            patch.object(origin_class, "_update_partner_first_origin", counted(first_origin)),
            patch.object(partner_class, "_hygiene_register_activities", counted(activities)),
        ):
            batch = self._import(content)
        return batch, sum(count for count in moved if count > 0)

    def test_new_contacts_carry_what_the_services_would_set(self):
        batch, moved = self._rows_moved_by_services(FILE)
        self.assertEqual(moved, 0, "new contacts are not rewritten after their creation")
        self.assertEqual(batch.state, "done")
        lea, noe, ines = (
            self._partner(f"{name}.first@example.org") for name in ("lea", "noe", "ines")
        )
        for partner in lea | noe | ines:
            self.assertEqual(partner.hygiene_source_id, self.source_shop)
            self.assertEqual(
                partner.hygiene_collected_date, partner.hygiene_first_origin_id.collected_date
            )
        self.assertEqual(lea.hygiene_collected_date, fields.Datetime.to_datetime("2019-04-02"))
        # the latest of the row's activities, with its source
        self.assertEqual(
            (lea.hygiene_last_activity_date, lea.hygiene_last_activity_source),
            (fields.Datetime.to_datetime("2024-01-09"), "mailing_click"),
        )
        self.assertEqual(noe.hygiene_last_activity_source, "sale_order")
        self.assertFalse(ines.hygiene_last_activity_date, "no activity in the row: none")
        # the services, run again over these contacts, find nothing to change: the values
        # written at creation are theirs
        partners = lea | noe | ines
        self.env["hygiene.partner.origin"]._update_partner_first_origin(partners.ids)
        self.assertEqual(self.env.cr.rowcount, 0, "the first origin was already the partners'")
        events = [
            (lea.id, "2023-05-06", "sale_order"),
            (lea.id, "2024-01-09", "mailing_click"),
            (noe.id, "2022-11-30", "sale_order"),
        ]
        self.env["res.partner"]._hygiene_register_activities(events)
        self.assertEqual(self.env.cr.rowcount, 0, "the last activity was already the partners'")

    def test_updates_do_not_look_up_the_companies_contact_by_contact(self):
        """Each write of a contact made the ORM search the companies whose address follows it
        (one query a contact); the import reads that once for all the contacts it updates."""
        Partner = self.env["res.partner"]
        people = Partner.create(
            [{"name": f"Upd Person {n}", "email": f"upd{n}@example.org"} for n in range(6)]
        )
        # a street each: one write a contact (the same changes would be one write)
        rows = "".join(f"upd{n}@example.org;Upd;Person {n};{n} rue Neuve\n" for n in range(6))
        cursor_class = type(self.env.cr)
        execute = cursor_class.execute
        queries = []

        def counted(cr, query, params=None, log_exceptions=True):
            queries.append(query.code if isinstance(query, SQL) else str(query))
            return execute(cr, query, params, log_exceptions)

        batch = self._import_staged("email;prénom;nom;adresse\n" + rows)
        # a running server has read its company's address (the ORM only looks up what depends
        # on a written contact where it holds values of it)
        self.assertTrue(batch.env.company.city is not None)
        with patch.object(cursor_class, "execute", counted):
            batch.action_commit()
        self.assertEqual(len(set(people.mapped("street"))), 6, "the contacts were updated")
        lookups = [q for q in queries if '"res_company"."partner_id" IN' in q]
        self.assertLessEqual(len(lookups), 1, lookups)

    def test_an_activity_in_the_future_is_still_refused(self):
        future = fields.Date.to_string(
            fields.Date.today().replace(year=fields.Date.today().year + 1)
        )
        batch = self._import(
            "email;prénom;nom;date dernière commande\n"
            f"zoe.future@example.org;Zoé;Future;{future}\n"
            "yan.present@example.org;Yan;Present;2024-03-03\n"
        )
        self.assertFalse(self._partner("zoe.future@example.org"))
        refused = batch.line_ids.filtered(lambda line: line.error_kind)
        self.assertTrue(refused, "the row with an activity in the future is refused")
        self.assertTrue(self._partner("yan.present@example.org"), "the other row is written")

    def test_the_permission_is_the_import_blocks_only(self):
        Partner = self.env["res.partner"].with_user(self.user_steward)
        values = {"name": "Forged Origin", "hygiene_source_id": self.source_fair.id}
        with self.assertRaisesRegex(UserError, "come from its origins"):
            Partner.create(values)
        with self.assertRaises(RuntimeError), service_fields(["hygiene_source_id"]):
            self.assertEqual(allowed_service_fields(), {"hygiene_source_id"})
            raise RuntimeError("a service fails inside the block")
        self.assertEqual(allowed_service_fields(), frozenset(), "reset after a failure")
        with self.assertRaisesRegex(UserError, "cannot be set by hand"):
            Partner.create({"name": "Forged Activity", "hygiene_last_activity_date": "2020-01-01"})

    def test_no_client_reaches_the_import_create_over_rpc(self):
        self.user_steward.password = "hyg_steward"
        self.authenticate("hyg_steward", "hyg_steward")
        for method, args in (
            ("_hygiene_create_imported", [[{"name": "Forged", "hygiene_source_id": 1}]]),
            ("create", [{"name": "Forged", "hygiene_collected_date": "2001-01-01 00:00:00"}]),
        ):
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": "res.partner", "method": method, "args": args, "kwargs": {}},
                )
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Forged")]))

    def test_given_phone_sanitized_and_images_are_what_core_computes(self):
        """The import gives a new contact its ``phone_sanitized`` and its empty resized images
        instead of letting core compute them per contact: the stored values are exactly what
        core's own computes give on the same contacts, for every kind of number a file has."""
        content = (
            "email;prénom;nom;téléphone;portable;pays\n"
            "p1.phone@example.org;Un;Phone;;06 12 34 56 78;\n"
            "p2.phone@example.org;Deux;Phone;01 45 67 89 10;;\n"
            "p3.phone@example.org;Trois;Phone;01 45 67 89 11;0612;\n"
            "p4.phone@example.org;Quatre;Phone;;;\n"
            "p5.phone@example.org;Cinq;Phone;+32 2 511 11 11;0470 12 34 56;BE\n"
            "p6.phone@example.org;Six;Phone;044 668 18 00;;CH\n"
            "p7.phone@example.org;Sept;Phone;12345;;\n"
        )
        batch = self._import(content)
        self.assertEqual(batch.state, "done")
        partners = self.env["res.partner"].search([("email", "=like", "p%.phone@example.org")])
        self.assertEqual(len(partners), 7)
        stored = {partner: partner.phone_sanitized for partner in partners}
        images = {partner: partner.image_128 for partner in partners}
        partners.invalidate_recordset(["phone_sanitized", "image_128"])
        for partner in partners:
            with self.subTest(email=partner.email, phone=partner.phone, mobile=partner.mobile):
                expected = next(
                    (
                        number
                        for name in partner._phone_get_number_fields()
                        if (number := partner._phone_format(fname=name))
                    ),
                    False,
                )
                self.assertEqual(stored[partner], expected)
                self.assertFalse(images[partner])
                self.assertFalse(partner.image_1920)
        self.assertEqual(self._partner("p1.phone@example.org").phone_sanitized, "+33612345678")
