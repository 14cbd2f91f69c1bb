"""Clusters of scored pairs that never chain unrelated people, and the whole matcher
(``find_groups``: blocking, scoring, clustering) that the scan and the import both call."""

import gc
import math
import time

from .blocking import BLOCK_CAP, candidate_blocks
from .features import name_statistics
from .scoring import (
    AMBIGUITY_FLOOR,
    AMBIGUITY_MARGIN,
    DEFAULT_WEIGHTS,
    LINK_FLOOR,
    OFFSET,
    SCORE_REVIEW,
    SLIP_FIELDS,
    comparison_levels,
    conflict_kinds,
    keeps_apart,
    name_rarity,
    same_customer,
    score_pair,
)


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
                if apart < AMBIGUITY_FLOOR and not (excuse and excuse(first, second, (node,))):
                    dropped.add((node, first) if node < first else (first, node))
                    dropped.add((node, second) if node < second else (second, node))
    for key in dropped:
        pair_scores[key] = 0.0
    return len(dropped)


def cluster(ids, pair_scores, threshold=SCORE_REVIEW, score_fn=None, floor=None, excuse=None):
    """Clusters of ``ids`` from scored pairs, that never chain unrelated people.

    ``pair_scores``: ``(low_id, high_id)`` -> score; ``score_fn(a, b)`` scores a pair that was
    not a candidate (None: such pairs count as 0). Pairs are taken best first; two clusters
    join on a pair at or above ``threshold`` only if every pair across them scores at least
    ``floor`` (default ``threshold``: complete linkage), or ``excuse(x, y, members)`` forgives
    it (a slip under a customer number, see ``_find_groups``). Returns (sorted ids, weakest
    pair score) per cluster of 2 or more, a forgiven pair counting as ``threshold``.
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
        if root_a != root_b and _may_join(
            members[root_a], members[root_b], pair_score, floor, excuse
        ):
            parent[root_b] = root_a
            members[root_a] = members[root_a] + members[root_b]
            del members[root_b]
    return _scored_clusters(members.values(), weight)


def _may_join(group_a, group_b, pair_score, floor, excuse):
    """Complete linkage: every pair across the two groups scores at least ``floor``, or is
    forgiven by ``excuse`` (see ``cluster``)."""
    joined = group_a + group_b
    return all(
        pair_score(x, y) >= floor or (excuse and excuse(x, y, joined))
        for x in group_a
        for y in group_b
    )


def _scored_clusters(groups, weight):
    """``[(sorted ids, weakest pair weight)]`` of the groups of at least two records."""
    clusters = []
    for group in groups:
        if len(group) < 2:
            continue
        group = sorted(group)
        clusters.append((group, min(weight(x, y, group) for x, y in _pairs_of(group))))
    return clusters


def _pairs_of(group):
    return ((x, y) for i, x in enumerate(group) for y in group[i + 1 :])


def find_groups(
    features,
    threshold=SCORE_REVIEW,
    block_cap=BLOCK_CAP,
    excluded=frozenset(),
    phonetic=None,
    model=None,
):
    """Candidate pairs, scores and clusters of ``features`` (id -> Features).

    ``model``: the weights learnt from the base (``weights.estimate``), else the defaults.

    Returns ``(clusters, pair_scores, pair_reasons, stats)``: clusters as in ``cluster``, the
    score of every compared pair, the reasons of the pairs at or above ``threshold``. Pairs in
    ``excluded`` ((low id, high id), marked "not duplicates") are never compared nor joined.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small lists and tuples: the cyclic collector would rescan them
    try:
        return _find_groups(features, threshold, block_cap, excluded, phonetic, model)
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


# the statistics of the last run (shared values, name and word counts, model), for
# ``pair_evidence``: the caller explains the pairs it stores with the same figures
statistics_of_pairs = [None]


def pair_evidence(features, pairs, statistics=None):
    """``{pair: "email same +6.0, name exact +4.0, ... = 11.0 (offset 5.0)"}``: the weight of
    each comparison level of ``pairs`` (the "why" of their scores), with the statistics of the
    last ``find_groups`` run unless given."""
    shared, name_counts, word_counts, model = (
        statistics
        or statistics_of_pairs[0]
        or (
            frozenset(),
            None,
            None,
            None,
        )
    )
    weights = (model or {}).get("weights") or DEFAULT_WEIGHTS
    offset = (model or {}).get("offset", OFFSET)
    result = {}
    for a, b in pairs:
        first, second = features[a], features[b]
        levels, similarity = comparison_levels(first, second, shared, word_counts)
        parts, total = [], 0.0
        for comparison, level in levels.items():
            weight = weights.get(comparison, {}).get(level, 0.0)
            total += weight
            parts.append(f"{comparison} {level} {weight:+.1f}")
        persons = not (first.is_company or second.is_company)
        if similarity >= 0.85 and name_counts is not None and persons:
            count = max(name_counts.get(first.name_key, 1), name_counts.get(second.name_key, 1))
            rarity = name_rarity(count)
            total += rarity
            parts.append(f"name frequency {rarity:+.1f}")
        result[a, b] = f"{', '.join(parts)} = {total:.1f} (offset {offset:.1f})"
    return result


def _find_groups(features, threshold, block_cap, excluded, phonetic, model=None):
    started = time.perf_counter()
    blocks, shared_values, oversized = candidate_blocks(features, block_cap, phonetic)
    statistics = (shared_values, *name_statistics(features), model)
    blocked = time.perf_counter()
    pair_scores, pair_reasons, linkable, apart = score_blocks(
        features, blocks, statistics, threshold, excluded
    )
    del blocks
    scored = time.perf_counter()
    clusters, ambiguous = cluster_scored(
        features, (pair_scores, pair_reasons, linkable, apart), statistics, threshold, excluded
    )
    stats = {
        # for ``pair_evidence``: the caller pops it before logging the figures
        "statistics": statistics,
        "pairs": len(pair_scores),
        "groups": len(clusters),
        "oversized_blocks": oversized,
        "skipped_blocks": 0,  # an oversized block is split (``split_block``), never skipped
        "ambiguous_links": ambiguous,
        "seconds_blocking": round(blocked - started, 1),
        "seconds_scoring": round(scored - blocked, 1),
        "seconds_clustering": round(time.perf_counter() - scored, 1),
    }
    return clusters, pair_scores, pair_reasons, stats


def score_blocks(features, blocks, statistics, threshold, excluded=frozenset()):
    """Score each pair of ``blocks`` once: ``(pair_scores, pair_reasons, linkable, apart)``,
    the score of every compared pair, the reasons of those at or above ``threshold``, the
    ones that can link (at or above it, no conflict) and the cannot-links (``keeps_apart``).
    Pairs in ``excluded`` are never compared."""
    pair_scores, pair_reasons, linkable, apart = {}, {}, {}, set()
    for block in blocks:
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                key = (a, b) if a < b else (b, a)
                if key in pair_scores or key in excluded:
                    continue
                score, reasons = score_pair(features[a], features[b], *statistics)
                pair_scores[key] = score
                if keeps_apart(reasons, score, threshold):
                    apart.add(key)
                elif score >= threshold:
                    linkable[key] = score
                if score >= threshold:
                    pair_reasons[key] = reasons
    return pair_scores, pair_reasons, linkable, apart


def cluster_scored(features, scored, statistics, threshold, excluded=frozenset()):
    """``(clusters, ambiguous links dropped)`` of the pairs ``scored`` by ``score_blocks``
    (``pair_reasons`` gains the conflicts a slip explains inside the clusters).

    Only the records of ``linkable`` pairs (and the pairs between them) count, so the
    connected components of the ``linkable`` pairs can be clustered apart, each with the
    features of its own records (``pair_scores`` may then be empty: a pair missing from it is
    scored again, to the same score): the scan's chunks do so."""
    pair_scores, pair_reasons, linkable, apart = scored

    def score_fn(a, b):
        if (a, b) in excluded:
            return 0.0
        score, reasons = score_pair(features[a], features[b], *statistics)
        return 0.0 if keeps_apart(reasons, score, threshold) else score

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
    return clusters, ambiguous
