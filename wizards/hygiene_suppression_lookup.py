from odoo import fields, models


class HygieneSuppressionLookup(models.TransientModel):
    """Answer "is this email or phone on the suppression list?" without showing the list."""

    _name = "hygiene.suppression.lookup"
    _description = "Suppression List Look-up"

    email = fields.Char()
    phone = fields.Char()
    country_id = fields.Many2one(
        "res.country",
        string="Country of the Phone",
        default=lambda self: self.env.company.country_id,
        help="Used for phone numbers written without their country prefix.",
    )
    result = fields.Char(readonly=True)
    checked = fields.Boolean(readonly=True)

    def action_lookup(self):
        self.ensure_one()
        kinds = self.env["hygiene.suppression"]._is_suppressed(
            email=self.email, phones=[self.phone] if self.phone else (), region=self.country_id.code
        )
        if kinds:
            labels = dict(
                self.env["hygiene.suppression"]._fields["kind"]._description_selection(self.env)
            )
            result = self.env._(
                "On the suppression list (matched by %(kinds)s): do not import or contact this "
                "person for marketing.",
                kinds=", ".join(sorted(labels[kind] for kind in kinds)),
            )
        else:
            result = self.env._("Not on the suppression list.")
        self.write({"result": result, "checked": True})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
