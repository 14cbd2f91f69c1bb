"""Retention policies: validation, classification, due dates, preview, runs, command line."""

import io
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL, mute_logger

from ..cli.hygiene import Hygiene, run_purge
from .common import HygieneCommon

VALVE = "partner_data_hygiene.retention_safety_valve_percent"


class RetentionCommon(HygieneCommon):
    """Partners with a ``ref`` starting with RET- so that test categories never touch others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["hygiene.retention.policy"]
        cls.Partner = cls.env["res.partner"]
        cls.now = fields.Datetime.now()
        cls.today = fields.Date.context_today(cls.Policy)
        # the shipped defaults are inactive; make sure no other policy runs in these tests
        cls.Policy.search([]).active = False
        cls.env["ir.config_parameter"].sudo().set_param(VALVE, "100")

    @classmethod
    def _partner(cls, name, ref, activity=None, **values):
        partner = cls.env["res.partner"].create({"name": name, "ref": ref, **values})
        if activity:
            cls.env["res.partner"]._hygiene_register_activities([(partner.id, activity, "history")])
        return partner

    @classmethod
    def _policy(cls, name, domain, **values):
        return cls.env["hygiene.retention.policy"].create(
            {"name": name, "domain": domain, "duration_months": 36, **values}
        )

    def _age(self, partner, months):
        """Move the creation date back (the last fallback of the start date)."""
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET create_date = %s WHERE id = %s",
                self.now - relativedelta(months=months),
                partner.id,
            )
        )
        partner.invalidate_recordset(["create_date"])


@tagged("post_install", "-at_install")
class TestRetentionPolicyValidation(RetentionCommon):
    def _create(self, **values):
        return self.Policy.create({"name": "Test policy", "duration_months": 36, **values})

    def test_empty_domain_is_refused(self):
        for domain in ("[]", "", "   ", "()"):
            with self.subTest(domain=domain), self.assertRaises(ValidationError) as caught:
                self._create(domain=domain)
            self.assertIn("cannot be empty", str(caught.exception))

    def test_invalid_domain_is_refused(self):
        cases = {
            "[(": "not a valid domain",
            "not a list": "not a valid domain",
            "{'a': 1}": "cannot be empty",  # a dict literal is not a domain
            "[('no_such_field', '=', 1)]": "not a valid domain on contacts",
            "[('name', 'like')]": "not a valid domain",
            "[('name', 'frobnicate', 'x')]": "not a valid domain",
        }
        for domain, message in cases.items():
            with self.subTest(domain=domain), self.assertRaises(ValidationError) as caught:
                self._create(domain=domain)
            self.assertIn(message, str(caught.exception))

    def test_domain_is_never_evaluated(self):
        """Code in a domain is refused as not literal: nothing runs."""
        for domain in (
            "[('create_date', '<', context_today())]",
            "__import__('os').system('touch /tmp/hygiene_pwned')",
            "[('name', '=', (lambda: 1)())]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError) as caught:
                self._create(domain=domain)
            self.assertIn("literal values only", str(caught.exception))

    def test_duration_zero_or_negative_is_refused(self):
        for months in (0, -1, -36):
            with self.subTest(months=months), self.assertRaises(ValidationError) as caught:
                self._create(domain="[('ref', '=', 'RET-X')]", duration_months=months)
            self.assertIn("at least one month", str(caught.exception))

    def test_negative_repermission_delay_is_refused(self):
        with self.assertRaises(ValidationError):
            self._create(domain="[('ref', '=', 'RET-X')]", repermission_days=-3)

    def test_domain_matching_every_partner_is_refused(self):
        for domain in (
            "[(1, '=', 1)]",
            "[('id', '!=', False)]",
            "['|', ('is_company', '=', True), ('is_company', '=', False)]",  # on the real base
            "['|', ('active', '=', True), ('active', '=', False)]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError) as caught:
                self._create(domain=domain)
            self.assertIn("matches every contact", str(caught.exception))

    def test_bad_values_in_a_domain_give_a_message_not_a_traceback(self):
        with mute_logger("odoo.osv.expression"), self.assertRaises(ValidationError):
            self._create(domain="[('name', '=', [1, {}])]")

    def test_editing_a_valid_policy_into_a_bad_one_is_refused(self):
        policy = self._create(domain="[('ref', '=', 'RET-X')]")
        with self.assertRaises(ValidationError):
            policy.domain = "[]"
        with self.assertRaises(ValidationError):
            policy.duration_months = 0

    def test_form_shows_the_message(self):
        form = Form(self.Policy.with_user(self.user_officer))
        form.name = "Everyone"
        form.domain = "[('id', '>', 0)]"
        with self.assertRaises(ValidationError):
            form.save()

    def test_only_the_officer_manages_policies(self):
        values = {"name": "Steward try", "domain": "[('ref', '=', 'RET-X')]"}
        with self.assertRaises(AccessError):
            self.Policy.with_user(self.user_steward).create(values)
        policy = self.Policy.with_user(self.user_officer).create(values)
        self.assertEqual(policy.with_user(self.user_steward).name, "Steward try")
        with self.assertRaises(AccessError):
            policy.with_user(self.user_steward).duration_months = 12
        with self.assertRaises(AccessError):
            policy.with_user(self.user_steward).action_preview()

    def test_shipped_defaults_are_inactive_and_valid(self):
        prospects = self.env.ref("partner_data_hygiene.retention_policy_prospects")
        customers = self.env.ref("partner_data_hygiene.retention_policy_customers")
        for policy in prospects | customers:
            self.assertFalse(policy.active)
            self.assertEqual(policy.duration_months, 36)
            self.assertEqual(policy.end_action, "anonymize")
            policy.active = True  # the officer can switch them on: still valid
        self.assertEqual(prospects.start_event, "last_activity")
        self.assertEqual(customers.start_event, "last_order_invoice")
        self.assertTrue(prospects.repermission_days)


@tagged("post_install", "-at_install")
class TestRetentionClassification(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old = cls.now - relativedelta(months=40)
        cls.recent = cls.now - relativedelta(months=10)
        cls.p_vip = cls._partner("Vip Person", "RET-VIP", activity=cls.old)
        cls.p_old = cls._partner("Old Prospect", "RET-OLD", activity=cls.old)
        cls.p_recent = cls._partner("Recent Prospect", "RET-NEW", activity=cls.recent)
        cls.p_other = cls._partner("Elsewhere", "OTHER-1", activity=cls.old)
        cls.general = cls._policy("General", "[('ref', '=like', 'RET-%')]", sequence=20)
        cls.vip = cls._policy("VIP", "[('ref', '=', 'RET-VIP')]", sequence=5, duration_months=120)

    def test_priority_decides_when_several_policies_match(self):
        self.assertEqual(self.p_vip.hygiene_retention_policy_id, self.vip)
        self.assertEqual(self.p_old.hygiene_retention_policy_id, self.general)
        self.vip.sequence = 30  # now the general one comes first
        self.env.invalidate_all()
        self.assertEqual(self.p_vip.hygiene_retention_policy_id, self.general)

    def test_search_by_policy_follows_the_priority(self):
        ours = [("ref", "=like", "RET-%")]
        under_general = self.Partner.search(
            ours + [("hygiene_retention_policy_id", "=", self.general.id)]
        )
        self.assertEqual(under_general, self.p_old | self.p_recent)
        under_vip = self.Partner.search(
            ours + [("hygiene_retention_policy_id", "in", self.vip.ids)]
        )
        self.assertEqual(under_vip, self.p_vip)
        by_name = self.Partner.search(ours + [("hygiene_retention_policy_id", "=", "VIP")])
        self.assertEqual(by_name, self.p_vip)
        not_general = self.Partner.search(
            ours + [("hygiene_retention_policy_id", "!=", self.general.id)]
        )
        self.assertEqual(not_general, self.p_vip)

    def test_unclassified_partners_are_listed(self):
        self.assertFalse(self.p_other.hygiene_retention_policy_id)
        self.assertFalse(self.p_other.hygiene_retention_due_date)
        unclassified = self.Partner.search([("hygiene_retention_policy_id", "=", False)])
        self.assertIn(self.p_other, unclassified)
        self.assertFalse(unclassified & (self.p_vip | self.p_old | self.p_recent))
        classified = self.Partner.search([("hygiene_retention_policy_id", "!=", False)])
        self.assertEqual(classified & (self.p_other | self.p_old), self.p_old)
        # the menu action lists them
        action = self.env.ref("partner_data_hygiene.hygiene_unclassified_partner_action")
        self.assertIn("hygiene_unclassified", action.context)

    def test_no_active_policy_means_everyone_is_unclassified(self):
        (self.general | self.vip).active = False
        self.env.invalidate_all()
        self.assertFalse(self.p_old.hygiene_retention_policy_id)
        self.assertIn(
            self.p_old, self.Partner.search([("hygiene_retention_policy_id", "=", False)])
        )

    def test_due_date_from_last_activity(self):
        self.assertEqual(self.p_old.hygiene_retention_start_date, self.old.replace(microsecond=0))
        self.assertEqual(
            self.p_old.hygiene_retention_due_date, (self.old + relativedelta(months=36)).date()
        )
        self.assertEqual(
            self.p_vip.hygiene_retention_due_date, (self.old + relativedelta(months=120)).date()
        )

    def test_last_activity_falls_back_to_collection_then_creation(self):
        never = self._partner("Never Seen", "RET-NEVER")
        self._age(never, 50)
        self.env.invalidate_all()
        self.assertEqual(
            never.hygiene_retention_due_date,
            (self.now - relativedelta(months=50) + relativedelta(months=36)).date(),
        )
        collected = self.now - relativedelta(months=20)
        self.env["hygiene.partner.origin"].create(
            {"partner_id": never.id, "source_id": self.source_fair.id, "collected_date": collected}
        )
        self.env.invalidate_all()
        self.assertEqual(
            never.hygiene_retention_due_date, (collected + relativedelta(months=36)).date()
        )

    def test_due_date_from_collection_date(self):
        policy = self._policy(
            "By collection",
            "[('ref', '=', 'RET-COL')]",
            start_event="collection_date",
            duration_months=24,
            sequence=1,
        )
        partner = self._partner("Collected", "RET-COL", activity=self.recent)
        collected = self.now - relativedelta(months=30)
        self.env["hygiene.partner.origin"].create(
            {
                "partner_id": partner.id,
                "source_id": self.source_fair.id,
                "collected_date": collected,
            }
        )
        self.env.invalidate_all()
        self.assertEqual(partner.hygiene_retention_policy_id, policy)
        # the activity does not count for this start event
        self.assertEqual(
            partner.hygiene_retention_due_date, (collected + relativedelta(months=24)).date()
        )

    def test_last_order_or_invoice_falls_back_to_last_activity(self):
        policy = self._policy(
            "Customers", "[('ref', '=', 'RET-CUS')]", start_event="last_order_invoice", sequence=1
        )
        partner = self._partner("No order", "RET-CUS", activity=self.old)
        self.assertEqual(partner.hygiene_retention_policy_id, policy)
        self.assertFalse(partner.hygiene_is_customer)
        self.assertEqual(
            partner.hygiene_retention_due_date, (self.old + relativedelta(months=36)).date()
        )

    def test_due_date_from_last_order_and_invoice(self):
        if "sale.order" not in self.env or "account.move" not in self.env:
            self.skipTest("needs the sale and account modules")
        policy = self._policy(
            "Customers", "[('ref', '=', 'RET-CUS')]", start_event="last_order_invoice", sequence=1
        )
        partner = self._partner("Buyer", "RET-CUS", activity=self.recent)
        product = self.env["product.product"].create({"name": "Audit", "list_price": 10.0})
        order_date = self.now - relativedelta(months=30)
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        order.date_order = order_date
        self.env.invalidate_all()
        self.assertTrue(partner.hygiene_is_customer)
        self.assertIn(partner, self.Partner.search([("hygiene_is_customer", "=", True)]))
        self.assertEqual(partner.hygiene_retention_policy_id, policy)
        self.assertEqual(
            partner.hygiene_retention_due_date, (order_date + relativedelta(months=36)).date()
        )
        invoice_date = (self.now - relativedelta(months=20)).date()
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "price_unit": 10.0})
                ],
            }
        )
        invoice.action_post()
        self.env.invalidate_all()
        self.assertEqual(
            partner.hygiene_retention_due_date, invoice_date + relativedelta(months=36)
        )

    def test_future_order_and_invoice_dates_are_left_out(self):
        """An order or an invoice dated in the future is left out of the start, not capped at
        now (capped, it would restart the clock at every run): the start is the last document
        whose date has come, and the search by due date agrees."""
        if "sale.order" not in self.env or "account.move" not in self.env:
            self.skipTest("needs the sale and account modules")
        self._policy(
            "Customers", "[('ref', '=', 'RET-CUS')]", start_event="last_order_invoice", sequence=1
        )
        partner = self._partner("Future Buyer", "RET-CUS", activity=self.old)
        product = self.env["product.product"].create({"name": "Audit", "list_price": 10.0})
        past, future = self.now - relativedelta(months=30), self.now + relativedelta(years=70)
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for __ in range(2)
            ]
        )
        orders.action_confirm()
        orders[0].date_order, orders[1].date_order = past, future
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": (self.now + relativedelta(years=1)).date(),
                "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 1})],
            }
        )
        invoice.action_post()
        self.env.invalidate_all()
        due = (past + relativedelta(months=36)).date()
        self.assertEqual(partner.hygiene_retention_due_date, due)
        found = self.Partner.search([("hygiene_retention_due_date", "=", due)])
        self.assertIn(partner, found)

    def test_search_by_due_date(self):
        ours = [("ref", "=like", "RET-%")]
        due = self.Partner.search(ours + [("hygiene_retention_due_date", "<=", self.today)])
        self.assertEqual(due, self.p_old)
        later = self.Partner.search(ours + [("hygiene_retention_due_date", ">", self.today)])
        self.assertEqual(later, self.p_vip | self.p_recent)
        self.assertEqual(
            self.Partner.search(ours + [("hygiene_retention_due_date", "=", False)]),
            self.Partner.browse(),
        )

    def test_activity_moves_the_due_date(self):
        before = self.p_old.hygiene_retention_due_date
        self.p_old._hygiene_register_activity("consent")
        self.env.invalidate_all()
        self.assertGreater(self.p_old.hygiene_retention_due_date, before)
        self.assertNotIn(
            self.p_old, self.Partner.search([("hygiene_retention_due_date", "<=", self.today)])
        )

    def test_policy_counts_and_fields_restricted_to_stewards(self):
        self.assertEqual(self.general.partner_count, 2)
        self.assertEqual(self.general.due_count, 1)
        partner = self.p_old.with_user(self.user_steward)
        self.assertEqual(partner.hygiene_retention_policy_id, self.general)
        with self.assertRaises(AccessError):
            self.p_old.with_user(self.user_hygiene).read(["hygiene_retention_due_date"])

    def test_partner_views_show_policy_and_due_date(self):
        Partner = self.Partner.with_user(self.user_steward)
        views = Partner.get_views([(False, "form"), (False, "list"), (False, "search")])["views"]
        for kind in ("form", "list", "search"):
            self.assertIn("hygiene_retention_policy_id", views[kind]["arch"], kind)
        self.assertIn("hygiene_retention_due_date", views["form"]["arch"])
        self.assertIn("hygiene_unclassified", views["search"]["arch"])
        hidden = self.Partner.with_user(self.user_hygiene).get_views([(False, "form")])
        self.assertNotIn("hygiene_retention_policy_id", hidden["views"]["form"]["arch"])
        with Form(self.p_old.with_user(self.user_steward)) as form:
            self.assertEqual(form.hygiene_retention_policy_id, self.general)
            self.assertEqual(
                fields.Date.to_date(form.hygiene_retention_due_date),
                self.p_old.hygiene_retention_due_date,
            )

    def test_classification_is_batched(self):
        partners = self.Partner.create(
            [{"name": f"Batch {i}", "ref": "RET-BATCH"} for i in range(30)]
        )
        self.env.invalidate_all()
        # 2 active policies -> 2 category queries + 1 start-date query per policy used, plus
        # reading the policies: independent of the number of partners
        with self.assertQueryCount(__system__=8):
            partners.mapped("hygiene_retention_due_date")

    def test_broken_stored_domain_classifies_nobody_and_breaks_nothing(self):
        self.env.cr.execute(
            SQL(
                "UPDATE hygiene_retention_policy SET domain = %s WHERE id = %s",
                "[('gone_field', '=', 1)]",
                self.vip.id,
            )
        )
        self.env.invalidate_all()
        with mute_logger("odoo.addons.partner_data_hygiene.models.hygiene_retention_policy"):
            self.assertEqual(self.p_vip.hygiene_retention_policy_id, self.general)


@tagged("post_install", "-at_install")
class TestRetentionRuns(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        old = cls.now - relativedelta(months=40)
        cls.due = cls.Partner.browse()
        for i in range(5):
            cls.due |= cls._partner(
                f"Due Person {i}", "RET-RUN", activity=old, email=f"due{i}@example.com"
            )
        cls.not_due = cls._partner(
            "Fresh Person", "RET-RUN", activity=cls.now - relativedelta(months=2)
        )
        cls.employee_due = cls.user_employee.partner_id
        cls.employee_due.ref = "RET-RUN"
        cls.Partner._hygiene_register_activities([(cls.employee_due.id, old, "history")])
        cls.policy = cls._policy("Runs", "[('ref', '=', 'RET-RUN')]", end_action="archive")

    def _require_engine(self):
        if not hasattr(type(self.env["res.partner"]), "_hygiene_retention_execute"):
            self.skipTest("needs the retention engine (branch anon)")

    def _journal_count(self):
        return self.env["hygiene.journal"].sudo().search_count([])

    def test_preview_lists_who_and_why_and_writes_nothing(self):
        journal_before = self._journal_count()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT max(write_date) FROM res_partner WHERE id = ANY(%s)",
                (self.due | self.employee_due).ids,
            )
        )
        written_before = self.env.cr.fetchone()[0]
        action = self.policy.with_user(self.user_officer).action_preview()
        wizard = self.env["hygiene.retention.preview"].browse(action["res_id"])
        lines = wizard.line_ids
        self.assertEqual(wizard.due_count, 5)
        self.assertEqual(wizard.refused_count, 1)
        self.assertEqual(lines.filtered(lambda line: line.outcome == "run").partner_id, self.due)
        refused = lines.filtered(lambda line: line.outcome == "refused")
        self.assertEqual(refused.partner_id, self.employee_due)
        line = lines.filtered(lambda line: line.partner_id == self.due[0])
        self.assertEqual(line.policy_id, self.policy)
        self.assertEqual(line.end_action, "archive")
        self.assertEqual(line.start_event, "last_activity")
        self.assertLessEqual(line.due_date, self.today)
        self.assertTrue(line.start_date)
        # nothing written
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT max(write_date) FROM res_partner WHERE id = ANY(%s)",
                (self.due | self.employee_due).ids,
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], written_before)
        self.assertTrue(all(self.due.mapped("active")))
        self.assertEqual(self._journal_count(), journal_before)

    def test_preview_menu_is_officer_only(self):
        with self.assertRaises(AccessError):
            self.Policy.with_user(self.user_steward)._hygiene_open_preview()
        action = self.Policy.with_user(self.user_officer)._hygiene_open_preview()
        self.assertEqual(action["res_model"], "hygiene.retention.preview")

    def test_safety_valve_stops_the_run_and_notifies_officers(self):
        self.env["ir.config_parameter"].sudo().set_param(VALVE, "0.5")
        journal_before = self._journal_count()
        with mute_logger("odoo.addons.partner_data_hygiene.models.hygiene_retention_policy"):
            report = self.Policy._cron_retention(batch_size=2)
        self.assertTrue(report["stopped"])
        self.assertEqual(report["done"], 0)
        self.assertTrue(all(self.due.exists().mapped("active")), "nothing touched")
        entry = self.env["hygiene.journal"].sudo().search([], limit=1)
        self.assertEqual(self._journal_count(), journal_before + 1)
        self.assertEqual(entry.operation, "valve")
        self.assertEqual(entry.counts["res.partner"], 5)
        activities = self.policy.activity_ids
        self.assertIn(self.user_officer, activities.user_id)
        self.assertNotIn(self.user_steward, activities.user_id)
        # a second stop does not pile up to-dos
        with mute_logger("odoo.addons.partner_data_hygiene.models.hygiene_retention_policy"):
            self.Policy._cron_retention(batch_size=2)
        self.assertEqual(len(self.policy.activity_ids), len(activities))

    def test_cron_processes_one_batch_and_is_idempotent(self):
        self._require_engine()
        report = self.Policy._cron_retention(batch_size=2)
        self.assertEqual(report["done"], 2)
        self.assertEqual(report["remaining"], 3)
        report = self.Policy._cron_retention(batch_size=10)
        self.assertEqual(report["done"], 3)
        self.assertEqual(report["remaining"], 0)
        self.assertFalse(any(self.due.exists().mapped("active")))
        self.assertTrue(self.not_due.active)
        self.assertTrue(self.employee_due.active, "an internal user's contact is never purged")
        # running again changes nothing
        report = self.Policy._cron_retention(batch_size=10)
        self.assertEqual((report["done"], report["remaining"]), (0, 0))

    def test_shipped_cron_anonymises_due_contacts_and_journals_them(self):
        self._require_engine()
        self.policy.end_action = "anonymize"
        self.env.ref("partner_data_hygiene.ir_cron_retention").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(set(self.due.mapped("hygiene_retention_state")), {"anonymized"})
        self.assertNotIn("Due Person", " ".join(self.due.mapped("name")))
        self.assertTrue(self.not_due.active)
        entries = self.env["hygiene.journal"].search([("policy_id", "=", self.policy.id)])
        self.assertIn("anonymize", entries.mapped("operation"))
        self.assertEqual(
            set(self.due.ids),
            {i for e in entries for i in (e.record_ids or [])} & set(self.due.ids),
        )
        self.assertFalse(self.Partner.search(self.policy._hygiene_due_partners_domain()))

    def test_cli_purge_dry_run_changes_nothing(self):
        out = io.StringIO()
        journal_before = self._journal_count()
        report = run_purge(self.env, dry_run=True, out=out, commit=False)
        self.assertEqual(report["due"], 5)
        self.assertIn("Runs: 5 contacts due, end action archive", out.getvalue())
        self.assertIn("dry run", out.getvalue())
        self.assertTrue(all(self.due.mapped("active")))
        self.assertEqual(self._journal_count(), journal_before)

    def test_cli_purge_unknown_policy(self):
        out = io.StringIO()
        report = run_purge(self.env, policy="No such policy", out=out, commit=False)
        self.assertEqual(report["error"], "unknown_policy")
        self.assertIn("no active retention policy named", out.getvalue())

    def test_cli_purge_runs_with_limit_and_policy(self):
        self._require_engine()
        out = io.StringIO()
        report = run_purge(self.env, policy="Runs", limit=3, out=out, commit=False)
        self.assertEqual(report["done"], 3)
        self.assertEqual(len(self.due.exists().filtered("active")), 2)
        self.assertIn("contacts processed", out.getvalue())
        report = run_purge(self.env, policy="Runs", out=out, commit=False)
        self.assertEqual(report["done"], 2)
        self.assertFalse(self.due.exists().filtered("active"))

    def test_cli_purge_stops_at_the_valve(self):
        self.env["ir.config_parameter"].sudo().set_param(VALVE, "0.5")
        out = io.StringIO()
        run_purge(self.env, dry_run=True, out=out, commit=False)
        self.assertIn("the safety valve would stop this run", out.getvalue())
        out = io.StringIO()
        with mute_logger("odoo.addons.partner_data_hygiene.models.hygiene_retention_policy"):
            report = run_purge(self.env, out=out, commit=False)
        self.assertTrue(report["stopped"])
        self.assertIn("stopped by the safety valve", out.getvalue())
        self.assertTrue(all(self.due.mapped("active")))

    def test_purge_help_documents_every_option(self):
        parser = Hygiene()._parser()
        self.assertIn("purge", parser.format_help())
        purge_help = parser._subparsers._group_actions[0].choices["purge"].format_help()
        for option in ("--dry-run", "--policy", "--limit"):
            self.assertIn(option, purge_help)

    def test_due_partners_move_out_after_an_activity(self):
        """The candidates of a run follow the activity (what the re-permission yes relies on)."""
        domain = self.policy._hygiene_due_partners_domain()
        self.assertEqual(self.Partner.search(domain), self.due)
        self.due[0]._hygiene_register_activity("consent", date=self.now - timedelta(minutes=1))
        self.assertEqual(self.Partner.search(domain), self.due[1:])
