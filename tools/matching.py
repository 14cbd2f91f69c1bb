"""Duplicate detection without the ORM: pair scoring, explanations and non-chaining clusters.

A partner is described by a small tuple of normalised features (see ``Features``); candidate
pairs come from blocking keys computed by the caller (mostly stored, indexed keys); each pair gets
additive evidence in the spirit of Fellegi-Sunter (agreements add, disagreements subtract), turned
into a score between 0 and 1, with the reasons a person can check ("same email; name 0.93").

Clusters are built by complete linkage: two clusters join only if every pair across them scores
above the threshold, so a chain A~B~C never drags unrelated people together (the failure of
union-find linkers at 1,000,000 records).
"""

import functools
import gc
import itertools
import math
import re
import time
from collections import defaultdict, namedtuple

from rapidfuzz import fuzz

from .i18n import _lt

Features = namedtuple(
    "Features",
    "id name_key email_key phones company_key zip city street is_company family birthdate ids",
    defaults=(None, frozenset()),
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
# Local parts of role mailboxes: several people write from them, so they are weak evidence.
GENERIC_LOCALS = frozenset(
    """
    contact info infos information accueil bonjour hello hola noreply no-reply ne-pas-repondre
    commercial commandes compta comptabilite facturation direction admin administration
    secretariat service support sales vente ventes office bureau team equipe rh recrutement
    """.split()
)

SCORE_REVIEW = 0.5
SCORE_AUTO = 0.97
# Below this, a pair is evidence against one person: it keeps two clusters apart.
LINK_FLOOR = 0.02
AMBIGUITY_MARGIN = 2.0  # evidence (log-odds) by which one of two rival links must win


@functools.lru_cache(maxsize=1 << 18)
def name_similarity(a, b):
    """Similarity (0..1) of two name keys, robust to word order, small typos and initials.

    "p rileau" and "pierre rileau" are compatible (an initial stands for a first name): they get
    at least 0.9 when every word of the shorter name matches a word of the longer one.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if {w for w in a.split() if w.isdigit()} != {w for w in b.split() if w.isdigit()}:
        return min(fuzz.token_sort_ratio(a, b) / 100.0, 0.5)  # "Agence 12" is not "Agence 13"
    similarity = fuzz.token_sort_ratio(a, b) / 100.0
    if similarity < 0.9:
        words_a, words_b = a.split(), b.split()
        if _words_compatible(words_a, words_b) or _words_compatible(words_b, words_a):
            similarity = 0.9
        elif len(words_a) != len(words_b):
            similarity = max(similarity, _joined_similarity(words_a, words_b))
    return similarity


def _joined_similarity(words_a, words_b):
    """Similarity of two names whose words were cut in other places ("nicolle sophie" typed
    "ie nicolle soph", "marie-claire" typed "marie claire"): the best match of their letters
    with the words in any order. Names of more than four words are left alone."""
    if len(words_a) > 4 or len(words_b) > 4:
        return 0.0
    joined_b = {"".join(order) for order in itertools.permutations(words_b)}
    return max(
        fuzz.ratio("".join(order), other) / 100.0
        for order in itertools.permutations(words_a)
        for other in joined_b
    )


def _share_a_word(a, b):
    """Whether two name keys have a word in common (exactly or with a small typo)."""
    words_b = b.split()
    return any(
        len(word) > 1 and any(fuzz.ratio(word, other) >= 85 for other in words_b)
        for word in a.split()
    )


def _words_compatible(short, long_):
    """Every word of ``short`` is an initial or a close spelling of a word of ``long_``."""
    return len(short) <= len(long_) and all(
        any(
            (len(word) == 1 and other.startswith(word)) or fuzz.ratio(word, other) >= 85
            for other in long_
        )
        for word in short
    )


def is_generic_email(email_key):
    return bool(email_key) and email_key.split("@", 1)[0] in GENERIC_LOCALS


@functools.lru_cache(maxsize=1 << 16)
def fold_city(city):
    return " ".join(city.lower().replace("-", " ").split())


@functools.lru_cache(maxsize=1 << 18)
def is_mobile(e164):
    """French mobiles (+336, +337); other countries' numbers count as personal too."""
    return not e164.startswith("+33") or e164[3:4] in ("6", "7")


_HOUSE_NUMBERS = re.compile(r"\d+")


def is_same_street(a, b):
    """Two street keys that are one address: close spellings (a typo, a missing word) with the
    same house numbers. ``12 rue de la Republique`` and ``157 rue de la Republique`` are two
    addresses of one long street, where unrelated homonyms live."""
    if not (a and b):
        return False
    numbers_a, numbers_b = _HOUSE_NUMBERS.findall(a), _HOUSE_NUMBERS.findall(b)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return False
    return fuzz.ratio(a, b) >= 90


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
    if born_here and not _share_a_word(a.name_key, b.name_key):
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


def _log_odds(score):
    score = min(max(score, 1e-9), 1 - 1e-9)
    return math.log(score / (1 - score))


def drop_ambiguous_links(pair_scores, threshold, score_fn, excuse=None):
    """Forget the links of a record that matches two different people equally well.

    A record with only a name and an address matches both a father and his son of the same
    name, who are told apart elsewhere (different birth dates or mobiles: a conflict between
    them). Unless one link is clearly stronger (``AMBIGUITY_MARGIN`` of evidence), such a record
    is left out of both groups rather than guessed into one (the duplicate warning on its form
    still names both). Not when the two are apart only by a slip of one of them under the
    record's own customer number (``excuse``, as in ``cluster``). Changes ``pair_scores`` in
    place (the links become 0); returns how many links were dropped.
    """
    neighbours = {}
    for (a, b), score in pair_scores.items():
        if score >= threshold:
            neighbours.setdefault(a, []).append((b, score))
            neighbours.setdefault(b, []).append((a, score))
    dropped = set()
    for node, links in neighbours.items():
        if len(links) < 2:
            continue
        for i, (first, first_score) in enumerate(links):
            for second, second_score in links[i + 1 :]:
                if abs(_log_odds(first_score) - _log_odds(second_score)) >= AMBIGUITY_MARGIN:
                    continue
                key = (first, second) if first < second else (second, first)
                apart = pair_scores[key] if key in pair_scores else score_fn(*key)
                if apart < LINK_FLOOR and not (excuse and excuse(first, second, (node,))):
                    dropped.add((node, first) if node < first else (first, node))
                    dropped.add((node, second) if node < second else (second, node))
    for key in dropped:
        pair_scores[key] = 0.0
    return len(dropped)


def cluster(ids, pair_scores, threshold=SCORE_REVIEW, score_fn=None, floor=None, excuse=None):
    """Clusters of ``ids`` from scored pairs, that never chain unrelated people.

    ``pair_scores`` maps ``(low_id, high_id)`` to a score; ``score_fn(a_id, b_id)`` scores a pair
    that was not a candidate (clusters are small, so this is cheap) and may be None, in which case
    unscored pairs count as 0 (never joined). Pairs are taken best first; two clusters join on a
    pair at or above ``threshold`` only if every pair across them scores at least ``floor``
    (default: ``threshold``, i.e. complete linkage). A lower floor lets a record with little
    data join its entity through a strong link (a shared mobile) while any pair with evidence
    against it (different birth dates, mobiles or first names) still keeps two clusters apart.
    ``excuse(x, y, members)`` may forgive a cross pair under ``floor``: the disagreement is
    known to be a slip under a customer number held in ``members`` (see ``_find_groups``).
    Returns a list of clusters (sorted id lists, size >= 2), each with the minimum score of
    its pairs, a forgiven pair counting as ``threshold`` (such a group is reviewed, never
    merged automatically).
    """
    del ids  # clusters only ever contain partners of scored pairs
    floor = threshold if floor is None else floor
    parent = {}
    members = {}

    def find(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def pair_score(a, b):
        key = (a, b) if a < b else (b, a)
        if key in pair_scores:
            return pair_scores[key]
        value = score_fn(*key) if score_fn else 0.0
        pair_scores[key] = value
        return value

    def weight(x, y, group):
        """A pair's part in its group's score: a forgiven conflict counts as ``threshold``,
        as it still needs a person's eyes (the group is reviewed, never merged by itself)."""
        score = pair_score(x, y)
        if score < floor and excuse and excuse(x, y, group):
            return threshold
        return score

    for (a, b), score in sorted(pair_scores.items(), key=lambda item: (-item[1], item[0])):
        if score < threshold:
            break
        for node in (a, b):
            if node not in parent:
                parent[node] = node
                members[node] = [node]
        root_a, root_b = find(a), find(b)
        if root_a == root_b:
            continue
        group_a, group_b = members[root_a], members[root_b]
        joined = group_a + group_b
        if all(
            pair_score(x, y) >= floor or (excuse and excuse(x, y, joined))
            for x in group_a
            for y in group_b
        ):
            parent[root_b] = root_a
            members[root_a] = joined
            del members[root_b]
    clusters = []
    for group in members.values():
        if len(group) < 2:
            continue
        group = sorted(group)
        clusters.append((group, min(weight(x, y, group) for x, y in _pairs_of(group))))
    return clusters


def _pairs_of(group):
    return ((x, y) for i, x in enumerate(group) for y in group[i + 1 :])


# Blocks larger than this (a generic mailbox, a switchboard, a very common name in one town) give
# no candidate pairs: they are reported, and their value only counts as weak evidence.
BLOCK_CAP = 50
# Tighter caps for the loose keys: the sound of a name, or name prefixes, are only worth
# comparing when few partners share them (a common name needs other evidence anyway).
KIND_CAPS = {"s": 10, "z": 5, "bz": 10, "wb": 10}


def _name_keys(name, phonetic):
    """Blocking values derived from a person's name key alone: the phonetic surname + first
    initial, each word in turn being the surname (the order of first and last names is
    unknown), so that "Dupond J." meets "Jean Dupont"; and the sound code of each word."""
    words = name.split()
    sounds, codes = [], []
    for word in words:
        code = phonetic(word)
        if not code:
            continue
        codes.append(code)
        sounds.extend(f"{code} {other[0]}" for other in words if other is not word)
    return sounds, codes


def _blocking_passes(features, phonetic):
    """``(kind, iterator of (value, id))`` for each blocking key, one kind at a time so that
    only one kind's index is in memory at once."""
    values = features.values()
    persons = [f for f in values if f.name_key and not f.is_company]
    name_cache = {}

    def name_keys(name):
        keys = name_cache.get(name)
        if keys is None:
            keys = name_cache[name] = _name_keys(name, phonetic)
        return keys

    yield "e", ((f.email_key, f.id) for f in values if f.email_key)
    yield "p", ((phone, f.id) for f in values for phone in f.phones)
    yield "c", ((f.company_key, f.id) for f in values if f.company_key)
    yield "i", ((customer, f.id) for f in values for customer in f.ids)
    # the same name at the same postcode (companies: the same name anywhere)
    yield (
        "n",
        (
            (f"{f.name_key}|{f.zip or ''}", f.id)
            for f in values
            if f.name_key and (f.is_company or f.zip)
        ),
    )
    # the same postcode and the same 3-letter prefixes of the name words: typos
    yield (
        "z",
        (
            (f"{f.zip}|{' '.join(sorted(word[:3] for word in f.name_key.split()))}", f.id)
            for f in values
            if f.name_key and f.zip
        ),
    )
    # persons who moved (new address, email, phone): the same name and birth date, the same
    # birth date and postcode, or the same sound of the surname and first initial (typos). A
    # name alone is never enough evidence (homonyms), so it is not a blocking key on its own.
    yield "b", ((f"{f.name_key}|{f.birthdate}", f.id) for f in persons if f.birthdate)
    yield "bz", ((f"{f.birthdate}|{f.zip}", f.id) for f in persons if f.birthdate and f.zip)
    yield "s", ((sound, f.id) for f in persons for sound in name_keys(f.name_key)[0])
    yield (
        "sb",
        (
            (f"{sound}|{f.birthdate}", f.id)
            for f in persons
            if f.birthdate
            for sound in name_keys(f.name_key)[0]
        ),
    )
    # a name reduced to one word (a missing first name or surname): the sound of each word
    # and the birth date
    yield (
        "wb",
        (
            (f"{code}|{f.birthdate}", f.id)
            for f in persons
            if f.birthdate
            for code in set(name_keys(f.name_key)[1])
        ),
    )


def candidate_blocks(features, block_cap=BLOCK_CAP, phonetic=None):
    """Lists of partner ids sharing a blocking key, the values of oversized email and phone
    blocks (shared mailboxes, switchboards) and the number of oversized blocks.

    ``features`` maps ids to ``Features``; ``phonetic(word)`` gives the sound code of a name
    word (``normalize.phonetic_key``, cached by the caller); without it, no phonetic keys.
    """
    phonetic = phonetic or (lambda word: None)
    blocks, shared, oversized = [], set(), 0
    for kind, pairs in _blocking_passes(features, phonetic):
        cap = min(block_cap, KIND_CAPS.get(kind, block_cap))
        keyed = defaultdict(list)
        for value, pid in pairs:
            keyed[value].append(pid)
        for value, ids in keyed.items():
            if len(ids) < 2:
                continue
            if len(ids) > cap:
                oversized += 1
                if kind in ("e", "p"):
                    shared.add(value)
                continue
            blocks.append(ids)
        del keyed
    return blocks, frozenset(shared), oversized


def name_statistics(features):
    """``(name_counts, word_counts)``: how many persons carry each name key, and each name word
    (see ``score_pair``)."""
    name_counts, word_counts = {}, {}
    for f in features.values():
        if f.name_key and not f.is_company:
            name_counts[f.name_key] = name_counts.get(f.name_key, 0) + 1
    for name, count in name_counts.items():
        for word in name.split():
            word_counts[word] = word_counts.get(word, 0) + count
    return name_counts, word_counts


def find_groups(
    features,
    threshold=SCORE_REVIEW,
    block_cap=BLOCK_CAP,
    excluded=frozenset(),
    phonetic=None,
):
    """Candidate pairs, scores and clusters of ``features`` (id -> Features).

    Returns ``(clusters, pair_scores, pair_reasons, stats)``: clusters as in ``cluster``, the
    score of every compared pair, the reasons of the pairs at or above ``threshold``. Pairs in
    ``excluded`` ((low id, high id), marked "not duplicates") are never compared nor joined.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small lists and tuples: the cyclic collector would rescan them
    try:
        return _find_groups(features, threshold, block_cap, excluded, phonetic)
    finally:
        if collecting:
            gc.enable()


def _slip_excuse(features, linkable, threshold, excluded, pair_reasons, statistics):
    """``(excuse, forgiven)``. ``excuse(a, b, members)`` (see ``cluster``): whether the
    conflict between ``a`` and ``b`` is a slip under a customer number. It is when one of them
    shares a number with a record ``z`` of ``members`` that holds another value in the
    conflicting fields (names, birth date: ``SLIP_FIELDS``) and the other links to ``z``: the
    number says the odd value was mistyped or rewritten, and ``z`` agrees with the other
    record. Never for a pair marked "not duplicates", nor for other conflicts (two mobiles,
    two SIREN). ``forgiven(clusters)``: {pair: reasons} of the forgiven pairs inside them."""
    conflict_reasons = {}

    def reasons_of(a, b):
        if (a, b) in pair_reasons:
            return pair_reasons[(a, b)]
        if (a, b) not in conflict_reasons:
            conflict_reasons[a, b] = score_pair(features[a], features[b], *statistics)[1]
        return conflict_reasons[a, b]

    def forgiven(clusters):
        return {
            pair: reasons_of(*pair)
            for group, __ in clusters
            for pair in _pairs_of(group)
            if pair not in pair_reasons and excuse(*pair, group)
        }

    def excuse(a, b, members):
        key = (a, b) if a < b else (b, a)
        if not (features[a].ids or features[b].ids) or key in excluded:
            return False
        kinds = conflict_kinds(reasons_of(*key))
        if not kinds:
            return False
        for odd, other in ((a, b), (b, a)):
            for z in members:
                if z in (a, b) or not same_customer(features[odd], features[z]):
                    continue
                link = (other, z) if other < z else (z, other)
                if linkable.get(link, 0.0) >= threshold and all(
                    SLIP_FIELDS[kind](features[odd], features[z]) for kind in kinds
                ):
                    return True
        return False

    return excuse, forgiven


def _find_groups(features, threshold, block_cap, excluded, phonetic):
    started = time.perf_counter()
    blocks, shared_values, oversized = candidate_blocks(features, block_cap, phonetic)
    statistics = (shared_values, *name_statistics(features))
    blocked = time.perf_counter()
    # every compared pair's score; the pairs above the threshold without conflict can link
    pair_scores, pair_reasons, linkable, apart = {}, {}, {}, set()
    for block in blocks:
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                key = (a, b) if a < b else (b, a)
                if key in pair_scores or key in excluded:
                    continue
                score, reasons = score_pair(features[a], features[b], *statistics)
                pair_scores[key] = score
                if is_conflict(reasons):
                    apart.add(key)
                elif score >= threshold:
                    linkable[key] = score
                if score >= threshold:
                    pair_reasons[key] = reasons
    del blocks
    scored = time.perf_counter()

    def score_fn(a, b):
        if (a, b) in excluded:
            return 0.0
        score, reasons = score_pair(features[a], features[b], *statistics)
        return 0.0 if is_conflict(reasons) else score

    def link_score(a, b):  # a pair under the threshold, or one with a conflict
        key = (a, b)
        if key in apart or key in excluded:
            return 0.0
        score = pair_scores[key] if key in pair_scores else score_fn(a, b)
        if same_customer(features[a], features[b]):
            # one customer number: never evidence that keeps two clusters apart
            return max(score, LINK_FLOOR)
        return score

    excuse, forgiven = _slip_excuse(
        features, linkable, threshold, excluded, pair_reasons, statistics
    )
    ambiguous = drop_ambiguous_links(linkable, threshold, link_score, excuse)
    clusters = cluster(None, linkable, threshold, link_score, floor=LINK_FLOOR, excuse=excuse)
    # the reviewer sees the conflicts a slip explains ("different names" under one number)
    pair_reasons.update(forgiven(clusters))
    stats = {
        "pairs": len(pair_scores),
        "groups": len(clusters),
        "oversized_blocks": oversized,
        "ambiguous_links": ambiguous,
        "seconds_blocking": round(blocked - started, 1),
        "seconds_scoring": round(scored - blocked, 1),
        "seconds_clustering": round(time.perf_counter() - scored, 1),
    }
    return clusters, pair_scores, pair_reasons, stats
