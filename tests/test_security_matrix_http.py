"""Who can do what, over real HTTP sessions (issue 11, point 6): every public method of the
addon's models and create / write / unlink of each of its models, called through
``/web/dataset/call_kw`` by a portal user, a plain employee and each of the four hygiene roles,
is allowed or refused with an AccessError exactly as the tables below (and the README's "Who can
do what") say. A public method missing from the table fails the test: a new method is a new
decision to write down."""

import base64
import inspect

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import HygieneCommon
from .test_access import EXPECTED_ACCESS

ROLES = ("portal", "employee", "user", "steward", "officer", "manager")
OK, REFUSED = "ok", "refused"

# The lowest role allowed to call each public method ("portal": everyone logged in). Higher roles
# hold the rights of the lower ones. "Allowed" means the rights checks pass: the call may still
# end with a business refusal (UserError), never with an AccessError.
EXPECTED_METHODS = {
    ("hygiene.consent.wizard", "action_record"): "user",
    ("hygiene.duplicate.compare", "action_merge"): "steward",
    ("hygiene.duplicate.group", "action_compare_merge"): "steward",
    ("hygiene.duplicate.group", "action_merge"): "steward",
    ("hygiene.duplicate.group", "action_not_duplicates"): "steward",
    ("hygiene.duplicate.group", "action_scan"): "steward",
    ("hygiene.duplicate.merge.wizard", "action_merge"): "steward",
    ("hygiene.import.batch", "action_cancel"): "steward",
    ("hygiene.import.batch", "action_commit"): "steward",
    ("hygiene.import.batch", "action_commit_notify"): "steward",
    ("hygiene.import.batch", "action_download_rejected"): "steward",
    ("hygiene.import.batch", "action_dry_run"): "steward",
    ("hygiene.import.batch", "action_read_file"): "steward",
    ("hygiene.import.batch", "action_save_preset"): "steward",
    ("hygiene.import.batch", "action_stage"): "steward",
    ("hygiene.import.batch", "action_view_lines"): "steward",
    ("hygiene.import.line", "action_set_create"): "steward",
    ("hygiene.import.line", "action_set_skip"): "steward",
    ("hygiene.import.line", "action_set_update"): "steward",
    ("hygiene.journal", "action_export_csv"): "officer",
    ("hygiene.merge.journal", "action_undo"): "steward",
    ("hygiene.retention.policy", "action_preview"): "officer",
    ("hygiene.retention.policy", "action_view_due_partners"): "steward",
    ("hygiene.retention.policy", "action_view_partners"): "steward",
    ("hygiene.retention.preview", "action_refresh"): "officer",
    ("hygiene.retention.preview", "action_view_unclassified"): "officer",
    ("hygiene.retention.preview", "action_view_policies"): "officer",
    ("hygiene.source", "action_view_partners"): "user",
    ("hygiene.suppression.lookup", "action_lookup"): "officer",
    ("res.partner", "action_hygiene_anonymize"): "officer",
    ("res.partner", "action_hygiene_erase"): "officer",
    ("res.partner", "action_hygiene_record_consent"): "user",
    ("res.partner", "hygiene_duplicate_hint"): "portal",
    # control step (issue 18)
    ("hygiene.partner.score", "action_refresh_all"): "steward",
    ("hygiene.kpi.snapshot", "action_open_dashboard"): "user",
    ("hygiene.kpi.snapshot", "action_take_snapshot"): "steward",
    ("hygiene.kpi.snapshot", "action_open_invalid_email"): "user",
    ("hygiene.kpi.snapshot", "action_open_no_contact"): "user",
    ("hygiene.kpi.snapshot", "action_open_no_consent"): "user",
    ("hygiene.kpi.snapshot", "action_open_duplicates"): "user",
    ("hygiene.kpi.snapshot", "action_open_retention"): "user",
    ("hygiene.kpi.snapshot", "action_open_do_not_solicit"): "user",
    ("hygiene.kpi.snapshot", "action_open_history"): "user",
    ("hygiene.kpi.cause", "action_open_operation"): "user",
    ("hygiene.segment", "action_refresh"): "steward",
    ("hygiene.segment", "action_view_members"): "user",
    ("hygiene.segment", "action_view_log"): "user",
    ("hygiene.segment", "action_view_mailing_list"): "user",
    ("hygiene.retention.preview", "action_run_now"): "officer",
    # issue 17: the request register; Odoo's list export (restricted contacts left out)
    ("hygiene.privacy.request", "action_cancel"): "officer",
    ("hygiene.privacy.request", "action_done"): "officer",
    ("hygiene.privacy.request", "action_refuse"): "officer",
    ("hygiene.privacy.request", "action_start"): "officer",
    ("hygiene.privacy.request", "action_verify_identity"): "officer",
    ("res.partner", "export_data"): "portal",
    ("hygiene.processing.activity", "action_export_csv"): "officer",
    ("hygiene.breach", "action_find_contacts"): "officer",
    ("hygiene.breach", "action_view_contacts"): "officer",
    # rules at entry (issue 19): checks of the values sent, nothing read from the base
    ("hygiene.entry.rules", "hygiene_value_hints"): "portal",
    # check-your-details requests (issue 19)
    ("res.partner", "action_hygiene_check_details"): "steward",
    ("hygiene.details.request", "action_view_proposals"): "steward",
    ("hygiene.details.proposal", "action_accept"): "steward",
    ("hygiene.details.proposal", "action_reject"): "steward",
}
API_MODEL = {
    ("hygiene.duplicate.group", "action_scan"),
    ("res.partner", "hygiene_duplicate_hint"),
    ("hygiene.entry.rules", "hygiene_value_hints"),
}
ARGS = {
    ("res.partner", "hygiene_duplicate_hint"): [{"name": "Jeanne Lefevre"}],
    ("res.partner", "export_data"): [["name"]],
    ("hygiene.entry.rules", "hygiene_value_hints"): [{"email": "a@gmial.com"}],
}
CSV = b"Nom;Courriel\nMatrix Person;matrix.person@example.fr\n"


def _public_methods(env):
    """(model, method) of every public method the addon defines."""
    found = set()
    for name in env.registry:
        for klass in type(env[name]).__mro__:
            if not getattr(klass, "__module__", "").startswith("odoo.addons.partner_data_hygiene"):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") or not inspect.isfunction(value):
                    continue
                # the ORM's own entry points, their rights the ORM's (onchange: plus the links'
                # read check of base.py)
                orm = ("create", "write", "unlink", "read", "copy", "init", "default_get")
                if attr in (*orm, "onchange"):
                    continue
                if attr == "export_data" and name != "res.partner":
                    continue  # the ORM's export, only logged on base (its rights are the ORM's)
                found.add((name, attr))
    return found


@tagged("post_install", "-at_install")
class TestRoleMatrixHttp(HttpCase, HygieneCommon):
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

    # ------------------------------------------------------------ sample records

    def _partner(self, name="Matrix Sample"):
        return self.env["res.partner"].create({"name": name, "email": "sample@example.fr"})

    def _batch(self, stage=False):
        batch = self.env["hygiene.import.batch"].create(
            {
                "raw_file": base64.b64encode(CSV),
                "raw_filename": "m.csv",
                "source_id": self.source_shop.id,
            }
        )
        if stage:
            batch.action_read_file()
            batch.action_stage()
        return batch

    def _group(self):
        return self.env["hygiene.duplicate.group"].create(
            {
                "partner_ids": [Command.set((self._partner("A") | self._partner("B")).ids)],
                "score": 0.9,
            }
        )

    def _sample(self, model):  # noqa: C901 - one branch per model
        """A fresh record for one call (each call may change or delete it)."""
        if model == "res.partner":
            return self._partner()
        if model in ("hygiene.details.request", "hygiene.details.proposal"):
            request = (
                self.env["hygiene.details.request"]
                .sudo()
                .create({"partner_id": self._partner().id})
            )
            if model == "hygiene.details.request":
                return request
            return (
                self.env[model]
                .sudo()
                .create({"request_id": request.id, "field_name": "city", "new_value": "Lyon"})
            )
        if model == "hygiene.consent.wizard":
            return self.env[model].create(
                {"partner_id": self.marc.id, "purpose_id": self.purpose_sms.id}
            )
        if model == "hygiene.duplicate.group":
            return self._group()
        if model == "hygiene.duplicate.compare":
            group = self._group()
            return self.env[model].create(
                {"group_id": group.id, "survivor_id": group.partner_ids[0].id}
            )
        if model == "hygiene.duplicate.merge.wizard":
            return self.env[model].create({"min_score": 0.99})
        if model == "hygiene.import.batch":
            return self._batch()
        if model == "hygiene.import.line":
            return self._batch(stage=True).line_ids[:1]
        if model == "hygiene.journal":
            return self.env[model]._log("anonymize", record_ids=[self.marc.id], reason="matrix")
        if model == "hygiene.merge.journal":
            survivor, source = self._partner("Survivor"), self._partner("Source")
            return survivor._hygiene_merge(source)
        if model == "hygiene.retention.policy":
            return self.env.ref("partner_data_hygiene.retention_policy_prospects")
        if model == "hygiene.retention.preview":
            return self.env[model].create({})
        if model == "hygiene.source":
            return self.source_shop
        if model == "hygiene.suppression.lookup":
            return self.env[model].create({"email": "someone@example.fr"})
        if model == "hygiene.processing.activity":
            return self.env.ref("partner_data_hygiene.processing_customers")
        if model == "hygiene.breach":
            return self.env[model].create({"name": "Matrix breach"})
        if model == "hygiene.privacy.request":
            return self.env[model].create(
                {
                    "request_type": "access",
                    "partner_id": self.marc.id,
                    "refusal_reason": "matrix",
                    "state": "identity",
                }
            )
        return self._control_sample(model)

    def _control_sample(self, model):
        """The control step's records (issue 18), written by the system."""
        if model == "hygiene.partner.score":
            return self.env[model].create({"partner_id": self._partner("Scored").id})
        if model == "hygiene.kpi.snapshot":
            return self.env[model].create({"kind": "manual"})
        if model == "hygiene.kpi.cause":
            snapshot = self.env["hygiene.kpi.snapshot"].create({"kind": "manual"})
            return self.env[model].create({"snapshot_id": snapshot.id, "kind": "other"})
        if model == "hygiene.segment":
            return self.env[model].create(
                {"name": "Matrix", "marketing": False, "domain": "[('is_company', '=', True)]"}
            )
        raise AssertionError(model)

    # ------------------------------------------------------------ calls

    def _call(self, role, model, method, args, kwargs=None):
        """``ok`` or ``refused`` (AccessError); any other error fails the test."""
        self.authenticate(self.logins[role].login, self.logins[role].login)
        try:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            )
        except JsonRpcException as error:
            name = str(error.args[0] if error.args else error)
            if "AccessError" in name:
                return REFUSED
            if "UserError" in name or "ValidationError" in name or "RedirectWarning" in name:
                return OK  # past the rights checks: a business refusal
            raise AssertionError(f"{role} {model}.{method}: {name}") from None
        return OK

    def _expected(self, lowest, role):
        return OK if ROLES.index(role) >= ROLES.index(lowest) else REFUSED

    def test_every_public_method_is_in_the_table(self):
        self.assertEqual(_public_methods(self.env), set(EXPECTED_METHODS))

    def test_public_methods(self):
        observed = {}
        for model, method in sorted(EXPECTED_METHODS):
            for role in ROLES:
                if (model, method) in API_MODEL:
                    args = [*ARGS.get((model, method), [])]
                    if not args:
                        args = [[]]  # a list-header button: the selected ids (none)
                else:
                    args = [self._sample(model).ids, *ARGS.get((model, method), [])]
                observed[model, method, role] = self._call(role, model, method, args)
        wrong = {
            key: outcome
            for key, outcome in observed.items()
            if outcome != self._expected(EXPECTED_METHODS[key[:2]], key[2])
        }
        self.assertFalse(wrong, "calls whose outcome differs from the table")

    def test_create_read_write_unlink_of_every_model(self):
        """The ACL table of test_access, asked through RPC (``has_access``), for the portal user
        and the employee too: nothing the addon defines is reachable by a portal user."""
        wrong = {}
        for model in EXPECTED_ACCESS:
            for role in ROLES:
                rights = "" if role == "portal" else EXPECTED_ACCESS[model][ROLES.index(role) - 1]
                self.authenticate(self.logins[role].login, self.logins[role].login)
                for operation in ("create", "read", "write", "unlink"):
                    allowed = self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {
                            "model": model,
                            "method": "has_access",
                            "args": [[], operation],
                            "kwargs": {},
                        },
                    )
                    if allowed != (operation[0] in rights):
                        wrong[model, role, operation] = allowed
        self.assertFalse(wrong, "RPC rights that differ from the ACL table")
