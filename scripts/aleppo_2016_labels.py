"""Who held each Aleppo neighbourhood, from which date, and which report says so.

The label history of the bundled scenario ``data/geo/aleppo_2016`` (written to its
``labels.csv`` by ``scripts/make_aleppo_2016.py``), kept apart from the geometry so that it
reads as a table of reporting:

- every OCHA neighbourhood gets a label on 1 July 2016 (:data:`EAST_AT_START`,
  :data:`NORTH_WEST_AT_START`, :data:`SDF_AT_START`, Handarat camp; the rest
  government-held), the geoaccess authors' reading of the division OCHA describes;
- :data:`CHANGES` dates each change on the day a report gives, naming it (:data:`SRC`);
  where a report covers neighbourhoods without naming them, the note says so;
- where the reports used are silent, the previous label is kept and the label that ends
  the silence says ``reporting silent until ...`` (OCHA's Aleppo Situation Report No. 7
  lists the only neighbourhoods still held on 13 December, which settles the others).
"""

from __future__ import annotations

import pandas as pd

START = "2016-07-01"

#: Short citations, used in the ``source`` column of labels.csv and zones.
SRC = {
    "line": "OCHA Syria Crisis Bi-Weekly Situation Report No. 11, 19 Aug 2016 "
    "(west government-held, east besieged); line by neighbourhood: geoaccess authors",
    "sdf": "SOHR via Reuters, 28 Nov 2016 (Sheikh Maqsoud Kurdish-controlled)",
    "bani_zeid": "SANA via Xinhua, 28 Jul 2016 (Bani Zeid and Layramoun taken by the army)",
    "farafra": "AFP via The New Arab, 28 Sep 2016 (Farafira taken by the army on 27 Sep)",
    "handarat": "SOHR via press, 29 Sep 2016 (army in control of Handarat camp)",
    "hanano": "AP and SOHR, 26 Nov 2016 (Hanano taken)",
    "badro": "BBC and Reuters, 27 Nov 2016 (Jabal Badro and Hellok taken)",
    "baaiedin": "Al-Masdar via T24, 28 Nov 2016 (Hanano, Jabal Badro, Ard al-Hamra, "
    "Ba'aiedin taken, then all the north)",
    "north": "SOHR via AFP, 28 Nov 2016 (Sakhour, Haydariyeh, Sheikh Khodr taken; Sheikh "
    "Fares by Kurdish forces; rebels lost all of north-east Aleppo)",
    "tariq": "SOHR via AFP, 3 Dec 2016 (Tariq al-Bab and surroundings, airport road)",
    "qadi": "Internazionale (agencies), 5 Dec 2016 (Qadi Askar taken)",
    "alalam": "Al-Alam, 6 Dec 2016 (Karm al-Qaterji and Karm al-Maysar among the districts "
    "taken by the army)",
    "shaar": "SOHR via Reuters, 7 Dec 2016 (all of the Old City; seven districts including Shaar)",
    "dec12": "SOHR, 12 Dec 2016 (Kallaseh, Bustan al-Qasr, Sheikh Said, Salhin, Ferdous, "
    "Jalloum taken; Karm al-Da'da, Bab al-Maqam completed)",
    "karm_homed": "Russian Reconciliation Centre via press, 12 Dec 2016 (Sheikh Saeed, "
    "Karm Homed, Maqamat)",
    "sitrep7": "OCHA Aleppo Situation Report No. 7, 14 Dec 2016 (as of 13 Dec only Seif "
    "Dawleh, Salah Eddin and pockets of Al Sokari, Mashad, Al Amriyeh under NSAG control)",
    "evacuation": "OCHA Aleppo Situation Report No. 12, 4 Jan 2017 (evacuation of east "
    "Aleppo completed on 22 Dec)",
}
SILENT = "reporting silent until "

#: The eastern neighbourhoods held by the opposition (``fsa``) on 1 July 2016, besieged from
#: 17 July: OCHA code -> (confidence, note). Neighbourhoods in none of the tables here were
#: government-held (``saa``).
EAST_AT_START = {
    # north and north-east (fell 26-28 November)
    "N0120": ("low", "Ayn al-Tal, by the Jandoul roundabout"),
    "N0122": ("medium", ""),
    "N0125": ("medium", ""),
    "N0126": ("medium", ""),
    "N0129": ("high", "Masaken Hanano, the first district taken by the opposition in 2012"),
    "N0130": ("medium", "Bustan al-Basha; government gains in October were partial"),
    "N0132": ("medium", ""),
    "N0134": ("medium", ""),
    "N0139": ("high", ""),
    "N0142": ("low", "front line; the Suleiman al-Halabi water station"),
    "N0146": ("medium", ""),
    # east and south-east
    "N0148": ("low", "front line"),
    "N0152": ("medium", ""),
    "N0155": ("low", "front line"),
    "N0156": ("high", ""),
    "N0157": ("medium", "Tariq al-Bab"),
    "N0162": ("low", ""),
    "N0168": ("medium", ""),
    "N0174": ("medium", ""),
    "N0177": ("medium", ""),
    "N0179": ("medium", ""),
    "N0183": ("low", ""),
    "N0187": ("medium", ""),
    "N0194": ("medium", ""),
    "N0196": ("medium", ""),
    "N0205": ("medium", ""),
    "N0207": ("medium", ""),
    "N0209": ("high", ""),
    "N0210": ("medium", ""),
    "N0211": ("medium", ""),
    "N0213": ("medium", ""),
    "N0217": ("medium", ""),
    "N0225": ("medium", "partly held: the army claimed it on 30 Nov, SOHR said rebels kept part"),
    # the Old City (the Citadel and Jdeydeh were government-held)
    "N0158": ("low", "Old City"),
    "N0159": ("low", "Old City"),
    "N0164": ("low", "Old City"),
    "N0165": ("low", "Old City"),
    "N0166": ("low", "Old City"),
    "N0167": ("low", "Old City"),
    "N0170": ("medium", "Farafra, north-west of the Citadel"),
    "N0171": ("low", "Old City"),
    "N0175": ("low", "Old City, front line"),
    "N0178": ("low", "Old City"),
    "N0180": ("low", "Old City"),
    "N0185": ("medium", "Old City souqs"),
    "N0186": ("low", "Old City"),
    "N0188": ("low", "Old City"),
    "N0189": ("medium", "Old City"),
    "N0190": ("low", "Old City"),
    "N0191": ("low", "Old City"),
    "N0192": ("low", "Old City"),
    "N0198": ("low", "Old City"),
    "N0199": ("low", "Old City"),
    "N0200": ("medium", "Old City"),
    "N0201": ("low", "Old City"),
    # south and south-west (the last enclave)
    "N0193": ("low", "front line with Masharqa"),
    "N0195": ("low", "front line"),
    "N0197": ("high", ""),
    "N0203": ("high", ""),
    "N0204": ("high", "the Bustan al-Qasr crossing to Masharqa"),
    "N0208": ("medium", ""),
    "N0214": ("medium", "the front ran through Salah ad-Din; labelled as a whole"),
    "N0215": ("medium", ""),
    "N0218": ("medium", "Mashhad"),
    "N0219": ("high", ""),
    "N0220": ("low", ""),
    "N0222": ("medium", ""),
    "N0224": ("low", ""),
}
#: Opposition-held north-west of the city on 1 July (the Bani Zeid and Layramoun front),
#: not besieged: linked to the western countryside until 28 July.
NORTH_WEST_AT_START = {
    "N0119": ("low", "Bani Zeid front (OCHA has no neighbourhood named Bani Zeid)"),
    "N0121": ("medium", "the Layramoun industrial area"),
    "N0124": ("low", "Bani Zeid front (OCHA has no neighbourhood named Bani Zeid)"),
}
SDF_AT_START = {"N0123": ("high", "YPG-held since 2012")}
NOTES_GOVERNMENT = {
    "N0128": "Ashrafiyeh: partly YPG-held in 2016; labelled government",
    "N0163": "Jdeydeh, front line with the Old City",
    "N0226": "the Ramouseh military colleges and road; the August gap ran south of it",
}

#: Changes: (date, source key, party, [codes], note). A source key starting with
#: ``silent:`` means the reports used name no date for these neighbourhoods: their label
#: is kept until the named report settles it.
CHANGES = [
    ("2016-07-28", "bani_zeid", "ndf", ["N0119", "N0121", "N0124"], ""),
    ("2016-09-27", "farafra", "saa", ["N0170"], ""),
    ("2016-09-29", "handarat", "saa", ["N0227"], "briefly taken on 24 Sep and lost"),
    ("2016-11-26", "hanano", "saa", ["N0129"], ""),
    ("2016-11-27", "badro", "saa", ["N0146", "N0126"], ""),
    ("2016-11-27", "baaiedin", "saa", ["N0125"], ""),
    ("2016-11-28", "north", "saa", ["N0122", "N0139", "N0134"], ""),
    ("2016-11-28", "north", "ypg", ["N0132"], ""),
    (
        "2016-11-28",
        "north",
        "saa",
        ["N0120", "N0130", "N0142"],
        "not named: covered by 'all of north-east Aleppo' (OCHA Situation Report No. 1 "
        "of 1 Dec: the Suleiman Al-Halabi water station regained)",
    ),
    ("2016-12-03", "tariq", "saa", ["N0157"], "Tariq al-Bab"),
    (
        "2016-12-03",
        "tariq",
        "saa",
        ["N0162", "N0183", "N0187"],
        "not named: taken as the surroundings of Tariq al-Bab and the airport road",
    ),
    ("2016-12-05", "qadi", "saa", ["N0174"], ""),
    (
        "2016-12-05",
        "alalam",
        "saa",
        ["N0177", "N0194"],
        "reported taken by 6 Dec; dated with Qadi Askar, which they link to the government's "
        "lines (pro-government outlet)",
    ),
    ("2016-12-07", "shaar", "saa", ["N0156"], ""),
    (
        "2016-12-07",
        "shaar",
        "saa",
        [
            "N0155",
            "N0158",
            "N0159",
            "N0164",
            "N0165",
            "N0166",
            "N0167",
            "N0171",
            "N0175",
            "N0178",
            "N0180",
            "N0185",
            "N0186",
            "N0188",
            "N0190",
            "N0191",
            "N0192",
            "N0198",
            "N0199",
            "N0200",
            "N0201",
        ],
        "the Old City",
    ),
    (
        "2016-12-07",
        "shaar",
        "saa",
        ["N0148", "N0152", "N0168", "N0179"],
        "not named: taken as the other districts around Shaar",
    ),
    ("2016-12-12", "dec12", "saa", ["N0197", "N0204", "N0225", "N0211", "N0209"], ""),
    ("2016-12-12", "dec12", "saa", ["N0189", "N0217", "N0207"], ""),
    ("2016-12-12", "karm_homed", "saa", ["N0196"], ""),
    (
        "2016-12-13",
        "silent:sitrep7",
        "saa",
        ["N0193", "N0195", "N0205", "N0208", "N0210", "N0213", "N0215", "N0220", "N0224"],
        "not among the neighbourhoods still held on 13 Dec",
    ),
    (
        "2016-12-22",
        "evacuation",
        "saa",
        ["N0203", "N0214", "N0218", "N0219", "N0222"],
        "the last enclave, after the evacuation of 15-22 Dec",
    ),
]


def label_table(codes: list[str], names: dict[str, str]) -> pd.DataFrame:
    """Every neighbourhood's label on 1 July, then every change, in date order."""
    named = {*EAST_AT_START, *NORTH_WEST_AT_START, *SDF_AT_START, *NOTES_GOVERNMENT}
    named |= {code for *_, changed, _note in CHANGES for code in changed}
    if unknown := sorted(named - set(codes)):
        msg = f"no OCHA neighbourhood has these codes: {unknown}"
        raise ValueError(msg)
    rows = []
    for code in codes:
        if code in EAST_AT_START:
            party, (confidence, note) = "fsa", EAST_AT_START[code]
        elif code in NORTH_WEST_AT_START:
            party, (confidence, note) = "fsa", NORTH_WEST_AT_START[code]
        elif code in SDF_AT_START:
            party, (confidence, note) = "ypg", SDF_AT_START[code]
        elif code == "N0227":
            party, confidence, note = "jfs", "medium", "Handarat camp, reported almost empty"
        else:
            party, confidence, note = "saa", "medium", NOTES_GOVERNMENT.get(code, "")
        source = SRC["sdf"] if party == "ypg" else SRC["line"]
        rows.append((code, START, party, source, confidence, note))
    for day, key, party, changed, note in CHANGES:
        if key.startswith("silent:"):
            source = SILENT + SRC[key.removeprefix("silent:")]
            confidence = "low"
        else:
            guessed = note.startswith("not named") or "dated with" in note
            source, confidence = SRC[key], ("low" if guessed else "medium")
        for code in changed:
            rows.append((code, day, party, source, confidence, note))
    table = pd.DataFrame(
        rows, columns=["pcode", "date", "party", "source", "confidence", "note"]
    ).astype(object)
    table.insert(1, "name", table["pcode"].map(names))
    order = table.sort_values(["date", "pcode"], kind="stable").index
    return table.loc[order].reset_index(drop=True)
