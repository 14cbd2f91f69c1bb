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


def analyse(size, top, show):
    path = independent_path(size)
    rows = _rows(path)
    features = dedup_offline.csv_features(path)
    phonetic = functools.lru_cache(maxsize=200000)(normalize.phonetic_key)
    clusters, pair_scores, __, stats = matching.find_groups(features, phonetic=phonetic)
    statistics = stats["statistics"]
    cluster_of = {pid: index for index, (ids, __) in enumerate(clusters) for pid in ids}
    by_entity = defaultdict(list)
    for rid, row in rows.items():
        by_entity[row["entity_id"]].append(rid)
    unblocked, below, dropped = Counter(), Counter(), 0
    examples = defaultdict(list)
    for ids in by_entity.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                key = (a, b) if a < b else (b, a)
                if a in cluster_of and cluster_of.get(a) == cluster_of.get(b):
                    continue
                fa, fb = features[key[0]], features[key[1]]
                if key not in pair_scores:
                    unblocked[_shared(fa, fb)] += 1
                elif pair_scores[key] < matching.SCORE_REVIEW:
                    levels, __ = matching.comparison_levels(fa, fb, statistics[0], statistics[2])
                    signature = _signature(levels)
                    below[signature] += 1
                    if len(examples[signature]) < show:
                        examples[signature].append((rows[key[0]], rows[key[1]], pair_scores[key]))
                else:
                    dropped += 1
    negatives = Counter()
    for (a, b), score in pair_scores.items():
        if score < matching.SCORE_REVIEW and rows[a]["entity_id"] != rows[b]["entity_id"]:
            levels, __ = matching.comparison_levels(
                features[a], features[b], statistics[0], statistics[2]
            )
            negatives[_signature(levels)] += 1
    missed = sum(unblocked.values()) + sum(below.values()) + dropped
    print(f"independent {size:,}: {missed:,} true pairs apart, {stats['pairs']:,} compared")
    print(f"  never compared: {sum(unblocked.values()):,}")
    for shared, count in unblocked.most_common(top):
        print(f"    {count:>7,}  share {shared}")
    print(f"  scored under {matching.SCORE_REVIEW}: {sum(below.values()):,} (true / false pairs)")
    for signature, count in below.most_common(top):
        print(f"    {count:>7,} / {negatives[signature]:>7,}  {signature}")
        for row_a, row_b, score in examples[signature]:
            for row in (row_a, row_b):
                fields = ("name", "email", "phone", "mobile", "street", "zip", "birthdate")
                print("          " + " | ".join(row[f] for f in fields) + f"  [{row['variants']}]")
            print(f"          score {score:.3f}")
    print(f"  scored at or above it, apart after clustering: {dropped:,}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--show", type=int, default=0, help="examples per comparison vector")
    args = parser.parse_args(argv)
    analyse(args.size, args.top, args.show)


if __name__ == "__main__":
    sys.exit(main())
