import secrets
from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, consteq
from odoo.tools.misc import hmac

TOKEN_SCOPE = "partner_data_hygiene.repermission"


class HygieneRepermission(models.Model):
    """One re-permission mail: "do you want to stay?", asked before the end of retention.

    The link of the mail carries an HMAC (keyed with ``database.secret``) of the request id and a
    random nonce; it is valid until the due date and only once. The nonce is readable by system
    administrators only and the link is never written to the chatter.
    """

    _name = "hygiene.repermission"
    _description = "Re-permission Request"
    _order = "sent_date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", string="Contact"
    )
    # multi-company: the record rules of security/hygiene_security.xml read this column
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)
    policy_id = fields.Many2one("hygiene.retention.policy", ondelete="set null", index=True)
    sent_date = fields.Datetime(string="Sent On", default=fields.Datetime.now, readonly=True)
    due_date = fields.Date(readonly=True, help="Due date of the contact when asked.")
    expiry_date = fields.Datetime(
        string="Link Valid Until", readonly=True, help="The link opens nothing after this date."
    )
    state = fields.Selection(
        [("sent", "Waiting for an answer"), ("confirmed", "Wants to stay")],
        default="sent",
        required=True,
        readonly=True,
    )
    answered_date = fields.Datetime(string="Answered On", readonly=True)
    consent_id = fields.Many2one("hygiene.consent", readonly=True, ondelete="set null")
    nonce = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        default=lambda self: secrets.token_urlsafe(24),
    )
    stay_url = fields.Char(
        compute="_compute_stay_url",
        groups="base.group_system",
        help="The personal link sent in the mail (only rendered into the mail itself).",
    )

    # ------------------------------------------------------------------ token

    def _hygiene_token(self):
        self.ensure_one()
        record = self.sudo()
        return hmac(self.env(su=True), TOKEN_SCOPE, f"{record.id}:{record.nonce}")

    @api.depends("nonce")
    def _compute_stay_url(self):
        for request in self:
            request.stay_url = (
                f"{request.get_base_url()}/hygiene/stay/{request.id}/{request._hygiene_token()}"
                if request.id
                else False
            )

    @api.model
    def _hygiene_from_token(self, request_id, token):
        """The pending, unexpired request of ``request_id`` if ``token`` is its own, else empty.

        Constant-time comparison; any mismatch (forged, used, expired, unknown) looks the same.
        """
        if not isinstance(request_id, int) or not token or len(token) > 128:
            return self.browse()
        request = self.sudo().browse(request_id).exists()
        if not request:
            return self.browse()
        if not consteq(request._hygiene_token(), str(token)):
            return self.browse()
        if request.state != "sent" or (
            request.expiry_date and request.expiry_date < fields.Datetime.now()
        ):
            return self.browse()
        partner = request.partner_id.with_context(active_test=False)
        if not partner.active or partner.hygiene_retention_state:
            # erased, anonymised or archived since the mail: the link is dead (security L4)
            return self.browse()
        return request

    # ------------------------------------------------------------------ answer

    def _hygiene_confirm(self, ip_address=None, user_agent=None, page_url=None):
        """The person wants to stay: a consent event with its proof, and an activity.

        The activity moves the start of the retention period, so the due date moves too.
        """
        self.ensure_one()
        request = self.sudo()
        if request.state != "sent":
            raise UserError(self.env._("This request has already been answered."))
        purpose = request.policy_id.repermission_purpose_id or self.env.ref(
            "partner_data_hygiene.purpose_keep_contact"
        )
        wording = purpose.current_wording_id
        consent = (
            self.env["hygiene.consent"]
            .sudo()
            .create(
                {
                    "partner_id": request.partner_id.id,
                    "purpose_id": purpose.id,
                    "action": "grant",
                    "channel": "re_permission",
                    "wording_id": wording.id or False,
                    "ip_address": (ip_address or "")[:64] or False,
                    "user_agent": (user_agent or "")[:512] or False,
                    "page_url": (page_url or "")[:512] or False,
                    "note": self.env._("Answered yes to the re-permission mail."),
                }
            )
        )
        request.partner_id._hygiene_register_activity("consent")
        request.write(
            {"state": "confirmed", "answered_date": fields.Datetime.now(), "consent_id": consent.id}
        )
        return consent

    # ------------------------------------------------------------------ sending

    @api.model
    def _hygiene_expiry(self, due_date):
        return datetime.combine(due_date, time.min) if due_date else False

    @api.model
    def _cron_send(self, batch_size=None):
        """Send the re-permission mails of every active policy, one batch per policy."""
        Policy = self.env["hygiene.retention.policy"]
        policies = Policy._hygiene_active_policies().filtered(
            lambda p: p.repermission_days > 0 and p.repermission_template_id
        )
        sent = remaining = 0
        for policy in policies:
            done, left = policy._hygiene_send_repermissions(batch_size=batch_size)
            sent += done
            remaining += left
        self.env["ir.cron"]._notify_progress(done=sent, remaining=remaining if sent else 0)
        return sent


class HygieneRetentionPolicy(models.Model):
    _inherit = "hygiene.retention.policy"

    def _hygiene_repermission_domain(self, date=None):
        """Contacts to ask now: due within ``repermission_days``, with a usable email, not
        blacklisted, and not asked yet in this retention period (asked before its start)."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        not_asked = SQL(
            "(SELECT p.id FROM res_partner p WHERE p.active AND p.email_normalized IS NOT NULL "
            "AND %(due)s > %(today)s "
            "AND %(due)s <= %(today)s + %(days)s "
            "AND (p.hygiene_repermission_sent_date IS NULL "
            "     OR p.hygiene_repermission_sent_date < %(start)s))",
            due=self._hygiene_due_sql(),
            today=date,
            days=self.repermission_days,
            start=self._hygiene_start_sql(self.start_event),
        )
        return (
            self._hygiene_applies_domain()
            + [("id", "in", not_asked), ("is_blacklisted", "=", False)]
            + self.env["res.partner"]._hygiene_retention_exclusion_domain()
        )

    def _hygiene_send_repermissions(self, batch_size=None):
        """Queue the re-permission mail to one batch of contacts; return (sent, remaining)."""
        self.ensure_one()
        self._hygiene_check_officer()
        if not self.repermission_days or not self.repermission_template_id:
            return 0, 0
        batch_size = batch_size or self._hygiene_batch_size()
        Partner = self.env["res.partner"].sudo()
        domain = self._hygiene_repermission_domain()
        partners = Partner.search(domain, limit=batch_size, order="id")
        if not partners:
            return 0, 0
        info = self._hygiene_classify(partners.ids)
        requests = (
            self.env["hygiene.repermission"]
            .sudo()
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "policy_id": self.id,
                        "due_date": info[partner.id][2],
                        "expiry_date": self.env["hygiene.repermission"]._hygiene_expiry(
                            info[partner.id][2]
                        ),
                    }
                    for partner in partners
                ]
            )
        )
        template = self.repermission_template_id.sudo()
        # queued, sent by the mail queue; the mails are deleted once sent (auto_delete), so the
        # personal links do not stay in the database, and nothing is posted in a chatter.
        template.send_mail_batch(requests.ids, email_layout_xmlid="mail.mail_notification_light")
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET hygiene_repermission_sent_date = %s WHERE id = ANY(%s)",
                now,
                partners.ids,
            )
        )
        partners.invalidate_recordset(["hygiene_repermission_sent_date"])
        self.env["hygiene.journal"]._log(
            "repermission", policy=self, counts={"res.partner": len(partners)}
        )
        remaining = Partner.search_count(domain)
        return len(partners), remaining
