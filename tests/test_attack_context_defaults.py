"""A context's ``default_<field>`` values reach ``create`` after the addon's checks: the ORM adds
them to the values once every override has run. Found while reviewing issue 13's protected
fields: any RPC client sends a context, so an employee set a contact's last activity, source and
collection date (the retention clock), a consent event's proof and company, and an import's
launching user (whose rights its background chunks run with), that way.
Over real JSON-RPC sessions, each test failed before its fix."""

import base64

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import HygieneCommon, HygieneRpcMixin


@tagged("post_install", "-at_install")
class TestAttackContextDefaults(HygieneRpcMixin, HttpCase, HygieneCommon):
    def _create(self, login, model, vals, context):
        return self._call(login, model, "create", [vals], {"context": context})

    def test_protected_contact_fields_refused_as_context_defaults(self):
        forged = {
            "default_hygiene_last_activity_date": "2001-01-01 00:00:00",
            "default_hygiene_last_activity_source": "sale_order",
            "default_hygiene_source_id": self.source_fair.id,
            "default_hygiene_collected_date": "2001-01-01 00:00:00",
            "default_hygiene_retention_state": "anonymized",
            "default_hygiene_email_key": "someone.else@example.org",
        }
        for login in ("hyg_employee", "hyg_steward"):
            for key, value in forged.items():
                with self.subTest(login=login, key=key), self.assertRaises(JsonRpcException):
                    self._create(login, "res.partner", {"name": "Ctx Forged"}, {key: value})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Ctx Forged")]))
        # an ordinary default still applies
        partner_id = self._create(
            "hyg_employee", "res.partner", {"name": "Ctx Plain"}, {"default_city": "Lyon"}
        )
        self.assertEqual(self.env["res.partner"].browse(partner_id).city, "Lyon")

    def test_consent_proof_and_company_not_taken_from_context_defaults(self):
        other = self.env["res.company"].create({"name": "Other Controller ATK"})
        event_id = self._create(
            "hyg_steward",
            "hygiene.consent",
            {
                "partner_id": self.marc.id,
                "purpose_id": self.purpose_newsletter.id,
                "action": "grant",
                "channel": "web_form",
            },
            {
                "default_ip_address": "6.6.6.6",
                "default_double_optin_date": "2020-01-01 00:00:00",
                "default_source_ref": "forged-proof",
                "default_company_id": other.id,
            },
        )
        event = self.env["hygiene.consent"].browse(event_id)
        self.assertFalse(event.ip_address)
        self.assertFalse(event.double_optin_date)
        self.assertFalse(event.source_ref)
        self.assertEqual(event.company_id, self.marc.company_id)

    def test_origin_dated_before_the_contact_refused_as_context_default(self):
        with self.assertRaises(JsonRpcException):
            self._create(
                "hyg_steward",
                "hygiene.partner.origin",
                {"source_id": self.source_fair.id},
                {
                    "default_partner_id": self.marc.id,
                    "default_collected_date": "2001-01-01 00:00:00",
                },
            )
        self.assertFalse(
            self.marc.hygiene_origin_ids.filtered(lambda o: o.collected_date.year == 2001)
        )

    def test_import_engine_fields_refused_as_context_defaults(self):
        """The launching user and the state drive an import's background work (with whose
        rights, which rows): a steward made an import the administrator's, already staged."""
        admin = self.env.ref("base.user_admin")
        vals = {
            "raw_file": base64.b64encode(b"email\nctx.forged@example.org\n").decode(),
            "raw_filename": "forged.csv",
            "source_id": self.source_shop.id,
        }
        for key, value in (
            ("default_launched_uid", admin.id),
            ("default_state", "staged"),
            ("default_line_count", 5),
        ):
            with self.subTest(key=key), self.assertRaises(JsonRpcException):
                self._create("hyg_steward", "hygiene.import.batch", vals, {key: value})
        self.assertFalse(self.env["hygiene.import.batch"].search([("name", "=", "forged.csv")]))

    def test_segment_system_fields_refused_as_context_defaults(self):
        """A segment's tag and mailing list are the refresh's (it adds and removes their members
        with the system's rights): a user pointed a new segment at another's tag."""
        tag = self.env["res.partner.category"].create({"name": "Someone Else's Tag ATK"})
        vals = {"name": "Ctx Segment ATK", "marketing": False, "domain": "[]"}
        for login in ("hyg_steward", "hyg_manager"):
            with self.subTest(login=login), self.assertRaises(JsonRpcException):
                self._create(login, "hygiene.segment", vals, {"default_tag_id": tag.id})
        Segment = self.env["hygiene.segment"]
        self.assertFalse(Segment.search([("tag_id", "=", tag.id)]))
        # the same segment without the forged default is created
        self.assertTrue(Segment.browse(self._create("hyg_steward", "hygiene.segment", vals, {})))

    def test_privacy_request_system_fields_refused_as_context_defaults(self):
        """The identity check of a request is recorded by its flow, not typed by an officer."""
        vals = {"request_type": "access", "partner_id": self.jeanne.id}
        with self.assertRaises(JsonRpcException):
            self._create(
                "hyg_officer",
                "hygiene.privacy.request",
                vals,
                {"default_identity_verified_date": "2020-01-01 00:00:00"},
            )
        Request = self.env["hygiene.privacy.request"]
        self.assertFalse(Request.search([("identity_verified_date", "=", "2020-01-01 00:00:00")]))
        self.assertTrue(
            Request.browse(self._create("hyg_officer", "hygiene.privacy.request", vals, {}))
        )
