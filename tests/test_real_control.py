"""Real control maps, read as a user would, against the dated facts reporting gives.

``../shared/data/real_control/avdiivka_2024`` holds DeepState's maps of Avdiivka as
published: one file per date, the occupied ground (``ru``) and the grey zone, nothing
else. They are read through a manifest exactly as an analyst would write it: snapshots,
Ukraine holding the rest of its boundary, the grey zone a contested side, and no
hand-made intervals. The facts asserted are the ones its README lists. The OCHA Aleppo
neighbourhoods are read through a manifest as COD-AB areas. Every test skips with a
reason when the data is absent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _builders import one_fine_buffer
from conftest import SHARED_DATA

import geoaccess as ga
from geoaccess.cli import main
from geoaccess.engine import safe_ground

AVDIIVKA = SHARED_DATA / "real_control" / "avdiivka_2024"
SNAPSHOT_DATES = [
    "2023-10-10",
    "2023-12-15",
    "2024-02-01",
    "2024-02-10",
    "2024-02-15",
    "2024-02-16",
    "2024-02-18",
]


@pytest.fixture(scope="module")
def avdiivka(tmp_path_factory: pytest.TempPathFactory) -> ga.Scenario:
    """The Avdiivka maps behind a manifest written as an analyst would write it."""
    if not (AVDIIVKA / "snapshots").is_dir():
        pytest.skip(f"the real Avdiivka maps are absent ({AVDIIVKA})")
    folder = tmp_path_factory.mktemp("avdiivka")
    (folder / "scenario.toml").write_text(
        f"""
name = "Avdiivka, October 2023 - February 2024 (DeepState)"
extent = [37.0, 47.75, 38.5, 48.55]

[[parties]]
id = "ru"
side = "russia"

[[parties]]
id = "grey_zone"
side = "grey"

[[parties]]
id = "ua"
side = "ukraine"

[sides.grey]
kind = "contested"

[sides.ukraine]
holds_rest = "{AVDIIVKA / "ukraine_boundary.geojson"}"

[layers]
zones = {{ snapshots = "{AVDIIVKA / "snapshots"}/*.geojson", party_column = "party" }}
areas = "{AVDIIVKA / "areas.geojson"}"
""",
        encoding="utf-8",
    )
    return ga.read_scenario(folder, allow_outside=True)


@pytest.fixture(scope="module")
def assessed(avdiivka: ga.Scenario) -> dict[str, pd.Series]:
    """The ``avdiivka`` area on every snapshot date."""
    return {day: ga.assess(avdiivka, day).areas.iloc[0] for day in SNAPSHOT_DATES}


def test_the_snapshots_are_read_as_published(avdiivka: ga.Scenario) -> None:
    zones = avdiivka.zones
    ru = zones[zones["party"] == "ru"]
    starts = ru["valid_from"].dt.strftime("%Y-%m-%d").tolist()
    assert starts == SNAPSHOT_DATES  # every map differs from the one before
    assert ru["valid_to"].iloc[:-1].dt.strftime("%Y-%m-%d").tolist() == SNAPSHOT_DATES[1:]
    assert pd.isna(ru["valid_to"].iloc[-1])
    # Ukraine holds the rest of its boundary from the first map on, one zone a map
    ua = zones[zones["party"] == "ua"]
    assert ua["valid_from"].dt.strftime("%Y-%m-%d").tolist() == SNAPSHOT_DATES
    assert avdiivka.contested == ("grey",)


def test_never_encircled_up_to_16_february(assessed: dict[str, pd.Series]) -> None:
    for day in SNAPSHOT_DATES[:-1]:
        assert not assessed[day]["encircled"], day


def test_accessible_until_the_salient_narrowed(assessed: dict[str, pd.Series]) -> None:
    for day in ("2023-10-10", "2023-12-15", "2024-02-01", "2024-02-10"):
        assert assessed[day]["status"] == "accessible", day
        assert assessed[day]["side"] == "ukraine"


def test_fire_controlled_on_15_and_16_february(assessed: dict[str, pd.Series]) -> None:
    for day in ("2024-02-15", "2024-02-16"):
        row = assessed[day]
        assert (row["status"], row["fire_controlled"]) == ("hard_to_reach", True), day
        assert row["status_since"] == dt.date(2024, 2, 15)
        assert row["status_since_known"]


def test_route_clearance_never_widens(assessed: dict[str, pd.Series]) -> None:
    held = [assessed[day]["route_clearance_m"] for day in SNAPSHOT_DATES[:-1]]
    assert all(b <= a for a, b in itertools.pairwise(held)), held
    # an independent computation gives about 1,170 m and 1,030 m; the design allows ±50 m
    assert assessed["2024-02-15"]["route_clearance_m"] == pytest.approx(1_170, abs=50)
    assert assessed["2024-02-16"]["route_clearance_m"] == pytest.approx(1_030, abs=50)


def test_from_18_february_it_lies_in_russian_or_grey_ground(
    assessed: dict[str, pd.Series],
) -> None:
    side = assessed["2024-02-18"]["side"]
    assert side == "russia" or pd.isna(side)


def test_the_timeline_agrees_with_the_assessments(
    avdiivka: ga.Scenario, assessed: dict[str, pd.Series]
) -> None:
    tl = ga.timeline(avdiivka, "2023-10-10", "2024-02-29")
    runs = tl.intervals[["side", "status", "start", "end"]].astype(str).values.tolist()
    assert runs == [
        ["ukraine", "accessible", "2023-10-10", "2024-02-15"],
        ["ukraine", "hard_to_reach", "2024-02-15", "2024-02-18"],
        [
            str(assessed["2024-02-18"]["side"]),
            str(assessed["2024-02-18"]["status"]),
            "2024-02-18",
            "2024-03-01",
        ],
    ]


def test_two_threads_give_the_one_thread_assessment(avdiivka: ga.Scenario) -> None:
    """On 16 February the walk back (on the workers, beside the day's own evidence)
    passes 15 February and stops at 10 February: the same frames as one thread gives."""
    day = "2024-02-16"
    one, two = ga.assess(avdiivka, day), ga.assess(avdiivka, day, threads=2)
    assert two.areas.iloc[0]["status_since"] == dt.date(2024, 2, 15)
    for name in ("areas", "pockets", "front_lines", "population"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(two, name)), pd.DataFrame(getattr(one, name)), obj=name
        )


@pytest.mark.parametrize("day", ["2023-10-10", "2024-02-10"])
def test_no_ground_is_unmapped_where_ukraine_holds_the_rest(
    avdiivka: ga.Scenario, day: str
) -> None:
    """Ukraine holds all the ground the maps leave, so taking unmapped ground as hostile
    changes nothing: the slivers, up to 4 m wide, where the zones part from the frame's
    edge (float noise, and the metres the simplification moves either) are not hostile
    ground. Counted as such, they lined the rear and capped the route clearance of
    Ukraine's pocket at 4,250 m and 4,225 m on these dates, against the 10 km cap."""
    passable = ga.assess(avdiivka, day)
    hostile = ga.assess(avdiivka, day, rules=ga.Rules(unmapped="hostile"))
    for name in ("areas", "pockets"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(hostile, name)), pd.DataFrame(getattr(passable, name)), obj=name
        )
    pockets = hostile.pockets.set_index("pocket_id")
    assert pockets.loc["ukraine-1", ["status", "route_clearance_m"]].tolist() == [
        "accessible",
        10_000.0,
    ]


@pytest.mark.parametrize("day", ["2023-10-10", "2024-02-10"])
def test_route_clearances_come_within_a_step_of_fine_arcs(
    avdiivka: ga.Scenario, day: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clearances past fire control (the town's 4.4 km, a pocket's 10 km cap) come from
    the ladder of buffers: within one 25 m step of discs drawn with 256 segments per
    quarter circle, areas and pockets alike, with the same statuses."""
    ours = ga.assess(avdiivka, day)
    monkeypatch.setattr(safe_ground, "ARC_SEGMENTS", 256)
    monkeypatch.setattr(safe_ground, "_blocked", one_fine_buffer)
    fine = ga.assess(avdiivka, day)
    for name in ("areas", "pockets"):
        got, want = getattr(ours, name), getattr(fine, name)
        assert got["status"].tolist() == want["status"].tolist(), name
        np.testing.assert_allclose(
            got["route_clearance_m"],
            want["route_clearance_m"],
            atol=safe_ground.CLEARANCE_STEP_M,
            err_msg=name,
        )
    past_fire_control = pd.concat([ours.areas, ours.pockets])["route_clearance_m"] > 1_500
    assert past_fire_control.sum() >= 2


# ---------------------------------------------------------------------- COD-AB
NEIGHBOURHOODS = SHARED_DATA / "derived_geojson" / "aleppo_city_neighborhoods_ocha_cod_ab.geojson"


def test_the_ocha_neighbourhoods_through_a_manifest(tmp_path: Path) -> None:
    if not NEIGHBOURHOODS.exists():
        pytest.skip(f"the OCHA neighbourhoods are absent ({NEIGHBOURHOODS})")
    (tmp_path / "zones.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"party": "saa"}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[37.0, 36.1], [37.3, 36.1], [37.3, 36.35], [37.0, 36.35], [37.0, 36.1]]]}}]}",
        encoding="utf-8",
    )
    (tmp_path / "scenario.toml").write_text(
        f"""
name = "Aleppo neighbourhoods"
extent = [37.0, 36.1, 37.3, 36.35]

[[parties]]
id = "saa"
side = "government"

[layers]
zones = "zones.geojson"

[layers.areas]
path = "{NEIGHBOURHOODS}"
format = "cod-ab"
id_column = "neighbor_2"
name_column = "neighborho"
local_name_column = "neighbor_1"
""",
        encoding="utf-8",
    )
    scn = ga.read_scenario(tmp_path, allow_outside=True)
    assert len(scn.areas) == 109 and scn.areas["area_id"].is_unique
    res = ga.assess(scn, "2016-07-20")
    bustan = res.areas[res.areas["name"] == "Bustan Al-Qaser"].iloc[0]
    assert bustan["name_local"] == "بستان القصر"
    assert (bustan["adm3_pcode"], bustan["adm4_pcode"]) == ("SY020000", "C1007")
    # the command line refuses the file outside the folder unless told it may read it
    assert main(["validate", str(tmp_path)]) == 1
    assert main(["validate", str(tmp_path), "--allow-outside"]) == 0
