from odoo.exceptions import AccessError
from odoo.tests import Form, tagged, users

from ..tools import normalize
from ..tools.matching import (
    SCORE_REVIEW,
    Features,
    candidate_blocks,
    cluster,
    drop_ambiguous_links,
    find_groups,
    is_conflict,
    name_rarity,
    name_similarity,
    score_pair,
)
from .common import HygieneCommon, run_daily_scan


def _features(pid, name, email=None, phones=(), zip_code="75011", street=None, **extra):
    return Features(
        pid,
        name,
        email,
        frozenset(phones),
        extra.get("company_key"),
        zip_code,
        None,
        street,
        extra.get("is_company", False),
        extra.get("family", pid),
        extra.get("birthdate"),
        frozenset(extra.get("ids", ())),
    )


@tagged("post_install", "-at_install")
class TestMatchingTools(HygieneCommon):
    def test_score_explains_and_separates_family_members(self):
        jean = _features(1, "dupont jean", "jean@x.fr", {"+33612345678"}, street="12 rue a")
        same = _features(2, "dupont jean", "jean@x.fr", {"+33612345678"}, street="12 rue a")
        wife = _features(3, "dupont marie", "marie@x.fr", {"+33145678910"}, street="12 rue a")
        score, reasons = score_pair(jean, same)
        self.assertGreater(score, 0.97)
        self.assertEqual(reasons, ["same email", "same phone", "same name", "same address"])
        self.assertLess(score_pair(jean, wife)[0], 0.5)
        typo = _features(4, "dupond jean", None, (), street="12 rue a")
        score, reasons = score_pair(jean, typo)
        self.assertIn("name 0.9", " ".join(reasons))

    def test_shared_mailbox_is_weak_evidence(self):
        a = _features(1, "martin paul", "contact@acme.fr")
        b = _features(2, "durand lea", "contact@acme.fr")
        self.assertLess(score_pair(a, b, frozenset({"contact@acme.fr"}))[0], 0.1)

    def test_complete_linkage_does_not_chain(self):
        # A~B strong, B~C strong, A~C very different: no group of three
        scores = {(1, 2): 0.99, (2, 3): 0.98}
        clusters = cluster(None, scores, 0.5, score_fn=lambda a, b: 0.01)
        self.assertEqual([ids for ids, __ in clusters], [[1, 2]])
        clusters = cluster(None, {(1, 2): 0.99, (2, 3): 0.98}, 0.5, score_fn=lambda a, b: 0.9)
        self.assertEqual(clusters, [([1, 2, 3], 0.9)])


@tagged("post_install", "-at_install")
class TestMatchingRules(HygieneCommon):
    """The rules that lift recall (moves, typos) without merging hard negatives."""

    def test_phonetic_key(self):
        key = normalize.phonetic_key
        self.assertEqual(key("Dupont"), key("Dupond"))
        self.assertEqual(key("Dupont"), key("DUPPONT"))
        self.assertEqual(key("Lefebvre"), key("Lefèvre"))
        self.assertEqual(key("Philippe"), key("Filipe"))
        self.assertEqual(key("Gauthier"), key("Gautier"))
        self.assertNotEqual(key("Dupont"), key("Martin"))
        self.assertNotEqual(key("Martin"), key("Marchand"))
        for empty in (None, "", "a", "--", "'); DROP TABLE res_partner;--"[:3]):
            self.assertIsNone(key(empty), empty)

    def test_birthdate_key(self):
        self.assertEqual(normalize.birthdate_key("07/04/1959"), "1959-04-07")
        self.assertEqual(normalize.birthdate_key("1959-04-07"), "1959-04-07")
        self.assertEqual(normalize.birthdate_key("19590407"), "1959-04-07")
        self.assertIsNone(normalize.birthdate_key("31/02/1959"))
        self.assertIsNone(normalize.birthdate_key("n/a"))

    def test_initials_are_compatible_both_ways(self):
        self.assertEqual(name_similarity("garnier n", "garnier nathan"), 0.9)
        self.assertEqual(name_similarity("garnier nathan", "garnier n"), 0.9)
        self.assertLess(name_similarity("garnier nathan", "garnier m"), 0.85)
        # numbers tell names apart: "Agence 12" and "Agence 13" are two agencies
        self.assertLessEqual(name_similarity("12 agence", "13 agence"), 0.5)
        self.assertEqual(name_similarity("12 agence", "12 agence"), 1.0)

    def test_phonetic_surname_and_initial_block(self):
        jean = _features(1, "dupont jean", zip_code=None)
        typo = _features(2, "dupond j", zip_code=None)
        other = _features(3, "martin jean", zip_code=None)
        blocks, __, __ = candidate_blocks(
            {f.id: f for f in (jean, typo, other)}, phonetic=normalize.phonetic_key
        )
        self.assertIn([1, 2], blocks)
        self.assertFalse([block for block in blocks if 3 in block])
        # without the phonetic key, nothing brings them together (no postcode, no contact)
        blocks, __, __ = candidate_blocks({f.id: f for f in (jean, typo, other)})
        self.assertFalse(blocks)

    def test_name_only_match_after_a_move_needs_birth_date(self):
        before = _features(
            1, "belnville stephanie", "s.b@orange.fr", street="4 rue a", birthdate="1986-07-10"
        )
        moved = _features(
            2, "belnville stephanie", "sbel@free.fr", zip_code="45100", birthdate="1986-07-10"
        )
        score, reasons = score_pair(before, moved, name_counts={before.name_key: 2})
        self.assertGreaterEqual(score, 0.5)
        self.assertIn("same birth date", reasons)
        # the same name alone after a move, without a birth date, is never enough (homonyms)
        before_nodate, moved_nodate = (
            before._replace(birthdate=None),
            moved._replace(birthdate=None, email_key=None),
        )
        self.assertLess(
            score_pair(before_nodate, moved_nodate, name_counts={before.name_key: 2})[0], 0.5
        )
        # at the same postcode, a rare name is enough, a common one is not
        stayed = moved_nodate._replace(zip=before.zip)
        rare = score_pair(before_nodate, stayed, name_counts={before.name_key: 2})[0]
        common = score_pair(before_nodate, stayed, name_counts={before.name_key: 40})[0]
        self.assertGreaterEqual(rare, 0.5)
        self.assertLess(common, 0.5)
        self.assertGreater(name_rarity(2), name_rarity(40))
        # a typing slip in the birth date is not a contradiction
        slip = moved._replace(birthdate="1986-07-16")
        score, reasons = score_pair(before, slip, name_counts={before.name_key: 2})
        self.assertIn("birth date one digit apart", reasons)
        self.assertFalse(is_conflict(reasons))

    def test_father_and_son_with_different_birth_dates_are_two_people(self):
        father = _features(
            1,
            "riviere pierre",
            None,
            {"+33479123273"},
            street="126 av st martin",
            birthdate="1956-01-12",
        )
        son = _features(
            2,
            "riviere pierre",
            None,
            {"+33479123273"},
            street="126 av st martin",
            birthdate="1984-03-02",
        )
        score, reasons = score_pair(father, son, name_counts={father.name_key: 2})
        self.assertLess(score, 0.5)
        self.assertIn("different birth dates", reasons)
        self.assertTrue(is_conflict(reasons))
        # a record of either without a birth date or a mobile matches both equally: left alone
        bare = _features(3, "riviere pierre", None, street="126 av st martin")
        features = {f.id: f for f in (father, son, bare)}
        clusters, scores, __, stats = find_groups(features, phonetic=normalize.phonetic_key)
        self.assertGreaterEqual(scores[(1, 3)], 0.5)
        self.assertGreaterEqual(scores[(2, 3)], 0.5)
        self.assertFalse(clusters, "neither the father nor the son gets the bare record")
        self.assertEqual(stats["ambiguous_links"], 2)

    def test_twins_are_kept_apart_but_a_rewritten_name_is_not(self):
        home = {"street": "23 gundulu place", "birthdate": "1992-11-19"}
        first = _features(1, "capel benjamin", **home)
        twin = _features(2, "capel joshua", **home)
        score, reasons = score_pair(first, twin)
        self.assertLess(score, 0.5)
        self.assertTrue(is_conflict(reasons), "same surname, other first name: a relative")
        rewritten = _features(3, "goode thorpe", **home)
        score, reasons = score_pair(first, rewritten)
        self.assertGreaterEqual(score, 0.5)
        self.assertFalse(is_conflict(reasons))
        self.assertIn("names rewritten (0.", " ".join(reasons))
        # without the same birth date, names with nothing in common are two people
        stranger = rewritten._replace(birthdate="1990-01-01")
        self.assertTrue(is_conflict(score_pair(first, stranger)[1]))

    def test_ambiguity_is_resolved_by_a_clearly_stronger_link(self):
        scores = {(1, 3): 0.99, (2, 3): 0.6, (1, 2): 0.0}
        self.assertEqual(drop_ambiguous_links(scores, 0.5, lambda a, b: 0.0), 0)
        scores = {(1, 3): 0.62, (2, 3): 0.6, (1, 2): 0.0}
        self.assertEqual(drop_ambiguous_links(scores, 0.5, lambda a, b: 0.0), 2)
        self.assertEqual(scores, {(1, 3): 0.0, (2, 3): 0.0, (1, 2): 0.0})

    def test_record_with_little_data_joins_its_entity_but_never_a_conflicting_one(self):
        # 1 and 2 share a mobile; 3 (name only) is linked to 2 only; 1 and 3 have no
        # evidence either way: a low floor lets 3 in. 4 conflicts with 1: never joins.
        scores = {(1, 2): 0.99, (2, 3): 0.9, (2, 4): 0.8}
        unscored = {(1, 3): 0.3, (1, 4): 0.0, (3, 4): 0.3}
        clusters = cluster(None, scores, 0.5, lambda a, b: unscored[(a, b)], floor=0.02)
        self.assertEqual([ids for ids, __ in clusters], [[1, 2, 3]])

    def test_one_customer_number_is_one_customer(self):
        home = {"street": "11 rue des lilas", "birthdate": "1923-11-10"}
        first = _features(1, "skeen tahni", ids={"7:4111794"}, **home)
        renamed = _features(2, "murton tahni", ids={"7:4111794"}, **home)
        score, reasons = score_pair(first, renamed)
        self.assertGreater(score, 0.97)
        self.assertIn("same customer number", reasons)
        self.assertIn("names rewritten (0.", " ".join(reasons))
        self.assertFalse(is_conflict(reasons))
        # the same number in another source is another customer's: no evidence at all
        elsewhere = renamed._replace(ids=frozenset({"8:4111794"}))
        self.assertTrue(is_conflict(score_pair(first, elsewhere)[1]))
        # the same name and number, another birth date: a date typed wrong, not a father
        mistyped = _features(3, "skeen tahni", ids={"7:4111794"}, street=home["street"])
        mistyped = mistyped._replace(birthdate="1950-09-09")
        score, reasons = score_pair(first, mistyped)
        self.assertIn("birth dates apart", reasons)
        self.assertGreaterEqual(score, 0.5)
        without_number = mistyped._replace(ids=frozenset())
        self.assertTrue(is_conflict(score_pair(first, without_number)[1]), "father and son")
        # different customer numbers say nothing: duplicate accounts are what we look for
        other_account = _features(4, "skeen tahni", ids={"7:999"}, **home)
        no_number = first._replace(ids=frozenset())
        self.assertEqual(score_pair(first, other_account), score_pair(no_number, other_account))
        # name and birth date both against it: no link, but no cannot-link either, so a
        # record with a rewritten name and a mistyped date still joins its customer's group
        odd = _features(5, "jack stanley", ids={"7:4111794"}, street=home["street"])
        odd = odd._replace(birthdate="1983-02-23")
        score, reasons = score_pair(first, odd)
        self.assertLess(score, 0.5)
        self.assertFalse(is_conflict(reasons))
        bridge = _features(6, "jack stanley", ids={"7:4111794"}, **home)
        features = {f.id: f for f in (first, renamed, odd, bridge)}
        clusters, __, __, __ = find_groups(features, phonetic=normalize.phonetic_key)
        self.assertEqual([ids for ids, __ in clusters], [[1, 2, 5, 6]])

    def test_a_slip_under_a_customer_number_does_not_split_the_customer(self):
        # 1 and 2 carry one customer number; the shop rewrote 2's first name. 3 (no number) is
        # 1 typed again: its conflict with 2 is 2's slip, so the customer stays one group.
        home = {"street": "7 ferguson circuit", "birthdate": "1913-08-06"}
        right = _features(1, "dixon hannah", ids={"7:1605711"}, **home)
        rewritten = _features(2, "dixon sarah", ids={"7:1605711"}, **home)
        again = _features(3, "dixon hannah", **home)
        # elsewhere in the base, first names are more common than surnames (not a married name)
        base = {
            pid: _features(pid, name, zip_code="13001", street=f"{pid} rue b")
            for pid, name in enumerate(
                ("hannah roux", "sarah blanc", "hannah petit", "sarah roy"), 10
            )
        }

        def groups(*records, excluded=frozenset()):
            features = {**base, **{record.id: record for record in records}}
            clusters, __, reasons, __ = find_groups(
                features, excluded=excluded, phonetic=normalize.phonetic_key
            )
            return [ids for ids, __ in clusters], clusters, reasons

        ids, clusters, reasons = groups(right, rewritten, again)
        self.assertEqual(ids, [[1, 2, 3]])
        # the reviewer sees the conflict, and the group is reviewed, never merged by itself
        self.assertIn("different names (0.", " ".join(reasons[(2, 3)]))
        self.assertEqual(clusters[0][1], SCORE_REVIEW)
        # a birth date typed wrong under the number: the same
        mistyped = rewritten._replace(name_key="dixon hannah", birthdate="1931-08-06")
        self.assertEqual(groups(right, mistyped, again)[0], [[1, 2, 3]])
        # "not duplicates" is never excused (1 then looks like two different people: no group)
        ids = groups(right, mistyped, again, excluded={(2, 3)})[0]
        self.assertFalse([group for group in ids if {2, 3} <= set(group)])
        # two personal mobiles are two persons, whatever the number says of the others
        ids = groups(
            right,
            rewritten._replace(phones=frozenset({"+33611111111"})),
            again._replace(phones=frozenset({"+33622222222"})),
        )[0]
        self.assertFalse([group for group in ids if {2, 3} <= set(group)])
        # without the number, the other first name is another person (a twin)
        no_number = frozenset()
        ids = groups(right._replace(ids=no_number), rewritten._replace(ids=no_number), again)[0]
        self.assertEqual(ids, [[1, 3]])

    def test_married_name_is_one_person_but_twins_are_two(self):
        home = {"street": "3 green street", "birthdate": "1913-08-06"}
        maiden = _features(1, "bloomfield hannah", **home)
        married = _features(2, "dixon hannah", **home)
        twin = _features(3, "bloomfield sarah", **home)
        # in this base "hannah" is a first name (many carry it), the surnames are rare
        words = {"hannah": 40, "sarah": 35, "bloomfield": 3, "dixon": 5}
        score, reasons = score_pair(maiden, married, word_counts=words)
        self.assertGreaterEqual(score, 0.5)
        self.assertIn("surname changed (0.", " ".join(reasons))
        self.assertFalse(is_conflict(reasons))
        score, reasons = score_pair(maiden, twin, word_counts=words)
        self.assertLess(score, 0.5)
        self.assertTrue(is_conflict(reasons), "the shared word is the surname: a relative")
        # without counts (the import), or elsewhere, or born another day: not the same person
        self.assertTrue(is_conflict(score_pair(maiden, married)[1]))
        # issue 16: a married name lowers the score instead of forbidding the link; after a
        # move it needs more evidence (a mailbox, a phone) to reach the review band
        moved = married._replace(street="9 other road")
        score, reasons = score_pair(maiden, moved, word_counts=words)
        self.assertFalse(is_conflict(reasons))
        self.assertLess(score, 0.5)
        other_day = married._replace(birthdate="1913-08-07")
        self.assertLess(score_pair(maiden, other_day, word_counts=words)[0], 0.5)

    def test_words_cut_in_other_places(self):
        self.assertEqual(name_similarity("ie nicolle soph", "nicolle sophie"), 1.0)
        self.assertGreaterEqual(name_similarity("marie claire dubois", "marieclaire dubois"), 0.9)
        self.assertLess(name_similarity("jean paul", "paulette jeanne dupont"), 0.85)


@tagged("post_install", "-at_install")
class TestDuplicateScan(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        france = cls.env.ref("base.fr").id
        common = {"country_id": france, "zip": "69003", "city": "Lyon"}
        cls.claire = Partner.create(
            {
                "name": "Ysaline Quintard",
                "email": "ysaline.quintard@orange.fr",
                "mobile": "0612121212",
                "street": "8 cours Gambetta",
                **common,
            }
        )
        cls.claire_twin = Partner.create(
            {
                "name": "QUINTARD Ysaline",
                "email": "Ysaline.Quintard+shop@orange.fr",
                "phone": "+33 6 12 12 12 12",
                "street": "8 crs Gambetta",
                **common,
            }
        )
        cls.claire_typo = Partner.create(
            {"name": "Ysaline Quintardx", "street": "8 cours Gambetta", **common}
        )
        # hard negatives
        cls.husband = Partner.create(
            {
                "name": "Pierre Quintard",
                "email": "pierre.quintard@orange.fr",
                "street": "8 cours Gambetta",
                "mobile": "0698989898",
                **common,
            }
        )
        cls.homonym = Partner.create(
            {
                "name": "Ysaline Quintard",
                "email": "yquintard@free.fr",
                "zip": "13006",
                "city": "Marseille",
                "country_id": france,
            }
        )
        cls.company = Partner.create(
            {"name": "Quintard Conseil SARL", "is_company": True, "vat": "FR44732829320", **common}
        )
        cls.company_twin = Partner.create(
            {
                "name": "QUINTARD CONSEIL",
                "is_company": True,
                "company_registry": "732829320",
                **common,
            }
        )
        cls.employee_of_company = Partner.create(
            {"name": "Quintard Conseil", "parent_id": cls.company.id, **common}
        )
        # 60 colleagues sharing one generic mailbox: no giant cluster
        cls.colleagues = Partner.create(
            [
                {"name": f"Colleague {i}", "email": "contact@bigcorp.fr", "zip": "75011"}
                for i in range(60)
            ]
        )

    def _groups(self):
        return self.env["hygiene.duplicate.group"].search([("state", "=", "pending")])

    def _group_of(self, partner):
        return self._groups().filtered(lambda g: partner in g.partner_ids)

    def test_scan_finds_duplicates_and_respects_hard_negatives(self):
        stats = self.env["hygiene.duplicate.group"]._hygiene_scan()
        self.assertGreaterEqual(stats["oversized_blocks"], 1, "the generic mailbox is reported")
        claire_group = self._group_of(self.claire)
        self.assertEqual(len(claire_group), 1)
        self.assertEqual(
            claire_group.partner_ids, self.claire | self.claire_twin | self.claire_typo
        )
        self.assertIn("same email", claire_group.reasons)
        self.assertIn("same phone", claire_group.reasons)
        self.assertNotIn(self.husband, claire_group.partner_ids)
        self.assertFalse(self._group_of(self.homonym), "a homonym in another city")
        company_group = self._group_of(self.company)
        self.assertEqual(company_group.partner_ids, self.company | self.company_twin)
        self.assertIn("same SIREN/VAT", company_group.reasons)
        self.assertFalse(self._group_of(self.employee_of_company))
        big = self._groups().filtered(lambda g: g.partner_ids & self.colleagues)
        self.assertFalse(big, big.mapped(lambda g: (g.partner_ids.mapped("name"), g.reasons)))
        self.assertFalse(self._group_of(self.colleagues[0]))

    def test_scan_uses_birth_dates_for_moves_and_father_and_son(self):
        Partner = self.env["res.partner"]
        france = self.env.ref("base.fr").id
        home = {"country_id": france, "zip": "34080", "street": "126 avenue Saint-Martin"}
        father = Partner.create(
            {
                "name": "Barthélémy Oudinet",
                "mobile": "06 11 22 33 44",
                "hygiene_birthdate": "1956-01-12",
                **home,
            }
        )
        son = Partner.create(
            {
                "name": "OUDINET Barthélémy",
                "mobile": "07 55 66 77 88",
                "hygiene_birthdate": "1984-03-02",
                **home,
            }
        )
        son_again = Partner.create(
            {
                "name": "Barthelemy Oudinet",
                "email": "b.oudinet@gmail.com",
                "hygiene_birthdate": "1984-03-02",
                **home,
            }
        )
        # the son moved to Lille, new email, no phone: his name and birth date tell
        son_moved = Partner.create(
            {
                "name": "M. Barthélemy Oudinet",
                "email": "boudinet@free.fr",
                "zip": "59000",
                "country_id": france,
                "hygiene_birthdate": "1984-03-02",
            }
        )
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        group = self._group_of(son)
        self.assertEqual(group.partner_ids, son | son_again | son_moved)
        self.assertIn("same birth date", group.reasons)
        self.assertFalse(self._group_of(father), "the father is never merged with his son")

    def test_scan_uses_the_customer_numbers_of_origins(self):
        Partner = self.env["res.partner"]
        Origin = self.env["hygiene.partner.origin"]
        home = {"zip": "33000", "city": "Bordeaux", "street": "4 rue Sainte-Catherine"}
        account = Partner.create({"name": "Tahni Skeen", **home})
        renamed = Partner.create({"name": "Brooke Murton", **home})
        elsewhere = Partner.create({"name": "Lou Vidal", **home})
        Origin.create(
            [
                {"partner_id": account.id, "source_id": self.source_shop.id, "source_ref": "C77"},
                {"partner_id": renamed.id, "source_id": self.source_shop.id, "source_ref": "C77"},
                # the same number in another system is somebody else's
                {"partner_id": elsewhere.id, "source_id": self.source_fair.id, "source_ref": "C77"},
            ]
        )
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        group = self._group_of(account)
        self.assertEqual(group.partner_ids, account | renamed)
        self.assertIn("same customer number", group.reasons)
        self.assertFalse(self._group_of(elsewhere))

    def test_reasons_are_shown_in_the_users_language(self):
        group = self.env["hygiene.duplicate.group"].create(
            {"reasons": "#1 ~ #2: same email, name 0.93, names rewritten (0.61), unknown words"}
        )
        self.assertEqual(group.reasons_label, group.reasons)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        french = group.with_context(lang="fr_FR")
        self.assertEqual(
            french.reasons_label,
            "#1 ~ #2: même e-mail, nom 0.93, noms réécrits (0.61), unknown words",
        )
        self.assertEqual(french.reasons, group.reasons, "stored in English for the filters")

    def test_not_duplicates_is_remembered_and_rescan_keeps_decisions(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        company_group = self._group_of(self.company)
        company_group.action_not_duplicates()
        self.assertEqual(company_group.state, "ignored")
        Group._hygiene_scan()
        self.assertFalse(self._group_of(self.company), "never proposed again")
        self.assertTrue(company_group.exists(), "decided groups are kept")
        self.assertEqual(len(self._group_of(self.claire)), 1, "pending groups are replaced")

    def test_archived_partners_are_ignored(self):
        self.claire_twin.active = False
        self.claire_typo.active = False
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        self.assertFalse(self._group_of(self.claire))

    @users("hyg_user")
    def test_only_stewards_scan(self):
        with self.assertRaises(AccessError):
            self.env["hygiene.duplicate.group"]._hygiene_scan()

    @users("hyg_steward")
    def test_steward_scans_from_the_list(self):
        action = self.env["hygiene.duplicate.group"].action_scan()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self._groups())

    @users("hyg_steward")
    def test_merge_a_group_from_the_review_screen(self):
        Group = self.env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        group = self._group_of(self.claire)
        group.survivor_id = self.claire
        group.action_merge()
        self.assertEqual(group.state, "merged")
        self.assertTrue(self.claire.active)
        self.assertFalse((self.claire_twin | self.claire_typo).filtered("active"))
        self.assertEqual(self.claire_twin.hygiene_merged_into_id, self.claire)
        journal = self.env["hygiene.merge.journal"].search([("survivor_id", "=", self.claire.id)])
        self.assertEqual(journal.source_ids, self.claire_twin | self.claire_typo)
        # a merged group is kept; the next scan does not propose the archived contacts again
        Group._hygiene_scan()
        self.assertEqual(self._group_of(self.claire), self.env["hygiene.duplicate.group"])

    @users("hyg_steward")
    def test_merge_all_groups_above_a_score(self):
        self.env["hygiene.duplicate.group"]._hygiene_scan()
        wizard_form = Form(self.env["hygiene.duplicate.merge.wizard"])
        wizard_form.min_score = 0.99
        high = wizard_form.group_count
        wizard_form.min_score = 0.5
        self.assertGreaterEqual(wizard_form.group_count, high)
        self.assertGreaterEqual(wizard_form.group_count, 2)
        action = wizard_form.save().action_merge()
        self.assertIn("groups merged", action["params"]["message"])
        ours = self.claire | self.claire_twin | self.claire_typo | self.company | self.company_twin
        self.assertFalse(self._groups().filtered(lambda g: g.partner_ids & ours))
        # the test users share one email: their group is refused (two users) and stays to review
        users_group = self._groups().filtered(
            lambda g: g.partner_ids & self.user_hygiene.partner_id
        )
        self.assertTrue(users_group)
        self.assertRegex(action["params"]["message"], r"[1-9][0-9]* refused")
        self.assertEqual(
            len((self.claire | self.claire_twin | self.claire_typo).filtered("active")), 1
        )
        self.assertEqual(len((self.company | self.company_twin).filtered("active")), 1)

    def test_daily_cron_auto_merges_only_when_a_threshold_is_set(self):
        Group = self.env["hygiene.duplicate.group"]
        run_daily_scan(self.env)
        self.assertTrue(self._group_of(self.claire), "no auto-merge by default")
        self.assertTrue(self.claire_twin.active)
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.dedup_auto_merge_threshold", "0.99"
        )
        run_daily_scan(self.env)
        self.assertEqual(len((self.company | self.company_twin).filtered("active")), 1)
        # the Claire group holds a weaker pair (a typo, no email): it stays to review
        self.assertLess(self._group_of(self.claire).score, 0.99)
        self.assertEqual(
            len((self.claire | self.claire_twin | self.claire_typo).filtered("active")), 3
        )
        merged = Group.search([("state", "=", "merged")])
        self.assertTrue(merged.filtered(lambda g: g.score >= 0.99))
        self.assertFalse(merged.filtered(lambda g: g.score < 0.99))
