from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..const import GROUP_OFFICER
from ..tools.consent import ACTIONS, state_for_action

CONSENT_CHANNELS = [
    ("web_form", "Web form"),
    ("portal", "Customer portal"),
    ("email", "Email"),
    ("double_opt_in", "Double opt-in email"),
    ("phone", "Phone call"),
    ("paper", "Paper form"),
    ("in_store", "In store"),
    ("import", "File import"),
    ("api", "API / integration"),
    ("re_permission", "Re-permission campaign"),
    ("other", "Other"),
]

# Set by the system only (the request, the import file, the engines), never by a client.
SYSTEM_FIELDS = frozenset(
    {
        "ip_address",
        "user_agent",
        "page_url",
        "double_optin_date",
        "evidence_attachment_id",
        "evidence_file",
        "source_ref",
        "proven",
        "state",
        "wording_hash",
        "recorded_by_id",
        "company_id",
    }
)
# Channels whose events only the system records (its own proof comes with them).
SYSTEM_CHANNELS = frozenset({"portal", "import", "api", "re_permission", "double_opt_in"})


class HygieneConsent(models.Model):
    """An event of the consent ledger: a person granted, withdrew or refused a purpose.

    The ledger is append-only: nobody, administrators included, can change or delete an event;
    a correction or a withdrawal is a new event. The current state of each partner and purpose is
    kept in ``hygiene.consent.state``, updated by every new event. The proof (IP, user agent, page,
    evidence) is readable by privacy officers only.
    """

    _name = "hygiene.consent"
    _description = "Consent Event"
    _order = "event_date desc, id desc"
    _rec_names_search = ["partner_id", "purpose_id"]

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", string="Contact"
    )
    # multi-company: the record rules of security/hygiene_security.xml read this column
    # computed before the INSERT (precompute): an UPDATE of every new event afterwards otherwise
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True, precompute=True
    )
    purpose_id = fields.Many2one(
        "hygiene.purpose", required=True, index=True, ondelete="restrict", string="Purpose"
    )
    action = fields.Selection(
        [("grant", "Granted"), ("withdraw", "Withdrawn"), ("refuse", "Refused")],
        required=True,
    )
    event_date = fields.Datetime(
        string="Date",
        required=True,
        default=fields.Datetime.now,
        index=True,
        help="When the person gave, withdrew or refused their consent (UTC).",
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True, default="other")
    proven = fields.Boolean(
        default=True,
        readonly=True,
        help="False when a grant came without the minimum proof (date and channel), for example "
        "an imported opt-in flag with no date: such a grant grants nothing.",
    )
    state = fields.Selection(
        [
            ("granted", "Granted"),
            ("unproven", "Unproven"),
            ("withdrawn", "Withdrawn"),
            ("refused", "Refused"),
        ],
        string="Resulting State",
        readonly=True,
    )
    wording_id = fields.Many2one(
        "hygiene.purpose.wording",
        string="Wording Version",
        ondelete="restrict",
        domain="[('purpose_id', '=', purpose_id)]",
    )
    wording_hash = fields.Char(
        string="Wording SHA-256",
        readonly=True,
        help="Hash of the exact wording shown to the person, frozen at the time of the event.",
    )
    double_optin_date = fields.Datetime(string="Double Opt-in Confirmed On", groups=GROUP_OFFICER)
    ip_address = fields.Char(string="IP Address", groups=GROUP_OFFICER)
    user_agent = fields.Char(groups=GROUP_OFFICER)
    page_url = fields.Char(string="Page URL", groups=GROUP_OFFICER)
    evidence_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Evidence",
        ondelete="restrict",
        groups=GROUP_OFFICER,
        help="Scanned paper form, call recording reference, exported opt-in log...",
    )
    # The evidence file itself: an attachment of this field, so that Odoo serves it only to
    # those who may read the field (privacy officers), not to every reader of the event.
    evidence_file = fields.Binary(attachment=True, groups=GROUP_OFFICER, copy=False)
    source_id = fields.Many2one("hygiene.source", ondelete="restrict", string="Source")
    source_ref = fields.Char(
        string="Source Reference",
        groups=GROUP_OFFICER,
        help="Where the evidence comes from, e.g. the import file and row.",
    )
    note = fields.Char()
    recorded_by_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="set null",
    )

    # ------------------------------------------------------------------ creation

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # the proof comes from the system: a default of a context (any client's) is dropped;
            # the other defaults (the context's, the user's own ir.default) are checked and
            # written as the client's values: the ORM would add them after these checks
            self = self._hygiene_without_context_defaults(SYSTEM_FIELDS)
            vals_list = self._hygiene_values_with_defaults(vals_list)
            self._check_client_values(vals_list)
        self._check_create_values(vals_list)
        wordings = self.env["hygiene.purpose.wording"].browse(
            {vals["wording_id"] for vals in vals_list if vals.get("wording_id")}
        )
        hash_by_wording = {wording.id: wording.text_hash for wording in wordings}
        for vals in vals_list:
            proven = vals.get("proven", True)
            vals["state"] = state_for_action(vals["action"], proven=proven)
            vals["recorded_by_id"] = self.env.uid
            if vals.get("wording_id"):
                vals["wording_hash"] = hash_by_wording[vals["wording_id"]]
        events = super().create(vals_list)
        events._link_evidence_files()
        events._apply_to_states()
        events._apply_to_blacklist()
        return events

    @api.model
    def _check_client_values(self, vals_list):
        """A user records what the person said (action, date, channel, wording, note) about a
        contact they can read; the proof and the system channels come from the system only."""
        for vals in vals_list:
            forged = SYSTEM_FIELDS.intersection(vals)
            if forged:
                raise AccessError(
                    self.env._(
                        "The proof of a consent is recorded by the system, not typed: "
                        "%(fields)s. Use Record Consent to attach evidence.",
                        fields=", ".join(sorted(forged)),
                    )
                )
            if vals.get("channel") in SYSTEM_CHANNELS:
                raise AccessError(
                    self.env._(
                        "Consents of the channel %(channel)s are recorded by the system only.",
                        channel=dict(CONSENT_CHANNELS).get(vals["channel"], vals["channel"]),
                    )
                )
        partner_ids = {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        self.env["res.partner"].browse(partner_ids).with_context(active_test=False).check_access(
            "read"
        )

    def _link_evidence_files(self):
        """Point the evidence to the file stored with the event (read by the erasure)."""
        with_file = self.filtered(lambda event: event.sudo().evidence_file)
        if not with_file:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_consent c SET evidence_attachment_id = a.id
                  FROM ir_attachment a
                 WHERE a.res_model = 'hygiene.consent' AND a.res_field = 'evidence_file'
                   AND a.res_id = c.id AND c.id = ANY(%s)
                """,
                with_file.ids,
            )
        )
        with_file.invalidate_recordset(["evidence_attachment_id"])

    @api.model
    def _check_create_values(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if not vals.get("partner_id"):
                raise ValidationError(self.env._("A consent event needs the contact it is about."))
            if not vals.get("purpose_id"):
                raise ValidationError(
                    self.env._("A consent event needs the purpose it is given for.")
                )
            if vals.get("action") not in ACTIONS:
                raise ValidationError(
                    self.env._(
                        "Unknown consent action %(action)r: use grant, withdraw or refuse.",
                        action=vals.get("action"),
                    )
                )
            event_date = vals.get("event_date")
            if event_date and fields.Datetime.to_datetime(event_date) > now:
                raise ValidationError(
                    self.env._(
                        "A consent event cannot be dated in the future (%(date)s).",
                        date=event_date,
                    )
                )
            if vals.get("wording_id"):
                wording = self.env["hygiene.purpose.wording"].browse(vals["wording_id"])
                if wording.purpose_id.id != vals["purpose_id"]:
                    raise ValidationError(
                        self.env._(
                            "The wording %(version)s belongs to another purpose.",
                            version=wording.version,
                        )
                    )

    def _apply_to_states(self):
        """Move the current state of each partner and purpose to its latest event."""
        self.env["hygiene.consent.state"].sudo()._update_from_events(self)

    def _apply_to_blacklist(self):
        """A withdrawal of a purpose that blocks emails blacklists the address.

        A later grant lifts only a blacklist entry that a withdrawal of ours created: an entry made
        by someone else (a mailing unsubscribe, a bounce, the person's own request) stays.

        Set-based for a batch of events (an import records thousands): the active entries of all
        the addresses are read in one query and then followed event by event, in order, so that a
        withdrawal then a grant of the same batch behave as two single events would.
        """
        events = self.filtered(lambda e: e.purpose_id.blacklist_on_withdrawal)
        emails = {event.partner_id.email_normalized for event in events} - {False, None, ""}
        if not emails:
            return
        blacklist = self.env["mail.blacklist"].sudo()
        active_entries = {}
        for entry in blacklist.search([("email", "in", list(emails))], order="id desc"):
            active_entries[entry.email] = entry  # the oldest active entry, as search(limit=1)
        still_refused = None  # emails with a blocking purpose still withdrawn or refused
        for event in events:
            email = event.partner_id.email_normalized
            if not email:
                continue
            active_entry = active_entries.get(email, blacklist)
            if event.action in ("withdraw", "refuse"):
                if active_entry:
                    continue  # already blocked, by us or by someone else: keep its origin
                entry = blacklist._add(
                    email,
                    message=self.env._(
                        "Consent to %(purpose)s withdrawn or refused (consent ledger).",
                        purpose=event.purpose_id.name,
                    ),
                )
                entry.hygiene_consent_id = event
                active_entries[email] = entry
                # An objection to marketing also goes on the suppression list, so that the
                # person is recognised if an old file brings them back (CNIL "liste repoussoir").
                self.env["hygiene.suppression"].sudo()._suppress("objection", email=email)
            elif event.state == "granted":
                if not active_entry.hygiene_consent_id:
                    continue
                if still_refused is None:
                    still_refused = self._emails_still_refused(emails)
                if email in still_refused:
                    continue
                blacklist._remove(
                    email,
                    message=self.env._(
                        "Consent to %(purpose)s granted again (consent ledger).",
                        purpose=event.purpose_id.name,
                    ),
                )
                active_entry.hygiene_consent_id = False
                active_entries.pop(email, None)
                self.env["hygiene.suppression"].sudo()._unsuppress("objection", email=email)

    def _emails_still_refused(self, emails):
        """Those of ``emails`` for which a blocking purpose is still withdrawn or refused (by any
        contact with that address): one query for the whole batch."""
        states = self.env["hygiene.consent.state"].sudo()
        states.flush_model(["partner_id", "purpose_id", "state"])
        self.env["res.partner"].flush_model(["email_normalized", "active"])
        self.env["hygiene.purpose"].flush_model(["blacklist_on_withdrawal", "active"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT p.email_normalized
                  FROM hygiene_consent_state s
                  JOIN res_partner p ON p.id = s.partner_id
                  JOIN hygiene_purpose pu ON pu.id = s.purpose_id
                 WHERE p.email_normalized = ANY(%s) AND p.active
                   AND pu.blacklist_on_withdrawal AND pu.active
                   AND s.state IN ('withdrawn', 'refused')
                """,
                sorted(emails),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _email_still_refused(self, event):
        """True if another blocking purpose is still withdrawn or refused for that email."""
        email = event.partner_id.email_normalized
        return bool(email) and email in self._emails_still_refused({email})

    # ------------------------------------------------------------------ append-only

    def write(self, vals):  # pylint: disable=method-required-super
        # No super(): nothing may change a recorded event, not even as superuser.
        raise UserError(
            self.env._(
                "The consent ledger is append-only: a recorded event cannot be changed. To correct "
                "it or to record a withdrawal, record a new consent event for the contact."
            )
        )

    def unlink(self):
        if self.env.context.get(MODULE_UNINSTALL_FLAG):
            return super().unlink()
        raise UserError(
            self.env._(
                "The consent ledger is append-only: consent events are the proof required by the "
                "GDPR and cannot be deleted. To record a withdrawal, record a new consent event."
            )
        )

    def _compute_display_name(self):
        for event in self:
            event.display_name = self.env._(
                "%(partner)s – %(purpose)s: %(state)s",
                partner=event.partner_id.display_name,
                purpose=event.purpose_id.name,
                state=dict(self._fields["state"]._description_selection(self.env)).get(
                    event.state, ""
                ),
            )
