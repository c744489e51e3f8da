"""Synthetic assessments and timelines for the map tests: a ring city.

A besieged disc (radius 3 km, the opposition) inside a hostile annulus (3 to 8 km, the
government), centred on ``CENTRE`` (lon/lat). Everything is built in UTM zone 37N, so
distances are exact metres, and returned in EPSG:4326 like real results.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from geoaccess import Rules, Scenario
from geoaccess.pipeline.results import Assessment, Timeline

#: Text from data that would run if it became markup, or a Jinja template (branca compiles
#: each element's rendered markup once more): every map must show it as it is.
EVIL = "<img src=x onerror=\"document.title='pwned'\">{{ 7*7 }}{% raw %}{# x"
CENTRE = (37.16, 36.20)
METRIC = CRS.from_epsg(32637)
DISC_M = 3000.0
RING_M = 8000.0
SIEGE_START = dt.date(2016, 7, 17)
GAP_OPEN = dt.date(2016, 8, 6)
GAP_CLOSED = dt.date(2016, 9, 4)


def _origin() -> tuple[float, float]:
    pt = gpd.GeoSeries([shapely.Point(CENTRE)], crs=4326).to_crs(METRIC).iloc[0]
    return pt.x, pt.y


def _geo(geoms: list, **columns: object) -> gpd.GeoDataFrame:
    """Frame from geometries in metres relative to the centre, returned in EPSG:4326."""
    x0, y0 = _origin()
    moved = [shapely.affinity.translate(g, x0, y0) for g in geoms]
    return gpd.GeoDataFrame(dict(columns), geometry=moved, crs=METRIC).to_crs(4326)


def _disc() -> shapely.Polygon:
    return shapely.Point(0, 0).buffer(DISC_M, 64)


def _annulus() -> shapely.Polygon:
    return shapely.Point(0, 0).buffer(RING_M, 64).difference(_disc())


def ring_scenario(*, evil: bool = False) -> Scenario:
    """The ring city as a scenario: two parties, zones, a corridor, a siege line."""

    def name(text: str) -> str:
        return EVIL if evil else text

    parties = [
        {"id": "gov", "name": name("Government forces"), "side": "government", "color": "#c0392b"},
        {"id": "opp", "name": name("Opposition groups"), "side": "opposition", "color": "#27ae60"},
    ]
    gap = shapely.box(-DISC_M - 1, -400, -RING_M, 400)
    zones = _geo(
        [_annulus().difference(gap), _annulus(), _disc(), gap],
        party=["gov", "gov", "opp", "opp"],
        name=[
            name("Western Aleppo"),
            name("Western Aleppo"),
            name("Eastern districts"),
            name("Ramouseh gap"),
        ],
        valid_from=[GAP_OPEN, SIEGE_START, SIEGE_START, GAP_OPEN],
        valid_to=[GAP_CLOSED, GAP_OPEN, None, GAP_CLOSED],
    )
    corridors = _geo(
        [shapely.LineString([(-1000, 0), (-6000, 0)])],
        corridor_id=["c1"],
        kind=["mixed"],
        status=["open"],
        name=[name("Bustan al-Qasr crossing")],
        entrance_name=[name("Bustan al-Qasr")],
        exit_name=[name("Mashareqa")],
        valid_from=[SIEGE_START],
        valid_to=[None],
    )
    siege = _geo(
        [shapely.LineString([(0, -3500), (3500, 0), (0, 3500)])],
        party=["gov"],
        name=[name("Castello siege line")],
    )
    incidents = _geo(
        [shapely.Point(x, y) for x, y in ((200, 300), (250, 280), (-900, 100))],
        date=[dt.date(2016, 7, d) for d in (15, 18, 19)],
        kind=["shelling", "airstrike", "shelling"],
        fatalities=[2, 5, 0],
    )
    facilities = _geo(
        [shapely.Point(500, 500), shapely.Point(5000, 0)],
        facility_id=["f1", "f2"],
        kind=["hospital", "school"],
        name=[name("M10 hospital"), name("Hamdaniyah school")],
    )
    return Scenario.create(
        "Ring city",
        parties=parties,
        zones=zones,
        layers={
            "corridors": corridors,
            "siege_lines": siege,
            "incidents": incidents,
            "facilities": facilities,
        },
        description="" if not evil else EVIL,
        sources=("Synthetic test data", EVIL) if evil else ("Synthetic test data",),
    )


def ring_assessment(
    *,
    evil: bool = False,
    day: dt.date = dt.date(2016, 7, 20),
    status: str = "besieged",
    scenario: Scenario | None = None,
) -> Assessment:
    """The ring city assessed on ``day``: the disc areas have ``status``."""
    scn = (scenario or ring_scenario(evil=evil)).at(day)
    label = EVIL if evil else "Bustan al-Qasr"
    reason = EVIL if evil else f"Encircled since {SIEGE_START}; no open aid corridor."
    west = _disc().intersection(shapely.box(-DISC_M, -DISC_M, 0, DISC_M))
    east = _disc().intersection(shapely.box(0, -DISC_M, DISC_M, DISC_M))
    since = SIEGE_START if status == "besieged" else GAP_OPEN
    areas = _geo(
        [west, east, _annulus()],
        area_id=["a1", "a2", "a3"],
        name=[label, "Old City", "Western suburbs"],
        pcode=["SY0201", "SY0202", "SY0203"],
        side=["opposition", "opposition", "government"],
        pocket_id=["p1", "p1", "p2"],
        status=[status, status, "accessible"],
        encircled=[status == "besieged"] * 2 + [False],
        fire_controlled=[True, True, False],
        hostile_perimeter_share=[1.0, 1.0, 0.2],
        route_clearance_m=[0.0, 0.0, 4000.0],
        open_corridors=[0, 0, 0],
        open_supply_routes=[0, 0, 3],
        status_since=[since, since, SIEGE_START],
        reason=[reason, reason, "Linked to the rear by safe ground."],
        population=[150000.0, 100000.0, 1200000.0],
    )
    pockets = _geo(
        [_disc(), _annulus()],
        pocket_id=["p1", "p2"],
        side=["opposition", "government"],
        parties=["opp", "gov"],
        area_km2=[28.3, 172.8],
        encircled=[status == "besieged", False],
        status=[status, "accessible"],
        reason=[reason, "Not encircled."],
    )
    front = _geo(
        [shapely.Point(0, 0).buffer(DISC_M, 64).exterior],
        side_a=["government"],
        side_b=["opposition"],
        length_m=[18850.0],
    )
    corr = scn.corridors.copy()
    if len(corr):
        corr["entrance_area"] = "a1"
        corr["exit_area"] = "a3"
        corr["front_line_crossings"] = 1
        corr["length_m"] = 5000.0
        corr["population_within_reach"] = 120000.0
    facilities = scn.facilities.copy()
    facilities["status"] = [status, "accessible"]
    facilities["side"] = ["opposition", "government"]
    facilities["distance_to_front_m"] = [2300.0, 2000.0]
    facilities["incidents_nearby"] = [2, 0]
    lifelines = _geo(
        [shapely.LineString([(0, -2000), (0, -9000)])],
        segment_id=["r1"],
        name=["Castello Road"],
        area_ids=[["a1", "a2"]],
        population_depending=[250000.0],
    )
    return Assessment(
        scenario=scn,
        date=day,
        rules=Rules(),
        metric_crs=METRIC,
        areas=areas,
        pockets=pockets,
        front_lines=front,
        corridors=corr,
        facilities=facilities,
        lifelines=lifelines,
        population=pd.DataFrame({"status": ["besieged"], "population": [250000.0]}),
    )


def ring_timeline(*, evil: bool = False) -> Timeline:
    """Besieged from 17 July, hard to reach from 6 August (the gap), besieged from 4 Sept."""
    scn = ring_scenario(evil=evil)
    dates = (SIEGE_START, GAP_OPEN, GAP_CLOSED)
    statuses = ("besieged", "hard_to_reach", "besieged")
    snaps = tuple(
        ring_assessment(evil=evil, day=d, status=s, scenario=scn)
        for d, s in zip(dates, statuses, strict=True)
    )
    rows = []
    end = dt.date(2016, 10, 1)
    bounds = (*dates, end)
    for area_id, name in (("a1", EVIL if evil else "Bustan al-Qasr"), ("a2", "Old City")):
        for i, status in enumerate(statuses):
            rows.append(
                {
                    "area_id": area_id,
                    "name": name,
                    "status": status,
                    "start": bounds[i],
                    "end": bounds[i + 1],
                    "reason": "synthetic",
                }
            )
    rows.append(
        {
            "area_id": "a3",
            "name": "Western suburbs",
            "status": "accessible",
            "start": SIEGE_START,
            "end": end,
            "reason": "synthetic",
        }
    )
    return Timeline(
        scenario=scn,
        start=SIEGE_START,
        end=end - dt.timedelta(days=1),
        rules=Rules(),
        evaluated=dates,
        snapshots=snaps,
        intervals=pd.DataFrame(rows),
    )
