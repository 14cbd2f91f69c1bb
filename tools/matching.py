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
OFFSET = 6.0  # total evidence giving a score of 0.5

SCORE_REVIEW = 0.5
SCORE_AUTO = 0.97


def name_similarity(a, b):
    """Similarity (0..1) of two name keys, robust to word order and small typos."""
    if not a or not b:
        return 0.0
    return fuzz.token_sort_ratio(a, b) / 100.0


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
    if a.email_key and b.email_key:
        if a.email_key == b.email_key:
            weak = a.email_key in shared_values
            evidence += W_SHARED_VALUE if weak else W_EMAIL
            reasons.append("same shared email" if weak else "same email")
        else:
            evidence += W_EMAIL_DIFFERENT
    common_phones = a.phones & b.phones
    if common_phones:
        weak = common_phones <= shared_values
        evidence += W_SHARED_VALUE if weak else W_PHONE
        reasons.append("same shared phone" if weak else "same phone")
    elif a.phones and b.phones:
        evidence += W_PHONE_DIFFERENT
    similarity = name_similarity(a.name_key, b.name_key)
    if similarity >= 0.999:
        evidence += W_NAME_EXACT
        reasons.append("same name")
    elif similarity >= 0.85:
        evidence += W_NAME_CLOSE * (similarity - 0.85) / 0.15 + W_NAME_CLOSE / 2
        reasons.append(f"name {similarity:.2f}")
    elif a.name_key and b.name_key:
        evidence += W_NAME_DIFFERENT
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

    for (a, b), score in sorted(pair_scores.items(), key=lambda item: -item[1]):
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
