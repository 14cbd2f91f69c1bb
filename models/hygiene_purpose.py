from odoo import api, fields, models

LEGAL_BASES = [
    ("consent", "Consent (Art. 6(1)(a))"),
    ("contract", "Contract (Art. 6(1)(b))"),
    ("legal_obligation", "Legal obligation (Art. 6(1)(c))"),
    ("vital_interest", "Vital interest (Art. 6(1)(d))"),
    ("public_task", "Public task (Art. 6(1)(e))"),
    ("legitimate_interest", "Legitimate interest (Art. 6(1)(f))"),
]

CONTACT_CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("phone", "Phone"),
    ("post", "Post"),
    ("any", "Any channel"),
]


class HygienePurpose(models.Model):
    """A processing purpose a person can consent to (newsletter, SMS offers, profiling...).

    The wording shown to the person is versioned: every consent event keeps the version and the
    hash of the exact text, so the company can prove what was agreed to.
    """

    _name = "hygiene.purpose"
    _description = "Processing Purpose"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical identifier (import presets, CLI).")
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    legal_basis = fields.Selection(LEGAL_BASES, required=True, default="consent")
    contact_channel = fields.Selection(CONTACT_CHANNELS, required=True, default="email")
    blacklist_on_withdrawal = fields.Boolean(
        string="Block Emails on Withdrawal",
        help="A withdrawal or refusal of this purpose adds the person's email to Odoo's email "
        "blacklist, so that no mass mailing reaches them.",
    )
    active = fields.Boolean(default=True)
    wording_ids = fields.One2many("hygiene.purpose.wording", "purpose_id", string="Wordings")
    current_wording_id = fields.Many2one(
        "hygiene.purpose.wording",
        compute="_compute_current_wording_id",
        string="Current Wording",
        help="The latest version of the text shown to people when they are asked.",
    )
    granted_count = fields.Integer(compute="_compute_state_counts", string="Granted")
    withdrawn_count = fields.Integer(compute="_compute_state_counts", string="Withdrawn")

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a purpose must be unique."),
    ]

    @api.depends("wording_ids.version", "wording_ids.date_from")
    def _compute_current_wording_id(self):
        for purpose in self:
            wordings = purpose.wording_ids.sorted(lambda w: (w.date_from, w.id), reverse=True)
            purpose.current_wording_id = wordings[:1]

    def _compute_state_counts(self):
        counts = {
            (purpose.id, state): count
            for purpose, state, count in self.env["hygiene.consent.state"]._read_group(
                [("purpose_id", "in", self.ids)], ["purpose_id", "state"], ["__count"]
            )
        }
        for purpose in self:
            purpose.granted_count = counts.get((purpose.id, "granted"), 0)
            purpose.withdrawn_count = counts.get((purpose.id, "withdrawn"), 0) + counts.get(
                (purpose.id, "refused"), 0
            )
