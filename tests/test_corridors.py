"""Corridors: entrance and exit pockets, front-line crossings."""

from __future__ import annotations

import pytest
import shapely
from _builders import disc_scenario

import geoaccess as ga


def test_corridor_from_the_disc_crosses_the_ring_twice():
    res = ga.assess(
        disc_scenario(corridors=[("aid", "open"), ("civilian", "announced")]), "2020-02-01"
    )
    table = res.corridors.set_index("corridor_id")
    assert list(table.index) == ["c0", "c1"]
    first = table.loc["c0"]
    assert first["entrance_pocket"] == "A-2" and first["entrance_side"] == "A"
    assert first["entrance_area"] == "disc"
    assert first["exit_pocket"] == "A-1" and first["exit_area"] is None
    # 0 -> 8 km northwards: crosses the inner (2 km) and outer (6 km) front lines
    assert first["front_line_crossings"] == 2 and first["crosses_front_line"]
    assert first["length_m"] == pytest.approx(8_000, rel=1e-3)
    # within 5 km of the entrance at the disc's centre, on the entrance side's passable
    # ground only, which stops snap_m / 2 = 25 m short of the front line: the disc's 10,000
    # people and the "edge" box's 3,000 (spread over 2 km²), each by its share of that ground
    passable = shapely.Point(0, 0).buffer(2_000 - 25, 512)
    disc = shapely.Point(0, 0).buffer(2_000, 512)
    edge_box = shapely.box(1_000, -500, 3_000, 500)
    expected = (
        10_000 * passable.area / disc.area
        + 3_000 * shapely.intersection(edge_box, passable).area / edge_box.area
    )
    assert first["population_within_reach"] == pytest.approx(expected, rel=2e-3)
    pockets = res.pockets.set_index("pocket_id")
    assert pockets.loc["A-2", "open_corridors"] == 1
    assert pockets.loc["A-2", "status"] == "hard_to_reach"
    assert "aid corridor" in pockets.loc["A-2", "reason"]


@pytest.mark.parametrize("day", ["2016-08-01", "2016-12-15"])
def test_every_corridor_keeps_its_line(day: str) -> None:
    """Each corridor of the results is drawn as the scenario's line for it (the table's
    rows are labelled by their place in the layer, not 0..n: the lines once followed the
    labels and only the layer's first corridor kept one)."""
    scn = ga.datasets.aleppo_2016()
    res = ga.assess(scn, day)
    table = res.corridors
    assert len(table) >= 4
    assert not table.geometry.isna().any()
    drawn = scn.at(day).corridors.set_index("corridor_id").geometry
    for row in table.itertuples():
        want = drawn.loc[row.corridor_id]
        assert row.geometry.hausdorff_distance(want) < 1e-6, row.corridor_id
