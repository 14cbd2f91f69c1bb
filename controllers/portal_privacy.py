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
  hour per IP address (counted in the database: workers share no memory).
"""

from werkzeug.exceptions import NotFound

from odoo import fields
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

ANONYMOUS_PER_HOUR = 3
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
