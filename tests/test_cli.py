"""The command line, run in process: exit codes, files written, one-line errors."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geoaccess.cli import main
from geoaccess.datasets import data_path


@dataclass(frozen=True)
class DemoRun:
    out: Path
    printed: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoRun:
    """One ``geoaccess demo`` run as ``make demo`` does it (self-contained maps), shared."""
    out = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["demo", "--out", str(out)]) == 0
    return DemoRun(out, printed.getvalue())


@pytest.fixture(scope="module")
def demo_out(demo: DemoRun) -> Path:
    return demo.out


def test_demo_writes_maps_and_tables(demo_out, capsys):
    names = {p.name for p in demo_out.rglob("*") if p.is_file()}
    assert {"map_2016-07-20.html", "timeline_map.html", "timeline_intervals.csv"} <= names
    assert {"assessment_2016-07-20.gpkg", "timeline.gpkg", "timeline.qml"} <= names
    assert {"assessment_2016-07-20.xlsx", "timeline.xlsx", "population.csv"} <= names
    areas = pd.read_csv(demo_out / "tables_2016-07-20" / "areas.csv")
    bustan = areas[areas["name"] == "Bustan Al-Qaser"].iloc[0]
    assert bustan["status"] == "besieged"
    assert bustan["area_id"] == "N0204" and bustan["adm4_pcode"] == "C1007"
    assert bustan["name_local"] == "بستان القصر"


def test_demo_writes_the_figures_and_what_changed(demo_out):
    pytest.importorskip("matplotlib", reason='needs pip install "geoaccess[figures]"')
    from matplotlib.image import imread

    for name in ("map_2016-07-20_A4.png", "population_over_time.png", "status_over_time.png"):
        image = imread(demo_out / name)
        assert image.shape[0] > 500 and image.shape[1] > 1000, name
        assert image[..., :3].std() > 0.05, name  # not blank
    changes = pd.read_csv(demo_out / "changes_2016-08-20_2016-09-20.csv")
    # the Ramouseh gap closed on 4 September: eastern Aleppo's 69 neighbourhoods, hard to
    # reach, besieged again; the one government neighbourhood whose road south the gap had
    # put under fire, accessible again
    assert len(changes) == 70
    assert set(changes["status_before"]) == {"hard_to_reach"}
    assert changes["status_after"].value_counts().to_dict() == {"besieged": 69, "accessible": 1}
    assert set(changes["changed_on"]) == {"2016-09-04"}
    besieged = changes[changes["status_after"] == "besieged"]
    assert besieged["population"].sum() == 250_000
    assert (demo_out / "changes_2016-08-20_2016-09-20.xlsx").exists()


def test_demo_prints_a_summary(demo: DemoRun):
    assert "not for operational use" in demo.printed
    assert "Situation as of 2016-07-20" in demo.printed
    assert "Lifeline road segments:" in demo.printed
    assert "Open corridors: 0 of" in demo.printed  # eastern Aleppo is besieged that day


def test_assess_formats_and_hxl(tmp_path):
    scenario = data_path("aleppo_2016")
    code = main(
        [
            "assess",
            str(scenario),
            "--date",
            "2016-08-20",
            "--out",
            str(tmp_path),
            "--format",
            "csv,gpkg,xlsx",
            "--hxl",
        ]
    )
    assert code == 0
    tables = tmp_path / "tables_2016-08-20"
    first_rows = (tables / "areas.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert first_rows[1].startswith("#loc+code")
    assert "#access+status" in first_rows[1]
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "assessment_2016-08-20.gpkg")}
    assert {"areas", "pockets", "front_lines", "corridors", "lifelines", "facilities"} <= layers
    sheets = pd.read_excel(tmp_path / "assessment_2016-08-20.xlsx", sheet_name=None)
    assert "areas" in sheets and len(sheets["areas"]) > 0


def test_timeline_command(tmp_path):
    scenario = data_path("aleppo_2016")
    code = main(
        [
            "timeline",
            str(scenario),
            "--start",
            "2016-07-01",
            "--end",
            "2016-07-31",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    intervals = pd.read_csv(tmp_path / "timeline_intervals.csv")
    assert set(intervals["status"]) >= {"accessible", "besieged"}
    assert intervals["end"].max() == "2016-08-01"
    args = ["timeline", str(scenario), "--start", "2016-07-01", "--end", "2016-07-31"]
    assert main([*args, "--out", str(tmp_path / "two"), "--threads", "2", "--format", "csv"]) == 0
    on_two = pd.read_csv(tmp_path / "two" / "timeline_intervals.csv")
    pd.testing.assert_frame_equal(on_two, intervals)


def test_timeline_formats_and_figures(tmp_path):
    pytest.importorskip("openpyxl", reason='needs pip install "geoaccess[excel]"')
    pytest.importorskip("matplotlib", reason='needs pip install "geoaccess[figures]"')
    code = main(
        [
            "timeline",
            str(data_path("aleppo_2016")),
            "--start",
            "2016-07-01",
            "--end",
            "2016-08-31",
            "--out",
            str(tmp_path),
            "--format",
            "csv,gpkg,xlsx",
            "--pdf",
            "--cdn",
        ]
    )
    assert code == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"timeline_intervals.csv", "population.csv", "timeline.gpkg", "timeline.xlsx"} <= names
    assert {"population_over_time.pdf", "status_over_time.pdf", "timeline_map.html"} <= names
    people = pd.read_csv(tmp_path / "population.csv")
    assert people.loc[people["date"] == "2016-07-17", "besieged"].item() == 250_000


def test_assess_since_writes_and_maps_what_changed(tmp_path):
    code = main(
        [
            "assess",
            str(data_path("aleppo_2016")),
            "--date",
            "2016-09-20",
            "--since",
            "2016-08-20",
            "--out",
            str(tmp_path),
            "--format",
            "csv",
            "--cdn",
        ]
    )
    assert code == 0
    changes = pd.read_csv(tmp_path / "changes_2016-08-20_2016-09-20.csv")
    assert len(changes) == 70
    html = (tmp_path / "map_2016-09-20.html").read_text(encoding="utf-8")
    assert "Status changed since 20 August 2016" in html


@pytest.mark.parametrize(
    "command",
    [
        ["assess", "--date", "2016-07-20", "--png"],
        ["timeline", "--start", "2016-07-01", "--end", "2016-07-31", "--pdf"],
    ],
    ids=["assess", "timeline"],
)
def test_a_missing_figures_extra_is_one_line_before_any_work(
    command, tmp_path, capsys, monkeypatch
):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    name, *options = command
    out = tmp_path / "out"
    code = main([name, str(data_path("aleppo_2016")), *options, "--out", str(out), "--cdn"])
    assert code == 2
    err = capsys.readouterr().err
    assert "geoaccess[figures]" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # said before the assessment, not after it


def test_validate_command(capsys):
    assert main(["validate", str(data_path("aleppo_2016"))]) == 0
    assert "no fatal problems" in capsys.readouterr().out


def test_validate_reports_fatal_problems_with_exit_1(tmp_path, capsys):
    (tmp_path / "scenario.toml").write_text(
        'name = "broken"\n[[parties]]\nid = "a"\nside = "A"\n[layers]\nzones = "missing.geojson"\n'
    )
    assert main(["validate", str(tmp_path)]) == 1
    assert "missing.geojson" in capsys.readouterr().err


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    code = main(
        ["assess", str(tmp_path / "nowhere"), "--date", "2016-07-20", "--out", str(tmp_path)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("geoaccess: error:")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_date_exits_2(tmp_path, capsys):
    code = main(
        ["assess", str(data_path("aleppo_2016")), "--date", "20 July", "--out", str(tmp_path)]
    )
    assert code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize("threads", ["0", "two", "1.5"])
def test_bad_threads_is_a_usage_error(tmp_path, capsys, threads):
    with pytest.raises(SystemExit) as stop:
        main(["assess", "x", "--date", "2016-07-20", "--out", str(tmp_path), "--threads", threads])
    assert stop.value.code == 2
    assert "whole number of at least 1" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_bad_format_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as stop:
        main(["assess", "x", "--date", "2016-07-20", "--out", str(tmp_path), "--format", "shp"])
    assert stop.value.code == 2


def test_import_acled(tmp_path):
    rows = pd.DataFrame(
        {
            "event_id_cnty": ["SYR1", "SYR2", "SYR3"],
            "event_date": ["2016-07-17", "2016-08-06", "2016-09-04"],
            "year": 2016,
            "time_precision": 1,
            "event_type": ["Battles", "Battles", "Explosions/Remote violence"],
            "sub_event_type": ["Armed clash", "Armed clash", "Air/drone strike"],
            "actor1": "A",
            "actor2": "B",
            "admin1": "Aleppo",
            "admin2": "Jebel Saman",
            "admin3": "Jebel Saman",
            "location": "Aleppo",
            "latitude": [36.20, 36.21, 36.22],
            "longitude": [37.15, 37.16, 37.17],
            "geo_precision": [1, 2, 3],
            "source": "test",
            "notes": "",
            "fatalities": [1, 0, 2],
        }
    )
    csv = tmp_path / "acled.csv"
    rows.to_csv(csv, index=False)
    out = tmp_path / "incidents.geojson"
    assert (
        main(
            [
                "import-acled",
                str(csv),
                "--out",
                str(out),
                "--event-type",
                "Battles",
                "--min-precision",
                "1",
            ]
        )
        == 0
    )
    written = pyogrio.read_dataframe(out)
    assert list(written["event_id"]) == ["SYR1"]


def test_demo_maps_are_self_contained_by_default(demo_out: Path):
    pytest.importorskip("offlinefolium", reason='needs pip install "geoaccess[offline]"')
    for name in ("map_2016-07-20.html", "timeline_map.html"):
        html = (demo_out / name).read_text(encoding="utf-8")
        assert '<script src="http' not in html, name
        assert 'rel="stylesheet" href="http' not in html, name
        assert "L.map(" in html or "L.Map" in html
        assert len(html.encode()) < 3_000_000, name  # the demo maps stay under 3 MB
