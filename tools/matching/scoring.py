"""Pair scoring: additive evidence (log-odds, Fellegi-Sunter style) of two ``Features``,
the reasons a person can check, and the conflicts that prove two people."""

import math
import re

from ..i18n import _lt
from .features import (
    fold_city,
    is_generic_email,
    is_mobile,
    is_same_street,
    name_similarity,
    share_a_word,
)

# Evidence weights (log-odds-like). Tuned on the French generator of bench/dedup_generator.py.
W_EMAIL = 6.0
W_EMAIL_DIFFERENT = -1.0
W_PHONE = 4.0
W_PHONE_DIFFERENT = -1.5
W_COMPANY_ID = 8.0
W_COMPANY_ID_DIFFERENT = -8.0
W_NAME_EXACT = 4.0
W_NAME_CLOSE = 2.5
W_NAME_DIFFERENT = -5.0
W_ZIP = 1.0
W_STREET = 2.0
W_BIRTHDATE = 5.0
W_BIRTHDATE_CLOSE = 1.0  # one digit apart, or day and month swapped: a typing slip
W_BIRTHDATE_DIFFERENT = -10.0  # homonyms, father and son
W_BIRTHDATE_MISTYPED = -2.0  # different birth dates on one customer number and one name
W_NAME_RARE_MAX = 0.9  # a name carried by two partners only (never enough alone)
W_NAME_COMMON_MIN = -2.0  # a very common name (Jean Martin)
W_NAME_REWRITTEN = -1.5  # no word in common, but same birth date and address
W_SHARED_VALUE = 0.5  # a generic mailbox or a switchboard: weak evidence only
# The same customer number in the same source system (shop account, loyalty card): the source
# said it is one customer. Different numbers say nothing: duplicate accounts are what we hunt.
W_CUSTOMER_ID = 8.0
OFFSET = 5.0  # total evidence giving a score of 0.5

W_LANDLINE = 1.5  # a household or office line is shared by several people
W_MOBILES_DIFFERENT = -4.0  # two personal mobiles: two persons (father and son...)
W_PERSON_NAMES_DIFFERENT = -8.0  # colleagues behind one mailbox are different people

SCORE_REVIEW = 0.5
SCORE_AUTO = 0.97
# Below this, a pair is evidence against one person: it keeps two clusters apart.
LINK_FLOOR = 0.02
AMBIGUITY_MARGIN = 2.0  # evidence (log-odds) by which one of two rival links must win


def name_rarity(count):
    """Evidence adjustment of a name agreement for a name carried by ``count`` records: a name
    seen twice in the base is strong evidence, one seen fifty times (Jean Martin) is weak
    (term-frequency adjustment of Fellegi-Sunter weights)."""
    if not count:
        return 0.0
    return min(W_NAME_RARE_MAX, max(W_NAME_COMMON_MIN, W_NAME_RARE_MAX - math.log2(count) + 1))


def birthdate_evidence(a, b):
    """``(evidence, reason)`` of two birth dates (``date`` or ISO strings), or (0, None)."""
    if not a or not b:
        return 0.0, None
    a, b = str(a), str(b)
    if a == b:
        return W_BIRTHDATE, "same birth date"
    digits_a, digits_b = a.replace("-", ""), b.replace("-", "")
    typed_apart = sum(x != y for x, y in zip(digits_a, digits_b, strict=False)) <= 1 or (
        a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]  # day and month swapped
    )
    if typed_apart:
        return W_BIRTHDATE_CLOSE, "birth date one digit apart"
    return W_BIRTHDATE_DIFFERENT, "different birth dates"


def _name_changed(a, b, word_counts):
    """Whether two person name keys share one word only, more common in the base than each of
    their other words: the first name (first names are fewer and more shared than surnames),
    so the surname changed. Relatives share the surname instead. Needs ``word_counts``."""
    if not word_counts:
        return False
    words_a, words_b = set(a.split()), set(b.split())
    shared = words_a & words_b
    others = (words_a | words_b) - shared
    if len(shared) != 1 or not (words_a - shared and words_b - shared):
        return False
    shared_count = word_counts.get(next(iter(shared)), 0)
    return all(word_counts.get(word, 0) < shared_count for word in others)


def _different_names_evidence(a, b, similarity, birth, same_street, one_customer, word_counts):
    """``(evidence, reason)`` of two names that differ (``similarity`` under 0.85)."""
    both_persons = not a.is_company and not b.is_company
    if one_customer and birth > W_BIRTHDATE_DIFFERENT:
        # One customer number and no birth date against it: the name was mistyped or
        # rewritten in one of the systems (twins and spouses have their own numbers).
        return W_NAME_REWRITTEN, f"names rewritten ({similarity:.2f})"
    born_here = both_persons and birth == W_BIRTHDATE and same_street and a.zip == b.zip
    if born_here and _name_changed(a.name_key, b.name_key, word_counts):
        # Born the same day at the same address, the same first name and another surname:
        # a married name, not a relative (relatives share the surname, the rarer word).
        return W_NAME_REWRITTEN, f"surname changed ({similarity:.2f})"
    if born_here and not share_a_word(a.name_key, b.name_key):
        # Born the same day at the same address, and not one word of the names in common:
        # a record whose name was typed in the wrong field or rewritten, not a relative
        # (twins and spouses share their surname, and are kept apart).
        return W_NAME_REWRITTEN, f"names rewritten ({similarity:.2f})"
    if both_persons and similarity < 0.7:
        return W_PERSON_NAMES_DIFFERENT, f"different names ({similarity:.2f})"
    return W_NAME_DIFFERENT, f"different names ({similarity:.2f})"


def score_pair(a, b, shared_values=frozenset(), name_counts=None, word_counts=None):
    """Return ``(score, reasons)`` for two ``Features``.

    ``shared_values`` holds emails and phones used by many partners (generic mailbox,
    switchboard): agreeing on them is weak evidence. ``name_counts`` maps name keys to the
    number of partners carrying them (rare names are stronger evidence than common ones),
    ``word_counts`` the name words to theirs (a first name is more common than a surname).
    """
    evidence = 0.0
    reasons = []
    if a.company_key and b.company_key:
        if a.company_key == b.company_key:
            evidence += W_COMPANY_ID
            reasons.append("same SIREN/VAT")
        else:
            evidence += W_COMPANY_ID_DIFFERENT
            reasons.append("different SIREN/VAT")
    evidence += _contact_evidence(a, b, shared_values, reasons)
    one_customer = same_customer(a, b)
    if one_customer:
        evidence += W_CUSTOMER_ID
        reasons.append(SAME_CUSTOMER)
    similarity = name_similarity(a.name_key, b.name_key)
    rarity = 0.0
    if name_counts is not None and similarity >= 0.85 and not (a.is_company or b.is_company):
        rarity = name_rarity(max(name_counts.get(a.name_key, 1), name_counts.get(b.name_key, 1)))
    if similarity >= 0.999:
        evidence += W_NAME_EXACT + rarity
        reasons.append("same name")
    elif similarity >= 0.85:
        evidence += W_NAME_CLOSE * (similarity - 0.85) / 0.15 + W_NAME_CLOSE / 2 + rarity
        reasons.append(f"name {similarity:.2f}")
    birth, birth_reason = birthdate_evidence(a.birthdate, b.birthdate)
    same_street = is_same_street(a.street, b.street)
    if similarity < 0.85 and a.name_key and b.name_key:
        context = (birth, same_street, one_customer, word_counts)
        names_evidence, names_reason = _different_names_evidence(a, b, similarity, *context)
        evidence += names_evidence
        reasons.append(names_reason)
    if birth_reason:
        if one_customer and birth == W_BIRTHDATE_DIFFERENT and similarity >= 0.85:
            # the same customer and the same name: a birth date typed wrong in one system
            birth, birth_reason = W_BIRTHDATE_MISTYPED, "birth dates apart"
        evidence += birth
        reasons.append(birth_reason)
    if a.zip and a.zip == b.zip:
        evidence += W_ZIP
        if same_street:
            evidence += W_STREET
            reasons.append("same address")
        else:
            reasons.append("same postcode")
    elif same_street and a.city and b.city and fold_city(a.city) == fold_city(b.city):
        evidence += W_ZIP + W_STREET  # a mistyped postcode
        reasons.append("same address")
    if a.is_company != b.is_company:
        evidence -= 4.0  # a company and a person are never one record
        reasons.append("company and person")
    if a.family and a.family == b.family and a.is_company != b.is_company:
        evidence -= 10.0  # a company and its own contact persons
    score = 1.0 / (1.0 + math.exp(-(evidence - OFFSET)))
    return score, reasons


def _contact_evidence(a, b, shared_values, reasons):
    """Evidence from emails and phones; role mailboxes, switchboards and landlines count less."""
    evidence = 0.0
    if a.email_key and b.email_key:
        if a.email_key == b.email_key:
            weak = a.email_key in shared_values or is_generic_email(a.email_key)
            evidence += W_SHARED_VALUE if weak else W_EMAIL
            reasons.append("same shared email" if weak else "same email")
        elif not (is_generic_email(a.email_key) or is_generic_email(b.email_key)):
            evidence += W_EMAIL_DIFFERENT
    common_phones = a.phones & b.phones
    if common_phones:
        personal = {phone for phone in common_phones if phone not in shared_values}
        if any(is_mobile(phone) for phone in personal):
            evidence += W_PHONE
            reasons.append("same phone")
        elif personal:
            evidence += W_LANDLINE
            reasons.append("same landline")
        else:
            evidence += W_SHARED_VALUE
            reasons.append("same shared phone")
    elif a.phones and b.phones:
        evidence += W_PHONE_DIFFERENT
    mobiles_a = {phone for phone in a.phones if is_mobile(phone)}
    mobiles_b = {phone for phone in b.phones if is_mobile(phone)}
    if mobiles_a and mobiles_b and not mobiles_a & mobiles_b:
        evidence += W_MOBILES_DIFFERENT
        reasons.append("different mobiles")
    return evidence


# The reasons ``score_pair`` gives, as translatable templates: they are stored in English (the
# review filters search them) and shown in the user's language by ``reason_templates``.
REASON_TEMPLATES = {
    "same SIREN/VAT": _lt("same SIREN/VAT"),
    "different SIREN/VAT": _lt("different SIREN/VAT"),
    "same email": _lt("same email"),
    "same shared email": _lt("same shared email"),
    "same phone": _lt("same phone"),
    "same landline": _lt("same landline"),
    "same shared phone": _lt("same shared phone"),
    "different mobiles": _lt("different mobiles"),
    "same customer number": _lt("same customer number"),
    "same name": _lt("same name"),
    "name %(similarity)s": _lt("name %(similarity)s"),
    "names rewritten (%(similarity)s)": _lt("names rewritten (%(similarity)s)"),
    "surname changed (%(similarity)s)": _lt("surname changed (%(similarity)s)"),
    "different names (%(similarity)s)": _lt("different names (%(similarity)s)"),
    "same birth date": _lt("same birth date"),
    "birth date one digit apart": _lt("birth date one digit apart"),
    "different birth dates": _lt("different birth dates"),
    "birth dates apart": _lt("birth dates apart"),
    "same address": _lt("same address"),
    "same postcode": _lt("same postcode"),
    "company and person": _lt("company and person"),
}
_REASON_SIMILARITY = re.compile(r"\d\.\d\d")
_REASON_LIST = re.compile(r"(?P<head>^|: |, )(?P<reason>[^,:\n]+?)(?=, |\n|$)", re.MULTILINE)


def reason_templates(text):
    """``[(start, end, template, params)]`` of each known reason in ``text`` (a reason list
    "same email, name 0.93", or lines "#1 ~ #2: same email, ..."), for the caller to translate
    with ``env._(template, **params)``; unknown words are left as they are."""
    found = []
    for match in _REASON_LIST.finditer(text or ""):
        reason = match.group("reason")
        params = {}
        number = _REASON_SIMILARITY.search(reason)
        if number:
            params["similarity"] = number.group()
            reason = reason[: number.start()] + "%(similarity)s" + reason[number.end() :]
        template = REASON_TEMPLATES.get(reason)
        if template:
            found.append((match.start("reason"), match.end("reason"), template, params))
    return found


# Reasons that say "two different people", whatever else agrees: such a pair never sits in one
# cluster (cannot-link), even when other records of both are linked.
SAME_CUSTOMER = "same customer number"
CONFLICTS = ("different SIREN/VAT", "different mobiles", "different birth dates", "different names")


def is_conflict(reasons):
    """Whether a pair is two different people whatever else agrees (a cannot-link). Not when
    both carry one customer number of one source: the source system says they are one customer,
    so the disagreement is a typing or a rewrite there; the pair then neither links nor forbids
    a cluster (see ``same_customer``)."""
    if SAME_CUSTOMER in reasons:
        return False
    return any(reason.startswith(CONFLICTS) for reason in reasons)


# The conflicts a slip under one customer number can explain, and whether two records of one
# number hold different values in that field (the odd value was mistyped or rewritten).
SLIP_FIELDS = {
    "names": lambda a, b: bool(a.name_key and b.name_key and a.name_key != b.name_key),
    "birth": lambda a, b: bool(a.birthdate and b.birthdate and a.birthdate != b.birthdate),
}


def conflict_kinds(reasons):
    """The kinds (``names``, ``birth``) of the conflicts in ``reasons``, or an empty set when
    there are none or one of them is of another kind (mobiles, SIREN/VAT: never excused)."""
    kinds = set()
    for reason in reasons:
        if reason.startswith("different names"):
            kinds.add("names")
        elif reason.startswith("different birth dates"):
            kinds.add("birth")
        elif reason.startswith(CONFLICTS):
            return frozenset()
    return frozenset(kinds)


def same_customer(a, b):
    """Whether two ``Features`` share a customer number of one source."""
    return bool(a.ids and b.ids and not a.ids.isdisjoint(b.ids))
