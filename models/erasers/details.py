from odoo import api, models
from odoo.tools import SQL


class HygieneEraserDetails(models.AbstractModel):
    """Check-your-details requests (issue 19): the requests of the persons and the corrections
    they proposed (their old and new values) are deleted; their queued mails (with the link)
    go with the documents' mails."""

    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (76, "hygiene.details.request", "_hygiene_erase_details_requests"),
        ]

    def _hygiene_erase_details_requests(self, erasure):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "DELETE FROM hygiene_details_request WHERE partner_id = ANY(%s) RETURNING id",
                erasure.nodes,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            erasure.add_documents("hygiene.details.request", ids)
            erasure.counts["hygiene.details.request"] += len(ids)
            self.env["hygiene.details.request"].invalidate_model()
            self.env["hygiene.details.proposal"].invalidate_model()
