from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestMerge(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.survivor = Partner.create({"name": "Alice Martin", "email": "alice@example.fr"})
        cls.src_b = Partner.create(
            {"name": "Alice Martin", "phone": "0611223344", "email": "alice.m@example.fr"}
        )
        cls.src_c = Partner.create(
            {"name": "A. Martin", "street": "1 rue de la Paix", "city": "Paris", "zip": "75002"}
        )
        cls.other = Partner.create({"name": "Some Company", "is_company": True})
        cls.tag = cls.env["res.partner.category"].create({"name": "VIP"})

    def _merge(self, survivor, sources, user=None, **kwargs):
        return survivor.with_user(user or self.user_steward)._hygiene_merge(sources, **kwargs)

    def _set_write_date(self, partner, when):
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE res_partner SET write_date = %s WHERE id = %s", when, partner.id)
        )
        partner.invalidate_recordset(["write_date"])

    # ------------------------------------------------------------------ re-pointing

    def test_three_way_merge_repoints_everything(self):
        b, c, a = self.src_b, self.src_c, self.survivor
        attachment = self.env["ir.attachment"].create(
            {"name": "cv.txt", "raw": b"cv", "res_model": "res.partner", "res_id": b.id}
        )
        message = b.message_post(body="Hello from B")
        # B follows a company document; A already follows it: B's follower row is redundant.
        self.other.message_subscribe(partner_ids=(a | b | c).ids)
        activity = c.activity_schedule("mail.mail_activity_data_todo", summary="Call C")
        child = self.env["res.partner"].create({"name": "Child of C", "parent_id": c.id})
        xmlid = self.env["ir.model.data"].create(
            {
                "module": "__merge_test__",
                "name": "partner_b",
                "model": "res.partner",
                "res_id": b.id,
            }
        )
        self.assertEqual(child.commercial_partner_id, c)

        journal = self._merge(a, b | c)

        self.assertEqual(journal.state, "done")
        self.assertEqual(journal.survivor_id, a)
        self.assertEqual(journal.source_ids, b | c)
        self.assertEqual(attachment.res_id, a.id)
        self.assertEqual(message.res_id, a.id)
        self.assertEqual(activity.res_id, a.id)
        self.assertEqual(xmlid.res_id, a.id)
        self.assertEqual(child.parent_id, a)
        self.assertEqual(child.commercial_partner_id, a)
        followers = self.env["mail.followers"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.other.id)]
        )
        self.assertEqual(followers.partner_id, a)
        self.assertFalse(b.active or c.active)
        self.assertEqual((b | c).hygiene_merged_into_id, a)
        # empty survivor values filled from the sources
        self.assertEqual(a.phone, "0611223344")
        self.assertEqual(a.street, "1 rue de la Paix")
        self.assertEqual(a.email, "alice@example.fr", "a non-empty survivor value stays")
        self.assertEqual(a.hygiene_phone_key, "+33611223344", "keys refreshed by the ORM write")
        self.assertEqual(journal.counts["ir_attachment.res_id"], 1)
        self.assertEqual(journal.counts["res_partner.parent_id"], 1)
        self.assertIn("mail_followers.partner_id (redundant, removed)", journal.counts)
        # merged partners never come back as possible duplicates
        probe = self.env["res.partner"].new({"name": "Alice Martin", "phone": "0611223344"})
        matches, __ = probe._hygiene_find_duplicates()
        self.assertNotIn(b, matches)

        journal.with_user(self.user_steward).action_undo()

        self.assertEqual(journal.state, "undone")
        self.assertTrue(b.active and c.active)
        self.assertFalse((b | c).hygiene_merged_into_id)
        self.assertEqual(attachment.res_id, b.id)
        self.assertEqual(message.res_id, b.id)
        self.assertEqual(activity.res_id, c.id)
        self.assertEqual(xmlid.res_id, b.id)
        self.assertEqual(child.parent_id, c)
        self.assertEqual(child.commercial_partner_id, c)
        followers = self.env["mail.followers"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.other.id)]
        )
        self.assertEqual(followers.partner_id, a | b | c)
        self.assertFalse(a.phone)
        self.assertFalse(a.street)
        self.assertFalse(a.hygiene_phone_key)
        with self.assertRaisesRegex(UserError, "no longer in the merged state"):
            journal.with_user(self.user_steward).action_undo()

    def test_five_way_merge_with_shared_tag(self):
        Partner = self.env["res.partner"]
        partners = Partner.create([{"name": f"Bob {i}", "email": f"bob{i}@x.fr"} for i in range(5)])
        tag2 = self.env["res.partner.category"].create({"name": "Newsletter"})
        partners.write({"category_id": [fields.Command.link(self.tag.id)]})
        partners[3].category_id |= tag2
        survivor, sources = partners[0], partners[1:]

        journal = self._merge(survivor, sources)

        self.assertEqual(survivor.category_id, self.tag | tag2)
        self.assertEqual(len(journal.removed_rows), 4, "four redundant VIP links removed")
        self.assertFalse(sources.filtered("active"))

        journal.with_user(self.user_steward).action_undo()
        for partner in sources:
            expected = self.tag | tag2 if partner == partners[3] else self.tag
            self.assertEqual(partner.category_id, expected)
        self.assertEqual(survivor.category_id, self.tag)

    # ------------------------------------------------------------------ survivorship

    def test_survivorship_most_recent(self):
        a, b, c = self.survivor, self.src_b, self.src_c
        c.write({"phone": "0699999999"})
        self._set_write_date(b, fields.Datetime.now() - timedelta(days=10))
        self._set_write_date(c, fields.Datetime.now() - timedelta(days=1))
        self._merge(a, b | c)
        self.assertEqual(a.phone, "0699999999", "the most recently written source wins")
        self.assertEqual(a.email, "alice@example.fr")

    def test_survivorship_most_complete(self):
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.merge_survivorship", "most_complete"
        )
        a, c = self.survivor, self.src_c
        c.write({"email": "am@example.fr"})
        self._merge(a, c)
        self.assertEqual(a.email, "am@example.fr", "the most complete partner's value first")
        self.assertEqual(a.city, "Paris")

    def test_survivorship_source_priority(self):
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.merge_survivorship", "source_priority"
        )
        self.source_shop.priority = 90
        self.source_fair.priority = 10
        a, b = self.survivor, self.src_b
        Origin = self.env["hygiene.partner.origin"]
        Origin.create({"partner_id": a.id, "source_id": self.source_fair.id})
        Origin.create({"partner_id": b.id, "source_id": self.source_shop.id})
        self._merge(a, b, field_values={"name": "Alice MARTIN"})
        self.assertEqual(a.email, "alice.m@example.fr", "the higher-priority source wins")
        self.assertEqual(a.name, "Alice MARTIN", "the user's choice wins")

    def test_never_empties_a_value(self):
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.merge_survivorship", "most_complete"
        )
        a = self.survivor
        a.write({"city": "Lyon", "street": "2 rue X", "zip": "69001", "phone": "0600000000"})
        empty = self.env["res.partner"].create({"name": "Alice"})
        self._merge(empty, a)
        self.assertEqual(empty.city, "Lyon")
        self.assertEqual(empty.name, "Alice Martin", "the most complete partner's name")

    # ------------------------------------------------------------------ consent & co

    def test_consent_most_restrictive(self):
        a, b = self.survivor, self.src_b
        now = fields.Datetime.now()
        self._consent(b, "withdraw", event_date=now - timedelta(days=30))
        self._consent(a, "grant", event_date=now - timedelta(days=1))
        journal = self._merge(a, b)
        self.assertEqual(self._state(a), "withdrawn")
        self.assertEqual(len(journal.consent_event_ids), 1)
        self.assertEqual(journal.consent_event_ids.channel, "other")
        self.assertEqual(journal.consent_event_ids.action, "withdraw")
        self.assertEqual(
            self.env["hygiene.consent.state"].search_count([("partner_id", "=", b.id)]), 0
        )
        journal.with_user(self.user_steward).action_undo()
        self.assertEqual(self._state(b), "withdrawn")
        self.assertEqual(self._state(a), "withdrawn", "undo never lifts a restriction")

    def test_consent_grant_moves_with_its_event(self):
        a, b = self.survivor, self.src_b
        event = self._consent(b, "grant", purpose=self.purpose_sms)
        journal = self._merge(a, b)
        self.assertEqual(event.partner_id, a)
        self.assertEqual(self._state(a, self.purpose_sms), "granted")
        self.assertFalse(journal.consent_event_ids, "no event fabricated")

    def test_blacklist_propagates(self):
        a, b = self.survivor, self.src_b
        self.env["mail.blacklist"]._add(b.email)
        self._merge(a, b)
        self.assertTrue(
            self.env["mail.blacklist"].search_count([("email", "=", "alice@example.fr")])
        )

    def test_last_activity_and_origins(self):
        a, b, c = self.survivor, self.src_b, self.src_c
        now = fields.Datetime.now().replace(microsecond=0)
        Partner = self.env["res.partner"]
        Partner._hygiene_register_activities(
            [
                (a.id, now - timedelta(days=20), "portal_login"),
                (b.id, now - timedelta(days=2), "sale_order"),
                (c.id, now - timedelta(days=5), "inbound_email"),
            ]
        )
        Origin = self.env["hygiene.partner.origin"]
        oldest = now - timedelta(days=900)
        origins = Origin.create(
            [
                {"partner_id": a.id, "source_id": self.source_shop.id, "collected_date": now},
                {"partner_id": c.id, "source_id": self.source_fair.id, "collected_date": oldest},
            ]
        )
        journal = self._merge(a, b | c)
        self.assertEqual(a.hygiene_last_activity_date, now - timedelta(days=2))
        self.assertEqual(a.hygiene_last_activity_source, "sale_order")
        self.assertEqual(a.hygiene_origin_ids, origins)
        self.assertEqual(a.hygiene_collected_date, oldest)
        self.assertEqual(a.hygiene_source_id, self.source_fair)
        journal.with_user(self.user_steward).action_undo()
        self.assertEqual(a.hygiene_last_activity_date, now - timedelta(days=20))
        self.assertEqual(a.hygiene_source_id, self.source_shop)
        self.assertEqual(c.hygiene_source_id, self.source_fair)

    # ------------------------------------------------------------------ refusals

    def test_unique_conflict_on_business_table_refuses(self):
        a, b = self.survivor, self.src_b
        Bank = self.env["res.partner.bank"]
        Bank.create({"acc_number": "FR7630006000011234567890189", "partner_id": a.id})
        bank_b = Bank.create({"acc_number": "FR7630006000011234567890189", "partner_id": b.id})
        attachment = self.env["ir.attachment"].create(
            {"name": "x", "raw": b"x", "res_model": "res.partner", "res_id": b.id}
        )
        b.category_id = self.tag
        a.category_id = self.tag
        with self.assertRaisesRegex(UserError, "res_partner_bank"), mute_logger("odoo.sql_db"):
            self._merge(a, b)
        self.assertEqual(bank_b.partner_id, b)
        self.assertEqual(attachment.res_id, b.id)
        self.assertTrue(b.active)
        self.assertEqual(b.category_id, self.tag)
        self.assertFalse(self.env["hygiene.merge.journal"].search([("survivor_id", "=", a.id)]))

    def test_refusals(self):
        a, b = self.survivor, self.src_b
        with self.assertRaisesRegex(UserError, "into itself"):
            self._merge(a, a | b)
        child = self.env["res.partner"].create({"name": "Kid", "parent_id": b.id})
        with self.assertRaisesRegex(UserError, "parent"):
            self._merge(b, child)
        with self.assertRaisesRegex(UserError, "parent"):
            self._merge(child, b)
        grandchild = self.env["res.partner"].create({"name": "Grandkid", "parent_id": child.id})
        with self.assertRaisesRegex(UserError, "parent"):
            self._merge(a, b | grandchild)
        user_a = self.env["res.users"].create({"login": "merge_a", "partner_id": a.id})
        self.env["res.users"].create({"login": "merge_b", "partner_id": b.id, "active": False})
        with self.assertRaisesRegex(UserError, "more than one user"):
            self._merge(a, b)
        self.assertTrue(user_a)
        self.src_c.active = False
        with self.assertRaisesRegex(UserError, "archived"):
            self._merge(self.src_c, self.other)

    def test_user_linked_to_source_moves(self):
        a, c = self.survivor, self.src_c
        # a portal account (a customer): an internal user's contact is for administrators only
        user = self.env["res.users"].create(
            {
                "login": "merge_c",
                "partner_id": c.id,
                "groups_id": [fields.Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        journal = self._merge(a, c)
        self.assertEqual(user.partner_id, a)
        journal.with_user(self.user_steward).action_undo()
        self.assertEqual(user.partner_id, c)

    def test_rights(self):
        for user in (self.user_hygiene, self.user_employee):
            with self.assertRaises(AccessError):
                self._merge(self.survivor, self.src_b, user=user)
        journal = self._merge(self.survivor, self.src_b)
        with self.assertRaises(AccessError):
            journal.with_user(self.user_hygiene).action_undo()
        self.assertEqual(journal.with_user(self.user_officer).state, "done")

    def test_journal_acl(self):
        # read-only for the roles (journals are written by the merge engine), manager may delete
        expected = {
            self.user_employee: "",
            self.user_hygiene: "",
            self.user_steward: "r",
            self.user_officer: "r",
            self.user_manager: "ru",
        }
        Journal = self.env["hygiene.merge.journal"]
        for user, rights in expected.items():
            for operation in ("create", "read", "write", "unlink"):
                with self.subTest(user=user.login, operation=operation):
                    self.assertEqual(
                        Journal.with_user(user).has_access(operation), operation[0] in rights
                    )

    # ------------------------------------------------------------------ window & cron

    def _age(self, journal, days):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE hygiene_merge_journal SET date = %s WHERE id = %s",
                fields.Datetime.now() - timedelta(days=days),
                journal.id,
            )
        )
        journal.invalidate_recordset(["date"])

    def test_undo_window(self):
        journal = self._merge(self.survivor, self.src_b)
        self._age(journal, 31)
        with self.assertRaisesRegex(UserError, "undo window"):
            journal.with_user(self.user_steward).action_undo()
        self.env["ir.config_parameter"].set_param("partner_data_hygiene.merge_undo_days", "60")
        journal.with_user(self.user_steward).action_undo()
        self.assertTrue(self.src_b.active)

    def test_undo_window_zero_days(self):
        self.env["ir.config_parameter"].set_param("partner_data_hygiene.merge_undo_days", "0")
        journal = self._merge(self.survivor, self.src_b)
        with self.assertRaisesRegex(UserError, "undo window"):
            journal.with_user(self.user_steward).action_undo()

    def test_cron_deletes_only_old_sources(self):
        old = self._merge(self.survivor, self.src_b)
        recent = self._merge(self.other, self.src_c)
        self._age(old, 40)
        Journal = self.env["hygiene.merge.journal"]
        self.assertEqual(Journal._cron_delete_merged_sources(), 1)
        self.assertFalse(self.src_b.exists())
        self.assertTrue(self.src_c.exists())
        self.assertEqual(old.state, "expired")
        self.assertFalse(old.before_values)
        self.assertEqual(recent.state, "done")
        self.assertEqual(Journal._cron_delete_merged_sources(), 0, "safe to re-run")

    def _set_retention_state(self, partner, state):
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET hygiene_retention_state = %s WHERE id = %s",
                state,
                partner.id,
            )
        )
        partner.invalidate_recordset()

    def test_cron_keeps_a_merged_contact_under_a_legal_hold(self):
        """A merged-away contact under a legal hold (the officer's, or a partial anonymisation
        waiting for its hold to end) is not deleted when its undo window ends: the hold wins,
        and its journal stays until the contact can go."""
        journal = self._merge(self.survivor, self.src_b)
        self._age(journal, 40)
        today = fields.Date.today()
        self.src_b.sudo().write(
            {"hygiene_hold_end_date": today + timedelta(days=30), "hygiene_hold_reason": "Suit"}
        )
        Journal = self.env["hygiene.merge.journal"]
        self.assertEqual(Journal._cron_delete_merged_sources(), 0)
        self.assertTrue(self.src_b.exists())
        self.assertEqual(journal.state, "done")
        self.src_b.sudo().hygiene_hold_end_date = today - timedelta(days=1)
        self._set_retention_state(self.src_b, "partial")  # as the engine sets it
        self.assertEqual(Journal._cron_delete_merged_sources(), 0, "partial: the hold pass first")
        self._set_retention_state(self.src_b, None)
        self.assertEqual(Journal._cron_delete_merged_sources(), 1)
        self.assertFalse(self.src_b.exists())
