"""Geocoding records by place name (geoaccess.geocode)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point, box

from geoaccess.errors import ScenarioError
from geoaccess.io.geocode import geocode_by_name, normalise_name
from tests.conftest import shared_file

NEIGHBOURHOODS = "derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson"
VIOLATIONS = "syrian_archive/violations.csv"
PLACES = "syrian_archive/syrian_places.csv"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Bustan al-Qasr", "Bustan Al-Qaser"),
        ("Sheikh Maqsoud", "Ash-Sheikh Maqsoud"),
        ("Salah al-Din", "Salah Ad-Deen"),
        ("Salah Eddin", "Salah Ad-Deen"),
        ("Shaykh Said", "Sheikh Said"),
        ("Kalaseh", "Kallaseh"),
        ("Haydariyah", "Haydariyeh"),
        ("Al-Fardos", "Fardos"),
        ("ṣalāḥ al-dīn", "Salah Ad-Deen"),
        ("Qa'alet Al-Sharif", "Qaalet al Sharif"),
    ],
)
def test_normaliser_joins_spelling_variants(one: str, other: str) -> None:
    assert normalise_name(one) == normalise_name(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sheikh Fares", "Sheikh Said"),
        ("Bab Nayrab", "Al-Nayrab"),
        ("Al-Ansari", "East Al-Ansari"),
        ("Bustan al-Basha", "Bustan Al-Qaser"),
    ],
)
def test_normaliser_keeps_different_places_apart(one: str, other: str) -> None:
    assert normalise_name(one) != normalise_name(other)


@pytest.mark.parametrize("name", [None, float("nan"), "", " - "])
def test_normaliser_of_no_name_is_empty(name: object) -> None:
    assert normalise_name(name) == ""


@pytest.fixture
def places() -> gpd.GeoDataFrame:
    """Five unit squares along the x axis, each with a name (in a metric CRS)."""
    names = ["Bustan Al-Qaser", "Sheikh Fares", "Sheikh Said", "Karm Al-Qaterji", "Al-Ansari"]
    squares = [box(1000 * i, 0, 1000 * i + 500, 500) for i in range(len(names))]
    return gpd.GeoDataFrame({"name": names}, geometry=squares, crs="EPSG:32637")


def test_every_kind_of_match(places: gpd.GeoDataFrame) -> None:
    records = pd.DataFrame(
        {
            "place": [
                "Sheikh Fares",
                "Bustan al-Qasr",
                "Karam al-Qaterji",
                "Ansari",
                "Sheikh",
                "Atlantis",
                None,
                "Ansari",
                "Hanano",
            ],
            "lon": [None, None, None, None, None, None, None, 37.1, None],
            "lat": [None, None, None, None, None, None, None, 36.2, None],
        },
        index=list("abcdefghi"),
    )
    matched, unmatched, report = geocode_by_name(
        records, places, name_column="place", aliases={"hanano": "Al-Ansari"}
    )
    assert list(matched.index) == ["a", "b", "c", "d", "h", "i"]
    assert list(matched["geocode_match"]) == [
        "exact",
        "normalised",
        "fuzzy",
        "normalised",
        "coordinates",
        "alias",
    ]
    assert list(matched["geocode_place"].fillna("-")) == [
        "Sheikh Fares",
        "Bustan Al-Qaser",
        "Karm Al-Qaterji",
        "Al-Ansari",
        "-",
        "Al-Ansari",
    ]
    assert list(matched["geocode_precision"]) == ["place-name"] * 4 + ["coordinates", "place-name"]
    assert matched.crs == "EPSG:4326"
    # a place name puts the record inside its polygon; given coordinates are kept
    squares = places.to_crs(4326).geometry
    assert matched.loc["a"].geometry.within(squares[1])
    assert matched.loc["h"].geometry.equals(Point(37.1, 36.2))
    assert list(unmatched.index) == ["e", "f", "g"]
    assert list(unmatched["geocode_reason"]) == ["ambiguous", "no match", "no name"]
    assert unmatched.loc["e", "geocode_candidates"] == "Sheikh Fares; Sheikh Said"
    assert (report.total, report.matched, report.unmatched, report.ambiguous) == (9, 6, 3, 1)
    assert report.with_coordinates == 1
    assert dict(report.by_match) == {
        "coordinates": 1,
        "exact": 1,
        "normalised": 2,
        "alias": 1,
        "fuzzy": 1,
    }
    assert list(records.columns) == ["place", "lon", "lat"]  # input unchanged


def test_ambiguous_name_stays_unmatched() -> None:
    """Two places share a key: neither is picked, both are named as candidates."""
    places = gpd.GeoDataFrame(
        {"name": ["Al-Nayrab", "Nayrab"]}, geometry=[Point(0, 0), Point(1, 1)], crs=4326
    )
    records = pd.DataFrame({"place": ["Al Nayrab", "Nayrab camp"]})
    matched, unmatched, report = geocode_by_name(records, places, name_column="place")
    assert matched.empty
    assert list(unmatched["geocode_reason"]) == ["ambiguous", "ambiguous"]
    assert list(unmatched["geocode_candidates"]) == ["Al-Nayrab; Nayrab"] * 2
    assert report.ambiguous == 2


def test_fuzzy_needs_exactly_one_candidate() -> None:
    places = gpd.GeoDataFrame(
        {"name": ["Qadi Askar", "Sheikh Said", "Sheikh Saidi"]},
        geometry=[Point(0, 0), Point(1, 1), Point(2, 2)],
        crs=4326,
    )
    records = pd.DataFrame({"n": ["Qadi Askr", "Sheikh Sayid", "Sheikh Said"]})
    matched, unmatched, _ = geocode_by_name(records, places, name_column="n")
    # similar to one place only: matched; similar to two: not; exact beats fuzzy
    assert list(matched["geocode_place"]) == ["Qadi Askar", "Sheikh Said"]
    assert list(matched["geocode_match"]) == ["fuzzy", "exact"]
    assert unmatched.loc[1, "geocode_reason"] == "ambiguous"
    assert unmatched.loc[1, "geocode_candidates"] == "Sheikh Said; Sheikh Saidi"


def test_alias_to_an_unknown_place(places: gpd.GeoDataFrame) -> None:
    _, unmatched, _ = geocode_by_name(
        pd.DataFrame({"n": ["Alshaar"]}), places, name_column="n", aliases={"Alshaar": "Sha'aar"}
    )
    assert unmatched.loc[0, "geocode_reason"] == "alias target not found"


def test_geodataframe_records_keep_their_geometry(places: gpd.GeoDataFrame) -> None:
    records = gpd.GeoDataFrame(
        {"n": ["Sheikh Said", "Sheikh Said"]}, geometry=[Point(37, 36), None], crs=4326
    )
    matched, unmatched, _ = geocode_by_name(records, places, name_column="n")
    assert list(matched["geocode_match"]) == ["coordinates", "exact"]
    assert matched.geometry[0].equals(Point(37, 36))
    assert unmatched.empty


def test_bad_coordinates_and_columns_raise(places: gpd.GeoDataFrame) -> None:
    records = pd.DataFrame(
        {"n": ["x", "y"], "Longitude": [37.1, 370.0], "Latitude": ["north", 36.2]}
    )
    with pytest.raises(ScenarioError) as caught:
        geocode_by_name(records, places, name_column="n")
    assert {(p.layer, p.row, p.column) for p in caught.value.problems} == {
        ("incidents", 1, "Longitude"),
        ("incidents", 0, "Latitude"),
    }
    with pytest.raises(ScenarioError, match="column 'where'"):
        geocode_by_name(records, places, name_column="where")
    with pytest.raises(ValueError, match="min_ratio"):
        geocode_by_name(records, places, name_column="n", min_ratio=0.2)


# ------------------------------------------------------------------ the real files
@pytest.fixture(scope="module")
def aleppo_records() -> pd.DataFrame:
    """Syrian Archive records in Aleppo governorate, 1 July to 31 December 2016."""
    records = pd.read_csv(shared_file(VIOLATIONS))
    day = pd.to_datetime(records["Recording_Date"], format="%Y-%m-%d")
    in_aleppo = records["City"].str.casefold().eq("aleppo")
    return records[in_aleppo & day.between("2016-07-01", "2016-12-31")]


def test_syrian_archive_aleppo_second_half_2016(aleppo_records: pd.DataFrame) -> None:
    assert len(aleppo_records) == 1747
    neighbourhoods = gpd.read_file(shared_file(NEIGHBOURHOODS))
    assert len(neighbourhoods) == 109
    matched, unmatched, report = geocode_by_name(
        aleppo_records, neighbourhoods, name_column="Neighborhood", place_name_column="neighborho"
    )
    assert len(matched) + len(unmatched) == report.total == 1747
    assert set(matched.index) | set(unmatched.index) == set(aleppo_records.index)
    assert (report.matched, report.unmatched, report.ambiguous) == (395, 1352, 0)
    assert dict(report.by_match) == {
        "coordinates": 33,
        "exact": 15,
        "normalised": 247,
        "fuzzy": 100,
    }
    assert report.top_unmatched[0] == ("(no name)", 256)
    # the transliteration variants of the motivating case meet their OCHA neighbourhood
    found = matched.drop_duplicates("Neighborhood").set_index("Neighborhood")
    assert found.loc["Bustan al-Qasr", "geocode_place"] == "Bustan Al-Qaser"
    assert found.loc["Sheikh Maqsoud", "geocode_place"] == "Ash-Sheikh Maqsoud"
    assert found.loc["Salah al-Din", "geocode_place"] == "Salah Ad-Deen"
    # every record placed by name lies in the neighbourhood it was matched to
    by_name = matched[matched["geocode_precision"] == "place-name"]
    polygons = neighbourhoods.set_index("neighborho").geometry
    inside = by_name.geometry.within(
        polygons.reindex(by_name["geocode_place"]).set_axis(by_name.index)
    )
    assert inside.all()

    # second pass: what the neighbourhoods left, against the Archive's own gazetteer
    table = pd.read_csv(shared_file(PLACES))
    table = table[table["City"].str.casefold().eq("aleppo")]
    gazetteer = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["Longitude"], table["Latitude"]), crs=4326
    )
    _, left, second = geocode_by_name(
        unmatched.drop(columns=["geocode_reason", "geocode_candidates"]),
        gazetteer,
        name_column="Neighborhood",
        place_name_column="Neighborhood",
    )
    assert (second.matched, second.unmatched) == (635, 717)
    assert report.matched + second.matched + len(left) == 1747
