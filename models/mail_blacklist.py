from odoo import fields, models


class MailBlackList(models.Model):
    _inherit = "mail.blacklist"

    hygiene_consent_id = fields.Many2one(
        "hygiene.consent",
        string="Blocked by Consent Event",
        readonly=True,
        ondelete="set null",
        help="Set when the address was blacklisted by a withdrawal recorded in the consent "
        "ledger. Only such entries are lifted when the person grants the purpose again.",
    )
