"""Population at risk on the bundled Aleppo 2016 scenario."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import geoaccess as ga
from geoaccess.crs import to_metric


@pytest.fixture(scope="module")
def aleppo() -> ga.Scenario:
    return ga.datasets.aleppo_2016()


@pytest.fixture(scope="module")
def july20(bundled_20_july) -> ga.Assessment:
    return bundled_20_july


def east_population(aleppo, res) -> float:
    """People of the districts inside the besieged pocket(s), by area share.

    Both layers are projected as the engine projects them (long lon/lat edges densified).
    """
    crs = res.metric_crs
    areas = to_metric(aleppo.areas, crs)
    pockets = to_metric(res.pockets[res.pockets["status"] == "besieged"], crs)
    east = shapely.union_all(pockets.geometry.values)
    share = shapely.area(shapely.intersection(areas.geometry.values, east)) / shapely.area(
        areas.geometry.values
    )
    return float(np.sum(areas["population"].to_numpy(float) * share))


def test_besieged_population_is_the_eastern_districts(aleppo, july20):
    table = july20.population.set_index(["category", "label"])
    besieged = table.loc[("status", "besieged"), "population"]
    expected = east_population(aleppo, july20)
    assert besieged == pytest.approx(expected, rel=1e-6)
    assert besieged == pytest.approx(250_000, rel=0.02)
    assert july20.details["population_source"] == "areas"
    totals = table.loc["total", "population"]
    assert totals["input"] == pytest.approx(totals["assigned"] + totals["outside"], abs=1e-9)


def test_population_within_reach_of_bustan_al_qasr(aleppo, july20):
    res = ga.assess(aleppo, "2016-07-30")  # the corridor is open 30 July - 5 August
    row = res.corridors[res.corridors["name"].astype(str).str.contains("Bustan")].iloc[0]
    east = east_population(aleppo, july20)
    assert 0 < row["population_within_reach"] <= east + 1e-6
    assert 0 < row["population_within_reach_network"] <= row["population_within_reach"] + 1e-6
    assert row["walk_minutes_p50"] > 0


#: Catchments place people on a 100 m grid, each piece of a cell at its centroid; along the
#: jagged front of OCHA's neighbourhoods a few pieces' centroids fall across the line, so the
#: people the east's facilities serve match the east's population to 0.1%, not exactly.
GRID_TOLERANCE = 1e-3


def test_eastern_facilities_serve_only_the_besieged_east(aleppo, july20):
    """Catchments stop at the front: the east's school serves the east's people only."""
    east = east_population(aleppo, july20)
    rows = july20.facilities
    located = july20.population.set_index(["category", "label"]).loc[
        ("total", "assigned"), "population"
    ]
    for kind, group in rows.groupby("kind"):
        inside = group[group["status"] == "besieged"]
        assert inside["population_served"].sum() <= east * (1 + GRID_TOLERANCE), kind
        total = group["population_served"].sum() + group["population_unserved"].iloc[0]
        assert total == pytest.approx(located, rel=1e-9), kind
    school = rows[(rows["kind"] == "school") & (rows["status"] == "besieged")]
    assert school["population_served"].sum() == pytest.approx(east, rel=GRID_TOLERANCE)
