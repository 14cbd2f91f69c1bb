"""Security review M6: each company is its own controller. The addon's records holding partner
data are visible only in the companies of their contact; the import and the retention policies
never reach another company's contacts."""

import base64

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Controller B"})
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Bernard Companyb",
                "email": "bernard.b@example.fr",
                "company_id": cls.company_b.id,
            }
        )
        cls.customer_a = cls.env["res.partner"].create(
            {
                "name": "Alice Companya",
                "email": "alice.a@example.fr",
                "company_id": cls.env.company.id,
            }
        )
        for partner in (cls.customer_a, cls.customer_b):
            cls.env["hygiene.consent"].create(
                {
                    "partner_id": partner.id,
                    "purpose_id": cls.purpose_newsletter.id,
                    "action": "grant",
                    "channel": "web_form",
                }
            )
            cls.env["hygiene.partner.origin"].create(
                {"partner_id": partner.id, "source_id": cls.source_shop.id}
            )

    def test_ledger_states_and_origins_of_another_company_are_hidden(self):
        for model in ("hygiene.consent", "hygiene.consent.state", "hygiene.partner.origin"):
            with self.subTest(model=model):
                records = self.env[model].with_user(self.user_officer).search([])
                partners = records.sudo().partner_id
                self.assertIn(self.customer_a, partners)
                self.assertNotIn(self.customer_b, partners)

    def test_a_user_of_both_companies_sees_both(self):
        self.user_officer.company_ids |= self.company_b
        events = (
            self.env["hygiene.consent"]
            .with_user(self.user_officer)
            .with_context(allowed_company_ids=[self.env.company.id, self.company_b.id])
            .search([])
        )
        self.assertIn(self.customer_b, events.sudo().partner_id)

    def test_import_never_matches_another_companys_contact(self):
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(
                        b"Nom;Courriel\nBernard Companyb;bernard.b@example.fr\n"
                    ),
                    "raw_filename": "b.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        line = batch.line_ids
        self.assertFalse(line.match_partner_id)
        self.assertEqual(line.decision, "create")

    def test_a_companys_policy_does_not_reach_another_company(self):
        policy = self.env["hygiene.retention.policy"].create(
            {"name": "A prospects", "domain": "[('email', '!=', False)]"}
        )
        self.assertEqual(policy.company_id, self.env.company)
        Partner = self.env["res.partner"].with_context(active_test=False)
        reached = Partner.search(policy._hygiene_domain())
        self.assertIn(self.customer_a, reached)
        self.assertNotIn(self.customer_b, reached)
        hidden = (
            self.env["hygiene.retention.policy"]
            .with_user(self.user_officer)
            .search([("company_id", "=", self.company_b.id)])
        )
        self.assertFalse(hidden)


@tagged("post_install", "-at_install")
class TestDuplicateGroupForgery(HygieneCommon):
    """The same class of hole as the merge journal: the auto-merge job (superuser) trusts the
    groups it merges, so only the scan writes them."""

    def test_steward_cannot_make_up_a_group(self):
        victims = self.jeanne | self.marc
        Group = self.env["hygiene.duplicate.group"].with_user(self.user_steward)
        with self.assertRaises(AccessError):
            Group.create({"partner_ids": [(6, 0, victims.ids)], "score": 1.0})
        group = self.env["hygiene.duplicate.group"].create(
            {"partner_ids": [(6, 0, victims.ids)], "score": 0.7}
        )
        for vals in (
            {"score": 1.0},
            {"partner_ids": [(4, self.user_portal.partner_id.id)]},
            {"state": "merged"},
        ):
            with self.subTest(vals=list(vals)), self.assertRaises(AccessError):
                group.with_user(self.user_steward).write(vals)
        group.with_user(self.user_steward).write({"survivor_id": self.marc.id})
        group.with_user(self.user_steward).action_not_duplicates()
        self.assertEqual(group.state, "ignored")

    def test_scan_never_groups_two_companies(self):
        company_b = self.env["res.company"].create({"name": "Controller B"})
        Partner = self.env["res.partner"]
        a = Partner.create(
            {
                "name": "Odile Twocompanies",
                "email": "odile.two@example.fr",
                "company_id": self.env.company.id,
            }
        )
        b = Partner.create(
            {
                "name": "Odile Twocompanies",
                "email": "odile.two@example.fr",
                "company_id": company_b.id,
            }
        )
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        groups = self.env["hygiene.duplicate.group"].search([("partner_ids", "in", (a | b).ids)])
        for group in groups:
            self.assertFalse(a in group.partner_ids and b in group.partner_ids)


@tagged("post_install", "-at_install")
class TestPolicyAcrossCompanies(HygieneCommon):
    """Attacker's pass V2: an officer of A reached company B through a policy for every
    company, and its counts and preview revealed B's contacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Controller B"})
        cls.bob = cls.env["res.partner"].create(
            {"name": "Bob Companyb", "email": "bob.b@example.fr", "company_id": cls.company_b.id}
        )

    def test_officer_cannot_set_a_policy_for_every_company(self):
        Policy = self.env["hygiene.retention.policy"].with_user(self.user_officer)
        with self.assertRaises(ValidationError):
            Policy.create(
                {
                    "name": "Everyone",
                    "company_id": False,
                    "domain": f"[('company_id', '=', {self.company_b.id})]",
                }
            )
        shipped = self.env.ref("partner_data_hygiene.retention_policy_prospects")
        shipped.company_id = False  # shipped for every company
        with self.assertRaises(ValidationError):
            shipped.with_user(self.user_officer).write(
                {"domain": f"[('company_id', '=', {self.company_b.id})]"}
            )

    def test_counts_and_preview_cover_only_readable_contacts(self):
        policy = self.env["hygiene.retention.policy"].create(
            {"name": "Every B", "company_id": False, "domain": "[('email', '=like', 'bob.%')]"}
        )
        self.assertEqual(policy.partner_count, 1)
        policy.invalidate_recordset()
        self.assertEqual(policy.with_user(self.user_officer).partner_count, 0)


@tagged("post_install", "-at_install")
class TestImportColumnsAndGroupsAcrossCompanies(HygieneCommon):
    """Attacker's pass V3, V8, V9."""

    def test_v3_another_companys_import_columns_are_hidden(self):
        company_b = self.env["res.company"].create({"name": "Controller B"})
        batch = self.env["hygiene.import.batch"].create(
            {
                "raw_file": base64.b64encode(b"Nom;Courriel\nSecret B;secret.b@example.fr\n"),
                "raw_filename": "b.csv",
                "source_id": self.source_shop.id,
                "company_id": company_b.id,
            }
        )
        batch.action_read_file()
        self.assertTrue(batch.mapping_ids)
        Mapping = self.env["hygiene.import.mapping"].with_user(self.user_steward)
        self.assertFalse(Mapping.search([("batch_id", "=", batch.id)]))
        self.assertFalse(
            self.env["hygiene.import.sheet"]
            .with_user(self.user_steward)
            .search([("batch_id", "=", batch.id)])
        )

    def test_v8_another_companys_groups_are_hidden(self):
        company_b = self.env["res.company"].create({"name": "Controller B"})
        Partner = self.env["res.partner"]
        pair = Partner.create(
            [
                {
                    "name": "Gaston Bcompany",
                    "email": "gaston.b@example.fr",
                    "company_id": company_b.id,
                },
                {
                    "name": "Gaston Bcompany",
                    "email": "gaston.b@example.fr",
                    "company_id": company_b.id,
                },
            ]
        )
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        group = self.env["hygiene.duplicate.group"].search([("partner_ids", "in", pair.ids)])
        self.assertTrue(group)
        self.assertEqual(group.company_id, company_b)
        Group = self.env["hygiene.duplicate.group"].with_user(self.user_steward)
        self.assertFalse(Group.search([("id", "=", group.id)]))

    def test_v9_merge_link_is_set_by_the_merge_only(self):
        with self.assertRaises(UserError):
            self.marc.with_user(self.user_steward).write({"hygiene_merged_into_id": self.jeanne.id})
