"""Blocking: the candidate pairs, as lists of records sharing a key (an email, a phone, a
name at a postcode, the sound of a surname with a birth date...), oversized lists counted."""

from collections import defaultdict

from .features import is_generic_email

# Blocks larger than this are split by a second key (``split_block``); an email or phone block
# this large (a generic mailbox, a switchboard) gives no candidate pairs: it is reported, and its
# value only counts as weak evidence.
BLOCK_CAP = 50
# Tighter caps for the loose keys: the sound of a name, or name prefixes, are only worth
# comparing when few partners share them (a common name needs other evidence anyway).
KIND_CAPS = {"s": 10, "z": 5, "bz": 10, "wb": 10, "el": 10}


def _name_keys(name, phonetic):
    """Blocking values derived from a person's name key alone: the phonetic surname + first
    initial, each word in turn being the surname (the order of first and last names is
    unknown), so that "Dupond J." meets "Jean Dupont"; and the sound code of each word."""
    words = name.split()
    sounds, codes = [], []
    for word in words:
        code = phonetic(word)
        if not code:
            continue
        codes.append(code)
        sounds.extend(f"{code} {other[0]}" for other in words if other is not word)
    return sounds, codes


def _blocking_passes(features, phonetic):
    """``(kind, iterator of (value, id))`` for each blocking key, one kind at a time so that
    only one kind's index is in memory at once."""
    values = features.values()
    persons = [f for f in values if f.name_key and not f.is_company]
    name_cache = {}

    def name_keys(name):
        keys = name_cache.get(name)
        if keys is None:
            keys = name_cache[name] = _name_keys(name, phonetic)
        return keys

    yield "e", ((f.email_key, f.id) for f in values if f.email_key)
    # the same mailbox name at another provider (orange -> gmail), when it is not a role box
    yield (
        "el",
        (
            (f.email_key.split("@", 1)[0], f.id)
            for f in values
            if f.email_key and not is_generic_email(f.email_key)
        ),
    )
    yield "p", ((phone, f.id) for f in values for phone in f.phones)
    yield "c", ((f.company_key, f.id) for f in values if f.company_key)
    yield "i", ((customer, f.id) for f in values for customer in f.ids)
    # the same name at the same postcode (companies: the same name anywhere)
    yield (
        "n",
        (
            (f"{f.name_key}|{f.zip or ''}", f.id)
            for f in values
            if f.name_key and (f.is_company or f.zip)
        ),
    )
    # the same postcode and the same 3-letter prefixes of the name words: typos
    yield (
        "z",
        (
            (f"{f.zip}|{' '.join(sorted(word[:3] for word in f.name_key.split()))}", f.id)
            for f in values
            if f.name_key and f.zip
        ),
    )
    yield from _person_passes(persons, name_keys)


def _person_passes(persons, name_keys):
    """The blocking passes of persons only (see ``_blocking_passes``)."""
    # persons who moved (new address, email, phone): the same name and birth date, the same
    # birth date and postcode, or the same sound of the surname and first initial (typos). A
    # name alone is never enough evidence (homonyms), so it is not a blocking key on its own.
    yield "b", ((f"{f.name_key}|{f.birthdate}", f.id) for f in persons if f.birthdate)
    yield "bz", ((f"{f.birthdate}|{f.zip}", f.id) for f in persons if f.birthdate and f.zip)
    yield "s", ((sound, f.id) for f in persons for sound in name_keys(f.name_key)[0])
    yield (
        "sb",
        (
            (f"{sound}|{f.birthdate}", f.id)
            for f in persons
            if f.birthdate
            for sound in name_keys(f.name_key)[0]
        ),
    )
    # a name reduced to one word (a missing first name or surname): the sound of each word
    # and the birth date
    yield (
        "wb",
        (
            (f"{code}|{f.birthdate}", f.id)
            for f in persons
            if f.birthdate
            for code in set(name_keys(f.name_key)[1])
        ),
    )


def candidate_blocks(features, block_cap=BLOCK_CAP, phonetic=None):
    """Lists of partner ids sharing a blocking key, the values of oversized email and phone
    blocks (shared mailboxes, switchboards) and the number of oversized blocks.

    ``features`` maps ids to ``Features``; ``phonetic(word)`` gives the sound code of a name
    word (``normalize.phonetic_key``, cached by the caller); without it, no phonetic keys.
    """
    phonetic = phonetic or (lambda word: None)
    blocks, shared, oversized = [], set(), 0
    for kind, pairs in _blocking_passes(features, phonetic):
        cap = min(block_cap, KIND_CAPS.get(kind, block_cap))
        keyed = defaultdict(list)
        for value, pid in pairs:
            keyed[value].append(pid)
        for value, ids in keyed.items():
            if len(ids) < 2:
                continue
            if len(ids) > cap:
                if kind in ("e", "p"):
                    # a mailbox or a phone of many: shared, weak evidence, not split
                    oversized += 1
                    shared.add(value)
                    continue
                parts, left = split_block(features, ids, cap)
                blocks.extend(parts)
                oversized += left
                continue
            blocks.append(ids)
        del keyed
    return blocks, frozenset(shared), oversized


# Second keys that split a block too large to compare in full (a common name sound, a common
# name at one postcode...): the postcode, then the year of birth, then the email provider.
SPLIT_KEYS = (
    lambda f: f.zip,
    lambda f: f.birthdate and f.birthdate[:4],
    lambda f: f.email_key and f.email_key.rsplit("@", 1)[-1],
)


def split_block(features, ids, cap, keys=SPLIT_KEYS):
    """``(blocks, left)``: the sub-blocks (2 to ``cap`` ids) of an oversized block split by
    the first second key that brings each part under ``cap``, and how many parts stayed too
    large after every key (counted as oversized, never compared in full). Records without a
    value for a key are left out of that key's parts."""
    if not keys:
        return [], 1
    parts = defaultdict(list)
    for pid in ids:
        value = keys[0](features[pid])
        if value:
            parts[value].append(pid)
    blocks, left = [], 0
    for part in parts.values():
        if len(part) < 2:
            continue
        if len(part) <= cap:
            blocks.append(part)
        else:
            sub_blocks, sub_left = split_block(features, part, cap, keys[1:])
            blocks.extend(sub_blocks)
            left += sub_left
    return blocks, left
