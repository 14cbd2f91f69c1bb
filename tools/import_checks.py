"""File-level and row-level checks of imported data that need more than one value to decide.

Pure Python (no Odoo import), used by the import staging:

- the order of day and month in numeric dates (``01/02/2024``) is read from the file's own
  evidence (a ``13/01`` proves day first, a ``01/13`` month first); a column holding both proves
  nothing reliable and the file is refused rather than guessed (bad-input catalogue D1);
- role addresses (``contact@``, ``info@``) are accepted but flagged "not a natural person" (E7);
- names or emails mixing scripts (a Cyrillic ``а`` among Latin letters) are flagged as possible
  homoglyphs and never matched automatically (N3).
"""

import re
import unicodedata

from .matching import is_generic_email

DAY_FIRST = "day_first"
MONTH_FIRST = "month_first"
MIXED = "mixed"

_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](?:\d{2}|\d{4})\b")


def date_order(values):
    """What the numeric dates of one column prove about their order.

    ``values`` is an iterable of ``(line, text)``. Returns ``(order, examples)``: ``order`` is
    DAY_FIRST or MONTH_FIRST when only that order is proven, MIXED when both are (``examples``
    then holds one ``(line, text)`` proving each), None when nothing is proven (every day is at
    most 12, or no numeric date).
    """
    proof = DateOrder()
    proof.feed(values)
    return proof.result()


class DateOrder:
    """:func:`date_order` fed chunk by chunk (a file read in a stream): the first date proving
    each order is kept, so the result is the one of the whole column at once."""

    def __init__(self):
        self.proof = {}

    def feed(self, values):
        proof = self.proof
        if len(proof) == 2:
            return
        for line, text in values:
            match = _NUMERIC_DATE.match(text or "")
            if not match:
                continue
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                proof.setdefault(DAY_FIRST, (line, text))
            elif second > 12 >= first:
                proof.setdefault(MONTH_FIRST, (line, text))
            if len(proof) == 2:
                return

    def result(self):
        proof = self.proof
        if len(proof) == 2:
            return MIXED, [proof[DAY_FIRST], proof[MONTH_FIRST]]
        if len(proof) == 1:
            [(order, example)] = proof.items()
            return order, [example]
        return None, []


def is_role_address(email_key):
    """A shared mailbox (``contact@``, ``info@``, ``noreply@``…): not a natural person."""
    return is_generic_email(email_key)


def _script(char):
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def mixed_scripts(text):
    """True when one word mixes letters of several scripts (Latin with Cyrillic or Greek...),
    the mark of a homoglyph (``pаypal`` with a Cyrillic ``а``). Accented Latin letters are Latin;
    a name written wholly in another script is not flagged."""
    if not text or text.isascii():
        return False
    for word in re.split(r"[\s@.\-_'’]+", text):
        scripts = {_script(char) for char in word if char.isalpha()}
        if len(scripts) > 1:
            return True
    return False
