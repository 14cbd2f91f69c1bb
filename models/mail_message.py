from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        messages._hygiene_register_author_activity()
        return messages

    def _hygiene_register_author_activity(self):
        """An inbound email, or a message the person posts from the portal, is a contact from them.

        Messages written by employees (even when they set a customer as author), notes, tracking
        and notifications are not.
        """
        events = []
        current_partner = self.env.user.partner_id
        portal_author = self.env.user._is_portal() or self.env.user._is_public()
        for message in self:
            author = message.author_id
            if not author or author.partner_share is False:
                continue  # no author, or an employee
            if message.message_type == "email":
                events.append((author.id, message.date, "inbound_email"))
            elif (
                message.message_type == "comment"
                and portal_author
                and author == current_partner
            ):
                events.append((author.id, message.date, "portal_message"))
        if events:
            self.env["res.partner"]._hygiene_register_activities(events)
