"""Matcher recall (issue 16 §5): nicknames, married names, household and typed mailboxes, moves.

Pure Python (``tools/matching``), checked on pairs a steward recognises at a glance: each test
states what the matcher must say of two records, not a figure of a benchmark."""

from odoo.tests import BaseCase, tagged

from ..tools import normalize
from ..tools.matching import Features, comparison_levels, is_conflict, score_pair
from ..tools.matching.features import compared_names, is_email_slip, is_household_email


def _person(pid, name, email=None, phones=(), zip_code="75011", street=None, birth=None, city=None):
    return Features(
        pid,
        normalize.person_name_key(name) if name else None,
        normalize.email_key(email) if email else None,
        frozenset(normalize.normalize_phone(p) for p in phones),
        None,
        zip_code,
        city,
        normalize.street_key(street) if street else None,
        False,
        pid,
        birth,
    )


@tagged("post_install", "-at_install")
class TestNames(BaseCase):
    def test_a_nickname_is_the_full_first_name(self):
        self.assertEqual(
            compared_names("fred martin", "frederic martin"),
            ("frederic martin", "frederic martin"),
        )
        levels, __ = comparison_levels(
            _person(1, "Fred Martin", "f.martin@example.org"),
            _person(2, "Frédéric Martin", "frederic.martin@example.net"),
        )
        self.assertEqual(levels["name"], "exact")

    def test_a_compound_short_form_needs_both_words(self):
        self.assertEqual(compared_names("durand jp", "durand jean pierre")[0], "durand jean pierre")
        # "JP" is not "Jean" alone: left as written
        self.assertEqual(compared_names("durand jp", "durand jean")[0], "durand jp")

    def test_a_nickname_of_another_name_is_not_expanded(self):
        self.assertEqual(compared_names("nico martin", "nathalie martin")[0], "martin nico")

    def test_nee_is_not_a_name_word(self):
        levels, __ = comparison_levels(
            _person(1, "Marie Dupont née Martin"), _person(2, "Marie Dupont Martin")
        )
        self.assertEqual(levels["name"], "exact")

    def test_married_name_with_her_mailbox_is_one_person(self):
        maiden = _person(1, "Samia Lagin", "samia.poirier@icloud.com", zip_code=None)
        married = _person(2, "Samia Poirier", "samia.poirier@icloud.com", zip_code=None)
        word_counts = {"samia": 40, "lagin": 2, "poirier": 3}
        levels, __ = comparison_levels(maiden, married, word_counts=word_counts)
        self.assertEqual(levels["name"], "surname_changed")
        score, reasons = score_pair(maiden, married, word_counts=word_counts)
        self.assertGreaterEqual(score, 0.5, reasons)

    def test_one_mailbox_and_a_name_word_in_common_is_no_conflict(self):
        first = _person(1, "Christian Marie", "christian.philippemichel@orange.fr")
        second = _person(2, "Christian Philippe-Michel", "christian.philippemichel@orange.fr")
        levels, __ = comparison_levels(first, second)
        self.assertEqual(levels["name"], "rewritten")
        self.assertFalse(is_conflict(score_pair(first, second)[1]))
        # without the mailbox, two such names are two persons
        alone = comparison_levels(first._replace(email_key=None), second)[0]
        self.assertNotEqual(alone["name"], "rewritten")

    def test_a_family_mailbox_does_not_join_two_first_names(self):
        husband = _person(1, "Florian Clement", "famille.clement@laposte.net")
        wife = _person(2, "Clara Clement", "famille.clement@laposte.net")
        levels, __ = comparison_levels(husband, wife)
        self.assertEqual(levels["email"], "same_household")
        self.assertNotEqual(levels["name"], "rewritten")
        self.assertLess(score_pair(husband, wife)[0], 0.5)


@tagged("post_install", "-at_install")
class TestMailboxes(BaseCase):
    def test_household_mailboxes(self):
        self.assertTrue(is_household_email("famille.dupont@free.fr"))
        self.assertTrue(is_household_email("familledupont@free.fr"))
        self.assertFalse(is_household_email("jean.dupont@free.fr"))
        self.assertFalse(is_household_email("famille@free.fr"))

    def test_one_letter_typed_wrong(self):
        self.assertTrue(is_email_slip("jean.dupomt", "free.fr", "jean.dupont", "free.fr"))
        self.assertTrue(is_email_slip("jean.dupont", "gmial.com", "jean.dupont", "gmail.com"))
        # a dot more is another mailbox outside Gmail, other digits another person
        self.assertFalse(is_email_slip("jeandupont", "free.fr", "jean.dupont", "free.fr"))
        self.assertFalse(is_email_slip("jean.dupont1", "free.fr", "jean.dupont2", "free.fr"))
        # a short mailbox name: one letter is another person's
        self.assertFalse(is_email_slip("jdupo", "free.fr", "jdupa", "free.fr"))

    def test_a_slip_is_no_evidence_against(self):
        first = _person(1, "Louis Giret", "louis.giret@orange.fr")
        typed = _person(2, "Louis Giret", "louis.gire@orange.fr")
        other = _person(3, "Louis Giret", "lapinbleu56@orange.fr")
        self.assertEqual(comparison_levels(first, typed)[0]["email"], "close")
        self.assertGreater(score_pair(first, typed)[0], score_pair(first, other)[0])

    def test_wanadoo_is_orange(self):
        levels, __ = comparison_levels(
            _person(1, "Jules Dubois", "jules.dubois@wanadoo.fr"),
            _person(2, "Jules Dubois", "jules.dubois@orange.fr"),
        )
        self.assertEqual(levels["email"], "same")

    def test_a_gmail_key_spelling_the_name(self):
        levels, __ = comparison_levels(
            _person(1, "Stéphanie Laurent", "stephanie.laurent@gmail.com"),
            _person(2, "Stéphanie Laurent", "stephanielaurent@gmail.com"),
        )
        self.assertEqual(levels["email"], "same_spelled")
        levels, __ = comparison_levels(
            _person(1, "Stéphanie Laurent", "lapinbleu56@gmail.com"),
            _person(2, "Stéphanie Laurent", "lapin.bleu56@gmail.com"),
        )
        self.assertEqual(levels["email"], "same")

    def test_a_mailbox_name_spelling_the_name_elsewhere_is_the_name_only(self):
        first = _person(1, "Nathalie Martin", "nathaliemartin@gmail.com", zip_code=None)
        second = _person(2, "Nathalie Martin", "nathaliemartin@aol.com", zip_code=None)
        alone = _person(3, "Nathalie Martin", None, zip_code=None)
        self.assertEqual(comparison_levels(first, second)[0]["email"], "same_local_name")
        self.assertAlmostEqual(score_pair(first, second)[0], score_pair(first, alone)[0])


@tagged("post_install", "-at_install")
class TestAddresses(BaseCase):
    def test_another_postcode_and_town(self):
        paris = _person(1, "Jean Martin", zip_code="75011", city="Paris")
        rochelle = _person(2, "Jean Martin", zip_code="17000", city="La Rochelle")
        cedex = _person(3, "Jean Martin", zip_code="75911", city="PARIS")
        self.assertEqual(comparison_levels(paris, rochelle)[0]["address"], "different")
        # another postcode of the same town (a CEDEX, a district) is not a move
        self.assertNotIn("address", comparison_levels(paris, cedex)[0])


@tagged("post_install", "-at_install")
class TestSofterDifferences(BaseCase):
    """Issue 16's recall work: a rule links a pair it used to miss and still keeps its hard
    negative apart."""

    def test_initials_of_a_compound_first_name(self):
        short = _person(1, "MC Rochmann", "marie-claire.rochmann43@gmail.com", zip_code=None)
        full = _person(2, "Marie-Claire Rochmann", "marie-claire.rochmann43@gmail.com")
        self.assertEqual(compared_names("mc rochmann", "claire marie rochmann")[0], "c m rochmann")
        levels, __ = comparison_levels(short, full)
        self.assertEqual(levels["name"], "close")
        self.assertGreaterEqual(score_pair(short, full)[0], 0.5)
        # a particle is no initials, nor two letters of which one name has one word only
        self.assertEqual(compared_names("de fony", "david eric fony")[0], "de fony")
        self.assertEqual(compared_names("mc rochmann", "marie rochmann")[0], "mc rochmann")
        # the initials alone, nothing else in common: not enough
        alone = short._replace(email_key=None)
        self.assertLess(score_pair(alone, full._replace(email_key=None))[0], 0.5)
