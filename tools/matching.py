"""Duplicate detection without the ORM: pair scoring, explanations and non-chaining clusters.

A partner is described by a small tuple of normalised features (see ``Features``); candidate
pairs come from blocking keys computed by the caller (mostly stored, indexed keys); each pair gets
additive evidence in the spirit of Fellegi-Sunter (agreements add, disagreements subtract), turned
into a score between 0 and 1, with the reasons a person can check ("same email; name 0.93").

Clusters are built by complete linkage: two clusters join only if every pair across them scores
above the threshold, so a chain A~B~C never drags unrelated people together (the failure of
union-find linkers at 1,000,000 records).
"""

import math
from collections import namedtuple

from rapidfuzz import fuzz

Features = namedtuple(
    "Features",
    "id name_key email_key phones company_key zip city street is_company family",
)

# Evidence weights (log-odds-like). Tuned on the French generator of bench/dedup_generator.py.
W_EMAIL = 6.0
W_EMAIL_DIFFERENT = -2.5
W_PHONE = 4.0
W_PHONE_DIFFERENT = -1.5
W_COMPANY_ID = 8.0
W_COMPANY_ID_DIFFERENT = -8.0
W_NAME_EXACT = 4.0
W_NAME_CLOSE = 2.5
W_NAME_DIFFERENT = -5.0
W_ZIP = 1.0
W_STREET = 2.0
W_SHARED_VALUE = 0.5  # a generic mailbox or a switchboard: weak evidence only
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


def name_similarity(a, b):
    """Similarity (0..1) of two name keys, robust to word order, small typos and initials.

    "p rileau" and "pierre rileau" are compatible (an initial stands for a first name): they get
    at least 0.9 when every word of the shorter name matches a word of the longer one.
    """
    if not a or not b:
        return 0.0
    similarity = fuzz.token_sort_ratio(a, b) / 100.0
    if similarity < 0.9:
        short, long_ = sorted((a.split(), b.split()), key=len)
        if short and all(
            any(
                (len(word) == 1 and other.startswith(word)) or fuzz.ratio(word, other) >= 85
                for other in long_
            )
            for word in short
        ):
            similarity = 0.9
    return similarity


def is_generic_email(email_key):
    return bool(email_key) and email_key.split("@", 1)[0] in GENERIC_LOCALS


def is_mobile(e164):
    """French mobiles (+336, +337); other countries' numbers count as personal too."""
    return not e164.startswith("+33") or e164[3:4] in ("6", "7")


def score_pair(a, b, shared_values=frozenset()):
    """Return ``(score, reasons)`` for two ``Features``.

    ``shared_values`` holds emails and phones used by many partners (generic mailbox,
    switchboard): agreeing on them is weak evidence.
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
    similarity = name_similarity(a.name_key, b.name_key)
    if similarity >= 0.999:
        evidence += W_NAME_EXACT
        reasons.append("same name")
    elif similarity >= 0.85:
        evidence += W_NAME_CLOSE * (similarity - 0.85) / 0.15 + W_NAME_CLOSE / 2
        reasons.append(f"name {similarity:.2f}")
    elif a.name_key and b.name_key:
        both_persons = not a.is_company and not b.is_company
        evidence += (
            W_PERSON_NAMES_DIFFERENT if both_persons and similarity < 0.7 else W_NAME_DIFFERENT
        )
        reasons.append(f"different names ({similarity:.2f})")
    if a.zip and a.zip == b.zip:
        evidence += W_ZIP
        if a.street and b.street and fuzz.ratio(a.street, b.street) >= 90:
            evidence += W_STREET
            reasons.append("same address")
        else:
            reasons.append("same postcode")
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
    return evidence


def cluster(ids, pair_scores, threshold=SCORE_REVIEW, score_fn=None):
    """Complete-linkage clusters of ``ids`` from scored pairs.

    ``pair_scores`` maps ``(low_id, high_id)`` to a score; ``score_fn(a_id, b_id)`` scores a pair
    that was not a candidate (clusters are small, so this is cheap) and may be None, in which case
    unscored pairs count as 0 (never joined). Returns a list of clusters (sorted id lists, size
    >= 2), each with the minimum pair score inside it.
    """
    del ids  # clusters only ever contain partners of scored pairs
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
        if all(pair_score(x, y) >= threshold for x in group_a for y in group_b):
            parent[root_b] = root_a
            members[root_a] = group_a + group_b
            del members[root_b]
    clusters = []
    for group in members.values():
        if len(group) < 2:
            continue
        group = sorted(group)
        weakest = min(pair_score(x, y) for i, x in enumerate(group) for y in group[i + 1 :])
        clusters.append((group, weakest))
    return clusters
