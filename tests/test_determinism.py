"""The same input gives the same outputs: CSV bytes, GeoPackage tables, HTML up to ids."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import shapely

import geoaccess as ga

DAY = "2016-07-30"
#: folium names every element with a random 32-hex id (map_<id>, geo_json_<id>...).
RANDOM_ID = re.compile(r"[0-9a-f]{32}")


def run(folder: Path) -> tuple[ga.Assessment, ga.Timeline]:
    scn = ga.datasets.aleppo_2016()
    res = ga.assess(scn, DAY)
    tl = ga.timeline(scn, "2016-07-15", "2016-08-10")
    res.to_csv(folder / "csv", hxl=True)
    tl.to_csv(folder / "tl", daily=True)
    res.to_file(folder / "out.gpkg")
    res.to_html(folder / "map.html")
    tl.to_html(folder / "timeline.html")
    return res, tl


def normalised_html(path: Path) -> str:
    ids = {}
    text = path.read_text(encoding="utf-8")
    return RANDOM_ID.sub(lambda m: ids.setdefault(m.group(), f"ID{len(ids)}"), text)


def test_same_input_same_outputs(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    run(first)
    run(second)
    csvs = sorted(p.relative_to(first) for p in first.rglob("*.csv"))
    assert len(csvs) >= 8
    for relative in csvs:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    layers = [name for name, _ in pyogrio.list_layers(first / "out.gpkg")]
    assert layers == [name for name, _ in pyogrio.list_layers(second / "out.gpkg")]
    for layer in layers:
        a = pyogrio.read_dataframe(first / "out.gpkg", layer=layer)
        b = pyogrio.read_dataframe(second / "out.gpkg", layer=layer)
        columns = [c for c in a.columns if c != "geometry"]
        pd.testing.assert_frame_equal(pd.DataFrame(a[columns]), pd.DataFrame(b[columns]))
        if "geometry" in a:
            assert list(shapely.to_wkb(a.geometry.values)) == list(
                shapely.to_wkb(b.geometry.values)
            ), layer
    for name in ("map.html", "timeline.html"):
        assert normalised_html(first / name) == normalised_html(second / name), name


#: Renders the ring timeline's map (ids normalised) in a fresh interpreter.
RING_TIMELINE_PAGE = """
import re, sys
sys.path.insert(0, sys.argv[1])
from _map_fixtures import ring_timeline
from geoaccess.maps import timeline_map
ids = {}
html = timeline_map(ring_timeline(), tiles=None, offline=False).get_root().render()
print(re.sub(r"[0-9a-f]{32}", lambda m: ids.setdefault(m.group(), f"ID{len(ids)}"), html))
"""


def test_timeline_map_is_the_same_whatever_the_hash_seed() -> None:
    """Python's string hashing differs between processes; the page must not (seeds 0
    and 3 ordered the per-date status counts differently when they came from a set)."""
    tests = str(Path(__file__).parent)
    pages = [
        subprocess.run(
            [sys.executable, "-c", RING_TIMELINE_PAGE, tests],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=180,
        ).stdout
        for seed in ("0", "3")
    ]
    assert "ga-timeline" in pages[0]
    assert pages[0] == pages[1]
