"""Attacks on the rights of the control step (issue 18) over real HTTP sessions: JSON-RPC
(``/web/dataset/call_kw``), the list export routes and the public re-permission route, as a
public visitor, a portal user, a plain employee, a sales user without a hygiene role, and the
hygiene roles against what is above them or in another company."""

import json
import re

from odoo import http
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HygieneCommon

CONTROL_MODELS = (
    "hygiene.partner.score",
    "hygiene.rfm.history",
    "hygiene.kpi.snapshot",
    "hygiene.kpi.value",
    "hygiene.kpi.cause",
    "hygiene.segment",
    "hygiene.segment.member",
    "hygiene.segment.log",
    "hygiene.mailing.consent",
    "hygiene.optout",
)
PRIVATE_CALLS = (
    ("hygiene.partner.score", "_hygiene_refresh"),
    ("hygiene.partner.score", "_cron_refresh"),
    ("hygiene.partner.score", "_hygiene_score_chunk"),
    ("hygiene.kpi.snapshot", "_cron_daily"),
    ("hygiene.kpi.snapshot", "_hygiene_take"),
    ("hygiene.segment", "_cron_refresh"),
    ("hygiene.segment", "_hygiene_refresh"),
    ("hygiene.segment", "_hygiene_record_mailing_consents"),
    ("hygiene.optout", "_hygiene_record"),
    ("hygiene.repermission", "_cron_send"),
    ("hygiene.repermission", "_hygiene_confirm"),
)


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestAttackControlHttp(HttpCase, HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Controller B"})
        cls.bernard = cls.env["res.partner"].create(
            {
                "name": "Bernard Companyb",
                "email": "bernard.b@example.fr",
                "company_id": cls.company_b.id,
            }
        )
        cls.user_sales = None
        if "sale.order" in cls.env:
            cls.user_sales = mail_new_test_user(
                cls.env, login="hyg_sales", groups="base.group_user,sales_team.group_sale_salesman"
            )
        export = cls.env.ref("base.group_allow_export")
        for user in (
            cls.user_portal,
            cls.user_employee,
            cls.user_hygiene,
            cls.user_steward,
            cls.user_officer,
            cls.user_manager,
            *([cls.user_sales] if cls.user_sales else []),
        ):
            user.password = user.login
            if not user.share:
                user.groups_id += export
        Score = cls.env["hygiene.partner.score"]
        Score._hygiene_refresh(partner_ids=(cls.jeanne | cls.marc | cls.bernard).ids)
        cls.snapshot = cls.env["hygiene.kpi.snapshot"]._hygiene_take("manual")[:1]
        cls.segment = cls.env["hygiene.segment"].create(
            {"name": "Http", "marketing": False, "domain": str([("id", "=", cls.jeanne.id)])}
        )
        cls.segment._hygiene_refresh()
        cls.samples = {
            "hygiene.partner.score": Score.search([("partner_id", "=", cls.jeanne.id)]),
            "hygiene.rfm.history": cls.env["hygiene.rfm.history"].create(
                {"partner_id": cls.jeanne.id, "date": "2026-01-01", "label": "lost"}
            ),
            "hygiene.kpi.snapshot": cls.snapshot,
            "hygiene.kpi.value": cls.snapshot.value_ids[:1],
            "hygiene.kpi.cause": cls.env["hygiene.kpi.cause"].create(
                {"snapshot_id": cls.snapshot.id, "kind": "other", "contacts_delta": 1}
            ),
            "hygiene.segment": cls.segment,
            "hygiene.segment.member": cls.segment.member_ids[:1],
            "hygiene.segment.log": cls.segment.log_ids[:1],
            "hygiene.mailing.consent": cls.env["hygiene.mailing.consent"].create(
                {"mailing_id": 1, "partner_id": cls.jeanne.id}
            ),
            "hygiene.optout": cls.env["hygiene.optout"].create(
                {"kind": "list", "partner_id": cls.jeanne.id}
            ),
        }

    # ------------------------------------------------------------ helpers

    def _login(self, user):
        if user is None:
            self.authenticate(None, None)
        else:
            self.authenticate(user.login, user.login)

    def _rpc(self, model, method, args, kwargs=None):
        """The result, or the name of the error class raised server-side."""
        try:
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            )
        except JsonRpcException as error:
            text = str(error.args[0] if error.args else error)
            match = re.search(r"(\w+(?:Error|Exception|Warning|Expired\w*))", text)
            return match.group(1) if match else text

    def _reads(self, model, ids):
        """Each read channel of the web client on ``model``: {channel: outcome}."""
        return {
            "search_read": self._rpc(model, "search_read", [[]], {"limit": 5}),
            "web_search_read": self._rpc(
                model, "web_search_read", [[]], {"specification": {"display_name": {}}}
            ),
            "read": self._rpc(model, "read", [ids, ["display_name"]]),
            "web_read": self._rpc(
                model, "web_read", [ids], {"specification": {"display_name": {}}}
            ),
            "read_group": self._rpc(model, "read_group", [[], ["id:count"], []]),
            "web_read_group": self._rpc(
                model, "web_read_group", [[]], {"fields": ["id:count"], "groupby": ["create_uid"]}
            ),
            "search_count": self._rpc(model, "search_count", [[]]),
            "name_search": self._rpc(model, "name_search", [""]),
            "export_data": self._rpc(model, "export_data", [ids, ["display_name"]]),
            "onchange": self._rpc(model, "onchange", [ids, {}, [], {"display_name": {}}]),
        }

    def _refused(self, outcomes):
        # a portal user has no right to export at all (UserError before any read)
        return {
            k: v
            for k, v in outcomes.items()
            if v != "AccessError" and (k, v) != ("export_data", "UserError")
        }

    def _export(self, route, model, fields, ids):
        data = {
            "model": model,
            "fields": [{"name": name, "label": name, "type": "char"} for name in fields],
            "ids": ids,
            "domain": [],
            "import_compat": False,
        }
        return self.url_open(
            route, data={"data": json.dumps(data), "csrf_token": http.Request.csrf_token(self)}
        )

    # ------------------------------------------------------------ low roles read nothing

    def test_portal_employee_and_sales_read_nothing_of_the_control_step(self):
        """Blocked: every read channel of every control model, for the roles without a
        hygiene group (a sales user included), and the officers' proof for a steward."""
        wrong = {}
        users = [self.user_portal, self.user_employee, self.user_sales]
        for user in filter(None, users):
            self._login(user)
            for model in CONTROL_MODELS:
                outcomes = self._refused(self._reads(model, self.samples[model].ids))
                if outcomes:
                    wrong[user.login, model] = outcomes
        self._login(self.user_steward)
        outcomes = self._refused(
            self._reads("hygiene.mailing.consent", self.samples["hygiene.mailing.consent"].ids)
        )
        if outcomes:
            wrong["hyg_steward", "hygiene.mailing.consent"] = outcomes
        self.assertFalse(wrong, "read channels open to a role without the right")

    def test_public_visitor_reaches_no_model(self):
        """Blocked: no session, no RPC."""
        self._login(None)
        for model in CONTROL_MODELS:
            with self.subTest(model=model):
                outcome = self._rpc(model, "search_read", [[]])
                self.assertNotIsInstance(outcome, list)
        response = self.url_open("/odoo/action-partner_data_hygiene.hygiene_kpi_value_action")
        self.assertIn("/web/login", response.url)

    def test_scores_through_the_contact_over_rpc_and_export(self):
        """Blocked: the employee, the sales user and the portal user reach no score, RFM or
        segment through ``res.partner`` (read, filter, group, CSV and XLSX export)."""
        ids = self.jeanne.ids
        wrong = {}
        for user in filter(None, (self.user_employee, self.user_sales)):
            self._login(user)
            for path in (
                "hygiene_score_ids",
                "hygiene_rfm_history_ids",
                "hygiene_segment_member_ids",
            ):
                calls = {
                    "read": self._rpc("res.partner", "read", [ids, [path]]),
                    "web_read": self._rpc(
                        "res.partner", "web_read", [ids], {"specification": {path: {}}}
                    ),
                    "filter": self._rpc(
                        "res.partner", "search_read", [[(f"{path}.id", "!=", False)], ["name"]]
                    ),
                    "export": self._rpc("res.partner", "export_data", [ids, [f"{path}/id"]]),
                }
                outcomes = self._refused(calls)
                if outcomes:
                    wrong[user.login, path] = outcomes
            fields = self._rpc("res.partner", "fields_get", [], {"attributes": ["type"]})
            for name in ("hygiene_score_ids", "hygiene_rfm_history_ids"):
                if name in fields:
                    wrong[user.login, "fields_get", name] = "listed"
            for route in ("/web/export/csv", "/web/export/xlsx"):
                response = self._export(
                    route, "res.partner", ["name", "hygiene_score_ids/quality_score"], ids
                )
                if response.status_code == 200 and b"Lef" in response.content:
                    wrong[user.login, route] = response.status_code
        self._login(self.user_portal)
        own = self.user_portal.partner_id.ids
        outcome = self._rpc("res.partner", "read", [own, ["hygiene_score_ids"]])
        if outcome != "AccessError":
            wrong["portal", "own score"] = outcome
        self.assertFalse(wrong, "scores reached through the contact")

    def test_private_engines_are_not_callable(self):
        """Blocked: the engines, crons and services (which run as the system) refuse RPC,
        even for a manager."""
        self._login(self.user_manager)
        for model, method in PRIVATE_CALLS:
            with self.subTest(method=f"{model}.{method}"):
                self.assertEqual(self._rpc(model, method, [[]]), "AccessError")

    def test_hygiene_user_cannot_change_the_control_step(self):
        """Blocked: the read-only role writes nothing (write, create, unlink, copy)."""
        self._login(self.user_hygiene)
        wrong = {}
        for model in CONTROL_MODELS:
            if model == "hygiene.mailing.consent":
                continue
            ids = self.samples[model].ids
            calls = {
                "write": self._rpc(model, "write", [ids, {"display_name": "x"}]),
                "create": self._rpc(model, "create", [{}]),
                "unlink": self._rpc(model, "unlink", [ids]),
                "copy": self._rpc(model, "copy", [ids]),
            }
            outcomes = self._refused(calls)
            if outcomes:
                wrong[model] = outcomes
        self.assertFalse(wrong)
        self.assertTrue(self.segment.exists())

    # ------------------------------------------------------------ stewards and companies

    def test_steward_cannot_widen_or_repoint_a_segment_over_rpc(self):
        """Was open: over RPC a steward made a segment for every company, moved it to another
        company, or pointed it at any tag or mailing list."""
        self._login(self.user_steward)
        ids = self.segment.ids
        outcomes = {
            "every company": self._rpc("hygiene.segment", "write", [ids, {"company_id": False}]),
            "company B": self._rpc(
                "hygiene.segment", "write", [ids, {"company_id": self.company_b.id}]
            ),
            "mailing list": self._rpc("hygiene.segment", "write", [ids, {"mailing_list_id": 1}]),
            "tag": self._rpc("hygiene.segment", "write", [ids, {"tag_id": False}]),
            "count": self._rpc("hygiene.segment", "write", [ids, {"member_count": 0}]),
            "create for every company": self._rpc(
                "hygiene.segment",
                "create",
                [{"name": "All", "marketing": False, "domain": "[]", "company_id": False}],
            ),
        }
        self.assertEqual(
            {k: v for k, v in outcomes.items() if v not in ("AccessError", "ValidationError")},
            {},
        )
        self.segment.invalidate_recordset()
        self.assertEqual(self.segment.company_id, self.env.company)
        self.assertTrue(self.segment.tag_id)
        # and their own refresh still works
        self.assertIsInstance(self._rpc("hygiene.segment", "action_refresh", [ids]), dict)

    def test_user_of_a_reads_no_figure_of_b(self):
        """Blocked: the snapshot, scores and members of company B over RPC."""
        snapshot_b = self.env["hygiene.kpi.snapshot"].search(
            [("company_id", "=", self.company_b.id)]
        )
        self.assertTrue(snapshot_b)
        self._login(self.user_hygiene)
        self.assertEqual(
            self._rpc("hygiene.kpi.snapshot", "read", [snapshot_b.ids, ["contacts"]]),
            "AccessError",
        )
        rows = self._rpc(
            "hygiene.kpi.value", "search_read", [[("snapshot_id", "=", snapshot_b.id)], ["value"]]
        )
        self.assertEqual(rows, [])
        scores = self._rpc(
            "hygiene.partner.score", "search_read", [[("partner_id", "=", self.bernard.id)], []]
        )
        self.assertEqual(scores, [])
        groups = self._rpc(
            "hygiene.partner.score", "read_group", [[], ["partner_count:sum"], ["company_id"]]
        )
        self.assertNotIn(
            self.company_b.id, [g["company_id"] and g["company_id"][0] for g in groups]
        )

    # ------------------------------------------------------------ public route

    def test_repermission_link_method_and_forgery(self):
        """Blocked: GET on the answer route, a valid token on another request's id, and an
        answer without the CSRF token confirm nothing."""
        policy = self.env.ref("partner_data_hygiene.retention_policy_prospects")
        Request = self.env["hygiene.repermission"]
        first = Request.create({"partner_id": self.jeanne.id, "policy_id": policy.id})
        second = Request.create({"partner_id": self.marc.id, "policy_id": policy.id})
        token = first._hygiene_token()
        self._login(None)
        self.assertEqual(self.url_open(f"/hygiene/stay/{first.id}/{token}").status_code, 200)
        response = self.url_open(f"/hygiene/stay/{first.id}/{token}/confirm")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.url_open(f"/hygiene/stay/{second.id}/{token}").status_code, 404)
        response = self.url_open(f"/hygiene/stay/{first.id}/{token}/confirm", data={"a": "1"})
        self.assertIn(response.status_code, (400, 403))
        self.assertEqual(first.state, "sent")
        self.assertEqual(second.state, "sent")

    # ------------------------------------------------------------ engagement

    def test_click_of_another_mailing_does_not_count(self):
        """Was open: Odoo's public click route takes any trace id with any link code. A visitor
        holding one link of one mailing marked any recipient of any mailing as having clicked:
        engagement up, "do not solicit" cleared, last activity (the retention clock) moved."""
        if "mailing.trace" not in self.env:
            self.skipTest("Email Marketing is not installed")
        Mailing = self.env["mailing.mailing"]
        model = self.env.ref("base.model_res_partner").id
        mailings = {}
        for partner, subject in ((self.jeanne, "Mine"), (self.marc, "Someone else's")):
            mailing = Mailing.create(
                {
                    "subject": subject,
                    "body_html": "<p>Hello</p>",
                    "mailing_model_id": model,
                    "mailing_domain": [("id", "=", partner.id)],
                }
            )
            trace = self.env["mailing.trace"].create(
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": partner.id,
                    "email": partner.email,
                    "trace_status": "sent",
                }
            )
            link = self.env["link.tracker"].create(
                {
                    "url": f"https://www.example.com/{mailing.id}",
                    "title": subject,
                    "mass_mailing_id": mailing.id,
                }
            )
            mailings[partner] = (trace, link)
        (my_trace, my_link), (other_trace, _link) = mailings[self.jeanne], mailings[self.marc]
        activity = self.marc.hygiene_last_activity_date
        self._login(None)
        response = self.url_open(f"/r/{my_link.code}/m/{other_trace.id}", allow_redirects=False)
        self.assertIn(response.status_code, (301, 302, 303))
        self.env.invalidate_all()
        self.assertFalse(other_trace.links_click_datetime)
        self.assertEqual(self.marc.hygiene_last_activity_date, activity)
        self.assertEqual(my_link.count, 1)  # the click is still counted on the link
        # the recipient's own click counts
        self.url_open(f"/r/{my_link.code}/m/{my_trace.id}", allow_redirects=False)
        self.env.invalidate_all()
        self.assertTrue(my_trace.links_click_datetime)
