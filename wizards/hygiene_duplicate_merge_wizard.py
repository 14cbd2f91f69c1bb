from odoo import api, fields, models

from ..tools.actions import notification


class HygieneDuplicateMergeWizard(models.TransientModel):
    """Merge every duplicate group to review above a score, for a steward's clean-up."""

    _name = "hygiene.duplicate.merge.wizard"
    _description = "Merge Duplicate Groups Above a Score"

    min_score = fields.Float(
        string="Minimum Score",
        default=0.95,
        digits=(3, 2),
        help="Groups whose weakest pair scores at least this are merged (0-1).",
    )
    group_count = fields.Integer(compute="_compute_preview", string="Groups to Merge")
    partner_count = fields.Integer(compute="_compute_preview", string="Contacts Involved")

    @api.depends("min_score")
    def _compute_preview(self):
        for wizard in self:
            stats = self.env["hygiene.duplicate.group"]._hygiene_merge_above(
                wizard.min_score, dry_run=True
            )
            wizard.group_count = stats["groups"]
            wizard.partner_count = stats["partners"]

    def action_merge(self):
        self.ensure_one()
        stats = self.env["hygiene.duplicate.group"]._hygiene_merge_above(self.min_score)
        message = self.env._(
            "%(merged)s groups merged, %(refused)s refused (they stay to review).",
            merged=stats["merged"],
            refused=len(stats["refused"]),
        )
        return notification(
            message,
            title=self.env._("Duplicates merged"),
            kind="warning" if stats["refused"] else "success",
            next_action={"type": "ir.actions.act_window_close"},
        )
