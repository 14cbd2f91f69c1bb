from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# The proof fields of a consent event that identify the person (and the free note, which may
# quote them); the event itself (who, purpose, action, date, channel, wording) stays.
ERASABLE_PROOF_COLUMNS = ("ip_address", "user_agent", "page_url", "source_ref", "note")


class HygieneConsent(models.Model):
    _inherit = "hygiene.consent"

    def _hygiene_erase_proof(self, partner_ids):
        """The only path that changes recorded consent events: the erasure of a person.

        The ledger is append-only (``write`` and ``unlink`` always refuse), but the GDPR right
        to erasure wins over the proof once the person is erased: the events stay (what was
        granted or withdrawn, when, through which channel and wording), the values that
        identify the person (IP address, user agent, page, source reference, note) and the
        evidence attachment go. Called by the retention engine only, which checked the rights
        of the officer or runs as the superuser; returns the number of events changed.
        """
        if not self.env.su:
            raise AccessError(self.env._("Consent proof is erased by the retention engine only."))
        if not partner_ids:
            return 0
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                """
                SELECT evidence_attachment_id FROM hygiene_consent
                 WHERE partner_id = ANY(%s) AND evidence_attachment_id IS NOT NULL
                """,
                list(partner_ids),
            )
        )
        evidence = [row[0] for row in cr.fetchall()]
        assignments = SQL(", ").join(
            SQL("%s = NULL", SQL.identifier(column)) for column in ERASABLE_PROOF_COLUMNS
        )
        cr.execute(
            SQL(
                """
                UPDATE hygiene_consent SET %s, evidence_attachment_id = NULL
                 WHERE partner_id = ANY(%s)
                   AND (evidence_attachment_id IS NOT NULL OR %s)
                """,
                assignments,
                list(partner_ids),
                SQL(" OR ").join(
                    SQL("%s IS NOT NULL", SQL.identifier(column))
                    for column in ERASABLE_PROOF_COLUMNS
                ),
            )
        )
        count = cr.rowcount
        self.invalidate_model([*ERASABLE_PROOF_COLUMNS, "evidence_attachment_id"])
        if evidence:
            self.env["ir.attachment"].sudo().browse(evidence).unlink()
        return count
