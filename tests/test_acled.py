"""ACLED exports read into the incidents layer (geoaccess.io.acled)."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geoaccess.errors import ScenarioError
from geoaccess.io.acled import ACLED_COLUMNS, import_acled, read_acled

#: Every column of a current ACLED export, in its order.
EXPORT_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

EVENTS = [
    # id, date, time precision, event type, sub-event type, actor1, actor2, location,
    # lat, lon, geo precision, fatalities
    (
        "SYR1",
        "2016-07-17",
        1,
        "Battles",
        "Armed clash",
        "Military Forces of Syria (2000-)",
        "Fatah Halab",
        "Castello Road",
        "36.2497",
        "37.1330",
        1,
        12,
    ),
    (
        "SYR2",
        "28 July 2016",
        2,
        "Explosions/Remote violence",
        "Air/drone strike",
        "Military Forces of Russia (2000-)",
        "Civilians (Syria)",
        "Bustan al-Qasr",
        "36.1928",
        "37.1437",
        2,
        0,
    ),
    (
        "SYR3",
        "6 Aug 2016",
        1,
        "Battles",
        "Non-state actor overtakes territory",
        "Jaish al Fateh",
        "Military Forces of Syria (2000-)",
        "Ramouseh",
        "36.1656",
        "37.1434",
        1,
        40,
    ),
    (
        "SYR4",
        "2016-09-04",
        3,
        "Strategic developments",
        "",
        "Military Forces of Syria (2000-)",
        "",
        "Aleppo",
        "36.2021",
        "37.1343",
        3,
        0,
    ),
    (
        "SYR5",
        "2016-12-22",
        1,
        "Violence against civilians",
        "Attack",
        "Unidentified Armed Group (Syria)",
        "Civilians (Syria)",
        "Sheikh Maqsoud",
        "36.2270",
        "37.1580",
        2,
        1,
    ),
]


def _row(event: tuple) -> dict[str, object]:
    (eid, date, tprec, etype, sub, actor1, actor2, place, lat, lon, gprec, deaths) = event
    year = pd.Timestamp(date).year
    return {
        "event_id_cnty": eid,
        "event_date": date,
        "year": year,
        "time_precision": tprec,
        "disorder_type": "Political violence",
        "event_type": etype,
        "sub_event_type": sub,
        "actor1": actor1,
        "assoc_actor_1": "",
        "inter1": 1,
        "actor2": actor2,
        "assoc_actor_2": "",
        "inter2": 7,
        "interaction": 17,
        "civilian_targeting": "",
        "iso": 760,
        "region": "Middle East",
        "country": "Syria",
        "admin1": "Aleppo",
        "admin2": "Jebel Saman",
        "admin3": "Jebel Saman",
        "location": place,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": gprec,
        "source": "SOHR; Reuters",
        "source_scale": "National-International",
        "notes": f'On {date}, an event at {place}, with a comma, and "quotes".',
        "fatalities": deaths,
        "tags": "",
        "timestamp": 1700000000,
    }


def _write_export(path: Path, events: list[tuple] = EVENTS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(_row(event) for event in events)
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """An ACLED export with every real column, ISO and "DD Month YYYY" dates."""
    return _write_export(tmp_path / "acled.csv")


def test_export_has_every_column_the_reader_uses() -> None:
    assert set(ACLED_COLUMNS) <= set(EXPORT_COLUMNS)


def test_reads_every_row_into_the_incidents_columns(export: Path) -> None:
    incidents = read_acled(export)
    assert list(incidents.columns) == [
        "date",
        "kind",
        "fatalities",
        "actor",
        "source",
        "event_id",
        "event_type",
        "sub_event_type",
        "actor2",
        "admin1",
        "admin2",
        "admin3",
        "location",
        "geo_precision",
        "time_precision",
        "notes",
        "geometry",
    ]
    assert incidents.crs == "EPSG:4326"
    assert list(incidents["date"]) == [
        pd.Timestamp(d)
        for d in ("2016-07-17", "2016-07-28", "2016-08-06", "2016-09-04", "2016-12-22")
    ]
    assert incidents["date"].dtype == "datetime64[ns]"
    # kind: the sub-event type, else the event type
    assert list(incidents["kind"]) == [
        "Armed clash",
        "Air/drone strike",
        "Non-state actor overtakes territory",
        "Strategic developments",
        "Attack",
    ]
    assert list(incidents["fatalities"]) == [12, 0, 40, 0, 1]
    assert incidents["fatalities"].dtype == "Int64"
    assert incidents.loc[0, "actor"] == "Military Forces of Syria (2000-)"
    assert incidents.loc[3, "actor2"] is pd.NA or pd.isna(incidents.loc[3, "actor2"])
    assert list(incidents["event_id"]) == ["SYR1", "SYR2", "SYR3", "SYR4", "SYR5"]
    assert incidents.loc[1, "notes"].endswith('with a comma, and "quotes".')
    assert (incidents.geometry.x[0], incidents.geometry.y[0]) == (37.1330, 36.2497)
    assert list(incidents["geo_precision"]) == [1, 2, 1, 3, 2]


def test_frame_input_gives_the_same_layer(export: Path) -> None:
    frame = pd.read_csv(export)
    from_frame = read_acled(frame)
    from_file = read_acled(export)
    pd.testing.assert_series_equal(from_frame["date"], from_file["date"])
    assert from_frame.geometry.equals(from_file.geometry)
    assert list(frame.columns) == list(EXPORT_COLUMNS)  # input left unchanged


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"event_types": "Battles"}, ["SYR1", "SYR3"]),
        ({"event_types": ["battles ", "Violence against civilians"]}, ["SYR1", "SYR3", "SYR5"]),
        ({"sub_event_types": ["Air/drone strike", "Attack"]}, ["SYR2", "SYR5"]),
        ({"max_geo_precision": 1}, ["SYR1", "SYR3"]),
        ({"max_geo_precision": 2}, ["SYR1", "SYR2", "SYR3", "SYR5"]),
        ({"max_time_precision": 1}, ["SYR1", "SYR3", "SYR5"]),
        ({"start": "2016-07-28"}, ["SYR2", "SYR3", "SYR4", "SYR5"]),
        ({"end": "2016-08-06"}, ["SYR1", "SYR2", "SYR3"]),
        ({"start": "2016-08-01", "end": "2016-09-04"}, ["SYR3", "SYR4"]),
        ({"event_types": "Battles", "max_geo_precision": 1, "start": "2016-08-01"}, ["SYR3"]),
    ],
)
def test_filters(export: Path, options: dict, expected: list[str]) -> None:
    assert list(read_acled(export, **options)["event_id"]) == expected


def test_filter_matching_nothing_is_logged(export: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert read_acled(export, event_types="Remote violence").empty
    assert "Remote violence".casefold() in caplog.text


@pytest.mark.parametrize(
    "options",
    [
        {"max_geo_precision": 4},
        {"max_time_precision": 0},
        {"max_geo_precision": True},
        {"start": "2016-09-01", "end": "2016-08-01"},
    ],
)
def test_bad_options(export: Path, options: dict) -> None:
    with pytest.raises(ValueError, match=r"max_|before"):
        read_acled(export, **options)


def test_bad_rows_are_all_reported_at_once(tmp_path: Path) -> None:
    events = [list(event) for event in EVENTS]
    events[0][8] = "thirty-six"  # latitude not a number
    events[1][9] = "237.14"  # longitude out of range
    events[2][1] = "06/08/2016"  # ambiguous date format
    events[3][11] = "-1"  # negative fatalities
    events[4][10] = "7"  # no such precision code
    path = _write_export(tmp_path / "bad.csv", [tuple(e) for e in events])
    with pytest.raises(ScenarioError) as caught:
        read_acled(path)
    found = {(p.layer, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("incidents", "SYR1", "latitude"),
        ("incidents", "SYR2", "longitude"),
        ("incidents", "SYR3", "event_date"),
        ("incidents", "SYR4", "fatalities"),
        ("incidents", "SYR5", "geo_precision"),
    }
    message = str(caught.value)
    assert message.startswith("5 problems")
    assert "row 'SYR1', column 'latitude'" in message
    assert "'thirty-six'" in message and "'06/08/2016'" in message


def test_rows_without_an_id_are_named_by_index() -> None:
    frame = pd.DataFrame(
        {
            "event_date": ["2016-07-17", ""],
            "event_type": ["Battles"] * 2,
            "latitude": [36.2, 36.2],
            "longitude": [37.1, None],
        }
    )
    with pytest.raises(ScenarioError) as caught:
        read_acled(frame)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (1, "event_date"),
        (1, "longitude"),
    }


def test_year_must_agree_with_the_date(tmp_path: Path) -> None:
    frame = pd.read_csv(_write_export(tmp_path / "a.csv"))
    frame.loc[2, "year"] = 2015
    with pytest.raises(ScenarioError, match="row 'SYR3', column 'year'"):
        read_acled(frame)


def test_missing_required_columns(export: Path) -> None:
    frame = pd.read_csv(export).drop(columns=["latitude", "event_type"])
    with pytest.raises(ScenarioError) as caught:
        read_acled(frame)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (None, "latitude"),
        (None, "event_type"),
    }


def test_minimal_export_gets_empty_extras() -> None:
    frame = pd.DataFrame(
        {
            "event_date": ["17 July 2016"],
            "event_type": ["Battles"],
            "latitude": ["36.2"],
            "longitude": ["37.1"],
        }
    )
    incidents = read_acled(frame)
    assert incidents.loc[0, "kind"] == "Battles"
    assert pd.isna(incidents.loc[0, "fatalities"])
    assert pd.isna(incidents.loc[0, "event_id"])


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_import_acled_writes_a_layer_file(export: Path, tmp_path: Path, suffix: str) -> None:
    out = import_acled(export, tmp_path / f"incidents{suffix}", max_geo_precision=2)
    assert out == tmp_path / f"incidents{suffix}"
    back = gpd.read_file(out)
    assert list(back["event_id"]) == ["SYR1", "SYR2", "SYR3", "SYR5"]
    # written as ISO text (GDAL's GeoJSON driver reads ISO text back as dates)
    days = [str(pd.Timestamp(d).date()) for d in back["date"]]
    assert days == ["2016-07-17", "2016-07-28", "2016-08-06", "2016-12-22"]
    assert back.crs == "EPSG:4326"
    # writing again replaces the file's layer rather than appending to it
    import_acled(export, out, max_geo_precision=1)
    assert len(gpd.read_file(out)) == 2


def test_import_acled_refuses_unknown_suffix(export: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.gpkg"):
        import_acled(export, tmp_path / "incidents.shp")
