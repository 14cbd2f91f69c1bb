from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..models.hygiene_details_request import DETAIL_FIELDS
from ..tools import entry_checks, normalize

# The page carries a personal token in its address: no caching, no referrer sent to other sites,
# no indexing.
PRIVATE_HEADERS = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex, nofollow"),
]


class HygieneDetailsCheck(http.Controller):
    """The page a "check your details" mail links to.

    GET only shows the details held (mail scanners open links); the answer is a POST from the
    page, protected by the CSRF token. A forged, used or expired link is a plain 404. Nothing
    is written to the contact from here: corrections wait for a data steward's review.
    """

    def _hygiene_request(self, token):
        record = request.env["hygiene.details.request"]._hygiene_from_token(token)
        if not record:
            raise NotFound()
        return record

    def _hygiene_render(self, record, token, values, errors=None, status=200):
        response = request.render(
            "partner_data_hygiene.details_check_page",
            {
                "record": record,
                "token": token,
                "values": values,
                "errors": errors or {},
                "fields": list(DETAIL_FIELDS),
                "labels": self._hygiene_labels(),
                "company": record.sudo().partner_id.company_id or request.env.company,
            },
            headers=PRIVATE_HEADERS,
        )
        response.status_code = status
        return response

    def _hygiene_labels(self):
        Partner = request.env["res.partner"]
        return {
            name: Partner._fields[name]._description_string(request.env) for name in DETAIL_FIELDS
        }

    @http.route(
        "/hygiene/details/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        website=True,
    )
    def details_page(self, token, **kwargs):
        record = self._hygiene_request(token)
        return self._hygiene_render(record, token, record._hygiene_current_values())

    @http.route(
        "/hygiene/details/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
        website=True,
    )
    def details_answer(self, token, **kwargs):
        record = self._hygiene_request(token)
        answer = record._hygiene_clean_answer(kwargs)
        if kwargs.get("answer") == "confirm":
            answer = {}  # "my details are correct": whatever the fields hold
        elif answer.get("email"):
            hint = entry_checks.email_hint(answer["email"])
            if hint and not normalize.normalize_email(answer["email"])[0]:
                message = request.env._(hint[0], **hint[1])  # pylint: disable=translation-required
                return self._hygiene_render(
                    record,
                    token,
                    {**record._hygiene_current_values(), **answer},
                    errors={"email": message},
                    status=400,
                )
        proposals = record._hygiene_answer(answer)
        return request.render(
            "partner_data_hygiene.details_check_done",
            {
                "corrected": bool(proposals),
                "company": record.sudo().partner_id.company_id or request.env.company,
            },
            headers=PRIVATE_HEADERS,
        )
