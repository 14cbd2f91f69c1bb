"""The matcher on the held-out set of bench/holdout (written from the issue's specification by
someone who read neither the matcher nor the other generators; never used to tune anything).

    .venv/bin/python bench/holdout_eval.py [--size 10000|100000|1000000] [--seed 7] [--differences]

Generates bench/out/holdout/holdout_<size>_<seed>.csv once (bench/holdout/generate.py), builds
the features exactly as bench/dedup_offline.py does for the other sets, runs the scan's
``find_groups`` and scores the groups with bench/independent/score.py (precision, recall, F1,
merge rate per hard-negative kind, recall per difference). A JSON line goes to
bench/out/holdout_eval.jsonl.
"""

import argparse
import csv
import json
import subprocess
import sys
import time

import dedup_offline
from dedup_offline import HERE, csv_features, print_result, run_matcher

sys.path.insert(0, str(HERE / "independent"))

import score  # noqa: E402


def holdout_path(size, seed):
    out = HERE / "out" / "holdout"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"holdout_{size}_{seed}.csv"
    if not path.exists():
        generator = HERE / "holdout" / "generate.py"
        command = [sys.executable, str(generator), "--size", str(size), "--seed", str(seed)]
        subprocess.run([*command, "--out", str(path)], check=True)
    return path


def evaluate(size, seed):
    path = holdout_path(size, seed)
    features = csv_features(path)
    clusters, stats, seconds = run_matcher(features)
    prediction = {pid: index for index, (ids, __) in enumerate(clusters) for pid in ids}
    with open(path, newline="", encoding="utf-8") as handle:
        figures = score.score(csv.DictReader(handle), prediction)
    return {
        "set": "holdout",
        "records": len(features),
        "precision": figures["precision"],
        "recall": figures["recall"],
        "f1": figures["f1"],
        "hard_negative_merge_rates": {
            kind: item["merge_rate"] for kind, item in figures["hard_negatives"].items()
        },
        "seconds": round(seconds, 1),
        "pairs": stats["pairs"],
        "oversized_blocks": stats["oversized_blocks"],
        "recall_by_difference": figures["recall_by_difference"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--differences", action="store_true", help="recall by difference")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    result = evaluate(args.size, args.seed)
    print(f"matcher on the held-out set, {args.size:,} rows, seed {args.seed}")
    print_result(result, args.differences)
    result.pop("recall_by_difference", None)
    with open(HERE / "out" / "holdout_eval.jsonl", "a", encoding="utf-8") as handle:
        line = {"label": args.label, "size": args.size, "time": time.time(), "result": result}
        handle.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    assert dedup_offline.matching  # the addon's tools, loaded without Odoo
    main()
