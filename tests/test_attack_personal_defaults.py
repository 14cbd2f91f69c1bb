"""What a client leaves for the ORM to add after the addon's checks: a context's ``default_<field>``
values and the user's own ``ir.default`` rows (any employee stores their own defaults). Found
after issue 13's fix of the context defaults (helper ``attack43``): a consent of a system channel
from a context default, a contact's last activity and retention state from a personal default,
matching keys left stale by a context key, client notes on the origin the system records.
Over real JSON-RPC sessions, each test failed before its fix."""

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from ..models import hygiene_entry_rules as rules
from .common import HygieneCommon, HygieneRpcMixin


@tagged("post_install", "-at_install")
class TestAttackPersonalDefaults(HygieneRpcMixin, HttpCase, HygieneCommon):
    def test_consent_of_a_system_channel_refused_as_context_default(self):
        vals = {
            "partner_id": self.marc.id,
            "purpose_id": self.purpose_newsletter.id,
            "action": "grant",
        }
        for channel in ("double_opt_in", "import", "portal"):
            with self.subTest(channel=channel), self.assertRaises(JsonRpcException):
                self._call(
                    "hyg_steward",
                    "hygiene.consent",
                    "create",
                    [vals],
                    {"context": {"default_channel": channel}},
                )
        self.assertFalse(
            self.env["hygiene.consent"].search(
                [("partner_id", "=", self.marc.id), ("channel", "in", ("double_opt_in", "portal"))]
            )
        )
        # a client channel given as a context default is taken, as any default
        event = self.env["hygiene.consent"].browse(
            self._call(
                "hyg_steward",
                "hygiene.consent",
                "create",
                [vals],
                {"context": {"default_channel": "phone"}},
            )
        )
        self.assertEqual(event.channel, "phone")

    def test_personal_defaults_on_system_fields_refused(self):
        cases = [
            ("hyg_employee", "res.partner", "hygiene_last_activity_date", "2001-01-01 00:00:00"),
            ("hyg_employee", "res.partner", "hygiene_retention_state", "anonymized"),
            ("hyg_steward", "res.partner", "hygiene_collected_date", "2001-01-01 00:00:00"),
            ("hyg_steward", "hygiene.consent", "ip_address", "6.6.6.6"),
            ("hyg_steward", "hygiene.consent", "channel", "double_opt_in"),
            ("hyg_steward", "hygiene.import.batch", "launched_uid", 2),
            ("hyg_steward", "hygiene.merge.journal", "partner_id", self.marc.id),
            ("hyg_officer", "hygiene.privacy.request", "identity_verified_date", "2020-01-01"),
        ]
        for login, model, field_name, value in cases:
            with self.subTest(field=f"{model}.{field_name}"), self.assertRaises(JsonRpcException):
                self._set_own_default(login, model, field_name, value)
        self.assertFalse(
            self.env["ir.default"].search(
                [("field_id.model", "in", ("hygiene.consent", "hygiene.merge.journal"))]
            )
        )
        # an ordinary personal default is still the user's to set
        self._set_own_default("hyg_employee", "res.partner", "city", "Lyon")
        self.assertTrue(
            self.env["ir.default"].search([("field_id.name", "=", "city")]).user_id.login
            == "hyg_employee"
        )

    def test_personal_defaults_stored_earlier_do_not_reach_the_records(self):
        """Rows stored before the refusal: the creation checks count them as the client's."""
        self._stored_default(
            "hyg_employee", "res.partner", "hygiene_last_activity_date", "2001-01-01 00:00:00"
        )
        with self.assertRaises(JsonRpcException):
            self._call("hyg_employee", "res.partner", "create", [{"name": "Default Forged"}])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Default Forged")]))
        self._stored_default("hyg_steward", "hygiene.consent", "ip_address", "6.6.6.6")
        with self.assertRaises(JsonRpcException):
            self._call(
                "hyg_steward",
                "hygiene.consent",
                "create",
                [
                    {
                        "partner_id": self.marc.id,
                        "purpose_id": self.purpose_newsletter.id,
                        "action": "grant",
                        "channel": "web_form",
                    }
                ],
            )
        self.assertFalse(self.env["hygiene.consent"].search([("ip_address", "=", "6.6.6.6")]))

    def test_matching_keys_not_left_stale_by_a_context_key(self):
        """The keys a write changes are refreshed: a client asking to defer them hid a contact
        from the duplicate scan behind its old email."""
        self._call(
            "hyg_steward",
            "res.partner",
            "write",
            [[self.marc.id], {"email": "marc.new.address@example.org"}],
            {"context": {"hygiene_defer_keys": True}},
        )
        self.marc.invalidate_recordset()
        self.assertIn("marc.new.address", self.marc.hygiene_email_key or "")

    def test_origin_recorded_by_the_system_takes_no_client_defaults(self):
        """The address as typed goes to an origin the system creates: the client's context
        defaults (its note, its source reference, its date) do not land on it."""
        self.env["ir.config_parameter"].sudo().set_param(rules.PARAM_ADDRESS_STANDARD, "True")
        partner_id = self._call(
            "hyg_employee",
            "res.partner",
            "create",
            [
                {
                    "name": "Typed Address ATK",
                    "country_id": self.env.ref("base.fr").id,
                    "street": "rue de la Paix, 12",
                    "zip": "75002",
                    "city": "Paris",
                }
            ],
            {
                "context": {
                    "default_note": "forged note",
                    "default_source_ref": "forged-ref",
                    "default_source_id": self.source_fair.id,
                }
            },
        )
        origin = self.env["res.partner"].browse(partner_id).hygiene_origin_ids
        self.assertEqual(len(origin), 1)
        self.assertIn("rue de la Paix, 12", origin.hygiene_original_values)
        self.assertFalse(origin.note)
        self.assertFalse(origin.source_ref)
        self.assertEqual(origin.source_id, self.env.ref("partner_data_hygiene.source_manual"))
