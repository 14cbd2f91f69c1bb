"""The "why" of a score in words: ``pair_evidence`` stores the weight of each comparison level
with its technical names ("email same +6.0, ... = 11.0 (offset 5.0)"); these labels say them in
the user's language (the caller translates each label with ``env._``)."""

import re

from ..i18n import _lt

COMPARISON_LABELS = {
    "email": _lt("email"),
    "phone": _lt("phone"),
    "mobiles": _lt("mobiles"),
    "name": _lt("name"),
    "birth": _lt("birth date"),
    "address": _lt("address"),
    "company": _lt("SIREN/VAT"),
    "customer": _lt("customer number"),
    "name frequency": _lt("frequency of the name"),
}
LEVEL_LABELS = {
    "same": _lt("same"),
    "same_shared": _lt("same shared value"),
    "same_spelled": _lt("same address spelling the name"),
    "same_household": _lt("household mailbox"),
    "same_local": _lt("same mailbox name elsewhere"),
    "same_local_name": _lt("mailbox spelling the name"),
    "different": _lt("different"),
    "same_mobile": _lt("same mobile"),
    "same_landline": _lt("same landline"),
    "same_landline_home": _lt("landline of the home"),
    "exact": _lt("identical"),
    "close_high": _lt("very close"),
    "close": _lt("close"),
    "partial": _lt("partial"),
    "surname_changed": _lt("other surname"),
    "partial_other": _lt("one word against another"),
    "rewritten": _lt("written differently"),
    "different_persons": _lt("two persons"),
    "mistyped": _lt("mistyped"),
    "same_street": _lt("same street"),
    "same_zip": _lt("same postcode"),
}
TOTAL_LABEL = _lt("total %(total)s, a score of 0.5 from %(offset)s")

_ITEM = re.compile(
    r"^(?P<comparison>name frequency|[a-z]+) (?:(?P<level>[a-z_]+) )?(?P<weight>[+-]\d+\.\d)$"
)
_TOTAL = re.compile(r" = (?P<total>-?\d+\.\d) \(offset (?P<offset>-?\d+\.\d)\)$")


def evidence_items(text):
    """``(items, total)`` of a stored evidence text: items ``(comparison, level, weight)``
    (level None for the name frequency), total ``(total, offset)`` or None; None when the
    text is not in the stored format (shown as is)."""
    total = _TOTAL.search(text)
    body = text[: total.start()] if total else text
    items = []
    for part in body.split(", "):
        match = _ITEM.match(part.strip())
        if not match or match["comparison"] not in COMPARISON_LABELS:
            return None
        if match["level"] and match["level"] not in LEVEL_LABELS:
            return None
        items.append((match["comparison"], match["level"], match["weight"]))
    return items, (total["total"], total["offset"]) if total else None
