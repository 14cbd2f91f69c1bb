"""Quality, engagement and RFM scores of the contacts (issue 18), computed set-based in SQL.

One row per active contact in ``hygiene_partner_score`` rather than columns on ``res_partner``:
a recompute rewrites these narrow rows and their few indexes, never the wide partner table and
its twenty indexes, and the other features of the partner are left alone. The contact reaches
its row through ``res.partner.hygiene_score_ids`` (search filters are index look-ups on this
table).
"""

from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .. import const
from ..tools.actions import notification
from ..tools.i18n import _lt
from .hygiene_control_sql import RFM_QUERY, SCORE_CHUNK_QUERY

USER = "partner_data_hygiene.group_hygiene_user"

# Reason codes stored on the row (the row holds no wording) and their labels.
QUALITY_REASONS = {
    "no_name": _lt("no name"),
    "no_email": _lt("no email"),
    "email_invalid": _lt("invalid email"),
    "email_bounced": _lt("email bounced"),
    "email_blacklisted": _lt("email blacklisted"),
    "no_phone": _lt("no phone"),
    "phone_invalid": _lt("invalid phone"),
    "no_address": _lt("no postal address"),
    "no_country": _lt("no country"),
    "no_company_id": _lt("company without SIREN/VAT"),
    "company_id_invalid": _lt("invalid SIREN/VAT"),
    "stale": _lt("no activity for 3 years"),
    "aging": _lt("no activity for a year"),
    "duplicate": _lt("probable duplicate to review"),
    "no_consent": _lt("no provable consent"),
    "no_contact": _lt("no way to contact"),
}
# Points of each part of the quality score (total 100).
WEIGHTS = {
    "completeness": 25,  # name 5, email 5, phone 5, address 5, country 5
    "validity": 30,  # email 12, phone 10, SIREN/VAT 8
    "freshness": 20,  # activity in 12 months 20, in 36 months 10
    "duplicate": 10,  # no pending duplicate group
    "consent": 15,  # a proven grant 15, only answers (withdrawn/refused) 10
}
RFM_LABELS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("new", "New customers"),
    ("promising", "Promising"),
    ("need_attention", "Needs attention"),
    ("cannot_lose", "Cannot lose them"),
    ("at_risk", "At risk"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]
# Engagement: points per event of the person, halved every HALF_LIFE days. E-mail opens are
# never counted: the CNIL does not treat an open as a contact and mail clients pre-fetch images.
ENGAGEMENT_WEIGHTS = {
    "order": 30,
    "reply": 20,
    "form": 15,
    "click": 10,
    "consent": 10,
    "login": 5,
}
PARAM_PREFIX = "partner_data_hygiene."
LAST_RUN_PARAM = PARAM_PREFIX + "control_last_run"
RFM_LAST_RUN_PARAM = PARAM_PREFIX + "control_rfm_last_run"


class HygienePartnerScore(models.Model):
    """The quality, engagement and RFM scores of a contact, written by the SQL service only."""

    _name = "hygiene.partner.score"
    _description = "Contact Quality and Engagement Score"
    _order = "quality_score, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, readonly=True, ondelete="cascade", string="Contact"
    )
    # multi-company: the record rule of security/hygiene_control_security.xml reads this column
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    source_id = fields.Many2one("hygiene.source", readonly=True, string="Source")
    computed_date = fields.Datetime(
        readonly=True, string="Computed On", help="When the scores last changed."
    )
    quality_score = fields.Integer(readonly=True, index=True, string="Quality Score")
    quality_completeness = fields.Integer(readonly=True, string="Completeness")
    quality_validity = fields.Integer(readonly=True, string="Validity")
    quality_freshness = fields.Integer(readonly=True, string="Freshness")
    quality_reasons = fields.Char(readonly=True, help="Reason codes, comma-separated.")
    quality_reasons_label = fields.Char(compute="_compute_reason_labels", string="What Is Wrong")
    email_valid = fields.Boolean(readonly=True, string="Valid Email")
    phone_valid = fields.Boolean(readonly=True, string="Valid Phone")
    # The four filters: NULL when false (see the SQL) and partial indexes on the true rows.
    email_invalid = fields.Boolean(readonly=True, index="btree_not_null", string="Invalid Email")
    no_contact = fields.Boolean(readonly=True, index="btree_not_null", string="No Way to Contact")
    duplicate = fields.Boolean(readonly=True, index="btree_not_null", string="Probable Duplicate")
    no_consent = fields.Boolean(readonly=True, index="btree_not_null", string="No Provable Consent")
    engagement_score = fields.Integer(
        readonly=True,
        index=True,
        string="Engagement",
        help="0-100, from the person's own actions (orders, replies, form submissions, clicks, "
        "consent grants, portal logins), each halved every 90 days. E-mail opens never count.",
    )
    engagement_raw = fields.Float(readonly=True, string="Engagement Points")
    last_engagement_date = fields.Datetime(readonly=True, string="Last Engagement")
    do_not_solicit = fields.Boolean(
        readonly=True,
        index="btree_not_null",
        string="Do Not Solicit",
        help="The person never engaged (no click, reply, order, login, form or consent) although "
        "mailed several times or known for a year: left out of marketing segments and proposed "
        "for re-permission.",
    )
    rfm_recency = fields.Integer(readonly=True, string="R")
    rfm_frequency = fields.Integer(readonly=True, string="F")
    rfm_monetary = fields.Integer(readonly=True, string="M")
    rfm_code = fields.Char(readonly=True, string="RFM")
    rfm_label = fields.Selection(RFM_LABELS, readonly=True, index=True, string="RFM Segment")
    rfm_orders = fields.Integer(readonly=True, string="Orders")
    rfm_amount = fields.Float(readonly=True, string="Amount")
    rfm_last_order_date = fields.Datetime(readonly=True, string="Last Order")
    next_check_date = fields.Datetime(
        readonly=True,
        index=True,
        help="When time alone changes the scores (a freshness or do-not-solicit threshold "
        "crossed, the engagement to decay): the incremental refresh recomputes the row then.",
    )
    partner_count = fields.Integer(
        readonly=True, default=1, string="Contacts", aggregator="sum", help="For the reports."
    )

    _sql_constraints = [
        ("partner_unique", "unique(partner_id)", "A contact has one score row."),
    ]

    @api.depends("quality_reasons")
    def _compute_reason_labels(self):
        # the labels are English templates (tools/i18n.py's _lt marks them for the export):
        # translated here, for the reader
        for row in self:
            codes = (row.quality_reasons or "").split(",")
            row.quality_reasons_label = ", ".join(
                self.env._(QUALITY_REASONS[code]) for code in codes if code in QUALITY_REASONS
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Written by the SQL service only: a client cannot forge a score.
        if not self.env.su:
            raise AccessError(self.env._("Scores are computed by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Scores are computed by the system."))
        return super().write(vals)

    # ------------------------------------------------------------------ parameters

    @api.model
    def _hygiene_param(self, key):
        """A parameter of the control step (``const.PARAMS``), typed and bounded."""
        return const.get_param(self.env, PARAM_PREFIX + key)

    # ------------------------------------------------------------------ entry points

    @api.model
    def _cron_refresh(self):
        """Incremental refresh: only the contacts whose data, events, consents, duplicates or
        time thresholds changed since the last run; the first run computes everything."""
        self._hygiene_refresh(full=False)

    def action_refresh_all(self):
        self.env["hygiene.partner.score"].check_access("read")
        if not self.env.user.has_group("partner_data_hygiene.group_hygiene_steward"):
            raise AccessError(self.env._("Only data stewards can recompute the scores."))
        stats = self.sudo()._hygiene_refresh(full=True)
        return notification(
            self.env._(
                "%(count)s contacts scored in %(seconds)s s.",
                count=stats["partners"],
                seconds=round(stats["seconds"], 1),
            )
        )

    @api.model
    def _hygiene_refresh(self, full=False, partner_ids=None):
        """Recompute the scores; returns statistics (partners, chunks, seconds, rfm rows).

        ``full``: every active contact; else the contacts changed since the last run (all of them
        on the first run); ``partner_ids``: exactly those.
        """
        import time

        started = time.monotonic()
        cr = self.env.cr
        self.env.flush_all()
        # The statements are large (costly estimates) but cheap to run: PostgreSQL's JIT would
        # spend seconds compiling each of them (14 s of a 20 s chunk when measured).
        cr.execute("SET LOCAL jit = off")
        # Two refreshes (the cron, a button, an engine's snapshot) run one after the other: each
        # chunk is an upsert of disjoint rows, but the RFM history must not be appended twice.
        cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", self._name))
        self._hygiene_ensure_indexes()
        cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        now = cr.fetchone()[0]
        param = self.env["ir.config_parameter"].sudo()
        last_run = param.get_param(LAST_RUN_PARAM)
        chunk = self._hygiene_param("control_chunk_size")
        if partner_ids is not None:
            ids = sorted(set(partner_ids))
        elif full or not last_run:
            ids = None
        else:
            ids = self._hygiene_changed_partner_ids(datetime.fromisoformat(last_run), now)
        changes_seconds = time.monotonic() - started
        total = chunks = 0
        for chunk_ids in self._hygiene_chunks(ids, chunk):
            total += self._hygiene_score_chunk(chunk_ids, now)
            chunks += 1
        # (given contacts: every archived row, as before; incremental: the changed ones only)
        self._hygiene_drop_archived(None if partner_ids is not None else ids)
        rfm_rows = 0
        if ids is None or partner_ids is not None or self._hygiene_rfm_due(last_run, now):
            rfm_rows = self._hygiene_compute_rfm(now)
            if partner_ids is None:
                param.set_param(RFM_LAST_RUN_PARAM, now.isoformat(sep=" "))
        if partner_ids is None:
            # microseconds kept: a change made in the second before the run is not missed nor redone
            param.set_param(LAST_RUN_PARAM, now.isoformat(sep=" "))
        self.invalidate_model()
        return {
            "partners": total,
            "chunks": chunks,
            "rfm": rfm_rows,
            "changes_seconds": changes_seconds,
            "seconds": time.monotonic() - started,
        }

    @api.model
    def _hygiene_drop_archived(self, ids):
        """Remove the rows of archived contacts: of ``ids`` only (an archive writes the contact,
        so it is among the changes), every one on a full run."""
        only = SQL("AND p.id IN %s", tuple(ids)) if ids else SQL()
        if ids is not None and not ids:
            return
        self.env.cr.execute(
            SQL(
                "DELETE FROM hygiene_partner_score s USING res_partner p "
                "WHERE p.id = s.partner_id AND NOT p.active %s",
                only,
            )
        )

    @api.model
    def _hygiene_rfm_due(self, last_run, now):
        """Whether an incremental run recomputes the RFM: an order, invoice or credit note was
        written since ``last_run`` (index ranges), or a day went by (orders leave the period).
        The quintiles are ranks over every customer: the RFM is all or nothing."""
        rfm_last_run = self.env["ir.config_parameter"].sudo().get_param(RFM_LAST_RUN_PARAM)
        if not rfm_last_run or (now - datetime.fromisoformat(rfm_last_run)).days >= 1:
            return True
        since = datetime.fromisoformat(last_run)
        parts = [
            SQL("SELECT 1 FROM %s WHERE write_date > %s", SQL.identifier(table), since)
            for model, table in (("sale.order", "sale_order"), ("account.move", "account_move"))
            if model in self.env
        ]
        if not parts:
            return False
        self.env.cr.execute(SQL("SELECT EXISTS (%s)", SQL(" UNION ALL ").join(parts)))
        return self.env.cr.fetchone()[0]

    @api.model
    def _hygiene_chunks(self, ids, size):
        """Chunks of partner ids: ``ids`` sliced, or every active contact by keyset pages."""
        if ids is not None:
            for start in range(0, len(ids), size):
                yield ids[start : start + size]
            return
        last = 0
        while True:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE active AND id > %s ORDER BY id LIMIT %s",
                    last,
                    size,
                )
            )
            page = [row[0] for row in self.env.cr.fetchall()]
            if not page:
                return
            yield page
            last = page[-1]

    # ------------------------------------------------------------------ the chunk

    @api.model
    def _hygiene_engagement_events_sql(self, chunk, since):
        """SQL of (partner_id, date, kind) of the person's own events since ``since``, for the
        contacts of ``chunk`` (an SQL subquery of ids). Meant to be extended (an app adds its
        events). Opens never appear."""
        parts = [
            # consent grants with proof (the person's own decision)
            SQL(
                "SELECT partner_id, event_date, 'consent' FROM hygiene_consent "
                "WHERE partner_id IN %s AND action = 'grant' AND proven AND event_date >= %s",
                chunk,
                since,
            ),
            # inbound emails and portal messages written by the person
            SQL(
                """SELECT m.author_id, m.date, 'reply' FROM mail_message m
                    WHERE m.author_id IN %s AND m.date >= %s
                      AND m.message_type IN ('email', 'comment')
                      AND NOT EXISTS (SELECT 1 FROM res_users u
                                       WHERE u.partner_id = m.author_id AND NOT u.share)""",
                chunk,
                since,
            ),
            # portal logins (the last one Odoo keeps per user)
            SQL(
                """SELECT u.partner_id, l.create_date, 'login' FROM res_users u
                     JOIN res_users_log l ON l.create_uid = u.id
                    WHERE u.partner_id IN %s AND u.share AND l.create_date >= %s""",
                chunk,
                since,
            ),
            # a website form: the activity clock knows the latest one (read from the chunk's
            # partners, the ``base`` of _hygiene_score_chunk)
            SQL(
                "SELECT id, hygiene_last_activity_date, 'form' FROM base "
                "WHERE last_source = 'website_form' AND hygiene_last_activity_date >= %s",
                since,
            ),
        ]
        parts += self._hygiene_app_events_sql(chunk, since)
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _hygiene_app_events_sql(self, chunk, since):
        """The events of the optional apps: orders (Sales, else Invoicing), clicks and replies
        to mailings (Email Marketing)."""
        parts = []
        if "sale.order" in self.env:
            parts.append(
                SQL(
                    "SELECT partner_id, date_order, 'order' FROM sale_order "
                    "WHERE partner_id IN %s AND state = 'sale' AND date_order >= %s",
                    chunk,
                    since,
                )
            )
        elif "account.move" in self.env:
            parts.append(
                SQL(
                    "SELECT partner_id, invoice_date::timestamp, 'order' FROM account_move "
                    "WHERE partner_id IN %s AND state = 'posted' "
                    "AND move_type = 'out_invoice' AND invoice_date >= (%s)::date",
                    chunk,
                    since,
                )
            )
        if "mailing.trace" in self.env:
            # from the chunk's traces, read once (the ``traces`` CTE of _hygiene_score_chunk)
            for column, kind in (("links_click_datetime", "click"), ("reply_datetime", "reply")):
                parts.append(
                    SQL(
                        "SELECT partner_id, %s, %s FROM traces WHERE %s >= %s",
                        SQL.identifier(column),
                        kind,
                        SQL.identifier(column),
                        since,
                    )
                )
        return parts

    @api.model
    def _hygiene_traces_sql(self, chunk):
        """SQL of the mailing traces of the contacts of ``chunk`` (partner_id, sent, clicked,
        replied), read once per chunk for the clicks, the replies and the count of sends."""
        if "mailing.trace" not in self.env:
            return SQL(
                "SELECT NULL::int AS partner_id, NULL::timestamp AS sent_datetime, "
                "NULL::timestamp AS links_click_datetime, NULL::timestamp AS reply_datetime "
                "WHERE FALSE"
            )
        return SQL(
            "SELECT res_id AS partner_id, sent_datetime, links_click_datetime, reply_datetime "
            "FROM mailing_trace WHERE model = 'res.partner' AND res_id IN %s",
            chunk,
        )

    @api.model
    def _hygiene_score_chunk(self, ids, now):
        """Compute and upsert the quality and engagement of the contacts ``ids``; returns the
        number of active contacts scored. One statement: no Python loop over the contacts."""
        if not ids:
            return 0
        half_life = self._hygiene_param("engagement_half_life_days")
        window = self._hygiene_param("engagement_window_months")
        since = SQL("%s::timestamp - %s * INTERVAL '1 month'", now, window)
        dns_months = self._hygiene_param("do_not_solicit_months")
        chunk = SQL("(SELECT id FROM chunk)")
        weights = SQL(", ").join(
            SQL("(%s, %s)", kind, weight) for kind, weight in ENGAGEMENT_WEIGHTS.items()
        )
        w = WEIGHTS
        query = SQL(
            SCORE_CHUNK_QUERY,
            ids=ids,
            now=now,
            fresh=w["freshness"],
            dup=w["duplicate"],
            consent=w["consent"],
            weights=weights,
            half_life=half_life,
            events=self._hygiene_engagement_events_sql(chunk, since),
            traces=self._hygiene_traces_sql(chunk),
            dns_sends=self._hygiene_param("do_not_solicit_sends"),
            dns_months=dns_months,
            decay_days=self._hygiene_param("control_decay_refresh_days"),
            uid=self.env.uid,
        )
        self.env.cr.execute(query)
        return len(ids)

    # ------------------------------------------------------------------ RFM

    @api.model
    def _hygiene_orders_sql(self, since):
        """SQL of (partner_id, date, amount, is_order) of the sales counted by the RFM, on the
        commercial partner (a company is one customer); None without Sales or Invoicing.

        Amounts are untaxed, in the company currency: the taxes are not the customer's value
        (and their rates differ between countries and products). Orders are the confirmed sales
        orders when Sales is installed, else the posted customer invoices; the posted credit
        notes (refunds) are rows with a negative amount and ``is_order`` false: they reduce the
        monetary value, never the frequency nor the recency."""
        parts = []
        if "sale.order" in self.env:
            parts.append(
                SQL(
                    """SELECT COALESCE(p.commercial_partner_id, p.id), so.date_order,
                              so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1), TRUE
                         FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                        WHERE so.state = 'sale' AND so.date_order >= %s""",
                    since,
                )
            )
        if "account.move" in self.env:
            # amount_untaxed_signed: company currency, negative on a credit note
            types = ("out_refund",) if parts else ("out_invoice", "out_refund")
            parts.append(
                SQL(
                    """SELECT COALESCE(p.commercial_partner_id, p.id),
                              am.invoice_date::timestamp, am.amount_untaxed_signed,
                              am.move_type = 'out_invoice'
                         FROM account_move am JOIN res_partner p ON p.id = am.partner_id
                        WHERE am.state = 'posted' AND am.move_type IN %s
                          AND am.invoice_date >= (%s)::date""",
                    types,
                    since,
                )
            )
        return SQL(" UNION ALL ").join(parts) if parts else None

    @api.model
    def _hygiene_compute_rfm(self, now):
        """Quintile R, F, M scores and labels of the customers over the configured period, in
        one statement; a customer whose label changes gets a history row. Returns the number of
        rows changed."""
        months = self._hygiene_param("rfm_period_months")
        since = SQL("%s::timestamp - %s * INTERVAL '1 month'", now, months)
        orders = self._hygiene_orders_sql(since)
        if orders is None:
            return 0
        self.env.cr.execute(
            SQL(
                RFM_QUERY,
                orders=orders,
                now=now,
                uid=self.env.uid,
            )
        )
        return self.env.cr.rowcount


class HygieneRfmHistory(models.Model):
    """The RFM segment of a customer each time it changed (written by the SQL service)."""

    _name = "hygiene.rfm.history"
    _description = "RFM Segment History"
    _order = "date desc, id desc"
    _rec_name = "label"

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        string="Contact",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date = fields.Datetime(readonly=True, required=True, index=True)
    label = fields.Selection(RFM_LABELS, readonly=True, string="Segment")
    previous_label = fields.Selection(RFM_LABELS, readonly=True, string="Previous Segment")
    rfm_code = fields.Char(readonly=True, string="RFM")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("The RFM history is written by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The RFM history is written by the system."))
        return super().write(vals)
