from odoo import api, models
from odoo.tools import SQL


class HygieneEraserLinkTracker(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        # after the mailing traces (40), which it reads
        return [
            *super()._hygiene_erasers(),
            (45, "link.tracker.click", "_hygiene_erase_link_tracker"),
        ]

    def _hygiene_erase_link_tracker(self, erasure):
        """Clicks of the persons on tracked links of their mailings (the ``/r/<code>/m/<trace>``
        route records the trace): the IP address and the country go, the click stays counted
        (anonymous statistics of the link). A click on a link outside a mailing is tied to no
        person (no trace, no visitor): it is not found, and holds only an IP address."""
        Click = self.env["link.tracker.click"]
        trace_ids = sorted(erasure.documents.get("mailing.trace", ()))
        if "mailing_trace_id" not in Click._fields or not trace_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE link_tracker_click SET ip = NULL, country_id = NULL
                 WHERE mailing_trace_id = ANY(%s) AND (ip IS NOT NULL OR country_id IS NOT NULL)
                """,
                trace_ids,
            )
        )
        erasure.counts["link.tracker.click"] += self.env.cr.rowcount
        Click.invalidate_model(["ip", "country_id"])
