"""Security review C1: a merge journal is written by the merge engine only, and its undo replays
only what that merge recorded (signed payload, validated shape, survivor written as the user)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestMergeJournalForgery(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.survivor = Partner.create({"name": "Forge Survivor", "email": "forge.a@example.fr"})
        cls.source = Partner.create({"name": "Forge Source", "email": "forge.b@example.fr"})
        cls.bystander = Partner.create({"name": "Bystander", "email": "bystander@example.fr"})
        cls.group_system = cls.env.ref("base.group_system")

    def _steward_row(self):
        self.env.cr.execute(
            "SELECT to_jsonb(u) FROM res_users u WHERE id = %s", [self.user_steward.id]
        )
        return self.env.cr.fetchone()[0]

    def _forged_payload(self):
        return {
            "survivor_id": self.survivor.id,
            "removed_rows": [
                {
                    "table": "res_users",
                    "row": self._steward_row(),
                    "dependents": {
                        "res_groups_users_rel": [
                            {"gid": self.group_system.id, "uid": self.user_steward.id}
                        ]
                    },
                }
            ],
        }

    def test_steward_cannot_create_a_journal(self):
        Journal = self.env["hygiene.merge.journal"]
        for user in (self.user_steward, self.user_officer, self.user_manager):
            with self.assertRaises(AccessError):
                Journal.with_user(user).create(self._forged_payload())

    def test_manager_cannot_rewrite_a_real_journal(self):
        journal = self.survivor.with_user(self.user_steward)._hygiene_merge(
            self.source.with_user(self.user_steward)
        )
        for user in (self.user_steward, self.user_manager):
            with self.assertRaises(AccessError):
                journal.with_user(user).write(
                    {"removed_rows": self._forged_payload()["removed_rows"]}
                )

    def test_undo_refuses_a_journal_not_signed_by_the_merge(self):
        """Even a journal row that reached the table (a manager of an older version, SQL access)
        is not replayed: nothing is inserted, the steward stays out of Settings."""
        journal = self.env["hygiene.merge.journal"].sudo().create(self._forged_payload())
        self.env.cr.execute(
            "UPDATE hygiene_merge_journal SET signature = 'forged' WHERE id = %s", [journal.id]
        )
        journal.invalidate_recordset()
        with self.assertRaises(UserError):
            journal.with_user(self.user_steward).action_undo()
        self.assertFalse(self.user_steward.has_group("base.group_system"))

    def test_undo_refuses_a_tampered_real_journal(self):
        journal = self.survivor.with_user(self.user_steward)._hygiene_merge(
            self.source.with_user(self.user_steward)
        )
        # tampered in the database, behind the ORM's back
        self.env.cr.execute(
            "UPDATE hygiene_merge_journal SET removed_rows = %s::jsonb WHERE id = %s",
            [__import__("json").dumps(self._forged_payload()["removed_rows"]), journal.id],
        )
        journal.invalidate_recordset()
        with self.assertRaises(UserError):
            journal.with_user(self.user_steward).action_undo()
        self.assertFalse(self.user_steward.has_group("base.group_system"))
        self.assertFalse(self.source.active, "nothing was undone")

    def test_payload_validation_even_when_signed(self):
        """Defence in depth: a payload signed by the engine is still checked for its shape."""
        journal = self.survivor.with_user(self.user_steward)._hygiene_merge(
            self.source.with_user(self.user_steward)
        )
        Journal = journal.sudo()
        bad_payloads = [
            {"removed_rows": self._forged_payload()["removed_rows"]},
            {
                "moved_rows": {
                    str(self.bystander.id): {"res_partner.parent_id": [self.bystander.id]}
                }
            },
            {"before_values": {"sources": {str(self.bystander.id): {"active": False}}}},
            {"before_values": {"survivor": {"bank_ids": [[2, 1]]}}},
            {"before_values": {"survivor": {"message_ids": [[2, 1]]}}},
        ]
        for payload in bad_payloads:
            with self.subTest(payload=list(payload)):
                Journal.write(payload)
                Journal._hygiene_sign()
                with self.assertRaises(UserError):
                    journal.with_user(self.user_steward).action_undo()
        self.assertTrue(self.bystander.active)
        self.assertFalse(self.user_steward.has_group("base.group_system"))

    def test_genuine_undo_still_works(self):
        journal = self.survivor.with_user(self.user_steward)._hygiene_merge(
            self.source.with_user(self.user_steward)
        )
        journal.with_user(self.user_steward).action_undo()
        self.assertEqual(journal.state, "undone")
        self.assertTrue(self.source.active)


@tagged("post_install", "-at_install")
class TestMergeSafeguards(HygieneCommon):
    def test_l8_employee_partner_as_source_needs_an_administrator(self):
        employee_partner = self.user_employee.partner_id
        target = self.env["res.partner"].create({"name": "Catch-all", "email": "x@attacker.test"})
        with self.assertRaises(UserError):
            target.with_user(self.user_steward)._hygiene_merge(
                employee_partner.with_user(self.user_steward)
            )
        self.assertEqual(self.user_employee.partner_id, employee_partner)
        # the employee's partner may survive: its user stays on it
        other = self.env["res.partner"].create({"name": "Old card of the employee"})
        employee_partner.with_user(self.user_steward)._hygiene_merge(
            other.with_user(self.user_steward)
        )
        self.assertFalse(other.active)
