"""Attacker's second pass on what a client leaves for the ORM to add after the addon's checks
(fix 076ca31 and before): context ``default_<field>`` keys and the user's own ``ir.default`` rows.
Probed with the lowest roles over real JSON-RPC sessions. Each test asserts the SAFE behaviour:
a failing test is a hole."""

import base64
import contextlib
import json

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import HygieneCommon, HygieneRpcMixin

EVIDENCE = base64.b64encode(b"%PDF-1.4 signed paper form of Marc Dubois").decode()


@tagged("post_install", "-at_install")
class TestAttackDefaultsPass2(HygieneRpcMixin, HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_user = cls.env.ref("base.user_admin")
        cls.admin_user.password = "admin_atk44"

    # ------------------------------------------------------------------ helpers

    def _field(self, model, name):
        return self.env["ir.model.fields"]._get(model, name)

    def _defaults_on(self, model, name):
        return (
            self.env["ir.default"].sudo().search([("field_id", "=", self._field(model, name).id)])
        )

    def _ir_default_probes(self, row):
        """The employee's other ways to a personal default on a protected field, from their
        own ``row``: name -> (method, args, kwargs) of ``ir.default``."""
        uid = self.user_employee.id
        activity = self._field("res.partner", "hygiene_last_activity_date")
        key = self._field("res.partner", "hygiene_email_key")
        return {
            "copy": ("copy", [row.ids], {"default": {"field_id": activity.id}}),
            "load": (
                "load",
                [
                    ["field_id/.id", "user_id/.id", "json_value"],
                    [[str(key.id), str(uid), json.dumps("forged")]],
                ],
                {},
            ),
            "web_save": (
                "web_save",
                [
                    [],
                    {
                        "field_id": activity.id,
                        "user_id": uid,
                        "json_value": '"2001-01-01"',
                    },
                ],
                {"specification": {}},
            ),
            "condition": (
                "set",
                ["res.partner", "hygiene_retention_state", "anonymized"],
                {"user_id": True, "condition": "name=x"},
            ),
            "company": (
                "set",
                ["res.partner", "hygiene_hold_until", "2099-01-01"],
                {"user_id": True, "company_id": True},
            ),
            "consent": (
                "set",
                ["hygiene.consent", "note", "forged"],
                {"user_id": True},
            ),
        }

    def _inline_probes(self, consent):
        """(values, context) of the contact creations carrying ``consent`` events or origins
        inline: forged proof, system channels, or the same as context defaults."""
        return [
            (
                {"hygiene_consent_ids": [[0, 0, dict(consent, channel="double_opt_in")]]},
                {},
            ),
            (
                {"hygiene_consent_ids": [[0, 0, dict(consent, channel="phone", proven=True)]]},
                {"default_ip_address": "6.6.6.6"},
            ),
            (
                {"hygiene_consent_ids": [[0, 0, dict(consent, channel="phone")]]},
                {"default_channel": "portal"},
            ),
            (
                {"hygiene_consent_ids": [[0, 0, dict(consent, ip_address="6.6.6.6")]]},
                {},
            ),
            (
                {},
                {"default_hygiene_consent_ids": [[0, 0, dict(consent, channel="import")]]},
            ),
            (
                {},
                {
                    "default_hygiene_origin_ids": [
                        [
                            0,
                            0,
                            {
                                "source_id": self.source_fair.id,
                                "collected_date": "2001-01-01",
                            },
                        ]
                    ]
                },
            ),
        ]

    # ------------------------------------------------------------------ ir.default rows

    def test_ir_default_write_moving_a_harmless_row_to_a_system_field(self):
        """Employee: own personal default on res.partner.city, then write its field_id to the
        last activity (with a datetime json_value)."""
        self._set_own_default("hyg_employee", "res.partner", "city", "Lyon")
        row = self._defaults_on("res.partner", "city")
        self.assertEqual(len(row), 1)
        with self.assertRaises(JsonRpcException):
            self._call(
                "hyg_employee",
                "ir.default",
                "write",
                [
                    row.ids,
                    {
                        "field_id": self._field("res.partner", "hygiene_last_activity_date").id,
                        "json_value": json.dumps("2001-01-01 00:00:00"),
                    },
                ],
            )
        self.assertFalse(self._defaults_on("res.partner", "hygiene_last_activity_date"))

    def test_ir_default_copy_load_web_save_condition_on_system_fields(self):
        """Employee: copy of an own row onto a protected field, load (import), web_save, a
        conditional default (``condition``), a company-wide default: each is refused."""
        self._set_own_default("hyg_employee", "res.partner", "city", "Lyon")
        row = self._defaults_on("res.partner", "city")
        probes = self._ir_default_probes(row)
        for name, (method, args, kwargs) in probes.items():
            with self.subTest(probe=name):
                try:
                    result = self._call("hyg_employee", "ir.default", method, args, kwargs)
                except JsonRpcException:
                    continue
                if method == "load":
                    self.assertTrue(result.get("messages"), result)
        protected = self.env["ir.model.fields"].search(
            [
                ("model", "=", "res.partner"),
                ("name", "in", list(self.env["res.partner"]._hygiene_system_fields)),
            ]
        )
        self.assertFalse(
            self.env["ir.default"]
            .sudo()
            .search(
                [
                    "|",
                    ("field_id", "in", protected.ids),
                    ("field_id.model", "=like", "hygiene.%"),
                ]
            )
        )

    def test_ir_default_on_inherited_partner_system_field_of_res_users(self):
        """Employee: a personal default on res.users.hygiene_last_activity_date (the partner's
        field, inherited through _inherits): the same field under another model."""
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._set_own_default(
                "hyg_employee", "res.users", "hygiene_last_activity_date", "2001-01-01 00:00:00"
            )
        self.assertFalse(self._defaults_on("res.users", "hygiene_last_activity_date"))

    def test_portal_user_cannot_store_defaults(self):
        with self.assertRaises(JsonRpcException):
            self._set_own_default("hyg_portal", "res.partner", "city", "Lyon")

    def test_legit_defaults_still_work(self):
        """An employee's context default and personal default on an ordinary field; an
        administrator's default on a hygiene.* field."""
        partner = self.env["res.partner"].browse(
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Legit Ctx ATK"}],
                {"context": {"default_city": "Nantes"}},
            )
        )
        self.assertEqual(partner.city, "Nantes")
        self._set_own_default("hyg_employee", "res.partner", "city", "Lyon")
        partner = self.env["res.partner"].browse(
            self._call("hyg_employee", "res.partner", "create", [{"name": "Legit Default ATK"}])
        )
        self.assertEqual(partner.city, "Lyon")
        self._call(
            self.admin_user.login,
            "ir.default",
            "set",
            ["hygiene.consent", "note", "admin note"],
            {"user_id": False},
            password="admin_atk44",
        )
        self.assertTrue(self._defaults_on("hygiene.consent", "note"))

    # ------------------------------------------------------------------ matching keys

    def test_matching_keys_of_context_default_email_and_phone(self):
        """Employee: create a contact with a name only, its email and phone as context defaults:
        the keys were computed from the values before the ORM added the defaults."""
        partner = self.env["res.partner"].browse(
            self._call(
                "hyg_employee",
                "res.partner",
                "create",
                [{"name": "Hidden Twin ATK"}],
                {
                    "context": {
                        "default_email": "marc.dubois@example.fr",
                        "default_phone": "0611223344",
                    }
                },
            )
        )
        self.assertEqual(partner.email, "marc.dubois@example.fr")
        self.assertEqual(partner.hygiene_email_key, self.marc.hygiene_email_key)
        self.assertTrue(partner.hygiene_phone_key)

    def test_matching_keys_of_personal_default_email(self):
        """Employee: a personal default (ordinary field, allowed) on res.partner.email: every
        contact they create has that email and no email key."""
        self._set_own_default("hyg_employee", "res.partner", "email", "marc.dubois@example.fr")
        partner = self.env["res.partner"].browse(
            self._call("hyg_employee", "res.partner", "create", [{"name": "Hidden Twin 2 ATK"}])
        )
        self.assertEqual(partner.email, "marc.dubois@example.fr")
        self.assertEqual(partner.hygiene_email_key, self.marc.hygiene_email_key)

    def test_matching_keys_of_children_synced_by_an_import_update(self):
        """Steward: an import updates a company's VAT number; core copies it to the company's
        contacts (commercial fields) inside the import's deferred-keys block, whose refresh only
        covers the contacts the rows name."""
        company = self.env["res.partner"].create(
            {
                "name": "Acme Sync ATK",
                "is_company": True,
                "email": "acme.sync@example.org",
            }
        )
        child = self.env["res.partner"].create(
            {
                "name": "Bob Sync ATK",
                "parent_id": company.id,
                "email": "bob.sync@example.org",
            }
        )
        self.assertFalse(child.hygiene_company_key)
        batch = self._import_batch(
            b"email;vat\nacme.sync@example.org;FR23334175221\n", "sync.csv", {"vat": "vat"}
        )
        line = batch.line_ids
        if line.decision != "update":  # the steward's own call on an uncertain match
            line.with_user(self.user_steward).write(
                {"decision": "update", "match_partner_id": company.id}
            )
        batch.action_commit()
        company.invalidate_recordset()
        child.invalidate_recordset()
        self.assertEqual(company.vat, "FR23334175221", "setup: the import did not write the VAT")
        self.assertEqual(child.vat, "FR23334175221")
        self.assertTrue(company.hygiene_company_key)
        self._assert_keys_fresh(child)

    # ------------------------------------------------------------------ system creations

    def test_import_commit_takes_no_context_default_activity(self):
        """Steward: commit (synchronous, small file) with the last activity as context
        defaults: the import creates its contacts inside service_fields(ACTIVITY_FIELDS), so the
        check subtracts them, and the ORM adds the context's values to rows without a date."""
        batch = self._import_batch(b"email;nom\nctx.commit@example.org;Ctx Commit\n", "ctx.csv")
        with contextlib.suppress(JsonRpcException):  # refused is safe too
            self._call(
                "hyg_steward",
                "hygiene.import.batch",
                "action_commit",
                [batch.ids],
                {
                    "context": {
                        "default_hygiene_last_activity_date": "2026-01-01 00:00:00",
                        "default_hygiene_last_activity_source": "sale_order",
                    }
                },
            )
        partner = self.env["res.partner"].search([("email", "=", "ctx.commit@example.org")])
        self.assertFalse(partner.hygiene_last_activity_date)
        self.assertFalse(partner.hygiene_last_activity_source)

    def test_withdrawal_blacklist_not_inactive_by_context_default(self):
        """Hygiene user: a withdrawal of the newsletter blacklists the address (mail.blacklist
        created in sudo, a core model): ``default_active=False`` in the context."""
        self.assertFalse(self._marc_blacklist())
        try:
            self._withdrawal("hyg_user", {"default_active": False})
        except JsonRpcException:
            return
        entry = self._marc_blacklist()
        self.assertTrue(entry, "setup: no blacklist entry for the withdrawal")
        self.assertTrue(entry.active, "the withdrawal's blacklist entry was created archived")

    def test_withdrawal_blacklist_not_inactive_by_personal_default(self):
        """Hygiene user: a personal default mail.blacklist.active = False (not a hygiene.*
        model, not a partner field: allowed), then a withdrawal."""
        try:
            self._set_own_default("hyg_user", "mail.blacklist", "active", False)
            self._withdrawal("hyg_user", {})
        except JsonRpcException:
            return
        entry = self._marc_blacklist()
        self.assertTrue(entry, "setup: no blacklist entry for the withdrawal")
        self.assertTrue(entry.active, "the withdrawal's blacklist entry was created archived")

    def test_consent_evidence_not_made_public_by_context_default(self):
        """Hygiene user: the consent wizard writes the evidence file (officers only) with sudo;
        the ORM creates its attachment in sudo with the client's context: ``default_public``."""
        wizard_id = self._consent_wizard(
            "hyg_user",
            "paper",
            {"context": {"default_public": True}},
            evidence_file=EVIDENCE,
            evidence_filename="form.pdf",
        )
        try:
            self._call(
                "hyg_user",
                "hygiene.consent.wizard",
                "action_record",
                [[wizard_id]],
                {"context": {"default_public": True}},
            )
        except JsonRpcException:
            return
        event = self.env["hygiene.consent"].search(
            [("partner_id", "=", self.marc.id), ("channel", "=", "paper")]
        )
        attachment = event.evidence_attachment_id
        self.assertTrue(attachment, "setup: no evidence stored")
        self.assertFalse(attachment.public, "the evidence of a consent was made public")
        self.logout()
        response = self.url_open(f"/web/content/{attachment.id}")
        self.assertNotIn(b"signed paper form", response.content)

    def test_segment_tag_takes_no_context_default_partners(self):
        """Steward: a segment's first refresh creates its tag in sudo (res.partner.category, a
        core model) with the client's context: ``default_partner_ids`` puts any contact in it,
        past the segment's filter and consent rule."""
        segment_id = self._call(
            "hyg_steward",
            "hygiene.segment",
            "create",
            [
                {
                    "name": "Tag Pass2 ATK",
                    "marketing": False,
                    "domain": f"[('id', '=', {self.marc.id})]",
                }
            ],
        )
        try:
            self._call(
                "hyg_steward",
                "hygiene.segment",
                "action_refresh",
                [[segment_id]],
                {"context": {"default_partner_ids": [[6, 0, [self.jeanne.id]]]}},
            )
        except JsonRpcException:
            return
        segment = self.env["hygiene.segment"].browse(segment_id)
        self.assertTrue(segment.tag_id, "setup: no tag")
        self.assertNotIn(self.jeanne, segment.tag_id.partner_ids)

    # ------------------------------------------------------------------ x2many commands

    def test_inline_consents_and_origins_of_a_contact_checked(self):
        """Hygiene user: res.partner.create / write with hygiene_consent_ids and
        hygiene_origin_ids commands carrying forged proof, system channels, or the same as
        context defaults of the contact's creation."""
        consent = {"purpose_id": self.purpose_newsletter.id, "action": "grant"}
        probes = self._inline_probes(consent)
        for index, (vals, context) in enumerate(probes):
            with self.subTest(probe=index):
                with contextlib.suppress(JsonRpcException):  # refused is safe too
                    self._call(
                        "hyg_user",
                        "res.partner",
                        "create",
                        [dict(vals, name=f"Inline ATK {index}")],
                        {"context": context},
                    )
        partners = self.env["res.partner"].search([("name", "=like", "Inline ATK %")])
        events = partners.hygiene_consent_ids
        self.assertFalse(
            events.filtered(
                lambda e: e.channel in ("double_opt_in", "portal", "import") or e.sudo().ip_address
            )
        )
        origins = partners.hygiene_origin_ids
        self.assertFalse(origins.filtered(lambda o: str(o.collected_date).startswith("2001")))
        with self.assertRaises(JsonRpcException):
            self._call(
                "hyg_user",
                "res.partner",
                "write",
                [
                    [self.marc.id],
                    {"hygiene_consent_ids": [[0, 0, dict(consent, channel="double_opt_in")]]},
                ],
            )
