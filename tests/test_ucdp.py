"""UCDP GED CSVs read into the incidents layer (geoaccess.io.ucdp)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geoaccess.errors import ScenarioError
from geoaccess.io.ucdp import read_ucdp_ged
from tests.conftest import shared_file

GED_SUBSET = "ucdp_ged/ucdp_ged_syria_2011_2019_subset.csv"
NEIGHBOURHOODS = "derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson"
ADMIN3 = "derived_geojson/syr_admin3_ocha_cod_ab.geojson"


@pytest.fixture
def full_ged() -> pd.DataFrame:
    """Four events as the full GED release has them (day-dated, typed, with ``best``)."""
    return pd.DataFrame(
        {
            "id": [10, 11, 12, 13],
            "year": [2016, 2016, 2016, 2017],
            "type_of_violence": [1, 2, 3, 1],
            "side_a": ["Government of Syria", "IS", "IS", "Government of Syria"],
            "side_b": ["Syrian insurgents", "SDF", "Civilians", "Syrian insurgents"],
            "country": ["Syria", "Syria", "Iraq", "Syria"],
            "where_prec": [1, 2, 1, 4],
            "latitude": [36.2, 36.5, 36.3, 35.9],
            "longitude": [37.16, 38.0, 43.1, 36.6],
            "date_start": ["2016-07-17", "2016-08-01 00:00:00.000", "2016-12-31", ""],
            "date_end": ["2016-07-17", "2016-08-05 00:00:00.000", "2016-12-31", ""],
            "deaths_a": [1, 0, 0, 2],
            "deaths_b": [2, 1, 0, 2],
            "deaths_civilians": [0, 0, 9, 0],
            "deaths_unknown": [0, 3, 0, 0],
            "best": [3, 4, 9, 4],
        }
    )


def test_full_release_dates_kinds_and_deaths(full_ged: pd.DataFrame) -> None:
    events = read_ucdp_ged(full_ged)
    assert events.crs == "EPSG:4326"
    assert list(events["date_precision"]) == ["day", "range", "day", "year"]
    assert list(events["valid_from"]) == [
        pd.Timestamp(d) for d in ("2016-07-17", "2016-08-01", "2016-12-31", "2017-01-01")
    ]
    assert list(events["valid_to"]) == [
        pd.Timestamp(d) for d in ("2016-07-18", "2016-08-06", "2017-01-01", "2018-01-01")
    ]
    # a day only where start and end agree: no day is invented for a range or a year
    assert events["date"].tolist()[0] == pd.Timestamp("2016-07-17")
    assert events["date"].isna().tolist() == [False, True, False, True]
    assert list(events["kind"]) == ["state-based", "non-state", "one-sided", "state-based"]
    assert set(events["kind_source"]) == {"type_of_violence"}
    assert list(events["fatalities"]) == [3, 4, 9, 4]
    assert list(events["actor"]) == list(full_ged["side_a"])
    assert list(events["actor2"]) == list(full_ged["side_b"])
    assert list(events["event_id"]) == ["10", "11", "12", "13"]
    assert set(events["source"]) == {"UCDP GED"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"start": "2016-08-03", "end": "2016-08-03"}, ["11"]),  # inside the range
        ({"start": "2016-08-06"}, ["12", "13"]),  # the range ended on 5 Aug
        ({"end": "2016-07-17"}, ["10"]),
        ({"start": "2017-06-01", "end": "2017-06-30"}, ["13"]),  # year-only 2017 overlaps
        ({"country": "syria"}, ["10", "11", "13"]),
        ({"country": ["Iraq"]}, ["12"]),
        ({"max_where_prec": 1}, ["10", "12"]),
    ],
)
def test_filters(full_ged: pd.DataFrame, options: dict, expected: list[str]) -> None:
    assert list(read_ucdp_ged(full_ged, **options)["event_id"]) == expected


def test_kind_is_inferred_from_sides_without_type_of_violence(
    full_ged: pd.DataFrame,
) -> None:
    events = read_ucdp_ged(full_ged.drop(columns=["type_of_violence"]))
    assert list(events["kind"]) == ["state-based", "non-state", "one-sided", "state-based"]
    assert set(events["kind_source"]) == {"inferred from sides"}


def test_fatalities_never_count_deaths_battle_twice(full_ged: pd.DataFrame) -> None:
    extract = full_ged.drop(columns=["best"]).assign(
        deaths_battle=full_ged["deaths_a"] + full_ged["deaths_b"]
    )
    assert list(read_ucdp_ged(extract)["fatalities"]) == [3, 4, 9, 4]


def test_bad_rows_are_all_reported_at_once(full_ged: pd.DataFrame) -> None:
    bad = full_ged.astype(object)
    bad.loc[0, "latitude"] = "north"
    bad.loc[1, "date_end"] = "2016-07-01"  # before date_start
    bad.loc[2, "type_of_violence"] = 4
    bad.loc[3, "year"] = "twenty"
    bad.loc[3, "best"] = -2
    with pytest.raises(ScenarioError) as caught:
        read_ucdp_ged(bad)
    assert {(p.layer, p.row, p.column) for p in caught.value.problems} == {
        ("incidents", "10", "latitude"),
        ("incidents", "11", "date_end"),
        ("incidents", "12", "type_of_violence"),
        ("incidents", "13", "year"),
        ("incidents", "13", "best"),
    }


def test_needs_a_date_or_a_year(full_ged: pd.DataFrame) -> None:
    with pytest.raises(ScenarioError, match="column 'year'"):
        read_ucdp_ged(full_ged.drop(columns=["date_start", "date_end", "year"]))


def test_bad_option(full_ged: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="max_where_prec"):
        read_ucdp_ged(full_ged, max_where_prec=8)


# ------------------------------------------------------------------ the real extract
@pytest.fixture(scope="module")
def syria_ged() -> gpd.GeoDataFrame:
    """The shared UCDP GED Syria 2011-2019 extract (year only, no day)."""
    return read_ucdp_ged(shared_file(GED_SUBSET))


def test_real_extract_row_counts(syria_ged: gpd.GeoDataFrame) -> None:
    assert len(syria_ged) == 52049
    by_year = syria_ged["valid_from"].dt.year.value_counts()
    assert by_year[2016] == 5460
    assert set(syria_ged["date_precision"]) == {"year"}
    # the extract has no type_of_violence and no one-sided events (no side_b "Civilians")
    assert syria_ged["kind"].value_counts().to_dict() == {"state-based": 45865, "non-state": 6184}


def test_real_extract_invents_no_day(syria_ged: gpd.GeoDataFrame) -> None:
    in_2016 = syria_ged[syria_ged["valid_from"].dt.year == 2016]
    assert (in_2016["valid_from"] == pd.Timestamp("2016-01-01")).all()
    assert (in_2016["valid_to"] == pd.Timestamp("2017-01-01")).all()
    assert in_2016["date"].isna().all()


def test_real_extract_fatalities_are_deaths_total(syria_ged: gpd.GeoDataFrame) -> None:
    raw = pd.read_csv(shared_file(GED_SUBSET))
    assert (syria_ged["fatalities"].to_numpy() == raw["deaths_total"].to_numpy()).all()


def test_real_extract_window_keeps_year_2016_for_the_siege() -> None:
    siege = read_ucdp_ged(
        shared_file(GED_SUBSET),
        start="2016-07-17",
        end="2016-12-22",
        country="Syria",
        max_where_prec=2,
    )
    assert set(siege["valid_from"]) == {pd.Timestamp("2016-01-01")}
    raw = pd.read_csv(shared_file(GED_SUBSET))
    assert len(siege) == ((raw["year"] == 2016) & (raw["where_prec"] <= 2)).sum() == 5042


def test_real_extract_aleppo_city_2016(syria_ged: gpd.GeoDataFrame) -> None:
    """Events of 2016 in Aleppo city.

    The data README gives 818. The extract has no ``adm_1``, ``adm_2`` or
    ``where_coordinates`` column to select "Aleppo city" by name, so the figure cannot be
    reproduced exactly; spatial selections give 720 events inside the 109 OCHA
    neighbourhood polygons, 813 inside the sub-district holding the city (SY020000), and
    679 at the city's own coordinate (36.20124 N, 37.16117 E, UCDP's point for events
    located only to "Aleppo city").
    """
    in_2016 = syria_ged[syria_ged["valid_from"].dt.year == 2016]
    city = gpd.read_file(shared_file(NEIGHBOURHOODS)).to_crs(in_2016.crs).union_all()
    assert int(in_2016.within(city).sum()) == 720
    admin3 = gpd.read_file(shared_file(ADMIN3)).to_crs(in_2016.crs)
    subdistrict = admin3.loc[admin3["adm3_pcode"] == "SY020000"].union_all()
    assert int(in_2016.within(subdistrict).sum()) == 813
    at_city_point = (in_2016.geometry.x.round(5) == 37.16117) & (
        in_2016.geometry.y.round(5) == 36.20124
    )
    assert int(at_city_point.sum()) == 679


def test_manifest_format_ucdp(full_ged: pd.DataFrame, tmp_path) -> None:
    import shapely

    import geoaccess as ga

    full_ged.to_csv(tmp_path / "ged.csv", index=False)
    gpd.GeoDataFrame(
        {"party": ["a"]}, geometry=[shapely.box(36.5, 35.5, 44.0, 37.0)], crs="EPSG:4326"
    ).to_file(tmp_path / "zones.geojson")
    (tmp_path / "scenario.toml").write_text(
        'name = "ged"\n[[parties]]\nid = "a"\nside = "A"\n[layers]\n'
        'zones = "zones.geojson"\nincidents = { path = "ged.csv", format = "ucdp" }\n'
    )
    scn = ga.read_scenario(tmp_path)
    assert len(scn.incidents) == 4
    # year-only and ranged events stay intervals: valid on a day inside them, not outside
    assert set(scn.at("2016-08-03").incidents["kind"]) == {"non-state"}
    assert len(scn.at("2017-06-01").incidents) == 1
