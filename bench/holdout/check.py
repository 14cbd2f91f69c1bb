"""Self-check of the hold-out set: is it scorable by bench/independent/score.py, and consistent?

    python bench/holdout/check.py --size 10000 --seed 7      # generate into a temporary file
    python bench/holdout/check.py --truth /tmp/holdout_100k.csv

Scores two trivial predictors with ``score.py`` (through its command line, as any matcher's
prediction would be scored): every row alone, and rows grouped by exact lower-cased email.
Checks that the file has the columns the SPEC promises, that ``score.py``'s row, person and
true-pair counts equal the summary's, and that the two predictors give the figures they must
(every row alone: precision 1, recall 0; exact email: some recall, and merges in
``shared_mailbox`` groups). Prints both reports. Standard library only.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCORE = os.path.join(HERE, "..", "independent", "score.py")
sys.path.insert(0, HERE)

from generate import COLUMNS  # noqa: E402


def write_predictions(truth, alone_path, email_path):
    with (
        open(truth, newline="", encoding="utf-8") as handle,
        open(alone_path, "w", newline="", encoding="utf-8") as alone,
        open(email_path, "w", newline="", encoding="utf-8") as by_email,
    ):
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise SystemExit(f"unexpected columns: {reader.fieldnames}")
        a, e = csv.writer(alone), csv.writer(by_email)
        a.writerow(["row_id", "cluster_id"])
        e.writerow(["row_id", "cluster_id"])
        for record in reader:
            a.writerow([record["row_id"], f"row{record['row_id']}"])
            email = record["email"].strip().lower()
            if email:
                e.writerow([record["row_id"], email])


def run_score(truth, pred, label):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = tmp.name
    try:
        result = subprocess.run(
            [sys.executable, SCORE, "--truth", truth, "--pred", pred, "--json", out],
            check=True,
            capture_output=True,
            text=True,
        )
        print(f"=== {label}")
        print(result.stdout)
        with open(out, encoding="utf-8") as handle:
            return json.load(handle)
    finally:
        os.remove(out)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--truth", help="an existing generated CSV (its .summary.json beside it)")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="holdout_check_")
    truth = args.truth
    if not truth:
        truth = os.path.join(workdir, f"holdout_{args.size}.csv")
        subprocess.run(
            [
                sys.executable,
                os.path.join(HERE, "generate.py"),
                "--size",
                str(args.size),
                "--seed",
                str(args.seed),
                "--out",
                truth,
            ],
            check=True,
        )
    with open(truth + ".summary.json", encoding="utf-8") as handle:
        summary = json.load(handle)
    alone, by_email = os.path.join(workdir, "alone.csv"), os.path.join(workdir, "email.csv")
    write_predictions(truth, alone, by_email)
    failures = []
    first = run_score(truth, alone, "every row alone")
    second = run_score(truth, by_email, "rows grouped by exact lower-cased email")
    for figures in (first, second):
        for key in ("rows", "persons", "true_pairs"):
            if figures[key] != summary[key]:
                failures.append(f"{key}: score.py {figures[key]} != summary {summary[key]}")
    if not (first["precision"] == 1.0 and first["recall"] == 0.0 and first["predicted_pairs"] == 0):
        failures.append("every row alone must give precision 1, recall 0")
    if not 0.0 < second["recall"] < 1.0:
        failures.append("exact email must find some but not all pairs")
    shared = second["hard_negatives"].get("shared_mailbox", {})
    if shared.get("pairs") and not shared.get("merged_pairs"):
        failures.append("exact email must merge some shared family mailboxes")
    for kind in (
        "homonym",
        "homonym_same_city",
        "relatives",
        "father_son",
        "colleagues",
        "shared_mailbox",
        "chance_same_name",
    ):
        if not second["hard_negatives"].get(kind, {}).get("pairs"):
            failures.append(f"no cross-person pair of kind {kind}")
    shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"summary: {summary['rows']:,} rows, {summary['persons']:,} persons, "
        f"{summary['true_pairs']:,} true pairs; hard-negative groups "
        + ", ".join(f"{k} {v['groups']:,}" for k, v in summary["hard_negatives"].items())
    )
    print(
        f"every row alone: P {first['precision']:.4f} R {first['recall']:.4f} F1 {first['f1']:.4f}"
    )
    print(
        f"exact email:     P {second['precision']:.4f} R {second['recall']:.4f} "
        f"F1 {second['f1']:.4f}"
    )
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("OK: the file is scorable and consistent with its summary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
