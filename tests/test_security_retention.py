"""Security review H2 / L11: erase and anonymise check the records, not only the group: other
companies' contacts, contacts the officer cannot write, and the companies' own partners are
refused, by the buttons and by the retention policies."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestRetentionScope(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Controller B"})
        Partner = cls.env["res.partner"]
        cls.customer_b = Partner.create(
            {
                "name": "Customer Of B",
                "email": "customer.b@example.fr",
                "company_id": cls.company_b.id,
            }
        )
        cls.customer_a = Partner.create({"name": "Customer Of A", "email": "customer.a@example.fr"})
        # a contact of company A whose child contact belongs to company B
        cls.child_b = Partner.create(
            {
                "name": "Child In B",
                "parent_id": cls.customer_a.id,
                "company_id": cls.company_b.id,
                "type": "other",
            }
        )

    def test_officer_cannot_erase_another_companys_contact(self):
        for method in ("action_hygiene_erase", "action_hygiene_anonymize"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(self.customer_b.with_user(self.user_officer), method)()
        self.assertEqual(self.customer_b.name, "Customer Of B")
        self.assertTrue(self.customer_b.exists())

    def test_the_tree_is_checked_too(self):
        with self.assertRaises(AccessError):
            self.customer_a.with_user(self.user_officer).action_hygiene_anonymize()
        self.assertEqual(self.child_b.name, "Child In B")

    def test_officer_without_write_on_contacts_is_refused(self):
        self.user_officer.groups_id -= self.env.ref("base.group_partner_manager")
        jean = self.env["res.partner"].create({"name": "Jean Sansdroit"})
        with self.assertRaises(AccessError):
            jean.with_user(self.user_officer).action_hygiene_erase()
        self.assertEqual(jean.name, "Jean Sansdroit")

    def test_company_partner_refused_by_the_buttons(self):
        company_partner = self.env.company.partner_id
        name = company_partner.name
        result = company_partner.with_user(self.user_officer)._hygiene_retention_execute(
            "anonymize", reason="manual"
        )
        self.assertEqual(result["refused"], [company_partner.id])
        self.assertEqual(company_partner.name, name)
        self.assertTrue(company_partner.active)

    def test_company_partner_never_picked_by_a_policy(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        excluded = Partner.search(Partner._hygiene_retention_exclusion_domain())
        self.assertNotIn(self.env.company.partner_id, excluded)
        self.assertNotIn(self.company_b.partner_id, excluded)
        self.assertIn(self.customer_a, excluded)


@tagged("post_install", "-at_install")
class TestPolicyDomain(HygieneCommon):
    """Security review L9: a category never filters on the engine's own fields, nor on data the
    officer cannot read."""

    def test_engine_fields_refused(self):
        Policy = self.env["hygiene.retention.policy"].with_user(self.user_officer)
        for domain in (
            "[('hygiene_retention_policy_id.name', '=', 'Prospects')]",
            "[('parent_id.hygiene_retention_state', '=', False)]",
            "[('hygiene_hold_end_date', '=', False)]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                Policy.create({"name": "Loop", "domain": domain})

    def test_unreadable_data_refused(self):
        # a database where bank accounts are reserved to accountants
        for xmlid in (
            "base.access_res_partner_bank_group_user",
            "base.access_res_partner_bank_group_partner_manager",
        ):
            self.env.ref(xmlid).perm_read = False
        self.env["res.partner.bank"].create(
            {"acc_number": "FR7630001007941234567890185", "partner_id": self.marc.id}
        )
        with self.assertRaises(ValidationError):
            self.env["hygiene.retention.policy"].with_user(self.user_officer).create(
                {"name": "Oracle", "domain": "[('bank_ids.acc_number', '=like', 'FR76%')]"}
            )

    def test_category_on_a_field_most_contacts_leave_empty_is_not_everyone(self):
        """A category on ``ref`` was refused as "every contact" when the others had no ref
        (the negation left the empty ones out)."""
        self.env["res.partner"].create({"name": "Ref holder", "ref": "X-1"})
        policy = self.env["hygiene.retention.policy"].create(
            {"name": "X refs", "domain": "[('ref', '=like', 'X-%')]"}
        )
        self.assertTrue(policy)
