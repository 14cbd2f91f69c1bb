from odoo import api, models
from odoo.tools import SQL

from ...tools import anonymize


class HygieneEraserCalendar(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        # after the applications whose documents a meeting may be planned on (crm, sale...)
        return [*super()._hygiene_erasers(), (60, "calendar.event", "_hygiene_erase_calendar")]

    def _hygiene_erase_calendar(self, erasure):
        """Meetings with the persons (as attendees) or planned on their documents (a call on
        their lead): the subject is replaced by a constant, the description, place and meeting
        link emptied; the persons' attendance goes (their attendee rows and their link to the
        event), the meeting stays in the calendars of the others (an employee's agenda). Their
        chatter, activities and files go (documents)."""
        cr = self.env.cr
        Engine = self._hygiene_engine()
        event_ids = Engine._hygiene_ids(
            SQL(
                """
                SELECT event_id FROM calendar_attendee WHERE partner_id = ANY(%(nodes)s)
                UNION SELECT calendar_event_id FROM calendar_event_res_partner_rel
                       WHERE res_partner_id = ANY(%(nodes)s)
                UNION SELECT id FROM calendar_event WHERE %(documents)s
                """,
                nodes=erasure.nodes,
                documents=self._hygiene_calendar_documents(erasure),
            )
        )
        if not event_ids:
            return
        cr.execute(
            SQL(
                """
                UPDATE calendar_event
                   SET name = %s, description = NULL, location = NULL, videocall_location = NULL
                 WHERE id = ANY(%s)
                """,
                anonymize.EVENT_NAME,
                event_ids,
            )
        )
        erasure.counts["calendar.event"] += cr.rowcount
        erasure.counts["calendar.attendee"] += Engine._hygiene_unlink_where(
            "calendar.attendee", SQL("partner_id = ANY(%s)", erasure.nodes)
        )
        cr.execute(
            SQL(
                "DELETE FROM calendar_event_res_partner_rel WHERE res_partner_id = ANY(%s)",
                erasure.nodes,
            )
        )
        self._hygiene_record_names("calendar.event", event_ids)
        self.env["calendar.event"].invalidate_model()
        erasure.add_documents("calendar.event", event_ids)

    def _hygiene_calendar_documents(self, erasure):
        """SQL: the meetings planned on the persons' documents (``res_model``/``res_id``, and
        the opportunity of a meeting planned from the CRM)."""
        conditions = [erasure.refs("res_model", "res_id")]
        leads = sorted(erasure.documents.get("crm.lead", ()))
        if leads and "opportunity_id" in self.env["calendar.event"]._fields:
            conditions.append(SQL("opportunity_id = ANY(%s)", leads))
        return SQL("(%s)", SQL(" OR ").join(conditions))
