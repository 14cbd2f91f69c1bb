"""One matcher (issue 16): the same grouping through a scan and an import; Fellegi-Sunter levels,
soft differences, hard rules, weights learnt from the base and the stewards' decisions."""

import base64
import json

from odoo.tests import tagged

from ..const import DEDUP_MODEL as MODEL_PARAM
from ..const import DEDUP_USE_LEARNT_WEIGHTS as USE_MODEL_PARAM
from ..tools.matching import (
    SCORE_REVIEW,
    Features,
    comparison_levels,
    find_groups,
    is_conflict,
    keeps_apart,
    score_pair,
)
from ..tools.matching import weights as fs_weights
from .common import HygieneCommon, run_daily_scan

HEADER = "Prénom;Nom;Courriel;Portable;CP;Ville\n"
ROWS = (
    ("Paul", "Martin", "paul.martin@example.org", "07 81 22 33 44", "69003", "Lyon"),
    ("PAUL", "MARTIN", "Paul.Martin@Example.org", "", "69003", "Lyon"),
    ("Paul", "Martin", "paul.m@autre.org", "0781223344", "69003", "Lyon"),
    ("Claire", "Dubois", "claire.dubois@example.org", "06 11 11 11 11", "33000", "Bordeaux"),
    # the same Claire years later: a new mobile lowers the score, the mailbox and name hold
    ("Claire", "Dubois", "claire.dubois@example.org", "06 22 22 22 22", "33000", "Bordeaux"),
    # her brother at the same postcode: the same surname, another first name
    ("Marc", "Dubois", "", "06 33 33 33 33", "33000", "Bordeaux"),
    ("Zoé", "Leroy", "zoe.leroy@example.net", "", "44000", "Nantes"),
)


def _person(pid, name, email=None, phones=(), zip_code="75011", street=None, birth=None):
    return Features(
        pid, name, email, frozenset(phones), None, zip_code, None, street, False, pid, birth
    )


@tagged("post_install", "-at_install")
class TestOneMatcher(HygieneCommon):
    def _import_groups(self):
        content = HEADER + "".join(";".join(row) + "\n" for row in ROWS)
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content.encode("utf-8")),
                    "raw_filename": "clients.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        lines = batch.line_ids
        groups = {}
        for line in lines:
            leader = line.match_line_id or line
            groups.setdefault(leader.id, set()).add(line.line_number - 2)  # row index
        return {frozenset(group) for group in groups.values() if len(group) > 1}

    def _scan_groups(self):
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"{first} {last}",
                    "email": email or False,
                    "mobile": mobile or False,
                    "zip": zip_code,
                    "city": city,
                }
                for first, last, email, mobile, zip_code, city in ROWS
            ]
        )
        index = {partner.id: i for i, partner in enumerate(partners)}
        self.env["hygiene.duplicate.group"].sudo()._hygiene_scan()
        groups = self.env["hygiene.duplicate.group"].sudo().search([("state", "=", "pending")])
        return {
            frozenset(index[pid] for pid in group.partner_ids.ids if pid in index)
            for group in groups
            if set(group.partner_ids.ids) & set(index)
        }

    def test_scan_and_import_group_alike(self):
        imported = self._import_groups()  # staged only: no contact written
        scanned = self._scan_groups()
        self.assertEqual(imported, scanned)
        self.assertIn(frozenset({0, 1, 2}), scanned)
        self.assertIn(frozenset({3, 4}), scanned, "a new mobile does not forbid the link")
        self.assertFalse(any(5 in group for group in scanned), "her brother stays apart")

    def test_uncertain_rows_are_created_and_proposed_for_review(self):
        content = HEADER + "".join(";".join(row) + "\n" for row in ROWS)
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content.encode("utf-8")),
                    "raw_filename": "clients.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        batch.action_stage()
        claire = batch.line_ids.filtered(lambda line: line.line_number == 6)
        self.assertEqual((claire.decision, claire.decision_reason), ("create", "uncertain_in_file"))
        self.assertFalse(batch.line_ids.filtered(lambda line: line.decision == "quarantine"))
        batch.action_commit()
        created = self.env["res.partner"].search([("email", "=", "claire.dubois@example.org")])
        self.assertEqual(len(created), 2)
        Groups = self.env["hygiene.duplicate.group"].with_user(self.user_steward)
        # proposed by the commit itself, not after the next daily scan
        proposed = Groups.search([("state", "=", "pending"), ("partner_ids", "in", created.ids)])
        self.assertEqual(proposed.partner_ids, created)
        self.assertEqual(proposed.review_band, "review")
        self.assertEqual(proposed.score, claire.score)
        self.assertIn(f"#{min(created.ids)} ~ #{max(created.ids)}", proposed.reasons)
        self.assertTrue(proposed.reasons_label)
        uncertain = batch.line_ids.filtered(
            lambda line: line.decision_reason == "uncertain_in_file"
        )
        self.assertIn(f"in Duplicates to Review: {len(uncertain)}", batch._report_text())
        mine = [("partner_ids", "in", batch.line_ids.result_partner_id.ids)]
        before = {frozenset(g.partner_ids.ids) for g in Groups.search(mine)}
        # the scan finds them again, the same matcher grouping them the same way
        Groups._hygiene_scan()
        group = Groups.search([("state", "=", "pending"), ("partner_ids", "in", created.ids)])
        self.assertEqual(group.partner_ids, created)
        self.assertEqual(group.review_band, "review")
        self.assertEqual({frozenset(g.partner_ids.ids) for g in Groups.search(mine)}, before)

    def test_import_uses_the_review_threshold_of_the_settings(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_data_hygiene.dedup_review_threshold", "0.999"
        )
        self.assertNotIn(frozenset({3, 4}), self._import_groups())


class TestFellegiSunter(HygieneCommon):
    def test_new_mobile_lowers_the_score_without_forbidding(self):
        old = _person(1, "claire dubois", "claire.dubois@example.org", {"+33611111111"})
        new = _person(2, "claire dubois", "claire.dubois@example.org", {"+33622222222"})
        same = _person(3, "claire dubois", "claire.dubois@example.org", {"+33611111111"})
        score, reasons = score_pair(old, new)
        self.assertIn("different mobiles", reasons)
        self.assertFalse(is_conflict(reasons))
        self.assertGreaterEqual(score, SCORE_REVIEW)
        self.assertLess(score, score_pair(old, same)[0])

    def test_married_name_is_a_soft_difference(self):
        word_counts = {"samia": 5, "lagin": 1, "poirier": 1}
        maiden = _person(1, "lagin samia", "samia.poirier@example.fr")
        married = _person(2, "poirier samia", "samia.poirier@example.fr")
        levels, __ = comparison_levels(maiden, married, word_counts=word_counts)
        self.assertEqual(levels["name"], "surname_changed")
        score, reasons = score_pair(maiden, married, word_counts=word_counts)
        self.assertFalse(is_conflict(reasons))
        # a relative sharing the surname (the rarer word) is another person
        brother = _person(3, "lagin marc")
        __, reasons = score_pair(maiden, brother, word_counts={**word_counts, "marc": 5})
        self.assertTrue(is_conflict(reasons))

    def test_father_and_son_not_chained_through_a_third_record(self):
        street = "12 rue des lilas"
        father = _person(1, "dupont jean", phones={"+33611111111"}, street=street)
        son = _person(2, "dupont jean", phones={"+33622222222"}, street=street)
        bare = _person(3, "dupont jean", street=street)
        score, reasons = score_pair(father, son)
        self.assertTrue(keeps_apart(reasons, score, SCORE_REVIEW))
        clusters, __, __, __ = find_groups({1: father, 2: son, 3: bare})
        for ids, __ in clusters:
            self.assertFalse({1, 2} <= set(ids))

    def test_generational_suffix_is_two_people(self):
        father = _person(1, "dupont jean", "jean.dupont@example.fr")
        son = _person(2, "dupont jean junior", "jean.dupont@example.fr")
        self.assertTrue(is_conflict(score_pair(father, son)[1]))

    def test_name_of_an_email_is_no_name(self):
        partner = self.env["res.partner"].create(
            {"name": "jo.blo@example.fr", "email": "jo.blo@example.fr"}
        )
        self.assertFalse(partner.hygiene_name_key)
        self.assertEqual(partner.hygiene_email_key, "jo.blo@example.fr")

    def test_estimate_is_reproducible_and_takes_labels(self):
        features = {
            pid: _person(
                pid,
                f"name{pid % 40} first{pid % 7}",
                f"box{pid % 60}@example.fr",
                {f"+3361{pid % 50:07d}"},
                f"{75000 + pid % 20}",
            )
            for pid in range(1, 301)
        }
        first = fs_weights.estimate(features, random_pairs=3000)
        second = fs_weights.estimate(features, random_pairs=3000)
        self.assertEqual(json.dumps(first, sort_keys=True), json.dumps(second, sort_keys=True))
        self.assertEqual(set(first["weights"]), set(fs_weights.DEFAULT_WEIGHTS))
        labelled = fs_weights.estimate(
            features, random_pairs=3000, matches=[(1, 61)], non_matches=[(1, 2)]
        )
        self.assertEqual(labelled["labelled_pairs"], {"matches": 1, "non_matches": 1})
        explained = fs_weights.explain(features[1], features[61], labelled)
        self.assertIn("email", {comparison for comparison, __, __ in explained})

    def test_learn_weights_stored_and_used_by_the_scan(self):
        Partner = self.env["res.partner"]
        Partner.create(
            [
                {"name": "Anne Petit", "email": "anne.petit@example.fr", "zip": "35000"},
                {"name": "ANNE PETIT", "email": "Anne.Petit@example.fr", "zip": "35000"},
                {"name": "Luc Moreau", "email": "luc.moreau@example.fr", "zip": "29000"},
            ]
        )
        Groups = self.env["hygiene.duplicate.group"].with_user(self.user_steward)
        model = Groups._hygiene_learn_weights()
        stored = json.loads(self.env["ir.config_parameter"].sudo().get_param(MODEL_PARAM))
        self.assertEqual(stored["weights"], model["weights"])
        self.assertIsNone(Groups._hygiene_scan_model(), "off until the setting says so")
        self.env["ir.config_parameter"].sudo().set_param(USE_MODEL_PARAM, "1")
        self.assertEqual(Groups._hygiene_scan_model()["weights"], model["weights"])
        Groups._hygiene_scan()
        self.assertTrue(Groups.search([("partner_ids.email", "=ilike", "anne.petit@example.fr")]))


@tagged("post_install", "-at_install")
class TestReviewBand(HygieneCommon):
    def test_review_band_sorted_with_evidence_and_only_auto_merged(self):
        Partner = self.env["res.partner"]
        sure = Partner.create(
            [
                {"name": "Odile Marchal", "email": "odile.marchal@example.fr", "zip": "21000"},
                {"name": "ODILE MARCHAL", "email": "Odile.Marchal@example.fr", "zip": "21000"},
            ]
        )
        # years apart: another mobile lowers the score into the review band
        unsure = Partner.create(
            [
                {
                    "name": "Rémi Fabre",
                    "email": "remi.fabre@example.fr",
                    "mobile": "06 12 12 12 12",
                },
                {
                    "name": "Remi Fabre",
                    "email": "remi.fabre@example.fr",
                    "mobile": "07 34 34 34 34",
                },
            ]
        )
        Groups = self.env["hygiene.duplicate.group"].with_user(self.user_steward)
        Groups._hygiene_scan()
        mine = Groups.search([("partner_ids", "in", (sure | unsure).ids)])
        self.assertEqual(len(mine), 2)
        first, second = mine  # the model's order: best score first
        self.assertGreater(first.score, second.score)
        self.assertEqual(first.partner_ids, sure)
        self.assertIn("different mobiles", second.reasons)
        self.assertIn("mobiles different", second.evidence)
        self.assertIn("email same +6.0", first.evidence)
        self.assertIn("email same +6.0", first.evidence_label)  # the evidence, in words
        self.assertNotIn("+6.0", first.reasons_label)  # not in the lists
        auto = (first.score + second.score) / 2
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_data_hygiene.dedup_auto_merge_threshold", str(auto)
        )
        self.assertEqual(first.review_band, "auto")
        self.assertEqual(second.review_band, "review")
        self.assertEqual(Groups.search([("review_band", "=", "review")]) & mine, second)
        run_daily_scan(self.env)
        self.assertEqual(len(sure.filtered("active")), 1, "the auto band is merged")
        self.assertEqual(len(unsure.filtered("active")), 2, "the review band waits")
        pending = Groups.search([("state", "=", "pending"), ("partner_ids", "in", unsure.ids)])
        self.assertEqual(pending.partner_ids, unsure)
