"""Fellegi-Sunter weights learnt from the base itself, as Splink does (issue 16 §2).

- ``u`` (how often a level occurs between two different people): the level frequencies of
  random pairs of records (a seeded sample: the same base gives the same weights);
- ``m`` (how often it occurs between two records of one person): expectation-maximisation on
  the blocked pairs (the candidate pairs of ``blocking``), ``u`` held fixed;
- the stewards' decisions refine it: a pair of a merged group is a match, a pair marked "not
  duplicates" a non-match; their match probability is fixed instead of estimated.

The weight of a level is ln(m/u), clipped; the offset (evidence giving a score of 0.5) is the
prior odds of a match between two random records. ``estimate`` returns a JSON-ready model that
the scan stores and passes to ``score_pair``; ``explain`` gives the weight of each level of a
pair for the "why" of a score.
"""

import math
import random
from collections import Counter, defaultdict

from .blocking import BLOCK_CAP, candidate_blocks
from .features import name_statistics
from .scoring import COMPARISONS, DEFAULT_WEIGHTS, OFFSET, comparison_levels

MODEL_VERSION = 1
RANDOM_PAIRS = 200000
MAX_BLOCKED_PAIRS = 500000
ITERATIONS = 25
WEIGHT_BOUND = 10.0
# Comparisons whose weights stay as set: a hard fact (a customer number of one source, two
# company numbers) is not what EM should weaken on a base where it is rare.
FIXED = ("customer", "company")


def _pattern(levels):
    return tuple(levels.get(comparison) for comparison in DEFAULT_WEIGHTS)


def _blocked_pairs(features, phonetic, block_cap, limit, rng):
    blocks, shared, __ = candidate_blocks(features, block_cap, phonetic)
    pairs = set()
    for block in blocks:
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                pairs.add((a, b) if a < b else (b, a))
    pairs = sorted(pairs)
    if len(pairs) > limit:
        pairs = rng.sample(pairs, limit)
    return pairs, shared


def _u_estimator(features, ids, rng, random_pairs, shared, word_counts):
    """``u(comparison, level)``: the level frequencies among random pairs (almost all of them
    two different people), smoothed (a level never seen is rare, not impossible)."""
    counts = defaultdict(Counter)
    totals = Counter()
    for __ in range(random_pairs):
        a, b = rng.sample(ids, 2)
        levels, __ = comparison_levels(features[a], features[b], shared, word_counts)
        for comparison, level in levels.items():
            counts[comparison][level] += 1
            totals[comparison] += 1

    def u(comparison, level):
        known = len(DEFAULT_WEIGHTS[comparison]) + 1
        return (counts[comparison][level] + 0.5) / (totals[comparison] + 0.5 * known)

    return u


def _patterns(features, blocked, label_of, shared, word_counts):
    """The blocked pairs as ``[(pattern, count, label)]`` (label None: to estimate)."""
    patterns, labelled = Counter(), Counter()
    for a, b in blocked:
        if (a, b) not in label_of:
            levels, __ = comparison_levels(features[a], features[b], shared, word_counts)
            patterns[_pattern(levels)] += 1
    for (a, b), label in label_of.items():
        if a in features and b in features:
            levels, __ = comparison_levels(features[a], features[b], shared, word_counts)
            labelled[_pattern(levels), label] += 1
    items = [(pattern, count, None) for pattern, count in patterns.items()]
    return items + [(pattern, count, label) for (pattern, label), count in labelled.items()]


def _match_probability(pattern, prior, m, u):
    log_ratio = math.log(prior / (1 - prior))
    for comparison, level in zip(COMPARISONS, pattern, strict=True):
        if level is not None:
            log_ratio += math.log(max(m[comparison].get(level, 1e-9), 1e-9) / u(comparison, level))
    return 1.0 / (1.0 + math.exp(-max(min(log_ratio, 50), -50)))


def _em(items, u, iterations):
    """``(m, prior)`` by expectation-maximisation, ``u`` fixed, from the default weights."""
    m = {}
    for comparison, table in DEFAULT_WEIGHTS.items():
        raw = {level: u(comparison, level) * math.exp(w) for level, w in table.items()}
        total = sum(raw.values())
        m[comparison] = {level: value / total for level, value in raw.items()}
    prior = 0.3
    for __ in range(iterations):
        m_counts, m_total = defaultdict(Counter), Counter()
        matched = total = 0.0
        for pattern, count, label in items:
            probability = label if label is not None else _match_probability(pattern, prior, m, u)
            matched += probability * count
            total += count
            for comparison, level in zip(COMPARISONS, pattern, strict=True):
                if level is not None:
                    m_counts[comparison][level] += probability * count
                    m_total[comparison] += probability * count
        prior = min(max(matched / total, 1e-6), 1 - 1e-6) if total else prior
        for comparison, known in DEFAULT_WEIGHTS.items():
            if m_total[comparison]:
                m[comparison] = {
                    level: (m_counts[comparison][level] + 0.01)
                    / (m_total[comparison] + 0.01 * len(known))
                    for level in known
                }
    return m, prior


def estimate(
    features,
    phonetic=None,
    matches=(),
    non_matches=(),
    seed=16,
    random_pairs=RANDOM_PAIRS,
    block_cap=BLOCK_CAP,
    iterations=ITERATIONS,
):
    """A model ``{"weights", "offset", ...}`` learnt from ``features`` (id -> Features).

    ``matches`` / ``non_matches``: (id, id) pairs decided by stewards (merged; "not
    duplicates"), included in the EM with a fixed match probability of 1 or 0.
    """
    rng = random.Random(seed)
    ids = sorted(features)
    if len(ids) < 2:
        return None
    __, word_counts = name_statistics(features)
    blocked, shared = _blocked_pairs(features, phonetic, block_cap, MAX_BLOCKED_PAIRS, rng)
    u = _u_estimator(features, ids, rng, random_pairs, shared, word_counts)
    label_of = {tuple(sorted(pair)): 1.0 for pair in matches}
    label_of.update({tuple(sorted(pair)): 0.0 for pair in non_matches})
    m, prior = _em(_patterns(features, blocked, label_of, shared, word_counts), u, iterations)

    def weight(comparison, level):
        ratio = math.log(m[comparison][level] / u(comparison, level))
        return round(max(-WEIGHT_BOUND, min(WEIGHT_BOUND, ratio)), 3)

    weights = {
        comparison: dict(table)
        if comparison in FIXED
        else {level: weight(comparison, level) for level in table}
        for comparison, table in DEFAULT_WEIGHTS.items()
    }
    # prior odds of a match between two random records: matches among the blocked pairs over
    # all pairs (the pairs outside the blocks are almost all non-matches)
    all_pairs = len(ids) * (len(ids) - 1) / 2
    global_prior = min(max(prior * len(blocked) / all_pairs, 1e-12), 0.5)
    return {
        "version": MODEL_VERSION,
        "weights": weights,
        "offset": round(-math.log(global_prior / (1 - global_prior)), 3),
        "blocked_pairs": len(blocked),
        "random_pairs": random_pairs,
        "match_share_of_blocked_pairs": round(prior, 4),
        "labelled_pairs": {"matches": len(matches), "non_matches": len(non_matches)},
        "seed": seed,
        "m": {c: {level: round(v, 6) for level, v in t.items()} for c, t in m.items()},
        "u": {c: {level: round(u(c, level), 8) for level in t} for c, t in DEFAULT_WEIGHTS.items()},
    }


def explain(a, b, model=None, shared_values=frozenset(), word_counts=None):
    """``[(comparison, level, weight)]`` of a pair under ``model`` (the "why" of a score)."""
    weights = (model or {}).get("weights") or DEFAULT_WEIGHTS
    levels, __ = comparison_levels(a, b, shared_values, word_counts)
    return [
        (comparison, level, weights.get(comparison, {}).get(level, 0.0))
        for comparison, level in levels.items()
    ]


def default_offset(model=None):
    return (model or {}).get("offset", OFFSET)
