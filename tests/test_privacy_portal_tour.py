from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install", "privacy_portal")
class TestPrivacyPortalTour(HttpCase):
    def test_portal_tour(self):
        user = mail_new_test_user(
            self.env,
            login="hyg_tour",
            groups="base.group_portal",
            name="Tina Tour",
            email="tina.tour@example.com",
        )
        self.start_tour("/my/home", "hygiene_privacy_portal_tour", login="hyg_tour")
        partner = user.partner_id.sudo()
        sms = self.env.ref("partner_data_hygiene.purpose_sms_offers")
        events = partner.hygiene_consent_ids.filtered(lambda e: e.purpose_id == sms)
        self.assertEqual(sorted(events.mapped("action")), ["grant", "withdraw"])
        self.assertTrue(all(event.ip_address for event in events))
        requests = partner.hygiene_privacy_request_ids
        kinds = {req.request_type: req.state for req in requests}
        self.assertEqual(kinds["portability"], "done")
        self.assertEqual(kinds["erasure"], "cancelled")
        self.assertEqual(kinds["objection"], "done")
