"""Scenario time filtering, change dates, rules and the metric CRS."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import geopandas as gpd
import pytest
import shapely

import geoaccess as ga

ALEPPO_EXTENT = (36.95, 36.05, 37.35, 36.40)


@pytest.fixture
def scn() -> ga.Scenario:
    """Row 0 open-ended; row 1 from 17 July (inclusive) to 6 August (exclusive);
    row 2 until 17 July; row 3 from 6 August on."""
    zones = gpd.GeoDataFrame(
        {
            "party": ["saa", "reb", "saa", "saa"],
            "valid_from": [None, "2016-07-17", None, "2016-08-06"],
            "valid_to": [None, "2016-08-06", "2016-07-17", None],
        },
        geometry=[shapely.box(37.0, 36.1, 37.1, 36.3)] + [shapely.box(37.1, 36.1, 37.2, 36.3)] * 3,
        crs="EPSG:4326",
    )
    return ga.Scenario.create(
        "T",
        parties=[{"id": "saa", "side": "government"}, {"id": "reb", "side": "opposition"}],
        zones=zones,
        extent=ALEPPO_EXTENT,
    )


@pytest.mark.parametrize(
    ("date", "rows"),
    [
        ("2016-07-16", [0, 2]),  # the day before row 1 starts: row 2 still valid
        ("2016-07-17", [0, 1]),  # valid_from inclusive, valid_to exclusive
        ("2016-08-05", [0, 1]),
        ("2016-08-06", [0, 3]),
        ("1900-01-01", [0, 2]),  # open starts
        ("2100-01-01", [0, 3]),  # open ends
    ],
)
def test_at_interval_boundaries(scn: ga.Scenario, date: str, rows: list[int]) -> None:
    day = scn.at(date)
    assert list(day.zones.index) == rows
    assert day.date == dt.date.fromisoformat(date)
    assert day.extent == ALEPPO_EXTENT


def test_at_keeps_the_frame_of_the_whole_scenario() -> None:
    zones = gpd.GeoDataFrame(
        {"party": ["saa", "saa"], "valid_to": ["2016-07-17", None]},
        geometry=[shapely.box(0, 0, 2, 2), shapely.box(0, 0, 1, 1)],
        crs=4326,
    )
    scn = ga.Scenario.create("T", parties=[{"id": "saa", "side": "g"}], zones=zones)
    assert scn.at("2016-08-01").extent == (0.0, 0.0, 2.0, 2.0)


def test_change_dates(scn: ga.Scenario) -> None:
    assert scn.change_dates("2016-07-01", "2016-12-31") == [
        dt.date(2016, 7, 1),
        dt.date(2016, 7, 17),
        dt.date(2016, 8, 6),
    ]
    assert scn.change_dates("2016-07-18", "2016-08-05") == [dt.date(2016, 7, 18)]
    with pytest.raises(ValueError, match="before start"):
        scn.change_dates("2016-08-01", "2016-07-01")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "un"}, "Rules.scheme must be one of 'ocha', 'siege_watch'; got 'un'"),
        ({"unmapped": "x"}, "Rules.unmapped must be one of 'passable', 'hostile'; got 'x'"),
        ({"fire_control_m": -1}, "Rules.fire_control_m must be a finite distance >= 0"),
        ({"walk_speed_kmh": 0}, "Rules.walk_speed_kmh must be greater than 0"),
        ({"min_siege_days": 1.5}, "Rules.min_siege_days must be a whole number of days"),
        ({"distance_bands_m": (3000, 1000)}, "strictly increasing"),
    ],
)
def test_invalid_rules_list_what_is_allowed(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ga.Rules(**kwargs)


def test_rules_from_a_mapping_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match=r"unknown rule.*snap; known rules: distance_bands_m"):
        ga.Rules.from_mapping({"snap": 10})
    assert ga.Rules.from_mapping({"distance_bands_m": [500, 1000]}).distance_bands_m == (
        500.0,
        1000.0,
    )


def test_metric_crs_of_aleppo_is_utm_37n(scn: ga.Scenario) -> None:
    assert scn.metric_crs.to_epsg() == 32637


def test_metric_crs_honours_the_rules(scn: ga.Scenario) -> None:
    chosen = replace(scn, rules=ga.Rules(metric_crs="EPSG:22770"))  # Syria Lambert
    assert chosen.metric_crs.to_epsg() == 22770


def test_equals_sees_a_changed_zone(scn: ga.Scenario) -> None:
    assert scn.equals(replace(scn))
    moved = scn.zones.copy()
    moved.loc[0, "geometry"] = shapely.box(37.0, 36.1, 37.1, 36.31)
    assert not scn.equals(replace(scn, zones=moved))
    assert not scn.equals(replace(scn, rules=ga.Rules(snap_m=10)))
