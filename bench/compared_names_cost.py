"""CPU cost of ``compared_names`` (the name rewriting of every scored pair and of the live
warning), uncached, on random name pairs of the independent set:

    .venv/bin/python bench/compared_names_cost.py [ROOT]

``ROOT``: the addon's folder to measure (default: this one), so that an archive of another commit
(``git archive COMMIT | tar -x -C DIR``, with DIR/bench/out/independent linked here) is measured
the same way.
"""

import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT / "bench"))
sys.argv = sys.argv[:1]

import dedup_offline  # noqa: E402

features, normalize = dedup_offline.matching.features, dedup_offline.normalize


def main(count=200000):
    path = dedup_offline.independent_path(100000)
    with open(path, newline="", encoding="utf-8") as handle:
        names = [normalize.person_name_key(row["name"]) for row in csv.DictReader(handle)]
    names = [name for name in names if name]
    rng = random.Random(1)
    pairs = [(rng.choice(names), rng.choice(names)) for __ in range(count)]
    started = time.process_time()
    for a, b in pairs:
        features.compared_names.__wrapped__(a, b)
    seconds = time.process_time() - started
    print(f"{ROOT}: compared_names x{count:,} uncached: {seconds:.2f} CPU-s")


if __name__ == "__main__":
    main()
