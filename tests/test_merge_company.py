import json
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from .common import HygieneCommon

CATEGORY_FIELD = "x_hyg_contact_id"


@tagged("post_install", "-at_install")
class TestMergeCompanyDependent(HygieneCommon):
    """Company-dependent fields (jsonb ``{company id: value}``) in the merge and its undo.

    No Odoo 18 Community module installed by the test databases declares a company-dependent
    many2one to res.partner on another model (only ``test_new_api`` does), so the re-pointing
    is tested with a custom field created here (``ir.model.fields`` supports
    ``company_dependent``); the registry is reset when the class ends. The partner's own
    company-dependent fields are tested with ``barcode`` (base) and, when account is
    installed, ``property_payment_term_id``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "Hygiene Second Company"})
        cls.env["ir.model.fields"].create(
            {
                "name": CATEGORY_FIELD,
                "model_id": cls.env["ir.model"]._get_id("res.partner.category"),
                "field_description": "Contact (per company)",
                "ttype": "many2one",
                "relation": "res.partner",
                "company_dependent": True,
            }
        )
        Partner = cls.env["res.partner"]
        cls.survivor = Partner.create({"name": "Alice Martin", "email": "alice@example.fr"})
        cls.src_b = Partner.create({"name": "Alice Martin", "email": "alice.m@example.fr"})
        cls.src_c = Partner.create({"name": "A. Martin"})
        cls.other = Partner.create({"name": "Someone Else"})

    # ------------------------------------------------------------------ helpers

    def _merge(self, survivor, sources, **kwargs):
        return survivor.with_user(self.user_steward)._hygiene_merge(sources, **kwargs)

    def _raw(self, table, column, record_id):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE id = %s",
                SQL.identifier(column),
                SQL.identifier(table),
                record_id,
            )
        )
        return self.env.cr.fetchone()[0]

    def _set_raw(self, record, column, value):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s::jsonb WHERE id = %s",
                SQL.identifier(record._table),
                SQL.identifier(column),
                None if value is None else json.dumps(value),
                record.id,
            )
        )
        record.invalidate_recordset([column])

    def _tag(self, name, by_company):
        tag = self.env["res.partner.category"].create({"name": name})
        for company, partner in by_company.items():
            tag.with_company(company)[CATEGORY_FIELD] = partner
        return tag

    def _keys(self, by_company):
        return {str(company.id): partner.id for company, partner in by_company.items()}

    # ------------------------------------------------------------------ (a) other models

    def test_company_many2one_repointed_per_company_and_undone(self):
        a, b, c = self.survivor, self.src_b, self.src_c
        ca, cb = self.company_a, self.company_b
        tag_1 = self._tag("one", {ca: b, cb: self.other})
        tag_2 = self._tag("two", {ca: a, cb: c})
        tag_3 = self._tag("three", {ca: self.other})
        table = "res_partner_category"
        before = {tag.id: self._raw(table, CATEGORY_FIELD, tag.id) for tag in tag_1 | tag_2 | tag_3}
        self.assertEqual(before[tag_1.id], self._keys({ca: b, cb: self.other}))
        # a fallback (ir.default) pointing to a source follows it too, as in the core wizard
        self.env["ir.default"].set("res.partner.category", CATEGORY_FIELD, b.id)

        journal = self._merge(a, b | c)

        self.assertEqual(
            self._raw(table, CATEGORY_FIELD, tag_1.id), self._keys({ca: a, cb: self.other})
        )
        self.assertEqual(self._raw(table, CATEGORY_FIELD, tag_2.id), self._keys({ca: a, cb: a}))
        self.assertEqual(self._raw(table, CATEGORY_FIELD, tag_3.id), before[tag_3.id])
        self.assertEqual(tag_2.with_company(cb)[CATEGORY_FIELD], a, "the ORM reads it too")
        self.assertEqual(
            self.env["ir.default"]._get_model_defaults("res.partner.category")[CATEGORY_FIELD],
            a.id,
        )
        key = f"{table}.{CATEGORY_FIELD}"
        self.assertEqual(journal.counts[key], 2, "one per company value moved")
        self.assertEqual(journal.counts["ir_default.json_value"], 1)
        self.assertIn(key, journal.summary)

        journal.action_undo()

        for tag in tag_1 | tag_2 | tag_3:
            self.assertEqual(self._raw(table, CATEGORY_FIELD, tag.id), before[tag.id])
        self.assertEqual(tag_1.with_company(ca)[CATEGORY_FIELD], b)
        self.assertEqual(
            self.env["ir.default"]._get_model_defaults("res.partner.category")[CATEGORY_FIELD],
            b.id,
        )

    def test_undo_keeps_company_values_changed_since(self):
        a, b = self.survivor, self.src_b
        ca, cb = self.company_a, self.company_b
        tag = self._tag("one", {ca: b, cb: b})
        journal = self._merge(a, b)
        tag.with_company(cb)[CATEGORY_FIELD] = self.other  # edited after the merge
        journal.action_undo()
        self.assertEqual(
            self._raw("res_partner_category", CATEGORY_FIELD, tag.id),
            self._keys({ca: b, cb: self.other}),
        )

    def test_company_many2one_one_update_per_column_for_a_batch(self):
        Partner = self.env["res.partner"]
        ca, cb = self.company_a, self.company_b
        groups, tags = [], self.env["res.partner.category"]
        for index in range(3):
            survivor = Partner.create({"name": f"Survivor {index}"})
            source = Partner.create({"name": f"Source {index}"})
            tags |= self._tag(f"tag {index}", {ca: source, cb: source})
            groups.append((survivor, source, None))
        self.env.flush_all()
        statements = []
        original = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, "code", query)))
            return original(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", spy):
            journals = Partner.with_user(self.user_steward)._hygiene_merge_batch(groups)
        updates = [
            code
            for code in statements
            if code.lstrip().startswith("UPDATE") and '"res_partner_category"' in code
        ]
        self.assertEqual(len(updates), 1, updates)
        self.assertEqual(len(journals), 3)
        for (survivor, __, __), tag in zip(groups, tags, strict=True):
            self.assertEqual(
                self._raw("res_partner_category", CATEGORY_FIELD, tag.id),
                self._keys({ca: survivor, cb: survivor}),
            )

    # ------------------------------------------------------------------ (b) the partner's own

    def _set_write_date(self, partner, when):
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE res_partner SET write_date = %s WHERE id = %s", when, partner.id)
        )
        partner.invalidate_recordset(["write_date"])

    def _barcodes(self, partner):
        return self._raw("res_partner", "barcode", partner.id)

    def test_survivor_gaps_filled_per_company_and_undone(self):
        a, b, c = self.survivor, self.src_b, self.src_c
        ca, cb = str(self.company_a.id), str(self.company_b.id)
        # an explicit null is a gap too
        self._set_raw(a, "barcode", {ca: "S-A", cb: None})
        self._set_raw(b, "barcode", {ca: "B-A", cb: "B-B"})
        self._set_raw(c, "barcode", {cb: "C-B"})
        self._set_write_date(b, "2024-01-01 00:00:00")
        self._set_write_date(c, "2025-01-01 00:00:00")

        journal = self._merge(a, b | c)

        # company A: the survivor's value stays; company B: the most recent source's
        self.assertEqual(self._barcodes(a), {ca: "S-A", cb: "C-B"})
        self.assertEqual(a.with_company(self.company_b).barcode, "C-B")
        self.assertEqual(a.with_company(self.company_a).barcode, "S-A")
        self.assertEqual(
            journal.before_values["company_dependent"]["barcode"],
            {"before": {cb: None}, "after": {cb: "C-B"}},
        )
        self.assertIn("barcode", journal.summary)

        journal.action_undo()
        self.assertEqual(self._barcodes(a), {ca: "S-A", cb: None})
        self.assertEqual(self._barcodes(b), {ca: "B-A", cb: "B-B"})
        self.assertEqual(a.with_company(self.company_b).barcode, False)

    def test_survivorship_rule_orders_the_sources(self):
        a, b, c = self.survivor, self.src_b, self.src_c
        cb = str(self.company_b.id)
        self._set_raw(b, "barcode", {cb: "B-B"})
        self._set_raw(c, "barcode", {cb: "C-B"})
        self._set_write_date(b, "2025-01-01 00:00:00")  # b is the most recent
        # but c comes from the preferred source
        self.source_shop.priority = 90
        self.source_fair.priority = 10
        Origin = self.env["hygiene.partner.origin"]
        Origin.create({"partner_id": b.id, "source_id": self.source_fair.id})
        Origin.create({"partner_id": c.id, "source_id": self.source_shop.id})
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.merge_survivorship", "source_priority"
        )
        self._merge(a, b | c)
        self.assertEqual(self._barcodes(a), {cb: "C-B"})

    def test_survivor_values_never_overwritten(self):
        ca, cb = str(self.company_a.id), str(self.company_b.id)
        Partner = self.env["res.partner"]
        for rule in ("most_recent", "most_complete", "source_priority"):
            with self.subTest(rule=rule):
                self.env["ir.config_parameter"].set_param(
                    "partner_data_hygiene.merge_survivorship", rule
                )
                survivor = Partner.create({"name": f"Kept {rule}"})
                source = Partner.create(
                    {"name": f"Source {rule}", "email": "s@example.fr", "city": "Lyon"}
                )
                self._set_raw(survivor, "barcode", {ca: f"S-{rule}", cb: f"SB-{rule}"})
                self._set_raw(source, "barcode", {ca: f"X-{rule}", cb: f"XB-{rule}"})
                journal = self._merge(survivor, source)
                self.assertEqual(self._barcodes(survivor), {ca: f"S-{rule}", cb: f"SB-{rule}"})
                self.assertFalse((journal.before_values or {}).get("company_dependent"))

    def test_picked_value_applies_to_the_current_company(self):
        a, b = self.survivor, self.src_b
        ca, cb = str(self.company_a.id), str(self.company_b.id)
        self._set_raw(a, "barcode", {ca: "S-A"})
        self._set_raw(b, "barcode", {ca: "B-A", cb: "B-B"})
        # the steward works in company A: the pick replaces A's value only
        journal = self._merge(a, b, field_values={"barcode": "PICKED"})
        self.assertEqual(self._barcodes(a), {ca: "PICKED", cb: "B-B"})
        journal.action_undo()
        self.assertEqual(self._barcodes(a), {ca: "S-A"})

    def test_undo_keeps_partner_values_changed_since(self):
        a, b = self.survivor, self.src_b
        cb = str(self.company_b.id)
        self._set_raw(b, "barcode", {cb: "B-B"})
        journal = self._merge(a, b)
        a.with_company(self.company_b).barcode = "NEW-B"
        journal.action_undo()
        self.assertEqual(self._barcodes(a), {cb: "NEW-B"})

    def test_payment_terms_filled_per_company(self):
        if "property_payment_term_id" not in self.env["res.partner"]._fields:
            self.skipTest("account is not installed")
        a, b = self.survivor, self.src_b
        Term = self.env["account.payment.term"]
        term_a = Term.create({"name": "Hygiene 30 days", "company_id": self.company_a.id})
        term_b_src = Term.create({"name": "Hygiene 60 days", "company_id": self.company_b.id})
        a.with_company(self.company_a).property_payment_term_id = term_a
        b.with_company(self.company_a).property_payment_term_id = Term.create(
            {"name": "Hygiene 10 days", "company_id": self.company_a.id}
        )
        b.with_company(self.company_b).property_payment_term_id = term_b_src
        journal = self._merge(a, b)
        self.assertEqual(a.with_company(self.company_a).property_payment_term_id, term_a)
        self.assertEqual(a.with_company(self.company_b).property_payment_term_id, term_b_src)
        journal.action_undo()
        self.assertEqual(a.with_company(self.company_a).property_payment_term_id, term_a)
        self.assertFalse(a.with_company(self.company_b).property_payment_term_id)

    def test_children_follow_the_commercial_fields_of_the_survivor(self):
        Partner = self.env["res.partner"]
        Industry = self.env["res.partner.industry"]
        food, retail = Industry.create({"name": "Food"}), Industry.create({"name": "Retail"})
        kept = Partner.create({"name": "Zéphyrin SAS", "is_company": True, "industry_id": food.id})
        merged = Partner.create(
            {"name": "Zephyrin", "is_company": True, "industry_id": retail.id, "city": "Lyon"}
        )
        buyer = Partner.create({"name": "Paul Buyer", "parent_id": merged.id})
        own = Partner.create({"name": "Anne Own", "parent_id": kept.id})
        self.assertEqual(buyer.industry_id, retail)

        journal = self._merge(kept, merged)
        self.assertEqual(buyer.parent_id, kept)
        self.assertEqual(kept.industry_id, food, "the survivor's value is never overwritten")
        self.assertEqual(buyer.industry_id, food, "a moved child follows its new company")
        self.assertEqual(own.industry_id, food)

        journal.action_undo()
        self.assertEqual(buyer.parent_id, merged)
        self.assertEqual(buyer.industry_id, retail, "back under its company, its values again")
        self.assertEqual(own.industry_id, food)

    def test_moved_address_follows_the_company_of_a_contact_survivor(self):
        Partner = self.env["res.partner"]
        food = self.env["res.partner.industry"].create({"name": "Food"})
        company = Partner.create(
            {"name": "Zéphyrin SAS", "is_company": True, "industry_id": food.id}
        )
        kept = Partner.create({"name": "Paul Buyer", "parent_id": company.id})
        merged = Partner.create({"name": "Paul Buyer", "email": "paul@example.fr"})
        delivery = Partner.create(
            {"name": "Paul's depot", "type": "delivery", "parent_id": merged.id}
        )
        self.assertFalse(delivery.industry_id)
        self._merge(kept, merged)
        self.assertEqual(delivery.parent_id, kept)
        self.assertEqual(delivery.commercial_partner_id, company)
        self.assertEqual(delivery.industry_id, food)

    def test_children_follow_company_dependent_commercial_fields(self):
        if "property_payment_term_id" not in self.env["res.partner"]._fields:
            self.skipTest("account is not installed")
        Partner, Term = self.env["res.partner"], self.env["account.payment.term"]
        kept = Partner.create({"name": "Bouac Transports", "is_company": True})
        merged = Partner.create({"name": "Transports Bouac", "is_company": True})
        own = Partner.create({"name": "Anne Own", "parent_id": kept.id})
        term_b = Term.create({"name": "Hygiene 45 days", "company_id": self.company_b.id})
        merged.with_company(self.company_b).property_payment_term_id = term_b

        journal = self._merge(kept, merged)
        self.assertEqual(kept.with_company(self.company_b).property_payment_term_id, term_b)
        self.assertEqual(
            own.with_company(self.company_b).property_payment_term_id,
            term_b,
            "the value the merge filled in company B reaches the company's contacts there",
        )
        journal.action_undo()
        self.assertFalse(kept.with_company(self.company_b).property_payment_term_id)
        self.assertFalse(own.with_company(self.company_b).property_payment_term_id)

    def test_targets_find_the_references(self):
        """Other services (retention) look for references with ``where_sql``."""
        b = self.src_b
        self._tag("one", {self.company_b: b})
        self.env["ir.default"].set("res.partner.category", CATEGORY_FIELD, b.id)
        self.env.flush_all()
        targets = self.env["res.partner"]._hygiene_merge_company_targets()
        self.assertEqual(
            {target.key for target in targets},
            {f"res_partner_category.{CATEGORY_FIELD}", "ir_default.json_value"},
        )
        for target in targets:
            for partner, expected in ((b, 1), (self.other, 0)):
                self.env.cr.execute(
                    SQL(
                        "SELECT count(*) FROM %s AS t WHERE %s",
                        SQL.identifier(target.table),
                        target.where_sql("t", SQL("%s", partner.id)),
                    )
                )
                self.assertEqual(self.env.cr.fetchone()[0], expected, target.key)
