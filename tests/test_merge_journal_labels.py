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

    def test_a_relation_table_is_said_by_its_field_in_french(self):
        """The French journal read "hygiene_duplicate_group_partner_rel.partner_id (redundant,
        removed)": a many2many's table has no model, its key and note stayed technical and
        English. It is said by the many2many that reads it, in the reader's language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        kept = self.env["res.partner"].create({"name": "Odile Vasseur"})
        merged = self.env["res.partner"].create({"name": "VASSEUR Odile"})
        self.env["hygiene.duplicate.group"].create({"partner_ids": [(6, 0, (kept | merged).ids)]})
        journal = kept._hygiene_merge(merged)
        key = "(hygiene_duplicate_group_partner_rel.partner_id)"
        line = next(
            line for line in journal.with_context(lang="fr_FR").summary.splitlines() if key in line
        )
        group = self.env["ir.model"].with_context(lang="fr_FR")._get("hygiene.duplicate.group")
        field = (
            self.env["ir.model.fields"]
            .with_context(lang="fr_FR")
            ._get("hygiene.duplicate.group", "partner_ids")
        )
        self.assertTrue(line.startswith(f"{group.name} › {field.field_description}"), line)
        self.assertIn("(en double, supprimé)", line)
        self.assertNotIn("redundant", line)
