"""The list export of contacts is logged (who, when, which contacts, which columns) so that the
breach register can say which people were in a leaked export (GDPR Art. 33)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestExportLog(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_steward.groups_id += cls.env.ref("base.group_allow_export")

    def _export_as(self, user, partners, columns=("name", "email")):
        return partners.with_user(user).export_data(list(columns))

    def test_an_export_is_logged_with_its_contacts_and_columns(self):
        people = self.env["res.partner"].create(
            [{"name": "Export One", "email": "one@example.fr"}, {"name": "Export Two"}]
        )
        before = self.env["hygiene.export.log"].search_count([])
        result = self._export_as(self.user_steward, people)
        self.assertEqual(len(result["datas"]), 2)
        log = self.env["hygiene.export.log"].search([], limit=1)
        self.assertEqual(self.env["hygiene.export.log"].search_count([]), before + 1)
        self.assertEqual(log.user_id, self.user_steward)
        self.assertEqual(log.partner_ids, people)
        self.assertEqual(log.partner_count, 2)
        self.assertEqual(log.field_names, "name, email")

    def test_a_refused_export_is_not_logged(self):
        person = self.env["res.partner"].create({"name": "Export Refused"})
        before = self.env["hygiene.export.log"].search_count([])
        with self.assertRaises(UserError):  # an AccessError is a UserError
            self._export_as(self.user_portal, person)
        self.assertEqual(self.env["hygiene.export.log"].search_count([]), before)

    def test_nobody_writes_or_forges_the_log(self):
        for user in (self.user_steward, self.user_officer, self.user_manager):
            with self.assertRaises(AccessError):
                self.env["hygiene.export.log"].with_user(user).create({"partner_count": 1})
        log = self.env["hygiene.export.log"].sudo().create({"partner_count": 1})
        with self.assertRaises(AccessError):
            log.with_user(self.user_manager).write({"partner_count": 0})
        with self.assertRaises(AccessError):
            log.with_user(self.user_officer).unlink()
        with self.assertRaises(AccessError):
            log.with_user(self.user_steward).read(["partner_ids"])

    def test_the_breach_finds_the_contacts_of_a_leaked_export(self):
        leaked = self.env["res.partner"].create(
            [{"name": "Leaked One"}, {"name": "Leaked Two", "email": "two@example.fr"}]
        )
        self.env["res.partner"].create({"name": "Not Exported"})
        self._export_as(self.user_steward, leaked)
        log = self.env["hygiene.export.log"].search([], limit=1)
        breach = (
            self.env["hygiene.breach"]
            .with_user(self.user_officer)
            .create({"name": "Laptop lost with an export", "export_log_ids": [(6, 0, log.ids)]})
        )
        breach.action_find_contacts()
        self.assertEqual(breach.affected_partner_ids, leaked)
