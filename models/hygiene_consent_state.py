from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.consent import most_restrictive
from .hygiene_consent import CONSENT_CHANNELS


class HygieneConsentState(models.Model):
    """The current consent of a partner for a purpose: the state of its latest ledger event.

    Maintained by ``hygiene.consent.create`` only, so that "may receive the newsletter" is a plain
    indexed search. Users read it; nobody writes it by hand.
    """

    _name = "hygiene.consent.state"
    _description = "Current Consent State"
    _order = "purpose_id, partner_id"
    _rec_name = "purpose_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", string="Contact"
    )
    # multi-company: the record rules of security/hygiene_security.xml read this column
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)
    purpose_id = fields.Many2one(
        "hygiene.purpose", required=True, index=True, ondelete="cascade", string="Purpose"
    )
    state = fields.Selection(
        [
            ("granted", "Granted"),
            ("unproven", "Unproven"),
            ("withdrawn", "Withdrawn"),
            ("refused", "Refused"),
        ],
        required=True,
        index=True,
    )
    event_id = fields.Many2one("hygiene.consent", string="Latest Event", ondelete="set null")
    event_date = fields.Datetime(string="Since")
    channel = fields.Selection(CONSENT_CHANNELS, compute="_compute_channel")

    _sql_constraints = [
        (
            "partner_purpose_unique",
            "unique(partner_id, purpose_id)",
            "A contact has one current consent state per purpose.",
        ),
    ]

    @api.depends("event_id.channel")
    def _compute_channel(self):
        self._hygiene_readable_related("event_id", "channel")

    @api.model
    def _update_from_events(self, events):
        """Upsert the state of every (partner, purpose) of ``events`` from its latest event.

        The latest event is the one with the most recent date (then the highest id), so that an
        old grant recorded today (a historical import) never overrides a newer withdrawal.
        """
        if not events:
            return
        self.env.flush_all()
        pairs = {(event.partner_id.id, event.purpose_id.id) for event in events}
        partner_ids = sorted({partner for partner, __ in pairs})
        purpose_ids = sorted({purpose for __, purpose in pairs})
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO hygiene_consent_state
                    (partner_id, purpose_id, state, event_id, event_date, company_id,
                     create_uid, create_date, write_uid, write_date)
                SELECT DISTINCT ON (c.partner_id, c.purpose_id)
                       c.partner_id, c.purpose_id, c.state, c.id, c.event_date, p.company_id,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM hygiene_consent c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE c.partner_id = ANY(%(partners)s) AND c.purpose_id = ANY(%(purposes)s)
              ORDER BY c.partner_id, c.purpose_id, c.event_date DESC, c.id DESC
                ON CONFLICT (partner_id, purpose_id) DO UPDATE
                   SET state = EXCLUDED.state,
                       event_id = EXCLUDED.event_id,
                       event_date = EXCLUDED.event_date,
                       company_id = EXCLUDED.company_id,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                 WHERE hygiene_consent_state.event_id IS DISTINCT FROM EXCLUDED.event_id
                    OR hygiene_consent_state.company_id IS DISTINCT FROM EXCLUDED.company_id
                """,
                uid=self.env.uid,
                partners=partner_ids,
                purposes=purpose_ids,
            )
        )
        self.invalidate_model()
        self.env["res.partner"].browse(partner_ids).invalidate_recordset(
            ["hygiene_consent_state_ids", "hygiene_granted_purpose_ids"]
        )

    @api.model
    def _most_restrictive_states(self, partners):
        """Return {purpose: state} combining ``partners`` (one person): the strictest state wins.

        Used by the merge: a withdrawal or refusal recorded on any of the partners applies to the
        survivor; a purpose nobody answered is absent from the result.
        """
        states_by_purpose = {}
        for state in self.search([("partner_id", "in", partners.ids)]):
            states_by_purpose.setdefault(state.purpose_id, []).append(state.state)
        return {purpose: most_restrictive(states) for purpose, states in states_by_purpose.items()}
