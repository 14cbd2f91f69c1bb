"""/my/privacy: the person sees what is held about them and why, downloads it, changes their
consents and asks for erasure; /privacy/request: a request without an account.

Rules every route follows (security reference §3 P2, P5, P6, P8, P11):

- the person is always ``request.env.user.partner_id``, never an id from the request; the only
  ids read from a form are a purpose (a public, active record) and a request id checked against
  that partner before anything else;
- GET only shows; every change is a POST with the CSRF token (Odoo checks it on POST routes);
- forged, expired or used tokens, and other people's ids, get the same 404;
- only the named form keys are read: extra keys are ignored;
- exports are limited to one per person per 24 hours, requests without an account to three per
  hour per IP address and three per hour per email address (counted in the database: workers
  share no memory; the address is counted by a keyed hash, never logged). A request beyond the
  limit of its address sends no mail: it is noted on the address's latest request (Art. 12(5):
  repeated requests are linked) and gets the same answer as any other, whether or not the
  address is known.
"""

import hashlib
import hmac
import logging
from datetime import timedelta

from werkzeug.exceptions import NotFound

from odoo import fields, http, tools
from odoo.exceptions import AccessDenied
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..tools import normalize

_logger = logging.getLogger(__name__)

ANONYMOUS_PER_HOUR = 3  # requests without an account, per IP address
ANONYMOUS_PER_ADDRESS = 3  # confirmation mails to one email address, per hour
HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "Cache-Control": "no-store",
}


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0


class HygienePrivacyPortal(CustomerPortal):
    # ------------------------------------------------------------------ helpers

    def _hygiene_partner(self):
        user = request.env.user
        if user._is_public():
            raise NotFound()
        return user.partner_id

    def _hygiene_proof(self):
        environ = request.httprequest.environ
        return {
            "ip_address": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            # the database's own address, not the client's Host header
            "page_url": f"{request.env.user.get_base_url()}/my/privacy",
        }

    def _hygiene_values(self, partner, **extra):
        Service = request.env["hygiene.privacy.service"]
        values = self._prepare_portal_layout_values()
        # the person's own records, read after the ownership decision above (partner = user's)
        partner_sudo = partner.sudo()
        states = {s.purpose_id.id: s for s in partner_sudo.hygiene_consent_state_ids}
        purposes = request.env["hygiene.purpose"].sudo().search([("active", "=", True)])
        requests = partner_sudo.hygiene_privacy_request_ids.sorted("id", reverse=True)
        values.update(
            {
                "page_name": "privacy",
                "partner": partner_sudo,
                "dossier": Service._hygiene_dossier(partner),
                "purposes": purposes,
                "consent_states": states,
                "privacy_requests": requests[:20],
                "latest_export": requests.filtered(
                    lambda r: r.request_type == "portability" and r.export_state
                )[:1],
                "open_erasure": Service._hygiene_open_erasure(partner),
                "grace_days": Service._hygiene_grace_days(),
                "now": fields.Datetime.now(),
                **extra,
            }
        )
        return values

    # ------------------------------------------------------------------ the page

    @http.route("/my/privacy", type="http", auth="user", methods=["GET"], website=True)
    def hygiene_privacy(self, **kwargs):
        partner = self._hygiene_partner()
        messages = {
            "consent": request.env._("Your choice is recorded."),
            "export": request.env._("Your export is being prepared; it appears below."),
            "export_throttled": request.env._(
                "You already asked for an export in the last 24 hours: it is below."
            ),
            "erasure": request.env._("Your erasure request is recorded."),
            "erasure_cancelled": request.env._("Your erasure request is cancelled."),
        }
        values = self._hygiene_values(partner, notice=messages.get(kwargs.get("message")))
        return request.render("partner_data_hygiene.portal_my_privacy", values, headers=HEADERS)

    @http.route("/my/privacy/consent", type="http", auth="user", methods=["POST"], website=True)
    def hygiene_privacy_consent(self, purpose_id=None, consent_action=None, **kwargs):
        partner = self._hygiene_partner()
        purpose = request.env["hygiene.purpose"].sudo().browse(_int(purpose_id)).exists()
        if not purpose or not purpose.active or consent_action not in ("grant", "withdraw"):
            raise NotFound()
        request.env["hygiene.privacy.service"]._hygiene_portal_consent(
            partner, purpose, consent_action, self._hygiene_proof()
        )
        return request.redirect("/my/privacy?message=consent#consents")

    # ------------------------------------------------------------------ export

    @http.route("/my/privacy/export", type="http", auth="user", methods=["POST"], website=True)
    def hygiene_privacy_export(self, **kwargs):
        partner = self._hygiene_partner()
        __, created = request.env["hygiene.privacy.service"]._hygiene_request_export(partner)
        message = "export" if created else "export_throttled"
        return request.redirect(f"/my/privacy?message={message}#export")

    @http.route(
        "/my/privacy/export/<int:request_id>/<string:token>",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
    )
    def hygiene_privacy_download(self, request_id, token, **kwargs):
        partner = self._hygiene_partner()
        # ownership first, on the one record: the request must be this person's
        req = request.env["hygiene.privacy.request"].sudo().browse(request_id).exists()
        if not req or req.partner_id != partner or req.request_type != "portability":
            raise NotFound()
        attachment = req._hygiene_export_download(token)
        if not attachment:
            raise NotFound()
        stream = request.env["ir.binary"]._get_stream_from(attachment)
        response = stream.get_response(as_attachment=True)
        response.headers["Cache-Control"] = "no-store"
        return response

    # ------------------------------------------------------------------ erasure

    @http.route("/my/privacy/erase", type="http", auth="user", methods=["GET"], website=True)
    def hygiene_privacy_erase_preview(self, **kwargs):
        partner = self._hygiene_partner()
        values = self._hygiene_values(
            partner,
            preview=request.env["hygiene.privacy.service"]._hygiene_erasure_preview(partner),
            page_name="privacy_erase",
        )
        return request.render(
            "partner_data_hygiene.portal_my_privacy_erase", values, headers=HEADERS
        )

    @http.route("/my/privacy/erase", type="http", auth="user", methods=["POST"], website=True)
    def hygiene_privacy_erase(self, password=None, **kwargs):
        partner = self._hygiene_partner()
        Service = request.env["hygiene.privacy.service"]
        user = request.env.user
        credential = {"login": user.login, "password": password or "", "type": "password"}
        try:
            request.env["res.users"]._check_credentials(credential, {"interactive": True})
        except AccessDenied:
            values = self._hygiene_values(
                partner,
                preview=Service._hygiene_erasure_preview(partner),
                page_name="privacy_erase",
                error=request.env._("The password is not correct."),
            )
            return request.render(
                "partner_data_hygiene.portal_my_privacy_erase", values, headers=HEADERS
            )
        Service._hygiene_request_erasure(partner)
        return request.redirect("/my/privacy?message=erasure#erasure")

    @http.route(
        "/my/privacy/erase/cancel", type="http", auth="user", methods=["POST"], website=True
    )
    def hygiene_privacy_erase_cancel(self, **kwargs):
        partner = self._hygiene_partner()
        request.env["hygiene.privacy.service"]._hygiene_cancel_erasure(partner)
        return request.redirect("/my/privacy?message=erasure_cancelled#erasure")

    # ------------------------------------------------------------------ without an account

    def _hygiene_secret(self):
        return request.env["ir.config_parameter"].sudo().get_param("database.secret") or ""

    def _hygiene_ip_hash(self):
        address = request.httprequest.environ.get("REMOTE_ADDR") or ""
        return hashlib.sha256(f"{self._hygiene_secret()}:{address}".encode()).hexdigest()

    def _hygiene_email_hash(self, normalized):
        """Keyed hash of a normalised address: the limit per address counts it without
        keeping or logging the address for that purpose."""
        key = f"privacy-request-email:{self._hygiene_secret()}".encode()
        return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()

    def _hygiene_recent_requests(self, field, value):
        """The requests of the last hour from the form whose ``field`` (a keyed hash) is
        ``value``, the latest first."""
        since = fields.Datetime.now() - timedelta(hours=1)
        return (
            request.env["hygiene.privacy.request"]
            .sudo()
            .search([(field, "=", value), ("create_date", ">=", since)], order="id desc")
        )

    def _hygiene_public_types(self):
        Request = request.env["hygiene.privacy.request"]
        return Request._fields["request_type"]._description_selection(request.env)

    def _hygiene_public_form(self, status=200, **values):
        return request.render(
            "partner_data_hygiene.privacy_public_request",
            {"types": self._hygiene_public_types(), **values},
            headers=HEADERS,
            status=status,
        )

    @http.route(
        "/privacy/request",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def hygiene_public_request_form(self, **kwargs):
        return self._hygiene_public_form(sent=kwargs.get("sent") == "1")

    @http.route(
        "/privacy/request",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def hygiene_public_request(self, email=None, request_type=None, description=None, **kwargs):
        Request = request.env["hygiene.privacy.request"].sudo()
        normalized = tools.email_normalize(email or "")
        if not normalized or request_type not in dict(self._hygiene_public_types()):
            return self._hygiene_public_form(
                error=request.env._("Give a valid email address and a type of request.")
            )
        ip_hash = self._hygiene_ip_hash()
        if len(self._hygiene_recent_requests("requester_ip_hash", ip_hash)) >= ANONYMOUS_PER_HOUR:
            return self._hygiene_public_form(
                status=429,
                error=request.env._(
                    "Too many requests from your connection: try again in an hour."
                ),
            )
        # one mailbox, however the address is spelt: +tags and Gmail's dots folded
        email_hash = self._hygiene_email_hash(normalize.email_key(normalized) or normalized)
        earlier = self._hygiene_recent_requests("requester_email_hash", email_hash)
        if len(earlier) >= ANONYMOUS_PER_ADDRESS:
            # no further mail to that address; the neutral answer of a sent request
            _logger.info("privacy request form: address %s over its limit", email_hash[:12])
            earlier[0]._hygiene_note_repeated(request_type)
            return request.redirect("/privacy/request?sent=1")
        req = Request.create(
            {
                "request_type": request_type,
                "channel": "web_form",
                "requester_email": normalized,
                "description": (description or "")[:5000],
                "state": "identity",
                "requester_ip_hash": ip_hash,
                "requester_email_hash": email_hash,
            }
        )
        self._hygiene_send_confirmation(req)
        # the same answer whether or not the address is known (no enumeration)
        return request.redirect("/privacy/request?sent=1")

    def _hygiene_send_confirmation(self, req):
        """The mail with the confirmation link of ``req``, a request from the form."""
        token = req._hygiene_new_confirm_token()
        link = f"{req.get_base_url()}/privacy/request/{req.id}/{token}"
        body = request.env["ir.qweb"]._render(
            "partner_data_hygiene.privacy_confirm_mail", {"req": req, "link": link}
        )
        request.env["mail.mail"].sudo().create(
            {
                "subject": request.env._("Confirm your request %(ref)s", ref=req.name),
                "email_to": req.requester_email,
                "body_html": body,
                "auto_delete": True,
            }
        )

    @http.route(
        "/privacy/request/<int:request_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def hygiene_public_confirm_page(self, request_id, token, **kwargs):
        req = request.env["hygiene.privacy.request"]._hygiene_from_confirm_token(request_id, token)
        if not req:
            raise NotFound()
        return request.render(
            "partner_data_hygiene.privacy_public_confirm",
            {"req": req, "token": token},
            headers=HEADERS,
        )

    @http.route(
        "/privacy/request/<int:request_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def hygiene_public_confirm(self, request_id, token, **kwargs):
        req = request.env["hygiene.privacy.request"]._hygiene_from_confirm_token(request_id, token)
        if not req:
            raise NotFound()
        partner = request.env["res.partner"].sudo()._hygiene_find_by_email(req.requester_email)
        req.write(
            {
                "state": "new",
                "identity_method": "email_link",
                "identity_verified_date": fields.Datetime.now(),
                "confirm_token_hash": False,
                "confirm_token_expiry": False,
                "partner_id": partner.id or False,
            }
        )
        return request.render(
            "partner_data_hygiene.privacy_public_confirm",
            {"req": req, "done": True},
            headers=HEADERS,
        )
