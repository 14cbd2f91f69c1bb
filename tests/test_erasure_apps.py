"""The erasers of one application at a time, where the end-to-end test has no real flow for it
(a payment transaction needs a payment provider's round trip)."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..tools import anonymize
from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestPaymentTransactionEraser(HygieneCommon):
    def setUp(self):
        super().setUp()
        if "payment.transaction" not in self.env:
            self.skipTest("payment is not installed")
        provider = self.env["payment.provider"].search([], limit=1)
        method = self.env["payment.method"].with_context(active_test=False).search([], limit=1)
        self.transaction = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "reference": "hygiene-tx-1",
                "amount": 90.0,
                "currency_id": self.env.company.currency_id.id,
                "partner_id": self.jeanne.id,
            }
        )
        self.transaction.write({"partner_address": "3 rue des Lilas", "partner_city": "Lyon"})
        self.assertEqual(
            self._columns(),
            (
                "Jeanne Lefèvre",
                "3 rue des Lilas",
                "Lyon",
                "jeanne.lefevre@example.fr",
                "0612345678",
            ),
        )

    def _columns(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_name, partner_address, partner_city, partner_email, partner_phone"
            " FROM payment_transaction WHERE id = %s",
            [self.transaction.id],
        )
        return self.env.cr.fetchone()

    def test_held_keeps_the_payer_not_their_email_or_phone_then_nothing(self):
        hold_end = fields.Date.today() + timedelta(days=30)
        self.jeanne.with_user(self.user_officer).write(
            {"hygiene_hold_reason": "litigation", "hygiene_hold_end_date": hold_end}
        )
        self.jeanne.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.assertEqual(self.jeanne.hygiene_retention_state, "partial")
        self.assertEqual(self._columns(), ("Jeanne Lefèvre", "3 rue des Lilas", "Lyon", None, None))
        self.assertTrue(
            {
                ("payment_transaction", column)
                for column in ("partner_name", "partner_address", "partner_city")
            }
            <= anonymize.HOLD_KEPT_COLUMNS,
            "what the hold keeps is listed with the other held columns",
        )
        with freeze_time(hold_end + timedelta(days=1)):
            self.env["res.partner"]._cron_hygiene_hold_release()
        self.assertEqual(self.jeanne.hygiene_retention_state, "anonymized")
        self.assertEqual(self._columns(), (None, None, None, None, None))

    def test_not_held_empties_everything(self):
        self.jeanne.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.assertEqual(self._columns(), (None, None, None, None, None))


@tagged("post_install", "-at_install")
class TestNameWordsEraser(HygieneCommon):
    """The name-word counts the last duplicate scan keeps for the live warning."""

    def _words(self):
        self.env.cr.execute("SELECT word, n FROM hygiene_name_word")
        return dict(self.env.cr.fetchall())

    def test_an_erased_persons_words_are_counted_once_less(self):
        person = self.env["res.partner"].create({"name": "Zéphirine Quarkovitch"})
        self.env["res.partner"].create({"name": "Zéphirine Martin"})
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        before = self._words()
        self.assertEqual(before.get("quarkovitch"), 1)
        self.assertEqual(before.get("zephirine"), 2)
        person.with_user(self.user_officer).action_hygiene_erase()
        after = self._words()
        self.assertNotIn("quarkovitch", after, "a word nobody else carries goes")
        self.assertEqual(after.get("zephirine"), 1, "the other Zéphirine keeps hers")
