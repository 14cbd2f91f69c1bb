"""``./dev bench import``: a realistic French customer file through stage + normalise + match +
commit on a base of partners, with the command line (``odoo-bin hygiene import --commit``).

The base is a copy of ``hygiene_bench_<count>`` (made by ``./dev bench warning --count N``), scored
once as the daily cron leaves it, untimed; the file has COUNT rows: ~20 % are existing partners
written differently (case, accents dropped, ``NOM Prénom``, phones as ``+33 6..``, ``0033 6..``,
dots), ~2 % are repeated inside the file, ~1 % are broken (bad email, phone with letters,
impossible date), the rest are new people with messy phones and emails; a third carry an opt-in
with its date and IP, some a last-order date.

Reference, measured in the same run on another copy of the same base and the same file: Odoo's own
``base_import`` (no normalisation, no matching), driven as the web client drives it (batches of
``BASE_IMPORT_BATCH`` rows, one transaction each, the columns it can map one to one). Target
(issue 13): not slower than base_import (ratio <= 1), aiming at half its time; peak RSS under 1 GB
for 1,000,000 rows. ``--skip-base-import`` leaves the reference out (its time grows with the square
of the rows: base_import reads the whole file again for every batch).
"""

import csv
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_IMPORT_BATCH = 2000  # rows per request of the web client's import (its default batch size)
# What base_import can map one to one (no first name + last name, no consent, no dates)
BASE_IMPORT_FIELDS = {
    "N° client": "ref",
    "Nom": "name",
    "E-mail": "email",
    "Téléphone": "phone",
    "Portable": "mobile",
    "Adresse": "street",
    "CP": "zip",
    "Ville": "city",
}
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


# Rows an in-file duplicate is drawn from: the last RECENT_ROWS rows, so that a file of millions of
# rows is written without holding it (a file of at most RECENT_ROWS rows is the same as before).
RECENT_ROWS = 50_000


def _draw_row(rng, index, existing, recent, stats):
    draw = rng.random()
    if draw < 0.20 and existing:
        stats["existing"] += 1
        return existing_variant(rng, rng.choice(existing))
    if draw < 0.22 and recent:
        row = dict(rng.choice(recent))
        row["E-mail"] = messy_email(rng, row["E-mail"].strip().lower())
        stats["in_file"] += 1
        return row
    row = new_person(rng, index)
    if draw < 0.23:
        broken = rng.randrange(3)
        if broken == 0:
            row["E-mail"] = row["E-mail"].replace("@", "@@")
        elif broken == 1:
            row["Portable"] = "06 CALL ME"
        else:
            row["Date de création"] = "31/02/2020"
        stats["broken"] += 1
    else:
        stats["new"] += 1
    return row


def generate(path, count, existing, seed=7):
    """Write the CSV (``;``-separated, UTF-8 with BOM as French Excel does), row by row; return
    its stats."""
    rng = random.Random(seed)
    stats = {"existing": 0, "in_file": 0, "broken": 0, "new": 0}
    recent = []
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, HEADER, delimiter=";")
        writer.writeheader()
        for index in range(count):
            row = _draw_row(rng, index, existing, recent, stats)
            row = {**row, "N° client": f"C{index + 1:07d}", "Civilité": rng.choice(["M.", "Mme"])}
            row.setdefault(
                "Date de création",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(15, 24)}",
            )
            if rng.random() < 0.33:
                row["Optin"] = "1"
                if rng.random() < 0.8:
                    row["Date optin"] = (
                        f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}"
                        f"-{rng.randint(1, 28):02d}"
                    )
                    row["Adresse IP"] = (
                        f"90.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                    )
            if rng.random() < 0.4:
                row["Date dernière commande"] = (
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024"
                )
            if len(recent) < RECENT_ROWS:
                recent.append(row)
            else:
                recent[index % RECENT_ROWS] = row
            writer.writerow(row)
    return stats


def _copy_base(args, template, db):
    from run import odoo_bin

    import odoo

    # a round before held this copy open: its connections and registry go first
    odoo.modules.registry.Registry.delete(db)
    odoo.sql_db.close_db(db)
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-T", template, db], check=True)
    odoo_bin(args, db, "-u", args.addon)


def _active_partners(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE active")
        return cr.fetchone()[0]


def _existing_partners(registry):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT name, email, phone, zip, city FROM res_partner"
            " WHERE active AND NOT is_company AND email IS NOT NULL ORDER BY id LIMIT 50000"
        )
        return cr.fetchall()


def _run_measured(command):
    """Run ``command``; return its wall time, peak RSS in MB, exit code, stdout and stderr."""
    started = time.perf_counter()
    # the command's own peak memory (wait4 gives the resource usage of that child only)
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True)
        __, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), output, errors


def _hygiene_command(args, db, path):
    import odoo

    profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
    return [
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


def _measure_base_import(args, template, path, count):
    """base_import on a copy of the same base: ``(seconds, peak MB, partners created)``."""
    import odoo

    db = f"{args.db or f'hygiene_bench_import_{count}'}_base_import"
    _copy_base(args, template, db)
    registry = odoo.modules.registry.Registry(db)
    before = _active_partners(registry)
    command = [sys.executable, __file__, args.config, db, str(path)]
    seconds, peak_mb, status, output, errors = _run_measured(command)
    print(output[-1500:])
    if status:
        print(errors[-3000:])
    created = _active_partners(registry) - before
    print(
        f"base_import of {count} rows: {seconds:.1f} s ({count / seconds:.0f} rows/s), "
        f"peak RSS {peak_mb:.0f} MB, {created} partners created",
        flush=True,
    )
    return seconds, peak_mb, created


def _ensure_template(args, template, count):
    """The base of ``count`` partners to import into: made once (the addon installed, partners
    bulk-loaded with COPY and their keys back-filled) when ``template`` does not exist yet, as
    ``./dev bench warning --count N`` makes ``hygiene_bench_<N>``."""
    from run import _bulk_load_partners, ensure_database

    import odoo
    from odoo.api import Environment
    from odoo.service import db as db_service

    exists = db_service.exp_db_exist(template)
    odoo.sql_db.close_db(template)  # createdb -T needs a template without connections
    if exists:
        return
    ensure_database(args, template, args.addon)
    registry = odoo.modules.registry.Registry(template)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner")
        missing = count - cr.fetchone()[0]
        if missing > 0:
            _bulk_load_partners(cr, missing)
        Environment(cr, odoo.SUPERUSER_ID, {})["res.partner"]._hygiene_backfill_keys()
    registry.delete(template)
    odoo.sql_db.close_db(template)


def bench_import(args):
    """The hygiene import and ``base_import`` on the same generated file and base, ``--rounds``
    times alternated (a fresh copy of the base each time): one run of each on a shared 2-core
    machine varies by 10 %, the median ratio of several rounds much less."""
    import odoo

    count = args.count or 100_000
    template = args.template or f"hygiene_bench_{count}"
    db = args.db or f"hygiene_bench_import_{count}"
    _ensure_template(args, template, count)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"import_{count}.csv"
    result, ratios = {}, []
    for number in range(max(1, args.rounds)):
        print(f"round {number + 1}: copying {template} to {db}")
        _copy_base(args, template, db)
        registry = odoo.modules.registry.Registry(db)
        _as_after_a_daily_run(registry)
        if not number:
            stats = generate(path, count, _existing_partners(registry))
        measured = _measure_hygiene(args, registry, db, path, count, stats)
        result = result or measured
        result.setdefault("rounds", []).append(measured["seconds"])
        if args.skip_base_import:
            continue
        reference, reference_mb, created = _measure_base_import(args, template, path, count)
        ratios.append(measured["seconds"] / reference)
        print(
            f"hygiene import {measured['seconds']:.1f} s vs base_import {reference:.1f} s: ratio "
            f"{ratios[-1]:.2f}x base_import's time (target <= 1, aim 0.5)",
            flush=True,
        )
        result.setdefault("base_import_rounds", []).append(round(reference, 1))
        result.update(base_import_peak_rss_mb=round(reference_mb), base_import_created=created)
    if ratios:
        median = statistics.median(ratios)
        result["ratio"] = round(median, 2)
        result["ratios"] = [round(ratio, 2) for ratio in ratios]
        print(
            f"median ratio of {len(ratios)} round(s): {median:.2f}x base_import's time "
            f"(rounds: {', '.join(f'{ratio:.2f}' for ratio in ratios)})"
        )
    return result


def _as_after_a_daily_run(registry):
    """The base as a day of the addon leaves it: the daily cron has scored every contact once
    (untimed). Without it the import's closing snapshot scores the whole base, as only the
    first operation after an install does, instead of the contacts the import changed."""
    import odoo
    from odoo.api import Environment

    with registry.cursor() as cr:
        Environment(cr, odoo.SUPERUSER_ID, {})["hygiene.partner.score"]._hygiene_refresh()


def _measure_hygiene(args, registry, db, path, count, stats):
    """The hygiene import of ``path`` committed into ``db``: its figures."""
    base_size = _active_partners(registry)
    print(f"file: {count} rows {stats}, base: {base_size} partners", flush=True)
    seconds, peak_mb, status, output, errors = _run_measured(_hygiene_command(args, db, path))
    print(output[-3000:])
    if status:
        print(errors[-3000:])
    after = _active_partners(registry)
    print(
        f"import of {count} rows on {base_size} partners: {seconds:.1f} s "
        f"({count / seconds:.0f} rows/s), peak RSS {peak_mb:.0f} MB; "
        f"partners {base_size} -> {after}",
        flush=True,
    )
    return {
        "bench": "import",
        "rows": count,
        "base": base_size,
        "seconds": round(seconds, 1),
        "rows_per_second": round(count / seconds),
        "peak_rss_mb": round(peak_mb),
        "partners_created": after - base_size,
        "file": stats,
        "ok": status == 0,
    }


def run_base_import(config, db, path):
    """The child process of ``_measure_base_import``: ``base_import.import`` on the file, in
    batches of ``BASE_IMPORT_BATCH`` rows, each committed, as the web client sends them."""
    import odoo
    from odoo.api import Environment

    odoo.tools.config.parse_config(["-c", config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    with open(path, "rb") as handle:
        content = handle.read()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    fields = [BASE_IMPORT_FIELDS.get(column, False) for column in header]
    options = {
        "has_headers": True,
        "separator": ";",
        "quoting": '"',
        "encoding": "utf-8",
        "date_format": "",
        "datetime_format": "",
        "float_thousand_separator": ",",
        "float_decimal_separator": ".",
        "import_skip_records": [],
        "import_set_empty_fields": [],
        "fallback_values": {},
        "name_create_enabled_fields": {},
    }
    with registry.cursor() as cr:  # the upload: one wizard, as the web client makes
        wizard_id = (
            Environment(cr, odoo.SUPERUSER_ID, {})["base_import.import"]
            .create({"res_model": "res.partner", "file": content, "file_type": "text/csv"})
            .id
        )
    skip, batches, messages = 0, 0, 0
    while True:
        with registry.cursor() as cr:  # one request per batch, committed when it ends
            wizard = Environment(cr, odoo.SUPERUSER_ID, {})["base_import.import"].browse(wizard_id)
            result = wizard.execute_import(
                fields, header, dict(options, skip=skip, limit=BASE_IMPORT_BATCH)
            )
            messages += len(result.get("messages") or [])
        batches += 1
        if not result.get("nextrow"):
            break
        skip = result["nextrow"]
    print(f"base_import: {batches} batches of {BASE_IMPORT_BATCH} rows, {messages} messages")


if __name__ == "__main__":
    run_base_import(*sys.argv[1:4])
