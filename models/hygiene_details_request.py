""" "Check your details" requests (issue 19, point 5).

A steward sends a contact (or a selection of contacts: a mailing) an email with a personal link
to a page where the person confirms their data or corrects it. The link carries a random token
of 256 bits; only its SHA-256 is stored, so that nobody reading the database (administrators
included) can open the page in the person's name. The link works once, until its expiry date.

Nothing the anonymous page receives is written to the contact: a correction becomes one
proposal per field, which a steward accepts or rejects field by field (the accepted value is
written as the steward, through the rules at entry). Confirming or correcting is a contact from
the person: it moves the last activity, hence the retention clock.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, consteq

from ..tools.actions import notification

STEWARD = "partner_data_hygiene.group_hygiene_steward"
VALID_DAYS = 30
TOKEN_BYTES = 32
_TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")
# What the person may correct on the page, and the longest value accepted for each.
DETAIL_FIELDS = {
    "name": 128,
    "email": 254,
    "phone": 32,
    "mobile": 32,
    "street": 128,
    "street2": 128,
    "zip": 16,
    "city": 64,
}
DETAIL_FIELD_SELECTION = [
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("street", "Street"),
    ("street2", "Street 2"),
    ("zip", "Postcode"),
    ("city", "City"),
]
# The engine's fields: set by the sending, the page and the review, never by a client.
_ENGINE_FIELDS = frozenset(
    {"token_hash", "state", "answered_date", "expiry_date", "sent_date", "partner_id"}
)


def token_hash(token):
    return hashlib.sha256(str(token).encode()).hexdigest()


class HygieneDetailsRequest(models.Model):
    _name = "hygiene.details.request"
    _description = "Check-your-details Request"
    _order = "sent_date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        string="Contact",
        readonly=True,
    )
    # multi-company: the record rule of security/hygiene_security.xml reads this column
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)
    sent_date = fields.Datetime(string="Sent On", readonly=True, default=fields.Datetime.now)
    sent_by_id = fields.Many2one(
        "res.users", string="Sent By", readonly=True, default=lambda self: self.env.user
    )
    expiry_date = fields.Datetime(string="Link Valid Until", readonly=True)
    answered_date = fields.Datetime(string="Answered On", readonly=True)
    state = fields.Selection(
        [
            ("sent", "Waiting for an answer"),
            ("confirmed", "Details confirmed"),
            ("corrected", "Corrections to review"),
            ("reviewed", "Corrections reviewed"),
            ("cancelled", "Replaced by a newer request"),
        ],
        default="sent",
        required=True,
        readonly=True,
        index=True,
    )
    # SHA-256 of the link's token: the token itself is never stored (it is only in the mail,
    # which is deleted once sent). Emptied once the link has been used.
    token_hash = fields.Char(
        readonly=True, copy=False, index="btree_not_null", groups="base.group_system"
    )
    proposal_ids = fields.One2many(
        "hygiene.details.proposal", "request_id", string="Corrections", readonly=True
    )
    pending_count = fields.Integer(compute="_compute_pending_count", string="To Review")

    @api.depends("proposal_ids.state")
    def _compute_pending_count(self):
        for request in self:
            request.pending_count = len(
                request.proposal_ids.filtered(lambda proposal: proposal.state == "pending")
            )

    # ------------------------------------------------------------------ engine only

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Check-your-details requests are created by sending them from the contacts."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and _ENGINE_FIELDS & vals.keys():
            raise AccessError(
                self.env._("A check-your-details request is changed only by its answer.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------ sending

    @api.model
    def _hygiene_send(self, partners):
        """Send the request to ``partners`` (those with an email); return the requests.

        Stewards only. A pending request of the same contact is cancelled (its link dies): one
        live link per person. Each mail carries its own token, rendered into the mail only."""
        if not self.env.user.has_group(STEWARD):
            raise AccessError(
                self.env._("Only data stewards can ask contacts to check their details.")
            )
        partners.check_access("write")
        # an address on the blacklist (the person objected, or it bounces) is not written to
        partners = partners.filtered(lambda partner: partner.email and not partner.is_blacklisted)
        if not partners:
            raise UserError(
                self.env._("None of these contacts has an email address that may be written to.")
            )
        Request = self.sudo()
        Request.search([("partner_id", "in", partners.ids), ("state", "=", "sent")]).write(
            {"state": "cancelled", "token_hash": False}
        )
        tokens = [secrets.token_urlsafe(TOKEN_BYTES) for __ in partners]
        expiry = fields.Datetime.now() + timedelta(days=VALID_DAYS)
        requests = Request.create(
            [
                {
                    "partner_id": partner.id,
                    "token_hash": token_hash(token),
                    "expiry_date": expiry,
                    "sent_by_id": self.env.user.id,
                }
                for partner, token in zip(partners, tokens, strict=True)
            ]
        )
        base_url = requests[:1].get_base_url()
        urls = {
            request.id: f"{base_url}/hygiene/details/{token}"
            for request, token in zip(requests, tokens, strict=True)
        }
        template = self.env.ref("partner_data_hygiene.mail_template_details_check").sudo()
        # queued, sent by the mail queue; the mails are deleted once sent (auto_delete), so the
        # personal links do not stay in the database, and nothing is posted in a chatter.
        template.with_context(hygiene_details_urls=urls).send_mail_batch(
            requests.ids, email_layout_xmlid="mail.mail_notification_light"
        )
        return requests.with_env(self.env)

    # ------------------------------------------------------------------ the page

    @api.model
    def _hygiene_from_token(self, token):
        """The pending, unexpired request whose link carries ``token``, else an empty recordset.

        Any mismatch (malformed, unknown, used, expired, contact erased) looks the same."""
        if not isinstance(token, str) or not _TOKEN_FORMAT.fullmatch(token):
            return self.browse()
        digest = token_hash(token)
        request = self.sudo().search([("token_hash", "=", digest)], limit=1)
        if not request or not consteq(request.token_hash or "", digest):
            return self.browse()
        if (
            request.state != "sent"
            or not request.expiry_date
            or request.expiry_date < fields.Datetime.now()
        ):
            return self.browse()
        partner = request.partner_id.with_context(active_test=False)
        if not partner.active or partner.hygiene_retention_state:
            return self.browse()  # anonymised, erased or archived since the mail
        return request

    def _hygiene_current_values(self):
        self.ensure_one()
        partner = self.sudo().partner_id
        return {name: partner[name] or "" for name in DETAIL_FIELDS}

    @api.model
    def _hygiene_clean_answer(self, values):
        """The corrections a page sent, as ``{field: text}``: only the fields of the page, text
        only, trimmed, without control characters, at most the field's length."""
        clean = {}
        for name, limit in DETAIL_FIELDS.items():
            value = values.get(name)
            if not isinstance(value, str):
                continue
            value = re.sub(r"[\x00-\x1f\x7f]+", " ", value).strip()
            clean[name] = " ".join(value.split())[:limit]
        return clean

    def _hygiene_answer(self, values):
        """The person's answer: their details as they sent them. The same values as held is a
        confirmation; any difference a proposal per field, for review. Both count as an
        activity of the person. Returns the proposals created (an empty recordset when the
        person confirmed). The link dies either way."""
        self.ensure_one()
        request = self.sudo()
        # one answer per link, even when two arrive at once: the second waits for the first,
        # then finds the request answered
        self.env.cr.execute(
            SQL("SELECT state FROM hygiene_details_request WHERE id = %s FOR UPDATE", request.id)
        )
        request.invalidate_recordset(["state", "token_hash"])
        if request.state != "sent":
            raise UserError(self.env._("This request has already been answered."))
        current = request._hygiene_current_values()
        answer = self._hygiene_clean_answer(values)
        changes = {
            name: value
            for name, value in answer.items()
            if value != (current[name] or "").strip() and (value or current[name])
        }
        proposals = self.env["hygiene.details.proposal"].sudo()
        if changes:
            proposals = proposals.create(
                [
                    {
                        "request_id": request.id,
                        "field_name": name,
                        "old_value": current[name] or False,
                        "new_value": value or False,
                    }
                    for name, value in changes.items()
                ]
            )
        request.write(
            {
                "state": "corrected" if changes else "confirmed",
                "answered_date": fields.Datetime.now(),
                "token_hash": False,
            }
        )
        request.partner_id._hygiene_register_activity("details_check")
        return proposals

    def action_view_proposals(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Corrections"),
            "res_model": "hygiene.details.proposal",
            "view_mode": "list",
            "domain": [("request_id", "=", self.id)],
        }


class HygieneDetailsProposal(models.Model):
    _name = "hygiene.details.proposal"
    _description = "Correction Proposed by a Contact"
    _order = "request_id desc, id"
    _rec_name = "field_name"

    request_id = fields.Many2one(
        "hygiene.details.request", required=True, index=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one(related="request_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    field_name = fields.Selection(DETAIL_FIELD_SELECTION, string="Field", required=True)
    old_value = fields.Char(string="Value Held When Asked", readonly=True)
    new_value = fields.Char(string="Value Proposed", readonly=True)
    current_value = fields.Char(compute="_compute_current_value", string="Value Held Now")
    state = fields.Selection(
        [("pending", "To review"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    reviewed_by_id = fields.Many2one("res.users", string="Reviewed By", readonly=True)
    reviewed_date = fields.Datetime(string="Reviewed On", readonly=True)

    @api.depends("field_name", "partner_id")
    def _compute_current_value(self):
        for proposal in self:
            partner = proposal.partner_id
            proposal.current_value = (
                partner[proposal.field_name] if partner and proposal.field_name else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Corrections come only from the contact's own page."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("A correction is accepted or rejected with its buttons."))
        return super().write(vals)

    def _hygiene_check_reviewer(self):
        if not self.env.user.has_group(STEWARD):
            raise AccessError(self.env._("Only data stewards review the corrections."))
        pending = self.filtered(lambda proposal: proposal.state == "pending")
        if pending != self:
            raise UserError(self.env._("This correction has already been reviewed."))

    def action_accept(self):
        """Write each proposed value on its contact, as the steward (rights, record rules and
        the rules at entry apply: a value they refuse is not written)."""
        self._hygiene_check_reviewer()
        for proposal in self:
            proposal.partner_id.write({proposal.field_name: proposal.new_value or False})
        self._hygiene_reviewed("accepted")
        return self._hygiene_reviewed_notification("accepted")

    def action_reject(self):
        self._hygiene_check_reviewer()
        self.partner_id.check_access("write")
        self._hygiene_reviewed("rejected")
        return self._hygiene_reviewed_notification("rejected")

    def _hygiene_reviewed_notification(self, state):
        """What the review did, how many corrections are left, and the screen reloaded (the
        lines of a request's form showed their buttons still, and a second click failed)."""
        left = self.search_count(
            [("request_id", "in", self.request_id.ids), ("state", "=", "pending")]
        )
        message = (
            self.env._("%(count)s correction(s) accepted: written on the contact.", count=len(self))
            if state == "accepted"
            else self.env._(
                "%(count)s correction(s) rejected: the contact is unchanged.", count=len(self)
            )
        )
        return notification(message + " " + self.env._("%(left)s left to review.", left=left))

    def _hygiene_reviewed(self, state):
        self.sudo().write(
            {
                "state": state,
                "reviewed_by_id": self.env.user.id,
                "reviewed_date": fields.Datetime.now(),
            }
        )
        requests = self.request_id.sudo()
        done = requests.filtered(
            lambda request: request.state == "corrected"
            and all(proposal.state != "pending" for proposal in request.proposal_ids)
        )
        done.write({"state": "reviewed"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_hygiene_check_details(self):
        """Button and list action: email the selected contacts a check-your-details link."""
        requests = self.env["hygiene.details.request"]._hygiene_send(self)
        return notification(
            self.env._(
                "%(count)s contacts asked to check their details (the link is valid "
                "%(days)s days).",
                count=len(requests),
                days=VALID_DAYS,
            ),
            next_action={"type": "ir.actions.act_window_close"},
        )
