"""Blocking: the candidate pairs, as lists of records sharing a key (an email, a phone, a
name at a postcode, the sound of a surname with a birth date...); an oversized list is split by
second keys, then into windows of neighbouring names: never skipped."""

from collections import defaultdict

from .features import is_generic_email

# Blocks larger than this are split by second keys (``split_block``); the value of an email or
# phone block this large (a generic mailbox, a switchboard) only counts as weak evidence.
BLOCK_CAP = 50
# Tighter caps for the loose keys: the sound of a name, or name prefixes, are only worth
# comparing when few partners share them (a common name needs other evidence anyway).
KIND_CAPS = {"s": 10, "z": 5, "bz": 10, "wb": 10, "el": 10}
# Kinds whose oversized blocks are shared values (weak evidence, see ``shared_values``).
SHARED_KINDS = ("e", "p")


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


def _email_local(f):
    # the same mailbox name at another provider (orange -> gmail), when it is not a role box
    if f.email_key and not is_generic_email(f.email_key):
        yield f.email_key.split("@", 1)[0]


def _name_zip(f):
    # the same name at the same postcode (companies: the same name anywhere)
    if f.name_key and (f.is_company or f.zip):
        yield f"{f.name_key}|{f.zip or ''}"


def _zip_prefixes(f):
    # the same postcode and the same 3-letter prefixes of the name words: typos
    if f.name_key and f.zip:
        yield f"{f.zip}|{' '.join(sorted(word[:3] for word in f.name_key.split()))}"


def _is_person(f):
    return bool(f.name_key) and not f.is_company


# Persons who moved (new address, email, phone): the same name and birth date, the same birth
# date and postcode, or the same sound of the surname and first initial (typos). A name alone is
# never enough evidence (homonyms), so it is not a blocking key on its own. "wb": a name reduced
# to one word (a missing first name or surname): the sound of each word and the birth date.
# ``(kind, values(features, name_keys))``, in the order the passes run.
KINDS = (
    ("e", lambda f, nk: (f.email_key,) if f.email_key else ()),
    ("el", lambda f, nk: _email_local(f)),
    ("p", lambda f, nk: f.phones),
    ("c", lambda f, nk: (f.company_key,) if f.company_key else ()),
    ("i", lambda f, nk: f.ids),
    ("n", lambda f, nk: _name_zip(f)),
    ("z", lambda f, nk: _zip_prefixes(f)),
    (
        "b",
        lambda f, nk: (f"{f.name_key}|{f.birthdate}",) if _is_person(f) and f.birthdate else (),
    ),
    (
        "bz",
        lambda f, nk: (
            (f"{f.birthdate}|{f.zip}",) if _is_person(f) and f.birthdate and f.zip else ()
        ),
    ),
    ("s", lambda f, nk: nk(f.name_key)[0] if _is_person(f) else ()),
    (
        "sb",
        lambda f, nk: (
            [f"{sound}|{f.birthdate}" for sound in nk(f.name_key)[0]]
            if _is_person(f) and f.birthdate
            else ()
        ),
    ),
    (
        "wb",
        lambda f, nk: (
            [f"{code}|{f.birthdate}" for code in set(nk(f.name_key)[1])]
            if _is_person(f) and f.birthdate
            else ()
        ),
    ),
)
KIND_NUMBERS = {kind: number for number, (kind, __) in enumerate(KINDS)}


def name_keys_of(phonetic):
    """``name_keys(name)``: ``_name_keys`` with a cache (see ``KINDS``)."""
    phonetic = phonetic or (lambda word: None)
    cache = {}

    def name_keys(name):
        keys = cache.get(name)
        if keys is None:
            keys = cache[name] = _name_keys(name, phonetic)
        return keys

    return name_keys


def record_keys(f, name_keys):
    """``[(kind number, value)]``: every blocking key of one record (``KINDS``), as the scan's
    chunks store them."""
    return [
        (number, value)
        for number, (__, values) in enumerate(KINDS)
        for value in values(f, name_keys)
    ]


def _blocking_passes(features, phonetic):
    """``(kind, iterator of (value, id))`` for each blocking key, one kind at a time so that
    only one kind's index is in memory at once."""
    name_keys = name_keys_of(phonetic)
    records = features.values()
    for kind, values in KINDS:
        yield kind, ((value, f.id) for f in records for value in values(f, name_keys))


def kind_cap(kind, block_cap=BLOCK_CAP):
    return min(block_cap, KIND_CAPS.get(kind, block_cap))


def block_parts(features, kind, ids, block_cap=BLOCK_CAP):
    """``(blocks, oversized)``: the block of ``kind`` holding ``ids`` as lists to compare in
    full: itself, or, when it is larger than its cap, its parts by second keys (``split_block``:
    every record stays in one part). ``oversized``: whether it had to be split."""
    cap = kind_cap(kind, block_cap)
    if len(ids) <= cap:
        return [ids], False
    return split_block(features, ids, cap), True


def candidate_blocks(features, block_cap=BLOCK_CAP, phonetic=None):
    """Lists of partner ids sharing a blocking key, the values of oversized email and phone
    blocks (shared mailboxes, switchboards) and the number of oversized blocks (split by second
    keys, never skipped).

    ``features`` maps ids to ``Features``; ``phonetic(word)`` gives the sound code of a name
    word (``normalize.phonetic_key``, cached by the caller); without it, no phonetic keys.
    """
    blocks, shared, oversized = [], set(), 0
    for kind, pairs in _blocking_passes(features, phonetic):
        keyed = defaultdict(list)
        for value, pid in pairs:
            keyed[value].append(pid)
        for value, ids in keyed.items():
            if len(ids) < 2:
                continue
            parts, split = block_parts(features, kind, ids, block_cap)
            blocks.extend(parts)
            if split:
                oversized += 1
                if kind in SHARED_KINDS:
                    # a mailbox or a phone of many: weak evidence
                    shared.add(value)
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
    """The sub-blocks (2 to ``cap`` ids) of an oversized block: split by the first second key,
    each part still too large (the records without a value for that key form one part) by
    the next; a part too large after every key is cut into overlapping windows of ``cap``
    neighbouring names (``name_windows``). No record is left out of every part."""
    if not keys:
        return name_windows(features, ids, cap)
    parts = defaultdict(list)
    for pid in ids:
        parts[keys[0](features[pid]) or None].append(pid)
    blocks = []
    for part in parts.values():
        if len(part) < 2:
            continue
        if len(part) <= cap:
            blocks.append(part)
        else:
            blocks.extend(split_block(features, part, cap, keys[1:]))
    return blocks


def name_windows(features, ids, cap):
    """Windows of ``cap`` records, sorted by name, overlapping by half: every record is
    compared with its nearest names of the block (a sorted neighbourhood)."""
    ordered = sorted(ids, key=lambda pid: (features[pid].name_key or "", pid))
    if len(ordered) <= cap:
        return [ordered]
    step = max(1, cap // 2)
    starts = [*range(0, len(ordered) - cap, step), len(ordered) - cap]
    return [ordered[start : start + cap] for start in starts]
