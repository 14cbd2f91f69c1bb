from odoo import api, models
from odoo.tools import SQL

from ...tools import anonymize
from ..hygiene_eraser import LAYER_SEQUENCE

# Tracked field values that identify a person by themselves (emails, phones) are looked for in
# the tracking of any record; a name is not (a namesake's tracking would go with it): a tracked
# link to the partner is found by its id instead.
EMAIL_IN_ANGLES = r"<([^<>]+)>[[:space:]]*$"


class HygieneEraserMail(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (LAYER_SEQUENCE, "mail.message", "_hygiene_erase_messages"),
        ]

    def _hygiene_erase_messages(self, erasure):
        """Messages the persons wrote (also from their address before it was linked to them),
        messages on the documents, messages and mails addressed to them: emptied, with the mails
        (body, headers, recipients, references; queued ones cancelled), the tracking values that
        hold their values (their messages', and any tracked link to them or value equal to their
        email or phone), the link previews of their messages and their notifications."""
        mail_ids = self._hygiene_mail_ids(erasure)
        message_ids = self._hygiene_message_ids(erasure, mail_ids)
        erasure.messages = message_ids
        self._hygiene_erase_mails(erasure, mail_ids)
        self._hygiene_erase_message_rows(erasure, message_ids)
        self._hygiene_erase_tracking(erasure, message_ids)
        self.env.cr.execute(
            SQL("DELETE FROM mail_notification WHERE res_partner_id = ANY(%s)", erasure.nodes)
        )
        erasure.counts["mail.notification"] += self.env.cr.rowcount

    def _hygiene_mail_ids(self, erasure):
        """Mails of the persons' messages and of the documents, mails to them (as recipients,
        or by address in To/Cc)."""
        patterns = [anonymize.like_pattern(e) for e in erasure.emails]
        return self._hygiene_engine()._hygiene_ids(
            SQL(
                """
                SELECT id FROM mail_mail WHERE mail_message_id IN (
                    SELECT id FROM mail_message WHERE author_id = ANY(%(nodes)s) OR %(documents)s)
                UNION SELECT mail_mail_id FROM mail_mail_res_partner_rel
                       WHERE res_partner_id = ANY(%(nodes)s)
                UNION SELECT id FROM mail_mail
                       WHERE email_to ILIKE ANY(%(patterns)s::text[])
                          OR email_cc ILIKE ANY(%(patterns)s::text[])
                """,
                nodes=erasure.nodes,
                documents=erasure.refs(),
                patterns=patterns,
            )
        )

    def _hygiene_message_ids(self, erasure, mail_ids):
        """The messages to empty: written by the persons, on the documents, carried by their
        mails or addressed to them. Sets ``erasure.authored`` (those they wrote)."""
        # Written by them: as author, or from their address ("Name <address>" included) before
        # the message was linked to them, e.g. an inbound email from an unknown sender.
        # On the documents too: those are emptied, but their files are only the documents' own
        # (a mailing's attachment, linked to every message it sent, is not the person's).
        written = SQL(
            """author_id = ANY(%(nodes)s)
               OR lower(trim(COALESCE(substring(email_from FROM %(angles)s), email_from)))
                  = ANY(%(emails)s)""",
            nodes=erasure.nodes,
            angles=EMAIL_IN_ANGLES,
            emails=erasure.emails,
        )
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id, COALESCE(%s, FALSE) FROM mail_message WHERE %s OR %s",
                written,
                written,
                erasure.refs(),
            )
        )
        rows = cr.fetchall()
        erasure.authored = sorted(row[0] for row in rows if row[1])
        return self._hygiene_engine()._hygiene_ids(
            SQL(
                """
                SELECT id FROM mail_message WHERE id = ANY(%(found)s)
                UNION SELECT mail_message_id FROM mail_mail WHERE id = ANY(%(mails)s)
                UNION SELECT mail_message_id FROM mail_message_res_partner_rel
                       WHERE res_partner_id = ANY(%(nodes)s)
                """,
                found=sorted(row[0] for row in rows),
                nodes=erasure.nodes,
                mails=mail_ids,
            )
        )

    def _hygiene_erase_mails(self, erasure, mail_ids):
        """Every text column of the mails (body, headers, To/Cc, references, subject) emptied;
        those still queued are cancelled, so that nothing is sent afterwards."""
        if not mail_ids:
            return
        erasure.counts["mail.mail"] += self._hygiene_engine()._hygiene_blank(
            "mail.mail", SQL("id = ANY(%s)", mail_ids)
        )
        self.env.cr.execute(
            SQL(
                """UPDATE mail_mail SET state = 'cancel'
                    WHERE id = ANY(%s) AND state IN ('outgoing', 'exception')""",
                mail_ids,
            )
        )

    def _hygiene_erase_message_rows(self, erasure, message_ids):
        if not message_ids:
            return
        erasure.counts["mail.message"] += self._hygiene_engine()._hygiene_blank(
            "mail.message", SQL("id = ANY(%s)", message_ids)
        )
        if "mail.link.preview" in self.env:
            self.env.cr.execute(
                SQL("DELETE FROM mail_link_preview WHERE message_id = ANY(%s)", message_ids)
            )
            erasure.counts["mail.link.preview"] += self.env.cr.rowcount

    def _hygiene_erase_tracking(self, erasure, message_ids):
        """Tracking values of the erased messages, and on any record those equal to the persons'
        email or phone (``Name <address>`` included) or a tracked link to them."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE mail_tracking_value
                   SET old_value_char = NULL, new_value_char = NULL,
                       old_value_text = NULL, new_value_text = NULL
                 WHERE mail_message_id = ANY(%(messages)s)
                    OR lower(old_value_char) = ANY(%(values)s)
                    OR lower(new_value_char) = ANY(%(values)s)
                    OR (position('<' IN old_value_char) > 0
                        AND lower(trim(substring(old_value_char FROM %(angles)s)))
                            = ANY(%(values)s))
                    OR (position('<' IN new_value_char) > 0
                        AND lower(trim(substring(new_value_char FROM %(angles)s)))
                            = ANY(%(values)s))
                    OR ((old_value_integer = ANY(%(nodes)s) OR new_value_integer = ANY(%(nodes)s))
                        AND field_id IN (SELECT id FROM ir_model_fields
                                          WHERE ttype = 'many2one' AND relation = 'res.partner'))
                """,
                messages=message_ids,
                angles=EMAIL_IN_ANGLES,
                values=erasure.unique_values,
                nodes=erasure.nodes,
            )
        )
        erasure.counts["mail.tracking.value"] += self.env.cr.rowcount
