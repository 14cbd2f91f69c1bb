"""Generate the demo data of partner_data_hygiene (demo/*.csv and demo/hygiene_demo.xml).

Deterministic (fixed seed): about 150 French contacts from several sources, companies with valid
SIREN/VAT and their contacts, private customers, a few duplicates typed differently, consents with
their proof and activity dates, some of them older than three years.

    python3 bench/make_demo_data.py        # rewrites demo/
"""

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo"
NOW = datetime(2026, 11, 1, 10, 0, 0)  # fixed, so the files do not change at every run
rng = random.Random(20261124)

FIRST_F = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Julie",
    "Émilie",
    "Claire",
    "Nathalie",
    "Isabelle",
    "Sophie",
    "Marie",
    "Anaïs",
    "Hélène",
    "Céline",
    "Élodie",
    "Laure",
    "Margaux",
    "Océane",
]
FIRST_M = [
    "Lucas",
    "Hugo",
    "Louis",
    "Théo",
    "Nicolas",
    "Julien",
    "Thomas",
    "Antoine",
    "François",
    "Jérôme",
    "Stéphane",
    "Olivier",
    "Benoît",
    "Mathieu",
    "Sébastien",
    "Pierre",
    "Éric",
    "Grégoire",
    "Rémi",
    "Adrien",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "de La Fontaine",
    "Le Gall",
    "Châtelet",
]
CITIES = [
    ("75011", "Paris", "rue Oberkampf"),
    ("69003", "Lyon", "cours Gambetta"),
    ("13006", "Marseille", "rue Paradis"),
    ("31000", "Toulouse", "rue d'Alsace-Lorraine"),
    ("33000", "Bordeaux", "cours de l'Intendance"),
    ("44000", "Nantes", "rue Crébillon"),
    ("59000", "Lille", "rue Nationale"),
    ("67000", "Strasbourg", "rue du Dôme"),
    ("35000", "Rennes", "rue de Nemours"),
    ("34000", "Montpellier", "rue Foch"),
    ("06000", "Nice", "avenue Jean Médecin"),
    ("21000", "Dijon", "rue de la Liberté"),
    ("37000", "Tours", "rue Nationale"),
    ("29200", "Brest", "rue de Siam"),
    ("63000", "Clermont-Ferrand", "place de Jaude"),
    ("74000", "Annecy", "rue Royale"),
]
COMPANIES = [
    "Boulangerie Dupont",
    "Transports Morel",
    "Atelier Girard",
    "Cave des Coteaux",
    "Imprimerie Rousseau",
    "Menuiserie Fontaine",
    "Garage du Centre",
    "Librairie Le Gall",
    "Fromagerie Perrin",
    "Bureau Conseil Lambert",
    "Pharmacie Bonnet",
    "Hôtel des Voyageurs",
    "Fleurs et Jardins",
    "Optique Mercier",
    "Agence Horizon Voyages",
    "Brasserie du Port",
    "Cabinet Garnier Avocats",
    "Maison Chevalier Décoration",
    "Électricité Blanc",
    "Pâtisserie Faure",
]
LEGAL = ["SAS", "SARL", "SA", "EURL", "SASU"]
DOMAINS = [
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "hotmail.fr",
    "yahoo.fr",
    "sfr.fr",
    "outlook.fr",
    "wanadoo.fr",
]
SOURCES = [
    "shop",
    "emailing",
    "loyalty",
    "store",
    "fair",
    "game",
    "social",
    "web_form",
    "manual",
    "legacy_file",
]
ACTIVITY = [
    "inbound_email",
    "portal_login",
    "sale_order",
    "invoice",
    "mailing_click",
    "website_form",
    "portal_message",
]


def ascii_fold(text):
    table = str.maketrans("àâäçéèêëîïôöùûüÿÉÈÊÀÇ'", "aaaceeeeiioouuuyEEEAC-")
    return text.translate(table).lower().replace(" ", "")


def luhn_digit(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def siren():
    base = "".join(str(rng.randint(0, 9)) for _ in range(8))
    base = str(rng.randint(3, 9)) + base[1:]
    return base + luhn_digit(base)


def vat_fr(siren_number):
    key = (12 + 3 * (int(siren_number) % 97)) % 97
    return f"FR{key:02d}{siren_number}"


def mobile():
    return "0" + rng.choice("67") + "".join(str(rng.randint(0, 9)) for _ in range(8))


def pretty_phone(number, style):
    pairs = " ".join(number[i : i + 2] for i in range(0, 10, 2))
    if style == 0:
        return pairs
    if style == 1:
        return "+33 " + number[1] + " " + " ".join(number[i : i + 2] for i in range(2, 10, 2))
    if style == 2:
        return "+33 (0)" + number[1:]
    return number


def dt(days_ago):
    return (NOW - timedelta(days=days_ago, minutes=rng.randint(0, 600))).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


def main():
    partners, origins, consents, activities = [], [], [], []
    n = 0

    def add_partner(**values):
        nonlocal n
        n += 1
        values["id"] = f"demo_partner_{n:03d}"
        partners.append(values)
        return values["id"]

    # Companies with SIREN/VAT, each with one or two contacts.
    for i, company in enumerate(COMPANIES):
        zip_code, city, street = rng.choice(CITIES)
        number = siren()
        legal = LEGAL[i % len(LEGAL)]
        slug = ascii_fold(company.split()[-1])
        cid = add_partner(
            name=f"{company} {legal}",
            is_company="1",
            email=f"contact@{slug}.fr",
            phone=pretty_phone("0" + str(rng.randint(1, 5)) + mobile()[2:], 0),
            street=f"{rng.randint(1, 120)} {street}",
            zip=zip_code,
            city=city,
            vat=vat_fr(number),
            company_registry=number,
            parent="",
        )
        origins.append(
            (
                cid,
                rng.choice(["fair", "manual", "web_form", "legacy_file"]),
                f"B2B-{1000 + i}",
                dt(rng.randint(200, 2400)),
            )
        )
        for _ in range(rng.randint(1, 2)):
            first = rng.choice(FIRST_F + FIRST_M)
            last = rng.choice(LAST)
            pid = add_partner(
                name=f"{first} {last}",
                is_company="0",
                email=f"{ascii_fold(first)[0]}.{ascii_fold(last)}@{slug}.fr",
                phone=pretty_phone(mobile(), rng.randint(0, 3)),
                street="",
                zip="",
                city="",
                vat="",
                company_registry="",
                parent=cid,
            )
            origins.append(
                (pid, "fair", f"BADGE-{rng.randint(10000, 99999)}", dt(rng.randint(100, 1500)))
            )
            if rng.random() < 0.5:
                activities.append((pid, dt(rng.randint(5, 1500)), rng.choice(ACTIVITY[:3])))

    # Private customers.
    people = []
    while n < 140:
        female = rng.random() < 0.55
        first = rng.choice(FIRST_F if female else FIRST_M)
        last = rng.choice(LAST)
        zip_code, city, street = rng.choice(CITIES)
        local = rng.choice(
            [
                f"{ascii_fold(first)}.{ascii_fold(last)}",
                f"{ascii_fold(first)[0]}{ascii_fold(last)}{rng.randint(1, 99)}",
                f"{ascii_fold(last)}.{ascii_fold(first)}",
            ]
        )
        email = f"{local}@{rng.choice(DOMAINS)}"
        phone = mobile()
        pid = add_partner(
            name=f"{first} {last}",
            is_company="0",
            email=email,
            phone=pretty_phone(phone, rng.randint(0, 3)),
            street=f"{rng.randint(1, 200)} {street}",
            zip=zip_code,
            city=city,
            vat="",
            company_registry="",
            parent="",
        )
        people.append((pid, first, last, email, phone, zip_code, city, street))
        source = rng.choice(SOURCES)
        collected_days = rng.randint(30, 2600)
        origins.append(
            (pid, source, f"{source.upper()[:4]}-{rng.randint(1000, 99999)}", dt(collected_days))
        )
        if rng.random() < 0.25:  # known from a second source too
            origins.append(
                (
                    pid,
                    rng.choice(SOURCES),
                    f"X-{rng.randint(1000, 99999)}",
                    dt(rng.randint(1, collected_days)),
                )
            )
        roll = rng.random()
        if roll < 0.75:  # most have shown up at some point, some long ago (inactive)
            activities.append(
                (pid, dt(rng.randint(1, min(collected_days, 2000))), rng.choice(ACTIVITY))
            )
        if rng.random() < 0.6:
            granted = dt(rng.randint(1, collected_days))
            consents.append(
                (
                    pid,
                    "newsletter",
                    "grant",
                    granted,
                    rng.choice(["web_form", "double_opt_in", "in_store", "portal"]),
                    f"90.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                )
            )
            if rng.random() < 0.2:
                consents.append(
                    (pid, "newsletter", "withdraw", dt(rng.randint(0, 20)), "email", "")
                )
        if rng.random() < 0.2:
            consents.append(
                (
                    pid,
                    "sms_offers",
                    rng.choice(["grant", "refuse"]),
                    dt(rng.randint(1, collected_days)),
                    "in_store",
                    "",
                )
            )

    # Duplicates of existing people, typed as other channels would (case, accents, phone format).
    for _pid, first, last, email, phone, zip_code, city, street in rng.sample(people, 12):
        kind = rng.randint(0, 2)
        if kind == 0:
            name, dup_email = f"{last.upper()} {first}", email.upper()
        elif kind == 1:
            name, dup_email = (
                f"{ascii_fold(first).capitalize()} {ascii_fold(last).capitalize()}",
                "",
            )
        else:
            name, dup_email = f"{first} {last}", email.replace("@", "+promo@")
        did = add_partner(
            name=name,
            is_company="0",
            email=dup_email,
            phone=pretty_phone(phone, (kind + 1) % 4),
            street=f"{street}",
            zip=zip_code,
            city=city.upper(),
            vat="",
            company_registry="",
            parent="",
        )
        origins.append(
            (
                did,
                rng.choice(["game", "loyalty", "emailing"]),
                f"DUP-{rng.randint(1000, 9999)}",
                dt(rng.randint(10, 900)),
            )
        )

    write_files(partners, origins, consents, activities)


def write_files(partners, origins, consents, activities):
    DEMO.mkdir(exist_ok=True)
    with open(DEMO / "res.partner.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "id",
                "name",
                "is_company",
                "parent_id:id",
                "email",
                "phone",
                "street",
                "zip",
                "city",
                "country_id:id",
                "vat",
                "company_registry",
            ]
        )
        for p in partners:
            writer.writerow(
                [
                    p["id"],
                    p["name"],
                    p["is_company"],
                    p["parent"],
                    p["email"],
                    p["phone"],
                    p["street"],
                    p["zip"],
                    p["city"],
                    "base.fr",
                    p["vat"],
                    p["company_registry"],
                ]
            )
    with open(DEMO / "hygiene.partner.origin.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["id", "partner_id:id", "source_id:id", "source_ref", "collected_date", "note"]
        )
        for i, (pid, source, ref, date) in enumerate(origins, 1):
            writer.writerow(
                [
                    f"demo_origin_{i:03d}",
                    pid,
                    f"source_{source}",
                    ref,
                    date,
                    f"demo file {source}.csv, row {rng.randint(2, 5000)}",
                ]
            )
    with open(DEMO / "hygiene.consent.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "id",
                "partner_id:id",
                "purpose_id:id",
                "action",
                "event_date",
                "channel",
                "wording_id:id",
                "ip_address",
                "page_url",
            ]
        )
        for i, (pid, purpose, action, date, channel, ip) in enumerate(
            sorted(consents, key=lambda c: c[3]), 1
        ):
            page = "https://shop.example.fr/newsletter" if channel == "web_form" else ""
            writer.writerow(
                [
                    f"demo_consent_{i:03d}",
                    pid,
                    f"purpose_{purpose}",
                    action,
                    date,
                    channel,
                    f"purpose_{purpose}_wording_v1",
                    ip,
                    page,
                ]
            )
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<odoo>",
        "    <!-- Last activity moves only through the activity service, never by a write. -->",
        '    <function model="res.partner" name="_hygiene_register_activities">',
        '        <value eval="[',
    ]
    for pid, date, source in activities:
        lines.append(f"            (ref('{pid}'), '{date}', '{source}'),")
    lines += ['        ]"/>', "    </function>", "</odoo>"]
    (DEMO / "hygiene_demo.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{len(partners)} partners, {len(origins)} origins, {len(consents)} consents, "
        f"{len(activities)} activities"
    )


if __name__ == "__main__":
    main()
