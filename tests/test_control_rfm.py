from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlEngagement(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["hygiene.partner.score"]

    def _score(self, partner):
        self.Score._hygiene_refresh(partner_ids=partner.ids)
        return self.Score.search([("partner_id", "=", partner.id)])

    def _traces(self, partner, count, **values):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Offers",
                "body_html": "<p>x</p>",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        return self.env["mailing.trace"].create(
            [
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": partner.id,
                    "email": partner.email,
                    "trace_status": "open" if values.get("open_datetime") else "sent",
                    "sent_datetime": fields.Datetime.now() - timedelta(days=10 + i),
                    **values,
                }
                for i in range(count)
            ]
        )

    def test_opens_never_count_and_do_not_solicit(self):
        if "mailing.trace" not in self.env:
            self.skipTest("Email Marketing is not installed")
        opened = fields.Datetime.now() - timedelta(days=5)
        self._traces(self.marc, 6, open_datetime=opened)
        score = self._score(self.marc)
        self.assertEqual(score.engagement_score, 0)
        self.assertFalse(score.last_engagement_date)
        # mailed six times, never engaged (opens are not engagement): do not solicit
        self.assertTrue(score.do_not_solicit)
        # a click is the person's own action
        self._traces(self.marc, 1)[0].write({"links_click_datetime": opened})
        score = self._score(self.marc)
        self.assertGreater(score.engagement_score, 0)
        self.assertFalse(score.do_not_solicit)

    def test_decay_and_events(self):
        now = fields.Datetime.now()
        recent = self.env["res.partner"].create({"name": "Recent", "email": "recent@example.fr"})
        old = self.env["res.partner"].create({"name": "Old", "email": "old@example.fr"})
        for partner, days in ((recent, 1), (old, 400)):
            self.env["hygiene.consent"].create(
                {
                    "partner_id": partner.id,
                    "purpose_id": self.purpose_newsletter.id,
                    "action": "grant",
                    "channel": "web_form",
                    "event_date": now - timedelta(days=days),
                }
            )
        self.Score._hygiene_refresh(partner_ids=(recent | old).ids)
        recent_score = self.Score.search([("partner_id", "=", recent.id)])
        old_score = self.Score.search([("partner_id", "=", old.id)])
        self.assertGreater(recent_score.engagement_score, old_score.engagement_score)
        self.assertGreater(old_score.engagement_score, 0)
        # ten points halved every 90 days: 400 days is about 1/22 of it
        self.assertAlmostEqual(
            old_score.engagement_raw / recent_score.engagement_raw, 0.5 ** (399 / 90), 2
        )
        # new in the base and never engaged: not yet "do not solicit"
        self.assertFalse(self._score(self.jeanne).do_not_solicit)
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            (now - timedelta(days=500), self.jeanne.id),
        )
        self.assertTrue(self._score(self.jeanne).do_not_solicit)


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestControlRfm(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "sale.order" not in cls.env:
            return
        # only the customers of this test in the quintiles
        cls.env.cr.execute("UPDATE sale_order SET state = 'cancel' WHERE state = 'sale'")
        cls.product = cls.env["product.product"].create({"name": "Tea", "list_price": 10.0})
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create([{"name": f"Customer {i}"} for i in range(10)])
        cls.company = Partner.create({"name": "Buyer SAS", "is_company": True})
        cls.employee_of_company = Partner.create({"name": "Ann Buyer", "parent_id": cls.company.id})
        now = fields.Datetime.now()
        orders = []
        # customer i: i + 1 orders of 10 * (i + 1) each, the last one 20 * (10 - i) days ago
        for i, customer in enumerate(cls.customers):
            for n in range(i + 1):
                orders.append((customer, (i + 1), now - timedelta(days=20 * (10 - i) + n)))
        orders.append((cls.employee_of_company, 1, now - timedelta(days=3)))
        cls.orders = cls.env["sale.order"]
        for partner, qty, date in orders:
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": qty})],
                }
            )
            order.action_confirm()
            order.date_order = date
            cls.orders |= order

    def setUp(self):
        super().setUp()
        if "sale.order" not in self.env:
            self.skipTest("Sales is not installed")
        self.Score = self.env["hygiene.partner.score"]

    def _rfm(self, partner):
        return self.Score.search([("partner_id", "=", partner.id)])

    def test_quintiles_labels_and_history(self):
        self.Score._hygiene_refresh(full=True)
        best, worst = self._rfm(self.customers[-1]), self._rfm(self.customers[0])
        self.assertEqual((best.rfm_recency, best.rfm_frequency, best.rfm_monetary), (5, 5, 5))
        self.assertEqual(best.rfm_label, "champions")
        self.assertEqual(best.rfm_orders, 10)
        self.assertEqual(worst.rfm_recency, 1)
        self.assertEqual(worst.rfm_label, "lost")
        # B2B: the contact's order counts for its company
        self.assertEqual(self._rfm(self.company).rfm_orders, 1)
        self.assertFalse(self._rfm(self.employee_of_company).rfm_label)
        # every label is a quintile combination: scores from 1 to 5
        scored = self.Score.search([("rfm_label", "!=", False)])
        self.assertTrue(all(1 <= s.rfm_recency <= 5 for s in scored))
        history = self.env["hygiene.rfm.history"].search([("partner_id", "=", best.partner_id.id)])
        self.assertEqual(history.label, "champions")
        self.assertFalse(history.previous_label)
        # the champion stops buying: two years later it has left the period, it is lost
        self.orders.filtered(lambda o: o.partner_id == best.partner_id).date_order = (
            fields.Datetime.now() - timedelta(days=900)
        )
        self.Score._hygiene_refresh(full=True)
        self.assertEqual(self._rfm(best.partner_id).rfm_label, "lost")
        history = self.env["hygiene.rfm.history"].search([("partner_id", "=", best.partner_id.id)])
        self.assertEqual(history.mapped("label"), ["lost", "champions"])
        self.assertEqual(history[0].previous_label, "champions")
        # the configurable period: three years brings it back
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_data_hygiene.rfm_period_months", 36
        )
        self.Score._hygiene_refresh(full=True)
        self.assertNotEqual(self._rfm(best.partner_id).rfm_label, "lost")

    def test_orders_are_engagement(self):
        self.Score._hygiene_refresh(full=True)
        self.assertGreater(self._rfm(self.customers[-1]).engagement_score, 50)
        self.assertGreater(
            self._rfm(self.customers[-1]).engagement_score,
            self._rfm(self.customers[0]).engagement_score,
        )
