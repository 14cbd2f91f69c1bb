"""Consent rules that do not need the ORM.

The ledger stores events (grant, withdraw, refuse); the state of a partner for a purpose is the
state of its latest event. When several partners are the same person (a merge), the most
restrictive state wins: an explicit "no" on any of them applies to the survivor.
"""

import hashlib
import unicodedata

ACTIONS = ("grant", "withdraw", "refuse")

# State of a partner for one purpose, from the action of its latest event.
STATE_BY_ACTION = {"grant": "granted", "withdraw": "withdrawn", "refuse": "refused"}
# A grant recorded without the minimum proof (date and channel) grants nothing.
UNPROVEN = "unproven"

# Higher is more restrictive. A missing state (never asked) restricts nothing: the proof held by
# another record of the same person still stands; an explicit refusal or withdrawal always wins.
RESTRICTION_RANK = {
    None: 0,
    UNPROVEN: 1,
    "granted": 2,
    "refused": 3,
    "withdrawn": 4,
}


def state_for_action(action, proven=True):
    """Return the consent state produced by an event ``action``."""
    if action not in STATE_BY_ACTION:
        raise ValueError(action)
    if action == "grant" and not proven:
        return UNPROVEN
    return STATE_BY_ACTION[action]


def most_restrictive(states):
    """Return the most restrictive of ``states`` (an iterable of state strings or None).

    >>> most_restrictive(["granted", "withdrawn", None])
    'withdrawn'
    >>> most_restrictive(["granted", None])
    'granted'
    """
    result = None
    for state in states:
        if state not in RESTRICTION_RANK:
            raise ValueError(state)
        if RESTRICTION_RANK[state] > RESTRICTION_RANK[result]:
            result = state
    return result


def normalize_wording(text):
    """Canonical form of a consent wording, so that the hash ignores layout-only changes.

    Unicode NFC, line endings unified, runs of white space collapsed, ends stripped. Case and
    punctuation are kept: they can change the meaning of what the person agreed to.
    """
    text = unicodedata.normalize("NFC", text or "")
    return " ".join(text.split())


def wording_hash(text):
    """SHA-256 (hex) of the normalised wording: the proof of what the person was shown."""
    return hashlib.sha256(normalize_wording(text).encode("utf-8")).hexdigest()
