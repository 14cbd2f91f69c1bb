"""Seeded generator of realistic French customer data with known truth, for ``./dev bench dedup``.

Pure Python, no Odoo import. ``generate(count, seed)`` yields ``count`` records (tuples, fields in
``FIELDS``), the same ones for the same ``count`` and ``seed``.

Entities are private persons (~85 % of the units) and companies (SIREN with a valid Luhn key, SIRET,
French VAT number) with 0..4 contact persons. Each entity yields 1..4 records, written as other
channels would write them: case changes, missing accents, typos (1-2 edits), swapped first and
last names, a civility, an initial ("J. Dupont"), phones in several formats or in the other phone
field, a second phone, email variants (case, ``+tag``, Gmail dots, another address, none), a moved
address, a company by acronym or full name, with or without its legal form, VAT and SIRET written
differently or absent.

Hard negatives (distinct entities that look alike), labelled by ``neg_group`` and ``neg_kind``:

- ``homonym``: 2-3 persons with the same first and last name, other city, birth date, email, phone;
- ``family``: 2-4 persons with the same last name, address and landline, other first names and
  emails;
- ``father_son``: same first and last name at the same address, other birth dates, mobiles and
  emails (the son gives the home landline on some records);
- ``colleagues``: contact persons of one company sharing its generic mailbox (``contact@…``) and
  its switchboard number;
- ``shared_email`` / ``shared_phone``: records carrying one ``noreply@`` address or one call-centre
  number shared by many people (2 % of the records each, at most 10,000).

Bad rows (singletons): empty names, names made of punctuation, no email nor phone, SQL in a name.
"""

import random

FIELDS = (
    "rid",  # record number, 0..count-1
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "zip",
    "city",
    "is_company",
    "vat",
    "company_registry",
    "birthdate",
    "entity",  # truth: records of one entity are duplicates of each other
    "neg_group",  # hard-negative group label ("" if none)
    "neg_kind",  # homonym, family, father_son, colleagues, shared_email, shared_phone
    "parent_rid",  # rid of the company record a contact person belongs to, else None
)
NEG_KINDS = ("homonym", "family", "father_son", "colleagues", "shared_email", "shared_phone")

FIRST_M = (
    "Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Daniel Bernard Frédéric Éric "
    "Laurent Stéphane David Olivier Thierry Julien Sébastien François Pascal Thomas Jacques "
    "Antoine Hugo Louis Gabriel Raphaël Arthur Lucas Théo Mathis Nathan Maxime Romain Guillaume "
    "Rémi Jérôme Benoît Cédric Damien Florian Gérard Henri Hervé Joël Loïc Marc Mathieu Noël "
    "Quentin Serge Yves Xavier Bruno Clément Adrien Jean-Pierre Jean-Luc Jean-François Jean-Marc"
).split()
FIRST_F = (
    "Marie Nathalie Isabelle Sylvie Catherine Françoise Valérie Christine Sophie Sandrine Céline "
    "Stéphanie Véronique Nicole Julie Aurélie Camille Léa Manon Chloé Inès Emma Jade Louise Alice "
    "Lina Zoé Anaïs Clémence Laëtitia Mélanie Élodie Émilie Hélène Agnès Béatrice Brigitte Claire "
    "Danièle Florence Geneviève Josiane Laure Lucie Margaux Monique Océane Pauline Solène Thérèse "
    "Virginie Yvette Marie-Claire Anne-Sophie Marie-Christine Marie-Hélène"
).split()
COMMON_LAST = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier "
    "Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry "
    "Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer "
    "Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud "
    "Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre "
    "Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc "
    "Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger "
    "Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer "
    "Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier "
    "Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le_Gall Collet Léger "
    "Bouvier Julien Prévost Millet Perrot Daniel Le_Roux Cousin Germain Breton Besson "
    "Langlois Rémy Le_Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber "
    "Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin "
    "Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard Maréchal "
    "Humbert Reynaud Antoine Hoarau Perret Barthélémy Cordier Pichon Lejeune Gilbert Lamy "
    "Delaunay Pasquier Carlier Laporte"
)
COMMON_LAST = tuple(name.replace("_", " ") for name in COMMON_LAST.split())
# A long tail of plausible surnames built from French pieces (about 10,000 of them).
_LAST_HEAD = (
    "Beau Bel Ber Bou Cha Cou Fon Gar Gi Lam Mar Mor Pel Ri Ro Sau Ta Ver Vil Bru Cla Dé Fé Ga Jo "
    "Lé Mi Pi Que Tri Va Bon Cor Dal Fer Gre Lan Mon Pa Ser"
).split()
_LAST_MID = ("", "ch", "l", "r", "n", "m", "v", "b", "t", "s", "gn", "nd")
_LAST_TAIL = (
    "ard ault et ot in on eau ier ière ois ert and ant ac at el elle enne oux y é ès ville court "
    "mont bert aud"
).split()
CIVILITIES_M = ("M.", "M", "Monsieur", "Mr")
CIVILITIES_F = ("Mme", "Mme.", "Madame", "Mlle")
STREET_TYPES = (
    ("rue", ("rue", "r.", "RUE")),
    ("avenue", ("avenue", "av.", "ave", "Avenue")),
    ("boulevard", ("boulevard", "bd", "bld")),
    ("place", ("place", "pl.")),
    ("chemin", ("chemin", "chem.")),
    ("impasse", ("impasse", "imp.")),
    ("allée", ("allée", "allee", "all.")),
    ("route", ("route", "rte")),
    ("quai", ("quai",)),
)
STREET_SPELLINGS = dict(STREET_TYPES)
STREET_NAMES = (
    "de la République|Victor Hugo|Jean Jaurès|du Général de Gaulle|Pasteur|des Lilas|de la Gare|"
    "Émile Zola|Gambetta|de Verdun|de la Liberté|Jules Ferry|du Moulin|des Écoles|de l'Église|"
    "Carnot|Voltaire|de la Paix|du Château|des Acacias|Saint-Martin|Anatole France|de Bretagne|"
    "des Peupliers|de la Fontaine|du Stade|Molière|Jean Moulin|Paul Bert|de Paris|du Marché|"
    "des Tilleuls|de la Mairie|Georges Clemenceau|Aristide Briand|Louis Pasteur|des Roses|"
    "du Port|Nationale|de Strasbourg|Foch|des Vignes|de Provence|de Lorraine|du Commerce|"
    "Lamartine|Montaigne|Racine|Condorcet|Diderot|de la Croix|des Prés|du Bois|de la Forêt"
).split("|")
# (zip codes, city, first digit of the landlines there)
CITIES = (
    (tuple(f"750{n:02d}" for n in range(1, 21)), "Paris", 1),
    (tuple(f"6900{n}" for n in range(1, 10)), "Lyon", 4),
    (tuple(f"130{n:02d}" for n in range(1, 17)), "Marseille", 4),
    (("31000", "31100", "31200", "31300", "31400", "31500"), "Toulouse", 5),
    (("06000", "06100", "06200", "06300"), "Nice", 4),
    (("44000", "44100", "44200", "44300"), "Nantes", 2),
    (("67000", "67100", "67200"), "Strasbourg", 3),
    (("34000", "34070", "34080", "34090"), "Montpellier", 4),
    (("33000", "33100", "33200", "33300", "33800"), "Bordeaux", 5),
    (("59000", "59160", "59260", "59800"), "Lille", 3),
    (("35000", "35200", "35700"), "Rennes", 2),
    (("51100",), "Reims", 3),
    (("42000", "42100"), "Saint-Étienne", 4),
    (("83000", "83100", "83200"), "Toulon", 4),
    (("76600", "76610", "76620"), "Le Havre", 2),
    (("38000", "38100"), "Grenoble", 4),
    (("21000",), "Dijon", 3),
    (("49000", "49100"), "Angers", 2),
    (("30000", "30900"), "Nîmes", 4),
    (("63000", "63100"), "Clermont-Ferrand", 4),
    (("72000", "72100"), "Le Mans", 2),
    (("13090", "13100"), "Aix-en-Provence", 4),
    (("29200",), "Brest", 2),
    (("37000", "37100", "37200"), "Tours", 2),
    (("80000", "80080", "80090"), "Amiens", 3),
    (("87000", "87100", "87280"), "Limoges", 5),
    (("74000",), "Annecy", 4),
    (("66000", "66100"), "Perpignan", 4),
    (("57000", "57050", "57070"), "Metz", 3),
    (("25000",), "Besançon", 3),
    (("45000", "45100"), "Orléans", 2),
    (("68100", "68200"), "Mulhouse", 3),
    (("14000",), "Caen", 2),
    (("76000", "76100"), "Rouen", 2),
    (("54000",), "Nancy", 3),
    (("92100",), "Boulogne-Billancourt", 1),
    (("93200",), "Saint-Denis", 1),
    (("92000",), "Nanterre", 1),
    (("94300",), "Vincennes", 1),
    (("78000",), "Versailles", 1),
    (("64000",), "Pau", 5),
    (("17000",), "La Rochelle", 5),
    (("86000",), "Poitiers", 5),
    (("56000",), "Vannes", 2),
    (("84000",), "Avignon", 4),
    (("73000",), "Chambéry", 4),
    (("65000",), "Tarbes", 5),
    (("24000",), "Périgueux", 5),
    (("10000",), "Troyes", 3),
    (("71100",), "Chalon-sur-Saône", 3),
)
PERSON_DOMAINS = (
    ("gmail.com", 36),
    ("orange.fr", 14),
    ("hotmail.fr", 9),
    ("yahoo.fr", 7),
    ("free.fr", 8),
    ("laposte.net", 6),
    ("sfr.fr", 5),
    ("wanadoo.fr", 5),
    ("outlook.fr", 4),
    ("icloud.com", 3),
    ("live.fr", 2),
    ("neuf.fr", 1),
)
ACTIVITIES = (
    "Boulangerie Garage Transports Menuiserie Plomberie Pharmacie Imprimerie Fromagerie Cabinet "
    "Librairie Pâtisserie Charcuterie Électricité Couverture Maçonnerie Peinture Jardinerie "
    "Optique Ambulances Taxis Auto-École Traiteur Brasserie Hôtel Restaurant Agence Immobilier "
    "Informatique Conseil Architecture Fleurs Chaussures Boucherie Nettoyage Serrurerie"
).split()
ADJECTIVES = ("Nouvelle", "Générale", "Industrielle", "Européenne", "Française", "Régionale")
NOUNS = (
    "Société|Compagnie|Groupement|Union|Manufacture|Office|Établissements|Bureau|Laboratoire|"
    "Coopérative"
).split("|")
TRADES = (
    "des Ateliers|d'Électricité|des Transports|de Travaux Publics|d'Équipements Industriels|"
    "de Mécanique|des Matériaux|de Services Informatiques|d'Emballages|des Eaux|de Construction|"
    "de Logistique|d'Études Techniques|de Chaudronnerie|de Distribution Alimentaire"
).split("|")
REGIONS = (
    "de Normandie|du Rhône|de Bretagne|d'Alsace|de Provence|du Nord|de l'Ouest|du Centre|"
    "d'Aquitaine|de Bourgogne|de Lorraine|du Sud-Ouest|de Savoie|d'Auvergne|de Picardie"
).split("|")
LEGAL_FORMS = ("SAS", "SARL", "SA", "EURL", "SNC", "SASU")
STOPWORDS = frozenset("de du des la le les l d et".split())
PUNCTUATION_NAMES = (".", "-", "--", "?", "...", "***", "/", "x", "!!", "_", "(vide)", ",")
SHARED_EMAIL = "noreply@marketplace-commandes.fr"
ACCENTS = str.maketrans("éèêëàâäîïôöùûüçÉÈÊËÀÂÄÎÏÔÖÙÛÜÇÿ", "eeeeaaaiioouuucEEEEAAAIIOOUUUCy")
KEYBOARD = "azertyuiopqsdfghjklmwxcvbn"
MOBILE_PREFIXES = ("60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77")
# First two digits of the landlines valid for each region (phonenumbers' metadata for France).
LANDLINE_PREFIXES = {
    area: tuple(f"{area}{second}" for second in seconds)
    for area, seconds in {
        1: "0123456789",
        2: "01234578",
        3: "0123456789",
        4: "123456789",
        5: "012345678",
    }.items()
}
SHARED_PHONE = "0144556677"  # a call centre placing orders for many customers


def _luhn_key(payload):
    """The digit that completes ``payload`` (a string of digits) into a valid Luhn number."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # doubled once the check digit is appended
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


def siren_from(counter):
    payload = f"{(counter * 7_919 + 10_000_019) % 90_000_000 + 10_000_000:08d}"
    return payload + _luhn_key(payload)


def siret_from(siren, establishment):
    payload = siren + f"{establishment:04d}"
    return payload + _luhn_key(payload)


def vat_from(siren):
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


class _Generator:
    def __init__(self, count, seed):
        self.count = count
        self.rng = random.Random(f"hygiene-dedup-{seed}")
        self.records = []
        self.entity = 0
        self.group = 0
        self.used_numbers = {SHARED_PHONE}
        self.sirens = 0
        self.used_emails = set()
        self.used_domains = set()
        self.shared_cap = min(10000, max(2, count // 50))
        self.shared_email_left = self.shared_phone_left = self.shared_cap
        rng = self.rng
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(COMMON_LAST))]
        self.common_last = rng.choices(COMMON_LAST, weights, k=4096)
        self.first_m = rng.choices(FIRST_M, [1 / (r + 3) for r in range(len(FIRST_M))], k=4096)
        self.first_f = rng.choices(FIRST_F, [1 / (r + 3) for r in range(len(FIRST_F))], k=4096)
        domains, weights = zip(*PERSON_DOMAINS, strict=True)
        self.domains = rng.choices(domains, weights, k=4096)

    # ------------------------------------------------------------ identities

    def _last_name(self):
        rng = self.rng
        if rng.random() < 0.35:
            return self.common_last[rng.getrandbits(12)]
        name = rng.choice(_LAST_HEAD) + rng.choice(_LAST_MID) + rng.choice(_LAST_TAIL)
        return ("Le " + name) if rng.random() < 0.03 else name

    def _first_name(self, male):
        return (self.first_m if male else self.first_f)[self.rng.getrandbits(12)]

    def _number(self, prefixes):
        """A phone number never given before: ``0`` + one of ``prefixes`` + 7 random digits."""
        rng = self.rng
        while True:
            number = f"0{rng.choice(prefixes)}{rng.randrange(10**7):07d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def _mobile(self):
        return self._number(MOBILE_PREFIXES)

    def _landline(self, area):
        return self._number(LANDLINE_PREFIXES[area])

    def _address(self):
        rng = self.rng
        zips, city, area = rng.choice(CITIES)
        street_type = rng.choice(STREET_TYPES)
        number = rng.randint(1, 180)
        extra = " bis" if rng.random() < 0.04 else ""
        street = f"{number}{extra} {street_type[0]} {rng.choice(STREET_NAMES)}"
        return (street, rng.choice(zips), city, area)

    def _birthdate(self, low=1940, high=2006):
        rng = self.rng
        return f"{rng.randint(low, high)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _email(self, first, last, birthdate):
        rng = self.rng
        first = first.translate(ACCENTS).lower().replace(" ", "")
        last = last.translate(ACCENTS).lower().replace(" ", "")
        pattern = rng.random()
        if pattern < 0.45:
            local = f"{first}.{last}"
        elif pattern < 0.6:
            local = f"{first}{last}"
        elif pattern < 0.72:
            local = f"{first[0]}{last}"
        elif pattern < 0.82:
            local = f"{first}.{last}{birthdate[2:4]}"
        elif pattern < 0.9:
            local = f"{first}_{last}"
        else:
            local = f"{last}.{first}"
        domain = self.domains[rng.getrandbits(12)]
        candidate, suffix = local, 0
        while True:
            key = (candidate.replace(".", "") if domain == "gmail.com" else candidate, domain)
            if key not in self.used_emails:
                self.used_emails.add(key)
                return f"{candidate}@{domain}"
            suffix += 1
            candidate = f"{local}{suffix}" if suffix > 1 else f"{local}{birthdate[2:4]}"

    def person(self, last=None, first=None, male=None, address=None, landline=None, **extra):
        """A person's identity: a dict from which records are derived."""
        rng = self.rng
        male = rng.random() < 0.5 if male is None else male
        first = first or self._first_name(male)
        last = last or self._last_name()
        address = address or self._address()
        birthdate = extra.pop("birthdate", None) or self._birthdate()
        if landline is None and rng.random() < 0.35:
            landline = self._landline(address[3])
        return {
            "first": first,
            "last": last,
            "male": male,
            "address": address,
            "birthdate": birthdate,
            "email": self._email(first, last, birthdate) if rng.random() < 0.88 else None,
            "email2": None,
            "mobile": self._mobile() if rng.random() < 0.85 else None,
            "landline": landline,
            **extra,
        }

    # ------------------------------------------------------------ record variants

    def _typo(self, word):
        rng = self.rng
        if len(word) < 4:
            return word
        pos = rng.randint(1, len(word) - 2)
        kind = rng.random()
        if kind < 0.3:
            return word[:pos] + word[pos + 1 :]
        if kind < 0.55:
            return word[:pos] + word[pos] + word[pos:]
        if kind < 0.8:
            return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
        return word[:pos] + rng.choice(KEYBOARD) + word[pos + 1 :]

    def _name_variant(self, who, dup):
        """The name as written on one record: clean on the first record, messy on duplicates."""
        rng = self.rng
        first, last = who["first"], who["last"]
        if dup and rng.random() < 0.15:
            if rng.random() < 0.5:
                last = self._typo(last)
            else:
                first = self._typo(first)
            if rng.random() < 0.2:
                last = self._typo(last)
        if dup and rng.random() < 0.06:
            first = first[0] + "."
        roll = rng.random()
        if roll < (0.25 if dup else 0.1):
            text = f"{last.upper()} {first}"
        elif roll < (0.35 if dup else 0.12):
            text = f"{last} {first}"
        else:
            text = f"{first} {last}"
        roll = rng.random()
        if roll < (0.3 if dup else 0.08):
            text = text.translate(ACCENTS)
        elif roll < (0.4 if dup else 0.1):
            text = text.upper()
        elif roll < (0.45 if dup else 0.11):
            text = text.lower()
        if rng.random() < (0.15 if dup else 0.04):
            text = f"{rng.choice(CIVILITIES_M if who['male'] else CIVILITIES_F)} {text}"
        return text

    def _email_variant(self, who, dup):
        rng = self.rng
        email = who["email"]
        if not dup or not email:
            if dup and rng.random() < 0.3:  # a second address given on another channel
                return self._second_email(who)
            return email
        roll = rng.random()
        if roll < 0.45:
            return email
        local, _at, domain = email.partition("@")
        if roll < 0.55:
            return email.upper() if rng.random() < 0.3 else local.capitalize() + "@" + domain
        if roll < 0.63:
            return f"{local}+{rng.choice(('promo', 'shop', 'news', 'jeu'))}@{domain}"
        if roll < 0.70 and domain == "gmail.com":
            return local.replace(".", "") + "@googlemail.com" if "." in local else email
        if roll < 0.85:
            return self._second_email(who)
        return None

    def _second_email(self, who):
        if not who["email2"]:
            who["email2"] = self._email(who["first"], who["last"], who["birthdate"])
        return who["email2"]

    def _phone_format(self, number):
        """One of the ways people write a French number (``number``: 0 and nine digits)."""
        roll = self.rng.random()
        if roll < 0.4:
            return " ".join(number[i : i + 2] for i in range(0, 10, 2))
        if roll < 0.6:
            return number
        if roll < 0.7:
            return ".".join(number[i : i + 2] for i in range(0, 10, 2))
        if roll < 0.82:
            return "+33 " + number[1] + " " + " ".join(number[i : i + 2] for i in range(2, 10, 2))
        if roll < 0.9:
            return "0033" + number[1:]
        if roll < 0.95:
            return "+33 (0)" + number[1:]
        return "-".join(number[i : i + 2] for i in range(0, 10, 2))

    def _phones_variant(self, who, dup):
        """(phone, mobile) of one record."""
        rng = self.rng
        mobile, landline = who["mobile"], who["landline"]
        fmt = self._phone_format
        if not dup:
            return (fmt(landline) if landline else None, fmt(mobile) if mobile else None)
        roll = rng.random()
        if roll < 0.45:
            return (fmt(landline) if landline else None, fmt(mobile) if mobile else None)
        if roll < 0.7:  # one phone field on the form: the mobile is typed there
            return (fmt(mobile or landline) if (mobile or landline) else None, None)
        if roll < 0.8:
            return (fmt(landline) if landline else None, None)
        if roll < 0.9:
            return (None, fmt(mobile) if mobile else None)
        return (None, None)

    def _street_variant(self, street):
        """The street written with its type abbreviated or cased differently."""
        rng = self.rng
        words = street.split(" ")
        for position, word in enumerate(words[:3]):
            spellings = STREET_SPELLINGS.get(word)
            if spellings:
                words[position] = rng.choice(spellings)
                break
        text = " ".join(words)
        if rng.random() < 0.3:
            text = text.upper().translate(ACCENTS)
        if rng.random() < 0.2:
            text = text.replace(" ", ", ", 1)
        return text

    def _address_variant(self, who, dup):
        rng = self.rng
        street, zip_code, city, _area = who["address"]
        if not dup:
            return street, zip_code, city
        roll = rng.random()
        if roll < 0.6:
            return street, zip_code, city
        if roll < 0.75:
            return self._street_variant(street), zip_code, city.upper() if roll < 0.7 else city
        if roll < 0.9:  # moved
            if not who.get("moved"):
                who["moved"] = self._address()
            return who["moved"][:3]
        return None, None, None

    def person_records(self, who, copies, neg_group="", neg_kind="", parent_rid=None):
        entity = self.entity
        self.entity += 1
        for index in range(copies):
            dup = index > 0
            name = self._name_variant(who, dup)
            email = self._email_variant(who, dup)
            phone, mobile = self._phones_variant(who, dup)
            street, zip_code, city = self._address_variant(who, dup)
            if dup and not email and not phone and not mobile and street != who["address"][0]:
                # keep some evidence: nobody could tell this record is the same person
                phone = self._phone_format(who["mobile"] or who["landline"] or self._mobile())
            group, kind = neg_group, neg_kind
            if not group:
                email, phone, group, kind = self._shared(email, phone)
            birthdate = who["birthdate"]
            if dup and self.rng.random() < 0.5:
                birthdate = "/".join(reversed(birthdate.split("-")))
            self._emit(
                name,
                email,
                phone,
                mobile,
                street,
                zip_code,
                city,
                False,
                None,
                None,
                birthdate if self.rng.random() < 0.6 else None,
                entity,
                group,
                kind,
                parent_rid if (not dup or self.rng.random() < 0.7) else None,
            )

    def _shared(self, email, phone):
        """Put the shared ``noreply@`` or call-centre number on a few records (bad input)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.025 and self.shared_email_left:
            self.shared_email_left -= 1
            return SHARED_EMAIL, phone, "shared_email", "shared_email"
        if roll < 0.05 and self.shared_phone_left:
            self.shared_phone_left -= 1
            return email, self._phone_format(SHARED_PHONE), "shared_phone", "shared_phone"
        return email, phone, "", ""

    def _emit(self, *values):
        if len(self.records) < self.count:
            self.records.append((len(self.records), *values))

    # ------------------------------------------------------------ units

    def copies(self, weights=(60, 25, 10, 5)):
        roll = self.rng.random() * sum(weights)
        for number, weight in enumerate(weights, start=1):
            roll -= weight
            if roll < 0:
                return number
        return 1

    def unit_person(self):
        self.person_records(self.person(), self.copies())

    def unit_homonyms(self):
        first_person = self.person()
        group = f"homonym:{self.group}"
        self.group += 1
        people = [first_person] + [
            self.person(last=first_person["last"], first=first_person["first"])
            for _ in range(self.rng.choice((1, 1, 2)))
        ]
        for who in people:
            self.person_records(who, self.copies(), group, "homonym")

    def unit_family(self):
        rng = self.rng
        head = self.person()
        if not head["landline"]:
            head["landline"] = self._landline(head["address"][3])
        group = f"family:{self.group}"
        self.group += 1
        members, firsts = [head], {head["first"]}
        for _ in range(rng.choice((1, 1, 2, 3))):
            male = rng.random() < 0.5
            first = self._first_name(male)
            if first in firsts:
                continue
            firsts.add(first)
            members.append(
                self.person(
                    last=head["last"],
                    first=first,
                    male=male,
                    address=head["address"],
                    landline=head["landline"],
                )
            )
        if len(members) == 1:
            group = ""  # the other first names drawn were the same: not a family
        for who in members:
            self.person_records(who, self.copies((70, 20, 7, 3)), group, "family" if group else "")

    def unit_father_son(self):
        rng = self.rng
        father = self.person(male=True, birthdate=self._birthdate(1940, 1970))
        if not father["landline"]:
            father["landline"] = self._landline(father["address"][3])
        year = int(father["birthdate"][:4]) + rng.randint(22, 36)
        son = self.person(
            last=father["last"],
            first=father["first"],
            male=True,
            address=father["address"],
            landline=father["landline"] if rng.random() < 0.4 else False,
            birthdate=self._birthdate(year, year),
        )
        if not son["mobile"]:
            son["mobile"] = self._mobile()
        group = f"father_son:{self.group}"
        self.group += 1
        for who in (father, son):
            self.person_records(who, self.copies(), group, "father_son")

    def _company_identity(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            name = f"{rng.choice(ACTIVITIES)} {self._last_name()}"
        elif roll < 0.75:
            name = f"{self._last_name()} {rng.choice(('et Fils', 'Frères', '& Associés'))}"
        else:
            name = " ".join(
                (rng.choice(NOUNS), rng.choice(ADJECTIVES), rng.choice(TRADES), rng.choice(REGIONS))
            )
        words = name.replace("'", " ").replace("-", " ").split()
        initials = "".join(w[0] for w in words if w.lower() not in STOPWORDS).upper()
        slug = name.translate(ACCENTS).lower().replace("'", "").replace("&", "et")
        slug = "-".join(slug.split())
        domain = slug + (".fr" if rng.random() < 0.8 else ".com")
        suffix = 2
        while domain in self.used_domains:
            domain = f"{slug}{suffix}.fr"
            suffix += 1
        self.used_domains.add(domain)
        self.sirens += 1
        siren = siren_from(self.sirens)
        address = self._address()
        return {
            "name": name,
            "acronym": initials if roll >= 0.75 else None,  # only long names have acronyms
            "form": rng.choice(LEGAL_FORMS),
            "domain": domain,
            "siren": siren,
            "address": address,
            "switchboard": self._landline(address[3]),
        }

    def _company_name_variant(self, company, dup):
        rng = self.rng
        name = company["name"]
        if dup and company["acronym"] and rng.random() < 0.5:
            name = company["acronym"]
        roll = rng.random()
        if roll < 0.35:
            name = f"{name} {company['form']}"
        elif roll < 0.45:
            name = f"{company['form']} {name}"
        elif roll < 0.5:
            name = f"{name} {'.'.join(company['form'])}."
        if dup and rng.random() < 0.3:
            name = (
                name.upper().translate(ACCENTS) if rng.random() < 0.5 else name.translate(ACCENTS)
            )
        if dup and rng.random() < 0.1:
            name = self._typo(name)
        return name

    def _company_ids_variant(self, company, dup):
        rng = self.rng
        siren, vat, registry = company["siren"], None, None
        roll = rng.random()
        if roll < 0.4:
            vat = vat_from(siren)
            if dup and rng.random() < 0.4:
                vat = f"{vat[:2]} {vat[2:4]} {siren[:3]} {siren[3:6]} {siren[6:]}"
        if rng.random() < (0.5 if not dup else 0.35):
            establishment = 1 if not dup or rng.random() < 0.6 else rng.randint(2, 60)
            registry = siret_from(siren, establishment)
            if rng.random() < 0.3:
                registry = f"{registry[:3]} {registry[3:6]} {registry[6:9]} {registry[9:]}"
        elif rng.random() < 0.3:
            registry = siren
        return vat, registry

    def unit_company(self):
        rng = self.rng
        company = self._company_identity()
        entity = self.entity
        self.entity += 1
        first_rid = len(self.records)
        for index in range(self.copies((55, 28, 12, 5))):
            dup = index > 0
            vat, registry = self._company_ids_variant(company, dup)
            street, zip_code, city, _area = company["address"]
            if dup and rng.random() < 0.2:
                street = self._street_variant(street)
            email = f"contact@{company['domain']}"
            if dup and rng.random() < 0.3:
                email = rng.choice((f"compta@{company['domain']}", None, email.upper()))
            phone = self._phone_format(company["switchboard"]) if rng.random() < 0.85 else None
            self._emit(
                self._company_name_variant(company, dup),
                email,
                phone,
                None,
                street,
                zip_code,
                city,
                True,
                vat,
                registry,
                None,
                entity,
                "",
                "",
                None,
            )
        self._company_contacts(company, first_rid)

    def _company_contacts(self, company, parent_rid):
        rng = self.rng
        contacts = rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4))
        generic = contacts >= 2 and rng.random() < 0.5
        group = ""
        if generic:
            group = f"colleagues:{self.group}"
            self.group += 1
        for _ in range(contacts):
            who = self.person(address=company["address"], landline=company["switchboard"])
            if generic:
                who["email"] = f"contact@{company['domain']}"
                if rng.random() < 0.5:
                    who["mobile"] = None
            else:
                local = who["first"].translate(ACCENTS).lower().replace(" ", "")
                local += "." + who["last"].translate(ACCENTS).lower().replace(" ", "")
                who["email"] = f"{local}@{company['domain']}"
            who["email2"] = who["email"] if generic else None
            self.person_records(
                who, self.copies((65, 25, 7, 3)), group, "colleagues" if generic else "", parent_rid
            )

    def unit_bad(self):
        rng = self.rng
        roll = rng.random()
        address = self._address()
        email = phone = None
        if roll < 0.35:
            name = ""
            email = self._email("client", self._last_name(), "1999") if rng.random() < 0.5 else None
        elif roll < 0.75:
            name = rng.choice(PUNCTUATION_NAMES)
            phone = self._phone_format(self._mobile()) if rng.random() < 0.3 else None
        elif roll < 0.98:
            name = f"{self._first_name(True)} {self._last_name()}"
        else:
            name = "x'); DROP TABLE res_partner;--"
        if rng.random() < 0.2:
            phone = rng.choice(("n/a", "0000", "+33", "06 12", "pas de tel"))
        street, zip_code, city, _area = address
        values = (name, email, phone, None, street, zip_code, city, False, None, None, None)
        self._emit(*values, self.entity, "", "", None)
        self.entity += 1

    def run(self):
        rng = self.rng
        units = (
            (0.755, self.unit_person),
            (0.815, self.unit_company),
            (0.86, self.unit_family),
            (0.895, self.unit_homonyms),
            (0.91, self.unit_father_son),
            (0.92, self.unit_bad),
        )
        while len(self.records) < self.count:
            roll = rng.random()
            for threshold, unit in units:
                if roll < threshold:
                    unit()
                    break
            else:
                self.unit_person()
        return self.records


def generate(count, seed=1):
    """The ``count`` records (tuples in ``FIELDS`` order) for ``seed``: same input, same output."""
    return _Generator(count, seed).run()


if __name__ == "__main__":
    import sys
    import time

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    start = time.perf_counter()
    rows = generate(size)
    print(f"{len(rows):,} records in {time.perf_counter() - start:.1f} s")
    for row in rows[:40]:
        print(row)
