"""Segments: saved filters on contacts materialised as a partner tag and a mailing list,
refreshed by a cron, with a log of who entered or left and why (issue 18).

A segment used for marketing keeps only the contacts with a valid (proven, granted) consent for
its purpose, off the suppression list, not under restriction and not flagged "do not solicit";
each mailing sent to its list records the consent every recipient was sent under.
"""

import ast

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..const import GROUP_USER
from ..tools.actions import notification
from ..tools.suppression import suppression_hash

STEWARD = "partner_data_hygiene.group_hygiene_steward"
OFFICER = "partner_data_hygiene.group_hygiene_officer"
# Names the restriction flag (GDPR Art. 18) may take on the partner: the portal work adds it;
# until then the hook below finds none and restricts nobody.
RESTRICTION_FIELDS = ("hygiene_restricted", "hygiene_processing_restricted", "hygiene_restriction")


ENTERED_QUERY = """
WITH entered AS (
        INSERT INTO hygiene_segment_member
               (segment_id, partner_id, consent_id, date_entered, company_id,
                create_uid, create_date, write_uid, write_date)
        SELECT %(segment)s, t.partner_id, t.consent_id, %(now)s, p.company_id,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM hygiene_segment_target t JOIN res_partner p ON p.id = t.partner_id
         WHERE NOT EXISTS (SELECT 1 FROM hygiene_segment_member m
                            WHERE m.segment_id = %(segment)s
                              AND m.partner_id = t.partner_id)
     RETURNING partner_id, consent_id, company_id)
   INSERT INTO hygiene_segment_log
          (segment_id, partner_id, move, reason, consent_id, date, company_id,
           create_uid, create_date, write_uid, write_date)
   SELECT %(segment)s, partner_id, 'entered', %(reason)s, consent_id, %(now)s,
          company_id, %(uid)s, %(now)s, %(uid)s, %(now)s
     FROM entered
RETURNING partner_id
"""


LEFT_QUERY = """
WITH gone AS (
        DELETE FROM hygiene_segment_member m
         WHERE m.segment_id = %(segment)s
           AND NOT EXISTS (SELECT 1 FROM hygiene_segment_target t
                            WHERE t.partner_id = m.partner_id)
     RETURNING m.partner_id, m.company_id, m.mailing_contact_id)
   INSERT INTO hygiene_segment_log
          (segment_id, partner_id, move, reason, date, company_id,
           create_uid, create_date, write_uid, write_date)
   SELECT %(segment)s, g.partner_id, 'left', %(reason)s, %(now)s, g.company_id,
          %(uid)s, %(now)s, %(uid)s, %(now)s
     FROM gone g LEFT JOIN res_partner p ON p.id = g.partner_id
RETURNING partner_id
"""


class HygieneSegment(models.Model):
    _name = "hygiene.segment"
    _description = "Contact Segment"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True, tracking=True
    )
    domain = fields.Char(
        string="Filter",
        required=True,
        default="[]",
        tracking=True,
        help="Which contacts belong to the segment, as a domain literal (never evaluated as code).",
    )
    marketing = fields.Boolean(
        string="Used for Marketing",
        default=True,
        tracking=True,
        help="Keep only the contacts with a valid consent for the purpose, a valid address for "
        "its channel, off the suppression list, not under restriction and not flagged 'do not "
        "solicit'.",
    )
    purpose_id = fields.Many2one("hygiene.purpose", tracking=True, ondelete="restrict")
    tag_id = fields.Many2one(
        "res.partner.category",
        string="Contact Tag",
        readonly=True,
        ondelete="set null",
        help="The tag set on the members (created at the first refresh).",
    )
    mailing_list_id = fields.Integer(
        string="Mailing List Id", readonly=True, help="The Email Marketing list of the members."
    )
    mailing_list_name = fields.Char(compute="_compute_mailing_list_name", string="Mailing List")
    last_refresh_date = fields.Datetime(readonly=True, string="Last Refresh")
    member_count = fields.Integer(readonly=True, string="Members")
    member_ids = fields.One2many("hygiene.segment.member", "segment_id", readonly=True)
    log_ids = fields.One2many("hygiene.segment.log", "segment_id", readonly=True)

    _sql_constraints = [
        (
            "marketing_purpose",
            "CHECK(NOT marketing OR purpose_id IS NOT NULL)",
            "A segment used for marketing needs the purpose its contacts consented to.",
        ),
    ]

    def _compute_mailing_list_name(self):
        lists = {}
        # named (and its button shown) only to who may open it: Email Marketing users
        if "mailing.list" in self.env and self.env["mailing.list"].has_access("read"):
            ids = [s.mailing_list_id for s in self if s.mailing_list_id]
            lists = {m.id: m.name for m in self.env["mailing.list"].sudo().browse(ids).exists()}
        for segment in self:
            segment.mailing_list_name = lists.get(segment.mailing_list_id, False)

    # ------------------------------------------------------------------ domain

    @api.model
    def _hygiene_parse_domain(self, text):
        try:
            domain = ast.literal_eval(text or "[]")
        except (ValueError, SyntaxError):
            raise ValidationError(
                self.env._("The filter %(domain)s is not a domain literal.", domain=text)
            ) from None
        if not isinstance(domain, list | tuple):
            raise ValidationError(
                self.env._("The filter %(domain)s is not a domain literal.", domain=text)
            )
        return expression.normalize_domain(list(domain))

    @api.constrains("domain")
    def _check_domain(self):
        for segment in self:
            domain = segment._hygiene_parse_domain(segment.domain)
            # the author's own rights: the cron then runs it as the system, and a filter on data
            # the author cannot read would reveal it through the members
            Partner = self.env["res.partner"]
            try:
                with self.env.cr.savepoint():
                    Partner.search(domain, limit=1)
            except AccessError:
                raise ValidationError(
                    self.env._(
                        "The filter %(domain)s uses data you are not allowed to read.",
                        domain=segment.domain,
                    )
                ) from None
            except Exception as e:  # noqa: BLE001 - a wrong field or value type
                raise ValidationError(
                    self.env._(
                        "The filter %(domain)s cannot be run on contacts: %(error)s",
                        domain=segment.domain,
                        error=str(e).splitlines()[0] if str(e) else e.__class__.__name__,
                    )
                ) from None

    # ------------------------------------------------------------------ actions

    def action_refresh(self):
        if not self.env.user.has_group(STEWARD):
            raise AccessError(self.env._("Only data stewards can refresh a segment."))
        self.check_access("write")
        stats = self.sudo()._hygiene_refresh()
        entered = sum(s["entered"] for s in stats.values())
        left = sum(s["left"] for s in stats.values())
        return notification(
            self.env._("%(entered)s contacts entered, %(left)s left.", entered=entered, left=left)
        )

    def action_view_members(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("contacts.action_contacts")
        action["domain"] = [("hygiene_segment_member_ids.segment_id", "=", self.id)]
        action["context"] = {}
        action["name"] = self.name
        return action

    def action_view_log(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "partner_data_hygiene.hygiene_segment_log_action"
        )
        action["domain"] = [("segment_id", "=", self.id)]
        return action

    def action_view_mailing_list(self):
        self.ensure_one()
        self.check_access("read")
        if not self.mailing_list_id or "mailing.list" not in self.env:
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.list",
            "res_id": self.mailing_list_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _cron_refresh(self):
        self.search([("active", "=", True)])._hygiene_refresh()

    # ------------------------------------------------------------------ refresh

    def _hygiene_refresh(self):
        """Recompute the members of each segment in SQL; returns {segment id: {"entered",
        "left", "members"}}. Runs as the system (cron, or after the steward's check)."""
        self.env["hygiene.partner.score"]._hygiene_refresh()
        stats = {}
        for segment in self:
            stats[segment.id] = segment._hygiene_refresh_one()
        return stats

    def _hygiene_target_sql(self):
        """SQL of (partner_id, consent_id) of the contacts the segment should hold now."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo().with_context(active_test=True)
        domain = expression.AND(
            [
                self._hygiene_parse_domain(self.domain),
                [("company_id", "in", [self.company_id.id, False])] if self.company_id else [],
            ]
        )
        query = self._hygiene_author_search(domain)
        base = query.subselect()
        if not self.marketing:
            return SQL("SELECT id, NULL::int FROM res_partner WHERE id IN %s", base)
        restriction = Partner._hygiene_segment_restriction_domain()
        restricted = (
            SQL("AND p.id NOT IN %s", Partner._search(restriction).subselect())
            if restriction
            else SQL()
        )
        return SQL(
            """SELECT p.id, cs.event_id
                 FROM res_partner p
                 JOIN hygiene_consent_state cs
                   ON cs.partner_id = p.id AND cs.purpose_id = %(purpose)s
                  AND cs.state = 'granted'
            LEFT JOIN hygiene_partner_score s ON s.partner_id = p.id
                WHERE p.id IN %(base)s
                  AND s.do_not_solicit IS NOT TRUE
                  AND %(channel)s
                  AND p.id NOT IN (SELECT unnest(%(suppressed)s::int[]))
                  %(restricted)s""",
            purpose=self.purpose_id.id,
            base=base,
            channel=self._hygiene_channel_sql(),
            suppressed=self._hygiene_suppressed_ids(base),
            restricted=restricted,
        )

    def _hygiene_channel_sql(self):
        """A valid address for the channel of the purpose (e-mail: valid and not blacklisted)."""
        channel = self.purpose_id.contact_channel
        email_ok = SQL(
            "(p.hygiene_email_key IS NOT NULL AND NOT COALESCE(p.hygiene_email_bounced, FALSE) "
            "AND NOT EXISTS (SELECT 1 FROM mail_blacklist b WHERE b.email = p.email_normalized "
            "AND b.active))"
        )
        phone_ok = SQL("(p.hygiene_mobile_key IS NOT NULL OR p.hygiene_phone_key IS NOT NULL)")
        if channel == "email":
            return email_ok
        if channel in ("sms", "phone"):
            return phone_ok
        return SQL("TRUE")

    def _hygiene_suppressed_ids(self, base):
        """Ids of the candidates whose email or a phone is on the (hashed) suppression list:
        the keyed hashes of the candidates with a consent are computed in chunks."""
        cr = self.env.cr
        cr.execute(SQL("SELECT COUNT(*) FROM hygiene_suppression"))
        if not cr.fetchone()[0]:
            return []
        secret = self.env["hygiene.suppression"].sudo()._suppression_secret()
        cr.execute(
            SQL(
                """SELECT p.id, p.hygiene_email_key, p.hygiene_phone_key, p.hygiene_mobile_key
                     FROM res_partner p
                     JOIN hygiene_consent_state cs ON cs.partner_id = p.id
                      AND cs.purpose_id = %s AND cs.state = 'granted'
                    WHERE p.id IN %s""",
                self.purpose_id.id,
                base,
            )
        )
        rows = cr.fetchall()
        suppressed = set()
        Suppression = self.env["hygiene.suppression"].sudo()
        for start in range(0, len(rows), 10000):
            by_hash = {}
            for partner_id, email, phone, mobile in rows[start : start + 10000]:
                for kind, value in (("email", email), ("phone", phone), ("phone", mobile)):
                    if value:
                        by_hash[suppression_hash(secret, kind, value)] = partner_id
            found = Suppression.search_read([("value_hash", "in", list(by_hash))], ["value_hash"])
            suppressed.update(by_hash[row["value_hash"]] for row in found)
        return sorted(suppressed)

    def _hygiene_refresh_one(self):
        self.ensure_one()
        cr = self.env.cr
        self.env.flush_all()
        now = fields.Datetime.now()
        target = self._hygiene_target_sql()
        cr.execute("DROP TABLE IF EXISTS hygiene_segment_target")
        cr.execute(
            SQL(
                "CREATE TEMP TABLE hygiene_segment_target ON COMMIT DROP AS "
                "SELECT DISTINCT ON (t.partner_id) t.partner_id, t.consent_id "
                "FROM (%s) AS t(partner_id, consent_id) ORDER BY t.partner_id",
                target,
            )
        )
        cr.execute("CREATE INDEX ON hygiene_segment_target (partner_id)")
        uid = self.env.uid
        entered_reason = "consent" if self.marketing else "matches"
        # entered
        cr.execute(
            SQL(
                ENTERED_QUERY,
                segment=self.id,
                now=now,
                uid=uid,
                reason=entered_reason,
            )
        )
        entered_ids = [row[0] for row in cr.fetchall()]
        # the consent a member holds may have been renewed: keep the latest one
        cr.execute(
            SQL(
                """UPDATE hygiene_segment_member m SET consent_id = t.consent_id
                     FROM hygiene_segment_target t
                    WHERE m.segment_id = %s AND m.partner_id = t.partner_id
                      AND m.consent_id IS DISTINCT FROM t.consent_id""",
                self.id,
            )
        )
        self._hygiene_member_companies()
        # left, with the first reason that explains it
        left_sql = self._hygiene_left_reason_sql()
        cr.execute(
            SQL(
                LEFT_QUERY,
                segment=self.id,
                now=now,
                uid=uid,
                reason=left_sql,
            )
        )
        left_ids = [row[0] for row in cr.fetchall()]
        return self._hygiene_after_refresh(entered_ids, left_ids, now)

    def _hygiene_after_refresh(self, entered_ids, left_ids, now):
        """Materialise the moves (tag, mailing list) and store the count."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT COUNT(*) FROM hygiene_segment_member WHERE segment_id = %s", self.id)
        )
        members = cr.fetchone()[0]
        self._hygiene_sync_tag(entered_ids, left_ids)
        self._hygiene_sync_mailing_list(entered_ids, left_ids)
        cr.execute(
            SQL(
                "UPDATE hygiene_segment SET member_count = %s, last_refresh_date = %s "
                "WHERE id = %s",
                members,
                now,
                self.id,
            )
        )
        cr.execute("DROP TABLE IF EXISTS hygiene_segment_target")
        self.invalidate_recordset()
        self.env["hygiene.segment.member"].invalidate_model()
        self.env["hygiene.segment.log"].invalidate_model()
        return {"entered": len(entered_ids), "left": len(left_ids), "members": members}

    def _hygiene_left_reason_sql(self):
        """CASE giving why a member ``g``/``p`` left (the first reason that holds)."""
        parts = [
            SQL("WHEN p.id IS NULL THEN 'archived'"),
            SQL("WHEN p.hygiene_merged_into_id IS NOT NULL THEN 'merged'"),
            SQL("WHEN NOT p.active OR p.hygiene_retention_state IS NOT NULL THEN 'archived'"),
        ]
        if self.marketing:
            parts += [
                SQL(
                    "WHEN NOT EXISTS (SELECT 1 FROM hygiene_consent_state cs "
                    "WHERE cs.partner_id = p.id AND cs.purpose_id = %s AND cs.state = 'granted') "
                    "THEN 'consent_lost'",
                    self.purpose_id.id,
                ),
                SQL(
                    "WHEN EXISTS (SELECT 1 FROM hygiene_partner_score s "
                    "WHERE s.partner_id = p.id AND s.do_not_solicit) THEN 'do_not_solicit'"
                ),
                SQL("WHEN NOT %s THEN 'no_channel'", self._hygiene_channel_sql()),
            ]
            Partner = self.env["res.partner"].sudo()
            restriction = Partner._hygiene_segment_restriction_domain()
            if restriction:
                parts.append(
                    SQL(
                        "WHEN p.id IN %s THEN 'restricted'",
                        Partner._search(restriction).subselect(),
                    )
                )
            # not explained by any of the above while the filter still matches: suppressed
            domain = self._hygiene_parse_domain(self.domain)
            parts.append(
                SQL(
                    "WHEN p.id IN %s THEN 'suppressed'",
                    Partner.with_context(active_test=False)._search(domain).subselect(),
                )
            )
        return SQL("CASE %s ELSE 'filter' END", SQL(" ").join(parts))

    def _hygiene_sync_tag(self, entered_ids, left_ids):
        self.ensure_one()
        if not self.tag_id:
            self.tag_id = self.env["res.partner.category"].sudo().create({"name": self.name})
        cr = self.env.cr
        if entered_ids:
            cr.execute(
                SQL(
                    """INSERT INTO res_partner_res_partner_category_rel (category_id, partner_id)
                       SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING""",
                    self.tag_id.id,
                    entered_ids,
                )
            )
        if left_ids:
            cr.execute(
                SQL(
                    "DELETE FROM res_partner_res_partner_category_rel "
                    "WHERE category_id = %s AND partner_id = ANY(%s)",
                    self.tag_id.id,
                    left_ids,
                )
            )
        self.env["res.partner"].invalidate_model(["category_id"])

    def _hygiene_sync_mailing_list(self, entered_ids, left_ids):
        """The Email Marketing list: a mailing contact per member (reused by email), subscribed
        on entry, unsubscribed by removing the subscription on exit (the person did not opt
        out: nothing is recorded as an unsubscribe)."""
        self.ensure_one()
        if "mailing.list" not in self.env:
            return
        MailingList = self.env["mailing.list"].sudo()
        mailing_list = MailingList.browse(self.mailing_list_id).exists()
        if not mailing_list:
            mailing_list = MailingList.create({"name": self.name, "is_public": False})
            self.mailing_list_id = mailing_list.id
        Contact = self.env["mailing.contact"].sudo()
        Subscription = self.env["mailing.subscription"].sudo()
        if left_ids:
            emails = [
                e
                for e in self.env["res.partner"]
                .sudo()
                .with_context(active_test=False)
                .browse(left_ids)
                .mapped("email_normalized")
                if e
            ]
            Subscription.search(
                [("list_id", "=", mailing_list.id), ("contact_id.email_normalized", "in", emails)]
            ).unlink()
        if entered_ids:
            partners = self.env["res.partner"].sudo().browse(entered_ids)
            by_email = {p.email_normalized: p for p in partners if p.email_normalized}
            existing = {
                c.email_normalized: c
                for c in Contact.with_context(active_test=False).search(
                    [("email_normalized", "in", list(by_email))]
                )
            }
            missing = [
                {"name": p.name, "email": p.email, "company_name": p.commercial_company_name}
                for email, p in by_email.items()
                if email not in existing
            ]
            for contact in Contact.create(missing):
                existing[contact.email_normalized] = contact
            subscribed = set(
                Subscription.search(
                    [
                        ("list_id", "=", mailing_list.id),
                        ("contact_id", "in", [c.id for c in existing.values()]),
                    ]
                ).contact_id.ids
            )
            Subscription.create(
                [
                    {"list_id": mailing_list.id, "contact_id": contact.id}
                    for contact in existing.values()
                    if contact.id not in subscribed
                ]
            )
        # the list's contacts are a many2many over the subscriptions: not refreshed by their ORM
        mailing_list.invalidate_recordset(["contact_ids", "subscription_ids", "contact_count"])

    # ------------------------------------------------------------------ per mailing

    @api.model
    def _hygiene_record_mailing_consents(self, mailings):
        """Refresh the segments behind ``mailings``' lists, then freeze, per recipient, the
        consent event the mailing relies on (GDPR Art. 7(1): the company can prove it later)."""
        for mailing in mailings:
            list_ids = mailing.contact_list_ids.ids
            segments = self.sudo().search([("mailing_list_id", "in", list_ids)])
            if not segments:
                continue
            segments._hygiene_refresh()
            self.env.cr.execute(
                SQL(
                    """INSERT INTO hygiene_mailing_consent
                           (mailing_id, mailing_name, segment_id, partner_id, purpose_id,
                            consent_id, consent_date, company_id,
                            create_uid, create_date, write_uid, write_date)
                       SELECT %(mailing)s, %(subject)s, s.id, m.partner_id, s.purpose_id,
                              m.consent_id, c.event_date, m.company_id,
                              %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                              NOW() AT TIME ZONE 'UTC'
                         FROM hygiene_segment_member m
                         JOIN hygiene_segment s ON s.id = m.segment_id
                    LEFT JOIN hygiene_consent c ON c.id = m.consent_id
                        WHERE s.id = ANY(%(segments)s) AND s.marketing
                          AND NOT EXISTS (SELECT 1 FROM hygiene_mailing_consent x
                                           WHERE x.mailing_id = %(mailing)s
                                             AND x.partner_id = m.partner_id
                                             AND x.segment_id = s.id)""",
                    mailing=mailing.id,
                    subject=mailing.subject,
                    uid=self.env.uid,
                    segments=segments.ids,
                )
            )
        self.env["hygiene.mailing.consent"].invalidate_model()


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- control: quality, engagement and RFM scores, segments (issue 18) ---
    # (declared here rather than in res_partner.py, which is at the 600-line limit)
    hygiene_score_ids = fields.One2many(
        "hygiene.partner.score", "partner_id", string="Quality Score", groups=GROUP_USER
    )
    hygiene_rfm_history_ids = fields.One2many(
        "hygiene.rfm.history", "partner_id", string="RFM History", groups=GROUP_USER
    )
    hygiene_segment_member_ids = fields.One2many(
        "hygiene.segment.member", "partner_id", string="Segments", groups=GROUP_USER
    )

    @api.model
    def _hygiene_segment_restriction_domain(self):
        """Contacts under restriction of processing (GDPR Art. 18), never in a marketing
        segment. The flag comes with the portal work; meant to be overridden by it."""
        for name in RESTRICTION_FIELDS:
            field = self._fields.get(name)
            if field and field.type == "boolean" and field.store:
                return [(name, "=", True)]
        return []


class Base(models.AbstractModel):
    """At the launch of a mailing (Email Marketing, optional), its segments are refreshed and the
    consent of each recipient is frozen."""

    _inherit = "base"

    def write(self, vals):
        result = super().write(vals)
        if self._name == "mailing.mailing" and vals.get("state") in ("in_queue", "sending"):
            self.env["hygiene.segment"].sudo()._hygiene_record_mailing_consents(self)
        return result
