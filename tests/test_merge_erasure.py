"""A merge and the rights of the person afterwards (beside the probes of
``test_attack_pass6_rpc.py``): erasing a contact reaches the contacts merged into it, however many
merges ago, as its other nodes (legal holds, deletion, restricted archive), and the undo is
refused; the undo keeps a survivor's value rectified since the merge and says so."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestMergeErasure(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.first = Partner.create(
            {"name": "Odile Mergerase", "email": "odile.first@example.org", "phone": "0611111111"}
        )
        cls.second = Partner.create(
            {"name": "Odile Mergerase", "email": "odile.second@example.org", "mobile": "0622222222"}
        )
        cls.kept = Partner.create({"name": "Odile Mergerase", "email": "odile@example.org"})

    def _merge(self, survivor, sources, **kwargs):
        return survivor.with_user(self.user_steward)._hygiene_merge(sources, **kwargs)

    def _run(self, partners, action="anonymize"):
        return partners.with_user(self.user_officer)._hygiene_retention_execute(action)

    def _left(self, partner):
        self.env.invalidate_all()
        values = partner.with_context(active_test=False).read(["name", "email", "phone", "mobile"])
        return " ".join(str(value) for value in values[0].values())

    def _transitive(self):
        """``first`` merged into ``second``, then ``second`` into ``kept``."""
        inner = self._merge(self.second, self.first)
        outer = self._merge(self.kept, self.second)
        self.assertEqual(self.first.hygiene_merged_into_id, self.second)
        self.assertEqual(self.second.hygiene_merged_into_id, self.kept)
        return inner, outer

    def test_erasure_reaches_contacts_merged_transitively(self):
        inner, outer = self._transitive()
        result = self._run(self.kept)
        self.assertEqual(result["done"], [self.kept.id], result)
        for partner in self.kept | self.second | self.first:
            self.assertEqual(partner.hygiene_retention_state, "anonymized", partner.id)
            left = self._left(partner)
            for marker in ("Mergerase", "odile", "11 11 11", "11111111", "22222222"):
                self.assertNotIn(marker, left, f"{partner.id} keeps {marker}")
        # the merged contacts' emails are suppressed too: they do not come back by an import
        Suppression = self.env["hygiene.suppression"].sudo()
        self.assertTrue(Suppression._is_suppressed(email="odile.first@example.org"))
        # the journals keep ids and counts only, and stay refused
        for journal in inner | outer:
            self.assertFalse(journal.before_values or journal.removed_rows, journal.id)
            with self.assertRaises(UserError):
                journal.with_user(self.user_steward).action_undo()
            self.assertEqual(journal.state, "done")

    def test_officer_must_reach_the_merged_contacts(self):
        """The merged contacts are checked as the child contacts are: an officer who may not
        change one of them is refused the whole erasure, and nothing is written."""
        self._transitive()
        other = self.env["res.company"].create({"name": "Mergerase Other Co"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET company_id = %s WHERE id = %s", (other.id, self.first.id)
        )
        self.env.invalidate_all()
        with self.assertRaises(AccessError):  # record rules of the companies
            self._run(self.kept)
        self.assertFalse(self.kept.hygiene_retention_state)
        self.assertIn("odile.first", self._left(self.first))

    def test_held_merged_contact_is_partially_anonymised(self):
        """A merged-away contact under a legal hold is handled as any held node: its printed
        identity stays until the hold ends, the rest goes, the erasure is reported held; the
        daily second pass completes it."""
        hold_end = fields.Date.today() + timedelta(days=20)
        self.second.with_user(self.user_officer).write(
            {"hygiene_hold_reason": "litigation", "hygiene_hold_end_date": hold_end}
        )
        journal = self._merge(self.kept, self.second)
        result = self._run(self.kept)
        self.assertEqual(result["held"], [self.kept.id], result)
        self.assertEqual(self.kept.hygiene_retention_state, "anonymized")
        self.assertEqual(self.second.hygiene_retention_state, "partial")
        self.assertEqual(self.second.hygiene_hold_until, hold_end)
        self.assertEqual(self.second.name, "Odile Mergerase")
        self.assertFalse(self.second.email or self.second.mobile)
        self.assertFalse(journal.before_values)
        # "delete" keeps a held tree, as for a held child contact
        self._run(self.kept, "delete")
        self.assertTrue(self.second.exists() and self.kept.exists())
        with freeze_time(hold_end + timedelta(days=1)):
            self.env["res.partner"]._cron_hygiene_hold_release()
        self.assertEqual(self.second.hygiene_retention_state, "anonymized")
        self.assertNotIn("Mergerase", self._left(self.second))

    def test_erase_deletes_the_merged_contacts(self):
        inner, outer = self._transitive()
        result = self._run(self.kept, "delete")
        self.assertEqual(result["done"], [self.kept.id], result)
        self.assertFalse((self.kept | self.second | self.first).exists())
        self.assertFalse(outer.survivor_id)

    def test_archive_takes_the_merged_contacts_into_the_restricted_archive(self):
        self._merge(self.kept, self.second)
        self._run(self.kept, "archive")
        self.assertEqual(self.second.hygiene_retention_state, "archived")
        visible = self.env["res.partner"].with_user(self.user_steward)
        self.assertFalse(
            visible.with_context(active_test=False).search([("id", "=", self.second.id)])
        )

    def test_undo_refused_once_a_source_is_erased(self):
        """A source erased on its own (its survivor stays active): the undo is refused with
        its reason, and the survivor keeps its values."""
        journal = self._merge(self.kept, self.first, field_values={"phone": self.first.phone})
        self._run(self.first)
        with self.assertRaisesRegex(UserError, "anonymised, erased"):
            journal.with_user(self.user_steward).action_undo()
        self.assertEqual(journal.state, "done")
        self.assertTrue(self.kept.active)
        self.assertTrue(self.kept.phone)


@tagged("post_install", "-at_install")
class TestUndoRectification(HygieneCommon):
    def test_undo_keeps_the_rectified_field_and_names_it(self):
        Partner = self.env["res.partner"]
        survivor = Partner.create({"name": "Roch Rectif", "email": "roch@example.org"})
        source = Partner.create(
            {"name": "Roch Rectif", "phone": "0633333333", "city": "Nantes", "zip": "44000"}
        )
        journal = survivor.with_user(self.user_steward)._hygiene_merge(
            source, field_values={"phone": source.phone}
        )
        self.assertEqual((survivor.phone, survivor.city), ("0633333333", "Nantes"))
        self.assertEqual(journal.before_values["survivor_after"]["phone"], "0633333333")
        survivor.with_user(self.user_steward).phone = "0644444444"
        result = journal.with_user(self.user_steward).action_undo()
        self.assertEqual(journal.state, "undone")
        self.assertEqual(survivor.phone, "0644444444", "the rectification is kept")
        self.assertFalse(survivor.city or survivor.zip, "the other values are given back")
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn("Phone", result["params"]["message"])
        self.assertNotIn("City", result["params"]["message"])
        self.assertEqual(journal.before_values, {"undo_kept": ["phone"]})
        self.assertIn("phone", journal.summary)

    def test_undo_without_rectification_gives_everything_back(self):
        Partner = self.env["res.partner"]
        survivor = Partner.create({"name": "Rose Rectif", "email": "rose@example.org"})
        source = Partner.create({"name": "Rose Rectif", "phone": "0655555555"})
        journal = survivor.with_user(self.user_steward)._hygiene_merge(source)
        self.assertEqual(survivor.phone, "0655555555")
        self.assertIs(journal.with_user(self.user_steward).action_undo(), True)
        self.assertFalse(survivor.phone)
        self.assertFalse(journal.before_values)
