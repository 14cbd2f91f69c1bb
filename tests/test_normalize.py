"""Pure tests of tools/normalize.py on French customer data (no database access)."""

import ast
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum.fr import siret as fr_siret

from odoo.tests import BaseCase, tagged

from ..tools import normalize

# A fixed "today" keeps the birth date tests independent of the day they run.
TODAY = date(2024, 6, 15)
SIREN = "602977274"  # a real, checksum-valid SIREN
FR_VAT = "FR77602977274"  # its French VAT number


def _luhn_complete(prefix):
    """``prefix`` followed by the digit that makes the whole number pass the Luhn check."""
    for last in "0123456789":
        number = prefix + last
        total = 0
        for index, char in enumerate(reversed(number)):
            digit = int(char) * (2 if index % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return number
    raise AssertionError("no Luhn digit")  # unreachable: one digit in ten always fits


@tagged("post_install", "-at_install")
class TestFold(BaseCase):
    def test_accents_and_case(self):
        self.assertEqual(normalize.fold("Élodie"), "elodie")
        self.assertEqual(normalize.fold("ÉCOLE Française"), "ecole francaise")
        self.assertEqual(normalize.fold("Hélène Lefèvre"), "helene lefevre")
        # decomposed (NFD) accents, as pasted from some Mac applications
        self.assertEqual(normalize.fold("Ele\u0301onore"), "eleonore")

    def test_ligatures(self):
        self.assertEqual(normalize.fold("Œuvre"), "oeuvre")
        self.assertEqual(normalize.fold("cœur"), "coeur")
        self.assertEqual(normalize.fold("Lætitia"), "laetitia")
        self.assertEqual(normalize.fold("Æsop"), "aesop")
        self.assertEqual(normalize.fold("Straße"), "strasse")
        self.assertEqual(normalize.fold("Ørsted"), "orsted")
        self.assertEqual(normalize.fold("Łódź"), "lodz")
        self.assertEqual(normalize.fold("ﬁnance"), "finance")

    def test_whitespace(self):
        self.assertEqual(normalize.fold("  Jean   Dupont  "), "jean dupont")
        self.assertEqual(normalize.fold("\tJean\nDupont\r\n"), "jean dupont")
        self.assertEqual(normalize.fold("\u00a0Jean\u00a0Dupont\u00a0"), "jean dupont")

    def test_non_text_input(self):
        self.assertEqual(normalize.fold(None), "")
        self.assertEqual(normalize.fold(False), "")
        self.assertEqual(normalize.fold(""), "")
        self.assertEqual(normalize.fold(75011), "75011")
        self.assertEqual(normalize.fold(0), "0")

    def test_module_is_pure_python(self):
        """The normalisation is shared with the command line: it must not import Odoo."""
        tree = ast.parse(Path(normalize.__file__).read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0] if not node.level else ".")
        self.assertIn("phonenumbers", imported)  # the walk does see the imports
        self.assertNotIn("odoo", imported)
        self.assertNotIn(".", imported)


@tagged("post_install", "-at_install")
class TestNormalizeEmail(BaseCase):
    def test_valid_addresses(self):
        cases = {
            "jean.dupont@example.fr": "jean.dupont@example.fr",
            "Jean.Dupont@Example.FR": "jean.dupont@example.fr",
            "  jean.dupont@example.fr  ": "jean.dupont@example.fr",
            "\tjean.dupont@example.fr\n": "jean.dupont@example.fr",
            "Jean Dupont <jean.dupont@example.fr>": "jean.dupont@example.fr",
            '"Dupont, Jean" <Jean.Dupont@Example.fr>': "jean.dupont@example.fr",
            "jean.dupont@example.fr;": "jean.dupont@example.fr",
            "jean.dupont@example.fr,": "jean.dupont@example.fr",
            "jean.dupont@example.fr ; ": "jean.dupont@example.fr",
            "Jean Dupont <jean.dupont@example.fr>;": "jean.dupont@example.fr",
            "jean.dupont+promo@orange.fr": "jean.dupont+promo@orange.fr",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(normalize.normalize_email(raw), (expected, None))

    def test_idna_domain(self):
        self.assertEqual(
            normalize.normalize_email("jean@exämple.fr"), ("jean@xn--exmple-cua.fr", None)
        )
        self.assertEqual(
            normalize.normalize_email("JEAN@EXÄMPLE.FR"), ("jean@xn--exmple-cua.fr", None)
        )
        # the IDNA form given back is accepted as is
        self.assertEqual(
            normalize.normalize_email("jean@xn--exmple-cua.fr"), ("jean@xn--exmple-cua.fr", None)
        )

    def test_invalid_addresses_give_a_reason(self):
        for raw in (
            "jean@@x",
            "jean",
            "@x.fr",
            "a..b@x.fr",
            ".jean@x.fr",
            "jean.@x.fr",
            "jean@example",
            "jean @example.fr",
            "jean@example.fr;jules@example.fr",
            "mailto:jean@example.fr",
            12345,
        ):
            with self.subTest(raw=raw):
                email, reason = normalize.normalize_email(raw)
                self.assertIsNone(email)
                self.assertIsInstance(reason, str)
                self.assertTrue(reason.strip())

    def test_empty_is_not_an_error(self):
        for raw in ("", "   ", None, False):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.normalize_email(raw), (None, None))


@tagged("post_install", "-at_install")
class TestEmailKey(BaseCase):
    def test_plus_tags_folded_on_every_domain(self):
        self.assertEqual(
            normalize.email_key("jean.dupont+promo@orange.fr"), "jean.dupont@orange.fr"
        )
        self.assertEqual(normalize.email_key("jean+a+b@example.fr"), "jean@example.fr")
        self.assertEqual(
            normalize.email_key("Jean.Dupont+News@GMAIL.com"),
            normalize.email_key("jeandupont@gmail.com"),
        )

    def test_dots_folded_only_for_gmail(self):
        self.assertEqual(normalize.email_key("jean.dupont@gmail.com"), "jeandupont@gmail.com")
        self.assertEqual(normalize.email_key("J.E.A.N@gmail.com"), "jean@gmail.com")
        self.assertEqual(normalize.email_key("jean.dupont@googlemail.com"), "jeandupont@gmail.com")
        self.assertEqual(
            normalize.email_key("Jean.Dupont+x@GoogleMail.com"),
            normalize.email_key("jeandupont@gmail.com"),
        )
        # dots are significant elsewhere, Gmail's country domains included
        self.assertEqual(normalize.email_key("jean.dupont@orange.fr"), "jean.dupont@orange.fr")
        self.assertNotEqual(
            normalize.email_key("jean.dupont@orange.fr"),
            normalize.email_key("jeandupont@orange.fr"),
        )
        self.assertEqual(normalize.email_key("j.dupont@gmail.fr"), "j.dupont@gmail.fr")
        self.assertEqual(normalize.email_key("j.dupont@mail.gmail.com"), "j.dupont@mail.gmail.com")

    def test_key_of_normalised_forms(self):
        self.assertEqual(
            normalize.email_key(" Jean Dupont <Jean.Dupont@Example.FR>; "), "jean.dupont@example.fr"
        )
        self.assertEqual(normalize.email_key("jean+x@exämple.fr"), "jean@xn--exmple-cua.fr")

    def test_different_people_keep_different_keys(self):
        self.assertNotEqual(
            normalize.email_key("jean.dupont@orange.fr"), normalize.email_key("jean.dupont@free.fr")
        )
        self.assertNotEqual(
            normalize.email_key("jean.dupont@gmail.com"),
            normalize.email_key("jean.dupond@gmail.com"),
        )

    def test_no_key_for_invalid_or_empty_input(self):
        for raw in ("jean@@x", "jean", "@x.fr", "a..b@x.fr", "", "  ", None, False, 12345):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.email_key(raw))


@tagged("post_install", "-at_install")
class TestNormalizePhone(BaseCase):
    def test_french_mobile_spellings(self):
        for raw in (
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "0612345678",
            "+33 (0)6 12 34 56 78",
            "+33 0 6 12 34 56 78",
            "0033612345678",
            "0033 (0)6 12 34 56 78",
            "+33612345678",
            "+33 6 12 34 56 78 ",
            "33612345678",
            612345678,  # an integer column lost the leading zero
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.normalize_phone(raw, "FR"), "+33612345678")

    def test_french_landlines(self):
        self.assertEqual(normalize.normalize_phone("01 45 67 89 10", "FR"), "+33145678910")
        self.assertEqual(normalize.normalize_phone("04 72 00 00 00", "FR"), "+33472000000")
        self.assertEqual(normalize.normalize_phone("+33 1 45 67 89 10", "FR"), "+33145678910")

    def test_default_region_is_france(self):
        self.assertEqual(normalize.normalize_phone("06 12 34 56 78"), "+33612345678")
        self.assertEqual(normalize.normalize_phone("06 12 34 56 78", None), "+33612345678")
        self.assertEqual(normalize.normalize_phone("06 12 34 56 78", ""), "+33612345678")

    def test_belgian_numbers(self):
        self.assertEqual(normalize.normalize_phone("02 511 11 11", "BE"), "+3225111111")
        self.assertEqual(normalize.normalize_phone("0470 12 34 56", "BE"), "+32470123456")
        self.assertEqual(normalize.normalize_phone("0470 12 34 56", "be"), "+32470123456")
        # with their prefix, the region does not matter
        self.assertEqual(normalize.normalize_phone("+32 2 511 11 11", "FR"), "+3225111111")
        self.assertEqual(normalize.normalize_phone("0032 2 511 11 11", "FR"), "+3225111111")
        self.assertEqual(normalize.normalize_phone("+32 470 12 34 56", "CH"), "+32470123456")

    def test_swiss_numbers(self):
        self.assertEqual(normalize.normalize_phone("044 668 18 00", "CH"), "+41446681800")
        self.assertEqual(normalize.normalize_phone("079 123 45 67", "CH"), "+41791234567")
        self.assertEqual(normalize.normalize_phone("+41 44 668 18 00", "FR"), "+41446681800")
        self.assertEqual(normalize.normalize_phone("0041 44 668 18 00", "BE"), "+41446681800")

    def test_region_is_used_for_national_numbers(self):
        # the same national spelling is a Lyon landline in France and a mobile in Belgium
        self.assertEqual(normalize.normalize_phone("0470 12 34 56", "FR"), "+33470123456")
        self.assertEqual(normalize.normalize_phone("0470 12 34 56", "BE"), "+32470123456")
        # a French mobile is not a Belgian number
        self.assertIsNone(normalize.normalize_phone("06 12 34 56 78", "BE"))
        # ... but an international French number is French whatever the region
        self.assertEqual(normalize.normalize_phone("0033 1 45 67 89 10", "BE"), "+33145678910")

    def test_invalid_numbers(self):
        for raw in (
            "0612",
            "abc",
            "+33",
            "00000000000",
            "+33 6 12 34 56 7",
            "+33 6 12 34 56 789",
            "06123456789",
            "06 12 34 56 78 / 07 12 34 56 78",
            "",
            "   ",
            None,
            False,
            612345678.0,
        ):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.normalize_phone(raw, "FR"))

    def test_unknown_region_gives_none_not_an_error(self):
        self.assertIsNone(normalize.normalize_phone("06 12 34 56 78", "XX"))

    def test_e164_result_reads_as_itself_in_every_region(self):
        """What ``normalize_phone`` remembers (a valid E.164 result is its own normal form,
        whatever the region) holds for the example numbers of every region phonenumbers
        knows, written nationally, internationally and with 00; checked with the parser
        itself, not the remembered set."""
        types = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE)
        checked = 0
        for region in sorted(phonenumbers.SUPPORTED_REGIONS):
            for kind in types:
                example = phonenumbers.example_number_for_type(region, kind)
                if not example:
                    continue
                for spelling in (
                    phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL),
                    phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL),
                ):
                    result = normalize._parse_phone(spelling, region)
                    if not result:
                        continue
                    checked += 1
                    for other in ("FR", "US", region):
                        self.assertEqual(normalize._parse_phone(result, other), result, spelling)
        self.assertGreater(checked, 500)

    def test_remembered_number_is_not_a_number_of_another_spelling(self):
        """Only the E.164 string itself is short-cut: a national spelling of a remembered
        number still goes through its region."""
        self.assertEqual(normalize.normalize_phone("0470 12 34 56", "BE"), "+32470123456")
        self.assertEqual(normalize.normalize_phone("+32470123456", "FR"), "+32470123456")
        self.assertEqual(normalize.normalize_phone("0470 12 34 56", "FR"), "+33470123456")
        self.assertIsNone(normalize.normalize_phone("32470123456", "FR"))


@tagged("post_install", "-at_install")
class TestPersonNameKey(BaseCase):
    def test_civilities_are_dropped(self):
        for raw in (
            "M. Jean Dupont",
            "M Jean Dupont",
            "Mr Jean Dupont",
            "Monsieur Jean Dupont",
            "Dr Jean Dupont",
            "Docteur Jean Dupont",
            "Me Jean Dupont",
            "Maître Jean Dupont",
            "Pr Jean Dupont",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.person_name_key(raw), "dupont jean")
        for raw in ("Mme Zoé Martin", "Madame Zoé Martin", "Mlle Zoé Martin", "Melle Zoe MARTIN"):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.person_name_key(raw), "martin zoe")

    def test_particles_accents_hyphens_and_order(self):
        expected = "fontaine jean pierre"
        for raw in (
            "M. Jean-Pierre de La Fontaine",
            "FONTAINE Jean Pierre",
            "jean pierre la fontaine",
            "Fontaine, Jean-Pierre",
            "de La Fontaine Jean-Pierre",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.person_name_key(raw), expected)
        self.assertEqual(normalize.person_name_key("Jean d'Ormesson"), "jean ormesson")
        self.assertEqual(normalize.person_name_key("D'ORMESSON Jean"), "jean ormesson")
        self.assertEqual(normalize.person_name_key("Hélène Lefèvre"), "helene lefevre")
        self.assertEqual(
            normalize.person_name_key("Marie-Hélène Œuvray"),
            normalize.person_name_key("OEUVRAY Marie Helene"),
        )
        self.assertEqual(normalize.person_name_key("Jean Van der Berg"), "berg jean")

    def test_swapped_first_and_last_name(self):
        self.assertEqual(
            normalize.person_name_key("Dupont Jean"), normalize.person_name_key("Jean Dupont")
        )
        self.assertEqual(normalize.person_name_key("Jean  Dupont"), "dupont jean")

    def test_different_people_differ(self):
        self.assertNotEqual(
            normalize.person_name_key("Jean Dupont"), normalize.person_name_key("Jeanne Dupont")
        )
        self.assertNotEqual(
            normalize.person_name_key("Jean Dupont"), normalize.person_name_key("Jean Dupond")
        )
        self.assertNotEqual(
            normalize.person_name_key("Jean-Pierre Dupont"),
            normalize.person_name_key("Jean Dupont"),
        )

    def test_nothing_left_gives_none(self):
        for raw in ("--- ...", "", "   ", None, False, "M.", "Mme", "Monsieur", "de la"):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.person_name_key(raw))

    def test_sql_looking_name_is_just_words(self):
        self.assertEqual(
            normalize.person_name_key("x'); DROP TABLE res_partner;--"), "drop partner res table x"
        )


@tagged("post_install", "-at_install")
class TestCompanyNameKey(BaseCase):
    def test_legal_forms_are_dropped(self):
        for raw in (
            "Dupont",
            "Dupont SAS",
            "DUPONT SARL",
            "Dupont SA",
            "Dupont EURL",
            "Dupont S.A.",
            "Dupont S.A.S.",
            "Dupont S.A.R.L.",
            "SARL Dupont",
            "Sté Dupont",
            "Société Dupont",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.company_name_key(raw), "dupont")
        self.assertEqual(normalize.company_name_key("Müller GmbH"), "muller")
        self.assertEqual(normalize.company_name_key("Acme Ltd"), "acme")
        self.assertEqual(normalize.company_name_key("Acme Limited"), "acme")

    def test_same_company_spelled_differently(self):
        self.assertEqual(normalize.company_name_key("Société Générale"), "generale")
        self.assertEqual(normalize.company_name_key("SOCIETE GENERALE SA"), "generale")
        self.assertEqual(
            normalize.company_name_key("L'Oréal"), normalize.company_name_key("L'OREAL SA")
        )
        self.assertEqual(
            normalize.company_name_key("Dupont & Fils"),
            normalize.company_name_key("Dupont et Fils"),
        )
        self.assertEqual(normalize.company_name_key("S.N.C.F."), normalize.company_name_key("SNCF"))
        self.assertEqual(normalize.company_name_key("Crédit Agricole SA"), "credit agricole")

    def test_word_order_is_kept(self):
        self.assertEqual(normalize.company_name_key("Bouygues Telecom"), "bouygues telecom")
        self.assertNotEqual(
            normalize.company_name_key("Martin Dupont"), normalize.company_name_key("Dupont Martin")
        )

    def test_different_companies_differ(self):
        self.assertNotEqual(
            normalize.company_name_key("Crédit Agricole"),
            normalize.company_name_key("Crédit Mutuel"),
        )

    def test_nothing_left_gives_none(self):
        for raw in ("SAS", "S.A.R.L.", "SA", "", "  ", None, False, "&&&"):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.company_name_key(raw))


@tagged("post_install", "-at_install")
class TestCompanyAcronym(BaseCase):
    def test_acronym_of_multi_word_names(self):
        self.assertEqual(normalize.company_acronym("Société Nationale des Chemins de Fer"), "sncf")
        self.assertEqual(normalize.company_acronym("International Business Machines"), "ibm")
        self.assertEqual(normalize.company_acronym("Société Générale"), "sg")
        self.assertEqual(normalize.company_acronym("SOCIETE GENERALE SA"), "sg")
        self.assertEqual(normalize.company_acronym("BNP Paribas"), "bp")
        self.assertEqual(normalize.company_acronym("Crédit Agricole SA"), "ca")

    def test_short_single_word_is_its_own_acronym(self):
        self.assertEqual(normalize.company_acronym("SNCF"), "sncf")
        self.assertEqual(normalize.company_acronym("S.N.C.F."), "sncf")
        self.assertEqual(normalize.company_acronym("IBM"), "ibm")
        self.assertEqual(normalize.company_acronym("SG"), "sg")
        self.assertEqual(normalize.company_acronym("Orange"), "orange")
        # the legal form is not part of the name
        self.assertEqual(normalize.company_acronym("Dupont SAS"), "dupont")
        self.assertEqual(normalize.company_acronym("Dupont S.A."), "dupont")
        # so that the full name and its acronym meet
        self.assertEqual(
            normalize.company_acronym("Société Nationale des Chemins de Fer"),
            normalize.company_acronym("SNCF"),
        )

    def test_long_single_word_has_no_acronym(self):
        self.assertIsNone(normalize.company_acronym("Carrefour"))
        self.assertIsNone(normalize.company_acronym("Michelin SA"))
        self.assertIsNone(normalize.company_acronym("ABCDEFG"))
        self.assertEqual(normalize.company_acronym("ABCDEF"), "abcdef")

    def test_nothing_left_gives_none(self):
        for raw in ("SAS", "", None, False, "- & -"):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.company_acronym(raw))


@tagged("post_install", "-at_install")
class TestNormalizePostcode(BaseCase):
    def test_french_postcodes(self):
        cases = {
            "75011": "75011",
            " 75011 ": "75011",
            "75 011": "75011",
            "1000": "01000",  # a spreadsheet dropped the leading zero of Bourg-en-Bresse
            "01000": "01000",
            "1000.0": "01000",  # ... and wrote it as a float
            "75011.0": "75011",
            "F-75011": "75011",
            "75011 Paris": "75011",
            "97400": "97400",
            "20000": "20000",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(normalize.normalize_postcode(raw, "FR"), expected)
        self.assertEqual(normalize.normalize_postcode(1000, "FR"), "01000")
        self.assertEqual(normalize.normalize_postcode(1000.0, "FR"), "01000")

    def test_default_country_is_france(self):
        self.assertEqual(normalize.normalize_postcode("1000"), "01000")
        self.assertEqual(normalize.normalize_postcode("1000", None), "01000")
        self.assertEqual(normalize.normalize_postcode("1000", "fr"), "01000")

    def test_garbage_french_postcodes(self):
        for raw in (
            "abc",
            "123",
            "750111",
            "75011-1234",
            "1000.5",
            "2A004",  # the INSEE code of Ajaccio, not its postcode
            "",
            "   ",
            None,
            False,
        ):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.normalize_postcode(raw, "FR"))

    def test_other_countries_are_trimmed_and_upper_case(self):
        self.assertEqual(normalize.normalize_postcode(" sw1a  1aa ", "GB"), "SW1A 1AA")
        self.assertEqual(normalize.normalize_postcode("1000", "BE"), "1000")
        self.assertEqual(normalize.normalize_postcode(" 8001 ", "ch"), "8001")
        self.assertEqual(normalize.normalize_postcode("l-1111", "LU"), "L-1111")
        self.assertIsNone(normalize.normalize_postcode("  ", "BE"))


@tagged("post_install", "-at_install")
class TestStreetKey(BaseCase):
    def test_abbreviations_are_expanded(self):
        cases = {
            "12 bd Haussmann": "12 boulevard haussmann",
            "12 av. des Champs-Élysées": "12 avenue des champs elysees",
            "3 r. de la Paix": "3 rue de la paix",
            "1 pl. de la Concorde": "1 place de la concorde",
            "4 rue st Honoré": "4 rue saint honore",
            "5 fbg St-Antoine": "5 faubourg saint antoine",
            "10 Chem. des Vignes": "10 chemin des vignes",
            "3 imp du Moulin": "3 impasse du moulin",
            "rte de Lyon": "route de lyon",
            "5 ste Catherine": "5 sainte catherine",
            "12 BIS R DE LA PAIX": "12 bis rue de la paix",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(normalize.street_key(raw), expected)

    def test_same_street_spelled_differently(self):
        self.assertEqual(
            normalize.street_key("12, Boulevard HAUSSMANN"), normalize.street_key("12 bd Haussmann")
        )
        self.assertEqual(
            normalize.street_key("5, faubourg Saint-Antoine"),
            normalize.street_key("5 fbg St Antoine"),
        )
        self.assertNotEqual(
            normalize.street_key("12 bd Haussmann"), normalize.street_key("14 bd Haussmann")
        )

    def test_nothing_left_gives_none(self):
        for raw in ("", "...", " , ", None, False):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.street_key(raw))


@tagged("post_install", "-at_install")
class TestParseBirthdate(BaseCase):
    def test_usual_spellings(self):
        expected = date(1980, 3, 15)
        for raw in (
            "15/03/1980",
            " 15/03/1980 ",
            "15/3/1980",
            "1980-03-15",
            "15-03-1980",
            "15.03.1980",
            "1980/03/15",
            "19800315",
            19800315,
            "1980-03-15T00:00:00",
            "1980-03-15T10:00:00+02:00",
            "1980-03-15 00:00:00",
            "15/03/1980 10:30",
            "15/03/80",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.parse_birthdate(raw, today=TODAY), expected)
        # day first, as in France: 03/05 is the 3rd of May
        self.assertEqual(normalize.parse_birthdate("03/05/1980", today=TODAY), date(1980, 5, 3))

    def test_date_objects(self):
        result = normalize.parse_birthdate(datetime(1980, 3, 15, 10, 30), today=TODAY)
        self.assertEqual(result, date(1980, 3, 15))
        self.assertIs(type(result), date)
        self.assertEqual(
            normalize.parse_birthdate(date(1980, 3, 15), today=TODAY), date(1980, 3, 15)
        )

    def test_two_digit_years_are_never_in_the_future(self):
        self.assertEqual(normalize.parse_birthdate("15/03/45", today=TODAY), date(1945, 3, 15))
        self.assertEqual(normalize.parse_birthdate("15/03/30", today=TODAY), date(1930, 3, 15))
        self.assertEqual(normalize.parse_birthdate("15/03/24", today=TODAY), date(2024, 3, 15))
        self.assertEqual(normalize.parse_birthdate("15/03/05", today=TODAY), date(2005, 3, 15))
        self.assertEqual(normalize.parse_birthdate("29/02/28", today=TODAY), date(1928, 2, 29))

    def test_impossible_dates(self):
        for raw in (
            "31/02/1980",
            "29/02/2001",
            "29/02/1900",  # 1900 was not a leap year
            "00/00/0000",
            "03/15/1980",  # month first is not a French spelling
            "1980-15-03",
            "15 mars 1980",
            "abc",
            "",
            "   ",
            None,
            False,
        ):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.parse_birthdate(raw, today=TODAY))
        self.assertEqual(normalize.parse_birthdate("29/02/2000", today=TODAY), date(2000, 2, 29))

    def test_future_dates(self):
        self.assertEqual(normalize.parse_birthdate("2024-06-15", today=TODAY), TODAY)
        self.assertIsNone(normalize.parse_birthdate("2024-06-16", today=TODAY))
        self.assertIsNone(normalize.parse_birthdate("15/03/2030", today=TODAY))
        self.assertIsNone(normalize.parse_birthdate(datetime(2030, 1, 1), today=TODAY))
        self.assertIsNone(normalize.parse_birthdate(date(2024, 6, 16), today=TODAY))
        # "today" is really today when not given
        tomorrow = date.today() + timedelta(days=1)
        self.assertIsNone(normalize.parse_birthdate(tomorrow))
        self.assertEqual(normalize.parse_birthdate("15/03/1980"), date(1980, 3, 15))

    def test_before_1900(self):
        self.assertIsNone(normalize.parse_birthdate("31/12/1899", today=TODAY))
        self.assertIsNone(normalize.parse_birthdate("01/01/1850", today=TODAY))
        self.assertIsNone(normalize.parse_birthdate(date(1850, 1, 1), today=TODAY))
        self.assertEqual(normalize.parse_birthdate("01/01/1900", today=TODAY), date(1900, 1, 1))


@tagged("post_install", "-at_install")
class TestCompanyIdentifier(BaseCase):
    def setUp(self):
        super().setUp()
        # head office of the SIREN: NIC 0001 + the Luhn digit
        self.siret = _luhn_complete(SIREN + "0001")
        self.bad_siret = self.siret[:-1] + str((int(self.siret[-1]) + 1) % 10)

    def test_siret_fixture(self):
        self.assertEqual(len(self.siret), 14)
        self.assertTrue(self.siret.startswith(SIREN))
        self.assertTrue(fr_siret.is_valid(self.siret))
        self.assertFalse(fr_siret.is_valid(self.bad_siret))

    def test_siren_and_french_vat_meet(self):
        expected = "FR:" + SIREN
        self.assertEqual(normalize.company_identifier(vat=SIREN), expected)
        self.assertEqual(normalize.company_identifier(registry=SIREN), expected)
        self.assertEqual(normalize.company_identifier(vat=FR_VAT), expected)
        self.assertEqual(normalize.company_identifier(vat=FR_VAT.lower()), expected)
        self.assertEqual(normalize.company_identifier(FR_VAT, SIREN), expected)

    def test_siret_gives_its_siren(self):
        expected = "FR:" + SIREN
        self.assertEqual(normalize.company_identifier(registry=self.siret), expected)
        self.assertEqual(normalize.company_identifier(vat=self.siret), expected)
        spaced = f"{self.siret[:3]} {self.siret[3:6]} {self.siret[6:9]} {self.siret[9:]}"
        self.assertEqual(normalize.company_identifier(registry=spaced), expected)
        # an establishment meets its company's VAT number
        self.assertEqual(
            normalize.company_identifier(registry=self.siret),
            normalize.company_identifier(vat=FR_VAT),
        )

    def test_spaces_and_dots_accepted(self):
        expected = "FR:" + SIREN
        for raw in (
            "602 977 274",
            "602.977.274",
            " 602977274 ",
            "FR 77 602 977 274",
            "FR77 602.977.274",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize.company_identifier(vat=raw), expected)
        self.assertEqual(normalize.company_identifier(registry="602 977 274"), expected)
        self.assertEqual(normalize.company_identifier(registry=602977274), expected)

    def test_invalid_checksums(self):
        self.assertIsNone(normalize.company_identifier(vat="602977275"))
        self.assertIsNone(normalize.company_identifier(registry="602977275"))
        self.assertIsNone(normalize.company_identifier(vat="FR78602977274"))
        self.assertIsNone(normalize.company_identifier(registry=self.bad_siret))
        self.assertIsNone(normalize.company_identifier(vat="DE136695977"))
        # a wrong registry number does not hide a right VAT number
        self.assertEqual(normalize.company_identifier(FR_VAT, "602977275"), "FR:" + SIREN)

    def test_other_eu_vat_numbers(self):
        self.assertEqual(normalize.company_identifier(vat="DE136695976"), "VAT:DE136695976")
        self.assertEqual(normalize.company_identifier(vat="de 136 695 976"), "VAT:DE136695976")
        self.assertEqual(normalize.company_identifier(vat="BE 0403.170.701"), "VAT:BE0403170701")
        # the 9 digits of a foreign VAT number are not taken for a SIREN
        self.assertNotEqual(normalize.company_identifier(vat="DE136695976"), "FR:136695976")

    def test_nothing_usable_gives_none_without_raising(self):
        for vat, registry in (
            (None, None),
            ("", ""),
            (False, False),
            ("abc", None),
            ("XX123", None),
            ("FR", None),
            ("12", "34"),
            ("CHE-116.281.710 MWST", None),
            (None, "abc"),
        ):
            with self.subTest(vat=vat, registry=registry):
                self.assertIsNone(normalize.company_identifier(vat=vat, registry=registry))


@tagged("post_install", "-at_install")
class TestPhoneticNameKey(BaseCase):
    def key(self, name, company=False):
        name_key = (normalize.company_name_key if company else normalize.person_name_key)(name)
        return normalize.phonetic_name_key(name_key)

    def test_sorted_sound_codes_of_the_words(self):
        self.assertEqual(normalize.phonetic_name_key("dupont jean"), "d15 j5")
        self.assertEqual(self.key("Jean Dupont"), "d15 j5")

    def test_spellings_that_sound_alike_share_the_key(self):
        for raw in (
            "Jean Dupond",  # silent ending
            "DUPONT Jean",  # word order, case
            "Jean Duppont",  # doubled letter
            "M. Jean Dupont",  # civility
            "Jan Dupont",  # a vowel
        ):
            with self.subTest(raw=raw):
                self.assertEqual(self.key(raw), self.key("Jean Dupont"))
        self.assertEqual(self.key("Hélène Lefèvre"), self.key("Helene LEFEBVRE"))
        self.assertEqual(self.key("Zéphyrin Thomas"), self.key("Zephirin Tomas"))
        # a final "-ent" in a name is the sound of "-end" and "-ens", not a silent verb ending
        self.assertEqual(self.key("Marie Laurent"), self.key("Marie Laurend"))
        self.assertEqual(self.key("Marie Laurent"), self.key("Marie LAURENS"))
        self.assertNotEqual(self.key("Marie Laurent"), self.key("Marie Laure"))

    def test_different_sounds_differ(self):
        self.assertNotEqual(self.key("Jean Dupont"), self.key("Jean Dupuis"))
        self.assertNotEqual(self.key("Jean Dupont"), self.key("Jeannine Dupont"))
        # "Jean" and "Jeanne" sound alike: the warning compares the names themselves after it
        self.assertEqual(self.key("Jean Dupont"), self.key("Jeanne Dupont"))

    def test_companies_from_their_name_key(self):
        self.assertEqual(
            self.key("Transports Bouac SAS", company=True),
            self.key("TRANSPORT BOUAK", company=True),
        )
        self.assertEqual(
            self.key("Transports Bouac", company=True), self.key("Bouac Transports", company=True)
        )
        self.assertNotEqual(
            self.key("Transports Bouac", company=True), self.key("Transports Bernard", company=True)
        )
        # digits carry no sound: the names themselves tell "Agence 12" from "Agence 13"
        self.assertEqual(self.key("Agence 12", company=True), self.key("Agence 13", company=True))

    def test_initials_give_patterns_of_the_names_they_stand_for(self):
        def stands_for(typed, full):
            patterns, regex = normalize.initial_sound_patterns(normalize.person_name_key(typed))
            sound = self.key(full)
            found = bool(regex and regex.fullmatch(sound))
            if found:  # the SQL look-up (LIKE patterns) reads what the check accepts
                like = [re.compile(re.escape(p).replace("%", ".*")) for p in patterns]
                self.assertTrue(any(pattern.fullmatch(sound) for pattern in like), patterns)
            return found

        self.assertEqual(normalize.initial_sound_patterns("dupont j")[0], ["d15 j%"])
        for typed, full in (
            ("Dupont J.", "Jean Dupont"),
            ("J. Dupont", "Jean DUPOND"),
            ("Martin A.", "Alice Martin"),  # the initial sorts before the surname's code
            ("Martin A.", "Aurélie Martin"),  # "au" sounds "o"
            ("Martin C.", "Cécile Martin"),  # "cé" sounds "s"
            ("Roux P.", "Philippe Roux"),  # "ph" sounds "f"
            ("Petit H.", "Hugo Petit"),  # a silent h
            ("J. P. Dupont", "Jean-Paul Dupont"),
            ("Jacob J.", "Jules Jacob"),  # the initial's letter starts another code
        ):
            with self.subTest(typed=typed, full=full):
                self.assertTrue(stands_for(typed, full))
        for typed, full in (
            ("Dupont P.", "Jean Dupont"),
            ("Dupont J.", "Jean Dupuis"),
            ("Dupont J.", "Jean Paul Dupont"),  # one initial is one word
            ("Dupont J.", "Dupont"),
        ):
            with self.subTest(typed=typed, full=full):
                self.assertFalse(stands_for(typed, full))
        # the typed name's own initials, which the key lost as a civility or a particle
        self.assertEqual(normalize.name_initials("LEFÈVRE L."), ["l"])
        self.assertEqual(normalize.name_initials("Dupont J.-P."), ["j", "p"])
        self.assertEqual(normalize.name_initials("Roux M."), ["m"])
        self.assertEqual(normalize.name_initials("M. Roux"), [], "Monsieur Roux")
        self.assertEqual(normalize.name_initials("Mme Roux M."), ["m"])
        self.assertEqual(normalize.name_initials("d'Artagnan Charles"), [])
        self.assertEqual(normalize.name_initials("Dupont,J."), ["j"])
        self.assertEqual(normalize.name_initials("DUPONT (J)"), ["j"])
        self.assertEqual(normalize.name_initials("M.Dupont"), [], "Monsieur Dupont")
        # a long name gives no patterns rather than thousands
        self.assertEqual(
            normalize.initial_sound_patterns(" ".join(["ab"] * 120) + " h h"), ([], None)
        )
        self.assertEqual(normalize.name_initials(None), [])
        self.assertEqual(
            normalize.initial_sound_patterns("lefevre", ["l"])[0], ["l% l116", "l116 l%"]
        )
        for name_key in ("dupont jean", "j", "j k l dupont", "", None):
            with self.subTest(name_key=name_key):
                self.assertEqual(normalize.initial_sound_patterns(name_key), ([], None))

    def test_initials_and_garbage_carry_no_sound(self):
        self.assertEqual(self.key("J. Dupont"), "d15")
        for raw in (None, False, "", "   ", "j", "12 3", "--- ...", 42):
            with self.subTest(raw=raw):
                self.assertIsNone(normalize.phonetic_name_key(raw))
        self.assertEqual(
            normalize.phonetic_name_key(
                normalize.person_name_key("x'); DROP TABLE res_partner;--")
            ),
            normalize.phonetic_name_key("drop partner res table"),
        )
