from odoo import SUPERUSER_ID, api, fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        messages._hygiene_register_author_activity()
        return messages

    def _hygiene_register_author_activity(self):
        """An inbound email, or a message the person posts from the portal, is a contact from them.

        - inbound email: an email received by the mail gateway (``message_process`` posts it with
          ``from_alias`` in the context), dated by its ``Date`` header, capped to now (a sender's
          clock ahead of ours must not make the gateway refuse the email);
        - portal message: a comment posted by a portal user as themselves, or by a visitor through
          a signed link of the document (the portal controllers then set the person as author).

        Messages written by employees, even of type email and with a customer as author (an email
        logged by hand, an import, a scheduled job), notes, tracking and notifications are not.
        """
        user = self.env.user
        is_portal, is_public = user._is_portal(), user._is_public()
        # the mail gateway posts as OdooBot (uid 1) with ``from_alias``: a context key alone can
        # be sent by any RPC client (attacker's pass V6)
        from_gateway = self.env.context.get("from_alias") and self.env.uid == SUPERUSER_ID
        if not (from_gateway or is_portal or is_public):
            return
        now = fields.Datetime.now()
        current_partner = user.partner_id
        events = []
        for message in self:
            author = message.author_id
            if not author or not author.partner_share:
                continue  # no author, or an employee
            if message.message_type == "email" and from_gateway:
                events.append((author.id, min(message.date or now, now), "inbound_email"))
            elif message.message_type == "comment" and (
                (is_portal and author == current_partner)
                or (is_public and author != current_partner)
            ):
                events.append((author.id, min(message.date or now, now), "portal_message"))
        if events:
            self.env["res.partner"]._hygiene_register_activities(events)
