from odoo import fields, models


class HygienePartnerOrigin(models.Model):
    """The import batch and row an origin comes from."""

    _inherit = "hygiene.partner.origin"

    import_batch_id = fields.Many2one(
        "hygiene.import.batch",
        string="Import",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    import_line_number = fields.Integer(string="Row in File", readonly=True)


class ResPartner(models.Model):
    _inherit = "res.partner"

    hygiene_email_bounced = fields.Boolean(
        string="Email Bounced",
        readonly=True,
        copy=False,
        help="The email address was reported as a hard bounce by an emailing tool: it does not "
        "exist any more.",
    )
    hygiene_email_bounced_date = fields.Datetime(
        string="Email Bounced On", readonly=True, copy=False
    )
