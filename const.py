"""The constants every part of the addon shares: the xml ids of its groups and the keys of its
system parameters (``ir.config_parameter``), each with its type, default and bounds.

A parameter is read through one getter, :func:`get_param`, which returns the typed value: an
unset or unreadable value gives the default, a value out of bounds is brought back to the
nearest bound, a value outside a list of choices gives the default. New keys are registered in
``PARAMS`` below, never parsed where they are used. The settings screen
(``res_config_settings.py``) takes its defaults from here too.

No Odoo import: this module is imported by models, wizards, the command line and the benches.
"""

from typing import Any, NamedTuple

from .tools.matching import SCORE_REVIEW

ADDON = "partner_data_hygiene"

# --------------------------------------------------------------------------- groups (role ladder)

GROUP_USER = f"{ADDON}.group_hygiene_user"
"""Sees the hygiene information (warnings, provenance) on contacts."""
GROUP_STEWARD = f"{ADDON}.group_hygiene_steward"
"""Imports, reviews duplicates, merges and undoes merges."""
GROUP_OFFICER = f"{ADDON}.group_hygiene_officer"
"""Privacy officer: retention, erasure, consent proofs, personal data in logs."""
GROUP_MANAGER = f"{ADDON}.group_hygiene_manager"
"""Configures the addon (settings, policies, sources)."""

# --------------------------------------------------------------------------- parameters

SURVIVORSHIP_RULES = ("most_recent", "most_complete", "source_priority")


class Param(NamedTuple):
    """How one system parameter is read: ``type`` converts the stored text, ``default`` stands
    for a missing or unreadable value, ``minimum``/``maximum`` (inclusive) bound it, ``choices``
    lists the accepted values of a text parameter."""

    type: type
    default: Any
    minimum: Any = None
    maximum: Any = None
    choices: tuple = ()

    def parse(self, raw):
        """The typed, bounded value of the stored text ``raw`` (``None``/``False``/"" if unset)."""
        if raw is None or raw is False or raw == "":
            return self.default
        try:
            value = self.type(raw)
        except (TypeError, ValueError):
            return self.default
        if self.choices and value not in self.choices:
            return self.default
        if self.minimum is not None and value < self.minimum:
            value = self.minimum
        if self.maximum is not None and value > self.maximum:
            value = self.maximum
        return value


DEDUP_REVIEW_THRESHOLD = f"{ADDON}.dedup_review_threshold"
DEDUP_AUTO_MERGE_THRESHOLD = f"{ADDON}.dedup_auto_merge_threshold"
MERGE_SURVIVORSHIP = f"{ADDON}.merge_survivorship"
MERGE_UNDO_DAYS = f"{ADDON}.merge_undo_days"
IMPORT_FILE_RETENTION_DAYS = f"{ADDON}.import_file_retention_days"
IMPORT_MAX_ROWS = f"{ADDON}.import_max_rows"
RETENTION_SAFETY_VALVE_PERCENT = f"{ADDON}.retention_safety_valve_percent"
RETENTION_BATCH_SIZE = f"{ADDON}.retention_batch_size"

PARAMS = {
    # pairs scoring at least this are proposed for review (settings: above 0, at most 1)
    DEDUP_REVIEW_THRESHOLD: Param(float, SCORE_REVIEW, 0.0, 1.0),
    # the daily scan merges groups scoring at least this without review; 0 = off (the default)
    DEDUP_AUTO_MERGE_THRESHOLD: Param(float, 0.0, 0.0, 1.0),
    # which value a merge (or an import update) keeps when contacts disagree
    MERGE_SURVIVORSHIP: Param(str, "most_recent", choices=SURVIVORSHIP_RULES),
    # merged contacts stay archived, and the merge can be undone, for this many days
    MERGE_UNDO_DAYS: Param(int, 30, 0),
    # the raw file of an import is deleted this many days after the import
    IMPORT_FILE_RETENTION_DAYS: Param(int, 30, 0),
    # an import file may hold at most this many rows
    IMPORT_MAX_ROWS: Param(int, 200_000),
    # a retention run touching more than this share (%) of the contacts stops instead
    RETENTION_SAFETY_VALVE_PERCENT: Param(float, 5.0, 0.0, 100.0),
    # contacts handled per retention cron batch
    RETENTION_BATCH_SIZE: Param(int, 500, 1),
}


def get_param(env, key):
    """The typed, bounded value of the system parameter ``key`` (one of ``PARAMS``), read as
    superuser: the engines read their configuration whoever runs them."""
    return PARAMS[key].parse(env["ir.config_parameter"].sudo().get_param(key))


def param_default(key):
    """The default of the system parameter ``key`` (for the settings fields)."""
    return PARAMS[key].default
