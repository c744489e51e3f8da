"""What analysts publish: people over time, what changed, per-admin tables, clean words.

The disc scenario (``_builders.disc_scenario``): the disc (10,000 people) is linked to
the countryside by a 4 km wide link until 1 March 2020, then encircled; the rim (5,000)
stays in the countryside; 18,000 people in all.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from _builders import disc_scenario

import geoaccess as ga
from geoaccess.pipeline.tables import summary

D = dt.date
CUT = D(2020, 3, 1)


@pytest.fixture(scope="module")
def scn() -> ga.Scenario:
    """The disc linked until 1 March 2020, encircled from then on."""
    return disc_scenario(link_m=4_000, link_until="2020-03-01")


@pytest.fixture(scope="module")
def tl(scn) -> ga.Timeline:
    return ga.timeline(scn, "2020-01-01", "2020-06-30")


# ---------------------------------------------------------------- people over time
def test_population_is_indexed_by_datetimes_and_resamples(tl):
    people = tl.population()
    assert isinstance(people.index, pd.DatetimeIndex)
    assert people.index.name == "date"
    assert list(people.columns) == [
        "besieged",
        "watchlist",
        "hard_to_reach",
        "accessible",
        "no_data",
    ]
    assert (people.sum(axis=1) == 18_000).all()
    monthly = tl.population(daily=True).resample("MS").mean()
    assert list(monthly.index.month) == [1, 2, 3, 4, 5, 6]
    assert monthly.loc["2020-01-01", "besieged"] < monthly.loc["2020-04-01", "besieged"]
    assert (monthly.sum(axis=1).round() == 18_000).all()


@pytest.mark.parametrize("day", [D(2020, 1, 1), CUT, D(2020, 6, 30)])
def test_population_on_a_date_equals_the_assessments_table(scn, tl, day):
    res = ga.assess(scn, day)
    rows = res.population[res.population["category"] == "status"].set_index("label")
    on_day = tl.population(daily=True).loc[pd.Timestamp(day)]
    for status in ("besieged", "hard_to_reach", "accessible", "no_data"):
        assert on_day[status] == round(rows.loc[status, "population"]), status


def test_the_disc_counts_as_besieged_from_the_cut(tl):
    # after the cut everything but the rim is encircled: the disc (10,000) and both
    # pieces of the edge (3,000; its ring piece, side B's, is encircled by A throughout)
    people = tl.population(daily=True)
    before = people.loc[pd.Timestamp(CUT - dt.timedelta(days=1))]
    after = people.loc[pd.Timestamp(CUT)]
    assert (after["besieged"], after["accessible"]) == (13_000, 5_000)
    assert before["accessible"] >= 15_000  # the disc and the rim
    assert after["besieged"] - before["besieged"] > 10_000


def test_population_of_an_unknown_estimate_names_the_known_ones(tl):
    with pytest.raises(ValueError, match="'areas'"):
        tl.population(estimate="nobody")
    pd.testing.assert_frame_equal(tl.population(estimate="areas"), tl.population())


def test_daily_dates_are_datetimes(tl):
    daily = tl.daily()
    assert pd.api.types.is_datetime64_any_dtype(daily["date"])
    assert daily["date"].min() == pd.Timestamp("2020-01-01")
    assert daily["date"].max() == pd.Timestamp("2020-06-30")
    disc = daily[(daily["area_id"] == "disc") & (daily["date"] >= pd.Timestamp(CUT))]
    assert set(disc["status"]) == {"besieged"}
    assert (disc["population"] == 10_000).all()


def test_intervals_carry_population(tl):
    runs = tl.intervals
    assert list(runs.columns).index("population") == list(runs.columns).index("start_known") + 1
    disc = runs[runs["area_id"] == "disc"]
    assert disc["population"].tolist() == [10_000.0] * len(disc)


# ---------------------------------------------------------------- changes
def test_changes_between_two_assessments(scn):
    before, after = ga.assess(scn, "2020-02-01"), ga.assess(scn, "2020-04-01")
    table = ga.changes(before, after)
    disc = table.set_index("area_id").loc["disc"]
    assert disc["status_before"] == "accessible"
    assert disc["status_after"] == "besieged"
    assert disc["changed_on"] == CUT
    assert disc["population"] == 10_000
    assert disc["reason"].startswith("Encircled since 2020-03-01")
    assert "rim" not in set(table["area_id"])  # unchanged areas are left out
    assert table.crs.to_epsg() == 4326
    assert table.geometry.notna().all()


def test_no_change_gives_an_empty_table_with_the_columns(scn):
    table = ga.changes(ga.assess(scn, "2020-01-05"), ga.assess(scn, "2020-02-05"))
    assert len(table) == 0
    assert {"status_before", "status_after", "changed_on", "population", "reason"} <= set(
        table.columns
    )


def test_changes_want_the_later_assessment_second(scn):
    early, late = ga.assess(scn, "2020-02-01"), ga.assess(scn, "2020-04-01")
    with pytest.raises(ValueError, match="later than"):
        ga.changes(late, early)


def test_timeline_changes_agree_with_two_assessments(scn, tl):
    from_tl = tl.changes("2020-02-01", "2020-04-01").set_index("area_id")
    direct = ga.changes(ga.assess(scn, "2020-02-01"), ga.assess(scn, "2020-04-01"))
    direct = direct.set_index("area_id")
    assert sorted(from_tl.index) == sorted(direct.index)
    for column in ("status_before", "status_after", "changed_on", "population"):
        assert from_tl[column].sort_index().tolist() == direct[column].sort_index().tolist()


def test_every_change_lists_each_transition(tl):
    every = tl.changes("2020-01-01", every=True)
    disc = every[every["area_id"] == "disc"]
    assert disc["changed_on"].tolist() == [CUT]
    assert disc["status_before"].tolist() == ["accessible"]
    with pytest.raises(ValueError, match="within the timeline"):
        tl.changes("2019-12-01")


# ---------------------------------------------------------------- summaries
def test_summary_by_parent_pcode():
    areas = pd.DataFrame(
        {
            "area_id": ["a", "b", "c", "d"],
            "adm2_pcode": ["SY0200", "SY0200", "SY0201", None],
            "adm2_en": ["Jebel Saman", "Jebel Saman", "Al Bab", None],
            "status": ["besieged", "accessible", "besieged", "no_data"],
            "population_besieged": [100.0, 0.0, 50.0, 0.0],
            "population_accessible": [0.0, 20.0, 0.0, 0.0],
            "population_no_data": [0.0, 0.0, 0.0, 7.0],
            "population": [100.0, 20.0, 50.0, 7.0],
        }
    )
    table = summary(areas, "adm2_pcode").set_index("adm2_pcode", drop=False)
    assert table.loc["SY0200", "adm2_en"] == "Jebel Saman"
    assert table.loc["SY0200", "areas"] == 2
    assert table.loc["SY0200", "areas_besieged"] == 1
    assert table.loc["SY0200", "population_besieged"] == 100.0
    assert table.loc["SY0200", "population"] == 120.0
    assert table["population"].sum() == areas["population"].sum()  # nothing lost
    assert table["areas"].sum() == 4  # the area without a code has its own row


def test_summary_of_an_assessment_and_a_bad_column(scn):
    res = ga.assess(scn, "2020-04-01")
    by_side = res.summary(by="side").set_index("side")
    assert by_side["population"].sum() == 18_000
    with pytest.raises(ValueError, match="no such column; they have area_id"):
        res.summary(by="adm9_pcode")


# ---------------------------------------------------------------- words
def test_reasons_name_no_siege_line_where_there_is_none(scn):
    res = ga.assess(scn, "2020-04-01")
    reason = res.areas.set_index("area_id").loc["disc", "reason"]
    assert "siege line" not in reason
    assert "crosses B ground" in reason  # side b's one party, named


def test_reasons_name_siege_lines_that_stand():
    scn = disc_scenario(link_m=4_000, siege_line=True)
    reason = ga.assess(scn, "2020-04-01").areas.set_index("area_id").loc["disc", "reason"]
    assert "or a siege line" in reason


def test_reasons_use_party_names_for_one_party_sides():
    scn = disc_scenario(link_m=4_000, link_until="2020-03-01")
    parties = scn.parties.assign(name=["Army of A", "Brigade of B", "Corps of C"])
    renamed = ga.Scenario.create(
        scn.name, parties=parties, zones=scn.zones, layers={"areas": scn.areas}, extent=scn.extent
    )
    reason = ga.assess(renamed, "2020-04-01").areas.set_index("area_id").loc["disc", "reason"]
    assert "Brigade of B ground" in reason


# ---------------------------------------------------------------- exports
def test_csv_rounds_people_and_writes_shares_as_percentages(scn, tmp_path):
    res = ga.assess(scn, "2020-04-01")
    (areas,) = [p for p in res.to_csv(tmp_path) if p.name == "areas.csv"]
    table = pd.read_csv(areas)
    assert "hostile_perimeter_pct" in table and "hostile_perimeter_share" not in table
    share = res.areas.set_index("area_id")["hostile_perimeter_share"]
    written = table.set_index("area_id")["hostile_perimeter_pct"]
    for area in share.index:
        if np.isfinite(share[area]):
            assert written[area] == round(100 * share[area], 1)
    text = areas.read_text()
    assert "10000," in text and "10000.0" not in text  # whole people


def test_excel_is_formatted_with_metadata_and_no_empty_sheet(scn, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    res = ga.assess(scn, "2020-04-01")
    path = res.to_excel(tmp_path / "out.xlsx", hxl=True, created=D(2024, 5, 1))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "metadata"
    empty = {name for name, frame in res.tables.items() if not len(frame)}
    assert empty, "the disc scenario has empty layers (no corridors)"
    assert not empty & set(book.sheetnames)
    for name in book.sheetnames:
        assert book[name].max_row > 1, name
    areas = book["areas"]
    header = [c.value for c in areas[1]]
    assert areas[2][0].value == "#loc+code"  # the HXL row
    assert areas.freeze_panes == "A3"
    assert areas[1][0].font.bold
    since = areas.cell(row=3, column=header.index("status_since") + 1)
    assert isinstance(since.value, dt.datetime) and since.number_format == "yyyy-mm-dd"
    people = areas.cell(row=3, column=header.index("population") + 1)
    assert isinstance(people.value, int) and people.number_format == "#,##0"
    assert areas.column_dimensions["A"].width >= len("area_id")
    meta = {row[0].value: row[1].value for row in book["metadata"].iter_rows(min_row=2)}
    assert meta["scenario"] == scn.name
    assert meta["date"] == "2020-04-01"
    assert meta["created"] == "2024-05-01"
    assert "do not imply official endorsement or acceptance" in meta["disclaimer"]
    assert meta["rule: fire_control_m"] == "1500.0"
    assert set(meta["tables without rows"].split(", ")) == empty


def test_timeline_geopackage_is_ready_for_qgis(tl, tmp_path):
    import sqlite3
    import xml.etree.ElementTree as ET

    import pyogrio

    path = tl.to_file(tmp_path / "timeline.gpkg")
    layer = pyogrio.read_dataframe(path, layer="timeline")
    assert len(layer) == len(tl.intervals)
    assert layer.geometry.notna().all()
    info = pyogrio.read_info(path, layer="timeline")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["start"].startswith("datetime") or types["start"] == "object"
    with sqlite3.connect(path) as db:
        (kind,) = db.execute(
            "SELECT type FROM pragma_table_info('timeline') WHERE name = 'start'"
        ).fetchone()
        style = db.execute(
            "SELECT f_table_schema, f_table_name, f_geometry_column, useAsDefault, styleQML "
            "FROM layer_styles"
        ).fetchall()
    assert kind == "DATE"
    ((schema, table, geometry, default, qml),) = style
    assert (schema, table, default) == ("", "timeline", 1)
    assert geometry == info["geometry_name"]
    root = ET.fromstring(qml)
    temporal = root.find("temporal")
    assert temporal.get("enabled") == "1" and temporal.get("mode") == "2"
    assert (temporal.get("startField"), temporal.get("endField")) == ("start", "end")
    categories = {c.get("value") for c in root.iter("category")}
    assert {"besieged", "accessible"} <= categories
    assert path.with_suffix(".qml").read_text(encoding="utf-8") == qml


def test_timeline_excel_has_intervals_and_people(tl, tmp_path):
    pytest.importorskip("openpyxl")
    path = tl.to_excel(tmp_path / "timeline.xlsx", created=D(2024, 5, 1))
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["timeline_intervals", "population", "metadata"]
    assert len(sheets["timeline_intervals"]) == len(tl.intervals)
    assert (sheets["population"][["besieged", "accessible"]].sum(axis=1) <= 18_000).all()


def test_write_table_by_suffix(scn, tmp_path):
    table = ga.changes(ga.assess(scn, "2020-02-01"), ga.assess(scn, "2020-04-01"))
    csv = ga.write_table(table, tmp_path / "changes.csv", hxl=True)
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("#loc+code")
    assert "#access+status+before" in lines[1]
    gpkg = ga.write_table(table, tmp_path / "changes.gpkg")
    assert gpkg.exists()
    with pytest.raises(ValueError, match=r"\.csv, \.xlsx or \.gpkg"):
        ga.write_table(table, tmp_path / "changes.shp")


def test_area_popups_give_both_names_p_codes_and_clean_numbers():
    import geopandas as gpd
    import shapely

    from geoaccess.maps.area_fields import area_features

    areas = gpd.GeoDataFrame(
        {
            "area_id": ["N0129"],
            "name": ["Hanano"],
            "name_local": ["هنانو"],
            "pcode": ["N0129"],
            "adm3_pcode": ["SY020000"],
            "side": ["gov"],
            "status": ["besieged"],
            "population": [84399.99999999999],
            "hostile_perimeter_share": [0.6254],
            "route_clearance_m": [499.7],
            "open_corridors": [0.0],
            "open_supply_routes": [float("nan")],
            "reason": ["Encircled."],
        },
        geometry=[shapely.box(37.1, 36.2, 37.11, 36.21)],
        crs=4326,
    )
    (feature,) = area_features(areas, side_names={"gov": "government"})
    popup = feature["properties"]["popup"]
    assert "Hanano (هنانو)" in popup
    assert "<th>P-code</th><td>N0129</td>" in popup
    assert "<th>Admin 3 p-code</th><td>SY020000</td>" in popup
    assert "<td>84,400</td>" in popup
    assert "<td>62.5%</td>" in popup
    assert "<td>500 m</td>" in popup
    assert "<th>Open corridors</th><td>0</td>" in popup
    assert "<th>Held by</th><td>government</td>" in popup
    assert "0.0" not in popup and "99999" not in popup
