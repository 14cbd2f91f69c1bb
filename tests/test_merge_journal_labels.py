from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestMergeJournalLabels(HygieneCommon):
    def test_rows_moved_are_said_by_model_and_field(self):
        """The journal's "Rows moved" named tables and columns (mail_message.res_id: 1)."""
        kept = self.env["res.partner"].create({"name": "Odile Vasseur"})
        merged = self.env["res.partner"].create({"name": "VASSEUR Odile"})
        merged.message_post(body="Called about the order")
        journal = kept._hygiene_merge(merged)
        line = next(
            line for line in journal.summary.splitlines() if "(mail_message.res_id)" in line
        )
        message = self.env["ir.model"]._get("mail.message").name
        self.assertTrue(line.startswith(f"{message} › "), line)
