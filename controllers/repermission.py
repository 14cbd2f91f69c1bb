from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request


class HygieneRepermission(http.Controller):
    """The page a re-permission mail links to.

    GET only shows the question (mail scanners open links); the answer is a POST from the page,
    protected by the CSRF token. A forged, used or expired link is a plain 404.
    """

    def _hygiene_request(self, request_id, token):
        record = request.env["hygiene.repermission"]._hygiene_from_token(request_id, token)
        if not record:
            raise NotFound()
        return record

    @http.route(
        "/hygiene/stay/<int:request_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        website=True,
    )
    def repermission_page(self, request_id, token, **kwargs):
        record = self._hygiene_request(request_id, token)
        purpose = record.policy_id.repermission_purpose_id or request.env.ref(
            "partner_data_hygiene.purpose_keep_contact"
        )
        return request.render(
            "partner_data_hygiene.repermission_page",
            {
                "record": record,
                "token": token,
                "wording": purpose.sudo().current_wording_id.text or purpose.sudo().description,
                "company": record.partner_id.company_id or request.env.company,
            },
        )

    @http.route(
        "/hygiene/stay/<int:request_id>/<string:token>/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
        website=True,
    )
    def repermission_confirm(self, request_id, token, **kwargs):
        record = self._hygiene_request(request_id, token)
        environ = request.httprequest.environ
        record._hygiene_confirm(
            ip_address=request.httprequest.remote_addr or environ.get("REMOTE_ADDR"),
            user_agent=environ.get("HTTP_USER_AGENT"),
            # the page without its token: the token must not outlive the answer
            # the database's own address, not the client's Host header (security L10)
            page_url=f"{record.get_base_url()}/hygiene/stay/{record.id}",
        )
        return request.render(
            "partner_data_hygiene.repermission_done",
            {"company": record.partner_id.company_id or request.env.company},
        )
