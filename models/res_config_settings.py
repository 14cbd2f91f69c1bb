from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import (
    DEDUP_AUTO_MERGE_THRESHOLD,
    DEDUP_REVIEW_THRESHOLD,
    IMPORT_FILE_RETENTION_DAYS,
    MERGE_SURVIVORSHIP,
    MERGE_UNDO_DAYS,
    RETENTION_SAFETY_VALVE_PERCENT,
    param_default,
)


class ResConfigSettings(models.TransientModel):
    """The data-hygiene settings, each stored as a system parameter the engines read."""

    _inherit = "res.config.settings"

    hygiene_dedup_review_threshold = fields.Float(
        string="Review Threshold",
        config_parameter=DEDUP_REVIEW_THRESHOLD,
        default=param_default(DEDUP_REVIEW_THRESHOLD),
        help="Pairs scoring at least this much (0 to 1) are proposed for review; "
        "below it they are ignored.",
    )
    hygiene_dedup_auto_merge_threshold = fields.Float(
        string="Auto-merge Threshold",
        config_parameter=DEDUP_AUTO_MERGE_THRESHOLD,
        help="The daily scan merges the groups scoring at least this much without review. "
        "0 turns automatic merging off (the default): every group is then reviewed by a person.",
    )
    hygiene_merge_survivorship = fields.Selection(
        [
            ("most_recent", "Most recent value"),
            ("most_complete", "Most complete contact"),
            ("source_priority", "Source priority"),
        ],
        string="Survivorship Rule",
        config_parameter=MERGE_SURVIVORSHIP,
        default=param_default(MERGE_SURVIVORSHIP),
        help="Which value a merge (or an import update) keeps when the contacts disagree. "
        "Consents never follow this rule: the most restrictive one always wins.",
    )
    hygiene_merge_undo_days = fields.Integer(
        string="Merge Undo Window (days)",
        config_parameter=MERGE_UNDO_DAYS,
        default=param_default(MERGE_UNDO_DAYS),
        help="Merged contacts stay archived, and the merge can be undone, for this many days; "
        "a daily job then deletes them.",
    )
    hygiene_import_file_retention_days = fields.Integer(
        string="Keep Imported Files (days)",
        config_parameter=IMPORT_FILE_RETENTION_DAYS,
        default=param_default(IMPORT_FILE_RETENTION_DAYS),
        help="The raw file of an import holds personal data too: it is deleted this many days "
        "after the import.",
    )
    hygiene_retention_safety_valve_percent = fields.Float(
        string="Safety Valve (% of contacts)",
        config_parameter=RETENTION_SAFETY_VALVE_PERCENT,
        default=param_default(RETENTION_SAFETY_VALVE_PERCENT),
        help="A retention run that would anonymise or delete more than this share of the "
        "contacts stops and notifies the privacy officers instead.",
    )

    @api.constrains(
        "hygiene_dedup_review_threshold",
        "hygiene_dedup_auto_merge_threshold",
        "hygiene_merge_undo_days",
        "hygiene_import_file_retention_days",
        "hygiene_retention_safety_valve_percent",
    )
    def _check_hygiene_settings(self):
        for settings in self:
            review = settings.hygiene_dedup_review_threshold
            auto = settings.hygiene_dedup_auto_merge_threshold
            if not 0 < review <= 1:
                raise ValidationError(
                    self.env._("The review threshold must be above 0 and at most 1.")
                )
            if auto and not review <= auto <= 1:
                raise ValidationError(
                    self.env._(
                        "The auto-merge threshold must lie between the review threshold "
                        "(%(review)s) and 1, or be 0 to turn automatic merging off.",
                        review=review,
                    )
                )
            if settings.hygiene_merge_undo_days < 0 or (
                settings.hygiene_import_file_retention_days < 0
            ):
                raise ValidationError(self.env._("A number of days cannot be negative."))
            if not 0 < settings.hygiene_retention_safety_valve_percent <= 100:
                raise ValidationError(
                    self.env._("The safety valve must be a share above 0 and at most 100 %.")
                )
