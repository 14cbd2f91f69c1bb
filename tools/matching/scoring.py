"""Pair scoring: additive evidence (log-odds, Fellegi-Sunter style) of two ``Features``,
the reasons a person can check, and the conflicts that prove two people."""

import math
import re

from rapidfuzz import fuzz

from ..i18n import _lt
from .features import (
    compared_names,
    email_alias,
    fold_city,
    is_email_slip,
    is_generic_email,
    is_household_email,
    is_mobile,
    is_same_street,
    name_similarity,
    share_a_word,
)

# Fellegi-Sunter: each comparison of two records falls in one level; each level carries a weight,
# ln(m/u): m the share of true pairs in that level, u the share of random pairs. These defaults are
# the starting point (first tuned on bench/dedup_generator.py); ``weights.estimate`` learns them
# from the base itself by EM (issue 16), refined by the stewards' decisions, and the scan passes
# the stored ones. A level missing from a table weighs 0 (a missing value says nothing).
DEFAULT_WEIGHTS = {
    "email": {
        "same": 6.0,
        # a Gmail key (dots folded) that spells the name: the mailboxes of two namesakes
        # (jean.dupont@, jeandupont@) fold to it, so it says little more than the name
        "same_spelled": 6.0,
        "same_shared": 0.5,
        # famille.dupont@: the mailbox of a household (spouses, children), not of one person
        "same_household": 1.5,
        "close": 0.0,  # one letter apart, the same digits: a typing slip
        "same_local": 2.0,  # the same handle at another provider (lapinbleu56@...)
        "same_local_name": 0.0,  # jean.dupont@ at another provider: it spells the name only
        "different": -1.0,
    },
    "phone": {
        "same_mobile": 4.0,
        "same_landline": 1.5,
        "same_landline_home": 0.3,  # the landline of the same address: one household
        "same_shared": 0.5,
        "different": -1.5,
    },
    # two personal mobiles without one in common: people change numbers over ten years, so this
    # lowers the score (a father and his son are kept apart by their names or birth dates)
    "mobiles": {"different": -4.0},
    "name": {
        "exact": 4.0,
        "close_high": 3.1,  # similarity 0.925 and above
        "close": 1.9,  # similarity 0.85 to 0.925
        "partial": 2.0,  # every word of one name in the other (a missing first name or surname)
        "surname_changed": -1.0,  # the same first name, another surname (a married name)
        "partial_other": -1.0,  # a one-word name (first name or surname only) vs another
        "rewritten": -1.5,  # no word in common, but one customer or born there that day
        "different": -5.0,
        "different_persons": -8.0,  # two persons whose names have nothing in common
    },
    "birth": {"same": 5.0, "close": 1.0, "different": -10.0, "mistyped": -2.0},
    # another postcode and town: most pairs of two people; a person who moved, for some
    # the same postcode alone: namesakes of one town, a father and his son who moved out nearby
    "address": {"same_street": 3.0, "same_zip": 0.5, "different": -1.0},
    "company": {"same": 8.0, "different": -8.0},
    # the same customer number in one source system: the source said it is one customer
    "customer": {"same": 8.0},
}
COMPARISONS = tuple(DEFAULT_WEIGHTS)
W_NAME_RARE_MAX = 0.9  # a name carried by two partners only (never enough alone)
W_NAME_COMMON_MIN = -2.0  # a very common name (Jean Martin)
W_COMPANY_PERSON = -4.0  # a company and a person are never one record
W_OWN_CONTACT = -10.0  # a company and its own contact persons
OFFSET = 5.0  # total evidence giving a score of 0.5

SCORE_REVIEW = 0.5
SCORE_AUTO = 0.97
# Below this, a pair is evidence against one person: it keeps two clusters apart.
LINK_FLOOR = 0.005
# Two records a third one links to are two different people (the third is ambiguous) when
# their own pair is a cannot-link or clearly against one person: another email and nothing
# else known is no such proof (evidence -1), another first name or birth date is.
AMBIGUITY_FLOOR = 0.0005
AMBIGUITY_MARGIN = 2.0  # evidence (log-odds) by which one of two rival links must win


def name_rarity(count):
    """Evidence adjustment of a name agreement for a name carried by ``count`` records: a name
    seen twice in the base is strong evidence, one seen fifty times (Jean Martin) is weak
    (term-frequency adjustment of Fellegi-Sunter weights)."""
    if not count:
        return 0.0
    return min(W_NAME_RARE_MAX, max(W_NAME_COMMON_MIN, W_NAME_RARE_MAX - math.log2(count) + 1))


def birthdate_level(a, b):
    """Level of two birth dates (``date`` or ISO strings): same, close (one digit apart, day
    and month swapped: a typing slip), different, or None (one missing)."""
    if not a or not b:
        return None
    a, b = str(a), str(b)
    if a[:4] <= "1900" or b[:4] <= "1900":
        return None  # 01/01/1900: a legacy system's default, not a birth date
    if a == b:
        return "same"
    if a[5:] == "01-01" or b[5:] == "01-01":
        # the 1st of January stands for "born that year" in many systems: years only
        return "close" if a[:4] == b[:4] else "different"
    digits_a, digits_b = a.replace("-", ""), b.replace("-", "")
    typed_apart = sum(x != y for x, y in zip(digits_a, digits_b, strict=False)) <= 1 or (
        a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]  # day and month swapped
    )
    return "close" if typed_apart else "different"


_BIRTH_REASONS = {
    "same": "same birth date",
    "close": "birth date one digit apart",
    "different": "different birth dates",
    "mistyped": "birth dates apart",
}


def birthdate_evidence(a, b, weights=None):
    """``(evidence, reason)`` of two birth dates, or (0, None)."""
    level = birthdate_level(a, b)
    if level is None:
        return 0.0, None
    return (weights or DEFAULT_WEIGHTS)["birth"].get(level, 0.0), _BIRTH_REASONS[level]


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


def _different_names_level(a, b, birth, same_street, one_customer, word_counts, one_mailbox):
    """Level of two names that differ (similarity under 0.85)."""
    both_persons = not a.is_company and not b.is_company
    if one_customer and birth != "different":
        # One customer number and no birth date against it: the name was mistyped or
        # rewritten in one of the systems (twins and spouses have their own numbers).
        return "rewritten"
    if both_persons and _name_changed(a.name_key, b.name_key, word_counts):
        # The same first name and another surname: a married name, not a relative (relatives
        # share the surname, the rarer word). It lowers the score, it does not forbid.
        return "surname_changed"
    if (
        one_mailbox
        and both_persons
        and birth != "different"
        and share_a_word(a.name_key, b.name_key)
    ):
        # One personal mailbox (not a household's) and a word of the names in common: the
        # name was written otherwise (a maiden name, a second first name), not a relative's
        return "rewritten"
    if both_persons and (" " not in a.name_key or " " not in b.name_key):
        # "Olivier" and "Lacroix": one record holds only a first name or only a surname, so
        # the names cannot be told apart nor together: weak evidence, never a proof
        return "partial_other"
    born_here = both_persons and birth == "same" and same_street and a.zip == b.zip
    if born_here and not share_a_word(a.name_key, b.name_key):
        # Born the same day at the same address, and not one word of the names in common:
        # a record whose name was typed in the wrong field or rewritten, not a relative
        # (twins and spouses share their surname, and are kept apart).
        return "rewritten"
    if both_persons and name_similarity(a.name_key, b.name_key) < 0.7:
        return "different_persons"
    return "different"


_NAME_REASONS = {
    "exact": "same name",
    "close_high": "name %s",
    "close": "name %s",
    "partial": "name %s",
    "surname_changed": "surname changed (%s)",
    "partial_other": "partial names (%s)",
    "rewritten": "names rewritten (%s)",
    "different": "different names (%s)",
    "different_persons": "different names (%s)",
}


# Generational suffixes: "Jean Dupont junior" and "Jean Dupont" are a son and his father.
GENERATIONS = frozenset({"jr", "junior", "fils", "sr", "senior", "pere", "ii", "iii"})


def _generations_differ(a, b):
    return {w for w in a.split() if w in GENERATIONS} != {w for w in b.split() if w in GENERATIONS}


def _is_partial(a, b):
    words_a, words_b = a.split(), b.split()
    short, long_ = (words_a, words_b) if len(words_a) < len(words_b) else (words_b, words_a)
    return len(short) < len(long_) and set(short) <= set(long_)


_NOT_LETTERS = re.compile(r"[^a-z]+")


def _spells_name(local, name_key):
    """Whether a mailbox name is made of the words of the name (or their initials) only, a
    letter typed wrong in either of them aside (``carolinerichard@`` for Caroline Rishard)."""
    if not name_key:
        return False
    letters = _NOT_LETTERS.sub("", local)
    left = letters
    for word in name_key.split():
        left = left.replace(word, "", 1)
    if len(left) <= 2:
        return True
    words = name_key.split()
    return (
        len(words) == 2
        and len(letters) >= 8
        and max(fuzz.ratio(letters, words[0] + words[1]), fuzz.ratio(letters, words[1] + words[0]))
        >= 90
    )


def _email_level(a, b, shared_values):
    """Level of two email keys (None: a role mailbox against another address)."""
    key_a, key_b = email_alias(a.email_key), email_alias(b.email_key)
    if key_a == key_b:
        if a.email_key in shared_values or is_generic_email(a.email_key):
            return "same_shared"
        if is_household_email(key_a):
            return "same_household"
        local, __, domain = key_a.partition("@")
        if domain == "gmail.com" and (
            _spells_name(local, a.name_key) or _spells_name(local, b.name_key)
        ):
            return "same_spelled"
        return "same"
    if is_generic_email(a.email_key) or is_generic_email(b.email_key):
        return None
    (local_a, __, domain_a), (local_b, __, domain_b) = key_a.partition("@"), key_b.partition("@")
    if is_email_slip(local_a, domain_a, local_b, domain_b):
        return "close"
    # the same mailbox name at another provider (orange -> gmail): evidence when the
    # name is a handle of its own, hardly any when it only spells the person's name
    if local_a != local_b:
        return "different"
    if _spells_name(local_a, a.name_key) or _spells_name(local_a, b.name_key):
        return "same_local_name"
    return "same_local"


def _contact_levels(a, b, shared_values):
    """Levels of the identifiers: company number, email, phones (see ``comparison_levels``)."""
    levels = {}
    if a.company_key and b.company_key:
        levels["company"] = "same" if a.company_key == b.company_key else "different"
    if a.email_key and b.email_key:
        level = _email_level(a, b, shared_values)
        if level:
            levels["email"] = level
    common_phones = a.phones & b.phones
    if common_phones:
        personal = {phone for phone in common_phones if phone not in shared_values}
        if any(is_mobile(phone) for phone in personal):
            levels["phone"] = "same_mobile"
        elif personal:
            levels["phone"] = "same_landline"
        else:
            levels["phone"] = "same_shared"
    elif a.phones and b.phones:
        levels["phone"] = "different"
    mobiles_a = {phone for phone in a.phones if is_mobile(phone)}
    mobiles_b = {phone for phone in b.phones if is_mobile(phone)}
    if mobiles_a and mobiles_b and not mobiles_a & mobiles_b:
        levels["mobiles"] = "different"
    return levels


def _name_level(a, b, similarity, birth, same_street, one_customer, word_counts, one_mailbox):
    """Level of two name keys (both present)."""
    if not (a.is_company or b.is_company) and _generations_differ(a.name_key, b.name_key):
        return "different"  # a father and his son: a fact, two people
    if similarity >= 0.999:
        return "exact"
    if similarity >= 0.85:
        if _is_partial(a.name_key, b.name_key):
            return "partial"
        return "close_high" if similarity >= 0.925 else "close"
    return _different_names_level(a, b, birth, same_street, one_customer, word_counts, one_mailbox)


def _address_level(a, b, same_street):
    """Level of two addresses, or None (a postcode missing)."""
    same_city = bool(a.city and b.city and fold_city(a.city) == fold_city(b.city))
    if a.zip and a.zip == b.zip:
        return "same_street" if same_street else "same_zip"
    if same_street and same_city:
        return "same_street"  # a mistyped postcode
    if a.zip and b.zip and not same_city:
        return "different"
    return None


def comparison_levels(a, b, shared_values=frozenset(), word_counts=None):
    """``{comparison: level}`` of two ``Features`` (a comparison absent: a value is missing),
    and the name similarity. The Fellegi-Sunter comparison vector: ``score_pair`` weighs it,
    ``weights.estimate`` learns the weights of its levels."""
    levels = _contact_levels(a, b, shared_values)
    if a.name_key and b.name_key and a.name_key != b.name_key:
        name_a, name_b = compared_names(a.name_key, b.name_key)
        if (name_a, name_b) != (a.name_key, b.name_key):
            a, b = a._replace(name_key=name_a), b._replace(name_key=name_b)
    if same_customer(a, b):
        levels["customer"] = "same"
    birth = birthdate_level(a.birthdate, b.birthdate)
    same_street = is_same_street(a.street, b.street)
    similarity = name_similarity(a.name_key, b.name_key)
    if a.name_key and b.name_key:
        one_mailbox = levels.get("email") == "same"
        context = (birth, same_street, "customer" in levels, word_counts, one_mailbox)
        levels["name"] = _name_level(a, b, similarity, *context)
    if birth:
        if "customer" in levels and birth == "different" and similarity >= 0.85:
            birth = "mistyped"  # the same customer and the same name: a date typed wrong
        levels["birth"] = birth
    address = _address_level(a, b, same_street)
    if address:
        levels["address"] = address
    if levels.get("phone") == "same_landline" and address == "same_street":
        # the line of the home: it says what the address says (a household), not who
        levels["phone"] = "same_landline_home"
    return levels, similarity


_REASONS = {
    ("company", "same"): "same SIREN/VAT",
    ("company", "different"): "different SIREN/VAT",
    ("email", "same"): "same email",
    ("email", "same_shared"): "same shared email",
    ("email", "same_household"): "same shared email",
    ("email", "same_spelled"): "same email",
    ("email", "close"): "email one letter apart",
    ("email", "same_local"): "same mailbox name",
    ("email", "same_local_name"): "same mailbox name",
    ("phone", "same_mobile"): "same phone",
    ("phone", "same_landline"): "same landline",
    ("phone", "same_landline_home"): "same landline",
    ("phone", "same_shared"): "same shared phone",
    ("mobiles", "different"): "different mobiles",
    ("customer", "same"): "same customer number",
    ("address", "same_street"): "same address",
    ("address", "same_zip"): "same postcode",
}
_REASON_ORDER = ("company", "email", "phone", "mobiles", "customer", "name", "birth", "address")


def score_pair(a, b, shared_values=frozenset(), name_counts=None, word_counts=None, model=None):
    """Return ``(score, reasons)`` for two ``Features``.

    ``shared_values`` holds emails and phones used by many partners (generic mailbox,
    switchboard): agreeing on them is weak evidence. ``name_counts`` maps name keys to the
    number of partners carrying them (rare names are stronger evidence than common ones),
    ``word_counts`` the name words to theirs (a first name is more common than a surname).
    ``model`` (``{"weights": {comparison: {level: weight}}, "offset": x}``, see
    ``weights.estimate``; default ``DEFAULT_WEIGHTS`` and ``OFFSET``) holds the Fellegi-Sunter
    weights of the levels (``comparison_levels``) and the evidence that gives a score of 0.5.
    """
    weights = (model or {}).get("weights") or DEFAULT_WEIGHTS
    offset = (model or {}).get("offset", OFFSET)
    levels, similarity = comparison_levels(a, b, shared_values, word_counts)
    evidence = 0.0
    reasons = []
    for comparison in _REASON_ORDER:
        level = levels.get(comparison)
        if level is None:
            continue
        evidence += weights.get(comparison, {}).get(level, 0.0)
        if comparison == "name":
            template = _NAME_REASONS[level]
            reasons.append(template % f"{similarity:.2f}" if "%s" in template else template)
            if (
                similarity >= 0.85
                and name_counts is not None
                and not (a.is_company or b.is_company)
            ):
                count = max(name_counts.get(a.name_key, 1), name_counts.get(b.name_key, 1))
                evidence += name_rarity(count)
        elif comparison == "birth":
            reasons.append(_BIRTH_REASONS[level])
        else:
            reason = _REASONS.get((comparison, level))
            if reason:  # another email or phone: weighed, not listed (as before)
                reasons.append(reason)
    if a.is_company != b.is_company:
        evidence += W_COMPANY_PERSON
        reasons.append("company and person")
    if a.family and a.family == b.family and a.is_company != b.is_company:
        evidence += W_OWN_CONTACT
    score = 1.0 / (1.0 + math.exp(-(evidence - offset)))
    return score, reasons


# The reasons ``score_pair`` gives, as translatable templates: they are stored in English (the
# review filters search them) and shown in the user's language by ``reason_templates``.
REASON_TEMPLATES = {
    "same SIREN/VAT": _lt("same SIREN/VAT"),
    "different SIREN/VAT": _lt("different SIREN/VAT"),
    "same email": _lt("same email"),
    "same shared email": _lt("same shared email"),
    "email one letter apart": _lt("email one letter apart"),
    "same phone": _lt("same phone"),
    "same landline": _lt("same landline"),
    "same shared phone": _lt("same shared phone"),
    "different mobiles": _lt("different mobiles"),
    "same mailbox name": _lt("same mailbox name"),
    "same customer number": _lt("same customer number"),
    "same name": _lt("same name"),
    "name %(similarity)s": _lt("name %(similarity)s"),
    "names rewritten (%(similarity)s)": _lt("names rewritten (%(similarity)s)"),
    "surname changed (%(similarity)s)": _lt("surname changed (%(similarity)s)"),
    "partial names (%(similarity)s)": _lt("partial names (%(similarity)s)"),
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
# Different mobiles, emails or a married name lower the score instead (people change numbers and
# mailboxes over the years a legacy base spans).
CONFLICTS = ("different SIREN/VAT", "different birth dates", "different names")


# Soft differences: they lower a pair's score; a pair carrying one links only on its own direct
# evidence (at or above the review threshold), never through a third record: a father and his
# son of one name at one address (two mobiles) are not chained by a record of either.
SOFT_CONFLICTS = ("different mobiles",)


def keeps_apart(reasons, score, threshold):
    """Whether a pair is a cannot-link for clustering: a conflict, or a soft difference on a
    pair that is not a match by itself."""
    if is_conflict(reasons):
        return True
    return score < threshold and any(reason.startswith(SOFT_CONFLICTS) for reason in reasons)


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
        elif reason.startswith(CONFLICTS + SOFT_CONFLICTS):
            # a soft difference on top of a conflict (another first name and another
            # mobile) is not a slip a customer number explains
            return frozenset()
    return frozenset(kinds)


def same_customer(a, b):
    """Whether two ``Features`` share a customer number of one source."""
    return bool(a.ids and b.ids and not a.ids.isdisjoint(b.ids))
