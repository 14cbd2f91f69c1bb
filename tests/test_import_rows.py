"""Pure tests of tools/import_rows.py: header guessing, dates, flags, row normalisation."""

from datetime import datetime

from odoo.tests import BaseCase

from ..tools.import_rows import (
    DateError,
    guess_mapping,
    guess_target,
    normalize_row,
    parse_bool,
    parse_datetime,
)

NOW = datetime(2026, 6, 1, 12, 0)


class TestHeaderGuess(BaseCase):
    def test_french_and_english_headers(self):
        cases = {
            "E-mail": "email",
            "Courriel": "email",
            "Adresse e-mail": "email",
            "Portable": "mobile",
            "Tél. portable": "mobile",
            "Téléphone": "phone",
            "CP": "zip",
            "Code postal": "zip",
            "Date de naissance": "birthdate",
            "optin": "optin",
            "Opt-in": "optin",
            "Date optin": "optin_date",
            "Prénom": "firstname",
            "NOM": "lastname",
            "Ville": "city",
            "First Name": "firstname",
            "Last Name": "lastname",
            "Zip code": "zip",
            "Email_2": "email",
            "Date dernière commande": "last_order_date",
            "Adresse IP": "optin_ip",
            "Date de désabonnement": "optout_date",
            "N° client": "source_ref",
            "\ufeffemail": "email",
        }
        for header, target in cases.items():
            with self.subTest(header=header):
                self.assertEqual(guess_target(header), target)

    def test_unknown_and_duplicate_headers(self):
        self.assertIsNone(guess_target("Couleur préférée"))
        self.assertIsNone(guess_target(""))
        mapping = guess_mapping(["email", "E-mail", "Nom"])
        self.assertEqual(mapping, {"email": "email", "E-mail": None, "Nom": "lastname"})


class TestValues(BaseCase):
    def test_dates_in_six_formats(self):
        expected = datetime(2024, 2, 1)
        for text in (
            "2024-02-01",
            "01/02/2024",
            "01-02-2024",
            "01.02.2024",
            "1er février 2024",
            "2024/02/01",
            "01/02/24",
            "45323",  # Excel serial of 2024-02-01
        ):
            with self.subTest(text=text):
                self.assertEqual(parse_datetime(text), expected)
        self.assertEqual(parse_datetime("02/01/2024", day_first=False), expected)
        self.assertEqual(parse_datetime("2024-02-01T10:30:00Z"), datetime(2024, 2, 1, 10, 30))
        self.assertIsNone(parse_datetime(""))

    def test_impossible_dates_raise(self):
        for text in ("31/02/2024", "2024-02-30", "0000-00-00", "banana", "13/13/2024"):
            with self.subTest(text=text), self.assertRaises(DateError):
                parse_datetime(text)

    def test_flags(self):
        for text in ("1", "oui", "Yes", "TRUE", "x", "Vrai"):
            self.assertIs(parse_bool(text), True)
        for text in ("0", "non", "No", "false", "FAUX"):
            self.assertIs(parse_bool(text), False)
        self.assertIsNone(parse_bool("peut-être"))
        self.assertIsNone(parse_bool(""))


class TestNormalizeRow(BaseCase):
    def _errors(self, values):
        __, errors, __ = normalize_row(values, now=NOW)
        return [kind for kind, __, __ in errors]

    def test_clean_row(self):
        clean, errors, warnings = normalize_row(
            {
                "firstname": "Jeanne",
                "lastname": "LEFÈVRE",
                "email": " Jeanne.Lefevre@Example.FR ",
                "mobile": "06 12 34 56 78",
                "zip": "7501",
                "optin": "oui",
                "optin_date": "12/03/2021 10:15",
            },
            now=NOW,
        )
        self.assertEqual(errors, [])
        self.assertEqual(warnings, [])
        self.assertEqual(clean["name"], "Jeanne LEFÈVRE")
        self.assertEqual(clean["email"], "jeanne.lefevre@example.fr")
        self.assertEqual(clean["mobile"], "+33612345678")
        self.assertEqual(clean["zip"], "07501")
        self.assertIs(clean["optin"], True)
        self.assertEqual(clean["optin_date"], "2021-03-12 10:15:00")
        self.assertEqual(clean["name_key"], "jeanne lefevre")

    def test_bad_emails(self):
        for email in ("jean dupont@example.fr", "foo@@bar.com", "demo", "foo@bar..com"):
            with self.subTest(email=email):
                self.assertEqual(self._errors({"name": "X", "email": email}), ["invalid_email"])
        clean, errors, warnings = normalize_row(
            {"name": "X", "email": "a@example.fr; b@example.com"}, now=NOW
        )
        self.assertEqual((clean["email"], errors), ("a@example.fr", []))
        self.assertEqual(warnings[0][0], "several_emails")
        clean, errors, __ = normalize_row(
            {"name": "X", "email": "Foo Bar <Foo@Example.com>"}, now=NOW
        )
        self.assertEqual(clean["email"], "foo@example.com")

    def test_bad_phones(self):
        # no other identity: the row is quarantined
        self.assertEqual(self._errors({"phone": "06 CALL ME"}), ["invalid_phone"])
        self.assertEqual(self._errors({"phone": "6.12346E+08"}), ["invalid_phone"])
        self.assertEqual(self._errors({"mobile": "1234", "city": "Lyon"}), ["invalid_phone"])
        # a name, a valid email or another valid phone: the phone is dropped with a warning
        for values in (
            {"name": "X", "phone": "06 CALL ME"},
            {"email": "x@example.fr", "phone": "1234"},
            {"mobile": "06 12 34 56 78", "phone": "6.12346E+08"},
        ):
            with self.subTest(values=values):
                clean, errors, warnings = normalize_row(values, now=NOW)
                self.assertEqual(errors, [])
                self.assertNotIn("phone", clean)
                self.assertNotIn("phone_key", clean)
                self.assertEqual([kind for kind, *__ in warnings], ["phone_ignored"])
                self.assertTrue(warnings[0][1].startswith("Phone ignored: invalid"))
                self.assertEqual(warnings[0][2], {"value": values["phone"]})
        # an invalid email is no identity
        self.assertEqual(
            self._errors({"email": "a@@example.fr", "phone": "06 CALL ME"}),
            ["invalid_email", "invalid_phone"],
        )
        clean, errors, warnings = normalize_row({"name": "X", "mobile": "612345678"}, now=NOW)
        self.assertEqual((clean["mobile"], errors), ("+33612345678", []))
        self.assertEqual(warnings[0][0], "phone_guessed")

    def test_bad_dates(self):
        self.assertEqual(self._errors({"name": "X", "birthdate": "31/02/1980"}), ["invalid_date"])
        self.assertEqual(self._errors({"name": "X", "birthdate": "01/01/2099"}), ["invalid_date"])
        self.assertEqual(
            self._errors({"name": "X", "last_order_date": "01/01/2099"}), ["future_date"]
        )
        self.assertEqual(self._errors({"name": "X", "optin_date": "0000-00-00"}), ["invalid_date"])

    def test_unproven_and_unclear_consent(self):
        clean, __, warnings = normalize_row({"name": "X", "optin": "1"}, now=NOW)
        self.assertIs(clean["optin"], True)
        self.assertEqual([w[0] for w in warnings], ["unproven_consent"])
        clean, __, warnings = normalize_row({"name": "X", "optin": "maybe"}, now=NOW)
        self.assertNotIn("optin", clean)
        self.assertEqual([w[0] for w in warnings], ["unclear_consent"])
        clean, __, warnings = normalize_row({"name": "X", "optin": "2023-05-04"}, now=NOW)
        self.assertEqual((clean["optin"], clean["optin_date"]), (True, "2023-05-04 00:00:00"))

    def test_text_kept_as_is(self):
        for name in ('=HYPERLINK("http://x")', "<script>alert(1)</script>", "O'Brien"):
            clean, errors, __ = normalize_row({"name": name}, now=NOW)
            self.assertEqual((clean["name"], errors), (name, []))
        clean, __, __ = normalize_row({"company_name": "Dupont SARL"}, now=NOW)
        self.assertTrue(clean["is_company"])
