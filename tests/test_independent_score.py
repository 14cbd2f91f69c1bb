"""Pure tests of bench/independent/score.py, the scorer of the independent duplicate set (no
database access): tiny hand-made truths and groupings whose figures are counted by hand."""

import csv
import io

from odoo.tests import BaseCase, tagged

from ..bench.independent import score

HEADER = "row_id,entity_id,hn_kind,hn_group,canon_name,variants\n"
# A: 3 rows of one person, married spouse of B (one group); C and D: two persons named alike
# outside any group; E alone.
TRUTH = HEADER + (
    "1,A,spouse,G1,marie dupont,addr=0;mail=0;sur=birth\n"
    "2,A,spouse,G1,marie dupont,addr=1;mail=0;sur=married;name_typo\n"
    "3,A,spouse,G1,marie dupont,mob=0;sur=married;no_birthdate\n"
    "4,B,spouse,G1,jean dupont,addr=0;mail=0\n"
    "5,C,,,jean martin,mail=0\n"
    "6,D,,,jean martin,mail=0\n"
    "7,E,,,paul roux,\n"
)


def _truth():
    return csv.DictReader(io.StringIO(TRUTH))


def _pred(text, **kwargs):
    return score.read_prediction(io.StringIO(text), **kwargs)


@tagged("post_install", "-at_install")
class TestIndependentScore(BaseCase):
    def test_perfect_grouping(self):
        prediction, _joined = _pred("row_id,cluster_id\n1,a\n2,a\n3,a\n")
        figures = score.score(_truth(), prediction)
        self.assertEqual((figures["precision"], figures["recall"], figures["f1"]), (1.0, 1.0, 1.0))
        self.assertEqual(figures["true_pairs"], 3)
        self.assertEqual(figures["false_pairs"], 0)
        for kind in ("spouse", "chance_same_name"):
            self.assertEqual(figures["hard_negatives"][kind]["merge_rate"], 0.0)

    def test_nothing_grouped(self):
        prediction, _joined = _pred("row_id,cluster_id\n")
        figures = score.score(_truth(), prediction)
        self.assertEqual(figures["recall"], 0.0)
        self.assertEqual(figures["precision"], 1.0)  # no pair proposed, none wrong
        self.assertEqual(figures["f1"], 0.0)
        self.assertEqual(
            figures["recall_by_difference"]["address differs (moved, or home vs work)"]["missed"], 1
        )

    def test_split_and_false_merges(self):
        # {1,2,4}: one right pair (1,2) and two spouse pairs; {5,6}: chance homonyms; 3, 7 alone
        prediction, _joined = _pred("row_id,cluster_id\n1,x\n2,x\n4,x\n3,y\n5,z\n6,z\n")
        figures = score.score(_truth(), prediction)
        self.assertEqual(figures["predicted_pairs"], 4)
        self.assertEqual(figures["found_pairs"], 1)
        self.assertEqual(figures["precision"], 0.25)
        self.assertEqual(figures["recall"], round(1 / 3, 4))
        self.assertEqual(figures["f1"], round(2 * 0.25 * (1 / 3) / (0.25 + 1 / 3), 4))
        spouse = figures["hard_negatives"]["spouse"]
        self.assertEqual(
            (spouse["pairs"], spouse["merged_pairs"]), (3, 2)
        )  # 1-4, 2-4 of 1-4, 2-4, 3-4
        self.assertEqual(spouse["merge_rate"], round(2 / 3, 4))
        self.assertEqual(spouse["groups_merged"], 1)
        chance = figures["hard_negatives"]["chance_same_name"]
        self.assertEqual(
            (chance["pairs"], chance["merged_pairs"], chance["merge_rate"]), (1, 1, 1.0)
        )
        self.assertEqual(
            figures["false_pairs_by_cause"],
            {"chance_same_name": 1, "spouse": 2, "other (unrelated persons)": 0},
        )
        self.assertEqual(figures["largest_predicted_cluster"], 3)
        # (1,2) found; (1,3) and (2,3) missed: the married name is in (1,2) and (1,3)
        married = figures["recall_by_difference"]["surname differs (married / maiden / both)"]
        self.assertEqual((married["pairs"], married["missed"]), (2, 1))

    def test_export_with_partner_ids(self):
        # the hygiene dedup --export layout; partner 1003 in two groups joins them
        export = (
            "partner_id,group_id,score,source_ref\n"
            "1001,7,0.9,\n1002,7,0.9,\n1003,8,0.8,\n1003,7,0.8,\n1005,9,0.7,\n1006,9,0.7,\n"
        )
        prediction, joined = _pred(export, id_offset=1000)
        self.assertEqual(joined, 1)
        self.assertEqual(len({prediction[r] for r in (1, 2, 3)}), 1)
        figures = score.score(_truth(), prediction, joined)
        self.assertEqual((figures["found_pairs"], figures["recall"]), (3, 1.0))
        self.assertEqual(figures["false_pairs"], 1)
        mapped, _joined = _pred(export, id_map={1001: 1, 1002: 2, 1003: 3})
        self.assertEqual(set(mapped), {1, 2, 3})  # partners outside the map are ignored
        with self.assertRaises(ValueError):
            _pred(export)  # partner ids without a way to turn them into rows

    def test_pair_differences(self):
        labels = score.pair_differences(
            "addr=0;mail=0;sur=birth", "addr=1;mail=0;sur=married;name_typo"
        )
        self.assertIn("address differs (moved, or home vs work)", labels)
        self.assertIn("surname differs (married / maiden / both)", labels)
        self.assertIn("noise: name_typo", labels)
        self.assertNotIn("email differs (new mailbox, or home vs work)", labels)
        self.assertNotIn(score.NO_SHARED, labels)  # the same mailbox
        self.assertIn(score.SHARED, labels)
        self.assertIn("shares the mailbox (same epoch, noise aside)", labels)
        self.assertNotIn("shares only the address (no mailbox, no phone)", labels)
        labels = score.pair_differences("mob=0;no_birthdate", "mail=1")
        self.assertIn(score.NO_SHARED, labels)
        self.assertNotIn(score.SHARED, labels)
        self.assertIn("email in one row only", labels)
        self.assertIn("birth date in one row only", labels)
        self.assertNotIn("noise: no_birthdate", labels)
