"""Keyed hashes of the suppression list ("liste repoussoir", CNIL).

The list keeps, for people who were erased or who objected to marketing, only a keyed HMAC-SHA256
of their normalised email and phone numbers: enough to recognise them when they come back through
an import, nothing to re-identify them without the key (CNIL MED-2023-040). The key lives outside
the database, so a copy of the database alone cannot be used to test guesses.
"""

import hashlib
import hmac

from . import normalize

KINDS = ("email", "phone")


def suppression_values(email=None, phones=(), region="FR"):
    """The (kind, normalised value) pairs a person is suppressed or looked up by.

    The email is reduced to its matching key (case, ``Name <…>``, ``+tags`` and Gmail dots
    folded): an objection sent from ``jean+promo@…`` also covers ``Jean@…``.
    """
    values = []
    key = normalize.email_key(email)
    if key:
        values.append(("email", key))
    for phone in phones or ():
        e164 = normalize.normalize_phone(phone, region)
        if e164 and ("phone", e164) not in values:
            values.append(("phone", e164))
    return values


def suppression_hash(secret, kind, value):
    """Hex HMAC-SHA256 of ``kind:value`` under ``secret`` (bytes)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if not secret:
        raise ValueError("empty secret")
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
