"""Field visibility per role (issue 19, point 4), over real HTTP sessions: each restricted field
of a contact, read (and searched on) through ``/web/dataset/call_kw`` by a portal user, a plain
employee and each of the four hygiene roles, is served or refused exactly as the README's "Who
can do what" says."""

import base64
import json

from odoo.tests import HttpCase, tagged

from .common import HygieneCommon

ROLES = ("portal", "employee", "user", "steward", "officer", "manager")
# (model, field) -> lowest role that reads it (higher roles hold the rights of the lower ones)
VISIBILITY = {
    ("res.partner", "hygiene_birthdate"): "user",
    ("res.partner", "hygiene_origin_ids"): "user",
    ("res.partner", "hygiene_consent_ids"): "user",
    ("hygiene.consent", "ip_address"): "officer",
    ("hygiene.consent", "user_agent"): "officer",
    ("hygiene.consent", "page_url"): "officer",
    ("hygiene.consent", "source_ref"): "officer",
    ("hygiene.consent", "evidence_attachment_id"): "officer",
    ("hygiene.consent", "evidence_file"): "officer",
    ("hygiene.partner.origin", "source_ref"): "user",
    ("hygiene.partner.origin", "note"): "steward",
    ("hygiene.partner.origin", "hygiene_original_values"): "steward",
}
# Fields every internal user reads (not restricted): the control that the test can pass.
OPEN_FIELDS = {("res.partner", "name"): "portal", ("res.partner", "hygiene_siret"): "portal"}


@tagged("post_install", "-at_install")
class TestFieldVisibilityHttp(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logins = {
            "portal": cls.user_portal,
            "employee": cls.user_employee,
            "user": cls.user_hygiene,
            "steward": cls.user_steward,
            "officer": cls.user_officer,
            "manager": cls.user_manager,
        }
        for user in cls.logins.values():
            user.password = user.login
        # the portal user's own contact: a record a portal user may read at all
        cls.person = cls.user_portal.partner_id
        cls.person.sudo().write({"hygiene_birthdate": "1980-05-04", "hygiene_siret": False})
        cls.consent = (
            cls.env["hygiene.consent"]
            .sudo()
            .create(
                {
                    "partner_id": cls.person.id,
                    "purpose_id": cls.purpose_newsletter.id,
                    "action": "grant",
                    "channel": "paper",
                    "ip_address": "192.0.2.7",
                    "user_agent": "Mozilla/5.0",
                    "page_url": "https://example.com/form",
                    "source_ref": "salon.csv:12",
                    "evidence_file": base64.b64encode(b"signed form"),
                }
            )
        )
        cls.origin = (
            cls.env["hygiene.partner.origin"]
            .sudo()
            .create(
                {
                    "partner_id": cls.person.id,
                    "source_id": cls.source_fair.id,
                    "source_ref": "F-1",
                    "note": "salon.csv:12",
                    "hygiene_original_values": "Address as typed: rue de la Paix, 12",
                }
            )
        )

    def _records(self, model):
        return {
            "res.partner": self.person,
            "hygiene.consent": self.consent,
            "hygiene.partner.origin": self.origin,
        }[model]

    def _call(self, role, model, method, args, kwargs=None):
        """``ok`` with the result, or ``refused`` when the server answers with an AccessError."""
        self.authenticate(self.logins[role].login, self.logins[role].login)
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
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        body = response.json()
        if "error" in body:
            name = body["error"]["data"]["name"]
            if name == "odoo.exceptions.AccessError":
                return "refused", None
            raise AssertionError(f"{role} {model}.{method}: {name}")
        return "ok", body["result"]

    def _expected(self, lowest, role):
        return "ok" if ROLES.index(role) >= ROLES.index(lowest) else "refused"

    def test_each_restricted_field_as_each_role(self):
        wrong = {}
        for (model, field), lowest in {**VISIBILITY, **OPEN_FIELDS}.items():
            record = self._records(model)
            for role in ROLES:
                outcome, result = self._call(role, model, "read", [record.ids, [field]])
                if outcome == "ok":
                    self.assertIn(field, result[0], "a read that succeeds returns the field")
                if outcome != self._expected(lowest, role):
                    wrong[model, field, role] = outcome
        self.assertFalse(wrong, "reads whose outcome differs from the table")

    def test_restricted_fields_cannot_be_searched_by_lower_roles(self):
        """A search on a field one may not read would tell its values one guess at a time."""
        for (model, field), lowest in (
            (("res.partner", "hygiene_birthdate"), "user"),
            (("hygiene.consent", "ip_address"), "officer"),
            (("hygiene.partner.origin", "hygiene_original_values"), "steward"),
        ):
            for role in ROLES:
                outcome, result = self._call(role, model, "search_count", [[(field, "!=", False)]])
                self.assertEqual(outcome, self._expected(lowest, role), (model, field, role))
                if outcome == "ok":
                    self.assertGreaterEqual(result, 1)

    def test_evidence_file_not_served_to_lower_roles(self):
        """The evidence file's attachment is not downloadable by who may not read the field."""
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "hygiene.consent"),
                    ("res_id", "=", self.consent.id),
                    ("res_field", "=", "evidence_file"),
                ]
            )
        )
        self.assertTrue(attachment)
        for role in ("employee", "user", "steward"):
            self.authenticate(self.logins[role].login, self.logins[role].login)
            response = self.url_open(f"/web/content/{attachment.id}")
            self.assertNotEqual(response.status_code, 200, role)
            self.assertNotIn(b"signed form", response.content)
        self.authenticate("hyg_officer", "hyg_officer")
        response = self.url_open(f"/web/content/{attachment.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"signed form")
