from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestCoreMergeWizard(HygieneCommon):
    """Contacts › select › Action › Merge: the core wizard, through the addon's merge engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.old = Partner.create({"name": "Claire Morel", "email": "claire.morel@example.fr"})
        cls.dup = Partner.create(
            {
                "name": "Claire MOREL",
                "email": "claire.morel@example.fr",
                "phone": "06 11 22 33 44",
                "city": "Nantes",
            }
        )
        cls.other = Partner.create({"name": "Paul Girard", "email": "paul.girard@example.fr"})
        # With website installed, the core merge reads the contacts' visitors as the user (its
        # ``_update_foreign_keys`` override): a right the core asks for, with or without the addon.
        visitors = cls.env.ref("website.group_website_designer", raise_if_not_found=False)
        if visitors:
            (cls.user_steward | cls.user_employee).groups_id = [Command.link(visitors.id)]

    def _wizard(self, partners, user, dst=None, keep=False):
        form = Form(
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partners.ids)
        )
        if dst:
            form.dst_partner_id = dst
        if keep:
            form.hygiene_keep_merged = True
        return form.save()

    def _journal(self, survivor):
        return self.env["hygiene.merge.journal"].search([("survivor_id", "=", survivor.id)])

    @mute_logger("odoo.addons.base.partner.merge")
    def test_steward_merges_through_the_engine(self):
        old, dup = self.old, self.dup
        now = fields.Datetime.now().replace(microsecond=0)
        self.env["res.partner"]._hygiene_register_activities(
            [(old.id, now - timedelta(days=40), "portal_login"), (dup.id, now, "inbound_email")]
        )
        origins = self.env["hygiene.partner.origin"].create(
            [
                {"partner_id": old.id, "source_id": self.source_shop.id, "collected_date": now},
                {
                    "partner_id": dup.id,
                    "source_id": self.source_fair.id,
                    "collected_date": now - timedelta(days=400),
                },
            ]
        )
        self._consent(old, "grant", event_date=now - timedelta(days=1))
        self._consent(dup, "withdraw", event_date=now - timedelta(days=10))
        message = dup.message_post(body="Sent by the duplicate")

        wizard = self._wizard(old | dup, self.user_steward, dst=old)
        self.assertEqual(wizard.partner_ids, old | dup)
        wizard.action_merge()

        self.assertFalse(dup.exists(), "the core wizard still deletes the merged contact")
        self.assertEqual(old.phone, "06 11 22 33 44", "an empty value comes from the duplicate")
        self.assertEqual(old.hygiene_phone_key, "+33611223344", "keys recomputed")
        self.assertEqual(self._state(old), "withdrawn", "the most restrictive consent wins")
        self.assertEqual(old.hygiene_origin_ids, origins)
        self.assertEqual(old.hygiene_source_id, self.source_fair, "the earliest origin first")
        self.assertEqual(old.hygiene_last_activity_date, now)
        self.assertEqual(old.hygiene_last_activity_source, "inbound_email")
        self.assertEqual(message.res_id, old.id)
        journal = self._journal(old)
        self.assertEqual(len(journal), 1, "the core screen writes a merge journal")
        self.assertEqual(journal.user_id, self.user_steward)
        self.assertEqual(journal.state, "expired", "the sources are deleted: nothing to undo")
        self.assertFalse(journal.before_values)
        self.assertTrue(journal.counts.get("mail_message.res_id"))
        self.assertEqual(len(journal.consent_event_ids), 1)
        self.assertIn("Merged with the following partners", old.message_ids[0].body)

    @mute_logger("odoo.addons.base.partner.merge")
    def test_admin_merges_different_emails_and_ranks_add_up(self):
        ranks = "customer_rank" in self.env["res.partner"]._fields  # account installed
        if ranks:
            self.old.customer_rank, self.other.customer_rank = 2, 3
        wizard = self._wizard(self.old | self.other, self.env.ref("base.user_admin"))
        wizard.action_merge()
        survivor = wizard.dst_partner_id
        self.assertEqual((self.old | self.other).exists(), survivor)
        self.assertEqual(len(self._journal(survivor)), 1)
        if ranks:
            self.assertEqual(survivor.customer_rank, 5, "summable fields add up, as in the core")

    @mute_logger("odoo.addons.base.partner.merge")
    def test_steward_keeps_the_merge_undoable(self):
        old, dup = self.old, self.dup
        message = dup.message_post(body="Sent by the duplicate")
        self._consent(dup, "withdraw")
        self._wizard(old | dup, self.user_steward, dst=old, keep=True).action_merge()
        self.assertTrue(dup.exists(), "kept, archived, for the undo")
        self.assertFalse(dup.active)
        self.assertEqual(dup.hygiene_merged_into_id, old)
        self.assertEqual(message.res_id, old.id)
        journal = self._journal(old)
        self.assertEqual(journal.state, "done")
        self.assertEqual(journal.source_ids, dup)
        journal.with_user(self.user_steward).action_undo()
        self.assertTrue(dup.active)
        self.assertEqual(message.res_id, dup.id)
        self.assertEqual(self._state(dup), "withdrawn")
        self.assertFalse(old.phone, "the survivor's values are given back")

    def test_keep_option_is_for_stewards(self):
        form = Form(
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.user_employee)
            .with_context(active_model="res.partner", active_ids=(self.old | self.dup).ids)
        )
        with self.assertRaises(AssertionError):
            form.hygiene_keep_merged = True  # not on the contact manager's screen

    def test_core_checks_stay(self):
        with self.assertRaisesRegex(UserError, "same email"):
            self._wizard(self.old | self.other, self.user_steward).action_merge()
        Partner = self.env["res.partner"]
        extra = Partner.create([{"name": f"Claire {i}", "email": self.old.email} for i in range(2)])
        with self.assertRaisesRegex(UserError, "more than 3 contacts"):
            self._wizard(
                self.old | self.dup | extra, self.env.ref("base.user_admin")
            ).action_merge()
        child = Partner.create({"name": "Claire's assistant", "parent_id": self.old.id})
        child.email = self.old.email
        with self.assertRaisesRegex(UserError, "parent"):
            self._wizard(self.old | child, self.user_steward).action_merge()
        self.assertTrue((self.old | self.dup | self.other | extra | child).exists())

    @mute_logger("odoo.addons.base.partner.merge")
    def test_contact_manager_merges_as_in_core(self):
        """A contact manager without a data hygiene role merges as the core lets them, and the
        addon's data still follows (consents, journal naming the user)."""
        now = fields.Datetime.now()
        self._consent(self.dup, "refuse", event_date=now - timedelta(days=10))
        self._consent(self.old, "grant", event_date=now - timedelta(days=1))
        self._wizard(self.old | self.dup, self.user_employee, dst=self.old).action_merge()
        self.assertFalse(self.dup.exists())
        self.assertEqual(self._state(self.old), "refused")
        journal = self._journal(self.old)
        self.assertEqual(journal.user_id, self.user_employee)
        self.assertEqual(journal.consent_event_ids.create_uid, self.user_employee)

    def test_merge_needs_write_access(self):
        self.dup.company_id = self.env["res.company"].create({"name": "Other Co"})
        with self.assertRaises(AccessError):
            self._wizard(self.old | self.dup, self.user_employee, dst=self.old).action_merge()

    @mute_logger("odoo.addons.base.partner.merge", "odoo.sql_db")
    def test_refuses_instead_of_deleting_rows(self):
        """The core deletes the rows a unique constraint refuses to move; the engine refuses the
        merge instead and changes nothing."""
        # A business table with a unique partner column: a second row cannot follow the merge.
        self.env.cr.execute(
            "CREATE TABLE hygiene_core_test_unique ("
            " id serial PRIMARY KEY, note varchar,"
            " partner_id int UNIQUE REFERENCES res_partner(id))"
        )
        self.env.cr.execute(
            "INSERT INTO hygiene_core_test_unique (note, partner_id) VALUES ('a', %s), ('b', %s)",
            (self.old.id, self.dup.id),
        )
        with self.assertRaisesRegex(UserError, "unique constraint"):
            self._wizard(self.old | self.dup, self.user_steward, dst=self.old).action_merge()
        self.env.cr.execute("SELECT count(*) FROM hygiene_core_test_unique")
        self.assertEqual(self.env.cr.fetchone()[0], 2, "no row lost")
