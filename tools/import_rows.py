"""Import of legacy customer files, the part that needs no ORM: column targets, FR/EN header
guessing, value parsing (dates, yes/no flags) and the normalisation of one mapped row.

The models (``hygiene.import.*``) call :func:`guess_mapping` when a file is uploaded and
:func:`normalize_row` for every staged row; both are pure and unit-tested on their own. Errors are
``(kind, English template, params)`` triples so that the caller translates them.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta

from . import normalize
from .i18n import _lt

# Target of a column: code -> kind. Kinds: partner (a partner field), origin (provenance),
# consent (evidence of a consent or withdrawal), activity (a historical last-activity date).
TARGETS = {
    "name": "partner",
    "firstname": "partner",
    "lastname": "partner",
    "company_name": "partner",
    "email": "partner",
    "phone": "partner",
    "mobile": "partner",
    "street": "partner",
    "street2": "partner",
    "zip": "partner",
    "city": "partner",
    "country": "partner",
    "vat": "partner",
    "company_registry": "partner",
    "birthdate": "partner",
    "source_ref": "origin",
    "collected_date": "origin",
    "optin": "consent",
    "optin_date": "consent",
    "optin_ip": "consent",
    "optin_wording": "consent",
    "optout_date": "consent",
    "last_order_date": "activity",
    "last_click_date": "activity",
    "last_visit_date": "activity",
}

# Activity source (tools/activity.py) of each historical date column.
ACTIVITY_TARGETS = {
    "last_order_date": "sale_order",
    "last_click_date": "mailing_click",
    "last_visit_date": "history",
}

# Header synonyms, compared after folding (lower case, no accent, no punctuation).
SYNONYMS = {
    "name": "nom complet|nom et prenom|prenom nom|full name|name|contact|client|customer|"
    "customer name|nom client|display name|raison sociale",
    "firstname": "prenom|first name|firstname|given name|forename|prenom client",
    "lastname": "nom|last name|lastname|surname|family name|nom de famille|nom client final",
    "company_name": "societe|entreprise|company|company name|organisation|organization|"
    "employeur|nom societe",
    "email": "email|e mail|mail|courriel|adresse email|adresse e mail|adresse mail|"
    "email address|e mail address|adresse electronique|mel",
    "phone": "telephone|tel|phone|phone number|telephone fixe|fixe|tel fixe|landline|"
    "numero de telephone|numero telephone",
    "mobile": "portable|mobile|tel portable|telephone portable|cellulaire|gsm|cell|"
    "cell phone|mobile phone|numero mobile|tel mobile",
    "street": "adresse|rue|street|address|adresse 1|address 1|address line 1|adresse postale|"
    "voie|street address",
    "street2": "adresse 2|complement adresse|complement d adresse|address 2|address line 2|"
    "street2|complement",
    "zip": "cp|code postal|zip|zip code|postcode|postal code|codepostal",
    "city": "ville|city|commune|localite|town",
    "country": "pays|country|country code|code pays",
    "vat": "tva|numero tva|n tva|tva intracommunautaire|vat|vat number|vat id",
    "company_registry": "siret|siren|company registry|registration number|n siret|numero siret",
    "birthdate": "date de naissance|naissance|date naissance|birth date|birthdate|"
    "date of birth|dob|ne le|nee le",
    "source_ref": "id|identifiant|id client|numero client|n client|customer id|client id|"
    "customer number|subscriber id|contact id|ref|reference|code client|id abonne|"
    "numero adherent|numero carte|card number|loyalty number",
    "collected_date": "date de creation|date creation|date inscription|date d inscription|"
    "created|created at|creation date|signup date|subscription date|date de collecte|"
    "registered|registration date|date d adhesion|date adhesion|member since",
    "optin": "optin|opt in|opt in newsletter|newsletter|consentement|consent|accepte newsletter|"
    "abonne|subscribed|inscrit newsletter|accord marketing|marketing consent",
    "optin_date": "date optin|date opt in|optin date|opt in date|date consentement|"
    "consent date|date d abonnement|date abonnement|subscribed at|optin at|date accord",
    "optin_ip": "ip|adresse ip|ip address|optin ip|opt in ip|ip optin|ip inscription|signup ip",
    "optin_wording": "texte consentement|libelle consentement|wording|consent text|"
    "consent wording|version consentement",
    "optout_date": "date desabonnement|date de desabonnement|desabonne le|unsubscribed at|"
    "unsubscribe date|optout date|opt out date|date optout|date opt out",
    "last_order_date": "date derniere commande|derniere commande|last order|last order date|"
    "last purchase|date dernier achat|dernier achat|last purchase date",
    "last_click_date": "dernier clic|date dernier clic|last click|last click date|last clicked",
    "last_visit_date": "derniere visite|date derniere visite|last visit|last visit date|"
    "last seen|dernier passage|last activity|derniere activite",
}
_GUESS = {}
for _target, _names in SYNONYMS.items():
    for _name in _names.split("|"):
        _GUESS.setdefault(_name, _target)

TRUE_WORDS = frozenset("1 y yes oui o true vrai x ok on checked inscrit abonne subscribed".split())
FALSE_WORDS = frozenset("0 n no non false faux off unchecked desabonne unsubscribed".split())

MAX_EMAIL_LENGTH = 254


def fold_header(header):
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return " ".join(text.split())


def guess_target(header):
    """The target of a column from its header in French or English, or None (ignored)."""
    folded = fold_header(header)
    if not folded:
        return None
    if folded in _GUESS:
        return _GUESS[folded]
    # "Email_2", "tel 1", "E-mail client": drop a trailing number, then a trailing qualifier.
    stripped = re.sub(r"\s*\d+$", "", folded)
    if stripped in _GUESS:
        return _GUESS[stripped]
    words = folded.split()
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            candidate = " ".join(words[start : start + size])
            if candidate in _GUESS and _GUESS[candidate] not in ("source_ref",):
                return _GUESS[candidate]
    return None


def guess_mapping(headers):
    """``{header: target or None}``; a target is given to its first column only."""
    mapping, used = {}, set()
    for header in headers:
        target = guess_target(header)
        if target in used:
            target = None
        if target:
            used.add(target)
        mapping[header] = target
    return mapping


# ----------------------------------------------------------------------------- values


def parse_bool(value):
    """True / False for the usual spellings (oui, yes, 1, x, vrai...), None if empty or unclear."""
    text = fold_header(value)
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
_NUMERIC = re.compile(
    r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "janvier january jan janv",
            "fevrier february feb fev fevr",
            "mars march mar",
            "avril april apr avr",
            "mai may",
            "juin june jun",
            "juillet july jul juil",
            "aout august aug",
            "septembre september sep sept",
            "octobre october oct",
            "novembre november nov",
            "decembre december dec",
        ],
        start=1,
    )
    for name in names.split()
}
_WORDS_DATE = re.compile(r"(\d{1,2})(?:er)? ([a-z]+)\.? (\d{4})")
EXCEL_EPOCH = datetime(1899, 12, 30)


class DateError(ValueError):
    pass


def parse_datetime(value, day_first=True):
    """A naive datetime from ISO, ``dd/mm/yyyy`` (or ``mm/dd`` when ``day_first`` is False),
    ``dd.mm.yy``, ``1er février 2024``, an Excel serial number or a datetime; None if empty.

    Raise :class:`DateError` for a value that is not a real date (``31/02/2024``,
    ``0000-00-00``, ``banana``).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if not text:
        return None
    try:
        match = _ISO.fullmatch(text)
        if match:
            year, month, day, hour, minute, second = match.groups()
            return datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        match = _NUMERIC.fullmatch(text)
        if match:
            first, second_, year, hour, minute, second = match.groups()
            day, month = (first, second_) if day_first else (second_, first)
            year = int(year)
            if year < 100:
                year += 2000 if year <= datetime.now().year % 100 else 1900
            return datetime(
                year, int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        match = _WORDS_DATE.fullmatch(fold_header(text).replace(" er ", "er "))
        if match and match.group(2) in _MONTHS:
            return datetime(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        if re.fullmatch(r"\d{5}(\.\d+)?", text):  # Excel serial (1950..2173)
            serial = float(text)
            if 18264 <= serial <= 100000:
                return EXCEL_EPOCH + timedelta(days=serial)
    except ValueError as error:
        raise DateError(text) from error
    raise DateError(text)


def split_name(first, last):
    return " ".join(part for part in (first, last) if part)


def normalize_row(values, region="FR", day_first=True, now=None, columns=None):
    """Normalise one mapped row.

    ``values`` maps targets to raw texts. Returns ``(clean, errors, warnings)``: ``clean`` holds
    the values to write (partner fields, ``birthdate``/dates as ISO strings, ``optin`` as a
    boolean) and the matching keys (``email_key``, ``phone_key``, ``mobile_key``, ``name_key``,
    ``company_key``); ``errors`` and ``warnings`` are lists of ``(kind, template, params)``.
    A row with an error is quarantined; a warning is shown but does not stop the row.
    ``columns`` maps targets to the file's column headers, which the messages name (the
    steward knows "Date optin", not ``optin_date``).
    """
    now = now or datetime.now()
    clean, errors, warnings = {}, [], []
    text = {key: (str(value).strip() if value is not None else "") for key, value in values.items()}

    name = text.get("name") or split_name(text.get("firstname"), text.get("lastname"))
    company = text.get("company_name")
    is_company = bool(company and not name)
    clean["name"] = name or company or ""
    clean["is_company"] = is_company
    if company and name:
        clean["company_name"] = company
    if text.get("email"):
        _row_email(text["email"], clean, errors, warnings)
    invalid_phones = []
    _row_phones(text, region, clean, invalid_phones, warnings)
    if invalid_phones:
        # An invalid phone is dropped with a warning when the row still says who the person is
        # (a name, a valid email or another phone); with nothing else, the row is quarantined.
        if clean["name"] or clean.get("email") or clean.get("phone") or clean.get("mobile"):
            warnings.extend(
                ("phone_ignored", IGNORED_PHONE[kind], params) for kind, params in invalid_phones
            )
        else:
            errors.extend(
                ("invalid_phone", INVALID_PHONE[kind], params) for kind, params in invalid_phones
            )
    for target in ("street", "street2", "city", "vat", "company_registry", "country"):
        if text.get(target):
            clean[target] = text[target]
    if text.get("zip"):
        clean["zip"] = normalize.normalize_postcode(text["zip"], region) or text["zip"]
    _row_dates(text, day_first, now, clean, errors, columns or {})
    if text.get("optin"):
        _row_consent(text["optin"], day_first, now, clean, warnings)
    for target in ("source_ref", "optin_ip", "optin_wording"):
        if text.get(target):
            clean[target] = text[target]
    clean["name_key"] = (normalize.company_name_key if is_company else normalize.person_name_key)(
        clean["name"]
    )
    clean["company_key"] = normalize.company_identifier(
        vat=clean.get("vat"), registry=clean.get("company_registry")
    )
    return clean, errors, warnings


def _row_email(raw_email, clean, errors, warnings):
    candidates = [part for part in re.split(r"[;,\s]+", raw_email) if "@" in part]
    if len(candidates) > 1:
        warnings.append(
            (
                "several_emails",
                _lt("Several email addresses (%(value)s): only the first one is kept."),
                {"value": raw_email},
            )
        )
        raw_email = candidates[0]
    raw_email = raw_email.removeprefix("mailto:").strip()
    email, reason = normalize.normalize_email(raw_email)
    if not email or len(email) > MAX_EMAIL_LENGTH:
        errors.append(
            (
                "invalid_email",
                _lt("Invalid email address %(value)s: %(reason)s"),
                {"value": raw_email, "reason": reason or _lt("too long")},
            )
        )
    else:
        clean["email"] = email
        clean["email_key"] = normalize.email_key(email)


INVALID_PHONE = {
    "damaged": _lt("Phone number %(value)s was damaged by a spreadsheet (scientific notation)."),
    "invalid": _lt("Invalid phone number %(value)s."),
}
IGNORED_PHONE = {
    "damaged": _lt("Phone ignored: invalid (%(value)s, damaged by a spreadsheet)."),
    "invalid": _lt("Phone ignored: invalid (%(value)s)."),
}


def _row_phones(text, region, clean, invalid, warnings):
    """Normalise the phones into ``clean``; the invalid ones go to ``invalid`` as
    ``(kind, params)``."""
    for target in ("phone", "mobile"):
        raw = text.get(target, "")
        if not raw:
            continue
        if re.search(r"\d[.,]\d+[eE][+]?\d+", raw):
            invalid.append(("damaged", {"value": raw}))
            continue
        e164 = normalize.normalize_phone(raw, region)
        if re.fullmatch(r"[1-9]\d{8}(\.0)?", raw) and region == "FR":
            # A French number whose leading zero a spreadsheet dropped (612345678).
            e164 = normalize.normalize_phone("0" + raw.removesuffix(".0"), region)
            if e164:
                warnings.append(
                    (
                        "phone_guessed",
                        _lt("Phone number %(value)s had lost its leading zero: read as %(phone)s."),
                        {"value": raw, "phone": e164},
                    )
                )
        if not e164:
            invalid.append(("invalid", {"value": raw}))
            continue
        clean[target] = e164
        clean[f"{target}_key"] = e164


DATE_TARGETS = (
    "collected_date",
    "optin_date",
    "optout_date",
    "last_order_date",
    "last_click_date",
    "last_visit_date",
)


def _row_dates(text, day_first, now, clean, errors, columns):
    if text.get("birthdate"):
        try:
            birth = parse_datetime(text["birthdate"], day_first)
        except DateError:
            birth = None
        if not birth or birth.date() > now.date() or birth.year < 1900:
            errors.append(
                (
                    "invalid_date",
                    _lt("Impossible birth date %(value)s."),
                    {"value": text["birthdate"]},
                )
            )
        else:
            clean["birthdate"] = birth.date().isoformat()
    for target in DATE_TARGETS:
        if not text.get(target):
            continue
        try:
            moment = parse_datetime(text[target], day_first)
        except DateError:
            errors.append(
                (
                    "invalid_date",
                    _lt("Invalid date %(value)s in column %(column)s."),
                    {"value": text[target], "column": columns.get(target, target)},
                )
            )
            continue
        if moment > now:
            errors.append(
                (
                    "future_date",
                    _lt("Date %(value)s in column %(column)s is in the future."),
                    {"value": text[target], "column": columns.get(target, target)},
                )
            )
            continue
        clean[target] = moment.isoformat(sep=" ")


def _row_consent(value, day_first, now, clean, warnings):
    flag = parse_bool(value)
    if flag is None:
        # a date in the consent column is a grant dated by it
        try:
            moment = parse_datetime(value, day_first)
        except DateError:
            moment = None
        if moment and moment <= now:
            flag = True
            clean.setdefault("optin_date", moment.isoformat(sep=" "))
        else:
            warnings.append(
                (
                    "unclear_consent",
                    _lt("Unclear consent value %(value)s: no consent recorded."),
                    {"value": value},
                )
            )
    if flag is not None:
        clean["optin"] = flag
    if flag and not clean.get("optin_date"):
        warnings.append(
            (
                "unproven_consent",
                _lt("Consent without a date: recorded as unproven, it grants nothing."),
                {},
            )
        )
