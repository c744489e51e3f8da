"""The engine on the bundled Aleppo 2016 scenario."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import shared_file

import geoaccess as ga

# Points inside OCHA neighbourhoods
BUSTAN = shapely.Point(37.1419, 36.1908)  # N0204 Bustan Al-Qaser
NEW_ALEPPO = shapely.Point(37.0936, 36.1993)  # N0184
SHEIKH_MAQSOUD = shapely.Point(37.1525, 36.2361)  # N0123 Ash-Sheikh Maqsoud
D = dt.date
EXPECTED = [
    ("2016-07-05", "accessible"),  # Castello Road open, link about 5 km wide
    ("2016-07-10", "hard_to_reach"),  # Castello Road under fire control
    ("2016-07-20", "besieged"),  # road cut on 17 July
    ("2016-08-20", "hard_to_reach"),  # the narrow Ramouseh gap
    ("2016-09-20", "besieged"),  # gap closed on 4 September
    ("2016-12-23", "accessible"),  # government-held after the evacuation
]


@pytest.fixture(scope="module")
def aleppo() -> ga.Scenario:
    return ga.datasets.aleppo_2016()


@pytest.fixture(scope="module")
def timeline(bundled_half_year) -> ga.Timeline:
    return bundled_half_year


@pytest.fixture(scope="module")
def assessed(aleppo) -> Callable[[str], ga.Assessment]:
    """``ga.assess`` of the bundled scenario, computed once per date for this module's tests
    (which only read the results)."""
    return functools.cache(lambda day: ga.assess(aleppo, day))


def bustan_row(res: ga.Assessment):
    areas = res.areas[res.areas.contains(BUSTAN)]
    assert len(areas) == 1, "exactly one area should contain Bustan al-Qasr"
    return areas.iloc[0]


@pytest.mark.parametrize(("day", "status"), EXPECTED)
def test_statuses_at_the_reference_points(assessed, day, status):
    areas = assessed(day).areas

    def at(point):
        return areas.loc[areas.contains(point), "status"].item()

    assert bustan_row(assessed(day))["status"] == status
    assert at(NEW_ALEPPO) == "accessible"
    assert at(SHEIKH_MAQSOUD) != "besieged"


def test_fire_control_before_the_road_is_cut(assessed):
    assert bustan_row(assessed("2016-07-10"))["fire_controlled"]


def test_siege_reimposed_on_4_september(assessed):
    row = bustan_row(assessed("2016-09-20"))
    assert row["status_since"] == D(2016, 9, 4)


def test_government_holds_it_after_the_evacuation(assessed):
    row = bustan_row(assessed("2016-12-23"))
    assert row["side"] == "government" and row["status"] == "accessible"


def test_castello_road_is_the_eastern_lifeline_in_early_july(assessed):
    lifelines = assessed("2016-07-05").lifelines
    assert lifelines["name"].astype(str).str.contains("Castello").any()


def test_timeline_intervals_and_sheikh_maqsoud(aleppo, timeline):
    assert len(timeline.evaluated) == len(aleppo.change_dates("2016-07-01", "2016-12-31"))
    area_id = bustan_row(timeline.snapshots[0])["area_id"]
    runs = timeline.intervals[timeline.intervals["area_id"] == area_id]["status"].tolist()
    assert runs[:5] == ["accessible", "hard_to_reach", "besieged", "hard_to_reach", "besieged"]
    assert runs[-1] == "accessible"
    named = timeline.intervals["name"].astype(str)
    sheikh = timeline.intervals[named.str.contains("Sheikh Maqsoud")]
    assert len(sheikh) and "besieged" not in set(sheikh["status"])


def test_ocha_neighbourhoods_as_areas(aleppo):
    path = shared_file("derived_geojson/aleppo_city_neighborhoods_ocha_cod_ab.geojson")
    hoods = gpd.read_file(path)
    areas = gpd.GeoDataFrame(
        {"area_id": hoods["neighbor_2"].astype(object), "name": hoods["neighborho"].astype(object)},
        geometry=hoods.geometry.values,
        crs=hoods.crs,
    )
    layers = {**aleppo.layers, "areas": areas}
    layers.pop("zones")
    scn = ga.Scenario.create(
        aleppo.name,
        parties=aleppo.parties,
        zones=aleppo.zones,
        relations=aleppo.relations,
        rear=aleppo.rear,
        layers=layers,
        rules=aleppo.rules,
        extent=aleppo.extent,
    )
    res = ga.assess(scn, "2016-07-20")
    assert res.areas["status"].notna().all() and len(res.areas) == len(hoods)
    bustan = res.areas[res.areas["name"].astype(str).str.contains("Bustan Al-Qaser")]
    assert bustan["status"].tolist() == ["besieged"]


def runs_of(timeline: ga.Timeline, code: str) -> list[tuple[str, str, str, str]]:
    rows = timeline.intervals[timeline.intervals["area_id"] == code].sort_values("start")
    return [(row.side, row.status, str(row.start), str(row.end)) for row in rows.itertuples()]


def test_bustan_al_qasr_timeline_exactly(aleppo, timeline):
    """The exact runs of Bustan al-Qasr (OCHA N0204). It fell on 12 December (SOHR); on
    OCHA's boundaries it borders Sayf Ad-Dauleh, in the last enclave, so every road out of
    it passes within 1,500 m of opposition ground until the evacuation ends on 22 December.
    """
    assert runs_of(timeline, "N0204") == [
        ("opposition", "accessible", "2016-07-01", "2016-07-07"),
        ("opposition", "hard_to_reach", "2016-07-07", "2016-07-17"),
        ("opposition", "besieged", "2016-07-17", "2016-08-06"),
        ("opposition", "hard_to_reach", "2016-08-06", "2016-09-04"),
        ("opposition", "besieged", "2016-09-04", "2016-12-12"),
        ("government", "hard_to_reach", "2016-12-12", "2016-12-22"),
        ("government", "accessible", "2016-12-22", "2017-01-01"),
    ]
    fallen = bustan_row(ga.assess(aleppo, "2016-12-12"))
    assert fallen["side"] == "government" and fallen["open_supply_routes"] == 0
    assert not fallen["encircled"] and "road" in fallen["reason"]
    after = bustan_row(ga.assess(aleppo, "2016-12-22"))
    assert after["status"] == "accessible" and after["open_supply_routes"] >= 1


def test_hanano_and_salah_ad_din_timelines(timeline):
    """Two more neighbourhoods: Hanano fell first (26 November), Salah ad-Din was in the
    last enclave (OCHA Situation Report No. 7) until the evacuation ended."""
    siege = [
        ("opposition", "accessible", "2016-07-01", "2016-07-07"),
        ("opposition", "hard_to_reach", "2016-07-07", "2016-07-17"),
        ("opposition", "besieged", "2016-07-17", "2016-08-06"),
        ("opposition", "hard_to_reach", "2016-08-06", "2016-09-04"),
    ]
    hanano = runs_of(timeline, "N0129")
    assert hanano[:4] == siege
    assert hanano[4] == ("opposition", "besieged", "2016-09-04", "2016-11-26")
    assert hanano[-1] == ("government", "accessible", "2016-11-28", "2017-01-01")
    assert runs_of(timeline, "N0214") == [
        *siege,
        ("opposition", "besieged", "2016-09-04", "2016-12-22"),
        ("government", "accessible", "2016-12-22", "2017-01-01"),
    ]


def test_sheikh_maqsoud_is_never_besieged(timeline):
    runs = runs_of(timeline, "N0123")
    assert {side for side, *_ in runs} == {"sdf"}
    assert "besieged" not in {status for _, status, *_ in runs}


def test_besieged_areas_are_opposition_held(timeline):
    besieged = timeline.intervals[timeline.intervals["status"] == "besieged"]
    assert set(besieged["side"]) == {"opposition"}
    assert (timeline.intervals["status"] != "no_data").all()


def test_no_ground_is_unmapped_in_the_bundled_maps(aleppo, assessed):
    """The bundled zones cover the frame, so taking unmapped ground as hostile changes no
    answer. The slivers where the zones meet the frame's edge are not hostile ground:
    counted as such, they capped route clearances and left 54 of the 109 areas hard to
    reach instead of accessible on 23 December."""
    day = "2016-12-23"
    hostile = ga.assess(aleppo, day, dataclasses.replace(aleppo.rules, unmapped="hostile"))
    for name in ("areas", "pockets"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(hostile, name)),
            pd.DataFrame(getattr(assessed(day), name)),
            obj=name,
        )


def test_pockets_alone_equal_the_assessment_pockets(aleppo, assessed):
    """The same pockets; only the assessment counts their people (``population*``)."""
    for day in ("2016-07-20", "2016-12-23"):
        full = assessed(day).pockets
        people = [c for c in full if c.startswith("population")]
        assert people == ["population"]
        pd.testing.assert_frame_equal(ga.pockets(aleppo, day), full.drop(columns=people))


def test_status_only_walk_agrees_with_full_evaluations(aleppo):
    from geoaccess.engine.cache import Cache
    from geoaccess.engine.context import project_scenario
    from geoaccess.pipeline.evaluate import evaluate

    ctx = project_scenario(aleppo, aleppo.rules)
    # a cache per depth, shared by its dates as in a timeline or a walk back: nothing
    # computed at one depth is reused by another
    light_cache, status_cache, encircled_cache = Cache(), Cache(), Cache()
    for day in aleppo.change_dates("2016-07-01", "2016-12-31"):
        light = evaluate(ctx, light_cache, day, detail="light").units.set_index("area_id")
        states = evaluate(ctx, status_cache, day, detail="status").units.set_index("area_id")
        circled = evaluate(ctx, encircled_cache, day, detail="encircled").units.set_index("area_id")
        assert states["base_status"].tolist() == light["base_status"].tolist()
        assert states["encircled"].tolist() == light["encircled"].tolist()
        assert circled["encircled"].tolist() == light["encircled"].tolist()


def test_timeline_on_two_threads_is_the_same(aleppo, timeline):
    threaded = ga.timeline(aleppo, "2016-07-01", "2016-12-31", threads=2)
    assert threaded.evaluated == timeline.evaluated
    pd.testing.assert_frame_equal(threaded.intervals, timeline.intervals)
    for a, b in zip(threaded.snapshots, timeline.snapshots, strict=True):
        assert a.date == b.date
        pd.testing.assert_frame_equal(pd.DataFrame(a.areas), pd.DataFrame(b.areas))
        pd.testing.assert_frame_equal(pd.DataFrame(a.pockets), pd.DataFrame(b.pockets))


def test_assess_walking_back_on_two_threads_is_the_same(aleppo, assessed):
    """``status_since`` (and everything else) as when the walk runs one date at a time:
    on 20 September it walks back over the gap of August and the siege of July."""
    day = "2016-09-20"
    threaded = ga.assess(aleppo, day, threads=2)
    pd.testing.assert_frame_equal(pd.DataFrame(threaded.areas), pd.DataFrame(assessed(day).areas))
    pd.testing.assert_frame_equal(
        pd.DataFrame(threaded.pockets), pd.DataFrame(assessed(day).pockets)
    )
