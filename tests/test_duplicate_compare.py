from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestDuplicateCompare(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.fr = cls.env.ref("base.fr")
        cls.be = cls.env.ref("base.be")
        cls.a = Partner.create(
            {
                "name": "Claire Petit",
                "email": "claire@example.fr",
                "phone": "0611111111",
                "street": "1 rue A",
                "city": "Lyon",
                "country_id": cls.fr.id,
            }
        )
        cls.b = Partner.create(
            {
                "name": "Claire Petit",
                "email": "claire.p@example.fr",
                "phone": "0622222222",
                "street": "2 rue B",
                "city": "Lyon",
                "function": "Buyer",
                "country_id": cls.be.id,
            }
        )
        cls.c = Partner.create(
            {"name": "C. Petit", "city": "Lyon", "zip": "69001", "country_id": cls.fr.id}
        )
        cls.group = cls.env["hygiene.duplicate.group"].create(
            {
                "partner_ids": [(6, 0, (cls.a | cls.b | cls.c).ids)],
                "partner_count": 3,
                "score": 0.9,
                "survivor_id": cls.a.id,
            }
        )

    def _open(self, group=None, user=None):
        group = (group or self.group).with_user(user or self.user_steward)
        action = group.action_compare_merge()
        self.assertEqual(action["res_model"], "hygiene.duplicate.compare")
        self.assertEqual(action["target"], "new")
        return (
            self.env["hygiene.duplicate.compare"].with_user(group.env.user).browse(action["res_id"])
        )

    def _line(self, wizard, name):
        return wizard.line_ids.filtered(lambda line: line.field_name == name)

    def _journal(self, survivor):
        return self.env["hygiene.merge.journal"].search(
            [("survivor_id", "=", survivor.id)], order="id desc", limit=1
        )

    # ------------------------------------------------------------------ opening

    def test_lines_only_for_fields_that_differ(self):
        if "calendar_last_notif_ack" in self.b._fields:
            # a technical column that differs between contacts created at different times
            self.b.calendar_last_notif_ack = "2001-01-01 00:00:00"
        wizard = self._open()
        self.assertEqual(wizard.survivor_id, self.a)
        self.assertEqual(wizard.partner_ids, self.a | self.b | self.c)
        self.assertEqual(
            set(wizard.line_ids.mapped("field_name")),
            {"name", "email", "phone", "street", "zip", "function", "country_id"},
        )
        self.assertFalse(self._line(wizard, "city"), "the same city everywhere: no line")
        phone = self._line(wizard, "phone")
        self.assertEqual(phone.field_label, "Phone")
        self.assertEqual(
            phone.values_text.splitlines(),
            [
                f"#{self.a.id} Claire Petit: 0611111111",
                f"#{self.b.id} Claire Petit: 0622222222",
                f"#{self.c.id} C. Petit: (empty)",
            ],
        )
        country = self._line(wizard, "country_id")
        self.assertIn(f"#{self.b.id} Claire Petit: {self.be.name}", country.values_text)

    def test_defaults_follow_the_rule(self):
        """Most recent (default rule): the survivor's value when it has one, else a source's."""
        wizard = self._open()
        self.assertEqual(self._line(wizard, "phone").keep_partner_id, self.a)
        self.assertEqual(self._line(wizard, "name").keep_partner_id, self.a)
        self.assertEqual(self._line(wizard, "function").keep_partner_id, self.b)
        self.assertEqual(self._line(wizard, "zip").keep_partner_id, self.c)
        self.assertEqual(self._line(wizard, "function").kept_value, "Buyer")
        self.assertEqual(self._line(wizard, "phone").kept_value, "0611111111")

    def test_default_survivor_without_choice(self):
        self.group.survivor_id = False
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET hygiene_last_activity_date = %s WHERE id = %s",
                "2026-01-01 10:00:00",
                self.b.id,
            )
        )
        self.b.invalidate_recordset(["hygiene_last_activity_date"])
        wizard = self._open()
        self.assertEqual(wizard.survivor_id, self.b, "the most recently active contact")
        self.assertEqual(self._line(wizard, "phone").keep_partner_id, self.b)
        self.assertEqual(self._line(wizard, "zip").keep_partner_id, self.c)

    def test_identical_contacts_have_no_line(self):
        Partner = self.env["res.partner"]
        twins = Partner.create([{"name": "Twin", "email": "twin@example.fr"}] * 2)
        group = self.env["hygiene.duplicate.group"].create(
            {"partner_ids": [(6, 0, twins.ids)], "score": 1.0}
        )
        wizard = self._open(group)
        self.assertFalse(wizard.line_ids)
        wizard.action_merge()
        self.assertEqual(group.state, "merged")
        self.assertEqual(len(twins.filtered("active")), 1)

    # ------------------------------------------------------------------ merge

    def test_picked_values_are_kept(self):
        wizard = self._open()
        self._line(wizard, "phone").keep_partner_id = self.b
        self._line(wizard, "street").keep_partner_id = self.b
        self._line(wizard, "country_id").keep_partner_id = self.b
        action = wizard.action_merge()["params"]["next"]  # after the notification

        self.assertEqual(action["res_model"], "res.partner")
        self.assertEqual(action["res_id"], self.a.id)
        self.assertEqual(self.a.phone, "0622222222", "the picked phone")
        self.assertEqual(self.a.street, "2 rue B", "the picked street")
        self.assertEqual(self.a.country_id, self.be, "a many2one pick, passed as an id")
        self.assertEqual(self.a.email, "claire@example.fr", "the rule: the survivor's value")
        self.assertEqual(self.a.function, "Buyer", "the rule: a source fills a gap")
        self.assertEqual(self.a.zip, "69001")
        self.assertEqual(self.a.name, "Claire Petit")
        self.assertFalse((self.b | self.c).filtered("active"))
        self.assertEqual((self.b | self.c).hygiene_merged_into_id, self.a)
        self.assertEqual(self.group.state, "merged")
        self.assertEqual(self.group.survivor_id, self.a)

    def test_pick_of_an_empty_value(self):
        """The user may keep an empty value on purpose: the survivor's street is emptied."""
        wizard = self._open()
        self._line(wizard, "street").keep_partner_id = self.c
        wizard.action_merge()
        self.assertFalse(self.a.street)

    def test_pick_of_the_survivor_beats_the_rule(self):
        """Most complete: B (more fields) would win the email; keeping A's is respected."""
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.merge_survivorship", "most_complete"
        )
        wizard = self._open()
        self.assertEqual(self._line(wizard, "email").keep_partner_id, self.b, "rule default")
        self._line(wizard, "email").keep_partner_id = self.a
        wizard.action_merge()
        self.assertEqual(self.a.email, "claire@example.fr")
        self.assertEqual(self.a.phone, "0622222222", "the rule for the fields left as proposed")

    def test_switch_survivor_keeps_picks(self):
        wizard = self._open()
        self._line(wizard, "street").keep_partner_id = self.c
        with Form(wizard) as form:
            form.survivor_id = self.b
        self.assertEqual(wizard.survivor_id, self.b)
        self.assertEqual(self._line(wizard, "street").keep_partner_id, self.c, "pick kept")
        self.assertEqual(self._line(wizard, "phone").keep_partner_id, self.a, "default kept")
        action = wizard.action_merge()["params"]["next"]  # after the notification

        self.assertEqual(action["res_id"], self.b.id)
        self.assertTrue(self.b.active)
        self.assertFalse((self.a | self.c).filtered("active"))
        self.assertEqual(self.group.survivor_id, self.b)
        self.assertEqual(self.b.phone, "0611111111", "what the screen showed: A's phone")
        self.assertFalse(self.b.street, "C's (empty) street, as picked")
        self.assertEqual(self.b.function, "Buyer")

    def test_survivor_outside_the_group_refused(self):
        wizard = self._open()
        wizard.survivor_id = self.marc
        with self.assertRaisesRegex(UserError, "no longer an active contact"):
            wizard.action_merge()
        self.assertEqual(self.group.state, "pending")
        self.assertTrue(self.b.active)

    def test_kept_partner_archived_meanwhile_refused(self):
        wizard = self._open()
        self._line(wizard, "phone").keep_partner_id = self.c
        self.c.action_archive()
        with self.assertRaisesRegex(UserError, "no longer an active contact"):
            wizard.action_merge()
        self.assertTrue(self.b.active)
        self.assertEqual(self.group.state, "pending")

    def test_field_outside_the_comparison_refused(self):
        """A line forged by RPC for a field the comparison does not offer (restricted to
        administrators, or not a survivorship field) is refused, nothing merged."""
        for name in ("signup_type", "is_company", "no_such_field"):
            with self.subTest(field=name):
                wizard = self._open()
                wizard.line_ids = [
                    (0, 0, {"field_name": name, "keep_partner_id": self.b.id}),
                ]
                with self.assertRaisesRegex(UserError, "cannot be chosen"):
                    wizard.action_merge()
                self.assertTrue(self.b.active)

    # ------------------------------------------------------------------ refusals

    def test_non_steward_cannot_open_or_merge(self):
        for user in (self.user_hygiene, self.user_employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._open(user=user)
        wizard = self._open()
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_hygiene).action_merge()
        self.assertEqual(self.group.state, "pending")
        self.assertTrue(self.b.active)

    def test_merged_group_refuses(self):
        wizard = self._open()
        self.group.with_user(self.user_steward).action_merge()
        with self.assertRaisesRegex(UserError, "Only a group to review"):
            wizard.action_merge()
        with self.assertRaisesRegex(UserError, "Only a group to review"):
            self._open()

    def test_ignored_group_and_group_without_two_contacts_refuse(self):
        self.group.with_user(self.user_steward).action_not_duplicates()
        with self.assertRaisesRegex(UserError, "Only a group to review"):
            self._open()
        group = self.env["hygiene.duplicate.group"].create(
            {"partner_ids": [(6, 0, (self.jeanne | self.marc).ids)], "score": 0.9}
        )
        wizard = self._open(group)
        self.marc.action_archive()
        with self.assertRaisesRegex(UserError, "fewer than two"):
            wizard.action_merge()
        with self.assertRaisesRegex(UserError, "fewer than two"):
            self._open(group)

    # ------------------------------------------------------------------ undo

    def test_undo_restores_the_picked_fields(self):
        wizard = self._open()
        self._line(wizard, "phone").keep_partner_id = self.b
        self._line(wizard, "street").keep_partner_id = self.b
        wizard.action_merge()
        journal = self._journal(self.a)
        self.assertTrue(journal)
        self.assertEqual(self.a.phone, "0622222222")

        journal.with_user(self.user_steward).action_undo()

        self.assertEqual(journal.state, "undone")
        self.assertEqual(self.a.phone, "0611111111")
        self.assertEqual(self.a.street, "1 rue A")
        self.assertFalse(self.a.function)
        self.assertTrue(self.b.active and self.c.active)
        self.assertEqual(self.b.phone, "0622222222")
