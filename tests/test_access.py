"""Access rights of the data-hygiene roles: ACL matrix, proof fields, append-only ledger."""

import itertools

from lxml import etree

from odoo import SUPERUSER_ID, Command, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HygieneCommon

OPERATIONS = ("create", "read", "write", "unlink")
LETTER = {"create": "c", "read": "r", "write": "w", "unlink": "u"}
ROLES = ("employee", "user", "steward", "officer", "manager")
LADDER = ("user", "steward", "officer", "manager")

# What each role may do on each model of the addon, as security/ir.model.access.csv grants it.
# The roles form a ladder (user < steward < officer < manager) and each one holds the rights of
# the roles below it; "employee" is an internal user without any hygiene role.
# c = create, r = read, w = write, u = unlink; "" = no access at all.
# fmt: off
EXPECTED_ACCESS = {
    # model                      employee  user    steward  officer  manager
    "hygiene.source":            ("",      "r",    "crw",   "crw",   "crwu"),
    "hygiene.partner.origin":    ("",      "r",    "crw",   "crw",   "crwu"),
    "hygiene.purpose":           ("",      "r",    "r",     "crw",   "crwu"),
    "hygiene.purpose.wording":   ("",      "r",    "r",     "crwu",  "crwu"),
    "hygiene.consent":           ("",      "cr",   "cr",    "cr",    "cr"),
    "hygiene.consent.state":     ("",      "r",    "r",     "r",     "r"),
    "hygiene.consent.wizard":    ("",      "crwu", "crwu",  "crwu",  "crwu"),
    "hygiene.suppression":       ("",      "",     "",      "r",     "ru"),
    "hygiene.suppression.lookup": ("",     "",     "",      "crwu",  "crwu"),
    "hygiene.duplicate.group":   ("",      "r",    "rwu",   "rwu",   "rwu"),
    "hygiene.duplicate.exclusion": ("",    "r",    "cr",    "cr",    "crwu"),
    "hygiene.merge.journal":     ("",      "",     "r",     "r",     "ru"),
    "hygiene.duplicate.merge.wizard": ("",  "",     "crwu",  "crwu",  "crwu"),
    "hygiene.duplicate.compare": ("",      "",     "crwu",  "crwu",  "crwu"),
    "hygiene.duplicate.compare.line": ("",  "",     "crwu",  "crwu",  "crwu"),
    "hygiene.retention.policy":  ("",      "",     "r",     "crwu",  "crwu"),
    "hygiene.journal":           ("",      "",     "",      "r",     "r"),
    "hygiene.import.batch":      ("",      "",     "crwu",  "crwu",  "crwu"),
    "hygiene.import.line":       ("",      "",     "rw",    "rw",    "rwu"),
    "hygiene.import.preset":     ("",      "",     "crw",   "crw",   "crwu"),
    "hygiene.import.mapping":    ("",      "",     "crwu",  "crwu",  "crwu"),
    "hygiene.import.sheet":      ("",      "",     "crwu",  "crwu",  "crwu"),
    "hygiene.repermission":      ("",      "",     "",      "r",     "r"),
    "hygiene.retention.preview": ("",      "",     "",      "crwu",  "crwu"),
    "hygiene.retention.preview.line": ("",  "",     "",      "crwu",  "crwu"),
    # control step (issue 18): written by the system, read by every role; segments by stewards
    "hygiene.partner.score":     ("",      "r",    "r",     "r",     "r"),
    "hygiene.rfm.history":       ("",      "r",    "r",     "r",     "r"),
    "hygiene.kpi.snapshot":      ("",      "r",    "r",     "r",     "ru"),
    "hygiene.kpi.value":         ("",      "r",    "r",     "r",     "r"),
    "hygiene.kpi.cause":         ("",      "r",    "r",     "r",     "r"),
    "hygiene.optout":            ("",      "r",    "r",     "r",     "r"),
    "hygiene.segment":           ("",      "r",    "crw",   "crw",   "crwu"),
    "hygiene.segment.member":    ("",      "r",    "r",     "r",     "r"),
    "hygiene.segment.log":       ("",      "r",    "r",     "r",     "r"),
    "hygiene.mailing.consent":   ("",      "",     "",      "r",     "r"),
    "hygiene.privacy.request":   ("",      "",     "",      "crw",   "crwu"),
    "hygiene.processing.activity": ("",    "",     "",      "crw",   "crwu"),
    "hygiene.breach":            ("",      "",     "",      "crw",   "crwu"),
    "hygiene.export.log":        ("",      "",     "",      "r",     "ru"),
    # check-your-details requests (issue 19): written by their engine only
    "hygiene.details.request":   ("",      "",     "r",     "r",     "ru"),
    "hygiene.details.proposal":  ("",      "",     "r",     "r",     "ru"),
    # the chunked scan's work queue (issue 16): written by the scan (sudo), its progress read by
    # managers
    "hygiene.scan.run":          ("",      "",     "",      "",      "r"),
    "hygiene.scan.chunk":        ("",      "",     "",      "",      "r"),
}
# fmt: on

# The ledger and the suppression list refuse any change before the ACL is even checked: a
# UserError for every role.
LEDGER_GUARDED = {
    ("hygiene.consent", "write"): "append-only",
    ("hygiene.consent", "unlink"): "append-only",
    ("hygiene.suppression", "write"): "cannot be changed",
    ("hygiene.journal", "write"): "cannot be modified",
    ("hygiene.journal", "unlink"): "cannot be deleted",
}

PROOF_FIELDS = (
    "ip_address",
    "user_agent",
    "page_url",
    "evidence_attachment_id",
    "double_optin_date",
    "source_ref",
)

# Fields of res.partner reserved to the hygiene roles.
PARTNER_HYGIENE_FIELDS = (
    "hygiene_origin_ids",
    "hygiene_first_origin_id",
    "hygiene_latest_origin_id",
    "hygiene_consent_ids",
    "hygiene_consent_state_ids",
    "hygiene_granted_purpose_ids",
)


def _group(level):
    return f"partner_data_hygiene.group_hygiene_{level}"


def _allowed(model, role, operation):
    return LETTER[operation] in EXPECTED_ACCESS[model][ROLES.index(role)]


@tagged("post_install", "-at_install")
class TestAccessRights(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users = {
            "employee": cls.user_employee,
            "user": cls.user_hygiene,
            "steward": cls.user_steward,
            "officer": cls.user_officer,
            "manager": cls.user_manager,
        }
        cls.sequence = itertools.count(1)

    # ------------------------------------------------------------ helpers

    def _unique(self, prefix):
        return f"{prefix}_{next(self.sequence)}"

    def _create_values(self, model):  # noqa: C901 - one branch per model
        """Valid values to create a record of ``model``."""
        if model == "hygiene.source":
            return {"name": "ACL source", "code": self._unique("acl_source")}
        if model == "hygiene.partner.origin":
            return {"partner_id": self.marc.id, "source_id": self.source_shop.id}
        if model == "hygiene.purpose":
            return {"name": "ACL purpose", "code": self._unique("acl_purpose")}
        if model == "hygiene.purpose.wording":
            return {
                "purpose_id": self.purpose_sms.id,
                "version": self._unique("acl"),
                "text": "I agree to be tested.",
            }
        if model == "hygiene.consent":
            return {
                "partner_id": self.marc.id,
                "purpose_id": self.purpose_sms.id,
                "action": "grant",
                "channel": "phone",
            }
        if model == "hygiene.consent.state":
            return {
                "partner_id": self.jeanne.id,
                "purpose_id": self.env.ref("partner_data_hygiene.purpose_profiling").id,
                "state": "granted",
            }
        if model == "hygiene.consent.wizard":
            return {"partner_id": self.marc.id, "purpose_id": self.purpose_sms.id}
        if model == "hygiene.suppression":
            return {"value_hash": self._unique("hash"), "kind": "email", "reason": "erasure"}
        if model == "hygiene.suppression.lookup":
            return {"email": "someone@example.fr"}
        if model == "hygiene.duplicate.group":
            return {"partner_ids": [(6, 0, (self.jeanne | self.marc).ids)], "score": 0.9}
        if model == "hygiene.duplicate.merge.wizard":
            return {"min_score": 0.99}
        if model == "hygiene.duplicate.compare":
            group = self.env["hygiene.duplicate.group"].create(
                {"partner_ids": [(6, 0, (self.jeanne | self.marc).ids)], "score": 0.9}
            )
            return {"group_id": group.id, "survivor_id": self.jeanne.id}
        if model == "hygiene.duplicate.compare.line":
            wizard = self.env["hygiene.duplicate.compare"].create(
                self._create_values("hygiene.duplicate.compare")
            )
            return {"wizard_id": wizard.id, "field_name": "phone"}
        if model == "hygiene.merge.journal":
            return {"survivor_id": self.jeanne.id}
        if model == "hygiene.duplicate.exclusion":
            partner = self.env["res.partner"].create({"name": self._unique("excluded")})
            return {"partner_low_id": self.jeanne.id, "partner_high_id": partner.id}
        if model == "hygiene.retention.policy":
            return {"name": "ACL policy", "domain": "[('is_company', '=', True)]"}
        if model == "hygiene.journal":
            return {"operation": "anonymize", "record_ids": [self.marc.id]}
        if model.startswith("hygiene.import."):
            return self._import_create_values(model)
        if model == "hygiene.repermission":
            return {"partner_id": self.marc.id}
        if model == "hygiene.details.request":
            return {"partner_id": self.marc.id}
        if model == "hygiene.details.proposal":
            request = (
                self.env["hygiene.details.request"].sudo().create({"partner_id": self.marc.id})
            )
            return {"request_id": request.id, "field_name": "city", "new_value": "Lyon"}
        if model == "hygiene.retention.preview":
            return {}
        if model == "hygiene.retention.preview.line":
            wizard = self.env["hygiene.retention.preview"].create({})
            return {"wizard_id": wizard.id, "partner_id": self.marc.id, "outcome": "run"}
        if model == "hygiene.privacy.request":
            return {"request_type": "access", "partner_id": self.marc.id}
        if model == "hygiene.processing.activity":
            return {"name": "ACL activity", "purpose": "ACL", "retention_note": "1 year"}
        if model == "hygiene.breach":
            return {"name": "ACL breach"}
        if model == "hygiene.export.log":
            return {"partner_count": 1}
        if model == "hygiene.scan.run":
            return {"state": "done"}
        if model == "hygiene.scan.chunk":
            run = self.env["hygiene.scan.run"].create({"state": "done"})
            return {"run_id": run.id, "stage": "keys"}
        return self._control_create_values(model)

    def _control_create_values(self, model):
        """The control step's records (issue 18); the system writes them (superuser)."""
        fresh = self.env["res.partner"].create({"name": self._unique("scored")})
        if model == "hygiene.partner.score":
            return {"partner_id": fresh.id, "quality_score": 50}
        if model == "hygiene.rfm.history":
            return {"partner_id": fresh.id, "date": "2026-01-01 00:00:00", "label": "loyal"}
        if model == "hygiene.kpi.snapshot":
            return {"kind": "manual", "contacts": 3}
        if model in ("hygiene.kpi.value", "hygiene.kpi.cause"):
            snapshot = self.env["hygiene.kpi.snapshot"].create({"kind": "manual"})
            if model == "hygiene.kpi.cause":
                return {"snapshot_id": snapshot.id, "kind": "other", "name": "other"}
            return {"snapshot_id": snapshot.id, "kpi": "contacts", "value": 1}
        if model == "hygiene.optout":
            return {"kind": "list", "mailing_name": "ACL"}
        segment_values = {
            "name": self._unique("ACL segment"),
            "marketing": False,
            "domain": "[('is_company', '=', True)]",
        }
        if model == "hygiene.segment":
            return segment_values
        if model in ("hygiene.segment.member", "hygiene.segment.log"):
            segment = self.env["hygiene.segment"].create(segment_values)
            return {"segment_id": segment.id, "partner_id": fresh.id}
        if model == "hygiene.mailing.consent":
            return {"partner_id": fresh.id, "mailing_id": 1, "mailing_name": "ACL"}
        raise AssertionError(model)

    def _import_create_values(self, model):
        if model == "hygiene.import.batch":
            return {"source_id": self.source_shop.id}
        if model == "hygiene.import.line":
            batch = self.env["hygiene.import.batch"].create({"source_id": self.source_shop.id})
            return {"batch_id": batch.id, "line_number": 2}
        if model == "hygiene.import.preset":
            return {"name": "ACL preset", "code": self._unique("acl_preset")}
        if model == "hygiene.import.sheet":
            batch = self.env["hygiene.import.batch"].create({"source_id": self.source_shop.id})
            return {"batch_id": batch.id, "name": "Feuil1"}
        return {"column": "email", "target": "email"}

    # a stored field to read and a harmless value to write, per model
    _READ_FIELD = {
        "hygiene.source": "name",
        "hygiene.partner.origin": "source_ref",
        "hygiene.purpose": "name",
        "hygiene.purpose.wording": "version",
        "hygiene.consent": "state",
        "hygiene.consent.state": "state",
        "hygiene.consent.wizard": "note",
        "hygiene.suppression": "reason",
        "hygiene.suppression.lookup": "email",
        "hygiene.duplicate.group": "score",
        "hygiene.duplicate.exclusion": "create_date",
        "hygiene.merge.journal": "state",
        "hygiene.duplicate.merge.wizard": "min_score",
        "hygiene.duplicate.compare": "create_date",
        "hygiene.duplicate.compare.line": "field_name",
        "hygiene.retention.policy": "duration_months",
        "hygiene.journal": "operation",
        "hygiene.import.batch": "state",
        "hygiene.import.line": "line_number",
        "hygiene.import.preset": "name",
        "hygiene.import.sheet": "name",
        "hygiene.import.mapping": "column",
        "hygiene.repermission": "state",
        "hygiene.details.request": "state",
        "hygiene.details.proposal": "field_name",
        "hygiene.retention.preview": "due_count",
        "hygiene.retention.preview.line": "outcome",
        "hygiene.partner.score": "quality_score",
        "hygiene.rfm.history": "label",
        "hygiene.kpi.snapshot": "contacts",
        "hygiene.kpi.value": "value",
        "hygiene.kpi.cause": "kind",
        "hygiene.optout": "mailing_name",
        "hygiene.segment": "name",
        "hygiene.segment.member": "date_entered",
        "hygiene.segment.log": "move",
        "hygiene.mailing.consent": "mailing_name",
        "hygiene.privacy.request": "request_type",
        "hygiene.processing.activity": "name",
        "hygiene.breach": "name",
        "hygiene.export.log": "partner_count",
        "hygiene.scan.run": "state",
        "hygiene.scan.chunk": "stage",
    }
    _WRITE_VALUES = {
        "hygiene.export.log": {"partner_count": 2},
        "hygiene.scan.run": {"state": "failed"},
        "hygiene.scan.chunk": {"state": "done"},
        "hygiene.retention.policy": {"duration_months": 48},
        "hygiene.privacy.request": {"description": "written"},
        "hygiene.processing.activity": {"recipients": "written"},
        "hygiene.breach": {"measures": "written"},
        "hygiene.journal": {"reason": "written"},
        "hygiene.repermission": {"state": "confirmed"},
        "hygiene.details.request": {"state": "confirmed"},
        "hygiene.details.proposal": {"state": "accepted"},
        "hygiene.retention.preview": {"due_count": 3},
        "hygiene.retention.preview.line": {"outcome": "refused"},
        "hygiene.source": {"description": "written"},
        "hygiene.partner.origin": {"note": "written"},
        "hygiene.purpose": {"description": "written"},
        "hygiene.purpose.wording": {"date_from": "2024-06-01"},
        "hygiene.consent": {"note": "written"},
        "hygiene.consent.state": {"state": "refused"},
        "hygiene.consent.wizard": {"note": "written"},
        "hygiene.suppression": {"reason": "objection"},
        "hygiene.suppression.lookup": {"email": "written"},
        "hygiene.duplicate.group": {"state": "ignored"},
        "hygiene.duplicate.exclusion": {"partner_low_id": lambda test: test.marc.id},
        "hygiene.merge.journal": {"state": "undone"},
        "hygiene.duplicate.merge.wizard": {"min_score": 0.5},
        "hygiene.duplicate.compare": {"survivor_id": lambda test: test.marc.id},
        "hygiene.duplicate.compare.line": {"field_label": "written"},
        "hygiene.import.batch": {"day_first": False},
        "hygiene.import.line": {"decision_note": "written"},
        "hygiene.import.preset": {"day_first": False},
        "hygiene.import.mapping": {"column": "courriel"},
        "hygiene.import.sheet": {"sequence": 3},
        "hygiene.segment": {"sequence": 7},
        "hygiene.partner.score": {"quality_score": 1},
        "hygiene.rfm.history": {"label": "lost"},
        "hygiene.kpi.snapshot": {"contacts": 1},
        "hygiene.kpi.value": {"value": 2.0},
        "hygiene.kpi.cause": {"name": "written"},
        "hygiene.optout": {"mailing_name": "written"},
        "hygiene.segment.member": {"date_entered": "2026-01-01 00:00:00"},
        "hygiene.segment.log": {"reason": "written"},
        "hygiene.mailing.consent": {"mailing_name": "written"},
    }

    def _sample(self, model):
        """A fresh record of ``model``, made by the superuser or, for the state, by the service."""
        if model == "hygiene.consent.state":
            self._consent(self.marc, "grant", purpose=self.purpose_sms, channel="phone")
            return self.env[model].search(
                [("partner_id", "=", self.marc.id), ("purpose_id", "=", self.purpose_sms.id)]
            )
        return self.env[model].create(self._create_values(model))

    def _do(self, model, role, operation):
        """Run ``operation`` for real as ``role``; return the record it touched."""
        user = self.role_users[role]
        if operation == "create":
            return self.env[model].with_user(user).create(self._create_values(model))
        record = self._sample(model).with_user(user)
        if operation == "read":
            field = self._READ_FIELD[model]
            [values] = record.read([field])
            self.assertEqual(values[field], record.sudo()[field])
        elif operation == "write":
            values = {
                name: value(self) if callable(value) else value
                for name, value in self._WRITE_VALUES[model].items()
            }
            record.write(values)
            record.invalidate_recordset()
            for name, value in values.items():
                actual = record.sudo()[name]
                actual = actual.id if isinstance(actual, models.BaseModel) else actual
                self.assertEqual(str(actual), str(value))
        else:
            record.unlink()
            self.assertFalse(record.sudo().exists())
        return record

    # ------------------------------------------------------------ ACL matrix

    def test_matrix_covers_every_model_and_acl_of_the_addon(self):
        """The table above is the whole truth: no model or ACL line of the addon is left out."""
        addon_models = {
            name
            for name, model in self.env.registry.items()
            if model._original_module == "partner_data_hygiene" and not model._abstract
        }
        self.assertEqual(addon_models, set(EXPECTED_ACCESS))
        hygiene_groups = self.env["res.groups"].browse(
            [self.env.ref(_group(level)).id for level in LADDER]
        )
        acls = self.env["ir.model.access"].search([("model_id.model", "in", list(EXPECTED_ACCESS))])
        self.assertTrue(acls)
        self.assertFalse(acls.filtered(lambda acl: not acl.group_id), "an ACL open to everyone")
        self.assertLessEqual(acls.group_id, hygiene_groups, "an ACL given to a foreign group")

    def test_acl_level_matrix(self):
        """check_access / has_access of every role x model x operation, as the table says."""
        for model, __ in EXPECTED_ACCESS.items():
            for role, user in self.role_users.items():
                records = self.env[model].with_user(user)
                for operation in OPERATIONS:
                    allowed = _allowed(model, role, operation)
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(records.has_access(operation), allowed)
                        if allowed:
                            records.check_access(operation)
                        else:
                            with self.assertRaises(AccessError):
                                records.check_access(operation)

    def test_acl_level_matrix_on_records(self):
        """No record rule narrows the table: the check on an existing record agrees with it."""
        for model in EXPECTED_ACCESS:
            record = self._sample(model)
            for role, user in self.role_users.items():
                for operation in OPERATIONS:
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            record.with_user(user).has_access(operation),
                            _allowed(model, role, operation),
                        )

    def test_real_operations_matrix(self):
        """Every cell for real: create, read, write and unlink succeed or are refused."""
        for model in EXPECTED_ACCESS:
            for role in ROLES:
                for operation in OPERATIONS:
                    with self.subTest(model=model, role=role, operation=operation):
                        if (model, operation) in LEDGER_GUARDED:
                            message = LEDGER_GUARDED[model, operation]
                            with self.assertRaisesRegex(UserError, message):
                                self._do(model, role, operation)
                        elif _allowed(model, role, operation):
                            record = self._do(model, role, operation)
                            if operation == "create":
                                self.assertTrue(record.exists())
                                self.assertEqual(record.create_uid, self.role_users[role])
                        else:
                            with self.assertRaises(AccessError):
                                self._do(model, role, operation)

    def test_portal_and_public_have_no_access(self):
        public = self.env.ref("base.public_user")
        for model in EXPECTED_ACCESS:
            for user in (self.user_portal, public):
                for operation in OPERATIONS:
                    with self.subTest(model=model, user=user.login, operation=operation):
                        self.assertFalse(self.env[model].with_user(user).has_access(operation))

    # ------------------------------------------------------------ proof of consent

    def _event_with_proof(self):
        evidence = self.env["ir.attachment"].create(
            {"name": "form.pdf", "raw": b"%PDF-1.4", "res_model": "hygiene.consent"}
        )
        return self._consent(
            self.jeanne,
            "grant",
            wording_id=self.wording_newsletter.id,
            ip_address="90.1.2.3",
            user_agent="Mozilla/5.0",
            page_url="https://shop.example.fr/newsletter",
            evidence_attachment_id=evidence.id,
            double_optin_date=fields.Datetime.now(),
            source_ref="import.csv:12",
        )

    def test_proof_fields_hidden_from_user_and_steward(self):
        event = self._event_with_proof()
        for user in (self.user_hygiene, self.user_steward):
            as_user = event.with_user(user)
            self.assertEqual(as_user.read(["state"])[0]["state"], "granted")
            self.assertFalse(set(PROOF_FIELDS) & set(as_user.fields_get()))
            self.assertFalse(set(PROOF_FIELDS) & set(as_user.read()[0]))
            for field in PROOF_FIELDS:
                with self.subTest(user=user.login, field=field):
                    with self.assertRaises(AccessError):
                        as_user.read([field])
                    as_user.invalidate_recordset()
                    with self.assertRaises(AccessError):
                        _value = as_user[field]
                    with self.assertRaises(AccessError):
                        as_user.search([(field, "!=", False)])

    def test_proof_fields_readable_by_officer_and_manager(self):
        event = self._event_with_proof()
        for user in (self.user_officer, self.user_manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login):
                as_user = event.with_user(user)
                [values] = as_user.read(list(PROOF_FIELDS))
                self.assertEqual(values["ip_address"], "90.1.2.3")
                self.assertEqual(values["user_agent"], "Mozilla/5.0")
                self.assertEqual(values["page_url"], "https://shop.example.fr/newsletter")
                self.assertEqual(values["source_ref"], "import.csv:12")
                self.assertTrue(values["double_optin_date"])
                self.assertEqual(as_user.evidence_attachment_id.raw, b"%PDF-1.4")
                self.assertEqual(as_user.search([("ip_address", "=", "90.1.2.3")]), event)

    def test_proof_block_of_the_form_is_for_officers(self):
        def proof_fields_in_form(user):
            views = self.env["hygiene.consent"].with_user(user).get_views([(False, "form")])
            arch = etree.fromstring(views["views"]["form"]["arch"])
            return {node.get("name") for node in arch.iter("field")} & set(PROOF_FIELDS)

        self.assertFalse(proof_fields_in_form(self.user_hygiene))
        self.assertFalse(proof_fields_in_form(self.user_steward))
        self.assertEqual(proof_fields_in_form(self.user_officer), set(PROOF_FIELDS))

    # ------------------------------------------------------------ append-only ledger

    def test_ledger_cannot_be_changed_by_anyone(self):
        event = self._event_with_proof()
        superuser_event = event.with_user(SUPERUSER_ID)
        candidates = [event.with_user(user) for user in self.role_users.values()]
        candidates += [event.with_user(self.env.ref("base.user_admin")), event.sudo()]
        candidates.append(superuser_event)
        for record in candidates:
            with self.subTest(user=record.env.user.login, su=record.env.su):
                with self.assertRaisesRegex(UserError, "append-only"):
                    record.write({"note": "changed"})
                with self.assertRaisesRegex(UserError, "append-only"):
                    record.write({"action": "withdraw"})
                with self.assertRaisesRegex(UserError, "cannot be deleted"):
                    record.unlink()
        self.assertTrue(event.exists())
        self.assertEqual(event.action, "grant")
        self.assertFalse(event.note)
        self.assertEqual(self._state(self.jeanne), "granted")

    def test_consent_state_is_written_by_the_service_only(self):
        State = self.env["hygiene.consent.state"]
        self._consent(self.jeanne, "grant")
        state = State.search([("partner_id", "=", self.jeanne.id)])
        self.assertEqual(state.state, "granted")
        for role, user in self.role_users.items():
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    state.with_user(user).write({"state": "withdrawn"})
                with self.assertRaises(AccessError):
                    state.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    State.with_user(user).create(self._create_values("hygiene.consent.state"))
        # the service: a new event recorded by a plain hygiene user moves the state
        self.env["hygiene.consent"].with_user(self.user_hygiene).create(
            {
                "partner_id": self.jeanne.id,
                "purpose_id": self.purpose_newsletter.id,
                "action": "withdraw",
                "channel": "phone",
            }
        )
        state.invalidate_recordset()
        self.assertEqual(state.state, "withdrawn")
        self.assertEqual(state.write_uid, self.user_hygiene)

    # ------------------------------------------------------------ roles

    def test_group_ladder(self):
        """user < steward < officer < manager; every role is an internal user."""
        for role, user in self.role_users.items():
            rank = LADDER.index(role) if role in LADDER else -1
            for index, level in enumerate(LADDER):
                with self.subTest(role=role, level=level):
                    self.assertEqual(user.has_group(_group(level)), index <= rank)
            self.assertTrue(user.has_group("base.group_user"))
        self.assertTrue(self.user_officer.has_group(_group("steward")))
        self.assertTrue(self.user_officer.has_group(_group("user")))
        self.assertFalse(self.user_officer.has_group(_group("manager")))
        # the implications themselves, not only the test users' groups
        manager = self.env.ref(_group("manager"))
        implied = set(manager.trans_implied_ids.get_external_id().values())
        self.assertLessEqual(
            {_group("officer"), _group("steward"), _group("user"), "base.group_user"}, implied
        )
        officer = self.env.ref(_group("officer"))
        self.assertNotIn(manager, officer.trans_implied_ids)
        # the admin user is a manager, hence also officer, steward and user
        admin = self.env.ref("base.user_admin")
        self.assertIn(admin, manager.users)
        for level in LADDER:
            self.assertTrue(admin.has_group(_group(level)))
        # one category, so that the user form offers the roles as a single selection
        category = self.env.ref("partner_data_hygiene.module_category_data_hygiene")
        groups = self.env["res.groups"].search([("category_id", "=", category.id)])
        self.assertEqual(
            set(groups.get_external_id().values()), {_group(level) for level in LADDER}
        )

    # ------------------------------------------------------------ partner fields

    def test_employee_without_role_does_not_see_hygiene_fields_of_partners(self):
        self._consent(self.jeanne, "grant")
        self.env["hygiene.partner.origin"].create(
            {"partner_id": self.jeanne.id, "source_id": self.source_shop.id}
        )
        partner = self.jeanne.with_user(self.user_employee)
        self.assertFalse(set(PARTNER_HYGIENE_FIELDS) & set(partner.fields_get()))
        for field in PARTNER_HYGIENE_FIELDS:
            with self.subTest(field=field):
                with self.assertRaises(AccessError):
                    partner.read([field])
                with self.assertRaises(AccessError):
                    partner.web_read({field: {}})
        # fetching the stored ones from the database, even in server code, is refused too
        # (non-stored computed fields are computed without check on attribute access: Odoo's rule)
        for field in ("hygiene_origin_ids", "hygiene_consent_ids", "hygiene_consent_state_ids"):
            partner.invalidate_recordset()
            with self.subTest(field=field), self.assertRaises(AccessError):
                _value = partner[field]
        with self.assertRaises(AccessError):
            partner.search([("hygiene_origin_ids.source_id", "=", self.source_shop.id)])
        with self.assertRaises(AccessError):
            partner.write({"hygiene_origin_ids": [Command.clear()]})
        # the Data & Privacy page is not even sent to the employee
        arch = partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("hygiene_privacy", arch)
        self.assertNotIn("hygiene_consent_ids", arch)

        # ...but the partner is still an ordinary contact for them
        [values] = partner.read(["name", "email", "phone"])
        self.assertEqual(values["name"], "Jeanne Lefèvre")
        partner.write({"phone": "0699999999", "city": "Lyon"})
        self.assertEqual(self.jeanne.phone, "0699999999")
        self.assertEqual(self.jeanne.city, "Lyon")
        new_partner = (
            self.env["res.partner"]
            .with_user(self.user_employee)
            .create({"name": "Created by an employee"})
        )
        self.assertFalse(new_partner.sudo().hygiene_origin_ids)
        # the origins and consents of the partner are untouched
        self.assertEqual(len(self.jeanne.hygiene_origin_ids), 1)
        self.assertEqual(len(self.jeanne.hygiene_consent_ids), 1)

    def test_hygiene_user_sees_partner_hygiene_fields(self):
        self._consent(self.jeanne, "grant")
        partner = self.jeanne.with_user(self.user_hygiene)
        self.assertTrue(set(PARTNER_HYGIENE_FIELDS) <= set(partner.fields_get()))
        [values] = partner.read(list(PARTNER_HYGIENE_FIELDS))
        self.assertEqual(len(values["hygiene_consent_ids"]), 1)
        self.assertEqual(values["hygiene_granted_purpose_ids"], self.purpose_newsletter.ids)
