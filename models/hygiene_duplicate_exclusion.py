from odoo import api, fields, models
from odoo.tools import SQL


class HygieneDuplicateExclusion(models.Model):
    """A pair of partners a steward declared different people ("not duplicates")."""

    _name = "hygiene.duplicate.exclusion"
    _description = "Not-a-Duplicate Pair"

    partner_low_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    partner_high_id = fields.Many2one("res.partner", required=True, ondelete="cascade")

    _sql_constraints = [
        (
            "pair_unique",
            "unique(partner_low_id, partner_high_id)",
            "This pair is already marked as not duplicates.",
        ),
    ]

    @api.model
    def _excluded_pairs(self):
        self.env.cr.execute(
            SQL("SELECT partner_low_id, partner_high_id FROM hygiene_duplicate_exclusion")
        )
        return {tuple(row) for row in self.env.cr.fetchall()}

    @api.model
    def _exclude_groups(self, groups):
        existing = self._excluded_pairs()
        values = []
        for group in groups:
            ids = sorted(group.partner_ids.ids)
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    if (a, b) not in existing:
                        existing.add((a, b))
                        values.append({"partner_low_id": a, "partner_high_id": b})
        self.create(values)
