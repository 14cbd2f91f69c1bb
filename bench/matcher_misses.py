"""Where the matcher's missed pairs are, on the independent set (no database):

    .venv/bin/python bench/matcher_misses.py [--size 10000] [--top 25] [--show N]

Runs ``find_groups`` on the features ``bench/dedup_offline.py`` builds for bench/independent and
sorts every true pair (two rows of one ``entity_id``) left apart into:

- never compared (no blocking key in common): by what the two rows share;
- compared, scored under the review threshold: by comparison vector (``comparison_levels``),
  beside the number of pairs of *different* persons with the same vector among the compared
  pairs (what a rule raising that vector would also link);
- scored at or above it but left apart by the clustering (complete linkage, ambiguity).

The held-out set is not read here (measure only: bench/holdout_eval.py).
"""

import argparse
import csv
import functools
import sys
from collections import Counter, defaultdict

import dedup_offline
from dedup_offline import independent_path, matching, normalize


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {int(row["row_id"]): row for row in csv.DictReader(handle)}


def _signature(levels):
    return " ".join(f"{k}={v}" for k, v in sorted(levels.items())) or "(nothing)"


def _shared(fa, fb):
    parts = []
    if fa.email_key and fa.email_key == fb.email_key:
        parts.append("email")
    if fa.phones & fb.phones:
        parts.append("phone")
    if fa.zip and fa.zip == fb.zip:
        parts.append("zip")
    if fa.birthdate and fa.birthdate == fb.birthdate:
        parts.append("birth")
    if fa.name_key and fa.name_key == fb.name_key:
        parts.append("name")
    if not fa.name_key or not fb.name_key or "@" in (fa.name_key + fb.name_key):
        parts.append("a name missing")
    return "+".join(parts) or "nothing"


def _clustering_cause(fa, fb, key, score, statistics, cluster_of):
    """Why a true pair at or above the review threshold ended in no common group."""
    reasons = matching.score_pair(fa, fb, *statistics)[1]
    if matching.keeps_apart(reasons, score, matching.SCORE_REVIEW):
        conflicts = (r.split(" (")[0] for r in reasons if r.startswith(matching.CONFLICTS))
        return "a conflict of their own: " + ", ".join(conflicts)
    grouped = (key[0] in cluster_of) + (key[1] in cluster_of)
    return (
        "both in no group (ambiguous links dropped)",
        "one in a group, the other in none (an ambiguous link dropped)",
        "in two groups (a pair across them under the floor)",
    )[grouped]


def _true_pairs(rows):
    by_entity = defaultdict(list)
    for rid, row in rows.items():
        by_entity[row["entity_id"]].append(rid)
    for ids in by_entity.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                yield (a, b) if a < b else (b, a)


def _missed(rows, features, found, show):
    """``(unblocked, below, causes, examples)``: the true pairs left apart, sorted."""
    clusters, pair_scores, statistics = found
    cluster_of = {pid: index for index, (ids, __) in enumerate(clusters) for pid in ids}
    unblocked, below, causes, examples = Counter(), Counter(), Counter(), defaultdict(list)
    for key in _true_pairs(rows):
        if key[0] in cluster_of and cluster_of.get(key[0]) == cluster_of.get(key[1]):
            continue
        fa, fb = features[key[0]], features[key[1]]
        score = pair_scores.get(key)
        if score is None:
            unblocked[_shared(fa, fb)] += 1
        elif score < matching.SCORE_REVIEW:
            levels, __ = matching.comparison_levels(fa, fb, statistics[0], statistics[2])
            signature = _signature(levels)
            below[signature] += 1
            if len(examples[signature]) < show:
                examples[signature].append((rows[key[0]], rows[key[1]], score))
        else:
            causes[_clustering_cause(fa, fb, key, score, statistics, cluster_of)] += 1
    return unblocked, below, causes, examples


def _negative_signatures(rows, features, pair_scores, statistics):
    negatives = Counter()
    for (a, b), score in pair_scores.items():
        if score < matching.SCORE_REVIEW and rows[a]["entity_id"] != rows[b]["entity_id"]:
            levels, __ = matching.comparison_levels(
                features[a], features[b], statistics[0], statistics[2]
            )
            negatives[_signature(levels)] += 1
    return negatives


def _print_example(row_a, row_b, score):
    fields = ("name", "email", "phone", "mobile", "street", "zip", "birthdate")
    for row in (row_a, row_b):
        print("          " + " | ".join(row[f] for f in fields) + f"  [{row['variants']}]")
    print(f"          score {score:.3f}")


def analyse(size, top, show):
    path = independent_path(size)
    rows = _rows(path)
    features = dedup_offline.csv_features(path)
    phonetic = functools.lru_cache(maxsize=200000)(normalize.phonetic_key)
    clusters, pair_scores, __, stats = matching.find_groups(features, phonetic=phonetic)
    statistics = stats["statistics"]
    found = (clusters, pair_scores, statistics)
    unblocked, below, causes, examples = _missed(rows, features, found, show)
    negatives = _negative_signatures(rows, features, pair_scores, statistics)
    missed = sum(unblocked.values()) + sum(below.values()) + sum(causes.values())
    print(f"independent {size:,}: {missed:,} true pairs apart, {stats['pairs']:,} compared")
    print(f"  never compared: {sum(unblocked.values()):,}")
    for shared, count in unblocked.most_common(top):
        print(f"    {count:>7,}  share {shared}")
    print(f"  scored under {matching.SCORE_REVIEW}: {sum(below.values()):,} (true / false pairs)")
    for signature, count in below.most_common(top):
        print(f"    {count:>7,} / {negatives[signature]:>7,}  {signature}")
        for example in examples[signature]:
            _print_example(*example)
    print(f"  scored at or above it, apart after clustering: {sum(causes.values()):,}")
    for cause, count in causes.most_common(top):
        print(f"    {count:>7,}  {cause}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--show", type=int, default=0, help="examples per comparison vector")
    args = parser.parse_args(argv)
    analyse(args.size, args.top, args.show)


if __name__ == "__main__":
    sys.exit(main())
