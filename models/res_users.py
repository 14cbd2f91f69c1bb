from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _update_last_login(self):
        """A portal user logging in is a contact from the person; an employee login is not."""
        result = super()._update_last_login()
        portal_users = self.filtered(lambda user: user.share)
        if portal_users:
            portal_users.partner_id.sudo()._hygiene_register_activity("portal_login")
        return result
