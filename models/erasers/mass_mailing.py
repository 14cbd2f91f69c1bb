from odoo import api, models
from odoo.tools import SQL


class HygieneEraserMassMailing(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [*super()._hygiene_erasers(), (40, "mailing.trace", "_hygiene_erase_mass_mailing")]

    def _hygiene_erase_mass_mailing(self, erasure):
        """Mailing contacts with their email (emptied, chatter gone) and the traces of every
        mailing sent to the persons, their leads or contacts (email emptied; the statistics
        stay). The traces are handed to the link tracker hook."""
        Engine = self._hygiene_engine()
        contact_ids = Engine._hygiene_ids(
            SQL("SELECT id FROM mailing_contact WHERE email_normalized = ANY(%s)", erasure.emails)
        )
        if contact_ids:
            erasure.counts["mailing.contact"] += Engine._hygiene_blank(
                "mailing.contact", SQL("id = ANY(%s)", contact_ids)
            )
            self._hygiene_record_names("mailing.contact", contact_ids)
            erasure.add_documents("mailing.contact", contact_ids)
        where = SQL("lower(email) = ANY(%s) OR %s", erasure.emails, erasure.refs())
        trace_ids = Engine._hygiene_ids(SQL("SELECT id FROM mailing_trace WHERE %s", where))
        if trace_ids:
            erasure.counts["mailing.trace"] += Engine._hygiene_blank(
                "mailing.trace", SQL("id = ANY(%s)", trace_ids)
            )
            erasure.add_documents("mailing.trace", trace_ids)
