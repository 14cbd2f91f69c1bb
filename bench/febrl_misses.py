"""FEBRL without a database: ``.venv/bin/python bench/febrl_misses.py [1,2,3,4] [--show N]``.

Runs ``tools.matching.find_groups`` on the features the scan would read for the FEBRL 1-4 sets
(same rows as ``./dev bench dedup --febrl``: soc_sec_id as the customer number, phones in
region AU) in a few seconds, prints pairwise precision, recall and F1, and sorts the true pairs
left out by what stands between them. Most of them look exactly like the hard negatives the
matching must keep apart (twins, a father and his son, a household card), which is why they
are not linked. ``--show N`` prints the first N left-out pairs with their features.

The figures can differ from the Odoo scan's by a pair or two: the scan reads postcodes and
streets back from the database, this reads them from the rows.
"""

import argparse
import functools
import importlib.util
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dedup import febrl_rows, pairwise_metrics  # noqa: E402


def _addon_tools():
    """The addon's ``tools`` package, imported without the Odoo registry."""
    tools = HERE.parent / "tools"
    spec = importlib.util.spec_from_file_location(
        "hygiene_tools", tools / "__init__.py", submodule_search_locations=[str(tools)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["hygiene_tools"] = package
    spec.loader.exec_module(package)
    from hygiene_tools import matching, normalize

    return matching, normalize


matching, normalize = _addon_tools()

# What keeps a true pair apart, from its reasons; the first pattern that applies wins.
PATTERNS = (
    (
        "household card: one customer number, another name and birth date",
        lambda r: matching.SAME_CUSTOMER in r and _has(r, "different names", "different birth"),
    ),
    (
        "twins: another name, same birth date and address or postcode",
        lambda r: _has(r, "different names", "same birth date")
        and ("same address" in r or "same postcode" in r),
    ),
    (
        "father and son: the same or a close name, other birth dates",
        lambda r: _has(r, "different birth") and not _has(r, "different names"),
    ),
    ("another name and another birth date", lambda r: _has(r, "different birth")),
    ("another name, the same birth date only", lambda r: _has(r, "same birth")),
    ("another name, no birth date to compare", lambda r: _has(r, "different names")),
)


def _has(reasons, *starts):
    return all(any(reason.startswith(start) for reason in reasons) for start in starts)


def features_of(rows):
    """``Features`` by id (row index + 1) and the truth entity of each, as the scan builds them."""
    street_key = functools.lru_cache(maxsize=200000)(normalize.street_key)
    features, entity_of = {}, {}
    for row in rows:
        rid, name, __, phone, __, street, zip_code, city, __, __, __, birth, entity = row[:13]
        fid = rid + 1
        birthdate = normalize.birthdate_key(birth)
        phones = frozenset(p for p in (normalize.normalize_phone(phone, "AU"),) if p)
        features[fid] = matching.Features(
            fid,
            normalize.person_name_key(name),
            None,
            phones,
            None,
            (zip_code or "").replace(" ", "") or None,
            city,
            street_key(street),
            False,
            fid,
            birthdate and str(birthdate),
            frozenset(ref for ref in (row[16],) if ref),
        )
        entity_of[fid] = entity
    return features, entity_of


def missed_pairs(clusters, entity_of):
    """The true pairs (low id, high id) not inside one predicted group."""
    group_of = {pid: index for index, (ids, __) in enumerate(clusters) for pid in ids}
    by_entity = defaultdict(list)
    for pid, entity in entity_of.items():
        by_entity[entity].append(pid)
    missed = []
    for ids in by_entity.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if group_of.get(a) is None or group_of.get(a) != group_of.get(b):
                    missed.append((min(a, b), max(a, b)))
    return missed


def run(number, show=0):
    rows, __ = febrl_rows(number)
    features, entity_of = features_of(rows)
    phonetic = functools.lru_cache(maxsize=200000)(normalize.phonetic_key)
    clusters, scores, __, __ = matching.find_groups(features, phonetic=phonetic)
    metrics = pairwise_metrics([ids for ids, __ in clusters], entity_of)
    missed = missed_pairs(clusters, entity_of)
    print(
        f"FEBRL {number}: P {metrics['precision']} R {metrics['recall']} F1 {metrics['f1']}"
        f"  ({metrics['tp']} of {metrics['true_pairs']} true pairs, "
        f"{metrics['predicted_pairs'] - metrics['tp']} false)"
    )
    patterns = Counter()
    for index, pair in enumerate(missed):
        score, reasons = matching.score_pair(features[pair[0]], features[pair[1]])
        pattern = next((label for label, test in PATTERNS if test(reasons)), None)
        if pattern is None:
            pattern = "compared, too little evidence" if pair in scores else "never compared"
        patterns[pattern] += 1
        if index < show:
            print(f"  {pair} {score:.3f} {reasons}")
            for pid in pair:
                print(f"      {features[pid]}")
    for pattern, count in patterns.most_common():
        print(f"  {count:5d}  {pattern}")
    return metrics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="?", default="1,2,3,4", help="FEBRL sets, e.g. 2,3")
    parser.add_argument("--show", type=int, default=0, help="print the first N left-out pairs")
    args = parser.parse_args(argv)
    for number in args.sets.split(","):
        run(int(number), args.show)


if __name__ == "__main__":
    main()
