from odoo import fields, models

START_EVENTS = [
    ("last_activity", "Last activity of the person"),
    ("collection_date", "Collection date"),
    ("last_order_invoice", "Last order or invoice"),
]
END_ACTIONS = [
    ("anonymize", "Anonymise"),
    ("delete", "Delete"),
    ("archive", "Move to the restricted archive"),
]


class HygieneRetentionPolicy(models.Model):
    """How long a category of contacts is kept, from which event, and what happens then."""

    _name = "hygiene.retention.policy"
    _description = "Retention Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        string="Priority",
        default=10,
        help="When several policies match a contact, the one with the lowest number applies.",
    )
    domain = fields.Char(
        string="Category",
        required=True,
        default="[]",
        help="Which contacts this policy covers, as a domain literal (never evaluated as code).",
    )
    start_event = fields.Selection(START_EVENTS, required=True, default="last_activity")
    duration_months = fields.Integer(string="Duration (months)", required=True, default=36)
    end_action = fields.Selection(END_ACTIONS, required=True, default="anonymize")
    repermission_days = fields.Integer(
        string="Re-permission (days before expiry)",
        help="Send a mail asking the person whether they want to stay this many days before the "
        "end of the retention period; 0 sends nothing.",
    )
