"""Constants shared by the stages of a contact import (``hygiene_import_*.py``) and the file name
sanitiser: no model here. The sizes that drive the background work (``SYNC_LIMIT``,
``STAGE_CHUNK``, ``COMMIT_CHUNK``) are read from ``hygiene_import_batch``, which runs it."""

import re

from ..const import GROUP_OFFICER, GROUP_STEWARD

STEWARD = GROUP_STEWARD
OFFICER = GROUP_OFFICER
ENGINE_FIELDS = frozenset({"state", "line_count", "launched_uid"})
# Consent proof columns: kept out of the normalised values stewards read (security review L2).
PROOF_TARGETS = ("optin_ip", "optin_wording")
# Contacts written per savepoint: the ORM's fixed cost per create/flush is paid once per chunk; a
# refused chunk is retried line by line, so a bad row costs its chunk a second pass, nothing more.
COMMIT_CHUNK = 2500
INSERT_CHUNK = 5000
# Rows read from the file at a time: reading and staging stream the file, one chunk in memory.
READ_CHUNK = INSERT_CHUNK
SAMPLE_ROWS = 3  # rows whose values are shown as the samples of each column
# No chatter message, follower or tracking value per imported contact: the origin and the
# staging line are the record of the import.
IMPORT_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
REPORT_DETAIL_LIMIT = 300  # lines of "values dropped or changed" shown in the report
# Lines matched against the contacts at a time: their candidates and the candidates' features
# are held for one range of lines only.
MATCH_CHUNK = 20000
# Lines of the file grouped with others clustered at a time: whole connected components of
# their linked pairs, with the features of their own lines only.
GROUP_CHUNK = 20000
CANDIDATE_CAP = 30  # a key shared by more contacts than this is not evidence (generic mailbox)
# Partner fields an import writes, in the order conflicts are listed.
PARTNER_FIELDS = (
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "country_id",
    "vat",
    "company_registry",
    "company_name",
    "hygiene_birthdate",
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069/\\]")


def sanitize_filename(name):
    """A file name to display and store, never used as a path: no folders, control or bidi
    characters, at most 120 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name).strip(" .") or "import"
    return name[:120]
