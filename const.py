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
ERASURE_GRACE_DAYS = f"{ADDON}.erasure_grace_days"
PRIVACY_RECIPIENTS = f"{ADDON}.privacy_recipients"
DEDUP_MODEL = f"{ADDON}.dedup_model"
DEDUP_USE_LEARNT_WEIGHTS = f"{ADDON}.dedup_use_learnt_weights"
# rules at entry (issue 19)
ENTRY_SIREN_REQUIRED = f"{ADDON}.entry_siren_required"
ENTRY_EMAIL_REQUIRED = f"{ADDON}.entry_email_required"
ENTRY_DUPLICATE_POLICY = f"{ADDON}.entry_duplicate_policy"
ENTRY_ADDRESS_STANDARD = f"{ADDON}.entry_address_standard"
ENTRY_DUPLICATE_POLICIES = ("warn", "block")


def _flag(raw):
    """A boolean setting as ``res.config.settings`` stores it ("True", or unset)."""
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(raw)


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
    # a portal erasure runs this many days after the request, unless the person cancels it
    ERASURE_GRACE_DAYS: Param(int, 14, 0, 90),
    # the recipients shown on /my/privacy and in the export, one per line ("" = the default text)
    PRIVACY_RECIPIENTS: Param(str, ""),
    # the Fellegi-Sunter model learnt from the base (JSON, tools/matching/weights.py), issue 16
    DEDUP_MODEL: Param(str, ""),
    # 1: the scan and the import score with the learnt model; 0 (default): the default weights
    DEDUP_USE_LEARNT_WEIGHTS: Param(int, 0, 0, 1),
    # rules at entry (issue 19): SIREN for French companies, email for persons, duplicates
    ENTRY_SIREN_REQUIRED: Param(_flag, False),
    ENTRY_EMAIL_REQUIRED: Param(_flag, False),
    ENTRY_DUPLICATE_POLICY: Param(str, "warn", choices=ENTRY_DUPLICATE_POLICIES),
    ENTRY_ADDRESS_STANDARD: Param(_flag, False),
}

# control step (issue 18): scores, RFM, engagement
CONTROL_CHUNK_SIZE = f"{ADDON}.control_chunk_size"
RFM_PERIOD_MONTHS = f"{ADDON}.rfm_period_months"
ENGAGEMENT_HALF_LIFE_DAYS = f"{ADDON}.engagement_half_life_days"
ENGAGEMENT_WINDOW_MONTHS = f"{ADDON}.engagement_window_months"
DO_NOT_SOLICIT_SENDS = f"{ADDON}.do_not_solicit_sends"
DO_NOT_SOLICIT_MONTHS = f"{ADDON}.do_not_solicit_months"
CONTROL_DECAY_REFRESH_DAYS = f"{ADDON}.control_decay_refresh_days"
PARAMS.update(
    {
        # contacts scored per SQL statement (memory and lock time bounded by the chunk)
        CONTROL_CHUNK_SIZE: Param(int, 20000, 100, 1_000_000),
        # the RFM looks at the orders (or invoices) of this many last months
        RFM_PERIOD_MONTHS: Param(int, 24, 1, 240),
        # an engagement event counts half after this many days
        ENGAGEMENT_HALF_LIFE_DAYS: Param(int, 90, 1, 3650),
        # events older than this are not read (their weight is negligible)
        ENGAGEMENT_WINDOW_MONTHS: Param(int, 36, 1, 240),
        # never engaged after this many mailings: do not solicit
        DO_NOT_SOLICIT_SENDS: Param(int, 5, 1),
        # ... or after this many months in the base
        DO_NOT_SOLICIT_MONTHS: Param(int, 12, 1),
        # the engagement of engaged contacts is re-decayed every this many days
        CONTROL_DECAY_REFRESH_DAYS: Param(int, 7, 1),
    }
)


def get_param(env, key):
    """The typed, bounded value of the system parameter ``key`` (one of ``PARAMS``), read as
    superuser: the engines read their configuration whoever runs them."""
    return PARAMS[key].parse(env["ir.config_parameter"].sudo().get_param(key))


def param_default(key):
    """The default of the system parameter ``key`` (for the settings fields)."""
    return PARAMS[key].default


# duplicate scan in chunks (issue 16 §6): contacts per chunk (memory grows with it), and how
# many cron workers the scan wakes (each claims chunks with FOR UPDATE SKIP LOCKED)
DEDUP_SCAN_CHUNK_SIZE = f"{ADDON}.dedup_scan_chunk_size"
PARAMS.update(
    {
        DEDUP_SCAN_CHUNK_SIZE: Param(int, 50000, 100, 2_000_000),
    }
)
