"""Pure tests of tools/import_checks.py: date order evidence, role addresses, homoglyphs."""

from odoo.tests import BaseCase

from ..tools.import_checks import (
    DAY_FIRST,
    MIXED,
    MONTH_FIRST,
    DateOrder,
    date_order,
    is_role_address,
    mixed_scripts,
)


class TestDateOrder(BaseCase):
    def test_a_day_above_twelve_proves_day_first(self):
        order, examples = date_order([(2, "01/02/2024"), (3, "13/01/2024"), (4, "")])
        self.assertEqual(order, DAY_FIRST)
        self.assertEqual(examples, [(3, "13/01/2024")])

    def test_a_month_above_twelve_proves_month_first(self):
        order, _examples = date_order([(2, "01/13/2024 10:00"), (3, "02/01/24")])
        self.assertEqual(order, MONTH_FIRST)

    def test_both_proofs_in_one_column_are_mixed(self):
        order, examples = date_order(
            [(2, "13/01/2024"), (3, "05/05/2024"), (4, "01/13/2024"), (5, "31/12/2024")]
        )
        self.assertEqual(order, MIXED)
        self.assertEqual(examples, [(2, "13/01/2024"), (4, "01/13/2024")])

    def test_nothing_proven(self):
        self.assertEqual(date_order([(2, "01/02/2024"), (3, "12/11/2024")]), (None, []))
        self.assertEqual(date_order([(2, "2024-01-13"), (3, "garbage"), (4, None)]), (None, []))
        self.assertEqual(date_order([]), (None, []))


class TestRoleAddress(BaseCase):
    def test_shared_mailboxes_are_not_people(self):
        for email in ("contact@acme.fr", "info@acme.fr", "noreply@acme.fr"):
            with self.subTest(email=email):
                self.assertTrue(is_role_address(email))
        self.assertFalse(is_role_address("jeanne.lefevre@acme.fr"))
        self.assertFalse(is_role_address(None))


class TestMixedScripts(BaseCase):
    def test_homoglyphs_are_flagged(self):
        self.assertTrue(mixed_scripts("p\u0430ypal.com"))  # Cyrillic a
        self.assertTrue(mixed_scripts("J\u0435anne Lefèvre"))  # Cyrillic ie
        self.assertTrue(mixed_scripts("\u03bflivier@example.fr"))  # Greek omicron

    def test_ordinary_names_are_not(self):
        for text in ("Jeanne Lefèvre", "Zoë d'Estaing-Müller", "Ñúñez", "", None, "Иван Петров"):
            with self.subTest(text=text):
                self.assertFalse(mixed_scripts(text))


class TestDateOrderInChunks(BaseCase):
    def test_fed_by_chunks_as_the_whole_column(self):
        values = [(2, "05/05/2020"), (3, "13/01/2020"), (4, "02/02/2020"), (5, "01/13/2020")]
        for size in (1, 2, 3):
            with self.subTest(size=size):
                proof = DateOrder()
                for start in range(0, len(values), size):
                    proof.feed(values[start : start + size])
                self.assertEqual(proof.result(), date_order(values))
        proof = DateOrder()
        proof.feed(values[:2])
        self.assertEqual(proof.result(), (DAY_FIRST, [(3, "13/01/2020")]))
