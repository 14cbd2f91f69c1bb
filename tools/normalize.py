"""Normalisation of contact data and the matching keys derived from it.

Pure Python (no Odoo import) so that the import wizard, the duplicate scan, the suppression list
and the command line share one implementation, unit-tested on its own.

Two kinds of output:

- *normalised values*, fit to be stored in the contact (a valid email with its domain in IDNA form,
  a phone in E.164, a 5-digit French postcode);
- *matching keys*, never shown nor written over a value, that fold what does not distinguish two
  persons (case, accents, civility, word order, ``+tags``, Gmail dots, legal forms...).

Every function accepts any input (None, numbers, garbage) and returns None rather than raising
when nothing usable can be derived.
"""

import functools
import itertools
import re
import unicodedata
from datetime import date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret


def _lt(message):
    """Marks a message for Odoo's translation export, like tools/i18n.py (this module imports
    nothing of the addon: it is shared with the command line)."""
    return message


# Letters NFKD does not decompose.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
    }
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Dotted initials ("s.a.r.l.", "s.n.c.f."), joined so that "S.A." is the legal form "sa".
_DOTTED_INITIALS = re.compile(r"\b(?:[a-z]\.){2,}")

CIVILITIES = frozenset(
    """
    m mr mme mrs ms mlle melle mademoiselle madame monsieur dr docteur pr professeur
    me maitre mes mm sir miss
    """.split()
)
# Particles are dropped from the key: "Jean de La Fontaine" = "Jean La Fontaine" = "Fontaine Jean".
NAME_PARTICLES = frozenset(
    """
    de du des le la les d l van von der
    """.split()
)
LEGAL_FORMS = frozenset(
    """
    sa sas sasu sarl eurl sci snc scop scp selarl sel gie ei eirl earl gaec scea association
    ste societe sc scs sca gmbh ag kg ltd limited llc inc corp co plc bv nv srl spa sl sprl
    group groupe cie et
    """.split()
)
COMPANY_STOPWORDS = frozenset(
    """
    de du des la le les l d et and the
    """.split()
)
# "Société Nationale des Chemins de Fer" is SNCF: generic words stay in acronyms.
_ACRONYM_DROP = LEGAL_FORMS - {"societe", "ste", "association", "group", "groupe", "cie"}
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# Common abbreviations of French street types, expanded for matching.
STREET_TYPES = {
    "r": "rue",
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "pl": "place",
    "pce": "place",
    "che": "chemin",
    "chem": "chemin",
    "imp": "impasse",
    "all": "allee",
    "rte": "route",
    "fbg": "faubourg",
    "faub": "faubourg",
    "crs": "cours",
    "qu": "quai",
    "sq": "square",
    "lot": "lotissement",
    "res": "residence",
    "st": "saint",
    "ste": "sainte",
    "bis": "bis",
    "ter": "ter",
}
# A dot-atom local part and a host name: what email-validator accepts without normalising.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# Reserved names email-validator refuses (RFC 6761 and friends): leave them to it.
_SPECIAL_USE_TLDS = frozenset(
    {"arpa", "invalid", "local", "localhost", "onion", "test", "internal"}
)
_FRENCH_NATIONAL = re.compile(r"0([1-9]\d{8})")
_FRENCH_INTERNATIONAL = re.compile(r"\+33([1-9]\d{8})")
_EMAIL_IN_ANGLES = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y", "%Y%m%d")


def _memoized(function):
    """Cache a pure normaliser: an import normalises the same email or phone several times (the
    row, its suppression hash, the contact's matching keys), and phone validation is costly."""
    cached = functools.lru_cache(maxsize=100_000, typed=True)(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if kwargs:
            return function(*args, **kwargs)
        try:
            return cached(*args)
        except TypeError:  # an unhashable value: not worth caching
            return function(*args)

    wrapper.cache_clear = cached.cache_clear
    return wrapper


def _text(value):
    if value is None or value is False:
        return ""
    return str(value).strip()


def fold(value):
    """Lower-case ASCII form of ``value``: accents and ligatures removed, spacing collapsed."""
    text = unicodedata.normalize("NFKD", _text(value).translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.lower().split())


def _words(value):
    return [word for word in _NON_WORD.split(fold(value)) if word]


def _company_words(value):
    text = _DOTTED_INITIALS.sub(lambda match: match.group(0).replace(".", ""), fold(value))
    return [word for word in _NON_WORD.split(text) if word]


# ----------------------------------------------------------------------------- email


@_memoized
def normalize_email(value):
    """Return ``(email, error)``: the valid address (lower case, IDNA domain) or None and why.

    Accepts ``Name <address>`` and surrounding spaces. No DNS lookup: imports must not depend on
    the network and a syntax check is what a steward can act on.
    """
    text = _text(value)
    if not text:
        return None, None
    match = _EMAIL_IN_ANGLES.search(text)
    if match:
        text = match.group(1)
    text = text.strip().strip(";,").strip()
    if _PLAIN_EMAIL.fullmatch(text) and len(text) <= 254:
        # Fast path, same verdict as email-validator for plain ASCII addresses (most of a
        # customer base): 20x cheaper, which matters when keys are computed on every create.
        local, _sep, domain = text.rpartition("@")
        if len(local) <= 64 and domain.rsplit(".", 1)[-1].lower() not in _SPECIAL_USE_TLDS:
            return text.lower(), None
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        return None, email_error_reason(str(error))
    return result.ascii_email.lower() if result.ascii_email else result.normalized.lower(), None


# email-validator's messages (English only, and wordy) -> the addon's own translatable wording,
# first match wins; the caller translates the reason (``env._(reason)``).
EMAIL_REASONS = (
    ("SPACE", _lt("spaces are not allowed")),
    ("must have an @-sign", _lt("it must contain one @")),
    ("exactly one @-sign", _lt("it must contain one @")),
    ("invalid characters: '@'", _lt("it must contain one @")),
    ("something before the @-sign", _lt("nothing before the @")),
    ("something after the @-sign", _lt("nothing after the @")),
    (
        "special-use or reserved",
        _lt("reserved domain (example, test, localhost...), not a mailbox"),
    ),
    ("should have a period", _lt("the domain after the @ has no dot (.fr, .com...)")),
    ("period", _lt("a dot is misplaced (at the start, at the end, doubled or next to the @)")),
    ("hyphen", _lt("a hyphen is misplaced in the domain")),
    ("too long", _lt("too long")),
    ("before the @-sign", _lt("invalid characters before the @")),
    ("after the @-sign", _lt("invalid characters after the @")),
)
EMAIL_INVALID = _lt("not a valid email address")


def email_error_reason(message):
    """The addon's wording (an English template, see tools/i18n.py) for an email-validator
    error message."""
    for fragment, reason in EMAIL_REASONS:
        if fragment in message:
            return reason
    return EMAIL_INVALID


@_memoized
def email_key(value):
    """Matching key of an email: ``+tags`` folded everywhere, dots folded for Gmail addresses."""
    email, _error = normalize_email(value)
    if not email:
        return None
    local, _sep, domain = email.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


# ----------------------------------------------------------------------------- phone


# The E.164 numbers this process has already found valid. An import normalises a row's number,
# then hashes the result for the suppression list and keys the contact it creates from it: the
# E.164 form, read again, is itself (a leading "+" makes the region irrelevant), so the second
# and third look-ups skip the parser and its validity check. Bounded: emptied when full.
_VALID_E164 = set()
_VALID_E164_LIMIT = 100_000


def _known_valid(number):
    if len(_VALID_E164) >= _VALID_E164_LIMIT:
        _VALID_E164.clear()
    _VALID_E164.add(number)
    return number


@_memoized
def normalize_phone(value, region="FR"):
    """E.164 form of a phone number (``+33612345678``), or None if it is not a valid number.

    ``region`` (ISO country code) is used for numbers written without their country prefix; the
    caller passes the partner's country, else its company's. ``0033…``, ``+33 (0)6…`` and
    ``06 12 34 56 78`` all give the same result.
    """
    if isinstance(value, str) and value in _VALID_E164:
        return value
    result = _parse_phone(value, region)
    return _known_valid(result) if result else None


def _parse_phone(value, region):
    text = _text(value)
    if not text or not any(char.isdigit() for char in text):
        return None
    text = text.replace("(0)", "")
    digits_and_plus = re.sub(r"[^\d+]", "", text)
    if digits_and_plus.startswith("00"):
        text = "+" + digits_and_plus[2:]
    french = (
        _FRENCH_NATIONAL.fullmatch(digits_and_plus) if (region or "FR").upper() == "FR" else None
    )
    french = french or _FRENCH_INTERNATIONAL.fullmatch(digits_and_plus)
    if french and re.fullmatch(r"[\d\s.\-/+()]+", text):
        # Fast path for French numbers (skip the parser, keep the validity check).
        number = phonenumbers.PhoneNumber(country_code=33, national_number=int(french.group(1)))
        return "+33" + french.group(1) if phonenumbers.is_valid_number(number) else None
    try:
        number = phonenumbers.parse(text, (region or "FR").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ----------------------------------------------------------------------------- names


@_memoized
def person_name_key(value):
    """Matching key of a person's name: folded, civility and particles dropped, words sorted.

    ``"M. Jean-Pierre de La Fontaine"``, ``"FONTAINE Jean Pierre"`` and ``"jean pierre la
    fontaine"`` give the same key; a name made only of punctuation gives None.
    """
    words = [w for w in _words(value) if w not in CIVILITIES and w not in NAME_PARTICLES]
    return " ".join(sorted(words)) or None


def company_name_key(value):
    """Matching key of a company name: folded, legal forms and stop words dropped, order kept."""
    words = [
        w for w in _company_words(value) if w not in LEGAL_FORMS and w not in COMPANY_STOPWORDS
    ]
    return " ".join(words) or None


def company_acronym(value):
    """Initials of the significant words (``"Société Nationale des Chemins de Fer"`` -> ``sncf``).

    Returns the name itself when it already looks like an acronym (one short word), so that an
    acronym and the full name meet on the same value; None for a single long word.
    """
    words = [
        w for w in _company_words(value) if w not in _ACRONYM_DROP and w not in COMPANY_STOPWORDS
    ]
    if not words:
        return None
    if len(words) == 1:
        return words[0] if len(words[0]) <= 6 else None
    return "".join(word[0] for word in words)


# ----------------------------------------------------------------------------- addresses


def normalize_postcode(value, country="FR"):
    """Postcode as written by La Poste for France (5 digits, leading zero kept), else trimmed."""
    text = _text(value)
    if not text:
        return None
    if (country or "FR").upper() == "FR":
        text = text.split(".")[0] if re.fullmatch(r"\d+\.0", text) else re.sub(r"\s", "", text)
        # one group of digits: "2A004" (a Corsican INSEE code) must not become 02004
        groups = re.findall(r"\d+", text)
        digits = groups[0] if len(groups) == 1 else ""
        if len(digits) == 4:  # a spreadsheet dropped the leading zero (01000 -> 1000)
            digits = "0" + digits
        return digits if len(digits) == 5 else None
    return " ".join(text.upper().split())


def street_key(value):
    """Matching key of a street line: folded, street types expanded, punctuation dropped."""
    words = [STREET_TYPES.get(word, word) for word in _words(value)]
    return " ".join(words) or None


# ----------------------------------------------------------------------------- dates


def parse_birthdate(value, today=None):
    """A birth date from the usual French and ISO spellings, or None if absent or implausible."""
    today = today or date.today()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    else:
        text = _text(value)
        if not text:
            return None
        text = text.split(" ")[0].split("T")[0]
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt).date()
                if fmt.endswith("%y") and parsed > today:  # a birth in "45" is 1945, not 2045
                    parsed = parsed.replace(year=parsed.year - 100)
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    if parsed.year < 1900 or parsed > today:
        return None
    return parsed


def birthdate_key(value):
    """ISO form (``YYYY-MM-DD``) of a birth date in any usual spelling, or None."""
    parsed = parse_birthdate(value)
    return parsed.isoformat() if parsed else None


# ----------------------------------------------------------------------------- phonetics

# Spellings that sound alike in French (and mostly in English), applied in order.
_PHONETIC_RULES = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ph", "f"),
        (r"(?:qu|ck|q)", "k"),
        (r"sch", "ch"),
        (r"c(?=[eiy])", "s"),
        (r"g(?=[eiy])", "j"),
        (r"gu(?=[eiy])", "g"),
        (r"gn", "n"),
        (r"(?<!c)h", ""),
        (r"w", "v"),
        (r"(?:eau|au)", "o"),
        (r"(?:ai|ei)", "e"),
        (r"y", "i"),
        (r"([a-z])\1+", r"\1"),
        # silent endings; "-ent" is the nasal of "-end" in a name (Laurent, Laurend, Laurens)
        (r"(?<=.)(?:[tdsxz]|e|es)$", ""),
    )
)
# Consonants grouped by sound (soundex-like classes); vowels are dropped after the first letter.
_PHONETIC_CLASSES = str.maketrans("bpfvckgjsxzdtlmnr", "11112222222334556")


def phonetic_key(word):
    """A short sound code of one name word, equal for spellings that sound alike or differ by
    a doubled letter, a vowel or a silent ending: ``Dupont``, ``Dupond`` and ``Duppont`` give
    ``d15``; None for words of fewer than two letters.
    """
    text = "".join(char for char in "".join(_words(word)) if char.isalpha())
    if len(text) < 2:
        return None
    for pattern, replacement in _PHONETIC_RULES:
        text = pattern.sub(replacement, text)
    if not text:
        return None
    head, tail = text[0], text[1:]
    code = head
    previous = head.translate(_PHONETIC_CLASSES)
    for char in tail:
        digit = char.translate(_PHONETIC_CLASSES)
        if digit == char:  # a vowel: a separator, not a sound of its own
            previous = ""
            continue
        if digit != previous:
            code += digit
        previous = digit
    return code[:5]


@_memoized
def phonetic_name_key(name_key):
    """Sound key of a name key (``person_name_key`` or ``company_name_key``): the sorted
    ``phonetic_key`` codes of its words, e.g. ``"d15 j5"`` for ``"dupont jean"``.

    Word order, accents, doubled letters and silent endings do not matter: ``Jean Dupond``,
    ``DUPONT Jean`` and ``Jean Duppont`` share it. Initials, digits and one-letter words carry
    no sound and are left out (``"Agence 12"`` and ``"Agence 13"`` share a key: the caller
    compares the names themselves); None when no word is left.
    """
    codes = sorted(code for code in map(phonetic_key, _text(name_key).split()) if code)
    return " ".join(codes) or None


# The first letters a word's sound code may start with, by the word's first letter, where the
# sound rules change it: "Cécile" is "s...", "Gérard" "j...", "Philippe" "f...", "Hugo" "u...",
# "Schmitt" "c...".
_INITIAL_HEADS = {
    "a": "aeo",
    "c": "cs",
    "g": "gj",
    "h": "aeiou",
    "p": "fp",
    "q": "k",
    "s": "cs",
    "w": "v",
    "y": "i",
}


_LONE_LETTER = re.compile(r"(?<![a-z0-9'])([a-z])(?![a-z0-9'])")


def name_initials(value):
    """The initials in a person's name as typed (``"DUPONT L."`` gives ``["l"]``): the letters
    standing alone, with a dot or a space after them. ``person_name_key`` drops some of them
    as a civility or a particle ("M.", "L'", "D'"); here "L." and "D." count, and so does "M."
    except in first place, where it is "Monsieur"."""
    text = fold(value)
    letters = [match.group(1) for match in _LONE_LETTER.finditer(text)]
    words = _words(text)
    if letters and words[0] == "m" and len(words) > 1:
        letters = letters[1:]
    return letters


def initial_sound_patterns(name_key, initials=None, max_initials=2, max_words=3):
    """The sound keys (``phonetic_name_key``) a person's name written with initials may stand
    for, as ``(like_patterns, regex)``: "dupont j" (``Dupont J.``) gives ``["d15 j%"]``, which
    the stored key ``"d15 j5"`` of "Jean Dupont" matches. An initial becomes the first letter
    of a word's sound code (``_INITIAL_HEADS``), placed where that letter sorts among the other
    codes. ``regex`` tells a stored key that really has one word per initial (the SQL patterns'
    ``%`` also crosses spaces). ``initials`` (``name_initials`` of the typed name) replaces the
    one-letter words of the key, which lacks those taken for a civility or a particle.
    ``([], None)`` when the name has no initial, no full word, more than ``max_initials``
    initials or more than ``max_words`` full words (the patterns grow with both).
    """
    words = _text(name_key).split()
    if initials is None:
        initials = [word for word in words if len(word) == 1 and word.isalpha()]
    patterns, regex = _initial_sound_patterns(
        tuple(words), tuple(initials), max_initials, max_words
    )
    return list(patterns), regex


@functools.lru_cache(maxsize=1024)
def _initial_sound_patterns(words, initials, max_initials, max_words):
    """``initial_sound_patterns`` on tuples, cached: the warning asks several times per form
    change (look-up, candidates, reasons)."""
    codes = sorted(code for code in map(phonetic_key, words) if code)
    if not initials or not codes or len(initials) > max_initials or len(codes) > max_words:
        return (), None
    arrangements = set()
    for heads in itertools.product(*(_INITIAL_HEADS.get(i, i) for i in initials)):
        arrangements.update(_sorted_arrangements(codes, sorted(heads)))
    arrangements = sorted(arrangements)
    patterns = tuple(
        sorted({" ".join(code or f"{head}%" for code, head in a) for a in arrangements})
    )
    regex = re.compile(
        "|".join(
            " ".join(re.escape(code) if code else f"{head}[^ ]*" for code, head in tokens)
            for tokens in arrangements
        )
    )
    return patterns, regex


def _sorted_arrangements(codes, heads):
    """The sorted sequences of ``codes`` and one unknown code per letter of ``heads``, as tuples
    of ``(code or "", first letter)``: an unknown code sorts among the codes of its letter in
    any place."""
    arrangements = [()]
    for letter in sorted({code[0] for code in codes} | set(heads)):
        same = [code for code in codes if code[0] == letter]
        size = len(same) + heads.count(letter)
        orders = set()
        for places in itertools.combinations(range(size), heads.count(letter)):
            known = iter(same)
            orders.add(tuple("" if index in places else next(known) for index in range(size)))
        arrangements = [
            (*head, *((code, letter) for code in order))
            for head in arrangements
            for order in orders
        ]
    return arrangements


# ----------------------------------------------------------------------------- identifiers


def company_identifier(vat=None, registry=None):
    """Matching key of a company's legal identity, checksums verified.

    French companies are keyed by SIREN (from a SIRET, a SIREN or a French VAT number), so that an
    establishment, its head office and its VAT number meet; other EU VAT numbers are keyed by
    their compact form. Invalid numbers give None.
    """
    for candidate in (registry, vat):
        digits = re.sub(r"\D", "", _text(candidate))
        if len(digits) == 14 and fr_siret.is_valid(digits):
            return "FR:" + digits[:9]
        if len(digits) == 9 and fr_siren.is_valid(digits) and not _text(candidate)[:2].isalpha():
            return "FR:" + digits
    vat_text = _text(vat)
    if vat_text and eu_vat.is_valid(vat_text):  # is_valid never raises, compact may
        compact = eu_vat.compact(vat_text)
        if compact.startswith("FR"):
            return "FR:" + compact[4:]
        return "VAT:" + compact
    return None
