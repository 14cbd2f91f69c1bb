"""``./dev bench import``: a realistic French customer file through stage + normalise + match +
commit on a base of partners, with the command line (``odoo-bin hygiene import --commit``).

The base is a copy of ``hygiene_bench_<count>`` (made by ``./dev bench warning --count N``); the
file has COUNT rows: ~20 % are existing partners written differently (case, accents dropped,
``NOM Prénom``, phones as ``+33 6..``, ``0033 6..``, dots), ~2 % are repeated inside the file,
~1 % are broken (bad email, phone with letters, impossible date), the rest are new people with
messy phones and emails; a third carry an opt-in with its date and IP, some a last-order date.
Reference (issue 5): ``base_import`` needs 174 s for 100,000 partner rows (no normalisation, no
matching); target: not more, with a peak memory under 2 GB.
"""

import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_IMPORT_SECONDS = 174.0
FIRST = (
    "Camille Léa Hugo Louis Chloé Thomas Inès Julien Émilie Rémi Manon Pierre Nathalie Sophie "
    "Nicolas Céline Antoine Margaux Théo Zoé Gaëlle Benoît Hélène François Loïc Anaïs"
).split()
LAST = (
    "Martin Bernard Dubois Lefèvre Moreau Garnier Roux Fontaine Laurent Simon Michel Leroy "
    "Girard Bonnet Dupont Lambert Rousseau Vincent Muller Faure André Mercier Blanc Guérin"
).split()
CITIES = [
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("13006", "Marseille"),
    ("33000", "Bordeaux"),
    ("44000", "Nantes"),
    ("31000", "Toulouse"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
]
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "yahoo.fr", "hotmail.fr", "sfr.fr"]
HEADER = [
    "N° client",
    "Civilité",
    "Prénom",
    "Nom",
    "E-mail",
    "Téléphone",
    "Portable",
    "Adresse",
    "CP",
    "Ville",
    "Date de création",
    "Optin",
    "Date optin",
    "Adresse IP",
    "Date dernière commande",
]


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def messy_phone(rng, national):
    """``national`` as 10 digits (0612345678), written as people and tools do."""
    digits = re.sub(r"\D", "", national or "")
    if len(digits) != 10:
        return national or ""
    pairs = [digits[i : i + 2] for i in range(0, 10, 2)]
    style = rng.randrange(6)
    if style == 0:
        return " ".join(pairs)
    if style == 1:
        return ".".join(pairs)
    if style == 2:
        return "+33 " + digits[1] + " " + " ".join(pairs[1:])
    if style == 3:
        return "0033" + digits[1:]
    if style == 4:
        return "+33 (0)" + digits[1:]
    return digits


def messy_email(rng, email):
    style = rng.randrange(5)
    if style == 0:
        return email.upper()
    if style == 1:
        return f" {email} "
    if style == 2:
        local, __, domain = email.rpartition("@")
        return f"{local.capitalize()}@{domain.upper()}"
    return email


def new_person(rng, index):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    zip_code, city = rng.choice(CITIES)
    local = _ascii(f"{first}.{last}").lower().replace(" ", "")
    email = f"{local}.n{index}@{rng.choice(DOMAINS)}"
    mobile = f"0{rng.choice('67')}{rng.randint(10000000, 99999999)}"
    return {
        "Prénom": first,
        "Nom": last,
        "E-mail": messy_email(rng, email),
        "Portable": messy_phone(rng, mobile),
        "Adresse": f"{rng.randint(1, 200)} rue de la République",
        "CP": zip_code,
        "Ville": city,
    }


def existing_variant(rng, partner):
    name, email, phone, zip_code, city = partner
    first, __, last = (name or "").partition(" ")
    if rng.random() < 0.5:
        first, last = _ascii(first), last.upper()
    return {
        "Prénom": first,
        "Nom": last,
        "E-mail": messy_email(rng, email) if email else "",
        "Portable": messy_phone(rng, phone) if phone and rng.random() < 0.7 else "",
        "CP": zip_code or "",
        "Ville": city or "",
    }


def generate(path, count, existing, seed=7):
    """Write the CSV (``;``-separated, UTF-8 with BOM as French Excel does); return its stats."""
    rng = random.Random(seed)
    stats = {"existing": 0, "in_file": 0, "broken": 0, "new": 0}
    rows = []
    for index in range(count):
        draw = rng.random()
        if draw < 0.20 and existing:
            row = existing_variant(rng, rng.choice(existing))
            stats["existing"] += 1
        elif draw < 0.22 and rows:
            row = dict(rng.choice(rows))
            row["E-mail"] = messy_email(rng, row["E-mail"].strip().lower())
            stats["in_file"] += 1
        elif draw < 0.23:
            row = new_person(rng, index)
            broken = rng.randrange(3)
            if broken == 0:
                row["E-mail"] = row["E-mail"].replace("@", "@@")
            elif broken == 1:
                row["Portable"] = "06 CALL ME"
            else:
                row["Date de création"] = "31/02/2020"
            stats["broken"] += 1
        else:
            row = new_person(rng, index)
            stats["new"] += 1
        row = {**row, "N° client": f"C{index + 1:07d}", "Civilité": rng.choice(["M.", "Mme"])}
        row.setdefault(
            "Date de création",
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(15, 24)}",
        )
        if rng.random() < 0.33:
            row["Optin"] = "1"
            if rng.random() < 0.8:
                row["Date optin"] = (
                    f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                )
                row["Adresse IP"] = (
                    f"90.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                )
        if rng.random() < 0.4:
            row["Date dernière commande"] = (
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024"
            )
        rows.append(row)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, HEADER, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return stats


def bench_import(args):
    from run import odoo_bin

    import odoo

    count = args.count or 100_000
    template = args.template or f"hygiene_bench_{count}"
    db = args.db or f"hygiene_bench_import_{count}"
    print(f"copying {template} to {db} (run './dev bench warning --count {count}' first)")
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-T", template, db], check=True)
    odoo_bin(args, db, "-u", args.addon)
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE active")
        base_size = cr.fetchone()[0]
        cr.execute(
            "SELECT name, email, phone, zip, city FROM res_partner"
            " WHERE active AND NOT is_company AND email IS NOT NULL ORDER BY id LIMIT 50000"
        )
        existing = cr.fetchall()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"import_{count}.csv"
    stats = generate(path, count, existing)
    print(f"file: {count} rows {stats}, base: {base_size} partners", flush=True)
    profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
    command = [
        sys.executable,
        *profile,
        str(Path(args.odoo_src) / "odoo-bin"),
        f"--addons-path={odoo.tools.config['addons_path']}",
        "hygiene",
        "-c",
        args.config,
        "-d",
        db,
        "import",
        str(path),
        "--source",
        "shop",
        "--commit",
    ]
    started = time.perf_counter()
    # the command's own peak memory (wait4 gives the resource usage of that child only)
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True)
        __, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    peak_mb = usage.ru_maxrss / 1024
    print(output[-3000:])
    if child.returncode:
        print(errors[-3000:])
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE active")
        after = cr.fetchone()[0]
    print(
        f"import of {count} rows on {base_size} partners: {seconds:.1f} s "
        f"({count / seconds:.0f} rows/s), peak RSS {peak_mb:.0f} MB; "
        f"base_import reference {BASE_IMPORT_SECONDS:.0f} s -> ratio "
        f"{BASE_IMPORT_SECONDS / seconds:.2f}x; partners {base_size} -> {after}"
    )
    return {
        "bench": "import",
        "rows": count,
        "base": base_size,
        "seconds": round(seconds, 1),
        "rows_per_second": round(count / seconds),
        "peak_rss_mb": round(peak_mb),
        "reference_seconds": BASE_IMPORT_SECONDS,
        "partners_created": after - base_size,
        "file": stats,
        "ok": child.returncode == 0,
    }
