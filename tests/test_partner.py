"""Provenance of contacts: the Data & Privacy page, origins, first source and search filters."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tests import Form, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common import HygieneCommon

PRIVACY_PAGE_FIELDS = (
    "hygiene_source_id",
    "hygiene_collected_date",
    "hygiene_latest_origin_id",
    "hygiene_last_activity_date",
    "hygiene_last_activity_source",
    "hygiene_consent_state_ids",
    "hygiene_origin_ids",
    "hygiene_consent_ids",
)
SEARCH_FILTERS = (
    "hygiene_newsletter_ok",
    "hygiene_newsletter_missing",
    "hygiene_inactive_36",
    "hygiene_active_12",
    "hygiene_no_source",
)


@tagged("post_install", "-at_install")
class TestPartnerProvenance(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_admin = cls.env.ref("base.user_admin")
        cls.source_loyalty = cls.env.ref("partner_data_hygiene.source_loyalty")
        cls.source_store = cls.env.ref("partner_data_hygiene.source_store")
        cls.source_portal = cls.env.ref("partner_data_hygiene.source_portal")
        cls.now = fields.Datetime.now()
        cls.anna = cls.env["res.partner"].create({"name": "Anna Provenance"})

    def _origin(self, partner, source, collected_date, **values):
        return self.env["hygiene.partner.origin"].create(
            {
                "partner_id": partner.id,
                "source_id": source.id,
                "collected_date": collected_date,
                **values,
            }
        )

    def _arch(self, user, view_type):
        views = self.env["res.partner"].with_user(user).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    # ------------------------------------------------------------ form

    def test_privacy_page_in_form_of_hygiene_user_and_admin(self):
        for user in (self.user_hygiene, self.user_admin):
            with self.subTest(user=user.login):
                arch = self._arch(user, "form")
                [page] = arch.xpath("//page[@name='hygiene_privacy']")
                self.assertEqual(page.get("string"), "Data & Privacy")
                page_fields = {node.get("name") for node in page.iter("field")}
                self.assertLessEqual(set(PRIVACY_PAGE_FIELDS), page_fields)
                self.assertTrue(page.xpath(".//button[@name='action_hygiene_record_consent']"))
                form = Form(self.jeanne.with_user(user))
                for name in PRIVACY_PAGE_FIELDS:
                    self.assertIn(name, form._view["fields"])
                self.assertFalse(form.hygiene_source_id)
                self.assertFalse(form.hygiene_last_activity_date)

    def test_no_privacy_page_for_employee_without_role(self):
        arch = self._arch(self.user_employee, "form")
        self.assertFalse(arch.xpath("//page[@name='hygiene_privacy']"))
        form = Form(self.jeanne.with_user(self.user_employee))
        form.phone = "0600000000"
        form.save()
        # saved (phone_validation may format it for the company's country)
        self.assertEqual(self.jeanne.hygiene_phone_key, "+33600000000")

    def test_add_origin_line_in_form(self):
        for user, partner_name in ((self.user_admin, "Admin line"), (self.user_steward, "Steward")):
            with self.subTest(user=user.login):
                partner = self.env["res.partner"].create({"name": partner_name})
                # a steward cannot date an origin before the contact existed (the retention
                # clock): the administrator (an officer) can
                collected = (
                    self.now - relativedelta(months=5)
                    if user == self.user_admin
                    else partner.create_date.replace(microsecond=0) + relativedelta(seconds=1)
                )
                with Form(partner.with_user(user)) as form:
                    with form.hygiene_origin_ids.new() as line:
                        line.source_id = self.source_fair
                        line.source_ref = "BADGE-0042"
                        line.collected_date = collected
                    self.assertEqual(len(form.hygiene_origin_ids), 1)
                origin = partner.hygiene_origin_ids
                self.assertEqual(len(origin), 1)
                self.assertEqual(origin.source_id, self.source_fair)
                self.assertEqual(origin.source_ref, "BADGE-0042")
                self.assertEqual(origin.collected_date, collected)
                self.assertEqual(origin.channel_type, "event")
                self.assertEqual(origin.create_uid, user)
                self.assertEqual(partner.hygiene_source_id, self.source_fair)
                self.assertEqual(partner.hygiene_collected_date, collected)
                self.assertEqual(partner.hygiene_first_origin_id, origin)
                self.assertEqual(partner.hygiene_latest_origin_id, origin)
                # the saved provenance is what the page shows when the form is opened again
                form = Form(partner.with_user(user))
                self.assertEqual(form.hygiene_source_id, self.source_fair)
                self.assertEqual(
                    fields.Datetime.to_datetime(form.hygiene_collected_date), collected
                )
                self.assertEqual(form.hygiene_latest_origin_id, origin)

    def test_two_origin_lines_with_the_same_date_in_form(self):
        """Two new lines collected at the same time (the default: now) must not break the form.

        The first/latest origin are computed in the onchange on new lines, whose ids cannot be
        compared.
        """
        collected = self.now - relativedelta(days=3)
        self._origin(self.anna, self.source_loyalty, collected)
        with Form(self.anna.with_user(self.user_admin)) as form:
            for source, ref in ((self.source_shop, "C-1"), (self.source_fair, "B-1")):
                with form.hygiene_origin_ids.new() as line:
                    line.source_id = source
                    line.source_ref = ref
                    line.collected_date = collected
            with form.hygiene_origin_ids.new() as line:
                line.source_id = self.source_store
                line.collected_date = collected - relativedelta(days=1)
        origins = self.anna.hygiene_origin_ids
        self.assertEqual(len(origins), 4)
        self.assertEqual(self.anna.hygiene_source_id, self.source_store)
        self.assertEqual(self.anna.hygiene_first_origin_id.source_id, self.source_store)
        # same date: the first recorded wins the tie, the last recorded is the latest
        self.assertEqual(self.anna.hygiene_latest_origin_id.source_id, self.source_fair)

    def test_onchange_with_an_origin_line_without_date(self):
        """The web client sends the parent onchange while a line's date is being typed (empty)."""
        saved = self._origin(self.anna, self.source_loyalty, self.now - relativedelta(days=3))
        spec = {
            "hygiene_origin_ids": {"fields": {"source_id": {}, "collected_date": {}}},
            "hygiene_latest_origin_id": {"fields": {"display_name": {}}},
        }
        new_line = {"source_id": self.source_fair.id, "collected_date": False}
        result = self.anna.with_user(self.user_admin).onchange(
            {"hygiene_origin_ids": [Command.create(new_line), Command.link(saved.id)]},
            ["hygiene_origin_ids"],
            spec,
        )
        # no crash; the unsaved line cannot be shown as a many2one value yet
        self.assertFalse(result["value"].get("hygiene_latest_origin_id"))

    def test_origin_lines_are_read_only_for_hygiene_user(self):
        """A hygiene user sees the origins; only a steward or above can add them."""
        self._origin(self.anna, self.source_shop, self.now - relativedelta(years=1))
        arch = self._arch(self.user_hygiene, "form")
        [origin_list] = arch.xpath("//field[@name='hygiene_origin_ids']/list")
        self.assertEqual(origin_list.get("create"), "False")
        self.assertEqual(origin_list.get("delete"), "False")
        steward_list = self._arch(self.user_steward, "form").xpath(
            "//field[@name='hygiene_origin_ids']/list"
        )[0]
        self.assertNotEqual(steward_list.get("create"), "False")
        form = Form(self.anna.with_user(self.user_hygiene))
        self.assertEqual(form.hygiene_source_id, self.source_shop)
        self.assertEqual(len(form.hygiene_origin_ids), 1)
        with form.hygiene_origin_ids.new() as line:
            line.source_id = self.source_fair
        with self.assertRaises(AccessError):
            form.save()
        self.assertEqual(len(self.anna.hygiene_origin_ids), 1)

    # ------------------------------------------------------------ first / latest origin

    def test_first_and_latest_origin_follow_the_origins(self):
        Partner = self.env["res.partner"]
        fair = self._origin(self.anna, self.source_fair, self.now - relativedelta(years=2))
        shop = self._origin(self.anna, self.source_shop, self.now - relativedelta(years=1))
        self.assertEqual(self.anna.hygiene_first_origin_id, fair)
        self.assertEqual(self.anna.hygiene_latest_origin_id, shop)
        self.assertEqual(self.anna.hygiene_source_id, self.source_fair)
        self.assertEqual(self.anna.hygiene_collected_date, fair.collected_date)

        # an older origin found later (a legacy file) becomes the first one
        loyalty = self._origin(self.anna, self.source_loyalty, self.now - relativedelta(years=3))
        self.assertEqual(self.anna.hygiene_first_origin_id, loyalty)
        self.assertEqual(self.anna.hygiene_source_id, self.source_loyalty)
        self.assertEqual(self.anna.hygiene_collected_date, loyalty.collected_date)
        self.assertEqual(self.anna.hygiene_latest_origin_id, shop)

        portal = self._origin(self.anna, self.source_portal, self.now - timedelta(hours=1))
        self.assertEqual(self.anna.hygiene_latest_origin_id, portal)
        self.assertEqual(self.anna.hygiene_source_id, self.source_loyalty)

        # a corrected collection date moves the first origin
        loyalty.collected_date = self.now - relativedelta(months=6)
        self.assertEqual(self.anna.hygiene_first_origin_id, fair)
        self.assertEqual(self.anna.hygiene_source_id, self.source_fair)
        self.assertEqual(self.anna.hygiene_collected_date, fair.collected_date)

        # a corrected source of the first origin changes the source of the partner
        fair.source_id = self.source_store
        self.assertEqual(self.anna.hygiene_source_id, self.source_store)
        self.assertIn(self.anna, Partner.search([("hygiene_source_id", "=", self.source_store.id)]))
        self.assertNotIn(
            self.anna, Partner.search([("hygiene_source_id", "=", self.source_fair.id)])
        )

        # removing origins
        fair.unlink()
        self.assertEqual(self.anna.hygiene_first_origin_id, shop)
        self.assertEqual(self.anna.hygiene_source_id, self.source_shop)
        self.assertEqual(self.anna.hygiene_collected_date, shop.collected_date)
        self.assertIn(self.anna, Partner.search([("hygiene_source_id", "=", self.source_shop.id)]))
        (shop | loyalty | portal).unlink()
        self.assertFalse(self.anna.hygiene_first_origin_id)
        self.assertFalse(self.anna.hygiene_latest_origin_id)
        self.assertFalse(self.anna.hygiene_source_id)
        self.assertFalse(self.anna.hygiene_collected_date)
        self.assertIn(self.anna, Partner.search([("hygiene_source_id", "=", False)]))

    def test_origins_written_as_steward_update_the_stored_source(self):
        """The stored source is computed with the rights of the system, whoever adds the origin."""
        origin = (
            self.env["hygiene.partner.origin"]
            .with_user(self.user_steward)
            .create(
                {
                    "partner_id": self.anna.id,
                    "source_id": self.source_fair.id,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT hygiene_source_id FROM res_partner WHERE id = %s", self.anna.id)
        )
        self.assertEqual(self.env.cr.fetchone()[0], self.source_fair.id)
        self.assertEqual(
            self.anna.with_user(self.user_hygiene).hygiene_first_origin_id,
            origin.with_user(self.user_hygiene),
        )

    def test_same_collection_date_first_created_wins(self):
        collected = self.now - relativedelta(months=1)
        first = self._origin(self.anna, self.source_shop, collected)
        second = self._origin(self.anna, self.source_fair, collected)
        self.assertEqual(self.anna.hygiene_first_origin_id, first)
        self.assertEqual(self.anna.hygiene_latest_origin_id, second)
        self.assertEqual(self.anna.hygiene_source_id, self.source_shop)

    def test_collection_date_in_the_future_is_refused(self):
        # assertRaises (not assertRaisesRegex) rolls back to a savepoint: the constraint is
        # checked after the row was written
        with self.assertRaises(ValidationError) as catcher:
            self._origin(self.anna, self.source_shop, self.now + timedelta(days=1))
        self.assertIn("future", str(catcher.exception))
        origin = self._origin(self.anna, self.source_shop, self.now)
        with self.assertRaises(ValidationError) as catcher:
            origin.collected_date = self.now + relativedelta(years=1)
        self.assertIn("future", str(catcher.exception))
        form = Form(self.anna.with_user(self.user_admin))
        with form.hygiene_origin_ids.new() as line:
            line.source_id = self.source_fair
            line.collected_date = self.now + timedelta(days=2)
        with self.assertRaises(ValidationError) as catcher:
            form.save()
        self.assertIn("future", str(catcher.exception))
        self.anna.invalidate_recordset()
        self.assertEqual(self.anna.hygiene_origin_ids, origin)
        self.assertEqual(self.anna.hygiene_collected_date, self.now)

    # ------------------------------------------------------------ sources

    def test_source_partners_action_and_count(self):
        Partner = self.env["res.partner"]
        # sources of this test only, so that the counts do not depend on demo data
        Source = self.env["hygiene.source"]
        source_shop = Source.create({"name": "Test shop", "code": "test_shop"})
        source_fair = Source.create({"name": "Test fair", "code": "test_fair"})
        source_loyalty = Source.create({"name": "Test loyalty", "code": "test_loyalty"})
        bob = Partner.create({"name": "Bob Twice at the Fair"})
        self._origin(self.anna, source_shop, self.now - relativedelta(years=2))
        self._origin(self.anna, source_fair, self.now - relativedelta(years=1))
        self._origin(bob, source_fair, self.now - relativedelta(years=1))
        self._origin(bob, source_fair, self.now - relativedelta(months=1))
        fair = source_fair.with_user(self.user_hygiene)
        # distinct contacts, whether the fair is their first origin or not
        self.assertEqual(fair.origin_count, 2)
        self.assertEqual(source_shop.with_user(self.user_hygiene).origin_count, 1)
        self.assertEqual(source_loyalty.origin_count, 0)
        action = fair.action_view_partners()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "res.partner")
        partners = Partner.with_user(self.user_hygiene).search(action["domain"])
        self.assertEqual(partners, (self.anna | bob).with_user(self.user_hygiene))
        self.assertEqual(Partner.search(source_loyalty.action_view_partners()["domain"]), Partner)
        # the source's form shows the count on its button
        form_arch = etree.fromstring(
            self.env["hygiene.source"]
            .with_user(self.user_hygiene)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [button] = form_arch.xpath("//button[@name='action_view_partners']")
        self.assertTrue(button.xpath("./field[@name='origin_count']"))


@tagged("post_install", "-at_install")
class TestPartnerSearchFilters(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        Origin = cls.env["hygiene.partner.origin"]
        Consent = cls.env["hygiene.consent"]
        now = fields.Datetime.now()

        def months_ago(months):
            return now - relativedelta(months=months)

        def partner(name, origins=(), activity=None, consents=()):
            record = Partner.create({"name": name, "email": f"{name.lower()}@example.com"})
            for source, date in origins:
                Origin.create(
                    {"partner_id": record.id, "source_id": source.id, "collected_date": date}
                )
            if activity:
                Partner._hygiene_register_activities([(record.id, activity, "sale_order")])
            for purpose, action, proven in consents:
                Consent.create(
                    {
                        "partner_id": record.id,
                        "purpose_id": purpose.id,
                        "action": action,
                        "proven": proven,
                        "channel": "web_form",
                    }
                )
            return record

        newsletter, sms = cls.purpose_newsletter, cls.purpose_sms
        cls.recent = partner(
            "Recent",
            [(cls.source_shop, months_ago(30))],
            months_ago(2),
            [(newsletter, "grant", True)],
        )
        cls.stale = partner(
            "Stale",
            [(cls.source_fair, months_ago(120))],
            months_ago(40),
            [(newsletter, "withdraw", True)],
        )
        cls.silent_old = partner(
            "SilentOld",
            [(cls.source_shop, months_ago(40)), (cls.source_fair, months_ago(3))],
            consents=[(newsletter, "grant", False)],
        )
        cls.silent_new = partner(
            "SilentNew", [(cls.source_fair, months_ago(2))], consents=[(sms, "grant", True)]
        )
        cls.legacy = partner("Legacy")  # no origin, no activity, created long ago
        cls.fresh = partner("Fresh")  # no origin, no activity, created today
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                "UPDATE res_partner SET create_date = %s WHERE id = %s",
                months_ago(40),
                cls.legacy.id,
            )
        )
        cls.legacy.invalidate_recordset(["create_date"])
        cls.ours = cls.recent | cls.stale | cls.silent_old | cls.silent_new | cls.legacy | cls.fresh

    def _search_arch(self, user):
        views = self.env["res.partner"].with_user(user).get_views([(False, "search")])
        return etree.fromstring(views["views"]["search"]["arch"])

    def _filter_domain(self, name, user=None):
        """The domain of the named filter of the search view, evaluated as the web client does."""
        arch = self._search_arch(user or self.user_hygiene)
        [node] = arch.xpath(f"//filter[@name='{name}']")
        partner = self.env["res.partner"].with_user(user or self.user_hygiene)
        return safe_eval(
            node.get("domain"),
            {
                "context_today": lambda: fields.Date.context_today(partner),
                "relativedelta": relativedelta,
                "datetime": safe_datetime,
                "uid": partner.env.uid,
            },
        )

    def _search(self, domain):
        Partner = self.env["res.partner"].with_user(self.user_hygiene)
        return Partner.search(expression.AND([domain, [("id", "in", self.ours.ids)]])).sudo()

    def test_filters_are_in_the_search_view_for_hygiene_users_only(self):
        arch = self._search_arch(self.user_hygiene)
        for name in SEARCH_FILTERS:
            self.assertTrue(arch.xpath(f"//filter[@name='{name}']"), name)
        self.assertTrue(arch.xpath("//field[@name='hygiene_source_id']"))
        self.assertTrue(arch.xpath("//filter[@name='hygiene_group_source']"))
        employee_arch = self._search_arch(self.user_employee)
        for name in SEARCH_FILTERS:
            self.assertFalse(employee_arch.xpath(f"//filter[@name='{name}']"), name)
        self.assertFalse(employee_arch.xpath("//field[@name='hygiene_source_id']"))

    def test_filter_newsletter(self):
        self.assertEqual(self._search(self._filter_domain("hygiene_newsletter_ok")), self.recent)
        self.assertEqual(
            self._search(self._filter_domain("hygiene_newsletter_missing")),
            self.ours - self.recent,
            "withdrawn, unproven, other purpose only or never asked: no valid consent",
        )

    def test_filter_inactive_36_months(self):
        self.assertEqual(
            self._search(self._filter_domain("hygiene_inactive_36")),
            self.stale | self.silent_old | self.legacy,
        )

    def test_filter_active_12_months(self):
        self.assertEqual(self._search(self._filter_domain("hygiene_active_12")), self.recent)

    def test_filter_no_source(self):
        self.assertEqual(
            self._search(self._filter_domain("hygiene_no_source")), self.legacy | self.fresh
        )

    def test_search_by_first_source(self):
        by_id = self._search([("hygiene_source_id", "=", self.source_shop.id)])
        self.assertEqual(by_id, self.recent | self.silent_old)
        # what the search field sends when a name is typed in
        by_name = self._search([("hygiene_source_id", "ilike", "Fair")])
        self.assertEqual(by_name, self.stale | self.silent_new, "the first source only")
        groups = dict(
            self.env["res.partner"]
            .with_user(self.user_hygiene)
            ._read_group([("id", "in", self.ours.ids)], ["hygiene_source_id"], ["__count"])
        )
        self.assertEqual(groups[self.source_shop], 2)
        self.assertEqual(groups[self.source_fair], 2)

    def test_search_fields_on_consented_purposes(self):
        """ "Consents to" and "No valid consent for", with what the web client sends."""
        arch = self._search_arch(self.user_hygiene)
        consents_to, no_consent_for = arch.xpath("//field[@name='hygiene_granted_purpose_ids']")
        self.assertFalse(consents_to.get("filter_domain"))
        newsletter = self.purpose_newsletter
        # a purpose picked in the autocomplete, or a text typed in
        for operator, value in (("=", newsletter.id), ("ilike", "newsletter")):
            with self.subTest(operator=operator, value=value):
                domain = [("hygiene_granted_purpose_ids", operator, value)]
                self.assertEqual(self._search(domain), self.recent)
        # with a filter_domain, the client puts the label of the choice in `self`
        for label in (newsletter.display_name, "Newsletter"):
            with self.subTest(label=label):
                context = {"self": label, "raw_value": newsletter.id}
                domain = safe_eval(no_consent_for.get("filter_domain"), context)
                self.assertEqual(self._search(domain), self.ours - self.recent)
