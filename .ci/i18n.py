"""Bring i18n/ up to date with a freshly exported template (``./dev i18n``).

Usage: i18n.py EXPORTED_POT I18N_DIR [--check]

The template Odoo exports may hold one msgid several times (once per kind of source); it is merged
into one entry with every occurrence, written as ``<addon>.pot``, then each ``<lang>.po`` is merged
with ``msgmerge --no-fuzzy-matching`` (a guessed translation is worse than none) and its obsolete
entries dropped. Prints what is left untranslated; ``--check`` exits 1 when anything is.
"""

import subprocess
import sys
from pathlib import Path

import polib


def merged_template(path):
    pot = polib.pofile(str(path))
    seen = {}
    unique = polib.POFile()
    unique.metadata = pot.metadata
    unique.header = pot.header
    for entry in pot:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            kept = seen[key]
            kept.occurrences += [o for o in entry.occurrences if o not in kept.occurrences]
            kept.comment = "\n".join(
                dict.fromkeys(filter(None, (kept.comment + "\n" + entry.comment).split("\n")))
            )
            continue
        seen[key] = entry
        unique.append(entry)
    return unique


def merge_language(po_path, pot_path):
    subprocess.run(
        [
            "msgmerge",
            "-q",
            "--no-fuzzy-matching",
            "-U",
            "--backup=none",
            str(po_path),
            str(pot_path),
        ],
        check=True,
    )
    po = polib.pofile(str(po_path))
    for entry in po.obsolete_entries():
        po.remove(entry)
    po.save()
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po_path)], check=True)
    return [e for e in po if not e.translated() and not e.obsolete]


def main(argv):
    exported, i18n_dir = Path(argv[1]), Path(argv[2])
    pot_path = next(i18n_dir.glob("*.pot"))
    merged_template(exported).save(str(pot_path))
    missing = 0
    for po_path in sorted(i18n_dir.glob("*.po")):
        left = merge_language(po_path, pot_path)
        missing += len(left)
        print(f"{po_path.name}: {len(left)} untranslated")
        for entry in left:
            where = entry.occurrences[0][0] if entry.occurrences else "?"
            print(f"  {where}: {entry.msgid[:100]!r}")
    return 1 if "--check" in argv and missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
