"""Exports: one GeoPackage, CSV with an HXL row, deterministic bytes."""

from __future__ import annotations

import filecmp

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import geoaccess as ga
from geoaccess.io.export import hxl_tags, write_csv_tables, write_geopackage


@pytest.fixture(scope="module")
def result(bundled_20_july):
    return bundled_20_july


def test_hxl_tags_use_the_dictionary_and_fall_back_to_meta():
    assert hxl_tags(["pcode", "name", "population", "status", "date", "source", "odd_one"]) == [
        "#adm3+code",
        "#loc+name",
        "#population",
        "#access+status",
        "#date",
        "#meta+source",
        "#meta+oddone",
    ]


def test_csv_is_byte_identical_on_rerun(result, tmp_path):
    first = result.to_csv(tmp_path / "a", hxl=True)
    again = ga.assess(ga.datasets.aleppo_2016(), "2016-07-20").to_csv(tmp_path / "b", hxl=True)
    assert [p.name for p in first] == [p.name for p in again]
    for left, right in zip(first, again, strict=True):
        assert filecmp.cmp(left, right, shallow=False), left.name


def test_csv_hxl_row_sits_under_the_header(result, tmp_path):
    (areas,) = [p for p in result.to_csv(tmp_path, hxl=True) if p.name == "areas.csv"]
    table = pd.read_csv(areas, dtype=str, keep_default_na=False)
    assert table.iloc[0]["area_id"] == "#loc+code"
    assert table.iloc[0]["status"] == "#access+status"
    assert len(table) == len(result.areas) + 1


def test_geopackage_holds_every_result_layer(result, tmp_path):
    path = result.to_file(tmp_path / "result.gpkg")
    layers = dict(pyogrio.list_layers(path))
    for name in ("areas", "pockets", "front_lines", "corridors", "lifelines", "facilities"):
        assert name in layers
    areas = gpd.read_file(path, layer="areas")
    assert areas.crs.to_epsg() == 4326
    assert len(areas) == len(result.areas)
    assert {"status", "reason", "population"} <= set(areas.columns)
    population = pyogrio.read_dataframe(path, layer="population", read_geometry=False)
    assert len(population) == len(result.population)


def test_lists_and_dates_become_text(tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "ids": [["a", "b"], ["c"]],
            "when": pd.to_datetime(["2016-07-17", None]),
        },
        geometry=[shapely.Point(0, 0), shapely.Point(1, 1)],
        crs="EPSG:4326",
    )
    (path,) = write_csv_tables({"t": frame}, tmp_path)
    assert path.read_text().splitlines() == ["ids,when", "a;b,2016-07-17", "c,"]
    gpkg = write_geopackage({"t": frame}, tmp_path / "t.gpkg")
    back = gpd.read_file(gpkg)
    assert list(back["ids"]) == ["a;b", "c"]
