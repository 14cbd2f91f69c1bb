from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestSegmentExposure(HygieneCommon):
    """What a segment's refresh shows beyond its own screen: tags every employee reads on the
    contact, mailing lists anyone in Email Marketing can send to (security review of issue 18)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls.env["hygiene.segment"].create(
            {
                "name": "Companies",
                "marketing": False,
                "domain": str([("id", "in", (cls.jeanne | cls.marc).ids)]),
            }
        )

    def test_the_shipped_do_not_solicit_segment_tags_nobody(self):
        repermission = self.env.ref("partner_data_hygiene.segment_repermission")
        self.assertFalse(repermission.tag_members)
        repermission.domain = str([("id", "in", self.jeanne.ids)])
        repermission._hygiene_refresh()
        self.assertEqual(repermission.member_ids.partner_id, self.jeanne)
        self.assertFalse(repermission.tag_id)
        self.assertFalse(self.jeanne.category_id)

    def test_turning_the_tag_off_removes_it_from_every_member(self):
        self.segment._hygiene_refresh()
        tag = self.segment.tag_id
        self.assertIn(tag, self.jeanne.category_id)
        self.segment.tag_members = False
        self.segment._hygiene_refresh()
        self.assertFalse(tag.exists())
        self.assertFalse(self.jeanne.category_id | self.marc.category_id)
        self.assertEqual(self.segment.member_ids.partner_id, self.jeanne | self.marc)

    def test_only_a_marketing_segment_gets_a_mailing_list(self):
        if "mailing.list" not in self.env:
            self.skipTest("mass_mailing is not installed")
        self.segment._hygiene_refresh()
        self.assertFalse(self.segment.mailing_list_id)
        # a list made while the segment was used for marketing is emptied when it no longer is
        mailing_list = self.env["mailing.list"].create({"name": "Made for marketing"})
        contact = self.env["mailing.contact"].create(
            {"name": "Jeanne", "email": "jeanne.lefevre@example.fr"}
        )
        self.env["mailing.subscription"].create(
            {"list_id": mailing_list.id, "contact_id": contact.id}
        )
        self.segment.sudo().mailing_list_id = mailing_list.id
        self.segment._hygiene_refresh()
        self.assertFalse(mailing_list.subscription_ids)
        self.assertFalse(contact.opt_out)
