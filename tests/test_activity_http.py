import re

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import hmac

from .test_activity import ACTIVITY_FIELDS, HygieneActivityCommon


@tagged("post_install", "-at_install")
class TestLastActivityHttp(HttpCase, HygieneActivityCommon):
    """The events that come through HTTP, by the real routes: login, portal chatter, website forms.

    Both the ``/web/login`` form and ``HttpCase.authenticate`` go through ``res.users._login``,
    which calls ``_update_last_login``: both move the last activity of a portal user.
    """

    def _login_through_form(self, login, password):
        self.authenticate(None, None)
        page = self.url_open("/web/login")
        csrf_token = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)
        return self.url_open(
            "/web/login",
            data={"login": login, "password": password, "csrf_token": csrf_token, "redirect": ""},
            allow_redirects=False,
        )

    def _forget_activity(self, partner):
        """Blank the activity (e.g. set by the login that precedes a post) to see the next event."""
        self.env.cr.execute(
            "UPDATE res_partner SET hygiene_last_activity_date = NULL, "
            "hygiene_last_activity_source = NULL WHERE id = %s",
            [partner.id],
        )
        partner.invalidate_recordset(ACTIVITY_FIELDS)

    def _post_message(self, thread, body, **kwargs):
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": thread._name,
                "thread_id": thread.id,
                "post_data": {
                    "body": body,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    **kwargs.pop("post_data", {}),
                },
                **kwargs,
            },
        )

    def _portal_order(self, partner):
        product = self.env["product.product"].create({"name": "Data audit", "list_price": 90.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order._portal_ensure_token()
        return order

    # ------------------------------------------------------------------ login

    def test_portal_login_through_the_login_form_moves_last_activity(self):
        before = fields.Datetime.now()
        response = self._login_through_form("hyg_portal", "hyg_portal")
        self.assertEqual(response.status_code, 303, "the login should succeed and redirect")
        self.assertNotIn("/web/login", response.headers.get("Location", ""))
        self.assertActivity(self.user_portal.partner_id, "portal_login", since=before)

    def test_failed_portal_login_does_not_move_last_activity(self):
        response = self._login_through_form("hyg_portal", "not-the-password")
        self.assertEqual(response.status_code, 200)
        self.assertNoActivity(self.user_portal.partner_id)

    def test_portal_login_through_authenticate_moves_last_activity(self):
        before = fields.Datetime.now()
        self.authenticate("hyg_portal", "hyg_portal")
        self.assertActivity(self.user_portal.partner_id, "portal_login", since=before)

    def test_employee_login_through_the_login_form_does_not_move_last_activity(self):
        response = self._login_through_form("hyg_employee", "hyg_employee")
        self.assertEqual(response.status_code, 303, "the login should succeed and redirect")
        self.assertNoActivity(self.user_employee.partner_id)

    # ------------------------------------------------------------------ portal chatter

    def test_portal_message_through_the_chatter_route_moves_last_activity(self):
        portal_partner = self.user_portal.partner_id
        channel = self.env["discuss.channel"].create(
            {"name": "Customer support", "channel_type": "group"}
        )
        channel._add_members(users=self.user_portal)
        self.authenticate("hyg_portal", "hyg_portal")
        self._forget_activity(portal_partner)
        before = fields.Datetime.now()
        self._post_message(channel, "Hello, I have a question about my data.")
        message = channel.message_ids[:1]
        self.assertEqual(message.author_id, portal_partner)
        self.assertActivity(portal_partner, "portal_message", since=before)

    def test_portal_customer_message_on_own_order_moves_last_activity(self):
        self._require_module("sale")
        portal_partner = self.user_portal.partner_id
        order = self._portal_order(portal_partner)
        self.authenticate("hyg_portal", "hyg_portal")
        self._forget_activity(portal_partner)
        before = fields.Datetime.now()
        # the portal page of the order gives its chatter the access token of the document
        self._post_message(order, "Can you deliver on Monday?", token=order.access_token)
        self.assertEqual(order.message_ids[:1].author_id, portal_partner)
        self.assertActivity(portal_partner, "portal_message", since=before)

    def test_message_through_a_signed_portal_link_moves_last_activity(self):
        """A customer without account answers on the document from the link they received."""
        self._require_module("sale")
        order = self._portal_order(self.claire)
        before = fields.Datetime.now()
        self.authenticate(None, None)
        self._post_message(
            order,
            "I accept, thank you.",
            hash=order._sign_token(self.claire.id),
            pid=self.claire.id,
        )
        self.assertEqual(order.message_ids[:1].author_id, self.claire)
        self.assertActivity(self.claire, "portal_message", since=before)

    def test_employee_message_through_the_chatter_route_does_not_move_last_activity(self):
        self.authenticate("hyg_employee", "hyg_employee")
        # the route does not let the author be chosen: the message is the employee's
        self._post_message(
            self.claire,
            "Dear Claire, your contract is renewed.",
            post_data={"author_id": self.claire.id, "message_type": "email"},
        )
        self.assertEqual(self.claire.message_ids[:1].author_id, self.user_employee.partner_id)
        self.assertNoActivity(self.claire)

    # ------------------------------------------------------------------ website forms

    def _portal_user(self, partner):
        login = partner.name.split()[0].lower() + "_portal"
        self.env["res.users"].create(
            {
                "login": login,
                "password": login,
                "partner_id": partner.id,
                "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )

    def _csrf(self):
        page = self.url_open("/contactus")
        return re.search(r'csrf_token: "([^"]+)"', page.text).group(1)

    def test_anonymous_website_form_does_not_keep_someone_alive(self):
        """Security review M3: an anonymous visitor may type anyone's email in a form."""
        self._require_module("website_crm")
        response = self.url_open(
            "/website/form/crm.lead",
            data={
                "contact_name": "Not Bruno",
                "email_from": self.bruno.email,
                "name": "Keep him forever",
            },
        )
        self.assertIn('"id"', response.text, response.text)
        self.assertTrue(self.env["crm.lead"].search([("name", "=", "Keep him forever")]))
        self.assertNoActivity(self.bruno)

    def test_website_contact_form_moves_last_activity_of_the_sender(self):
        self._require_module("website")
        company = self.env["website"].get_current_website().company_id
        company.email = "contact@hygiene-shop.example"
        self._portal_user(self.claire)
        self.authenticate("claire_portal", "claire_portal")
        self._forget_activity(self.claire)  # the login moved it, maybe within the same second
        before = fields.Datetime.now()
        response = self.url_open(
            "/website/form/mail.mail",
            data={
                "email_from": self.claire.email,
                "email_to": company.email,
                "subject": "Question about my account",
                "body_html": "Please call me back.",
                "csrf_token": self._csrf(),
                "website_form_signature": hmac(
                    self.env(su=True), "website_form_signature", company.email
                ),
            },
        )
        self.assertIn('"id"', response.text, response.text)
        self.assertActivity(self.claire, "website_form", since=before)
        self.assertNoActivity(company.partner_id, "the company only sends the form's email")

    def test_website_lead_form_moves_last_activity_of_the_person(self):
        self._require_module("website_crm")
        self._portal_user(self.bruno)
        self.authenticate("bruno_portal", "bruno_portal")
        self._forget_activity(self.bruno)  # the login moved it, maybe within the same second
        before = fields.Datetime.now()
        response = self.url_open(
            "/website/form/crm.lead",
            data={
                "contact_name": "Bruno Petit",
                "email_from": self.bruno.email,
                "name": "Quote for a data audit",
                "description": "We have 20 000 contacts.",
                "csrf_token": self._csrf(),
            },
        )
        self.assertIn('"id"', response.text, response.text)
        lead = self.env["crm.lead"].search([("name", "=", "Quote for a data audit")])
        self.assertEqual(lead.email_from, self.bruno.email)
        self.assertActivity(self.bruno, "website_form", since=before)
        self.assertNoActivity(self.claire)
