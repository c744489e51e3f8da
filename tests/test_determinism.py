"""The same input gives the same outputs: CSV bytes, GeoPackage tables, HTML up to ids."""

from __future__ import annotations

import re
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
