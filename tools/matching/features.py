"""Matching features: what the matcher knows of one record, and the comparisons of two values.

A record (a partner, an import row) is a ``Features`` tuple of normalised values; the helpers here
compare two values (names, streets, cities, phones) and count how common a name is in the base.
No Odoo import: the scan, the import and the live warning share these functions.
"""

import functools
import itertools
import re
from collections import namedtuple

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from .. import normalize

Features = namedtuple(
    "Features",
    "id name_key email_key phones company_key zip city street is_company family birthdate ids",
    defaults=(None, frozenset()),
)

# Local parts of role mailboxes: several people write from them, so they are weak evidence.
GENERIC_LOCALS = frozenset(
    """
    contact info infos information accueil bonjour hello hola noreply no-reply ne-pas-repondre
    commercial commandes compta comptabilite facturation direction admin administration
    secretariat service support sales vente ventes office bureau team equipe rh recrutement
    """.split()
)


# Short forms of French first names (folded as name keys are), each with the names it stands
# for: "Fred Martin" is "Frederic Martin", "JP Durand" is "Jean-Pierre Durand".
def _nickname_table(text):
    """``{short form: ((word, ...), ...)}`` from "short:full other_full ..." entries, the words
    of a compound name joined by ``_``."""
    table, current = {}, None
    for token in text.split():
        if ":" in token:
            current, token = token.split(":")
            table[current] = ()
        table[current] += (tuple(token.split("_")),)
    return table


NICKNAMES = _nickname_table(
    """
    alex:alexandre alexandra alexis  babeth:elisabeth  ben:benjamin benoit  benji:benjamin
    caro:caroline  cath:catherine  cathy:catherine  charly:charles  charlie:charles charlotte
    chris:christophe christian christine christelle  christo:christophe  cricri:christine
    dany:daniel danielle  dom:dominique  domi:dominique  elo:elodie  fanny:francoise stephanie
    flo:florian florence florent  fred:frederic frederique  gaby:gabriel gabrielle
    gege:gerard  greg:gregory gregoire  isa:isabelle  jacky:jacques jacqueline
    jb:jean_baptiste  jc:jean_claude  jeannot:jean  jeff:jean_francois  jf:jean_francois
    jj:jean_jacques  jl:jean_luc jean_louis  jm:jean_marc jean_michel jean_marie
    jp:jean_pierre jean_paul jean_philippe  juju:julien julie  lolo:laurent laurence
    ludo:ludovic  lulu:lucien lucie  mag:magali  maggy:magali  manu:emmanuel emmanuelle
    mat:mathieu matthieu mathilde  matt:matthieu mathieu  max:maxime maximilien
    mel:melanie  mimi:michele emilie  momo:mohamed maurice  nat:nathalie  nath:nathalie
    nico:nicolas  pat:patrick patricia  phil:philippe  pierrot:pierre  rom:romain
    sam:samuel samantha  sandy:sandrine  seb:sebastien  sev:severine  steph:stephane stephanie
    thib:thibault thibaut  tom:thomas  tony:antoine anthony  val:valerie valentin valentine
    vince:vincent  vero:veronique  xav:xavier
    """
)
# Words of a married woman's name that are not names: "Dupont nee Martin", "Martin epouse Dupont"
MARRIAGE_WORDS = frozenset({"nee", "epouse", "ep", "veuve", "vve"})


# Two-letter words that are particles of a surname ("de", "le"), never the initials of a
# compound first name.
PARTICLES = frozenset({"de", "le", "la", "du", "di", "da", "el", "al", "ou", "et"})


def _initials(word, words, others):
    """``word`` as two initials ("m", "c") when it is those of two words of ``others`` absent
    from ``words``: "mc" for Marie-Claire, "ph" for Paul-Henri (name keys sort their words, so
    in either order). Compared as initials, as "j p" is with "jean pierre"."""
    if len(word) != 2 or word in PARTICLES or not word.isalpha() or word[0] == word[1]:
        return None
    free = sorted(other for other in others if other not in words and len(other) > 2)
    first = next((w for w in free if w[0] == word[0]), None)
    second = next((w for w in free if w[0] == word[1] and w != first), None)
    return (word[0], word[1]) if first and second else None


def _expanded(words, others):
    """``words`` with each short form whose full name is among ``others`` replaced by it,
    and the two-letter initials of a compound first name of ``others`` split in two ("mc"
    against "marie claire" becomes "m c")."""
    result = []
    own = set(words)
    for word in words:
        if word not in others:
            for full in NICKNAMES.get(word, ()):
                if all(part in others for part in full):
                    result.extend(full)
                    break
            else:
                result.extend(_initials(word, own, others) or (word,))
        else:
            result.append(word)
    return result


@functools.lru_cache(maxsize=1 << 18)
def compared_names(a, b):
    """The two name keys as they are compared: the words of a married name ("nee") left out,
    a short form of a first name written in full when the other name holds it ("fred" for
    "frederic"). Returns them unchanged when there is nothing to rewrite."""
    words_a = [w for w in a.split() if w not in MARRIAGE_WORDS] or a.split()
    words_b = [w for w in b.split() if w not in MARRIAGE_WORDS] or b.split()
    set_a, set_b = set(words_a), set(words_b)
    words_a, words_b = _expanded(words_a, set_b), _expanded(words_b, set_a)
    return " ".join(sorted(words_a)), " ".join(sorted(words_b))


@functools.lru_cache(maxsize=1 << 18)
def name_similarity(a, b):
    """Similarity (0..1) of two name keys, robust to word order, small typos and initials.

    "p rileau" and "pierre rileau" are compatible (an initial stands for a first name): they get
    at least 0.9 when every word of the shorter name matches a word of the longer one.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if {w for w in a.split() if w.isdigit()} != {w for w in b.split() if w.isdigit()}:
        return min(fuzz.token_sort_ratio(a, b) / 100.0, 0.5)  # "Agence 12" is not "Agence 13"
    similarity = fuzz.token_sort_ratio(a, b) / 100.0
    if similarity < 0.9:
        words_a, words_b = a.split(), b.split()
        if _words_compatible(words_a, words_b) or _words_compatible(words_b, words_a):
            similarity = 0.9
        elif len(words_a) != len(words_b):
            similarity = max(similarity, _joined_similarity(words_a, words_b))
    return similarity


def _joined_similarity(words_a, words_b):
    """Similarity of two names whose words were cut in other places ("nicolle sophie" typed
    "ie nicolle soph", "marie-claire" typed "marie claire"): the best match of their letters
    with the words in any order. Names of more than four words are left alone."""
    if len(words_a) > 4 or len(words_b) > 4:
        return 0.0
    joined_b = {"".join(order) for order in itertools.permutations(words_b)}
    return max(
        fuzz.ratio("".join(order), other) / 100.0
        for order in itertools.permutations(words_a)
        for other in joined_b
    )


def share_a_word(a, b):
    """Whether two name keys have a word in common (exactly or with a small typo)."""
    words_b = b.split()
    return any(
        len(word) > 1 and any(fuzz.ratio(word, other) >= 85 for other in words_b)
        for word in a.split()
    )


def _words_compatible(short, long_):
    """Every word of ``short`` is an initial or a close spelling of a word of ``long_``."""
    return len(short) <= len(long_) and all(
        any(
            (len(word) == 1 and other.startswith(word)) or fuzz.ratio(word, other) >= 85
            for other in long_
        )
        for word in short
    )


# Domains that deliver to one mailbox (Orange kept its Wanadoo addresses): ``email_key``
# already folds googlemail.com into gmail.com.
EMAIL_DOMAIN_ALIASES = {"wanadoo.fr": "orange.fr"}


def email_alias(email_key):
    """The email key with its domain's alias folded (``x@wanadoo.fr`` is ``x@orange.fr``)."""
    local, __, domain = email_key.rpartition("@")
    alias = EMAIL_DOMAIN_ALIASES.get(domain)
    return f"{local}@{alias}" if alias else email_key


_DIGITS = re.compile(r"\d+")
_LETTERS_ONLY = re.compile(r"[^a-z]+")


def is_email_slip(local_a, domain_a, local_b, domain_b):
    """Whether two addresses are one typed with a slip: one letter apart in the mailbox name
    (at the same provider) or in the domain (the same mailbox name), the same digits, and a
    mailbox name long enough for one letter not to make another person's (``jean.dupomt@``
    for ``jean.dupont@``, ``@gmial.com``, ``@orange.fr.``)."""
    if _DIGITS.findall(local_a) != _DIGITS.findall(local_b):
        return False
    if domain_a == domain_b:
        # a dot or a dash more is another mailbox (jean.dupont@ and jeandupont@ are two boxes
        # outside Gmail), a letter typed wrong is the same one
        letters_a, letters_b = _LETTERS_ONLY.sub("", local_a), _LETTERS_ONLY.sub("", local_b)
        return (
            min(len(letters_a), len(letters_b)) >= 6
            and OSA.distance(local_a, local_b) == 1
            and letters_a != letters_b
        )
    if local_a != local_b or len(local_a) < 4:
        return False
    return OSA.distance(domain_a, domain_b) <= 1 and len(domain_a) >= 6


def is_generic_email(email_key):
    return bool(email_key) and email_key.split("@", 1)[0] in GENERIC_LOCALS


_HOUSEHOLD = re.compile(r"^(famille|family)[._-]?[a-z]")


def is_household_email(email_key):
    """A family mailbox (``famille.dupont@``, ``lesdupont@``): a household writes from it."""
    return bool(email_key and _HOUSEHOLD.match(email_key))


@functools.lru_cache(maxsize=1 << 16)
def fold_city(city):
    return " ".join(city.lower().replace("-", " ").split())


@functools.lru_cache(maxsize=1 << 18)
def is_mobile(e164):
    """French mobiles (+336, +337); other countries' numbers count as personal too."""
    return not e164.startswith("+33") or e164[3:4] in ("6", "7")


_HOUSE_NUMBERS = re.compile(r"\d+")


def is_same_street(a, b):
    """Two street keys that are one address: close spellings (a typo, a missing word) with the
    same house numbers. ``12 rue de la Republique`` and ``157 rue de la Republique`` are two
    addresses of one long street, where unrelated homonyms live."""
    if not (a and b):
        return False
    numbers_a, numbers_b = _HOUSE_NUMBERS.findall(a), _HOUSE_NUMBERS.findall(b)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return False
    return fuzz.ratio(a, b) >= 90


def name_statistics(features):
    """``(name_counts, word_counts)``: how many persons carry each name key, and each name word
    (see ``score_pair``)."""
    name_counts, word_counts = {}, {}
    for f in features.values():
        if f.name_key and not f.is_company:
            name_counts[f.name_key] = name_counts.get(f.name_key, 0) + 1
    for name, count in name_counts.items():
        for word in name.split():
            word_counts[word] = word_counts.get(word, 0) + count
    return name_counts, word_counts


def partner_keys(name, email, phone, mobile, vat, registry, is_company, region):
    """The matching keys of one record, from its raw values (see tools/normalize.py): stored on
    the partner (``hygiene_*`` columns) and computed the same way for an import row."""
    if not is_company and name and "@" in name:
        name = None  # a contact known by its email only (Odoo names it so): no name to compare
    name_key = (normalize.company_name_key if is_company else normalize.person_name_key)(name)
    return {
        "hygiene_email_key": normalize.email_key(email),
        "hygiene_phone_key": normalize.normalize_phone(phone, region),
        "hygiene_mobile_key": normalize.normalize_phone(mobile, region),
        "hygiene_name_key": name_key,
        "hygiene_company_key": normalize.company_identifier(vat=vat, registry=registry),
        "hygiene_phonetic_key": normalize.phonetic_name_key(name_key),
    }


def record_features(rid, keys, zip_code, city, street, is_company, family, birthdate, ids=()):
    """``Features`` of one record from its keys (``partner_keys``) and its raw address: the one
    place the scan, the import and the benchmarks build them, so that all compare alike."""
    return Features(
        rid,
        keys["hygiene_name_key"],
        keys["hygiene_email_key"],
        frozenset(p for p in (keys["hygiene_phone_key"], keys["hygiene_mobile_key"]) if p),
        keys["hygiene_company_key"],
        (zip_code or "").replace(" ", "") or None,
        city,
        _street_key(street),
        bool(is_company),
        family,
        birthdate and str(birthdate),
        frozenset(ids),
    )


@functools.lru_cache(maxsize=200000)
def _street_key(street):
    return normalize.street_key(street)
