"""Score a predicted grouping of contacts against the hidden truth of bench/independent.

    python bench/independent/score.py --truth SET.csv --pred groups.csv [--id-offset N]
        [--id-map MAP.csv] [--json OUT.json]

``--pred`` is either the ``odoo-bin hygiene dedup --export`` file (``partner_id,group_id,...``:
partner ids are turned into row ids with ``--id-offset`` (``row_id = partner_id - offset``) or
``--id-map`` (a CSV ``partner_id,row_id``)), or any CSV with ``row_id`` and ``cluster_id`` (or
``group_id``) columns. A row absent from the prediction is a cluster of its own; clusters sharing a
row are joined. Standard library only.

Figures (pairs of rows):

- precision, recall, F1: pairs put in one cluster vs pairs of one person (``entity_id``);
- merge rate per hard-negative kind: pairs of rows of *different* persons of one group
  (``hn_group``) of that kind put in one cluster / all such pairs; ``chance_same_name``: the same
  for persons outside any group whose birth first name and surname (``canon_name``) are equal;
- false pairs by cause: the predicted pairs that are wrong, split by those kinds;
- recall per difference: for the true pairs showing each difference (from the ``variants``
  column: a moved address, a new mobile, a married name, a typo...), the share left apart.
"""

import argparse
import csv
import json
import sys
from array import array
from collections import Counter, defaultdict

EPOCH_LABELS = {
    "addr": "address differs (moved, or home vs work)",
    "mob": "mobile differs (new number)",
    "land": "landline differs",
    "mail": "email differs (new mailbox, or home vs work)",
    "sur": "surname differs (married / maiden / both)",
    "work": "work row vs personal row",
}
PRESENCE = {
    "mail": "email in one row only",
    "mob": "mobile in one row only",
    "addr": "address in one row only",
}
NO_SHARED = "shares no email, phone or address epoch (name and birth date only)"
SHARED = "shares an email, phone or address epoch"


def comb2(n):
    return n * (n - 1) // 2


def _parse_variants(text):
    tags, flags = {}, set()
    for item in (text or "").split(";"):
        if not item:
            continue
        if "=" in item:
            key, value = item.split("=", 1)
            tags[key] = value
        else:
            flags.add(item)
    return tags, flags


def pair_differences(variants_a, variants_b):
    """The difference labels of one true pair, from the two rows' ``variants``."""
    tags_a, flags_a = _parse_variants(variants_a)
    tags_b, flags_b = _parse_variants(variants_b)
    labels = set()
    for key, label in EPOCH_LABELS.items():
        if key in tags_a and key in tags_b and tags_a[key] != tags_b[key]:
            labels.add(label)
    for key, label in PRESENCE.items():
        if (key in tags_a) != (key in tags_b):
            labels.add(label)
    if ("no_birthdate" in flags_a) != ("no_birthdate" in flags_b):
        labels.add("birth date in one row only")
    if "no_birthdate" in flags_a and "no_birthdate" in flags_b:
        labels.add("no birth date in either row")
    for flag in flags_a | flags_b:
        if not flag.startswith("no_"):
            labels.add(f"noise: {flag}")
    shared = any(
        key in tags_a and key in tags_b and tags_a[key] == tags_b[key]
        for key in ("mail", "mob", "land", "addr")
    )
    labels.add(SHARED if shared else NO_SHARED)
    same = {
        key
        for key in ("mail", "mob", "land", "addr")
        if key in tags_a and key in tags_b and tags_a[key] == tags_b[key]
    }
    if "mail" in same:
        labels.add("shares the mailbox (same epoch, noise aside)")
    if "mob" in same:
        labels.add("shares the mobile (same number, format aside)")
    if same == {"addr"}:
        labels.add("shares only the address (no mailbox, no phone)")
    return labels


class _Interner(dict):
    def __missing__(self, key):
        value = self[key] = len(self)
        return value


def read_prediction(handle, id_offset=None, id_map=None):
    """``{row_id: cluster}`` (clusters sharing a row joined), and the count of joined clusters."""
    reader = csv.DictReader(handle)
    fields = reader.fieldnames or []
    cluster_column = "cluster_id" if "cluster_id" in fields else "group_id"
    if cluster_column not in fields:
        raise ValueError("the prediction needs a cluster_id or group_id column")
    if "row_id" in fields:
        to_row = lambda record: int(record["row_id"])  # noqa: E731
    elif "partner_id" in fields:
        if id_map is not None:
            to_row = lambda record: id_map.get(int(record["partner_id"]))  # noqa: E731
        elif id_offset is not None:
            to_row = lambda record: int(record["partner_id"]) - id_offset  # noqa: E731
        else:
            raise ValueError("partner ids need --id-offset or --id-map to become row ids")
    else:
        raise ValueError("the prediction needs a row_id or partner_id column")
    parent = {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    row_cluster, joined = {}, 0
    for record in reader:
        row = to_row(record)
        if row is None:
            continue
        cluster = ("c", record[cluster_column])
        parent.setdefault(cluster, cluster)
        if row in row_cluster:
            a, b = find(row_cluster[row]), find(cluster)
            if a != b:
                parent[b] = a
                joined += 1
        else:
            row_cluster[row] = cluster
    return {row: find(cluster) for row, cluster in row_cluster.items()}, joined


def score(truth_rows, prediction, joined=0):  # noqa: C901 - one block per figure
    """Figures of ``prediction`` (``{row_id: cluster}``) on ``truth_rows`` (dicts of the CSV)."""
    entity_ids, groups, names, clusters = _Interner(), _Interner(), _Interner(), _Interner()
    row_entity, row_cluster, row_group, row_name = array("i"), array("i"), array("i"), array("i")
    group_kind, variants, row_ids = {}, [], []
    variant_pool = {}
    for record in truth_rows:
        row = int(record["row_id"])
        row_ids.append(row)
        row_entity.append(entity_ids[record["entity_id"]])
        cluster = prediction.get(row)
        row_cluster.append(clusters[cluster if cluster is not None else ("row", row)])
        group = record.get("hn_group") or ""
        if group:
            row_group.append(groups[group])
            group_kind[groups[group]] = record["hn_kind"]
            row_name.append(-1)
        else:
            row_group.append(-1)
            row_name.append(names[record.get("canon_name") or f"row {row}"])
        text = record.get("variants") or ""
        variants.append(variant_pool.setdefault(text, text))
    rows = len(row_ids)

    entity_size, cluster_size, cell = Counter(), Counter(), Counter()
    for i in range(rows):
        entity_size[row_entity[i]] += 1
        cluster_size[row_cluster[i]] += 1
        cell[row_entity[i], row_cluster[i]] += 1
    true_pairs = sum(comb2(n) for n in entity_size.values())
    predicted_pairs = sum(comb2(n) for n in cluster_size.values())
    found = sum(comb2(n) for n in cell.values())
    precision = found / predicted_pairs if predicted_pairs else 1.0
    recall = found / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def cross(keys):
        """(cross-person pairs, of which in one cluster) for rows grouped by ``keys``."""
        by_key, by_key_entity, by_key_cluster, by_all = Counter(), Counter(), Counter(), Counter()
        for i in range(rows):
            key = keys[i]
            if key < 0:
                continue
            by_key[key] += 1
            by_key_entity[key, row_entity[i]] += 1
            by_key_cluster[key, row_cluster[i]] += 1
            by_all[key, row_cluster[i], row_entity[i]] += 1
        total, merged = Counter(), Counter()
        for key, n in by_key.items():
            total[key] += comb2(n)
        for (key, _e), n in by_key_entity.items():
            total[key] -= comb2(n)
        for (key, _c), n in by_key_cluster.items():
            merged[key] += comb2(n)
        for (key, _c, _e), n in by_all.items():
            merged[key] -= comb2(n)
        return total, merged

    hard = {}
    total, merged = cross(row_group)
    per_kind = defaultdict(lambda: {"groups": 0, "pairs": 0, "merged_pairs": 0, "groups_merged": 0})
    for group, kind in group_kind.items():
        figures = per_kind[kind]
        figures["groups"] += 1
        figures["pairs"] += total[group]
        figures["merged_pairs"] += merged[group]
        figures["groups_merged"] += 1 if merged[group] else 0
    total, merged = cross(row_name)
    per_kind["chance_same_name"] = {
        "groups": sum(1 for key in total if total[key]),
        "pairs": sum(total.values()),
        "merged_pairs": sum(merged.values()),
        "groups_merged": sum(1 for key in merged if merged[key]),
    }
    for kind, figures in sorted(per_kind.items()):
        figures["merge_rate"] = (
            round(figures["merged_pairs"] / figures["pairs"], 4) if figures["pairs"] else None
        )
        hard[kind] = dict(figures)
    false_pairs = predicted_pairs - found
    causes = {kind: figures["merged_pairs"] for kind, figures in hard.items()}
    causes["other (unrelated persons)"] = false_pairs - sum(causes.values())

    # recall per difference: enumerate the true pairs person by person
    members = defaultdict(list)
    for i in range(rows):
        if entity_size[row_entity[i]] > 1:
            members[row_entity[i]].append(i)
    diff_pairs, diff_missed = Counter(), Counter()
    for indexes in members.values():
        for x in range(len(indexes)):
            for y in range(x + 1, len(indexes)):
                a, b = indexes[x], indexes[y]
                missed = row_cluster[a] != row_cluster[b]
                for label in pair_differences(variants[a], variants[b]):
                    diff_pairs[label] += 1
                    diff_missed[label] += missed
    differences = {
        label: {
            "pairs": diff_pairs[label],
            "missed": diff_missed[label],
            "missed_share": round(diff_missed[label] / diff_pairs[label], 4),
        }
        for label in sorted(diff_pairs, key=lambda k: (-diff_pairs[k], k))
    }
    grouped_rows = sum(1 for i in range(rows) if cluster_size[row_cluster[i]] > 1)
    return {
        "rows": rows,
        "persons": len(entity_size),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "found_pairs": found,
        "false_pairs": false_pairs,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "predicted_clusters": sum(1 for n in cluster_size.values() if n > 1),
        "rows_in_predicted_clusters": grouped_rows,
        "largest_predicted_cluster": max(cluster_size.values(), default=0),
        "clusters_joined_by_shared_rows": joined,
        "hard_negatives": hard,
        "false_pairs_by_cause": causes,
        "recall_by_difference": differences,
    }


def format_report(figures, out=sys.stdout):
    out.write(
        "rows {rows:,}, persons {persons:,}, true pairs {true_pairs:,}; predicted pairs "
        "{predicted_pairs:,} in {predicted_clusters:,} clusters"
        " (largest {largest_predicted_cluster})\n"
        "precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
        "(found {found_pairs:,}, false {false_pairs:,})\n".format(**figures)
    )
    out.write("hard negatives (pairs of different persons put in one cluster):\n")
    for kind, item in figures["hard_negatives"].items():
        rate = "n/a" if item["merge_rate"] is None else f"{item['merge_rate'] * 100:.1f} %"
        out.write(
            f"  {kind:<18} {rate:>8}  ({item['merged_pairs']:,} / {item['pairs']:,} pairs; "
            f"{item['groups_merged']:,} / {item['groups']:,} groups touched)\n"
        )
    out.write("false pairs by cause: ")
    out.write(", ".join(f"{k} {v:,}" for k, v in figures["false_pairs_by_cause"].items()) + "\n")
    out.write("true pairs missed, by what differs between the two rows (share missed):\n")
    for label, item in figures["recall_by_difference"].items():
        if item["pairs"] >= 20:
            out.write(f"  {item['missed_share'] * 100:5.1f} %  of {item['pairs']:>7,}  {label}\n")


def read_id_map(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {int(r["partner_id"]): int(r["row_id"]) for r in csv.DictReader(handle)}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--truth", required=True, help="the generated CSV (with its hidden columns)"
    )
    parser.add_argument(
        "--pred", required=True, help="hygiene dedup --export file, or row_id,cluster_id"
    )
    parser.add_argument("--id-offset", type=int, help="row_id = partner_id - OFFSET")
    parser.add_argument("--id-map", help="CSV partner_id,row_id")
    parser.add_argument("--json", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    id_map = read_id_map(args.id_map) if args.id_map else None
    with open(args.pred, newline="", encoding="utf-8") as handle:
        prediction, joined = read_prediction(handle, id_offset=args.id_offset, id_map=id_map)
    with open(args.truth, newline="", encoding="utf-8") as handle:
        figures = score(csv.DictReader(handle), prediction, joined)
    format_report(figures)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=1)
    return figures


if __name__ == "__main__":
    main()
