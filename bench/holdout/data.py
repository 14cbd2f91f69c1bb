"""Word lists of the hold-out generator (French first names, surnames, places, streets, mail).

Fixed data, independent of ``--seed``: the gazetteer of small communes has its own fixed seed.
"""

import random

# ------------------------------------------------------------ names
# First names by generation (born <1960, 1960-79, 1980-94, >=1995) and sex, most frequent first
# (drawn with Zipf weights 1/rank).
FIRST = {
    (0, "F"): (
        "Marie Monique Françoise Jacqueline Nicole Michèle Annie Danielle Christiane Martine "
        "Catherine Sylvie Brigitte Chantal Colette Josiane Évelyne Jeannine Odette Simone "
        "Geneviève "
        "Yvette Denise Huguette Ginette Bernadette Élisabeth Paulette Jacqueline Arlette"
    ),
    (0, "M"): (
        "Jean Michel Pierre André Bernard Jacques Claude Daniel Alain Gérard René Roger Robert "
        "Marcel Christian Patrick Guy Georges Henri Yves Gilbert Serge Maurice Roland Raymond "
        "Philippe Louis Joseph Lucien Francis"
    ),
    (1, "F"): (
        "Nathalie Isabelle Sylvie Catherine Valérie Christine Sandrine Véronique Corinne Martine "
        "Pascale Laurence Patricia Brigitte Florence Stéphanie Karine Virginie Céline Frédérique "
        "Anne Dominique Hélène Sophie Muriel Béatrice Agnès Carole Emmanuelle Élisabeth Nadine"
    ),
    (1, "M"): (
        "Philippe Christophe Frédéric Patrick Thierry Éric Pascal Laurent Stéphane Olivier Didier "
        "Dominique Bruno Franck Nicolas Emmanuel Sébastien David Jérôme Vincent Hervé Denis Gilles "
        "Marc François Alain Serge Xavier Michel Joël Lionel"
    ),
    (2, "F"): (
        "Aurélie Émilie Julie Céline Audrey Élodie Stéphanie Mélanie Sandra Caroline Laetitia "
        "Amandine Virginie Jennifer Marion Anaïs Camille Laura Sarah Pauline Charlotte Marine "
        "Élise "
        "Claire Delphine Marie Jessica Vanessa Christelle Lucie Mathilde Alexandra"
    ),
    (2, "M"): (
        "Nicolas Julien Sébastien Mickaël Guillaume Romain Jérôme Anthony Kevin Maxime Alexandre "
        "Thomas Christophe Cédric Benjamin David Mathieu Florian Jonathan Damien Adrien Pierre "
        "Vincent Arnaud Fabien Yannick Ludovic Raphaël Antoine Jérémy Grégory Frédéric"
    ),
    (3, "F"): (
        "Manon Léa Camille Chloé Emma Océane Inès Sarah Clara Marie Lucie Pauline Mathilde Laura "
        "Jade Julie Anaïs Lisa Juliette Eva Louise Zoé Lola Romane Margaux Justine Maëlle Léna "
        "Alice "
        "Charlotte Clémence"
    ),
    (3, "M"): (
        "Thomas Lucas Hugo Théo Maxime Nathan Antoine Quentin Alexandre Clément Enzo Louis "
        "Baptiste Nicolas Valentin Romain Mathis Paul Léo Tom Julien Corentin Kylian Arthur "
        "Raphaël "
        "Axel Matteo Gabriel Adam Jules Florian"
    ),
}
FIRST = {key: tuple(dict.fromkeys(value.split())) for key, value in FIRST.items()}
COMPOSITE = {
    "M": (
        "Jean-Pierre Jean-Claude Jean-Louis Jean-Marie Jean-Paul Jean-Michel Jean-Luc Jean-Marc "
        "Jean-François Jean-Philippe Jean-Jacques Jean-Christophe Jean-Baptiste Pierre-Yves "
        "Pierre-Alain Paul-Henri Marc-Antoine Jean-Charles Jean-Yves Jean-Noël"
    ).split(),
    "F": (
        "Marie-Christine Marie-Claude Marie-Thérèse Marie-France Marie-Laure Marie-Hélène "
        "Marie-Pierre Anne-Marie Anne-Sophie Marie-Line Marie-Noëlle Anne-Laure Marie-Claire "
        "Marie-Agnès Marie-José Anne-Claire Marie-Anne Marie-Odile"
    ).split(),
}
COMPOSITE_RATE = (0.25, 0.22, 0.15, 0.05)

# diminutives and nicknames in common French use
NICKNAMES = {
    "Jean-Philippe": ["Jean-Phi", "JP", "Jean-Phil"],
    "Jean-Pierre": ["JP", "Jean-Pierrot"],
    "Jean-François": ["JF", "Jeff"],
    "Jean-Baptiste": ["JB", "Jibé"],
    "Jean-Christophe": ["JC", "Jean-Chris"],
    "Jean-Claude": ["JC"],
    "Jean-Michel": ["JM"],
    "Jean-Marc": ["JM"],
    "Jean-Charles": ["JC"],
    "Jean-Louis": ["JL"],
    "Marie-Christine": ["Marie-Chris", "MC"],
    "Anne-Sophie": ["Anne-So"],
    "Marie-Laure": ["Malo"],
    "Marie-Hélène": ["Malou"],
    "Catherine": ["Cathy", "Cath", "Cathie"],
    "Emmanuel": ["Manu"],
    "Emmanuelle": ["Manue", "Manu"],
    "Frédéric": ["Fred", "Fredo"],
    "Frédérique": ["Fred", "Frédé"],
    "Christophe": ["Chris", "Tophe"],
    "Christine": ["Kiki", "Christ"],
    "Stéphane": ["Steph"],
    "Stéphanie": ["Steph", "Fanny"],
    "Nathalie": ["Nath", "Natha"],
    "Isabelle": ["Isa", "Zaza"],
    "Élisabeth": ["Babeth", "Zabeth", "Lisa"],
    "Patrick": ["Pat"],
    "Patricia": ["Pat", "Patou"],
    "Alexandre": ["Alex"],
    "Alexandra": ["Alex", "Sandra"],
    "Nicolas": ["Nico"],
    "Sébastien": ["Seb", "Sébas"],
    "Maxime": ["Max"],
    "Thomas": ["Tom", "Thom"],
    "Benjamin": ["Ben", "Benji"],
    "Raphaël": ["Raph"],
    "Anthony": ["Tony"],
    "Jérôme": ["Jéjé"],
    "Jérémy": ["Jérem"],
    "Guillaume": ["Guigui", "Will"],
    "Véronique": ["Véro"],
    "Dominique": ["Dom", "Domi"],
    "Philippe": ["Phil", "Filou"],
    "Pierre": ["Pierrot"],
    "Valérie": ["Val", "Valou"],
    "Caroline": ["Caro"],
    "Virginie": ["Virgi", "Gigi"],
    "Florence": ["Flo"],
    "Florian": ["Flo"],
    "Laurence": ["Lolo"],
    "Charlotte": ["Cha", "Charlie"],
    "Élodie": ["Élo"],
    "Delphine": ["Delph"],
    "Christelle": ["Cricri"],
    "Aurélie": ["Auré", "Lili"],
    "Mathilde": ["Mathou"],
    "Amandine": ["Mandine"],
    "Michèle": ["Mimi"],
    "Bernard": ["Nanard"],
    "Gérard": ["Gégé"],
    "Daniel": ["Dany"],
    "Danielle": ["Dany"],
    "Françoise": ["Fanfan"],
    "François": ["Fanfan", "Fanch"],
    "Mickaël": ["Mika", "Micka"],
    "Kevin": ["Kev"],
    "Jonathan": ["Jo", "Johnny"],
    "Clément": ["Clem"],
    "Valentin": ["Val"],
    "Mathieu": ["Mat", "Matt"],
    "Julien": ["Ju", "Juju"],
    "Julie": ["Juju"],
    "Juliette": ["Juju"],
    "Gabriel": ["Gaby"],
    "Corentin": ["Coco"],
    "Laetitia": ["Laeti"],
    "Camille": ["Cam", "Cami"],
    "Margaux": ["Margot"],
    "Emma": ["Emmy"],
    "Antoine": ["Tonio"],
    "Joseph": ["Jojo"],
    "Monique": ["Momo"],
    "Jacqueline": ["Jacotte", "Jackie"],
    "Jacques": ["Jacquot"],
    "Henri": ["Riri"],
    "Lucien": ["Lulu"],
    "Louise": ["Lulu"],
    "Sandrine": ["Sandy"],
    "Cédric": ["Cédou"],
    "Quentin": ["Quent"],
    "Baptiste": ["Bapt", "Titi"],
}

SURNAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche "
    "Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas "
    "Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume "
    "Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis "
    "Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty "
    "Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé "
    "Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le_Roux "
    "Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier Leblanc Barré "
    "Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet "
    "Étienne Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître "
    "Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune "
    "Gilbert Lamy Delaunay Pasquier Carlier Laporte Nguyen Dos_Santos De_Oliveira Ferreira "
    "Pereira Benali Haddad Diallo Traoré Cohen Kaya d'Almeida Le_Corre De_Sousa Mendes Rodrigues "
    "Fernandes Gomes Martins Lopes Bouvet Thibault Mathis Lefort Legros Texier Leduc "
    "Hardy Rocher Guillon Leconte Laine Jourdan Camus Bouchard Bodin Navarro "
    "Ollivier Delmas Gaudin Tanguy Coulon Blin Thierry Bazin Raynaud Lebon Roques"
).split()
SURNAMES = tuple(dict.fromkeys(s.replace("_", " ") for s in SURNAMES))

# the long tail of surnames: syllable combinations (fixed, ~45,000 forms)
_TAIL_START = (
    "Ber Mar Lan Gal Roch Ker Vil Mont Bou Char Chau Fou Gre Jou Lar Mau Pel Quen Sau Tes Vau "
    "Bel Bon Cas Dan Fer Gui Her Jac Lam Mer Nor Pou Rav Ser Tou Val Ver Bri Cha Del Des Dur Fa "
    "Gar Gou Hu Lab Lec Lem Mal Mor Pa Per Ri Ros Sal Tho Bar Cro Dor Gra Mas Pra"
).split()
_TAIL_MIDDLE = "a e i o ou an ar el er il on en ai au eg et ill iv ol ur".split()
_TAIL_END = (
    "ard ier et ot in eau on ault ac y oux aud ert and ange our as el ié ière ois ent ène ais "
    "elle ini oz é ès ic at ond iot ollet ard ignac"
).split()


def tail_surname(rng):
    start = rng.choice(_TAIL_START)
    if rng.random() < 0.55:
        start += rng.choice(_TAIL_MIDDLE)
    end = rng.choice(_TAIL_END)
    if start[-1] == end[0]:
        end = end[1:] or end
    return start + end


# phonetic spellings of a name (both directions where they exist)
PHONETIC = {
    "Lefebvre": ["Lefèvre", "Lefeuvre", "Lefebre"],
    "Lefèvre": ["Lefebvre", "Lefevre"],
    "Mathieu": ["Matthieu", "Mathieux"],
    "Matthieu": ["Mathieu"],
    "Gauthier": ["Gautier"],
    "Gautier": ["Gauthier"],
    "Renaud": ["Renault", "Reynaud"],
    "Renault": ["Renaud"],
    "Reynaud": ["Raynaud", "Renaud"],
    "Raynaud": ["Reynaud"],
    "Rousseau": ["Rousseaux", "Rousseaud"],
    "Dupont": ["Dupond"],
    "Thibault": ["Thibaut", "Thibaud"],
    "Leclerc": ["Leclercq", "Leclerq"],
    "Leclercq": ["Leclerc"],
    "Chevalier": ["Chevallier"],
    "Chevallier": ["Chevalier"],
    "Henry": ["Henri"],
    "Henri": ["Henry"],
    "Mickaël": ["Michaël", "Mikaël", "Mickael"],
    "Jérémy": ["Jérémie"],
    "Grégory": ["Grégorie"],
    "Anthony": ["Antony"],
    "Kevin": ["Kévin"],
    "Laetitia": ["Lætitia", "Létitia"],
    "Christelle": ["Cristelle"],
    "Nathalie": ["Natalie"],
    "Carole": ["Carol"],
    "Corinne": ["Corine"],
    "Sarah": ["Sara"],
    "Léna": ["Lena"],
    "Mathis": ["Mathys"],
    "Marechal": ["Maréchal"],
    "Maréchal": ["Marechal"],
    "Carré": ["Carre"],
    "Nguyen": ["Nguyên", "Ngyuen"],
    "Payet": ["Paillet"],
    "Hoarau": ["Hoareau"],
    "Perret": ["Peret"],
    "Perrot": ["Perot"],
    "Millet": ["Milet"],
    "Gillet": ["Gilet"],
    "Collet": ["Colet"],
    "Collin": ["Colin"],
    "Colin": ["Collin"],
    "Philippe": ["Phillipe", "Philipe"],
    "Faure": ["Fort"],
    "Rodrigues": ["Rodriguez"],
    "Rodriguez": ["Rodrigues"],
    "Fernandes": ["Fernandez"],
    "Fernandez": ["Fernandes"],
}
PHONETIC_RULES = (
    ("ph", "f"),
    ("th", "t"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("mm", "m"),
    ("ss", "s"),
    ("rr", "r"),
    ("eau", "o"),
    ("ault", "aut"),
    ("aud", "ault"),
    ("y", "i"),
    ("ç", "ss"),
    ("ck", "k"),
    ("qu", "k"),
    ("ai", "è"),
    ("ê", "è"),
    ("è", "e"),
    ("é", "e"),
    ("an", "en"),
    ("en", "an"),
    ("in", "ain"),
    ("ier", "ié"),
    ("et", "ez"),
    ("ot", "au"),
)

# AZERTY keyboard neighbours
_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
KEY_NEIGHBOURS = {}
for _r, _row in enumerate(_ROWS):
    for _c, _ch in enumerate(_row):
        near = []
        for _dr in (-1, 0, 1):
            rr = _r + _dr
            if 0 <= rr < len(_ROWS):
                for _dc in (-1, 0, 1):
                    cc = _c + _dc
                    if (_dr or _dc) and 0 <= cc < len(_ROWS[rr]):
                        near.append(_ROWS[rr][cc])
        KEY_NEIGHBOURS[_ch] = "".join(near)

# ------------------------------------------------------------ places
_CITIES = """
Paris|75001-75020|2100
Marseille|13001-13016|870
Lyon|69001-69009|520
Toulouse|31000 31100 31200 31300 31400 31500|490
Nice|06000 06100 06200 06300|340
Nantes|44000 44100 44200 44300|320
Montpellier|34000 34070 34080 34090|300
Strasbourg|67000 67100 67200|290
Bordeaux|33000 33100 33200 33300 33800|260
Lille|59000 59160 59260 59800|235
Rennes|35000 35200 35700|222
Reims|51100|180
Toulon|83000 83100 83200|180
Saint-Étienne|42000 42100|173
Le Havre|76600 76610 76620|168
Grenoble|38000 38100|158
Dijon|21000|158
Angers|49000 49100|155
Villeurbanne|69100|150
Nîmes|30000 30900|150
Clermont-Ferrand|63000 63100|147
Le Mans|72000 72100|145
Aix-en-Provence|13090 13100|145
Brest|29200|140
Tours|37000 37100 37200|137
Amiens|80000 80080 80090|134
Limoges|87000 87100 87280|130
Annecy|74000 74370 74600 74940|130
Perpignan|66000 66100|120
Boulogne-Billancourt|92100|121
Metz|57000 57050 57070|118
Besançon|25000|117
Orléans|45000 45100|116
Saint-Denis|93200|113
Argenteuil|95100|110
Rouen|76000 76100|112
Mulhouse|68100 68200|108
Montreuil|93100|109
Caen|14000|106
Nancy|54000 54100|104
Tourcoing|59200|98
Roubaix|59100|98
Nanterre|92000|96
Vitry-sur-Seine|94400|95
Avignon|84000|91
Créteil|94000|92
Poitiers|86000|89
Versailles|78000|85
Asnières-sur-Seine|92600|87
Colombes|92700|86
Aulnay-sous-Bois|93600|86
Dunkerque|59140 59240 59640|87
Rueil-Malmaison|92500|78
Pau|64000|77
La Rochelle|17000|77
Champigny-sur-Marne|94500|77
Béziers|34500|78
Saint-Maur-des-Fossés|94100 94210|75
Cannes|06400 06150|74
Antibes|06600 06160|73
Calais|62100|72
Saint-Nazaire|44600|71
Ajaccio|20000 20090|71
Colmar|68000|69
Cergy|95000|66
Vénissieux|69200|66
Évry-Courcouronnes|91000|67
Bourges|18000|64
Valence|26000|64
Quimper|29000|63
Montauban|82000|61
Troyes|10000|61
Chambéry|73000|60
Niort|79000|59
Sarcelles|95200|58
Lorient|56100|57
Beauvais|60000|56
Meaux|77100|56
Hyères|83400|55
Narbonne|11100|55
Vannes|56000|54
Cholet|49300|54
Fréjus|83600|54
Saint-Quentin|02100|53
Cagnes-sur-Mer|06800|52
Massy|91300|51
Arles|13200|51
Bayonne|64100|51
Laval|53000|50
Grasse|06130|50
Albi|81000|49
Martigues|13500|49
Belfort|90000|47
Évreux|27000|47
Aubagne|13400|47
Saint-Malo|35400|46
Brive-la-Gaillarde|19100|46
Blois|41000|46
Carcassonne|11000|46
Charleville-Mézières|08000|46
Salon-de-Provence|13300|45
Chalon-sur-Saône|71100|45
Châlons-en-Champagne|51000|45
Istres|13800|44
Sète|34200|44
Saint-Brieuc|22000|44
Châteauroux|36000|43
Valenciennes|59300|43
Tarbes|65000|42
Alès|30100|42
Bourg-en-Bresse|01000|41
Gap|05000|41
Melun|77000|41
Angoulême|16000|41
Arras|62000|41
Thionville|57100|41
Compiègne|60200|40
Montélimar|26200|40
Boulogne-sur-Mer|62200|40
Draguignan|83300|40
Chartres|28000|39
Douai|59500|39
Villefranche-sur-Saône|69400|37
La Ciotat|13600|36
Roanne|42300|35
Auxerre|89000|35
Thonon-les-Bains|74200|35
Haguenau|67500|35
Montluçon|03100|34
Mâcon|71000|34
Agen|47000|33
Nevers|58000|33
Romans-sur-Isère|26100|33
Cambrai|59400|32
Épinal|88000|32
Lens|62300|31
Périgueux|24000|30
Mont-de-Marsan|40000|30
Menton|06500|30
Vienne|38200|30
Aix-les-Bains|73100|30
Dieppe|76200|29
Orange|84100|29
Carpentras|84200|29
Maubeuge|59600|29
Soissons|02200|28
Alençon|61000|26
Lunel|34400|26
Laon|02000|25
Vichy|03200|25
Aurillac|15000|25
Biarritz|64200|25
Saintes|17100|25
Montbéliard|25200|25
Rochefort|17300|24
Rodez|12000|24
Dole|39100|23
Manosque|04100|22
Oyonnax|01100|22
Chaumont|52000|22
Auch|32000|22
Dax|40100|21
Moulins|03000|20
Cahors|46000|20
Lisieux|14100|20
Voiron|38500|20
Lannion|22300|20
Saint-Dié-des-Vosges|88100|20
Saint-Lô|50000|19
Le Puy-en-Velay|43000|19
Sélestat|67600|19
Bagnols-sur-Cèze|30200|18
Annonay|07100|17
Verdun|55100|17
Lons-le-Saunier|39000|17
Pontarlier|25300|17
Digne-les-Bains|04000|16
Pamiers|09100|16
Sedan|08200|16
Bar-le-Duc|55000|15
Tulle|19000|15
Vesoul|70000|15
Ambérieu-en-Bugey|01500|14
Guéret|23000|13
Aubenas|07200|12
Mende|48000|12
Foix|09000|10
Privas|07000|8
"""
CITIES = []  # (name, zips)
CITY_WEIGHTS = []
for _line in _CITIES.strip().splitlines():
    _name, _zips, _w = _line.split("|")
    if "-" in _zips and " " not in _zips:
        _a, _b = _zips.split("-")
        _zips = tuple(f"{z:05d}" for z in range(int(_a), int(_b) + 1))
    else:
        _zips = tuple(_zips.split())
    CITIES.append((_name, _zips))
    CITY_WEIGHTS.append(int(_w))

# small communes (30 % of the population): a fixed gazetteer
_SAINTS = (
    "Martin Jean Pierre Germain Laurent Étienne Georges Julien Maurice Hilaire Denis Aubin "
    "Sulpice Rémy Nicolas Michel Genis Cyr Vincent Paul André Médard Romain Marcel Victor"
).split()
_VILLAGE_ROOT = (
    "Beau Mont Ville Roche Font Val Bois Chastel Cour Mesnil Neuf Plessis Ros Fontenay Vaux "
    "Vern Sauve Bel Marsan Lusign Pont Gué Champ Puy Brou Ang Mou"
).split()
_VILLAGE_END = "ville court mont val ac ay ieu y an ière igny ières oux el et ange on".split()
_RIVERS = (
    "Loire Seine Marne Saône Rhône Garonne Oise Aisne Cher Indre Vienne Lot Tarn Dordogne Sarthe "
    "Yonne Meuse Moselle Vilaine Allier"
).split()
_DEPTS = [f"{d:02d}" for d in range(1, 96) if d != 20 and d != 75]


def _build_villages():
    rng = random.Random(20140101)
    seen, out = set(), []
    while len(out) < 3000:
        kind = rng.random()
        if kind < 0.25:
            name = f"Saint-{rng.choice(_SAINTS)}"
            if rng.random() < 0.6:
                name += (
                    f"-{rng.choice(('de', 'sur', 'en', 'lès', 'le', 'la'))}-"
                    + rng.choice(_VILLAGE_ROOT)
                    + rng.choice(_VILLAGE_END)
                )
        else:
            name = rng.choice(_VILLAGE_ROOT) + rng.choice(_VILLAGE_END)
            name = name[0].upper() + name[1:]
            if rng.random() < 0.25:
                name += f"-sur-{rng.choice(_RIVERS)}"
            elif rng.random() < 0.1:
                name = f"Le {name}" if rng.random() < 0.5 else f"La {name}"
        dept = rng.choice(_DEPTS)
        zip_code = f"{dept}{rng.randrange(1, 99):02d}0"
        if (name, dept) in seen:
            continue
        seen.add((name, dept))
        out.append((name, (zip_code,)))
    return tuple(out)


VILLAGES = _build_villages()

# département -> first digit of its landline zone (01 Paris area, 02 north-west, 03 north-east,
# 04 south-east, 05 south-west)
_ZONES = {
    1: "75 77 78 91 92 93 94 95",
    2: "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85 974",
    3: "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90",
    4: "01 03 04 05 06 07 11 13 15 20 26 30 34 38 42 43 48 63 66 69 73 74 83 84",
    5: "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87",
}
DEPT_ZONE = {d: str(z) for z, ds in _ZONES.items() for d in ds.split()}

STREET_TYPES = (  # (canonical, weight, abbreviations)
    ("rue", 55, ("r.", "R.", "Rue", "r")),
    ("avenue", 12, ("av.", "Av", "AV", "ave", "Avenue")),
    ("boulevard", 5, ("bd", "BD", "Bd", "Bld", "boul.")),
    ("place", 3, ("pl.", "Pl")),
    ("allée", 6, ("all.", "allee", "Allee")),
    ("chemin", 6, ("ch.", "chem.", "Chemin")),
    ("impasse", 5, ("imp.", "Imp")),
    ("route", 4, ("rte", "Rte")),
    ("quai", 1, ("qu.", "Quai")),
    ("cours", 1, ("crs", "Cours")),
    ("square", 1, ("sq.", "Sq")),
)
STREET_NAMES = (
    "de la République|Victor Hugo|Jean Jaurès|de la Gare|du Général de Gaulle|Pasteur|de la Mairie|"
    "de l'Église|des Écoles|Gambetta|Jules Ferry|Voltaire|de la Paix|du Moulin|des Lilas|du "
    "Château|"
    "Émile Zola|de la Liberté|Carnot|Anatole France|du 8 Mai 1945|du 11 Novembre|Louis Pasteur|"
    "Saint-Martin|Saint-Jacques|de Verdun|du Stade|des Acacias|des Tilleuls|du Port|de Paris|de "
    "Lyon|"
    "Nationale|Principale|du Commerce|de la Fontaine|des Roses|Pierre Curie|Marie Curie|Jean "
    "Moulin|"
    "Charles de Gaulle|Foch|du Maréchal Foch|du Maréchal Leclerc|Georges Clemenceau|Léon Blum|"
    "Aristide Briand|Paul Bert|d'Alsace-Lorraine|de Bretagne|des Prés|des Champs|du Bois|de la "
    "Forêt|"
    "des Vignes|du Soleil|des Peupliers|des Chênes|du Parc|de la Croix|Montaigne|Molière|Racine|"
    "Lamartine|Alphonse Daudet|Frédéric Mistral|Jean Monnet|Robert Schuman|de Strasbourg|de "
    "Bordeaux|"
    "de la Poste|du Docteur Roux|du Docteur Schweitzer|Henri Barbusse|Danton|Jean-Jacques Rousseau|"
    "des Martyrs|de la Résistance|des Fusillés|Antoine de Saint-Exupéry|de Provence|des Cerisiers|"
    "des Mimosas|du Lavoir|de la Source|des Jardins|des Artisans|de l'Industrie|du Marché|"
    "Sainte-Anne|"
    "Notre-Dame|de Normandie|des Alpes|du Midi|Jean Mermoz|Nungesser et Coli|Édouard Herriot|"
    "du Président Wilson|Saint-Michel|des Platanes|de la Libération|Sadi Carnot|Denfert-Rochereau|"
    "de Belfort|du Onze Novembre|des Hirondelles|des Coquelicots|de la Chapelle|du Calvaire"
).split("|")
WORD_ABBREV = (
    ("Saint-", "St-"),
    ("Sainte-", "Ste-"),
    ("Général", "Gal"),
    ("Maréchal", "Mal"),
    ("Docteur", "Dr"),
    ("Président", "Pdt"),
    ("Jean-Jacques", "J.-J."),
)
COMPLEMENTS = (
    "Appt {n}",
    "Apt {n}",
    "Bât {l}",
    "Bâtiment {l}",
    "Résidence les Tilleuls",
    "Résidence du Parc",
    "Résidence les Jardins",
    "Escalier {l}",
    "Lot. les Chênes",
    "Porte {n}",
    "{e}e étage",
)
BUSINESS_PARKS = (
    "ZA des Peupliers",
    "ZI Nord",
    "Parc d'activités du Moulin",
    "ZAC des Portes",
    "ZA du Bois",
    "Technopole",
    "Parc Tertiaire",
    "ZI des Grands Champs",
    "Espace Entreprises",
)
PICKUP = (
    "Relais Colis Tabac de la Mairie",
    "Point Relais Presse du Centre",
    "Relais Carrefour City",
    "Pickup Station Gare",
    "Mondial Relay Fleuriste",
    "Point Retrait Superette",
    "Relais Pressing",
)

# ------------------------------------------------------------ mail
ISP_DOMAINS = (
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "neuf.fr",
    "bbox.fr",
    "club-internet.fr",
    "aliceadsl.fr",
)
INITIAL_PROVIDERS = (
    (
        ("orange.fr", 28),
        ("wanadoo.fr", 18),
        ("free.fr", 14),
        ("laposte.net", 10),
        ("sfr.fr", 8),
        ("gmail.com", 10),
        ("hotmail.fr", 5),
        ("yahoo.fr", 4),
        ("aol.com", 2),
        ("neuf.fr", 1),
    ),
    (
        ("orange.fr", 20),
        ("wanadoo.fr", 8),
        ("free.fr", 15),
        ("gmail.com", 22),
        ("hotmail.fr", 12),
        ("yahoo.fr", 7),
        ("sfr.fr", 7),
        ("laposte.net", 5),
        ("neuf.fr", 2),
        ("club-internet.fr", 1),
        ("aol.com", 1),
    ),
    (
        ("gmail.com", 35),
        ("hotmail.fr", 25),
        ("yahoo.fr", 8),
        ("free.fr", 8),
        ("orange.fr", 10),
        ("sfr.fr", 5),
        ("live.fr", 5),
        ("laposte.net", 2),
        ("msn.com", 2),
    ),
    (
        ("gmail.com", 60),
        ("hotmail.fr", 12),
        ("outlook.fr", 10),
        ("icloud.com", 10),
        ("yahoo.fr", 3),
        ("orange.fr", 3),
        ("live.fr", 2),
    ),
)
NEW_PROVIDERS = (
    ("gmail.com", 45),
    ("outlook.fr", 8),
    ("hotmail.fr", 6),
    ("orange.fr", 12),
    ("free.fr", 10),
    ("sfr.fr", 4),
    ("laposte.net", 5),
    ("yahoo.fr", 3),
    ("icloud.com", 5),
    ("bbox.fr", 2),
)
DOMAIN_TYPOS = {
    "gmail.com": ("gmial.com", "gmail.fr", "gmal.com", "gmail.con", "gmaill.com"),
    "hotmail.fr": ("hotmail.com", "hotmial.fr", "hotmail.fe", "hotmal.fr"),
    "hotmail.com": ("hotmail.fr", "hotmial.com"),
    "orange.fr": ("orange.com", "ornage.fr", "orage.fr"),
    "wanadoo.fr": ("wanado.fr", "wanadoo.com", "wanadoo.f"),
    "free.fr": ("free.com", "fre.fr"),
    "yahoo.fr": ("yahoo.com", "yaho.fr"),
    "laposte.net": ("laposte.fr", "laposte.ne"),
    "sfr.fr": ("sfr.com",),
    "outlook.fr": ("outlook.com", "outlok.fr"),
    "icloud.com": ("icloud.fr", "iclou.com"),
    "live.fr": ("live.com",),
}
PSEUDO_WORDS = (
    "loulou titi choupette mimi zozo bibi doudou nounours lapin chaton soleil kiki juju cocotte "
    "poupette fifi zaza ptitloup minou bichette fripouille chipie pirate ninja dragon"
).split()

TRADES = (
    "Paysages",
    "Jardins",
    "Architecture",
    "Bâtiment",
    "Menuiserie",
    "Conseil",
    "Immobilier",
    "Restauration",
    "Électricité",
    "Plomberie",
    "Espaces Verts",
    "Décoration",
    "Rénovation",
    "Toitures",
    "Services",
    "Traiteur",
    "Ébénisterie",
    "Maçonnerie",
)
