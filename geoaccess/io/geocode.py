"""Placing records that carry only a place name on the map, conservatively.

Incident records often name a neighbourhood or village instead of giving coordinates
(the Syrian Archive's "Neighborhood", a report's "in Bustan al-Qasr"). The same place is
spelled many ways in Latin script: *Bustan al-Qasr* / *Bustan Al-Qaser*, *Salah al-Din* /
*Salah Ad-Deen* / *Salah Eddin*. :func:`normalise_name` reduces such variants to one key,
and :func:`geocode_by_name` matches records to places by that key, accepting a looser
match only when exactly one place qualifies. A record that could belong to two places is
left unmatched with the reason: a wrong location is worse than none.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError

__all__ = ["GeocodeReport", "geocode_by_name", "normalise_name"]

log = logging.getLogger(__name__)

LAYER = "incidents"
WGS84 = "EPSG:4326"

#: Arabic definite articles as transliterated (``al-``, ``ash-`` ...): dropped as words.
ARTICLES: frozenset[str] = frozenset(
    {
        "al",
        "el",
        "ash",
        "as",
        "ad",
        "ar",
        "at",
        "az",
        "an",
        "ach",
        "ech",
        "ed",
        "es",
        "et",
        "ul",
        "il",
    }
)
#: Spelling variants of common name words, mapped to one spelling.
WORD_VARIANTS: Mapping[str, str] = {
    "shaykh": "sheikh",
    "sheik": "sheikh",
    "shaikh": "sheikh",
    "shekh": "sheikh",
    "sheykh": "sheikh",
    "cheikh": "sheikh",
    "sheich": "sheikh",
    "qaser": "qasr",
    "kasr": "qasr",
    "qassr": "qasr",
    "kaser": "qasr",
    "deen": "din",
    "dine": "din",
    "eddin": "din",
    "eddine": "din",
    "iddin": "din",
    "uddin": "din",
    "dein": "din",
    "sayf": "seif",
    "saif": "seif",
    "sayif": "seif",
}
#: Apostrophes and the hamza/ayn marks of transliteration: removed.
MARKS = re.compile(r"['’‘`´ʿʾʼ]")
#: Anything that is not a letter or digit separates words.
SEPARATORS = re.compile(r"[^0-9a-z]+")
#: Tā' marbūṭa endings (``-iyeh`` / ``-iyah`` / ``-iya``, ``Dawleh`` / ``Dawla``).
FEMININE_ENDING = re.compile(r"(?<=[a-z]{2})(?:eh|ah)$")
DOUBLE_LETTER = re.compile(r"([a-z])\1+")

#: Shortest key a prefix match may be made on.
MIN_PREFIX = 5
MATCHES: tuple[str, ...] = ("coordinates", "exact", "normalised", "alias", "fuzzy")


def normalise_name(name: object) -> str:
    """The key under which spelling variants of a place name meet.

    Steps, in order: Unicode accents and diacritics are stripped (``ā`` → ``a``) and the
    text casefolded; apostrophes and ayn/hamza marks are removed; the text is cut into
    words at spaces, hyphens and other punctuation; Arabic articles (``al``, ``el``,
    ``ash``, ``as``, ``ad``, ``ar``, ``at``, ``az``, ``an``, ``ach``...) are dropped when
    other words remain; common word variants are unified (``shaykh``/``sheik`` →
    ``sheikh``, ``qaser`` → ``qasr``, ``deen``/``eddin`` → ``din``, ``sayf``/``saif`` →
    ``seif``); the endings ``-eh``/``-ah`` become ``-a``; the words are joined; ``ou``
    becomes ``u`` and doubled letters become one.

    Parameters
    ----------
    name : object
        A place name; anything not a string (missing values) gives ``""``.

    Returns
    -------
    str
        The key, ``""`` when nothing is left.

    Examples
    --------
    >>> normalise_name("Bustan al-Qasr") == normalise_name("Bustan Al-Qaser")
    True
    >>> normalise_name("Ash-Sheikh Maqsoud"), normalise_name("Sheikh Maqsoud")
    ('sheikhmaqsud', 'sheikhmaqsud')
    >>> normalise_name("Salah Ad-Deen"), normalise_name("Salah Eddin")
    ('saladin', 'saladin')
    >>> normalise_name("Haydariyeh") == normalise_name("Haydariyah")
    True
    >>> normalise_name("Al"), normalise_name(None)
    ('al', '')
    """
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    words = [word for word in SEPARATORS.split(MARKS.sub("", text)) if word]
    if len(words) > 1:
        words = [word for word in words if word not in ARTICLES] or words
    words = [FEMININE_ENDING.sub("a", WORD_VARIANTS.get(word, word)) for word in words]
    return DOUBLE_LETTER.sub(r"\1", "".join(words).replace("ou", "u"))


@dataclass(frozen=True)
class GeocodeReport:
    """What :func:`geocode_by_name` did.

    Parameters
    ----------
    total : int
        Records given.
    with_coordinates : int
        Records that already had coordinates (kept as they were, counted as matched).
    matched : int
        Records placed, including those with coordinates.
    unmatched : int
        Records left without a place (``matched + unmatched == total``).
    ambiguous : int
        Unmatched records whose name fits more than one place.
    by_match : tuple of (str, int)
        Matched records by kind of match (``coordinates``, ``exact``, ``normalised``,
        ``alias``, ``fuzzy``).
    top_unmatched : tuple of (str, int)
        The most frequent names left unmatched, most frequent first.
    """

    total: int
    with_coordinates: int
    matched: int
    unmatched: int
    ambiguous: int
    by_match: tuple[tuple[str, int], ...]
    top_unmatched: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        lines = [
            f"{self.total} records: {self.matched} matched, {self.unmatched} unmatched "
            f"({self.ambiguous} ambiguous)",
            "matched by: " + ", ".join(f"{kind} {count}" for kind, count in self.by_match),
        ]
        if self.top_unmatched:
            lines.append(
                "most frequent unmatched names: "
                + ", ".join(f"{name} ({count})" for name, count in self.top_unmatched)
            )
        return "\n".join(lines)


def geocode_by_name(
    records: pd.DataFrame,
    places: gpd.GeoDataFrame,
    *,
    name_column: str,
    place_name_column: str = "name",
    aliases: Mapping[str, str] | None = None,
    coordinates: tuple[str, str] | None = None,
    min_ratio: float = 0.9,
    top: int = 10,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, GeocodeReport]:
    """Place records on the map by the name of the place they mention.

    Each distinct name is matched once, by the first rule that finds a candidate:

    1. ``alias``: the name (normalised) is a key of ``aliases``; its value must then
       name a place (exactly or normalised), else the record is unmatched;
    2. ``exact``: a place has the same name (ignoring case and surrounding spaces);
    3. ``normalised``: a place has the same :func:`normalise_name` key;
    4. ``fuzzy``: the keys of the name and of exactly one place are a prefix of each
       other (the shorter at least 5 letters long), or have a
       :class:`difflib.SequenceMatcher` ratio of at least ``min_ratio``.

    When a rule finds more than one place, the record is unmatched as ambiguous (the
    looser rules are not tried), with the candidates listed. Place names should therefore
    be unique within ``places``; to use two gazetteers, geocode against the better one
    first and pass the unmatched records to a second call.

    Parameters
    ----------
    records : DataFrame or GeoDataFrame
        The records. Rows that already have coordinates keep them: a GeoDataFrame's
        non-empty geometries, or the columns named by ``coordinates``.
    places : GeoDataFrame
        The gazetteer: polygons (areas) or points, in any CRS.
    name_column : str
        Column of ``records`` holding the place name.
    place_name_column : str
        Column of ``places`` holding its name.
    aliases : mapping of str to str, optional
        Record names known to mean a place of another name (``{"Alshaar": "Sha'aar"}``),
        the analyst's decisions for what the rules leave unmatched.
    coordinates : (str, str), optional
        Longitude and latitude columns (WGS84) of ``records``. By default
        ``longitude``/``latitude`` or ``lon``/``lat`` in any case, when present.
    min_ratio : float
        Least similarity ratio of a fuzzy match, between 0.5 and 1.
    top : int
        How many of the most frequent unmatched names the report lists.

    Returns
    -------
    matched : GeoDataFrame
        The placed records (input index and columns) in EPSG:4326, plus
        ``geocode_place`` (the place's name), ``geocode_match`` (``coordinates``,
        ``exact``, ``normalised``, ``alias`` or ``fuzzy``) and ``geocode_precision``
        (``coordinates``, or ``place-name``: the record is put at the place's
        representative point, inside its polygon, not where it happened).
    unmatched : DataFrame
        The other records, plus ``geocode_reason`` (``no name``, ``no match``,
        ``ambiguous``, ``alias target not found``) and ``geocode_candidates``.
    report : GeocodeReport
        Counts and the most frequent unmatched names.

    Raises
    ------
    ScenarioError
        When a named column is missing, or coordinates are not numbers or out of range
        (layer ``incidents``, with row and column).
    ValueError
        When ``min_ratio`` is outside [0.5, 1].

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> places = gpd.GeoDataFrame(
    ...     {"name": ["Bustan Al-Qaser", "Sheikh Fares", "Sheikh Said"]},
    ...     geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1), box(4, 0, 5, 1)], crs=4326)
    >>> records = pd.DataFrame({"place": ["Bustan al-Qasr", "Sheikh", "Atlantis"]})
    >>> matched, unmatched, report = geocode_by_name(
    ...     records, places, name_column="place")
    >>> matched[["place", "geocode_place", "geocode_match"]]
                place    geocode_place geocode_match
    0  Bustan al-Qasr  Bustan Al-Qaser    normalised
    >>> unmatched[["place", "geocode_reason"]]
          place geocode_reason
    1    Sheikh      ambiguous
    2  Atlantis       no match
    >>> print(report)
    3 records: 1 matched, 2 unmatched (1 ambiguous)
    matched by: normalised 1
    most frequent unmatched names: Atlantis (1), Sheikh (1)
    """
    if not 0.5 <= min_ratio <= 1:
        msg = f"min_ratio must be between 0.5 and 1; got {min_ratio!r}"
        raise ValueError(msg)
    problems: list[Problem] = []
    if name_column not in records:
        problems.append(Problem(LAYER, "name column not found in the records", column=name_column))
    if place_name_column not in places:
        problems.append(
            Problem(
                "places",
                f"name column not found (columns: {', '.join(map(str, places.columns))})",
                column=place_name_column,
            )
        )
    if places.crs is None:
        problems.append(
            Problem("places", "places have no CRS; set one with set_crs", column="geometry")
        )
    if problems:
        raise ScenarioError(problems)
    located = _existing_points(records, coordinates)

    gazetteer = _gazetteer(places, place_name_column)
    alias_keys = {normalise_name(k): v for k, v in (aliases or {}).items()}
    names = records[name_column].where(~located.has)
    distinct = pd.Series(names.dropna().unique())
    decisions = pd.DataFrame(
        [_decide(name, gazetteer, alias_keys, min_ratio) for name in distinct],
        columns=["place", "match", "reason", "candidates"],
    )
    decisions.index = pd.Index(distinct.astype(object))
    looked_up = decisions.reindex(names.astype(object)).set_axis(records.index)
    looked_up.loc[names.isna() & ~located.has, "reason"] = "no name"

    place = looked_up["place"]
    found = place.notna().to_numpy()
    has = located.has.to_numpy()
    base = pd.DataFrame(
        records.drop(columns=records.geometry.name)
        if isinstance(records, gpd.GeoDataFrame)
        else records
    ).copy()
    at = place[found].astype("int64").to_numpy()
    points = located.points.copy()
    points[found] = gazetteer.geometry.to_numpy()[at]
    place_name = np.full(len(records), None, dtype=object)
    place_name[found] = gazetteer["_name"].to_numpy()[at]
    keep = has | found
    matched = base[keep].assign(
        geocode_place=pd.Series(place_name[keep], index=records.index[keep], dtype="str"),
        geocode_match=pd.Series(
            np.where(has, "coordinates", looked_up["match"])[keep],
            index=records.index[keep],
            dtype="str",
        ),
        geocode_precision=pd.Series(
            np.where(has, "coordinates", "place-name")[keep], index=records.index[keep], dtype="str"
        ),
    )
    matched = gpd.GeoDataFrame(matched, geometry=points[keep], crs=WGS84)
    unmatched = base[~keep].assign(
        geocode_reason=looked_up["reason"][~keep].astype("str"),
        geocode_candidates=looked_up["candidates"][~keep].astype("str"),
    )
    report = _report(records, names, matched, unmatched, top=top)
    log.info("geocoding by name: %s", str(report).replace("\n", "; "))
    return matched, unmatched, report


@dataclass(frozen=True)
class _Located:
    has: pd.Series
    points: np.ndarray


def _existing_points(records: pd.DataFrame, coordinates: tuple[str, str] | None) -> _Located:
    """Which records already have coordinates, and their points in EPSG:4326."""
    index = records.index
    points = np.full(len(records), None, dtype=object)
    if isinstance(records, gpd.GeoDataFrame):
        geoms = records.geometry
        if geoms.crs is None and len(geoms.dropna()):
            raise ScenarioError(
                [Problem(LAYER, "records have no CRS; set one with set_crs", column=geoms.name)]
            )
        if geoms.crs is not None:
            geoms = geoms.to_crs(WGS84)
        has = pd.Series(~(geoms.isna() | geoms.is_empty).to_numpy(), index=index)
        points[has.to_numpy()] = geoms[has].to_numpy()
        return _Located(has, points)
    columns = coordinates or _coordinate_columns(records)
    if columns is None:
        return _Located(pd.Series(False, index=index), points)
    problems: list[Problem] = []
    values = {}
    for column, limit in zip(columns, (180.0, 90.0), strict=True):
        if column not in records:
            problems.append(Problem(LAYER, "coordinate column not found", column=column))
            continue
        raw = records[column]
        number = pd.to_numeric(raw.astype(object), errors="coerce").astype("float64")
        wrong = (raw.notna() & ~np.isfinite(number)) | (number.abs() > limit)
        for row in index[wrong.to_numpy()]:
            problems.append(
                Problem(
                    LAYER,
                    f"coordinate must be a number within [-{limit:g}, {limit:g}] (WGS84 lon/lat)",
                    row,
                    column,
                    raw[row],
                )
            )
        values[column] = number
    if problems:
        raise ScenarioError(problems)
    lon, lat = (values[column] for column in columns)
    has = lon.notna() & lat.notna()
    points[has.to_numpy()] = gpd.points_from_xy(lon[has], lat[has])
    return _Located(has, points)


def _coordinate_columns(records: pd.DataFrame) -> tuple[str, str] | None:
    folded = {str(column).casefold(): column for column in records.columns}
    for x, y in (("longitude", "latitude"), ("lon", "lat")):
        if x in folded and y in folded:
            return folded[x], folded[y]
    return None


def _gazetteer(places: gpd.GeoDataFrame, name_column: str) -> gpd.GeoDataFrame:
    """Named places with their representative points in EPSG:4326 and their keys."""
    named = places[places[name_column].notna() & ~places.geometry.isna()]
    points = named.geometry.representative_point().to_crs(WGS84)
    return gpd.GeoDataFrame(
        {
            "_name": named[name_column].astype("str").to_numpy(),
            "_exact": named[name_column].astype("str").str.strip().str.casefold().to_numpy(),
            "_key": named[name_column].map(normalise_name).to_numpy(),
        },
        geometry=points.to_numpy(),
        crs=WGS84,
    )


def _decide(
    name: object,
    gazetteer: gpd.GeoDataFrame,
    aliases: Mapping[str, str],
    min_ratio: float,
) -> tuple[int | None, str | None, str, str | None]:
    """``(place position, match, reason, candidates)`` for one distinct name."""
    key = normalise_name(name)
    if not key:
        return None, None, "no name", None
    if key in aliases:
        target = aliases[key]
        for column, value in (
            ("_exact", str(target).strip().casefold()),
            ("_key", normalise_name(target)),
        ):
            hits = np.flatnonzero(gazetteer[column].to_numpy() == value)
            if len(hits):
                return _pick(hits, gazetteer, "alias")
        return None, None, "alias target not found", str(target)
    for column, value, match in (
        ("_exact", str(name).strip().casefold(), "exact"),
        ("_key", key, "normalised"),
    ):
        hits = np.flatnonzero(gazetteer[column].to_numpy() == value)
        if len(hits):
            return _pick(hits, gazetteer, match)
    keys = gazetteer["_key"].to_numpy()
    prefix = np.array(
        [
            min(len(key), len(other)) >= MIN_PREFIX
            and (other.startswith(key) or key.startswith(other))
            for other in keys
        ],
        dtype=bool,
    )
    similar = np.array(
        [difflib.SequenceMatcher(None, key, other).ratio() >= min_ratio for other in keys],
        dtype=bool,
    )
    hits = np.flatnonzero(prefix | similar)
    if len(hits):
        return _pick(hits, gazetteer, "fuzzy")
    return None, None, "no match", None


def _pick(
    hits: np.ndarray, gazetteer: gpd.GeoDataFrame, match: str
) -> tuple[int | None, str | None, str, str | None]:
    names = "; ".join(sorted(gazetteer["_name"].to_numpy()[hits]))
    if len(hits) > 1:
        return None, None, "ambiguous", names
    return int(hits[0]), match, "", names


def _report(
    records: pd.DataFrame,
    names: pd.Series,
    matched: gpd.GeoDataFrame,
    unmatched: pd.DataFrame,
    *,
    top: int,
) -> GeocodeReport:
    counts = matched["geocode_match"].value_counts()
    by_match = tuple((kind, int(counts[kind])) for kind in MATCHES if kind in counts)
    left = names.reindex(unmatched.index).fillna("(no name)").astype("str")
    frequent = (
        left.value_counts()
        .sort_index(kind="stable")
        .sort_values(ascending=False, kind="stable")
        .head(top)
    )
    return GeocodeReport(
        total=len(records),
        with_coordinates=int((matched["geocode_match"] == "coordinates").sum()),
        matched=len(matched),
        unmatched=len(unmatched),
        ambiguous=int((unmatched["geocode_reason"] == "ambiguous").sum()),
        by_match=by_match,
        top_unmatched=tuple((str(name), int(count)) for name, count in frequent.items()),
    )
