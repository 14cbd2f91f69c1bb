"""Hold-out contact set: a French multi-source customer base accumulated over 12 years.

    python bench/holdout/generate.py --size 100000 --seed 7 --out /tmp/holdout_100k.csv

Written from bench/holdout/SPEC.md only (not from the matcher nor the other generators). Writes
exactly ``--size`` rows with the input columns ``row_id,name,email,phone,mobile,street,zip,city,
birthdate``, the truth columns read by bench/independent/score.py (``entity_id,hn_group,hn_kind,
canon_name,variants``) and hidden informative columns (``source,created,hn_detail,company``), plus
``OUT.summary.json`` with the realised counts. Standard library only, deterministic for a given
seed and size, streaming (one temporary file per creation month), so 1M rows run in bounded memory.
"""

import argparse
import bisect
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import unicodedata
import zlib
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import data as D  # noqa: E402

GENERATOR_VERSION = "holdout-1"
START, END = 2014.0, 2026.0
MONTHS = int((END - START) * 12)
T_MIN = 0.0  # epochs that were already true before the person's first row

INPUT_COLUMNS = ["row_id", "name", "email", "phone", "mobile", "street", "zip", "city", "birthdate"]
TRUTH_COLUMNS = ["entity_id", "hn_group", "hn_kind", "canon_name", "variants"]
HIDDEN_COLUMNS = ["source", "created", "hn_detail", "company"]
COLUMNS = INPUT_COLUMNS + TRUTH_COLUMNS + HIDDEN_COLUMNS

# ---------------------------------------- frozen rates (SPEC.md)
ROWS_PER_PERSON = (
    (1, 0.52),
    (2, 0.24),
    (3, 0.12),
    (4, 0.06),
    (5, 0.03),
    (6, 0.015),
    (7, 0.008),
    (8, 0.004),
    (9, 0.0015),
    (10, 0.0008),
    (11, 0.0004),
    (12, 0.0003),
)
BIRTH_BANDS = (
    ((1940, 1954), 0.10),
    ((1955, 1969), 0.25),
    ((1970, 1984), 0.30),
    ((1985, 1994), 0.20),
    ((1995, 2006), 0.15),
)
UNIT_KINDS = (
    ("single", 0.906),
    ("homonym", 0.020),
    ("homonym_same_city", 0.007),
    ("relatives", 0.035),
    ("father_son", 0.008),
    ("colleagues", 0.012),
    ("shared_mailbox", 0.012),
)
RELATIVES = (("spouses", 0.55), ("siblings", 0.25), ("parent_child", 0.12), ("twins", 0.08))
RATES = {
    "women": 0.52,
    "professional": 0.12,
    "move_per_year": 0.07,
    "student_move_per_year": 0.25,
    "move_same_city": 0.35,
    "move_same_dept": 0.25,
    "landline_replaced_on_move": 0.70,
    "landline_gained_on_move": 0.15,
    "isp_mailbox_replaced_on_move": 0.40,
    "new_mobile_per_year": 0.04,
    "gain_mobile_per_year": 0.10,
    "new_mailbox_per_year": 0.05,
    "stale_email": 0.10,
    "marriage_per_year": 0.06,
    "married_at_start_over_28": 0.55,
    "married_name": (
        ("husband", 0.75),
        ("double", 0.12),
        ("double_reversed", 0.03),
        ("kept", 0.10),
    ),
    "maiden_name_after_marriage": 0.15,
    "double_name_shown_as_husband_only": 0.20,
    "divorce_per_year": 0.012,
    "back_to_maiden_on_divorce": 0.80,
    "men_double_name": 0.01,
    "job_change_per_year": 0.08,
    "work_mobile": 0.60,
    "work_mobile_kept_on_job_change": 0.50,
    "pro_rows_from_cards": 0.50,
    "pro_personal_row_with_work_mail": 0.20,
    "landline_at_start": ((1960, 0.75), (1980, 0.50), (9999, 0.20)),
    "mobile_at_start_before_1950": 0.60,
    "mobile_at_start": 0.95,
    "mailbox_at_start_before_1950": 0.60,
    "mailbox_at_start": 0.90,
    "company_without_domain": 0.20,
    "cms_v2_mojibake_2019_2020": 0.03,
    "homonym_triple": 0.10,
    "homonym_same_zip": 0.40,
    "siblings_three": 0.20,
    "twins_one_day_apart": 0.15,
    "twins_same_initial": 0.30,
    "father_son_share_home": 0.60,
    "son_suffix": 0.30,
    "father_suffix": 0.08,
    "shared_mailbox_same_surname": 0.80,
    "family_mailbox_is_one_spouse_own": 0.50,
    "spouses_married_at_start": 0.70,
    "village_share": 0.30,
    "common_surname": 0.15,  # drawn from the ~250 most frequent (Zipf 0.5), else the long tail
    "first_name_neighbour_generation": 0.30,  # first names Zipf 0.6 within a generation's list
}
# source: share of B2C rows, first year, presence of each field, birth-date format
SOURCES = {
    "webshop": dict(
        share=0.30,
        since=2014,
        name=0.99,
        email=1.0,
        phone=0.30,
        mobile=0.70,
        address=0.92,
        birth=0.30,
        bfmt="dmy",
    ),
    "marketplace": dict(
        share=0.18,
        since=2016,
        name=1.0,
        email=0.95,
        phone=1.0,
        mobile=0.0,
        address=0.98,
        birth=0.0,
        bfmt="dmy",
        relay=0.40,
        phone_is_mobile=0.85,
        pickup=0.10,
        work_address=0.06,
    ),
    "newsletter": dict(
        share=0.20,
        since=2014,
        name=0.60,
        email=1.0,
        phone=0.0,
        mobile=0.10,
        address=0.30,
        birth=0.25,
        bfmt="iso",
    ),
    "callcentre": dict(
        share=0.14,
        since=2014,
        name=1.0,
        email=0.55,
        phone=0.60,
        mobile=0.70,
        address=0.85,
        birth=0.15,
        bfmt="dmy",
    ),
    "loyalty": dict(
        share=0.18,
        since=2014,
        name=1.0,
        email=0.60,
        phone=0.30,
        mobile=0.85,
        address=0.90,
        birth=0.70,
        bfmt="dmy",
        name_len=25,
        street_len=32,
    ),
    "cards": dict(
        share=0.0,
        since=2014,
        name=1.0,
        email=0.95,
        phone=0.85,
        mobile=0.60,
        address=0.95,
        birth=0.0,
        bfmt="dmy",
        cedex=0.30,
    ),
}
NOISE = {  # flag: per source rate (webshop, marketplace, newsletter, callcentre, loyalty, cards)
    "nickname": (0.06, 0.08, 0.15, 0.03, 0.04, 0.05),
    "first_part": (0.25, 0.25, 0.30, 0.15, 0.20, 0.20),
    "hyphen_dropped": (0.15, 0.15, 0.15, 0.15, 0.15, 0.10),
    "initial": (0.01, 0.04, 0.0, 0.02, 0.01, 0.08),
    "typo_name": (0.015, 0.015, 0.01, 0.02, 0.03, 0.02),
    "typo_phonetic": (0.01, 0.01, 0.005, 0.04, 0.02, 0.01),
    "swapped": (0.02, 0.02, 0.01, 0.0, 0.03, 0.01),
    "surname_first": (0.03, 0.05, 0.0, 0.55, 0.40, 0.05),
    "upper": (0.05, 0.15, 0.03, 0.60, 1.0, 0.10),
    "accents_dropped": (0.20, 0.30, 0.20, 0.40, 1.0, 0.15),
    "missing_surname": (0.01, 0.01, 0.55, 0.0, 0.0, 0.0),
    "missing_first": (0.01, 0.01, 0.0, 0.05, 0.03, 0.03),
    "typo_email": (0.005, 0.005, 0.003, 0.08, 0.06, 0.01),
    "email_case": (0.05, 0.02, 0.02, 0.03, 0.10, 0.03),
    "excel_zero": (0.0, 0.0, 0.0, 0.0, 0.25, 0.15),
    "phone_intl": (0.25, 0.80, 0.25, 0.0, 0.0, 0.20),
    "mobile_in_phone": (0.08, 0.0, 0.0, 0.10, 0.08, 0.0),
    "street_abbrev": (0.20, 0.10, 0.0, 0.50, 0.40, 0.30),
    "typo_street": (0.01, 0.01, 0.0, 0.04, 0.04, 0.02),
    "complement": (0.15, 0.20, 0.0, 0.10, 0.10, 0.10),
    "typo_zip": (0.005, 0.005, 0.005, 0.015, 0.015, 0.005),
    "missing_city": (0.03, 0.01, 0.50, 0.03, 0.03, 0.01),
    "fake_birthdate": (0.0, 0.0, 0.01, 0.0, 0.04, 0.0),
    "birthdate_dm_swapped": (0.01, 0.0, 0.0, 0.01, 0.01, 0.0),
    "birthdate_typo": (0.005, 0.0, 0.005, 0.01, 0.015, 0.0),
    "civility": (0.02, 0.0, 0.0, 0.30, 0.10, 0.20),
}
SOURCE_INDEX = {name: i for i, name in enumerate(SOURCES)}


# ---------------------------------------- helpers
def pick(rng, pairs):
    """A value of ``pairs`` ((value, weight), ...) drawn by weight."""
    total = 0.0
    for _value, weight in pairs:
        total += weight
    x = rng.random() * total
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


class Zipf:
    def __init__(self, items, s=1.0):
        self.items = items
        acc, cum = 0.0, []
        for rank in range(len(items)):
            acc += 1.0 / (rank + 1) ** s
            cum.append(acc)
        self.cum, self.total = cum, acc

    def __call__(self, rng):
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


class Weighted:
    def __init__(self, items, weights):
        self.items = items
        acc, cum = 0, []
        for w in weights:
            acc += w
            cum.append(acc)
        self.cum, self.total = cum, acc

    def __call__(self, rng):
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


FIRST_DRAW = {key: Zipf(names, 0.6) for key, names in D.FIRST.items()}
COMPOSITE_DRAW = {sex: Zipf(tuple(names), 0.7) for sex, names in D.COMPOSITE.items()}
SURNAME_DRAW = Zipf(D.SURNAMES, 0.5)
CITY_DRAW = Weighted(D.CITIES, D.CITY_WEIGHTS)
STREET_TYPE_DRAW = Weighted(D.STREET_TYPES, [t[1] for t in D.STREET_TYPES])
INITIAL_PROVIDER_DRAW = [
    Weighted([p for p, _ in table], [w for _, w in table]) for table in D.INITIAL_PROVIDERS
]
NEW_PROVIDER_DRAW = Weighted([p for p, _ in D.NEW_PROVIDERS], [w for _, w in D.NEW_PROVIDERS])


def ascii_fold(text):
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def mojibake(text):
    return text.encode("utf-8").decode("latin-1")


def slug(text):
    """Lower-case ASCII without spaces nor apostrophes, for mail local parts and domains."""
    text = ascii_fold(text).lower()
    return "".join(c for c in text if c.isalnum() or c in ".-")


def cohort(birth_year):
    return 0 if birth_year < 1960 else 1 if birth_year < 1980 else 2 if birth_year < 1995 else 3


def draw_first(rng, sex, birth_year):
    c = cohort(birth_year)
    if rng.random() < D.COMPOSITE_RATE[c]:
        return COMPOSITE_DRAW[sex](rng)
    if rng.random() < RATES["first_name_neighbour_generation"]:
        c = min(3, c + 1) if c == 0 or (c < 3 and rng.random() < 0.5) else c - 1
    return FIRST_DRAW[c, sex](rng)


def draw_surname(rng):
    if rng.random() < RATES["common_surname"]:
        return SURNAME_DRAW(rng)
    return D.tail_surname(rng)


def keyboard_typo(rng, word):
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    op = rng.random()
    ch = word[i]
    if op < 0.35:
        near = D.KEY_NEIGHBOURS.get(ch.lower())
        if not near:
            return word[:i] + word[i + 1 :]
        new = rng.choice(near)
        new = new.upper() if ch.isupper() else new
        return word[:i] + new + word[i + 1 :]
    if op < 0.6:
        return word[:i] + word[i + 1 :]
    if op < 0.8:
        return word[:i] + ch + word[i:]
    if i + 1 < len(word):
        return word[:i] + word[i + 1] + ch + word[i + 2 :]
    return word[: i - 1] + ch + word[i - 1]


def phonetic_typo(rng, word):
    if word in D.PHONETIC:
        return rng.choice(D.PHONETIC[word])
    low = word.lower()
    rules = [(a, b) for a, b in D.PHONETIC_RULES if a in low[1:]]
    if not rules:
        return keyboard_typo(rng, word)
    a, b = rng.choice(rules)
    i = low.index(a, 1)
    return word[:i] + b + word[i + len(a) :]


def crc(text):
    return zlib.crc32(text.encode("utf-8"))


def fmt_date(y, m, d, fmt):
    return f"{y:04d}-{m:02d}-{d:02d}" if fmt == "iso" else f"{d:02d}/{m:02d}/{y:04d}"


# ---------------------------------------- places
class Place:
    """A postal address (a home, a company site or a pickup point)."""

    __slots__ = ("number", "rep", "stype", "sname", "complement", "zip", "city", "park")

    def __init__(self, number, rep, stype, sname, complement, zip_code, city, park=None):
        self.number, self.rep, self.stype, self.sname = number, rep, stype, sname
        self.complement, self.zip, self.city, self.park = complement, zip_code, city, park

    @property
    def dept(self):
        return self.zip[:2]


def draw_town(rng):
    if rng.random() < RATES["village_share"]:
        return D.VILLAGES[rng.randrange(len(D.VILLAGES))]
    return CITY_DRAW(rng)


def town_in_dept(rng, dept):
    for _ in range(30):
        town = draw_town(rng)
        if town[1][0][:2] == dept:
            return town
    return None


def new_place(rng, town=None, zip_code=None, business=False):
    city, zips = town or draw_town(rng)
    zip_code = zip_code or rng.choice(zips)
    number = max(1, min(int(rng.lognormvariate(2.3, 1.0)), 350))
    rep = pick(rng, (("", 0.93), ("bis", 0.05), ("ter", 0.02)))
    stype = STREET_TYPE_DRAW(rng)
    sname = D.STREET_NAMES[rng.randrange(len(D.STREET_NAMES))]
    complement = None
    if not business and rng.random() < 0.30:
        complement = rng.choice(D.COMPLEMENTS).format(
            n=rng.randrange(1, 60), l=rng.choice("ABCDEF"), e=rng.randrange(1, 9)
        )
    park = rng.choice(D.BUSINESS_PARKS) if business and rng.random() < 0.4 else None
    return Place(number, rep, stype, sname, complement, zip_code, city, park)


def moved_place(rng, old):
    x = rng.random()
    if x < RATES["move_same_city"]:
        town = next(((c, z) for c, z in D.CITIES if c == old.city), None) or (old.city, (old.zip,))
        return new_place(rng, town)
    if x < RATES["move_same_city"] + RATES["move_same_dept"]:
        town = town_in_dept(rng, old.dept)
        if town:
            return new_place(rng, town)
    return new_place(rng)


def pickup_place(city_place, k):
    """The k-th pickup point of a town: the same for every customer of that town."""
    seed = crc(f"{city_place.city}|{city_place.zip[:2]}|{k}")
    name = D.PICKUP[seed % len(D.PICKUP)]
    sname = D.STREET_NAMES[(seed >> 8) % len(D.STREET_NAMES)]
    stype = D.STREET_TYPES[(seed >> 16) % 4]
    return Place(1 + (seed >> 20) % 40, "", stype, sname, name, city_place.zip, city_place.city)


class Claimed:
    """The phone numbers, mailboxes and domains already given to someone (a Bloom filter).

    An operator or a mail provider never gives one number or one mailbox to two customers: a drawn
    value already taken is drawn again (or, for a mailbox, gets digits, as providers suggest). Fixed
    memory (16 MB) whatever the size; a false positive only means one more draw.
    """

    BITS = 1 << 27

    def __init__(self):
        self.bits = bytearray(self.BITS // 8)

    def claim(self, value):
        digest = hashlib.blake2b(value.encode("utf-8"), digest_size=16).digest()
        new = False
        for i in range(4):
            h = int.from_bytes(digest[4 * i : 4 * i + 4], "little") % self.BITS
            byte, bit = h >> 3, 1 << (h & 7)
            if not self.bits[byte] & bit:
                new = True
                self.bits[byte] |= bit
        return new


CLAIMED = Claimed()


def landline(rng, place, box=None):
    box = rng.random() < 0.45 if box is None else box
    zone = "9" if box else D.DEPT_ZONE.get(place.dept, "1")
    while True:
        number = f"0{zone}{rng.randrange(10**8):08d}"
        if CLAIMED.claim(number):
            return number


def mobile_number(rng, year):
    prefix = "7" if rng.random() < (0.15 if year < 2016 else 0.45) else "6"
    while True:
        number = f"0{prefix}{rng.randrange(10**8):08d}"
        if CLAIMED.claim(number):
            return number


def unique_mailbox(rng, local, domain, birth_year):
    """``local@domain``, or with digits if that mailbox is already someone's."""
    box = f"{local}@{domain}"
    tries = 0
    while not CLAIMED.claim(box):
        tries += 1
        digits = (
            f"{birth_year % 100:02d}" if tries == 1 else str(rng.randrange(1, 10 ** min(tries, 4)))
        )
        box = f"{local}{digits}@{domain}"
    return box


# ---------------------------------------- people
class Epochs:
    """A value that changes over time: ``at(t)`` -> (value, tag)."""

    __slots__ = ("times", "values", "tags")

    def __init__(self, value, tag, t=T_MIN):
        self.times, self.values, self.tags = [t], [value], [tag]

    def add(self, t, value, tag):
        self.times.append(t)
        self.values.append(value)
        self.tags.append(tag)

    def at(self, t):
        i = max(0, bisect.bisect_right(self.times, t) - 1)
        return self.values[i], self.tags[i]

    def previous(self, t):
        i = bisect.bisect_right(self.times, t) - 1
        return (self.values[i - 1], self.tags[i - 1]) if i >= 1 else (None, None)


class Company:
    __slots__ = ("name", "domain", "shared_mailbox", "place", "switchboard", "style", "cedex")

    def __init__(self, rng):
        surname = draw_surname(rng)
        trade = rng.choice(D.TRADES)
        pattern = rng.randrange(6)
        if pattern == 0:
            name = f"{surname} {trade}"
        elif pattern == 1:
            name = f"{trade} {surname}"
        elif pattern == 2:
            name = f"SARL {surname}"
        elif pattern == 3:
            name = f"{surname} et Fils"
        elif pattern == 4:
            name = f"Atelier {surname}"
        else:
            name = f"{D.tail_surname(rng)}a {trade}"
        self.name = name
        base = slug(name.replace("SARL ", "").replace(" et ", "-").replace(" ", "-"))
        self.place = new_place(rng, business=True)
        self.switchboard = landline(rng, self.place, box=rng.random() < 0.2)
        self.style = pick(
            rng, (("prenom.nom", 0.55), ("p.nom", 0.25), ("pnom", 0.10), ("prenom", 0.10))
        )
        self.cedex = f"{self.place.zip[:2]}{rng.randrange(900, 1000)}"
        if rng.random() < RATES["company_without_domain"]:
            self.domain = None
            prefix = rng.choice(("contact.", "info.", ""))
            self.shared_mailbox = unique_mailbox(
                rng,
                f"{prefix}{base.replace('-', '')}",
                NEW_PROVIDER_DRAW(rng),
                int(self.place.zip[:2]),
            )
        else:
            tld = pick(rng, ((".fr", 0.7), (".com", 0.2), ("-sarl.fr", 0.1)))
            self.domain = base + tld
            while not CLAIMED.claim("@" + self.domain):
                self.domain = f"{base}-{self.place.zip[:2]}{rng.randrange(100) or ''}{tld}"
            self.shared_mailbox = None

    def mailbox(self, first, surname):
        if self.domain is None:
            return self.shared_mailbox
        f, s = slug(first), slug(surname).replace(" ", "")
        local = {
            "prenom.nom": f"{f}.{s}",
            "p.nom": f"{f[0]}.{s}",
            "pnom": f"{f[0]}{s}",
            "prenom": f,
        }[self.style]
        return f"{local}@{self.domain}"


class Job:
    __slots__ = ("company", "mailbox", "mobile", "mobile_tag", "tag")

    def __init__(self, company, mailbox, mobile, mobile_tag, tag):
        self.company, self.mailbox, self.mobile = company, mailbox, mobile
        self.mobile_tag, self.tag = mobile_tag, tag


class Person:
    __slots__ = (
        "eid",
        "sex",
        "birth",
        "first",
        "birth_surname",
        "t0",
        "home",
        "mobile",
        "mail",
        "surname",
        "jobs",
        "suffix",
        "relay",
        "n_rows",
        "first_source",
        "times",
    )

    @property
    def canon(self):
        return ascii_fold(f"{self.first} {self.birth_surname}").lower()


def mail_local(rng, first, surname, birth_year, young):
    f = slug(first)
    s = slug(surname).replace(" ", "").replace("-", "")
    if young and rng.random() < 0.5 or rng.random() < 0.15:
        nick = D.NICKNAMES.get(first)
        word = slug(rng.choice(nick)) if nick and rng.random() < 0.5 else rng.choice(D.PSEUDO_WORDS)
        sep = rng.choice((".", "_", "", "-"))
        tail = rng.choice(
            (
                f"{birth_year % 100:02d}",
                f"{rng.randrange(1, 96):02d}",
                str(rng.randrange(1, 999)),
                s[:4],
            )
        )
        return f"{word}{sep}{tail}"
    style = pick(
        rng,
        (
            ("prenom.nom", 0.40),
            ("pnom", 0.12),
            ("prenomnom", 0.10),
            ("prenom.nom.nn", 0.15),
            ("nom.prenom", 0.08),
            ("prenom_nom", 0.05),
            ("nomp", 0.05),
            ("prenom.n", 0.05),
        ),
    )
    if style == "prenom.nom":
        return f"{f}.{s}"
    if style == "pnom":
        return f"{f[0]}{s}"
    if style == "prenomnom":
        return f"{f.replace('-', '')}{s}"
    if style == "prenom.nom.nn":
        return f"{f}.{s}{rng.choice((birth_year % 100, rng.randrange(1, 100))):02d}"
    if style == "nom.prenom":
        return f"{s}.{f}"
    if style == "prenom_nom":
        return f"{f}_{s}"
    if style == "nomp":
        return f"{s}{f[0]}"
    return f"{f}.{s[0]}"


def poisson_times(rng, rate, start, end):
    out, t = [], start
    if rate <= 0:
        return out
    while True:
        t += rng.expovariate(rate)
        if t >= end:
            return out
        out.append(t)


def draw_birth_year(rng, band=None):
    lo, hi = band or pick(rng, BIRTH_BANDS)
    return rng.randint(lo, hi)


def draw_time(rng, earliest):
    """A row's creation time: the base grows (twice as many rows a month in 2025 as in 2014)."""
    a = max(START, earliest)
    while True:
        t = a + rng.random() * (END - a)
        if rng.random() < (1.0 + (t - START) / 12.0) / 2.0:
            return t


def draw_t0(rng, earliest):
    return draw_time(rng, earliest)


def random_birth(rng, year):
    start = datetime.date(year, 1, 1)
    return start + datetime.timedelta(days=rng.randrange(365))


class Builder:
    """Builds persons (their lives, SPEC section 3) and renders their rows (sections 2, 6)."""

    def __init__(self, rng):
        self.rng = rng
        self.next_eid = 0
        self.next_group = 0

    # ---------------------------------------- life
    def person(  # noqa: C901 - one block per part of the SPEC
        self,
        sex=None,
        birth=None,
        first=None,
        surname=None,
        t0=None,
        marriage=True,
        parents_home=None,
        leave=None,
        husband_surname=None,
        married_at_start=None,
        home=None,
        pro=None,
        stay_until=None,
        start_home=None,
    ):
        rng = self.rng
        p = Person()
        self.next_eid += 1
        p.eid = f"P{self.next_eid:07d}"
        p.sex = sex or ("F" if rng.random() < RATES["women"] else "M")
        if birth is None:
            birth = random_birth(rng, draw_birth_year(rng))
        p.birth = birth
        by = birth.year
        p.first = first or draw_first(rng, p.sex, by)
        p.birth_surname = surname or draw_surname(rng)
        p.n_rows = pick(rng, ROWS_PER_PERSON)
        # the rows of one person fall independently over the years (a customer comes back)
        if t0 is None:
            times = sorted(draw_time(rng, by + 16) for _ in range(p.n_rows))
        else:
            times = [t0] + sorted(draw_time(rng, t0) for _ in range(p.n_rows - 1))
        p.t0 = times[0]
        p.times = times
        p.suffix = None
        p.relay = f"{rng.getrandbits(40):010x}"
        age0 = p.t0 - by

        # surname epochs
        p.surname = Epochs(p.birth_surname, "birth")
        if p.sex == "F" and marriage:
            if married_at_start is None:
                married_at_start = age0 > 28 and rng.random() < RATES["married_at_start_over_28"]
            t_marry = None
            if married_at_start:
                t_marry = T_MIN
            elif husband_surname is not None:
                t_marry = p.t0 + rng.random() * (END - p.t0)
            else:
                lo, hi = max(p.t0, by + 20), min(END, by + 45)
                if lo < hi:
                    times = poisson_times(rng, RATES["marriage_per_year"], lo, hi)
                    t_marry = times[0] if times else None
            if t_marry is not None:
                husband = husband_surname or draw_surname(rng)
                choice = pick(rng, RATES["married_name"])
                if husband_surname is not None and choice == "kept":
                    choice = "husband"
                if choice != "kept" and husband != p.birth_surname:
                    name, tag = {
                        "husband": (husband, "married"),
                        "double": (f"{p.birth_surname}-{husband}", "double"),
                        "double_reversed": (f"{husband}-{p.birth_surname}", "double"),
                    }[choice]
                    if t_marry == T_MIN:
                        p.surname = Epochs(name, tag)
                    else:
                        p.surname.add(t_marry, name, tag)
                    if husband_surname is None:
                        start = max(p.t0, t_marry)
                        div = poisson_times(rng, RATES["divorce_per_year"], start, END)
                        if div and rng.random() < RATES["back_to_maiden_on_divorce"]:
                            p.surname.add(div[0], p.birth_surname, "birth")
        elif p.sex == "M" and marriage and rng.random() < RATES["men_double_name"]:
            p.surname = Epochs(f"{p.birth_surname}-{draw_surname(rng)}", "double")

        # home epochs: (place, landline, landline tag)
        y0 = int(p.t0)
        moves_from = p.t0
        if parents_home is not None:
            place, line = parents_home
            p.home = Epochs((place, line, "par" if line else None), "par")
            if leave is None:
                leave = by + 18 + rng.random() * 5
            moves_from = leave
            if leave < END:
                own = moved_place(rng, place) if rng.random() < 0.7 else new_place(rng)
                has_line = rng.random() < 0.2
                p.home.add(
                    leave,
                    (
                        own,
                        landline(rng, own, True) if has_line else None,
                        "l0" if has_line else None,
                    ),
                    "h0",
                )
        elif home is not None:
            p.home = home
            moves_from = None  # shared household: its moves are the head's
        else:
            place, line = start_home or (new_place(rng), "draw")
            if line == "draw":
                has_line = rng.random() < next(r for y, r in RATES["landline_at_start"] if by < y)
                line = landline(rng, place) if has_line else None
            p.home = Epochs((place, line, "l0" if line else None), "h0")
            if stay_until is not None:
                moves_from = max(p.t0, stay_until)
        move_times = []
        if moves_from is not None:
            t = moves_from
            while True:
                rate = RATES["student_move_per_year"] if t - by < 25 else RATES["move_per_year"]
                t += rng.expovariate(rate)
                if t >= END:
                    break
                move_times.append(t)
            h = sum(1 for tag in p.home.tags if tag.startswith("h"))
            lines = sum(1 for v in p.home.values if v[1])
            for t in move_times:
                old_place, old_line, _ = p.home.values[-1]
                place = moved_place(rng, old_place)
                if old_line:
                    keep = rng.random() < RATES["landline_replaced_on_move"]
                else:
                    keep = rng.random() < RATES["landline_gained_on_move"]
                line = landline(rng, place) if keep else None
                tag = f"l{lines}" if keep else None
                lines += keep
                p.home.add(t, (place, line, tag), f"h{h}")
                h += 1

        # mobile epochs
        has_mobile = rng.random() < (
            RATES["mobile_at_start_before_1950"] if by < 1950 else RATES["mobile_at_start"]
        )
        p.mobile = Epochs(
            mobile_number(rng, y0) if has_mobile else None, "m0" if has_mobile else None
        )
        t, k = p.t0, int(has_mobile)
        while True:
            cur = p.mobile.values[-1]
            t += rng.expovariate(
                RATES["new_mobile_per_year"] if cur else RATES["gain_mobile_per_year"]
            )
            if t >= END:
                break
            p.mobile.add(t, mobile_number(rng, int(t)), f"m{k}")
            k += 1

        # mailbox epochs (the local part follows the name at the time the mailbox was opened)
        young = by >= 1994
        has_mail = rng.random() < (
            RATES["mailbox_at_start_before_1950"] if by < 1950 else RATES["mailbox_at_start"]
        )
        if has_mail:
            name_then = p.surname.values[0]
            if len(p.surname.values) == 1 and p.surname.tags[0] != "birth" and rng.random() < 0.3:
                name_then = p.birth_surname  # opened before the marriage
            local = mail_local(rng, p.first, name_then, by, young)
            p.mail = Epochs(
                unique_mailbox(rng, local, INITIAL_PROVIDER_DRAW[cohort(by)](rng), by), "e0"
            )
        else:
            p.mail = Epochs(None, None)
        events = [(t, "mail") for t in poisson_times(rng, RATES["new_mailbox_per_year"], p.t0, END)]
        events += [(t, "move") for t in move_times]
        events.sort()
        k = int(has_mail)
        for t, what in events:
            cur = p.mail.values[-1]
            if what == "move":
                if not cur or cur.split("@")[1] not in D.ISP_DOMAINS:
                    continue
                if rng.random() >= RATES["isp_mailbox_replaced_on_move"]:
                    continue
            surname_now = p.surname.at(t)[0]
            local = mail_local(rng, p.first, surname_now, by, young and t - by < 22)
            domain = NEW_PROVIDER_DRAW(rng)
            p.mail.add(t, unique_mailbox(rng, local, domain, by), f"e{k}")
            k += 1

        # professional life
        p.jobs = None
        if pro is not None or (25 <= age0 <= 62 and rng.random() < RATES["professional"]):
            company = pro if isinstance(pro, Company) else Company(rng)
            p.jobs = Epochs(self._job(p, company, None, 0, T_MIN), "w0")
            for i, t in enumerate(poisson_times(rng, RATES["job_change_per_year"], p.t0, END), 1):
                p.jobs.add(t, self._job(p, Company(rng), p.jobs.values[-1], i, t), f"w{i}")
        p.first_source = None
        return p

    def _job(self, p, company, previous, i, t):
        rng = self.rng
        mobile, mtag = None, None
        if (
            previous is not None
            and previous.mobile
            and rng.random() < RATES["work_mobile_kept_on_job_change"]
        ):
            mobile, mtag = previous.mobile, previous.mobile_tag
        elif rng.random() < RATES["work_mobile"]:
            mobile, mtag = mobile_number(rng, max(2014, int(t))), f"p{i}"
        return Job(company, company.mailbox(p.first, p.surname.at(t)[0]), mobile, mtag, i)

    def new_group(self):
        self.next_group += 1
        return f"G{self.next_group:06d}"

    # ---------------------------------------- units (section 5)
    def unit(self):
        """One generation unit: ``(kind, detail, [persons])``."""
        rng = self.rng
        kind = pick(rng, UNIT_KINDS)
        if kind == "single":
            p = self.person()
            if p.birth.year >= 1996 and p.t0 - p.birth.year < 22 and rng.random() < 0.85:
                place = new_place(rng)
                line = landline(rng, place) if rng.random() < 0.6 else None
                p2 = self.person(
                    sex=p.sex,
                    birth=p.birth,
                    first=p.first,
                    surname=p.birth_surname,
                    t0=p.t0,
                    parents_home=(place, line),
                )
                self.next_eid -= 1
                p2.eid = p.eid
                p = p2
            return kind, "", [p]
        if kind in ("homonym", "homonym_same_city"):
            a = self.person(marriage=False)
            count = 3 if kind == "homonym" and rng.random() < RATES["homonym_triple"] else 2
            persons = [a]
            a_place = a.home.values[0][0]
            for _ in range(count - 1):
                if kind == "homonym":
                    place = new_place(rng)
                    while place.city == a_place.city:
                        place = new_place(rng)
                else:
                    town = (a_place.city, (a_place.zip,))
                    if rng.random() >= RATES["homonym_same_zip"]:
                        town = next(((c, z) for c, z in D.CITIES if c == a_place.city), town)
                    place = new_place(rng, town)
                b = self.person(
                    sex=a.sex,
                    first=a.first,
                    surname=a.birth_surname,
                    marriage=False,
                    start_home=(place, "draw"),
                )
                persons.append(b)
            return kind, "", persons
        if kind == "relatives":
            detail = pick(rng, RELATIVES)
            return kind, detail, getattr(self, f"_{detail}")()
        if kind == "father_son":
            return kind, "", self._father_son()
        if kind == "colleagues":
            company = Company(rng)
            persons = []
            for _ in range(rng.randint(2, 6)):
                by = rng.randint(1958, 1998)
                p = self.person(birth=random_birth(rng, by), pro=company)
                p.first_source = "cards"
                persons.append(p)
            return kind, "", persons
        return kind, "", self._couple(shared_mailbox=True)

    def _couple(self, shared_mailbox=False):
        rng = self.rng
        h_by = draw_birth_year(rng, (1945, 1995))
        w_by = max(1940, min(2000, h_by + rng.randint(-6, 3)))
        husband = self.person(sex="M", birth=random_birth(rng, h_by), marriage=False)
        same_surname = (not shared_mailbox) or rng.random() < RATES["shared_mailbox_same_surname"]
        if same_surname:
            at_start = rng.random() < RATES["spouses_married_at_start"]
            wife = self.person(
                sex="F",
                birth=random_birth(rng, w_by),
                husband_surname=husband.birth_surname,
                married_at_start=at_start,
                home=husband.home,
            )
        else:
            wife = self.person(
                sex="F", birth=random_birth(rng, w_by), marriage=False, home=husband.home
            )
        if shared_mailbox:
            if rng.random() < RATES["family_mailbox_is_one_spouse_own"] and husband.mail.values[0]:
                box = husband.mail.values[0]
            else:
                place = husband.home.values[0][0]
                s = slug(husband.birth_surname).replace(" ", "")
                local = rng.choice(
                    (
                        f"famille.{s}",
                        f"{s}.famille",
                        f"{s}{place.zip[:2]}",
                        f"{slug(husband.first)}.et.{slug(wife.first)}",
                        f"{s}.{slug(husband.first)[0]}{slug(wife.first)[0]}",
                    )
                )
                box = unique_mailbox(
                    rng,
                    local,
                    rng.choice(D.ISP_DOMAINS[:4] + ("gmail.com", "laposte.net")),
                    husband.birth.year,
                )
            for p in (husband, wife):
                p.mail.values[0], p.mail.tags[0] = box, "fam"
        return [husband, wife]

    def _spouses(self):
        return self._couple()

    def _household(self):
        rng = self.rng
        place = new_place(rng)
        line = landline(rng, place) if rng.random() < 0.6 else None
        return place, line

    def _children(self, count, twins=False, surname=None):
        rng = self.rng
        home = self._household()
        surname = surname or draw_surname(rng)
        first_by = rng.randint(1996, 2006 - (0 if twins else count - 1))
        births = []
        if twins:
            b = random_birth(rng, first_by)
            births = [
                b,
                b
                + datetime.timedelta(days=1 if rng.random() < RATES["twins_one_day_apart"] else 0),
            ]
        else:
            by = first_by
            for _ in range(count):
                births.append(random_birth(rng, by))
                by = min(2006, by + rng.randint(1, 4))
            # two siblings born the same year still differ by birth date
            for i in range(1, len(births)):
                if births[i] <= births[i - 1]:
                    births[i] = births[i - 1] + datetime.timedelta(days=rng.randint(300, 700))
        persons, firsts = [], []
        for b in births:
            sex = "F" if rng.random() < 0.5 else "M"
            for _ in range(50):
                first = draw_first(rng, sex, b.year)
                if first in firsts:
                    continue
                if (
                    twins
                    and firsts
                    and rng.random() < RATES["twins_same_initial"]
                    and ascii_fold(first)[0] != ascii_fold(firsts[0])[0]
                ):
                    continue
                break
            firsts.append(first)
            t0 = min(END - 0.05, max(START, b.year + 16 + rng.random() * 4))
            leave = b.year + 18 + rng.random() * 8
            persons.append(
                self.person(
                    sex=sex,
                    birth=b,
                    first=first,
                    surname=surname,
                    t0=t0,
                    parents_home=home,
                    leave=max(leave, t0 + 0.5),
                )
            )
        return persons, home, surname

    def _siblings(self):
        count = 3 if self.rng.random() < RATES["siblings_three"] else 2
        return self._children(count)[0]

    def _twins(self):
        return self._children(2, twins=True)[0]

    def _parent_child(self):
        rng = self.rng
        (child,), home, surname = self._children(1)
        leave = child.home.times[1] if len(child.home.times) > 1 else END
        p_by = child.birth.year - rng.randint(22, 40)
        sex = "M" if rng.random() < 0.5 else "F"
        parent = self.person(
            sex=sex,
            birth=random_birth(rng, p_by),
            surname=surname if sex == "M" else None,
            husband_surname=surname if sex == "F" else None,
            married_at_start=True,
            stay_until=leave,
            start_home=home,
        )
        return [parent, child]

    def _father_son(self):
        rng = self.rng
        f_by = rng.randint(1945, 1975)
        s_by = min(2006, f_by + rng.randint(22, 38))
        surname, first = draw_surname(rng), draw_first(rng, "M", f_by)
        share = rng.random() < RATES["father_son_share_home"]
        home = self._household()
        if share:
            t0 = draw_t0(rng, s_by + 16)
            leave = (
                max(t0 + 0.5, s_by + 18 + rng.random() * 8)
                if s_by + 26 > START
                else t0 + rng.expovariate(RATES["move_per_year"])
            )
            son = self.person(
                sex="M",
                birth=random_birth(rng, s_by),
                first=first,
                surname=surname,
                t0=t0,
                parents_home=home,
                leave=leave,
            )
            stay = son.home.times[1] if len(son.home.times) > 1 else END
        else:
            son = self.person(sex="M", birth=random_birth(rng, s_by), first=first, surname=surname)
            stay = None
        father = self.person(
            sex="M",
            birth=random_birth(rng, f_by),
            first=first,
            surname=surname,
            stay_until=stay,
            start_home=home,
        )
        son.suffix = "son"
        father.suffix = "father"
        return [father, son]

    # ---------------------------------------- rows (sections 2, 6)
    def row_times(self, p):
        return p.times

    def choose_source(self, p, t, first):
        rng = self.rng
        if first and p.first_source:
            return p.first_source
        if p.jobs is not None and rng.random() < RATES["pro_rows_from_cards"]:
            return "cards"
        has_mail = p.mail.at(t)[0] is not None
        for _ in range(20):
            source = pick(rng, [(s, v["share"]) for s, v in SOURCES.items() if v["share"]])
            if t < SOURCES[source]["since"]:
                continue
            if source in ("webshop", "newsletter") and not has_mail:
                continue
            return source
        return "callcentre"

    def noise(self, flag, source):
        return self.rng.random() < NOISE[flag][SOURCE_INDEX[source]]

    def render(self, p, t, source):  # noqa: C901 - one block per field, as in the SPEC
        rng = self.rng
        spec = SOURCES[source]
        flags, tags = [], []
        row = dict.fromkeys(
            ("name", "email", "phone", "mobile", "street", "zip", "city", "birthdate"), ""
        )
        job = p.jobs.at(t)[0] if p.jobs is not None else None
        work_row = source == "cards"
        company = job.company.name if work_row else ""

        # --- name
        if rng.random() < spec["name"]:
            row["name"] = self._name(p, t, source, flags, tags)

        # --- email
        mail_tag = None
        if rng.random() < spec["email"]:
            if work_row:
                email, mail_tag = job.mailbox, f"w{job.tag}"
            elif (
                job is not None
                and source in ("webshop", "marketplace")
                and rng.random() < RATES["pro_personal_row_with_work_mail"]
            ):
                email, mail_tag = job.mailbox, f"w{job.tag}"
                work_row = True
                company = job.company.name
            elif source == "marketplace" and rng.random() < spec["relay"]:
                email, mail_tag = f"{p.relay}@relay.placedemarche.fr", "r0"
                flags.append("relay_email")
            else:
                email, mail_tag = p.mail.at(t)
                old, old_tag = p.mail.previous(t)
                if old and rng.random() < RATES["stale_email"]:
                    email, mail_tag = old, old_tag
                    flags.append("stale_email")
            if email:
                if self.noise("typo_email", source):
                    email = self._email_typo(email)
                    flags.append("typo_email")
                if self.noise("email_case", source):
                    local, _, domain = email.partition("@")
                    email = (
                        ".".join(w.capitalize() for w in local.split("."))
                        + "@"
                        + (domain.capitalize() if rng.random() < 0.5 else domain)
                    )
                    flags.append("email_case")
                row["email"] = email
                tags.append(f"mail={mail_tag}")

        # --- phones
        home_place, line, line_tag = p.home.at(t)[0]
        mobile, mobile_tag = p.mobile.at(t)
        if work_row and source == "cards":
            line, line_tag = job.company.switchboard, f"s{job.tag}"
            if job.mobile:
                mobile, mobile_tag = job.mobile, job.mobile_tag
        phone_value, mobile_value = None, None
        if source == "marketplace":
            if mobile and (rng.random() < spec["phone_is_mobile"] or not line):
                phone_value = mobile
                tags.append(f"mob={mobile_tag}")
            elif line:
                phone_value = line
                tags.append(f"land={line_tag}")
        else:
            if line and rng.random() < spec["phone"]:
                phone_value = line
                tags.append(f"land={line_tag}")
            if mobile and rng.random() < spec["mobile"]:
                if phone_value is None and self.noise("mobile_in_phone", source):
                    phone_value = mobile
                    flags.append("mobile_in_phone")
                else:
                    mobile_value = mobile
                tags.append(f"mob={mobile_tag}")
        style = self._phone_style(source, flags) if phone_value or mobile_value else None
        if phone_value:
            row["phone"] = format_phone(phone_value, style)
        if mobile_value:
            row["mobile"] = format_phone(mobile_value, style)

        # --- address
        if rng.random() < spec["address"]:
            place, addr_tag = home_place, p.home.at(t)[1]
            if work_row and source == "cards":
                place, addr_tag = job.company.place, f"w{job.tag}"
            elif source == "marketplace":
                x = rng.random()
                if x < spec["pickup"]:
                    k = rng.randrange(5)
                    place, addr_tag = pickup_place(home_place, k), f"pk{k}"
                    flags.append("pickup_point")
                elif job is not None and x < spec["pickup"] + spec["work_address"]:
                    place, addr_tag = job.company.place, f"w{job.tag}"
                    work_row = True
                    company = job.company.name
            self._address(row, place, source, flags)
            if row["street"] or row["zip"] or row["city"]:
                tags.append(f"addr={addr_tag}")

        # --- birth date
        if rng.random() < spec["birth"]:
            row["birthdate"] = self._birthdate(p, source, flags)
        if not row["birthdate"]:
            flags.append("no_birthdate")

        if not (row["name"] or row["email"] or row["phone"] or row["mobile"]):
            # a row nobody could use is not kept by any source: the name at least was asked
            row["name"] = self._name(p, t, "callcentre", flags, tags)
        if p.jobs is not None:
            tags.append("work=pro" if work_row else "work=perso")
        if (
            source == "webshop"
            and 2019.0 <= t < 2021.0
            and rng.random() < RATES["cms_v2_mojibake_2019_2020"]
        ):
            changed = False
            for key in ("name", "street", "city"):
                new = mojibake(row[key])
                changed |= new != row[key]
                row[key] = new
            if changed:
                flags.append("mojibake")
        return row, tags + flags, company

    def _name(self, p, t, source, flags, tags):  # noqa: C901 - one block per part of the SPEC
        rng = self.rng
        surname, sur_tag = p.surname.at(t)
        if sur_tag != "birth" and rng.random() < RATES["maiden_name_after_marriage"]:
            surname, sur_tag = p.birth_surname, "birth"
        elif sur_tag == "double" and rng.random() < RATES["double_name_shown_as_husband_only"]:
            parts = surname.split("-")
            surname, sur_tag = (parts[1] if parts[0] == p.birth_surname else parts[0]), "married"
        first = p.first
        if "-" in first and self.noise("first_part", source):
            first = first.split("-")[0]
            flags.append("first_part")
        if self.noise("nickname", source) and first in D.NICKNAMES:
            first = rng.choice(D.NICKNAMES[first])
            flags.append("nickname")
        elif self.noise("initial", source):
            parts = first.split("-")
            first = "-".join(f"{x[0]}." for x in parts)
            flags.append("initial")
        if "-" in first and "." not in first and self.noise("hyphen_dropped", source):
            first = first.replace("-", " ")
            flags.append("hyphen_dropped")
        show_first, show_sur = True, True
        if self.noise("missing_surname", source):
            show_sur = False
        elif self.noise("missing_first", source):
            show_first = False
        if self.noise("typo_phonetic", source):
            if show_sur and (rng.random() < 0.7 or not show_first):
                new = phonetic_typo(rng, surname)
                if new != surname:
                    surname = new
                    flags.append("typo_phonetic")
            elif show_first:
                new = phonetic_typo(rng, first)
                if new != first:
                    first = new
                    flags.append("typo_phonetic")
        if self.noise("typo_name", source):
            if show_sur and (rng.random() < 0.65 or not show_first):
                surname = keyboard_typo(rng, surname)
            else:
                first = keyboard_typo(rng, first)
            flags.append("typo_name")
        if not show_sur:
            flags.append("missing_surname")
        else:
            tags.append(f"sur={sur_tag}")
        if not show_first:
            flags.append("missing_first")
        suffix = ""
        if p.suffix == "son" and rng.random() < RATES["son_suffix"]:
            suffix = rng.choice(("fils", "Jr", "junior", "Jr.", "Fils"))
            flags.append("suffix")
        elif p.suffix == "father" and rng.random() < RATES["father_suffix"]:
            suffix = rng.choice(("père", "Sr", "Père"))
            flags.append("suffix")
        surname_first = self.noise("surname_first", source)
        upper = self.noise("upper", source)
        if surname_first:
            flags.append("surname_first")
            sur_text = (
                surname.upper()
                if source in ("callcentre", "loyalty") or rng.random() < 0.7
                else surname
            )
            parts = [sur_text if show_sur else "", first if show_first else "", suffix]
        elif self.noise("swapped", source) and show_sur and show_first:
            flags.append("swapped")
            parts = [surname, first, suffix]
        else:
            parts = [first if show_first else "", surname if show_sur else "", suffix]
        name = " ".join(x for x in parts if x)
        if self.noise("civility", source) or (not show_first and rng.random() < 0.5):
            civ = (
                rng.choice(("M.", "Monsieur", "Mr", "M"))
                if p.sex == "M"
                else rng.choice(
                    ("Mme", "Madame", "Mme.")
                    + (("Mlle",) if t < 2013 + 6 and t - p.birth.year < 35 else ())
                )
            )
            name = f"{civ} {name}"
            flags.append("civility")
        if upper:
            name = name.upper()
            flags.append("upper")
        if self.noise("accents_dropped", source):
            folded = ascii_fold(name)
            if folded != name:
                name = folded
                flags.append("accents_dropped")
        limit = SOURCES[source].get("name_len")
        if limit and len(name) > limit:
            name = name[:limit].rstrip()
            flags.append("truncated")
        return name

    def _email_typo(self, email):
        rng = self.rng
        local, _, domain = email.partition("@")
        x = rng.random()
        if x < 0.45 and domain in D.DOMAIN_TYPOS:
            return f"{local}@{rng.choice(D.DOMAIN_TYPOS[domain])}"
        if x < 0.65 and "." in local:
            i = local.index(".")
            return f"{local[:i]}{local[i + 1:]}@{domain}"
        return f"{keyboard_typo(rng, local)}@{domain}"

    def _phone_style(self, source, flags):
        rng = self.rng
        if self.noise("excel_zero", source):
            flags.append("excel_zero")
            return "excel"
        if self.noise("phone_intl", source):
            flags.append("phone_intl")
            if source == "marketplace":
                return "intl" if rng.random() < 0.9 else "intl_spaced"
            return rng.choice(("intl", "intl_spaced", "intl00", "intl0"))
        if source == "callcentre":
            return "spaced"
        if source == "marketplace":
            return "compact"
        return rng.choice(("compact", "spaced", "spaced", "dots", "dash"))

    def _address(self, row, place, source, flags):  # noqa: C901 - one block per part of the SPEC
        rng = self.rng
        spec = SOURCES[source]
        abbrev = self.noise("street_abbrev", source)
        upper = (
            source == "loyalty"
            or (source == "callcentre" and rng.random() < 0.5)
            or (source == "marketplace" and rng.random() < 0.15)
        )
        cedex = source == "cards" and rng.random() < spec.get("cedex", 0)
        zip_code = place.zip
        if source != "newsletter":
            stype, _, abbrevs = place.stype
            sname = place.sname
            if abbrev:
                stype = rng.choice(abbrevs)
                for long, short in D.WORD_ABBREV:
                    sname = sname.replace(long, short)
                flags.append("street_abbrev")
            rep = place.rep
            if rep:
                rep = rng.choice(
                    {
                        "bis": (" bis", "bis", " B", "B", " Bis"),
                        "ter": (" ter", "ter", " T", " Ter"),
                    }[rep]
                )
            street = f"{place.number}{rep} {stype} {sname}"
            if rng.random() < 0.08:
                street = f"{place.number}{rep}, {stype} {sname}"
            if self.noise("typo_street", source):
                words = street.split(" ")
                i = max(range(len(words)), key=lambda j: len(words[j]))
                words[i] = keyboard_typo(rng, words[i])
                street = " ".join(words)
                flags.append("typo_street")
            complement = place.complement
            if self.noise("complement", source):
                flags.append("complement")
                if complement:
                    complement = None
                else:
                    complement = rng.choice(D.COMPLEMENTS).format(
                        n=rng.randrange(1, 60), l=rng.choice("ABCDEF"), e=rng.randrange(1, 9)
                    )
            if complement:
                street = (
                    f"{complement}, {street}" if rng.random() < 0.6 else f"{street} {complement}"
                )
            if place.park:
                street = f"{place.park}, {street}" if rng.random() < 0.7 else street
            if upper:
                street = ascii_fold(street).upper() if source == "loyalty" else street.upper()
            limit = spec.get("street_len")
            if limit and len(street) > limit:
                street = street[:limit].rstrip()
            row["street"] = street
        city = self._city(place, source, upper, flags)
        if cedex:
            zip_code = (
                place.zip
                if rng.random() < 0.5
                else f"{place.zip[:2]}{(crc(place.city) % 90) + 900:03d}"
            )
            city = f"{city} {rng.choice(('CEDEX', 'Cedex', 'cedex'))}"
            if place.zip.startswith(("75", "69", "13")) and rng.random() < 0.5:
                city += f" {place.zip[-2:]}"
            flags.append("cedex")
        if self.noise("typo_zip", source):
            i = rng.randrange(1, 4)
            swapped = zip_code[:i] + zip_code[i + 1] + zip_code[i] + zip_code[i + 2 :]
            if swapped != zip_code:
                zip_code = swapped
                flags.append("typo_zip")
        if "excel_zero" in flags and zip_code.startswith("0"):
            zip_code = zip_code[1:]
        elif (
            zip_code.startswith("0")
            and source in ("loyalty", "cards")
            and self.noise("excel_zero", source)
        ):
            zip_code = zip_code[1:]
            flags.append("excel_zero")
        row["zip"] = zip_code
        if self.noise("missing_city", source):
            flags.append("missing_city")
        else:
            row["city"] = city

    def _city(self, place, source, upper, flags):
        rng = self.rng
        city = place.city
        if (
            place.zip[:2] in ("75", "69", "13")
            and city in ("Paris", "Lyon", "Marseille")
            and rng.random() < 0.5
        ):
            arr = int(place.zip[-2:])
            city = f"{city} {rng.choice((f'{arr}', f'{arr}e', f'{arr:02d}', f'{arr}ème'))}"
        if rng.random() < 0.3 and ("Saint-" in city or "Sainte-" in city):
            city = city.replace("Saint-", rng.choice(("St-", "St ", "Saint "))).replace(
                "Sainte-", rng.choice(("Ste-", "Ste "))
            )
        if rng.random() < 0.1:
            city = city.replace("-", " ")
        if upper or rng.random() < 0.2:
            city = city.upper()
        if source == "loyalty" or rng.random() < 0.15:
            city = ascii_fold(city)
        return city

    def _birthdate(self, p, source, flags):
        rng = self.rng
        fmt = SOURCES[source]["bfmt"]
        if self.noise("fake_birthdate", source):
            flags.append("fake_birthdate")
            return fmt_date(1900, 1, 1, fmt)
        y, m, d = p.birth.year, p.birth.month, p.birth.day
        if self.noise("birthdate_dm_swapped", source) and d <= 12 and d != m:
            m, d = d, m
            flags.append("birthdate_dm_swapped")
        if self.noise("birthdate_typo", source):
            if rng.random() < 0.5:
                y = y - y % 10 + (y % 10 + rng.choice((1, -1))) % 10
            else:
                y = y - (y % 100) + (y % 10) * 10 + (y // 10) % 10
                if y > 2010:
                    y -= 100
            flags.append("birthdate_typo")
        return fmt_date(y, m, d, fmt)


def format_phone(number, style):
    """``number`` is 10 digits starting with 0."""
    nat = number[1:]
    pairs = " ".join(number[i : i + 2] for i in range(0, 10, 2))
    if style == "compact":
        return number
    if style == "spaced":
        return pairs
    if style == "dots":
        return pairs.replace(" ", ".")
    if style == "dash":
        return pairs.replace(" ", "-")
    if style == "intl":
        return f"+33{nat}"
    if style == "intl_spaced":
        return f"+33 {nat[0]} " + " ".join(nat[i : i + 2] for i in range(1, 9, 2))
    if style == "intl00":
        return f"0033{nat}"
    if style == "intl0":
        return f"+33 (0){nat[0]} " + " ".join(nat[i : i + 2] for i in range(1, 9, 2))
    if style == "excel":
        return nat
    raise ValueError(style)


# ---------------------------------------- driver
def pair_stats(rows_tags, counter):
    """Count the true pairs of one person by what differs (the epoch tags of the SPEC)."""
    parsed = []
    for items in rows_tags:
        tags = dict(item.split("=", 1) for item in items if "=" in item)
        parsed.append(tags)
    for i in range(len(parsed)):
        for j in range(i + 1, len(parsed)):
            a, b = parsed[i], parsed[j]
            shared = False
            for key in ("addr", "mob", "land", "mail", "sur", "work"):
                if key in a and key in b:
                    if a[key] != b[key]:
                        counter[f"{key} differs"] += 1
                    elif key != "sur" and key != "work":
                        shared = True
                elif (key in a) != (key in b) and key in ("addr", "mob", "mail"):
                    counter[f"{key} in one row only"] += 1
            counter[
                "shares an email, phone or address epoch"
                if shared
                else "shares no email, phone or address epoch"
            ] += 1


def generate(size, seed, out):  # noqa: C901 - one block per part of the SPEC
    import random

    rng = random.Random(seed)
    CLAIMED.__init__()
    builder = Builder(rng)
    tmpdir = tempfile.mkdtemp(prefix="holdout_", dir=os.path.dirname(os.path.abspath(out)) or ".")
    buckets = [
        open(os.path.join(tmpdir, f"{m:03d}.csv"), "w", newline="", encoding="utf-8")
        for m in range(MONTHS)
    ]
    writers = [csv.writer(b, lineterminator="\n") for b in buckets]
    summary = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "size": size,
        "persons": 0,
        "true_pairs": 0,
        "rows_per_person": Counter(),
        "rows_per_source": Counter(),
        "fields_per_source": {},
        "flags": Counter(),
        "tags": Counter(),
        "hard_negatives": {},
        "relatives_detail": Counter(),
        "pairs_by_difference": Counter(),
        "professionals": 0,
        "rows_per_year": Counter(),
    }
    written = 0
    try:
        while written < size:
            kind, detail, persons = builder.unit()
            group = builder.new_group() if kind != "single" else ""
            unit_rows = 0
            for p in persons:
                if written >= size:
                    break
                times = builder.row_times(p)[: size - written]
                rows_tags = []
                for i, t in enumerate(times):
                    source = builder.choose_source(p, t, i == 0)
                    row, variants, company = builder.render(p, t, source)
                    month = min(MONTHS - 1, int((t - START) * 12))
                    year, mon = 2014 + month // 12, month % 12 + 1
                    writers[month].writerow(
                        [
                            row["name"],
                            row["email"],
                            row["phone"],
                            row["mobile"],
                            row["street"],
                            row["zip"],
                            row["city"],
                            row["birthdate"],
                            p.eid,
                            group,
                            kind if group else "",
                            p.canon,
                            ";".join(variants),
                            source,
                            f"{year:04d}-{mon:02d}",
                            detail,
                            company,
                        ]
                    )
                    summary["rows_per_source"][source] += 1
                    fields = summary["fields_per_source"].setdefault(source, Counter())
                    for key in (
                        "name",
                        "email",
                        "phone",
                        "mobile",
                        "street",
                        "zip",
                        "city",
                        "birthdate",
                    ):
                        fields[key] += bool(row[key])
                    summary["rows_per_year"][year] += 1
                    for item in variants:
                        if "=" in item:
                            summary["tags"][item.split("=")[0]] += 1
                        else:
                            summary["flags"][item] += 1
                    rows_tags.append(variants)
                n = len(times)
                written += n
                unit_rows += n
                summary["persons"] += 1
                summary["professionals"] += p.jobs is not None
                summary["rows_per_person"][n] += 1
                summary["true_pairs"] += n * (n - 1) // 2
                pair_stats(rows_tags, summary["pairs_by_difference"])
            if group:
                hn = summary["hard_negatives"].setdefault(kind, Counter())
                hn["groups"] += 1
                hn["persons"] += len(persons)
                hn["rows"] += unit_rows
                if detail:
                    summary["relatives_detail"][detail] += 1
        for b in buckets:
            b.close()
        # second pass: month by month, shuffle inside the month, number the rows
        row_id = 0
        with open(out, "w", newline="", encoding="utf-8") as handle:
            handle.write(",".join(COLUMNS) + "\n")
            for m in range(MONTHS):
                path = os.path.join(tmpdir, f"{m:03d}.csv")
                with open(path, encoding="utf-8") as bucket:
                    lines = bucket.readlines()
                rng.shuffle(lines)
                buf = io.StringIO()
                for line in lines:
                    row_id += 1
                    buf.write(f"{row_id},{line}")
                handle.write(buf.getvalue())
                os.remove(path)
    finally:
        for b in buckets:
            if not b.closed:
                b.close()
        shutil.rmtree(tmpdir, ignore_errors=True)
    summary["rows"] = row_id
    summary["rates"] = {
        "RATES": RATES,
        "SOURCES": SOURCES,
        "NOISE": NOISE,
        "UNIT_KINDS": UNIT_KINDS,
        "RELATIVES": RELATIVES,
        "ROWS_PER_PERSON": ROWS_PER_PERSON,
        "BIRTH_BANDS": BIRTH_BANDS,
    }
    for key in ("rows_per_person", "rows_per_year"):
        summary[key] = {str(k): v for k, v in sorted(summary[key].items())}
    for key in ("flags", "tags", "pairs_by_difference", "rows_per_source", "relatives_detail"):
        summary[key] = dict(summary[key].most_common())
    summary["fields_per_source"] = {k: dict(v) for k, v in summary["fields_per_source"].items()}
    summary["hard_negatives"] = {k: dict(v) for k, v in sorted(summary["hard_negatives"].items())}
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10000, help="number of rows (exact)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True, help="the CSV to write; OUT.summary.json beside it")
    args = parser.parse_args(argv)
    started = time.time()
    summary = generate(args.size, args.seed, args.out)
    summary["seconds"] = round(time.time() - started, 1)
    with open(args.out + ".summary.json", "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1, ensure_ascii=False)
    print(
        f"{summary['rows']:,} rows, {summary['persons']:,} persons, "
        f"{summary['true_pairs']:,} true pairs, "
        f"{sum(v['groups'] for v in summary['hard_negatives'].values()):,} hard-negative groups "
        f"-> {args.out} ({summary['seconds']} s)"
    )


if __name__ == "__main__":
    main()
