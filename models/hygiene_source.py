from odoo import fields, models

CHANNEL_TYPES = [
    ("shop", "Online shop (CMS)"),
    ("emailing", "Emailing tool"),
    ("loyalty", "Loyalty programme"),
    ("store", "Physical store"),
    ("event", "Fair / event"),
    ("game", "Game / promotion"),
    ("social", "Social network"),
    ("web_form", "Web form"),
    ("portal", "Customer portal"),
    ("manual", "Manual entry"),
    ("file", "Legacy file"),
    ("other", "Other"),
]


class HygieneSource(models.Model):
    """A channel contacts come from (the shop CMS, an emailing tool, a fair...).

    Sources are configuration records: each origin of a partner points to one, and their priority
    is used later to decide which value survives when duplicates are merged.
    """

    _name = "hygiene.source"
    _description = "Contact Source Channel"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical identifier, used by import presets and the command line.",
    )
    channel_type = fields.Selection(CHANNEL_TYPES, required=True, default="other")
    sequence = fields.Integer(default=10)
    priority = fields.Integer(
        default=50,
        help="Trust in the data of this source (0-100). When duplicates are merged, the value "
        "coming from the source with the highest priority can be kept.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    origin_count = fields.Integer(compute="_compute_origin_count", string="Contacts")

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a source must be unique."),
        (
            "priority_range",
            "CHECK(priority >= 0 AND priority <= 100)",
            "The priority of a source is between 0 and 100.",
        ),
    ]

    def _compute_origin_count(self):
        counts = dict(
            self.env["hygiene.partner.origin"]._read_group(
                [("source_id", "in", self.ids), ("partner_id.active", "=", True)],
                ["source_id"],
                ["partner_id:count_distinct"],
            )
        )
        for source in self:
            source.origin_count = counts.get(source, 0)

    def action_view_partners(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("contacts.action_contacts")
        action["domain"] = [("hygiene_origin_ids.source_id", "=", self.id)]
        action["context"] = {}
        return action
