"""Independent evaluation set for duplicate detection: French persons over ten years, five sources.

Written from bench/independent/SPEC.md without reading the matcher. Deterministic (``--seed``),
standard library only, streaming: persons are generated one unit (a person or a hard-negative
group) at a time, their rows spread over on-disk buckets, each bucket shuffled and appended to the
output; memory holds one bucket and one set of 64-bit hashes of the mailboxes handed out.

    python bench/independent/generate.py --size 100000 --seed 16 --out /tmp/indep_100k.csv \\
        [--import-file]

Writes FILE, FILE.summary.json (realised counts and rates) and with ``--import-file``
FILE.import.csv (partner columns only, headers the addon's import recognises).
"""

import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from datetime import date, timedelta

# ---------------------------------------------------------------------------------------------
# Rates (SPEC.md). Changing one changes the set: say so next to any figure measured on it.
# ---------------------------------------------------------------------------------------------
RATES = {
    "copies": [(1, 55), (2, 25), (3, 12), (4, 5), (5, 2), (6, 1)],
    "sources": [("shop", 30), ("web_form", 20), ("emailing", 20), ("loyalty", 15), ("fair", 15)],
    "moves": [(0, 62), (1, 30), (2, 8)],
    "move_same_dept": 0.40,
    "mobile_changes": [(0, 65), (1, 28), (2, 7)],
    "email_changes": [(0, 64), (1, 30), (2, 6)],
    "has_mobile": 0.85,
    "has_email": 0.92,
    "home_landline": 0.45,
    "landline_box_09": 0.20,
    "marry_woman_20_45": 0.35,
    "married_display": [("married", 65), ("birth", 20), ("hyphen", 8), ("nee", 7)],
    "marriage_new_email": 0.40,
    "employed_b2b": 0.04,
    "work_row": 0.50,
    # hard-negative kinds: (share of persons, group sizes)
    "hard_negatives": {
        "homonym": (0.04, (2, 3)),
        "homonym_city": (0.01, (2,)),
        "spouse": (0.03, (2,)),
        "parent_child": (0.02, (2, 3)),
        "father_son": (0.01, (2,)),
        "twins": (0.005, (2,)),
        "colleagues": (0.03, (3, 4, 5, 6, 7, 8)),
    },
    "spouse_same_surname": 0.85,
    "family_email": 0.20,
    "child_moves_out": 0.50,
    "son_jr_marker": 0.20,
    "twins_similar_names": 0.30,
}
# per-source rates: shop, web_form (CMS), emailing, loyalty, fair
SOURCE_RATES = {
    "order_last_first": {
        "shop": 0.08,
        "web_form": 0.45,
        "emailing": 0.05,
        "loyalty": 0.30,
        "fair": 0.40,
    },
    "upper": {"shop": 0.05, "web_form": 0.30, "emailing": 0.05, "loyalty": 0.05, "fair": 0.50},
    "lower": {"shop": 0.04, "web_form": 0.04, "emailing": 0.10, "loyalty": 0.04, "fair": 0.04},
    "no_accents": {"shop": 0.10, "web_form": 0.60, "emailing": 0.10, "loyalty": 0.10, "fair": 0.30},
    "mojibake": {"web_form": 0.03},
    "civility": {"shop": 0.03, "web_form": 0.20, "emailing": 0.03, "loyalty": 0.03, "fair": 0.10},
    "truncate20": {"web_form": 0.15},
    "first_only": {"shop": 0.02, "web_form": 0.02, "emailing": 0.35, "loyalty": 0.02, "fair": 0.02},
    "last_only": {"shop": 0.03, "web_form": 0.03, "emailing": 0.05, "loyalty": 0.03, "fair": 0.03},
    "no_name": {"emailing": 0.30},
    "name_typo": {"shop": 0.04, "web_form": 0.04, "emailing": 0.04, "loyalty": 0.04, "fair": 0.12},
    "ocr": {"fair": 0.06},
    "no_email": {"shop": 0.03, "web_form": 0.05, "emailing": 0.0, "loyalty": 0.40, "fair": 0.25},
    "email_case": {"shop": 0.05, "web_form": 0.05, "emailing": 0.05, "loyalty": 0.05, "fair": 0.20},
    "email_typo": {
        "shop": 0.015,
        "web_form": 0.015,
        "emailing": 0.015,
        "loyalty": 0.015,
        "fair": 0.06,
    },
    # phones shown: (both, mobile only, landline only, none)
    "phones": {
        "shop": (10, 55, 20, 15),
        "web_form": (5, 25, 10, 60),
        "emailing": (0, 0, 0, 100),
        "loyalty": (5, 80, 5, 10),
        "fair": (0, 60, 10, 30),
    },
    "phone_typo": {
        "shop": 0.005,
        "web_form": 0.005,
        "emailing": 0.005,
        "loyalty": 0.005,
        "fair": 0.03,
    },
    # address shown: (none, postcode and city only); else full
    "address": {
        "shop": (0.02, 0.03),
        "web_form": (0.50, 0.10),
        "emailing": (1.0, 0.0),
        "loyalty": (0.20, 0.60),
        "fair": (0.40, 0.35),
    },
    "birthdate": {"shop": 0.20, "web_form": 0.15, "emailing": 0.10, "loyalty": 0.85, "fair": 0.30},
}
NOISE = {
    "swap_no_case_clue": 0.04,
    "initial": 0.04,
    "nickname": 0.07,
    "hyphen_variant": 0.30,
    "phonetic": 0.05,
    "second_first_name": 0.03,
    "gmail_dots": 0.15,
    "plus_tag": 0.05,
    "googlemail": 0.03,
    "wanadoo_old_rows": 0.30,
    "local_typo_share": 0.5,  # of email typos: local part (else domain)
    "street_abbrev": 0.25,
    "street_comma": 0.15,
    "street_bis": 0.03,
    "street_complement": 0.08,
    "zip_lost_zero_fair": 0.30,
    "city_variant": 0.25,
    "no_country": 0.03,
    "dob_swap": 0.02,
    "dob_year_typo": 0.015,
    "dob_placeholder_1900": 0.01,
    "dob_first_january": 0.01,
    "phone_lost_zero_fair": 0.25,
}
PHONE_FORMATS = [
    ("spaced", 35),
    ("compact", 25),
    ("dots", 10),
    ("intl_spaced", 10),
    ("intl", 8),
    ("0033", 3),
    ("dashes", 4),
    ("intl_paren", 2),
    ("lost_zero", 3),
]
DOB_FORMATS = [
    ("iso", 35),
    ("dmy", 40),
    ("dmy2", 8),
    ("dmy_dash", 5),
    ("dmy_dot", 3),
    ("ymd", 3),
    ("excel", 3),
    ("us", 3),
]
PERIOD_START, PERIOD_END = date(2014, 1, 1), date(2024, 12, 31)

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------
FEMALE = (
    "Marie Nathalie Isabelle Sylvie Catherine Françoise Christine Monique Valérie Sandrine "
    "Sophie Stéphanie Véronique Nicole Céline Chantal Patricia Anne Martine Julie Aurélie Caroline "
    "Émilie Camille Laura Sarah Léa Manon Chloé Emma Inès Jade Louise Alice Lina Léna Zoé Clara "
    "Pauline Mathilde Élodie Audrey Virginie Laetitia Delphine Karine Hélène Florence Agnès "
    "Brigitte Danielle Jacqueline Sabrina Mélanie Charlotte Lucie Océane Margaux Anaïs Justine "
    "Marine Morgane Gaëlle Élisabeth Corinne Béatrice Claire Juliette Noémie Amandine Jessica "
    "Vanessa Elsa Fatima Samia Yasmine Nadia Ophélie Solène Maëlys Romane Ambre Eva Rose Anna "
    "Marie-Christine Marie-Claire Anne-Sophie Marie-Pierre Anne-Marie Marie-Laure Marie-Hélène"
).split()
MALE = (
    "Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Daniel Bernard Frédéric "
    "Laurent Stéphane Éric David Sébastien Julien Thomas Olivier Pascal Thierry Christian Gérard "
    "François Dominique Vincent Guillaume Maxime Alexandre Antoine Romain Kevin Lucas Hugo Louis "
    "Gabriel Jules Arthur Raphaël Léo Nathan Enzo Mathis Théo Baptiste Benjamin Mathieu "
    "Jérôme Cédric Franck Didier Bruno Yves Serge Gilles Jacques René Marcel Roger André Paul "
    "Loïc Yann Gaël Erwan Mickaël Anthony Florian Adrien Damien Quentin Clément Thibault Rémi "
    "Ludovic Arnaud Grégory Fabrice Hervé Joël Karim Mohamed Mehdi Sofiane Samir Rachid Kader "
    "Jean-Pierre Jean-Claude Jean-Luc Jean-François Jean-Marc Jean-Michel Jean-Paul Pierre-Yves "
    "Jean-Louis Jean-Baptiste Paul-Henri"
).split()
NICKNAMES = {
    "Frédéric": ["Fred"],
    "Nicolas": ["Nico"],
    "Alexandre": ["Alex"],
    "Christophe": ["Chris"],
    "Sébastien": ["Seb", "Séb"],
    "Stéphanie": ["Steph", "Stéph"],
    "Catherine": ["Cathy", "Cath"],
    "Isabelle": ["Isa"],
    "Élisabeth": ["Babeth", "Elisa"],
    "Dominique": ["Dom"],
    "Thomas": ["Tom"],
    "Benjamin": ["Ben"],
    "Mathieu": ["Math"],
    "Valérie": ["Val"],
    "Véronique": ["Véro"],
    "Nathalie": ["Nath"],
    "Caroline": ["Caro"],
    "Emmanuel": ["Manu"],
    "Maxime": ["Max"],
    "Guillaume": ["Guigui"],
    "Raphaël": ["Raph"],
    "Jérôme": ["Jéjé"],
    "Patricia": ["Patou"],
    "Virginie": ["Virgi"],
    "Gabriel": ["Gaby"],
    "Anthony": ["Tony"],
    "Ludovic": ["Ludo"],
    "Florian": ["Flo"],
    "Florence": ["Flo"],
    "Samia": ["Sam"],
    "Mohamed": ["Momo", "Mohammed"],
    "Jean-Pierre": ["JP"],
    "Jean-François": ["JF"],
    "Jean-Marc": ["JM"],
    "Jean-Baptiste": ["JB"],
    "Marie-Christine": ["Marie-Chris"],
    "Anne-Sophie": ["Sophie"],
    "Christine": ["Christ"],
    "Karim": ["Kader"],
}
PHONETIC_FIRST = {
    "Mathieu": "Matthieu",
    "Thibault": "Thibaut",
    "Raphaël": "Raphael",
    "Kevin": "Kévin",
    "Gaël": "Gael",
    "Mickaël": "Michael",
    "Grégory": "Grégori",
    "Sylvie": "Silvie",
    "Anaïs": "Anais",
    "Laetitia": "Lætitia",
    "Gaëlle": "Gaelle",
    "Elsa": "Elza",
    "Yann": "Yan",
    "Philippe": "Phillipe",
    "Mohamed": "Mohammed",
    "Rachid": "Rachide",
    "Fatima": "Fatma",
    "Margaux": "Margot",
    "Maëlys": "Maélys",
    "Christophe": "Cristophe",
}
SIMILAR_TWINS = [
    ("Léa", "Léna"),
    ("Louis", "Lucas"),
    ("Emma", "Eva"),
    ("Jules", "Jude"),
    ("Chloé", "Zoé"),
    ("Théo", "Léo"),
    ("Lina", "Léna"),
    ("Mathis", "Mathias"),
]
SURNAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau "
    "Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François "
    "Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier "
    "Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard "
    "Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard "
    "Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix "
    "Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume "
    "Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis "
    "Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty "
    "Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé "
    "Schneider Fernandez Le Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le Roux "
    "Cousin Germain Breton Besson Langlois Rémy Le Goff Pelletier Lévêque Perrier Leblanc Barré "
    "Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet "
    "Étienne Grondin Poulain Tessier Chevallier Collin Chauvin Da Silva Bouchet Gay Lemaître "
    "Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune "
    "Gilbert Lamy Delaunay Pasquier Carlier Laporte Ferreira Nguyen Benali Haddad Dos Santos "
    "Lefort Thibault Leblond Texier Hoareau Régnier Dupré Chauveau Tanguy Lebon Kerbrat"
).split(" ")
SURNAMES = [s.replace("_", " ") for s in SURNAMES]
TAIL_PREFIX = [""] * 14 + ["Le ", "Le ", "La ", "De ", "Du ", "Ker", "Ker", "Ben ", "Mont", "Val"]
TAIL_ROOT = (
    "bourg bois champ fer gros jol lou mar mor pel rich roch saint tour vern bert cass dar "
    "gal gou lan mich pag ren sav tall vall bar bell bon bru cam cha cor dav fon gir lag lav "
    "mal mas nav pon rou tis vig aub bla dro fro gra pla tra"
).split()
TAIL_SUFFIX = [
    "ier",
    "eau",
    "ot",
    "in",
    "ard",
    "ac",
    "aud",
    "et",
    "on",
    "y",
    "ès",
    "mann",
    "ault",
    "oux",
    "at",
    "ez",
    "an",
    "ec",
    "ou",
]
STREET_TYPES = [
    ("rue", "r.", 50),
    ("avenue", "av.", 14),
    ("boulevard", "bd", 7),
    ("place", "pl.", 4),
    ("impasse", "imp.", 6),
    ("chemin", "ch.", 7),
    ("allée", "all.", 6),
    ("route", "rte", 6),
]
STREET_NAMES = (
    "de la République|Victor Hugo|Jean Jaurès|de la Gare|du Général de Gaulle|Pasteur|de Paris|"
    "des Écoles|du Moulin|de l'Église|Gambetta|Jules Ferry|des Lilas|du Stade|de la Mairie|"
    "Voltaire|Émile Zola|des Roses|de Verdun|du 8 Mai 1945|Saint-Martin|de la Liberté|"
    "des Tilleuls|du Château|Anatole France|Carnot|Louis Pasteur|de Bretagne|des Acacias|"
    "Paul Bert|du Maréchal Foch|de Lattre de Tassigny|des Vignes|de la Fontaine|du Port|"
    "Henri Barbusse|de la Paix|des Peupliers|Marcel Pagnol|de l'Industrie|du Commerce|"
    "des Champs|Georges Clemenceau|de la Forêt|du Lavoir|Saint-Exupéry|des Prés|de Strasbourg"
).split("|")
# (zip, city, weight); Paris, Lyon, Marseille with arrondissements
CITIES = [
    ("75011", "Paris", 3),
    ("75015", "Paris", 3),
    ("75018", "Paris", 3),
    ("75020", "Paris", 2),
    ("75005", "Paris", 1),
    ("69003", "Lyon", 2),
    ("69007", "Lyon", 2),
    ("13008", "Marseille", 2),
    ("13005", "Marseille", 2),
    ("31000", "Toulouse", 3),
    ("06000", "Nice", 2),
    ("44000", "Nantes", 2),
    ("67000", "Strasbourg", 2),
    ("34000", "Montpellier", 2),
    ("33000", "Bordeaux", 2),
    ("59000", "Lille", 2),
    ("35000", "Rennes", 2),
    ("51100", "Reims", 1),
    ("42000", "Saint-Étienne", 1),
    ("83000", "Toulon", 1),
    ("38000", "Grenoble", 1),
    ("21000", "Dijon", 1),
    ("49000", "Angers", 1),
    ("30000", "Nîmes", 1),
    ("63000", "Clermont-Ferrand", 1),
    ("72000", "Le Mans", 1),
    ("29200", "Brest", 1),
    ("37000", "Tours", 1),
    ("80000", "Amiens", 1),
    ("87000", "Limoges", 1),
    ("74000", "Annecy", 1),
    ("66000", "Perpignan", 1),
    ("57000", "Metz", 1),
    ("25000", "Besançon", 1),
    ("45000", "Orléans", 1),
    ("76000", "Rouen", 1),
    ("14000", "Caen", 1),
    ("68100", "Mulhouse", 1),
    ("54000", "Nancy", 1),
    ("92100", "Boulogne-Billancourt", 1),
    ("93100", "Montreuil", 1),
    ("94000", "Créteil", 1),
    ("78000", "Versailles", 1),
    ("95000", "Cergy", 1),
    ("91000", "Évry-Courcouronnes", 1),
    ("77000", "Melun", 1),
    ("64000", "Pau", 1),
    ("17000", "La Rochelle", 1),
    ("56100", "Lorient", 1),
    ("01000", "Bourg-en-Bresse", 1),
    ("02100", "Saint-Quentin", 1),
    ("03100", "Montluçon", 1),
    ("05000", "Gap", 1),
    ("07200", "Aubenas", 1),
    ("08000", "Charleville-Mézières", 1),
    ("09100", "Pamiers", 1),
    ("04000", "Digne-les-Bains", 1),
    ("06400", "Cannes", 1),
    ("84000", "Avignon", 1),
    ("86000", "Poitiers", 1),
    ("22000", "Saint-Brieuc", 1),
    ("62000", "Arras", 1),
    ("71100", "Chalon-sur-Saône", 1),
    ("26000", "Valence", 1),
    ("65000", "Tarbes", 1),
    ("40000", "Mont-de-Marsan", 1),
    ("85000", "La Roche-sur-Yon", 1),
    ("53000", "Laval", 1),
    ("11100", "Narbonne", 1),
    ("12000", "Rodez", 1),
    ("46000", "Cahors", 1),
    ("81000", "Albi", 1),
    ("24000", "Périgueux", 1),
    ("19100", "Brive-la-Gaillarde", 1),
    ("50100", "Cherbourg-en-Cotentin", 1),
    ("61000", "Alençon", 1),
    ("27000", "Évreux", 1),
    ("28000", "Chartres", 1),
    ("41000", "Blois", 1),
    ("18000", "Bourges", 1),
    ("36000", "Châteauroux", 1),
    ("58000", "Nevers", 1),
    ("89000", "Auxerre", 1),
    ("10000", "Troyes", 1),
    ("52100", "Saint-Dizier", 1),
    ("55100", "Verdun", 1),
    ("88000", "Épinal", 1),
    ("70000", "Vesoul", 1),
    ("39000", "Lons-le-Saunier", 1),
    ("73000", "Chambéry", 1),
    ("43000", "Le Puy-en-Velay", 1),
    ("15000", "Aurillac", 1),
    ("48000", "Mende", 1),
    ("32000", "Auch", 1),
    ("82000", "Montauban", 1),
    ("47000", "Agen", 1),
    ("16000", "Angoulême", 1),
    ("79000", "Niort", 1),
    ("23000", "Guéret", 1),
    ("60000", "Beauvais", 1),
]
# landline region digit by first digit pair of the postcode (département)
REGION_01 = {"75", "77", "78", "91", "92", "93", "94", "95"}
REGION_02 = {
    "14",
    "22",
    "27",
    "28",
    "29",
    "35",
    "36",
    "37",
    "41",
    "44",
    "45",
    "49",
    "50",
    "53",
    "56",
    "61",
    "72",
    "76",
    "85",
    "18",
}
REGION_03 = {
    "02",
    "08",
    "10",
    "21",
    "25",
    "39",
    "51",
    "52",
    "54",
    "55",
    "57",
    "58",
    "59",
    "60",
    "62",
    "67",
    "68",
    "70",
    "71",
    "80",
    "88",
    "89",
}
REGION_04 = {
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "11",
    "13",
    "15",
    "26",
    "30",
    "34",
    "38",
    "42",
    "43",
    "48",
    "63",
    "66",
    "69",
    "73",
    "74",
    "83",
    "84",
}
PROVIDERS = [
    ("gmail.com", 30),
    ("orange.fr", 16),
    ("hotmail.fr", 10),
    ("yahoo.fr", 7),
    ("free.fr", 8),
    ("sfr.fr", 5),
    ("laposte.net", 5),
    ("outlook.fr", 4),
    ("hotmail.com", 4),
    ("live.fr", 3),
    ("icloud.com", 3),
    ("neuf.fr", 2),
    ("aol.com", 1),
    ("bbox.fr", 2),
]
HANDLES = (
    "lapinbleu soleil chouquette titi zorro bibou loulou doudou poupette tigrou nounours "
    "cocotte pitchoun minou schtroumpf lutin grenouille papillon bichette filou moustique".split()
)
ACTIVITIES = [
    "Transports",
    "Boulangerie",
    "Menuiserie",
    "Conseil",
    "Informatique",
    "Pharmacie",
    "Garage",
    "Immobilier",
    "Assurances",
    "Électricité",
    "Plomberie",
    "Cabinet",
    "Imprimerie",
]
LEGAL = ["SARL", "SAS", "SA", "EURL", ""]
AZERTY = {
    "a": "zqs",
    "z": "aes",
    "e": "zrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "om",
    "q": "asw",
    "s": "qdz",
    "d": "sfe",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "j": "hku",
    "k": "jli",
    "l": "kmo",
    "m": "lp",
    "w": "xq",
    "x": "wc",
    "c": "xv",
    "v": "cb",
    "b": "vn",
    "n": "b",
}
OCR = [
    ("rn", "m"),
    ("m", "rn"),
    ("l", "1"),
    ("o", "0"),
    ("e", "c"),
    ("i", "l"),
    ("u", "v"),
    ("cl", "d"),
    ("h", "li"),
]
PHONETIC_LAST = [
    ("eau", "o"),
    ("ault", "eau"),
    ("ph", "f"),
    ("ll", "l"),
    ("tt", "t"),
    ("y", "i"),
    ("qu", "k"),
    ("ain", "in"),
    ("ez", "és"),
    ("er", "é"),
    ("th", "t"),
    ("mm", "m"),
    ("ss", "s"),
    ("ai", "é"),
    ("bvre", "vre"),
    ("ch", "sh"),
]
CIVILITY = {"F": ["Mme", "Madame", "Mlle", "Mme.", "MME"], "M": ["M.", "Monsieur", "Mr", "M", "MR"]}
COLUMNS = [
    "row_id",
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "zip",
    "city",
    "country_code",
    "company_name",
    "birthdate",
    "created",
    "source",
    "entity_id",
    "hn_kind",
    "hn_group",
    "canon_name",
    "variants",
]
IMPORT_HEADERS = [
    ("name", "Nom complet"),
    ("email", "Email"),
    ("phone", "Téléphone"),
    ("mobile", "Portable"),
    ("street", "Adresse"),
    ("zip", "Code postal"),
    ("city", "Ville"),
    ("country_code", "Pays"),
    ("company_name", "Société"),
    ("birthdate", "Date de naissance"),
    ("created", "Date de création"),
]


def fold(text):
    """Lower case, no accent, single spaces: the canonical form of a name in the truth."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(text.replace("-", " ").split())


def strip_accents(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _weighted(pairs):
    values = [p[0] for p in pairs]
    weights = [p[-1] for p in pairs]
    cumulative, total = [], 0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return values, cumulative


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.entities = 0
        self.mobile_counter = 0
        self.landline_counter = 0
        self.mailboxes = set()
        self.groups = 0
        self.tables = {
            name: _weighted(pairs)
            for name, pairs in (
                ("copies", RATES["copies"]),
                ("sources", RATES["sources"]),
                ("moves", RATES["moves"]),
                ("mobile_changes", RATES["mobile_changes"]),
                ("email_changes", RATES["email_changes"]),
                ("married_display", RATES["married_display"]),
                ("providers", PROVIDERS),
                ("cities", CITIES),
                ("street_types", [(s, w) for s in STREET_TYPES for w in [s[2]]]),
                ("phone_formats", PHONE_FORMATS),
                ("dob_formats", DOB_FORMATS),
            )
        }
        ranks = [(name, 1.0 / (rank + 1) ** 0.9) for rank, name in enumerate(SURNAMES)]
        self.tables["surnames"] = _weighted(ranks)
        self.tables["female"] = _weighted([(n, 1.0 / (r + 3) ** 0.7) for r, n in enumerate(FEMALE)])
        self.tables["male"] = _weighted([(n, 1.0 / (r + 3) ** 0.7) for r, n in enumerate(MALE)])
        # one unit: a person alone or a hard-negative group; weight = share of persons / mean size
        units = [("none", 1.0 - sum(s for s, _ in RATES["hard_negatives"].values()))]
        for kind, (share, sizes) in RATES["hard_negatives"].items():
            units.append((kind, share / (sum(sizes) / len(sizes))))
        self.tables["units"] = _weighted(units)

    # -- random helpers ----------------------------------------------------------------------
    def pick(self, table):
        values, cumulative = self.tables[table]
        return self.rng.choices(values, cum_weights=cumulative)[0]

    def chance(self, p):
        return self.rng.random() < p

    def date_between(self, start, end):
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    # -- unique values ---------------------------------------------------------------------
    def new_mobile(self):
        self.mobile_counter += 1
        number = (48271 * self.mobile_counter + 13579) % 10**8
        return ("6" if self.mobile_counter % 5 else "7") + f"{number:08d}"

    def new_landline(self, zip_code, box=None):
        self.landline_counter += 1
        number = (69621 * self.landline_counter + 24680) % 10**8
        if box is None:
            box = self.chance(RATES["landline_box_09"])
        if box:
            return "9" + f"{number:08d}"
        dept = zip_code[:2]
        region = (
            "1"
            if dept in REGION_01
            else "2"
            if dept in REGION_02
            else "3"
            if dept in REGION_03
            else "4"
            if dept in REGION_04
            else "5"
        )
        return region + f"{number:08d}"

    def _claim(self, email):
        key = int.from_bytes(hashlib.blake2b(email.encode(), digest_size=8).digest(), "big")
        if key in self.mailboxes:
            return False
        self.mailboxes.add(key)
        return True

    def new_email(self, first, last, birth, provider=None, handle=False):
        rng = self.rng
        f = fold(first).replace(" ", "-")
        sur = fold(last).replace(" ", "")
        provider = provider or self.pick("providers")
        for attempt in range(20):
            if handle or attempt > 12:
                local = f"{rng.choice(HANDLES)}{rng.randint(1, 999)}"
            else:
                pattern = rng.random()
                if pattern < 0.40:
                    local = f"{f}.{sur}"
                elif pattern < 0.55:
                    local = f"{f}{sur}"
                elif pattern < 0.65:
                    local = f"{f[0]}.{sur}"
                elif pattern < 0.72:
                    local = f"{sur}.{f}"
                elif pattern < 0.78:
                    local = f"{f}_{sur}"
                elif pattern < 0.90:
                    local = f"{f}.{sur}{birth.year % 100:02d}"
                else:
                    local = f"{f}{sur}{rng.randint(1, 99)}"
                if attempt > 2:
                    local += str(rng.randint(2, 999))
            email = f"{local}@{provider}"
            if self._claim(email):
                return email
        raise RuntimeError("no free mailbox")

    # -- persons ---------------------------------------------------------------------------
    def surname(self):
        if self.chance(0.45):
            name = self.pick("surnames")
        else:
            rng = self.rng
            name = rng.choice(TAIL_PREFIX) + rng.choice(TAIL_ROOT) + rng.choice(TAIL_SUFFIX)
            name = name[0].upper() + name[1:]
            if " " in name:
                head, tail = name.split(" ", 1)
                name = f"{head} {tail[0].upper()}{tail[1:]}"
        if self.chance(0.02):
            name = f"{name}-{self.pick('surnames')}"
        return name

    def first_name(self, sex):
        return self.pick("female" if sex == "F" else "male")

    def address(self, near=None):
        rng = self.rng
        if near and self.chance(RATES["move_same_dept"]):
            same = [c for c in CITIES if c[0][:2] == near["zip"][:2]]
            zip_code, city, _w = rng.choice(same)
        else:
            zip_code, city = self._city()
        stype = self.pick("street_types")
        return {
            "no": rng.randint(1, 180) if self.chance(0.93) else None,
            "bis": rng.choice(["bis", "ter"]) if self.chance(NOISE["street_bis"]) else "",
            "stype": stype,
            "sname": rng.choice(STREET_NAMES),
            "complement": rng.choice(["Bât A", "Bât B", "Apt 12", "Résidence Les Pins", "Esc. 2"])
            if self.chance(NOISE["street_complement"])
            else "",
            "zip": zip_code,
            "city": city,
            "landline": None,
        }

    def _city(self):
        values, cumulative = self.tables["cities"]
        index = self.rng.choices(range(len(values)), cum_weights=cumulative)[0]
        return CITIES[index][0], CITIES[index][1]

    def epochs(self, table, make, first_value=None):
        """[(from_date, value)]: a value at the start of the period, then changes at random
        dates."""
        values = [
            (
                PERIOD_START - timedelta(days=3650),
                first_value if first_value is not None else make(None),
            )
        ]
        changes = self.pick(table)
        dates = sorted(self.date_between(PERIOD_START, PERIOD_END) for _ in range(changes))
        for when in dates:
            values.append((when, make(values[-1][1])))
        return values

    def person(self, sex=None, first=None, last=None, birth=None):
        rng = self.rng
        self.entities += 1
        sex = sex or rng.choice("FM")
        birth = birth or self.date_between(date(1940, 1, 1), date(2004, 12, 31))
        person = {
            "entity_id": f"E{self.entities:07d}",
            "sex": sex,
            "first": first or self.first_name(sex),
            "last": last or self.surname(),
            "married": None,
            "marriage": None,
            "birth": birth,
            "employer": None,
            "jr": False,
            "hn_kind": "",
            "hn_group": "",
            "family_email": None,
            "second_first": None,
        }
        person["addresses"] = self.epochs("moves", lambda prev: self.address(prev))
        for _when, addr in person["addresses"]:
            if self.chance(RATES["home_landline"]):
                addr["landline"] = self.new_landline(addr["zip"])
        has_mobile = self.chance(RATES["has_mobile"])
        person["mobiles"] = self.epochs(
            "mobile_changes", lambda prev: self.new_mobile() if has_mobile else None
        )
        self._mailboxes(person)
        if sex == "F" and self.chance(RATES["marry_woman_20_45"]):
            lo = max(PERIOD_START, date(birth.year + 20, 1, 1))
            hi = min(PERIOD_END, date(birth.year + 45, 12, 31))
            if lo < hi:
                person["marriage"] = self.date_between(lo, hi)
                person["married"] = self.surname()
                if self.chance(RATES["marriage_new_email"]):
                    provider = self.pick("providers")
                    person["emails"].append(
                        (
                            person["marriage"],
                            self.new_email(person["first"], person["married"], birth, provider),
                        )
                    )
                    person["emails"].sort(key=lambda e: e[0])
        if person["first"] in MALE and self.chance(NOISE["second_first_name"] * 2):
            person["second_first"] = rng.choice(
                ["Marc", "Louis", "Marie", "Pierre", "Jean", "Paul"]
            )
        elif sex == "F" and self.chance(NOISE["second_first_name"] * 2):
            person["second_first"] = rng.choice(["Marie", "Anne", "Claire", "Louise"])
        return person

    def _mailboxes(self, person):
        if not self.chance(RATES["has_email"]):
            person["emails"] = [(PERIOD_START - timedelta(days=3650), None)]
            return

        def make(prev):
            if prev is None:
                return self.new_email(person["first"], person["last"], person["birth"])
            provider = prev.rsplit("@", 1)[1]
            roll = self.rng.random()
            if roll < 0.55:
                others = [p for p, _w in PROVIDERS if p != provider]
                return self.new_email(
                    person["first"], person["last"], person["birth"], self.rng.choice(others)
                )
            if roll < 0.80:
                return self.new_email(person["first"], person["last"], person["birth"], provider)
            return self.new_email(person["first"], person["last"], person["birth"], handle=True)

        person["emails"] = self.epochs("email_changes", make)

    def company(self):
        rng = self.rng
        owner = self.pick("surnames")
        activity = rng.choice(ACTIVITIES)
        legal = rng.choice(LEGAL)
        name = f"{activity} {owner} {legal}".strip()
        slug = fold(f"{activity}-{owner}").replace(" ", "-")
        domain = f"{slug}.fr"
        if not self._claim("@" + domain):
            domain = f"{slug}{rng.randint(2, 99)}.fr"
            self._claim("@" + domain)
        addr = self.address()
        addr["landline"] = self.new_landline(addr["zip"], box=False)
        return {
            "name": name,
            "domain": domain,
            "address": addr,
            "switchboard": addr["landline"],
            "staff": set(),
        }

    def work_email(self, person, company):
        f = fold(person["first"]).replace(" ", "-")
        sur = fold(person["last"]).replace(" ", "")
        for local in (
            f"{f}.{sur}",
            f"{f[0]}.{sur}",
            f"{f[0]}{sur}",
            f"{f}.{sur}2",
            f"{f}.{sur}{self.rng.randint(3, 99)}",
        ):
            if self._claim(f"{local}@{company['domain']}"):
                return f"{local}@{company['domain']}"
        return None

    # -- units ----------------------------------------------------------------------------
    def unit(self):
        kind = self.pick("units")
        if kind == "none":
            person = self.person()
            if self.chance(RATES["employed_b2b"]):
                self._employ(person, self.company())
            return [person]
        self.groups += 1
        group = f"G{self.groups:06d}"
        sizes = RATES["hard_negatives"][kind][1]
        size = self.rng.choice(sizes)
        members = getattr(self, f"_group_{kind}")(size)
        for member in members:
            member["hn_kind"], member["hn_group"] = kind, group
        return members

    def _employ(self, person, company):
        person["employer"] = company
        person["work_email"] = self.work_email(person, company)

    def _group_homonym(self, size):
        first = self.person()
        members = [first]
        used = {first["addresses"][0][1]["zip"][:2]}
        for _ in range(size - 1):
            other = self.person(sex=first["sex"], first=first["first"], last=first["last"])
            for _attempt in range(10):  # another département
                if other["addresses"][0][1]["zip"][:2] not in used:
                    break
                other["addresses"][0] = (other["addresses"][0][0], self.address())
                if self.chance(RATES["home_landline"]):
                    other["addresses"][0][1]["landline"] = self.new_landline(
                        other["addresses"][0][1]["zip"]
                    )
            used.add(other["addresses"][0][1]["zip"][:2])
            members.append(other)
        return members

    def _group_homonym_city(self, size):
        first = self.person()
        members = [first]
        for _ in range(size - 1):
            other = self.person(sex=first["sex"], first=first["first"], last=first["last"])
            base = first["addresses"][0][1]
            addr = dict(other["addresses"][0][1])
            addr["zip"], addr["city"] = base["zip"], base["city"]
            if addr["landline"]:
                addr["landline"] = self.new_landline(addr["zip"])
            other["addresses"][0] = (other["addresses"][0][0], addr)
            members.append(other)
        return members

    def _share_home(self, member, head, moves_out=False):
        """member lives at head's addresses (and landlines); moves out at some date if asked."""
        if moves_out:
            when = self.date_between(PERIOD_START, PERIOD_END)
            kept = [(d, a) for d, a in head["addresses"] if d <= when]
            new = self.address(kept[-1][1])
            if self.chance(RATES["home_landline"]):
                new["landline"] = self.new_landline(new["zip"])
            member["addresses"] = kept + [(when, new)]
        else:
            member["addresses"] = list(head["addresses"])

    def _family_email(self, members, surname):
        provider = self.pick("providers")
        for local in (
            f"famille.{fold(surname).replace(' ', '')}",
            f"fam{fold(surname).replace(' ', '')}",
            f"les{fold(surname).replace(' ', '')}{self.rng.randint(1, 99)}",
        ):
            email = f"{local}@{provider}"
            if self._claim(email):
                for member in members:
                    member["emails"] = [(PERIOD_START - timedelta(days=3650), email)]
                return

    def _group_spouse(self, size):
        husband = self.person(sex="M")
        wife = self.person(sex="F")
        wife["married"], wife["marriage"] = None, None
        age_gap = self.rng.randint(-6, 8)
        wife["birth"] = self.date_between(
            date(min(max(1940, husband["birth"].year + age_gap), 2004), 1, 1),
            date(min(max(1940, husband["birth"].year + age_gap), 2004), 12, 28),
        )
        if self.chance(RATES["spouse_same_surname"]):
            wife["married"], wife["marriage"] = husband["last"], PERIOD_START - timedelta(days=400)
            # she took his name before 2014: her mailbox carries it
            self._mailboxes_for_name(wife, husband["last"])
        self._share_home(wife, husband)
        if self.chance(RATES["family_email"]):
            self._family_email([husband, wife], husband["last"])
        return [husband, wife]

    def _mailboxes_for_name(self, person, last):
        saved = person["last"]
        person["last"] = last
        self._mailboxes(person)
        person["last"] = saved

    def _group_parent_child(self, size):
        parent = self.person()
        members = [parent]
        for _ in range(size - 1):
            born = parent["birth"].year + self.rng.randint(20, 40)
            child = self.person(
                last=parent["last"],
                birth=self.date_between(date(min(born, 2006), 1, 1), date(min(born, 2006), 12, 28)),
            )
            if child["first"] == parent["first"]:
                child["first"] = self.first_name(child["sex"])
            self._share_home(child, parent, moves_out=self.chance(RATES["child_moves_out"]))
            members.append(child)
        return members

    def _group_father_son(self, size):
        father = self.person(sex="M")
        born = father["birth"].year + self.rng.randint(22, 35)
        son = self.person(
            sex="M",
            first=father["first"],
            last=father["last"],
            birth=self.date_between(date(min(born, 2006), 1, 1), date(min(born, 2006), 12, 28)),
        )
        son["jr"] = True
        self._share_home(son, father, moves_out=self.chance(RATES["child_moves_out"]))
        return [father, son]

    def _group_twins(self, size):
        if self.chance(RATES["twins_similar_names"]):
            first_a, first_b = self.rng.choice(SIMILAR_TWINS)
            a = self.person(sex="F" if first_a in FEMALE else "M", first=first_a)
            sex_b = "F" if first_b in FEMALE else "M"
        else:
            a = self.person()
            sex_b = self.rng.choice("FM")
            first_b = self.first_name(sex_b)
            while first_b == a["first"]:
                first_b = self.first_name(sex_b)
        b = self.person(sex=sex_b, first=first_b, last=a["last"], birth=a["birth"])
        for twin in (a, b):
            twin["married"], twin["marriage"] = None, None
            self._mailboxes(twin)
        self._share_home(b, a)
        return [a, b]

    def _group_colleagues(self, size):
        company = self.company()
        members = []
        for _ in range(size):
            person = self.person()
            self._employ(person, company)
            members.append(person)
        return members

    # -- rows ------------------------------------------------------------------------------
    def rows(self, person):
        count = self.pick("copies")
        person["copies"] = count
        for _ in range(count):
            yield self.row(person)

    @staticmethod
    def at(epochs, when):
        index = 0
        for i, (start, _value) in enumerate(epochs):
            if start <= when:
                index = i
        return index, epochs[index][1]

    def row(self, p):  # noqa: C901 - one branch per field and source habit
        rng = self.rng
        source = self.pick("sources")
        when = self.date_between(PERIOD_START, PERIOD_END)
        while source == "emailing" and not self.at(p["emails"], when)[1]:
            source = self.pick("sources")  # an emailing tool only knows people by their mailbox
        tags, flags = {}, []
        work = bool(
            p["employer"]
            and p.get("work_email")
            and source != "loyalty"
            and self.chance(RATES["work_row"])
        )
        tags["work"] = int(work)

        # surname at that date, as written in that row
        last, sur = p["last"], "birth"
        if p["married"] and when >= p["marriage"]:
            display = self.pick("married_display")
            if display == "married":
                last, sur = p["married"], "married"
            elif display == "hyphen":
                last, sur = f"{p['married']}-{p['last']}", "both"
            elif display == "nee":
                last, sur = f"{p['married']} née {p['last']}", "both"
        name = self.render_name(p, source, last, flags)
        if not name and not (p["emails"][-1][1] or work):  # a contact has a name or an email
            flags.remove("name_none")
            name = self.render_name(p, "shop", last, flags)
        if name and "name_first_only" not in flags and "name_none" not in flags:
            tags["sur"] = sur

        # email
        email = ""
        if work:
            email = p["work_email"]
            tags["mail"] = "work"
        else:
            index, email = self.at(p["emails"], when)
            email = email or ""
            if email:
                tags["mail"] = index
        if email and self.chance(SOURCE_RATES["no_email"][source]):
            email = ""
            tags.pop("mail", None)
        if email:
            email = self.email_noise(email, source, when, flags)
        else:
            flags.append("no_email")

        # phones
        mobile_index, mobile = self.at(p["mobiles"], when)
        addr_index, addr = self.at(p["addresses"], when)
        landline = addr["landline"]
        if work:
            landline = p["employer"]["switchboard"]
        shown = rng.choices(
            ("both", "mobile", "landline", "none"), weights=SOURCE_RATES["phones"][source]
        )[0]
        phone_out, mobile_out = "", ""
        if shown in ("both", "mobile") and mobile:
            mobile_out = self.phone_format(mobile, source, flags)
            tags["mob"] = mobile_index
        if shown in ("both", "landline") and landline:
            phone_out = self.phone_format(landline, source, flags)
            tags["land"] = "work" if work else addr_index
        if source == "shop" and mobile_out and not phone_out:  # one phone field in the shop
            phone_out, mobile_out = mobile_out, ""
        if not phone_out and not mobile_out:
            flags.append("no_phone")

        # address
        if work:
            addr, addr_index = p["employer"]["address"], "work"
        street, zip_code, city = "", "", ""
        none_rate, zip_only = SOURCE_RATES["address"][source]
        roll = rng.random()
        if roll >= none_rate:
            tags["addr"] = addr_index
            zip_code, city = self.zip_city(addr, source, flags)
            if roll >= none_rate + zip_only:
                street = self.street(addr, flags)
            else:
                flags.append("no_street")
        else:
            flags.append("no_address")
        upper = "name_upper" in flags
        if upper:
            street, city = street.upper(), city.upper()
        if "name_noaccent" in flags:
            street, city = strip_accents(street), strip_accents(city)
        country = "" if self.chance(NOISE["no_country"]) else "FR"

        # birth date
        birthdate = ""
        if self.chance(SOURCE_RATES["birthdate"][source]):
            birthdate = self.birthdate(p["birth"], source, flags)
        else:
            flags.append("no_birthdate")

        company = p["employer"]["name"] if work else ""
        variants = ";".join([f"{k}={v}" for k, v in tags.items()] + sorted(set(flags)))
        return {
            "name": name,
            "email": email,
            "phone": phone_out,
            "mobile": mobile_out,
            "street": street,
            "zip": zip_code,
            "city": city,
            "country_code": country,
            "company_name": company,
            "birthdate": birthdate,
            "created": when.isoformat(),
            "source": source,
            "entity_id": p["entity_id"],
            "hn_kind": p["hn_kind"],
            "hn_group": p["hn_group"],
            "canon_name": fold(f"{p['first']} {p['last']}"),
            "variants": variants,
        }

    # -- noise ----------------------------------------------------------------------------
    def render_name(self, p, source, last, flags):  # noqa: C901 - one branch per variation
        rng = self.rng
        rates = {k: v.get(source, 0) for k, v in SOURCE_RATES.items() if isinstance(v, dict)}
        if self.chance(rates["no_name"]):
            flags.append("name_none")
            return ""
        first = p["first"]
        if "-" in first and self.chance(NOISE["hyphen_variant"]):
            a, b = first.split("-", 1)
            first = rng.choice(
                [f"{a} {b}", f"{a}{b.lower()}", f"{a[0]}-{b[0]}", f"{a[0]}{b[0]}", a]
            )
            flags.append("name_hyphen")
        elif first in NICKNAMES and self.chance(NOISE["nickname"]):
            first = rng.choice(NICKNAMES[first])
            flags.append("name_nickname")
        elif first in PHONETIC_FIRST and self.chance(NOISE["phonetic"] * 3):
            first = PHONETIC_FIRST[first]
            flags.append("name_phonetic")
        if p["second_first"] and self.chance(0.5):
            first = f"{first} {p['second_first']}"
            flags.append("name_second_first")
        if self.chance(NOISE["phonetic"]):
            variant = self.phonetic(last)
            if variant != last:
                last = variant
                flags.append("name_phonetic")
        if p["jr"] and self.chance(RATES["son_jr_marker"]):
            last = f"{last} {rng.choice(['Jr', 'fils', 'junior', 'Jr.'])}"
            flags.append("name_jr")
        if self.chance(rates["name_typo"]):
            if rng.random() < 0.6:
                last = self.typo(last)
            else:
                first = self.typo(first)
            flags.append("name_typo")
        if self.chance(rates.get("ocr", 0)):
            last = self.ocr(last)
            flags.append("name_ocr")
        if self.chance(NOISE["initial"]):
            first = first[0] + "."
            flags.append("name_initial")
        roll = rng.random()
        if roll < rates["first_only"]:
            parts, flags = [first], flags + ["name_first_only"]
        elif roll < rates["first_only"] + rates["last_only"]:
            parts, flags = [last], flags + ["name_last_only"]
        elif self.chance(rates["order_last_first"]):
            parts = [last.upper(), first]
            flags.append("name_last_first")
        elif self.chance(NOISE["swap_no_case_clue"]):
            parts = [last, first]
            flags.append("name_swapped")
        else:
            parts = [first, last]
        name = " ".join(parts)
        if self.chance(rates["civility"]):
            name = f"{rng.choice(CIVILITY[p['sex']])} {name}"
            flags.append("name_civility")
        if self.chance(rates["upper"]):
            name = name.upper()
            flags.append("name_upper")
        elif self.chance(rates["lower"]):
            name = name.lower()
            flags.append("name_lower")
        if self.chance(rates["no_accents"]):
            if strip_accents(name) != name:
                flags.append("name_noaccent")
            name = strip_accents(name)
        elif self.chance(rates.get("mojibake", 0)):
            broken = name.encode("utf-8").decode("latin-1")
            if broken != name:
                name = broken
                flags.append("name_mojibake")
        if self.chance(rates.get("truncate20", 0)) and len(name) > 20:
            name = name[:20].rstrip()
            flags.append("name_truncated")
        return name

    def typo(self, word):
        rng = self.rng
        if len(word) < 3:
            return word
        i = rng.randrange(1, len(word))
        kind = rng.random()
        if kind < 0.35 and word[i].lower() in AZERTY:
            sub = rng.choice(AZERTY[word[i].lower()])
            return word[:i] + (sub.upper() if word[i].isupper() else sub) + word[i + 1 :]
        if kind < 0.6:
            return word[:i] + word[i + 1 :]
        if kind < 0.8:
            return word[:i] + word[i] + word[i:]
        if i < len(word) - 1:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:-1]

    def ocr(self, word):
        options = [(a, b) for a, b in OCR if a in word]
        if not options:
            return word
        a, b = self.rng.choice(options)
        return word.replace(a, b, 1)

    def phonetic(self, word):
        lower = word.lower()
        options = [(a, b) for a, b in PHONETIC_LAST if a in lower]
        if not options:
            return word
        a, b = self.rng.choice(options)
        index = lower.index(a)
        result = word[:index] + b + word[index + len(a) :]
        return result[0].upper() + result[1:] if result else word

    def email_noise(self, email, source, when, flags):
        rng = self.rng
        local, domain = email.rsplit("@", 1)
        if domain == "gmail.com":
            if self.chance(NOISE["gmail_dots"]):
                new = (
                    local.replace(".", "")
                    if "." in local
                    else (local[:3] + "." + local[3:] if len(local) > 4 else local)
                )
                if new != local:
                    local = new
                    flags.append("email_gmail_dots")
            if self.chance(NOISE["googlemail"]):
                domain = "googlemail.com"
                flags.append("email_alias_domain")
        if domain in ("gmail.com", "outlook.fr", "googlemail.com") and self.chance(
            NOISE["plus_tag"]
        ):
            local += "+" + rng.choice(["shop", "promo", "news", "fidelite", "salon"])
            flags.append("email_plus")
        if (
            domain == "orange.fr"
            and when < date(2018, 1, 1)
            and self.chance(NOISE["wanadoo_old_rows"])
        ):
            domain = "wanadoo.fr"
            flags.append("email_alias_domain")
        if self.chance(SOURCE_RATES["email_typo"][source]):
            if rng.random() < NOISE["local_typo_share"]:
                local = self.typo(local)
            else:
                domain = (
                    rng.choice(
                        [
                            "gmial.com",
                            "gmail.fr",
                            "hotmail.fe",
                            "hotmal.fr",
                            "orange.fr.",
                            "yahoo.ft",
                            "free.fe",
                            "gmail.con",
                            "laposte.fr",
                            "outlok.fr",
                        ]
                    )
                    if rng.random() < 0.5
                    else self.typo(domain)
                )
            flags.append("email_typo")
        email = f"{local}@{domain}"
        if self.chance(SOURCE_RATES["email_case"][source]):
            email = rng.choice([email.upper(), email[0].upper() + email[1:], email.title()])
            flags.append("email_case")
        return email

    def phone_format(self, digits9, source, flags):
        """digits9: the national number without its leading 0 (9 digits)."""
        rng = self.rng
        if self.chance(SOURCE_RATES["phone_typo"][source]):
            i = rng.randrange(1, 9)
            digits9 = (
                digits9[:i] + str((int(digits9[i]) + rng.randint(1, 9)) % 10) + digits9[i + 1 :]
            )
            flags.append("phone_typo")
        national = "0" + digits9
        pairs = " ".join(national[i : i + 2] for i in range(0, 10, 2))
        fmt = self.pick("phone_formats")
        if source == "fair" and self.chance(NOISE["phone_lost_zero_fair"]):
            fmt = "lost_zero"
        if fmt == "lost_zero":
            flags.append("phone_lost_zero")
        return {
            "spaced": pairs,
            "compact": national,
            "dots": pairs.replace(" ", "."),
            "intl_spaced": f"+33 {digits9[0]} "
            + " ".join(digits9[i : i + 2] for i in range(1, 9, 2)),
            "intl": "+33" + digits9,
            "0033": f"0033 {digits9[0]} " + " ".join(digits9[i : i + 2] for i in range(1, 9, 2)),
            "dashes": pairs.replace(" ", "-"),
            "intl_paren": f"+33 (0){digits9[0]} "
            + " ".join(digits9[i : i + 2] for i in range(1, 9, 2)),
            "lost_zero": digits9,
        }[fmt]

    def zip_city(self, addr, source, flags):
        zip_code, city = addr["zip"], addr["city"]
        if (
            source == "fair"
            and zip_code.startswith("0")
            and self.chance(NOISE["zip_lost_zero_fair"])
        ):
            zip_code = zip_code[1:]
            flags.append("zip_lost_zero")
        if self.chance(NOISE["city_variant"]):
            rng = self.rng
            variants = [city.upper(), city.replace("-", " "), strip_accents(city).upper()]
            if city.startswith("Saint-"):
                variants += [
                    "St " + city[6:],
                    "St-" + city[6:],
                    "ST " + strip_accents(city[6:]).upper(),
                ]
            if city in ("Paris", "Lyon", "Marseille"):
                arr = int(zip_code[-2:]) if zip_code[-2:].isdigit() else 1
                variants += [f"{city} {arr}e", f"{city.upper()} {arr}", f"{city} {arr:02d}"]
            if self.chance(0.1):
                variants.append(f"{city.upper()} CEDEX")
            city = rng.choice(variants)
            flags.append("city_variant")
        return zip_code, city

    def street(self, addr, flags):
        rng = self.rng
        full, short, _w = addr["stype"]
        stype = full
        if self.chance(NOISE["street_abbrev"]):
            stype = short
            flags.append("street_abbrev")
        number = ""
        if addr["no"]:
            bis = addr["bis"]
            number = f"{addr['no']}{(' ' + bis) if bis and rng.random() < 0.5 else bis}"
            if self.chance(NOISE["street_comma"]):
                number += ","
        street = " ".join(part for part in (number, stype, addr["sname"]) if part)
        if addr["complement"] and self.chance(0.7):
            street = (
                f"{street}, {addr['complement']}"
                if rng.random() < 0.5
                else f"{addr['complement']} {street}"
            )
        return street

    def birthdate(self, born, source, flags):
        rng = self.rng
        day = born
        if self.chance(NOISE["dob_placeholder_1900"]):
            day = date(1900, 1, 1)
            flags.append("dob_placeholder")
        elif self.chance(NOISE["dob_first_january"]):
            day = date(born.year, 1, 1)
            flags.append("dob_placeholder")
        elif born.day <= 12 and born.day != born.month and self.chance(NOISE["dob_swap"]):
            day = date(born.year, born.day, born.month)
            flags.append("dob_swapped")
        elif self.chance(NOISE["dob_year_typo"]):
            text = str(born.year)
            if rng.random() < 0.5 and text[2] != text[3]:
                year = int(text[:2] + text[3] + text[2])
            else:
                year = born.year + rng.choice([-10, -1, 1, 10])
            try:
                day = born.replace(year=min(max(year, 1900), 2010))
            except ValueError:
                day = born.replace(year=min(max(year, 1900), 2010), day=28)
            flags.append("dob_year_typo")
        fmt = self.pick("dob_formats")
        if fmt == "us":
            flags.append("dob_us_order")
        return {
            "iso": day.isoformat(),
            "dmy": day.strftime("%d/%m/%Y"),
            "dmy2": day.strftime("%d/%m/%y"),
            "dmy_dash": day.strftime("%d-%m-%Y"),
            "dmy_dot": day.strftime("%d.%m.%Y"),
            "ymd": day.strftime("%Y%m%d"),
            "excel": str((day - date(1899, 12, 30)).days),
            "us": f"{day.month}/{day.day}/{day.year}",
        }[fmt]


def import_row(row, positions, fields):
    """The row as the steward imports it. The import refuses a column mixing day/month and
    month/day dates, so the month-first birth dates (flag ``dob_us_order``) are re-typed day first
    (the right date), as a steward told by the refusal would do."""
    values = [row[p] for p in positions]
    if "dob_us_order" in row[fields.index("variants")].split(";"):
        index = [c for c, _h in IMPORT_HEADERS].index("birthdate")
        month, day, year = values[index].split("/")
        values[index] = f"{int(day):02d}/{int(month):02d}/{year}"
    return values


def _count_life(life, person):
    """Count the life events of one person (the summary's ``life_events``)."""
    life["moved"] += len(person["addresses"]) > 1
    life["moved_twice_or_more"] += len(person["addresses"]) > 2
    life["has_mobile"] += bool(person["mobiles"][0][1])
    life["changed_mobile"] += bool(person["mobiles"][0][1]) and len(person["mobiles"]) > 1
    life["has_mailbox"] += bool(person["emails"][-1][1])
    life["changed_mailbox"] += len(person["emails"]) > 1
    if person["married"]:
        life["married_in_period" if person["marriage"] >= PERIOD_START else "married_before"] += 1
    life["employed_b2b"] += bool(person["employer"])


def generate(size, seed, out, import_file=False, buckets=None, progress=sys.stderr):
    """Write ``size`` rows to ``out``; returns the summary dict (also written next to it)."""
    gen = Generator(seed)
    buckets = buckets or max(1, size // 20000)
    shuffle_rng = random.Random(seed * 7919 + 1)
    tmp = tempfile.mkdtemp(prefix="indep_gen_")
    handles = [
        open(os.path.join(tmp, f"b{i}.csv"), "w", newline="", encoding="utf-8")
        for i in range(buckets)
    ]
    writers = [csv.writer(h) for h in handles]
    summary = {
        "size": size,
        "seed": seed,
        "rows_per_source": Counter(),
        "persons": 0,
        "persons_per_kind": Counter(),
        "groups_per_kind": Counter(),
        "copies": Counter(),
        "flags": Counter(),
        "life_events": Counter(),
        "true_pairs": 0,
        "rows_per_kind": Counter(),
    }
    written, next_report = 0, 100000
    fields = COLUMNS[1:]
    try:
        while written < size:
            members = gen.unit()
            if members[0]["hn_kind"]:
                summary["groups_per_kind"][members[0]["hn_kind"]] += 1
            for person in members:
                rows = list(gen.rows(person))[: size - written]
                if not rows:
                    break
                summary["persons"] += 1
                summary["persons_per_kind"][person["hn_kind"] or "none"] += 1
                _count_life(summary["life_events"], person)
                summary["copies"][len(rows)] += 1
                summary["true_pairs"] += len(rows) * (len(rows) - 1) // 2
                for row in rows:
                    summary["rows_per_source"][row["source"]] += 1
                    summary["rows_per_kind"][row["hn_kind"] or "none"] += 1
                    for item in row["variants"].split(";"):
                        if item and "=" not in item:
                            summary["flags"][item] += 1
                    writers[shuffle_rng.randrange(buckets)].writerow([row[f] for f in fields])
                written += len(rows)
            if progress and written >= next_report:
                progress.write(f"  {written:,} rows generated\n")
                next_report += 100000
        for handle in handles:
            handle.close()
        row_id = 0
        imp_handle = None
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            if import_file:
                imp_handle = open(
                    out.rsplit(".csv", 1)[0] + ".import.csv", "w", newline="", encoding="utf-8"
                )
                imp_writer = csv.writer(imp_handle)
                imp_writer.writerow([header for _c, header in IMPORT_HEADERS])
                positions = [fields.index(c) for c, _h in IMPORT_HEADERS]
            for i in range(buckets):
                with open(os.path.join(tmp, f"b{i}.csv"), newline="", encoding="utf-8") as bucket:
                    rows = list(csv.reader(bucket))
                shuffle_rng.shuffle(rows)
                for row in rows:
                    row_id += 1
                    writer.writerow([row_id, *row])
                    if imp_handle:
                        imp_writer.writerow(import_row(row, positions, fields))
            if imp_handle:
                imp_handle.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary["rows"] = row_id
    summary["flag_rates"] = {k: round(v / row_id, 4) for k, v in sorted(summary["flags"].items())}
    summary["person_share_per_kind"] = {
        k: round(v / summary["persons"], 4) for k, v in sorted(summary["persons_per_kind"].items())
    }
    summary["life_event_rates"] = {
        k: round(v / summary["persons"], 4) for k, v in sorted(summary["life_events"].items())
    }
    for key in (
        "life_events",
        "rows_per_source",
        "persons_per_kind",
        "groups_per_kind",
        "copies",
        "flags",
        "rows_per_kind",
    ):
        summary[key] = dict(sorted(summary[key].items(), key=lambda kv: str(kv[0])))
    with open(out + ".summary.json", "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1, ensure_ascii=False)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10000, help="rows (contacts) to write")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--out", required=True, help="CSV with the partner columns and the hidden truth"
    )
    parser.add_argument("--import-file", action="store_true", help="also write OUT.import.csv")
    args = parser.parse_args(argv)
    summary = generate(args.size, args.seed, args.out, import_file=args.import_file)
    print(
        f"{summary['rows']} rows, {summary['persons']} persons, {summary['true_pairs']} true pairs "
        f"-> {args.out} (+ .summary.json{', .import.csv' if args.import_file else ''})"
    )


if __name__ == "__main__":
    main()
