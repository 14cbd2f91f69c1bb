from odoo import api, models
from odoo.tools import SQL

from ..hygiene_eraser import LAYER_SEQUENCE


class HygieneEraserAttachment(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        # after the messages (their ``authored`` and ``messages``)
        return [
            *super()._hygiene_erasers(),
            (LAYER_SEQUENCE + 20, "ir.attachment", "_hygiene_erase_attachments"),
        ]

    def _hygiene_erase_attachments(self, erasure):
        """Files of the documents (the quotation PDF sent, a rendered report, a signature, a CV),
        of the messages the persons wrote, and of the messages sent to them that belong to no
        other record: deleted (the filestore garbage collection removes the file). The files of
        a document a legal hold keeps stay as issued, without their searchable copy
        (``index_content``)."""
        attachment_ids = self._hygiene_engine()._hygiene_ids(
            SQL(
                """
                SELECT id FROM ir_attachment WHERE %(documents)s
                UNION SELECT attachment_id FROM message_attachment_rel
                       WHERE message_id = ANY(%(authored)s)
                UNION SELECT a.id FROM ir_attachment a
                        JOIN message_attachment_rel r ON r.attachment_id = a.id
                       WHERE r.message_id = ANY(%(messages)s)
                         AND (a.res_model IS NULL OR a.res_id IS NULL OR a.res_id = 0
                              OR a.res_model IN ('mail.message', 'mail.compose.message'))
                EXCEPT SELECT id FROM ir_attachment WHERE %(held)s
                """,
                documents=erasure.refs("res_model", "res_id"),
                authored=erasure.authored,
                messages=erasure.messages,
                held=erasure.refs("res_model", "res_id", held=True),
            )
        )
        if attachment_ids:
            attachments = self.env["ir.attachment"].sudo().browse(attachment_ids)
            erasure.counts["ir.attachment"] += len(attachments)
            attachments.unlink()
        if erasure.held:
            self.env.cr.execute(
                SQL(
                    "UPDATE ir_attachment SET index_content = NULL"
                    " WHERE %s AND index_content IS NOT NULL",
                    erasure.refs("res_model", "res_id", held=True),
                )
            )
            erasure.counts["ir.attachment"] += self.env.cr.rowcount
            self.env["ir.attachment"].invalidate_model(["index_content"])
