"""Checks of the values typed in a contact, shared by the forms, the RPC entry rules and the import.

Pure Python (no Odoo import). Each check returns English message templates with named
parameters (``tools/i18n._lt``) that the Odoo caller translates; nothing here changes a value the
user typed: the checks only say what looks wrong, the caller decides (a hint on the form, a
warning in the import report, a refusal when a setting asks for it).

- ``email_hint``: syntax (email-validator, no network: no DNS query) and the usual typos of the
  big French and international mailbox domains (``gmial.com``, ``orange.fe``…).
- ``phone_hint``: the number parsed for the contact's country, shown in that country's national
  format; an impossible number is flagged.
- ``postcode_city_hint``: a French postcode must exist and belong to the town typed (La Poste's
  base officielle des codes postaux, shipped in ``data/fr_postcodes.txt.gz``).
- ``vat_hint`` / ``registry_hint``: checksums (python-stdnum) of VAT numbers, SIREN and SIRET.
- ``afnor_address``: a French postal address in the layout of the standard NF Z10-011.
"""

import functools
import gzip
import os
import re
import unicodedata

import phonenumbers
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from . import normalize
from .i18n import _lt

POSTCODES_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "fr_postcodes.txt.gz"
)
# At most this many characters per line of a French postal address (NF Z10-011).
AFNOR_LINE_LENGTH = 38

# Typos of the mailbox domains most used in France, seen in real files: the address is
# syntactically valid, the mail never arrives.
DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gmail.fr": "gmail.com",
    "gmail.co": "gmail.com",
    "gmail.con": "gmail.com",
    "gmaill.com": "gmail.com",
    "gamil.com": "gmail.com",
    "gnail.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmail.con": "hotmail.com",
    "hotmial.fr": "hotmail.fr",
    "hotmai.fr": "hotmail.fr",
    "hotmal.fr": "hotmail.fr",
    "orange.fe": "orange.fr",
    "orang.fr": "orange.fr",
    "ornage.fr": "orange.fr",
    "wanadoo.com": "wanadoo.fr",
    "wanado.fr": "wanadoo.fr",
    "free.com": "free.fr",
    "yahou.fr": "yahoo.fr",
    "yaho.fr": "yahoo.fr",
    "yahoo.fe": "yahoo.fr",
    "laposte.fr": "laposte.net",
    "lapost.net": "laposte.net",
    "sfr.com": "sfr.fr",
    "outlok.fr": "outlook.fr",
    "outlook.fe": "outlook.fr",
    "icloud.fr": "icloud.com",
}


def _fold(value):
    """Capitals without accents nor punctuation (the form of La Poste's base)."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", text.upper()).split())


_SAINTS = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}


# towns repeat from row to row of a file: each spelling folded once (bounded, pure)
@functools.lru_cache(maxsize=100000)
def _town_key(value):
    """A town name as compared: folded, ``ST`` read as ``SAINT``, a CEDEX suffix dropped."""
    words = _fold(value).split()
    if "CEDEX" in words:
        words = words[: words.index("CEDEX")]
    return " ".join(_SAINTS.get(word, word) for word in words)


@functools.lru_cache(maxsize=1)
def french_postcodes():
    """``{postcode: frozenset(town keys)}`` from the shipped La Poste file (read once)."""
    table = {}
    with gzip.open(POSTCODES_FILE, "rt", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            postcode, __, names = line.rstrip("\n").partition("\t")
            table[postcode] = frozenset(_town_key(name) for name in names.split("|"))
    return table


# ----------------------------------------------------------------------------- hints


def email_hint(value):
    """``(template, params)`` when the email looks wrong, else None (no network look-up)."""
    text = str(value or "").strip()
    if not text:
        return None
    email, reason = normalize.normalize_email(text)
    if not email:
        return (
            _lt("Invalid email address %(value)s: %(reason)s"),
            {"value": text, "reason": reason or _lt("not an email address")},
        )
    domain = email.rpartition("@")[2].lower()
    if domain in DOMAIN_TYPOS:
        return (
            _lt("Email %(value)s: did you mean %(suggestion)s? (%(domain)s receives no mail)"),
            {
                "value": text,
                "suggestion": email.rpartition("@")[0] + "@" + DOMAIN_TYPOS[domain],
                "domain": domain,
            },
        )
    return None


def phone_national(value, region):
    """The number in the national format of ``region`` (``06 12 34 56 78``), or None."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (region or "FR").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) != (region or "FR").upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_hint(value, region):
    """``(template, params)``: the national format of a valid number, or that it is invalid."""
    text = str(value or "").strip()
    if not text:
        return None
    national = phone_national(text, region)
    if not national:
        return (
            _lt("Invalid phone number %(value)s for %(country)s."),
            {"value": text, "country": (region or "FR").upper()},
        )
    if national != text:
        return (
            _lt("Phone %(value)s reads as %(national)s."),
            {"value": text, "national": national},
        )
    return None


def postcode_city_hint(postcode, city, country="FR"):
    """``(template, params)`` when a French postcode does not exist or is not the town's."""
    if (country or "FR").upper() != "FR" or not postcode:
        return None
    code = re.sub(r"\s", "", str(postcode))
    if not re.fullmatch(r"\d{5}", code):
        return (
            _lt("Postcode %(value)s: a French postcode has 5 digits."),
            {"value": postcode},
        )
    towns = french_postcodes().get(code)
    if towns is None:
        return (
            _lt("Postcode %(value)s does not exist in La Poste's list."),
            {"value": postcode},
        )
    if city and _town_key(city) not in towns:
        return (
            _lt("Postcode %(value)s is not the one of %(city)s (it serves %(towns)s)."),
            {"value": code, "city": city, "towns": ", ".join(sorted(towns)[:5])},
        )
    return None


def vat_hint(value):
    """``(template, params)`` when a VAT number fails its checksum, else None."""
    text = str(value or "").strip()
    if not text:
        return None
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    if len(compact) < 3 or not compact[:2].isalpha():
        return (
            _lt("VAT number %(value)s must start with its country code (FR, BE...)."),
            {"value": text},
        )
    module = None
    if compact[:2] != "EL":
        try:
            module = get_cc_module(compact[:2].lower(), "vat")
        except (ImportError, AttributeError):
            module = None
    valid = eu_vat.is_valid(compact) or bool(module and module.is_valid(compact))
    if not valid and module is None and not eu_vat.guess_country(compact):
        return None  # a country stdnum does not know: nothing to say
    if not valid:
        return (_lt("VAT number %(value)s fails its checksum."), {"value": text})
    return None


def registry_digits(value):
    return re.sub(r"[\s.\-]", "", str(value or ""))


def siren_of(value):
    """``(siren, siret)`` of a SIREN (9 digits) or a SIRET (14 digits) whose checksums pass,
    else ``(None, None)``. A SIRET gives its SIREN (its first 9 digits)."""
    digits = registry_digits(value)
    if len(digits) == 14 and fr_siret.is_valid(digits) and fr_siren.is_valid(digits[:9]):
        return digits[:9], digits
    if len(digits) == 9 and fr_siren.is_valid(digits):
        return digits, None
    return None, None


def registry_hint(value):
    """``(template, params)`` when a French SIREN/SIRET fails its checksum."""
    text = str(value or "").strip()
    if not text:
        return None
    digits = registry_digits(text)
    if not digits.isdigit() or len(digits) not in (9, 14):
        return (
            _lt("SIREN/SIRET %(value)s: a SIREN has 9 digits, a SIRET 14."),
            {"value": text},
        )
    if siren_of(digits) == (None, None):
        return (_lt("SIREN/SIRET %(value)s fails its checksum."), {"value": text})
    return None


# ----------------------------------------------------------------------------- AFNOR

# La Poste's abbreviations of street types (used only when a line exceeds 38 characters).
AFNOR_ABBREVIATIONS = {
    "ALLEE": "ALL",
    "AVENUE": "AV",
    "BOULEVARD": "BD",
    "CARREFOUR": "CAR",
    "CHEMIN": "CHE",
    "CHAUSSEE": "CHS",
    "CITE": "CITE",
    "CORNICHE": "COR",
    "COURS": "CRS",
    "DOMAINE": "DOM",
    "DESCENTE": "DSC",
    "ECART": "ECA",
    "ESPLANADE": "ESP",
    "FAUBOURG": "FG",
    "GRANDE RUE": "GR",
    "HAMEAU": "HAM",
    "HALLE": "HLE",
    "IMPASSE": "IMP",
    "LIEU DIT": "LD",
    "LOTISSEMENT": "LOT",
    "MARCHE": "MAR",
    "MONTEE": "MTE",
    "PASSAGE": "PAS",
    "PLACE": "PL",
    "PLAINE": "PLN",
    "PLATEAU": "PLT",
    "PROMENADE": "PRO",
    "PARVIS": "PRV",
    "QUARTIER": "QUA",
    "QUAI": "QUAI",
    "RESIDENCE": "RES",
    "RUELLE": "RLE",
    "ROCADE": "ROC",
    "ROND POINT": "RPT",
    "ROUTE": "RTE",
    "SENTIER": "SEN",
    "SQUARE": "SQ",
    "TERRE PLEIN": "TPL",
    "TRAVERSE": "TRA",
    "VILLA": "VLA",
    "VILLAGE": "VLGE",
    "SAINT": "ST",
    "SAINTE": "STE",
    # titles in street names, as La Poste abbreviates them
    "MARECHAL": "MAL",
    "GENERAL": "GAL",
    "PRESIDENT": "PDT",
    "COMMANDANT": "CDT",
    "CAPITAINE": "CAP",
    "LIEUTENANT": "LT",
    "DOCTEUR": "DR",
    "PROFESSEUR": "PR",
    "MONSEIGNEUR": "MGR",
}
# Street types spelled out from their usual short forms before the layout is applied.
_STREET_TYPE_WORDS = {
    short.upper(): long.upper()
    for short, long in normalize.STREET_TYPES.items()
    if short not in ("st", "ste", "bis", "ter", "res", "lot", "qu", "all")
}
_NUMBER_AT_END = re.compile(r"^(?P<street>\D+?)\s+(?P<number>\d+(?:\s?(?:BIS|TER|QUATER|[A-D]))?)$")
_NUMBER_AT_START = re.compile(r"^(?P<number>\d+(?:\s?(?:BIS|TER|QUATER|[A-D]))?)\s+(?P<rest>.+)$")


def _afnor_line(value):
    """One address line in capitals, without accents nor punctuation, number before the
    street type, street-type abbreviations spelled out (``r.`` → ``RUE``)."""
    words = _fold(value).split()
    if not words:
        return ""
    line = " ".join(words)
    match = _NUMBER_AT_END.match(line)
    if match and not _NUMBER_AT_START.match(line):
        line = f"{match.group('number')} {match.group('street')}"
    match = _NUMBER_AT_START.match(line)
    if match:
        number, rest = match.group("number").replace(" ", " "), match.group("rest").split()
        if rest and rest[0] in _STREET_TYPE_WORDS:
            rest[0] = _STREET_TYPE_WORDS[rest[0]]
        line = f"{number} {' '.join(rest)}"
    return line


def _shorten(line):
    """Abbreviate street types (La Poste's list) until the line fits 38 characters."""
    if len(line) <= AFNOR_LINE_LENGTH:
        return line
    for long, short in AFNOR_ABBREVIATIONS.items():
        line = re.sub(rf"\b{long}\b", short, line)
        if len(line) <= AFNOR_LINE_LENGTH:
            break
    return line


def afnor_address(street, street2, city):
    """``(street, street2, city, too_long)`` of a French address laid out as NF Z10-011 asks:
    capitals without accents nor punctuation, the number before the street type, at most 38
    characters per line (street types abbreviated as La Poste does), the town in capitals (it
    is printed after the postcode on the last line). ``too_long`` lists the lines still over 38
    characters: they are kept whole (never cut) and reported."""
    new_street = _shorten(_afnor_line(street)) if street else street
    new_street2 = _shorten(_fold(street2)) if street2 else street2
    new_city = _fold(city) if city else city
    too_long = [line for line in (new_street, new_street2) if line and len(line) > 38]
    return new_street, new_street2, new_city, too_long
