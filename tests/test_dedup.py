from odoo.exceptions import AccessError
from odoo.tests import Form, tagged, users

from ..tools.matching import Features, cluster, score_pair
from .common import HygieneCommon


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
        Group._cron_scan()
        self.assertTrue(self._group_of(self.claire), "no auto-merge by default")
        self.assertTrue(self.claire_twin.active)
        self.env["ir.config_parameter"].set_param(
            "partner_data_hygiene.dedup_auto_merge_threshold", "0.99"
        )
        Group._cron_scan()
        self.assertEqual(len((self.company | self.company_twin).filtered("active")), 1)
        # the Claire group holds a weaker pair (a typo, no email): it stays to review
        self.assertLess(self._group_of(self.claire).score, 0.99)
        self.assertEqual(
            len((self.claire | self.claire_twin | self.claire_typo).filtered("active")), 3
        )
        merged = Group.search([("state", "=", "merged")])
        self.assertTrue(merged.filtered(lambda g: g.score >= 0.99))
        self.assertFalse(merged.filtered(lambda g: g.score < 0.99))
