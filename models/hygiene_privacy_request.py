"""The register of data-subject requests (GDPR Art. 12 and 15-21).

A request is received (portal, email, post, phone, in person, the public request form), its
requester's identity is checked (the logged-in session, an e-mailed confirmation link, the
password for an erasure; never a copy of an ID, EDPB 01/2022), and it must be answered within one
calendar month of receipt (Art. 12(3)): received on 31 January, due on 28/29 February. The
deadline can be extended by two further months at most, for a reason notified to the person
within the first month. A refusal needs its reason and the text telling the person how to
complain to the supervisory authority (Art. 12(4)). Officers get an activity when a request
arrives, a reminder seven days before the deadline, and the overdue list.
"""

import hashlib
import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq

from .. import const
from ..tools.i18n import _lt

OFFICER = const.GROUP_OFFICER
REQUEST_TYPES = [
    ("access", "Access (Art. 15)"),
    ("portability", "Portability (Art. 20)"),
    ("erasure", "Erasure (Art. 17)"),
    ("rectification", "Rectification (Art. 16)"),
    ("objection", "Objection (Art. 21)"),
    ("restriction", "Restriction (Art. 18)"),
]
REQUEST_CHANNELS = [
    ("portal", "Customer portal"),
    ("web_form", "Request form (no account)"),
    ("email", "Email"),
    ("post", "Post"),
    ("phone", "Phone"),
    ("in_person", "In person"),
]
IDENTITY_METHODS = [
    ("session", "Logged-in portal session"),
    ("password", "Session and password re-entry"),
    ("email_link", "Confirmation link sent by email"),
    ("officer", "Checked by the privacy officer"),
]
STATES = [
    ("identity", "Awaiting Identity Check"),
    ("new", "Received"),
    ("in_progress", "In Progress"),
    ("done", "Answered"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("identity", "new", "in_progress")
REMINDER_DAYS = 7
MAX_EXTENSION_MONTHS = 2
# the summaries of the officer's to-dos, translated into the officer's language when scheduled
# (the request is often created by a portal customer or a cron in another language)
TODO_ANSWER = _lt("Answer the data-subject request")
TODO_SOON = _lt("Deadline in 7 days or less")
TODO_OVERDUE = _lt("Overdue: the legal deadline has passed")
TODO_ERASURE_FAILED = _lt("The erasure could not run: decide")
# Set by the system only (the portal, the engines), never by a client.
SYSTEM_FIELDS = frozenset(
    {
        "identity_verified_date",
        "confirm_token_hash",
        "confirm_token_expiry",
        "requester_ip_hash",
        "requester_email_hash",
        "export_attachment_id",
        "export_token",
        "export_expiry",
        "export_state",
        "erasure_scheduled_date",
        "erasure_result",
        "reminder_sent",
        "overdue_notified",
        "blacklist_added",
    }
)


def due_date_for(received, months=1):
    """Received + ``months`` calendar months (Art. 12(3)); 31 Jan + 1 month = 28/29 Feb."""
    return received + relativedelta(months=months)


def token_hash(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


class HygienePrivacyRequest(models.Model):
    _name = "hygiene.privacy.request"
    _description = "Data Subject Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "received_date desc, id desc"

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    request_type = fields.Selection(REQUEST_TYPES, string="Type", required=True, tracking=True)
    channel = fields.Selection(REQUEST_CHANNELS, required=True, default="email", tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        index=True,
        ondelete="set null",
        tracking=True,
        help="The person the request is about, once identified.",
    )
    requester_email = fields.Char(
        help="The address the request came from (a request made without an account)."
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(OFFICER).ids)],
        help="The privacy officer in charge; the activities go to them.",
    )
    description = fields.Text(help="What the person asks, in their words.")
    received_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True, index=True
    )
    identity_method = fields.Selection(IDENTITY_METHODS, tracking=True)
    identity_verified_date = fields.Datetime(readonly=True, tracking=True)
    initial_due_date = fields.Date(
        string="First Deadline",
        compute="_compute_due_dates",
        store=True,
        help="Received + one calendar month (GDPR Art. 12(3)).",
    )
    due_date = fields.Date(
        string="Deadline", compute="_compute_due_dates", store=True, index=True, tracking=True
    )
    extension_months = fields.Integer(
        tracking=True, help="At most two further months, for complex or numerous requests."
    )
    extension_reason = fields.Text()
    extension_notified_date = fields.Date(
        string="Extension Notified On",
        help="When the person was told of the extension and its reason: within the first month.",
    )
    state = fields.Selection(STATES, default="new", required=True, tracking=True, index=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    response = fields.Text(string="Answer", help="What was done, as told to the person.")
    answered_date = fields.Date(readonly=True)
    refusal_reason = fields.Text()
    complaint_text = fields.Text(
        string="Complaint Rights",
        default=lambda self: self._default_complaint_text(),
        help="Sent with a refusal: the right to complain to the supervisory authority and to a "
        "judicial remedy (Art. 12(4)).",
    )
    # portal machinery (set by the system only)
    confirm_token_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    confirm_token_expiry = fields.Datetime(readonly=True, copy=False, groups="base.group_system")
    requester_ip_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    # keyed hash of the normalised address, for the form's limit per address (never logged)
    requester_email_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    export_attachment_id = fields.Many2one(
        "ir.attachment", string="Export File", readonly=True, copy=False, ondelete="set null"
    )
    # the download link's own token (the attachment has none: /web/content cannot serve it)
    export_token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    export_state = fields.Selection(
        [("pending", "Being Prepared"), ("ready", "Ready"), ("expired", "Expired")],
        readonly=True,
        copy=False,
    )
    export_expiry = fields.Datetime(string="Download Until", readonly=True, copy=False)
    erasure_scheduled_date = fields.Datetime(
        string="Erasure Planned On",
        readonly=True,
        copy=False,
        help="End of the grace period: the erasure runs after it unless the person cancels.",
    )
    erasure_result = fields.Text(readonly=True, copy=False)
    reminder_sent = fields.Boolean(readonly=True, copy=False)
    overdue_notified = fields.Boolean(readonly=True, copy=False)
    blacklist_added = fields.Boolean(
        readonly=True, copy=False, help="The restriction put the email on the blacklist."
    )

    _sql_constraints = [
        (
            "extension_bounds",
            "CHECK(extension_months >= 0 AND extension_months <= 2)",
            "A request can be extended by two further months at most (GDPR Art. 12(3)).",
        ),
    ]

    @api.model
    def _default_complaint_text(self):
        return self.env._(
            "You may lodge a complaint with the Commission nationale de l'informatique et des "
            "libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, "
            "https://www.cnil.fr/fr/plaintes) and seek a judicial remedy."
        )

    # ------------------------------------------------------------------ deadlines

    @api.depends("received_date", "extension_months")
    def _compute_due_dates(self):
        for req in self:
            if not req.received_date:
                req.initial_due_date = req.due_date = False
                continue
            req.initial_due_date = due_date_for(req.received_date)
            req.due_date = due_date_for(req.received_date, 1 + (req.extension_months or 0))

    @api.depends("due_date", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for req in self:
            req.is_overdue = bool(
                req.state in OPEN_STATES and req.due_date and req.due_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue requests."))
        domain = [
            ("state", "in", list(OPEN_STATES)),
            ("due_date", "<", fields.Date.context_today(self)),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", "&", *domain]

    @api.constrains("extension_months", "extension_reason", "extension_notified_date")
    def _check_extension(self):
        for req in self:
            if not req.extension_months:
                continue
            if req.extension_months > MAX_EXTENSION_MONTHS:
                raise ValidationError(
                    self.env._("A request can be extended by two further months at most.")
                )
            if not (req.extension_reason or "").strip() or not req.extension_notified_date:
                raise ValidationError(
                    self.env._(
                        "An extension needs its reason and the date the person was told of it."
                    )
                )
            if req.extension_notified_date > req.initial_due_date:
                raise ValidationError(
                    self.env._(
                        "The person must be told of an extension within the first month "
                        "(by %(date)s).",
                        date=req.initial_due_date,
                    )
                )

    @api.constrains("state", "refusal_reason", "complaint_text")
    def _check_refusal(self):
        for req in self:
            if req.state == "refused" and not (
                (req.refusal_reason or "").strip() and (req.complaint_text or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "A refusal needs its reason and the complaint-rights text (Art. 12(4))."
                    )
                )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_officer()
            # the context's default_<field> values count: the ORM adds them after this check
            for vals in self._hygiene_values_with_defaults(vals_list):
                self._check_closing(vals)
                forged = SYSTEM_FIELDS.intersection(vals)
                if forged:
                    raise AccessError(
                        self.env._(
                            "Set by the system only: %(fields)s.", fields=", ".join(sorted(forged))
                        )
                    )
        sequence = self.env["ir.sequence"].sudo()
        vals_list = [self._hygiene_contact_company(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("hygiene.privacy.request") or "/"
        requests = super().create(vals_list)
        requests._schedule_officer_activity()
        requests._hygiene_sync_restriction()
        return requests

    def write(self, vals):
        if not self.env.su:
            forged = SYSTEM_FIELDS.intersection(vals)
            if forged:
                raise AccessError(
                    self.env._(
                        "Set by the system only: %(fields)s.", fields=", ".join(sorted(forged))
                    )
                )
            if "state" in vals and vals["state"] in ("done", "refused"):
                raise UserError(self.env._("Use the Answer or Refuse buttons to close a request."))
        vals = self._hygiene_contact_company(vals)
        moved = self.browse()
        if "company_id" in vals:
            moved = self.filtered(lambda r: r.company_id.id != vals["company_id"])
        result = super().write(vals)
        if {"state", "request_type", "partner_id"} & vals.keys():
            self._hygiene_sync_restriction()
        moved._hygiene_follow_company()
        return result

    @api.model
    def _hygiene_contact_company(self, vals):
        """``vals`` with the company of the contact they link, when the contact has one and
        the same values name no company: a request is filed in its contact's register (the
        officers of that company answer it; another company's, who may not read the contact,
        do not see it). A contact shared by every company leaves the request where it is."""
        if not vals.get("partner_id") or "company_id" in vals:
            return vals
        company = self.env["res.partner"].sudo().browse(vals["partner_id"]).company_id
        return {**vals, "company_id": company.id} if company else vals

    def _hygiene_follow_company(self):
        """The requests in ``self`` moved to another company's register: their responsible,
        to-dos and followers of a company that no longer sees them go, and the new register's
        officer gets the to-do of an open request."""
        for req in self.sudo():
            company = req.company_id

            def outside(user, company=company):
                return bool(user) and not user.share and company not in user.company_ids

            if req.user_id and outside(req.user_id):
                req.user_id = False
            stale = req.activity_ids.filtered(lambda activity: outside(activity.user_id))
            stale.unlink()
            if stale and req.state in OPEN_STATES:
                req._schedule_officer_activity()
            followers = req.message_follower_ids.partner_id.filtered(
                lambda partner: partner.user_ids and all(map(outside, partner.user_ids))
            )
            if followers:
                req.message_unsubscribe(partner_ids=followers.ids)

    def _hygiene_sync_restriction(self):
        """While a restriction (Art. 18) holds, the email is on Odoo's blacklist, so that no
        mass mailing reaches the person; when it ends, only the entry it made is lifted."""
        blacklist = self.env["mail.blacklist"].sudo()
        for req in self.sudo().filtered(lambda r: r.request_type == "restriction"):
            email = req.partner_id.email_normalized
            holds = req.state in ("new", "in_progress")
            if holds and email and not req.blacklist_added:
                if not blacklist.search([("email", "=", email)], limit=1):
                    blacklist._add(
                        email,
                        message=self.env._(
                            "Restriction of processing %(ref)s (GDPR Art. 18).", ref=req.name
                        ),
                    )
                    req.blacklist_added = True
            elif not holds and req.blacklist_added:
                if email:
                    blacklist._remove(
                        email,
                        message=self.env._("Restriction %(ref)s lifted.", ref=req.name),
                    )
                req.blacklist_added = False

    @api.model
    def _check_closing(self, vals):
        if vals.get("state") in ("done", "refused"):
            raise UserError(self.env._("Use the Answer or Refuse buttons to close a request."))

    @api.model
    def _check_officer(self):
        if not (self.env.su or self.env.user.has_group(OFFICER)):
            raise AccessError(self.env._("Only privacy officers handle data-subject requests."))

    # ------------------------------------------------------------------ activities

    def _officer_users(self):
        self.ensure_one()
        if self.user_id:
            return self.user_id
        creator = self.create_uid
        if creator and not creator.share and creator._is_internal() and creator.has_group(OFFICER):
            if creator.id != self.env.ref("base.user_root").id and (
                self.company_id in creator.company_ids
            ):
                return creator  # the officer who recorded it
        group = self.env.ref(OFFICER).sudo()
        users = group.users.filtered(
            lambda user: not user.share and user.active and self.company_id in user.company_ids
        )
        # the lowest officer of the ladder rather than every manager: one responsible
        officers = users.filtered(lambda user: not user.has_group(const.GROUP_MANAGER))
        return (officers or users).sorted("id")[:1]

    def _schedule_officer_activity(self, summary=TODO_ANSWER, deadline=None):
        """A to-do for the request's officer; ``summary`` (an English template of the ``TODO_``
        constants) is written in the officer's language."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for req in self.sudo():
            users = req._officer_users()
            if not users or not todo:
                continue
            officer_env = self.with_context(lang=users.lang or "en_US").env
            req.activity_schedule(
                activity_type_id=todo.id,
                summary=officer_env._(summary),
                date_deadline=deadline or req.due_date,
                user_id=users.id,
            )

    # ------------------------------------------------------------------ officer actions

    def action_start(self):
        self._check_officer()
        self.filtered(lambda r: r.state == "new").write({"state": "in_progress"})

    def action_verify_identity(self):
        """The officer checked the identity (a known contact answering from their address,
        a call back...): never a copy of an ID document (EDPB 01/2022)."""
        self._check_officer()
        for req in self.filtered(lambda r: r.state == "identity"):
            req.sudo().write(
                {
                    "identity_method": "officer",
                    "identity_verified_date": fields.Datetime.now(),
                    "state": "new",
                }
            )

    def action_done(self):
        self._check_officer()
        for req in self:
            if req.state not in OPEN_STATES:
                raise UserError(self.env._("Only an open request can be answered."))
            if req.state == "identity":
                raise UserError(self.env._("Check the requester's identity first."))
        self.sudo()._close("done")

    def action_refuse(self):
        self._check_officer()
        for req in self:
            if req.state not in OPEN_STATES:
                raise UserError(self.env._("Only an open request can be refused."))
        self.sudo()._close("refused")
        for req in self.sudo():
            req._hygiene_mail_refusal()

    def _hygiene_mail_refusal(self):
        """Tell the person why, and how to complain (Art. 12(4))."""
        self.ensure_one()
        email = self.partner_id.email or self.requester_email
        if not email:
            return
        body = self.env["ir.qweb"]._render(
            "partner_data_hygiene.privacy_refusal_mail", {"req": self}
        )
        self.env["mail.mail"].create(
            {
                "subject": self.env._("Your request %(ref)s", ref=self.name),
                "email_to": email,
                "body_html": body,
                "auto_delete": True,
            }
        ).send()
        self.message_post(body=self.env._("Refusal sent to the person with the complaint rights."))

    def action_cancel(self):
        self._check_officer()
        self.filtered(lambda r: r.state in OPEN_STATES).sudo()._close("cancelled")

    def _close(self, state):
        self.write({"state": state, "answered_date": fields.Date.context_today(self)})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    # ------------------------------------------------------------------ crons

    @api.model
    def _cron_hygiene_request_deadlines(self):
        """D-7 reminders and the overdue notice, each once per request, as activities."""
        today = fields.Date.context_today(self)
        soon = self.search(
            [
                ("state", "in", list(OPEN_STATES)),
                ("reminder_sent", "=", False),
                ("due_date", "<=", today + timedelta(days=REMINDER_DAYS)),
                ("due_date", ">=", today),
            ]
        )
        for req in soon:
            req._schedule_officer_activity(summary=TODO_SOON, deadline=req.due_date)
        soon.write({"reminder_sent": True})
        overdue = self.search([("is_overdue", "=", True), ("overdue_notified", "=", False)])
        for req in overdue:
            req._schedule_officer_activity(summary=TODO_OVERDUE, deadline=today)
            req.message_post(
                body=self.env._("The legal deadline of %(date)s has passed.", date=req.due_date)
            )
        overdue.write({"overdue_notified": True})
        return {"reminded": soon.ids, "overdue": overdue.ids}

    # ------------------------------------------------------------------ tokens (no account)

    def _hygiene_new_confirm_token(self, hours=24):
        """A random single-use token for the e-mailed confirmation link; only its hash is
        kept."""
        self.ensure_one()
        token = secrets.token_urlsafe(32)
        self.sudo().write(
            {
                "confirm_token_hash": token_hash(token),
                "confirm_token_expiry": fields.Datetime.now() + timedelta(hours=hours),
            }
        )
        return token

    @api.model
    def _hygiene_from_confirm_token(self, request_id, token):
        """The request awaiting confirmation that ``token`` opens, or an empty recordset
        (forged, used or expired: the same answer for all)."""
        if not isinstance(request_id, int) or request_id <= 0 or not token:
            return self.browse()
        record = self.sudo().browse(request_id).exists()
        if (
            not record
            or record.state != "identity"
            or not record.confirm_token_hash
            or not record.confirm_token_expiry
            or record.confirm_token_expiry < fields.Datetime.now()
            or not consteq(record.confirm_token_hash, token_hash(token))
        ):
            return self.browse()
        return record
