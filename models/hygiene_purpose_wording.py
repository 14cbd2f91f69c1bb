from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.consent import wording_hash


class HygienePurposeWording(models.Model):
    """One version of the text a person sees when asked for consent to a purpose.

    Once a consent event refers to a version, its text is frozen: changing what people agreed to
    after the fact would destroy the proof. A new text is a new version.
    """

    _name = "hygiene.purpose.wording"
    _description = "Consent Wording Version"
    _order = "purpose_id, date_from desc, id desc"
    _rec_name = "version"

    purpose_id = fields.Many2one(
        "hygiene.purpose", required=True, index=True, ondelete="cascade", string="Purpose"
    )
    version = fields.Char(required=True, help="Version label, e.g. 2024-05 or v3.")
    text = fields.Text(required=True, translate=False, string="Wording")
    text_hash = fields.Char(
        string="SHA-256",
        compute="_compute_text_hash",
        store=True,
        help="Hash of the normalised wording, stored on every consent event given with it.",
    )
    date_from = fields.Date(string="In Use From", required=True, default=fields.Date.today)
    consent_count = fields.Integer(compute="_compute_consent_count", string="Consent Events")

    _sql_constraints = [
        (
            "version_unique",
            "unique(purpose_id, version)",
            "A version label can be used only once per purpose.",
        ),
    ]

    @api.depends("text")
    def _compute_text_hash(self):
        for wording in self:
            wording.text_hash = wording_hash(wording.text) if wording.text else False

    def _compute_consent_count(self):
        counts = dict(
            self.env["hygiene.consent"]._read_group(
                [("wording_id", "in", self.ids)], ["wording_id"], ["__count"]
            )
        )
        for wording in self:
            wording.consent_count = counts.get(wording, 0)

    def write(self, vals):
        if {"text", "purpose_id"} & vals.keys():
            used = (
                self.env["hygiene.consent"]
                .sudo()
                .search_count([("wording_id", "in", self.ids)], limit=1)
            )
            if used:
                raise UserError(
                    self.env._(
                        "This wording was shown to people who gave or refused their consent: its "
                        "text can no longer change. Create a new version instead."
                    )
                )
        return super().write(vals)

    def unlink(self):
        if (
            self.env["hygiene.consent"]
            .sudo()
            .search_count([("wording_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                self.env._("This wording is the proof of recorded consents and cannot be deleted.")
            )
        return super().unlink()
