"""COD-AB boundaries as areas keyed by p-code, from code and from a manifest."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from conftest import shared_file

import geoaccess as ga
from geoaccess.io.codab import cod_ab_areas


def cod_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "adm1_pcode": ["SY02", "SY02"],
            "adm1_en": ["Aleppo", "Aleppo"],
            "adm2_pcode": ["SY0200", "SY0200"],
            "adm2_en": ["Jebel Saman", "Jebel Saman"],
            "adm3_pcode": ["SY020000", "SY020001"],
            "adm3_en": ["Mount Simeon", "Tal Ed-daman"],
            "adm3_ar": ["جبل سمعان", "تل الضمان"],
            "valid_on": ["2016-09-05", "2016-09-05"],
            "valid_to": ["2017-01-01", "2017-01-01"],
        },
        geometry=[shapely.box(37.0, 36.0, 37.2, 36.3), shapely.box(37.2, 36.0, 37.4, 36.3)],
        crs="EPSG:4326",
    )


def test_the_finest_level_keys_the_areas():
    areas = cod_ab_areas(cod_layer())
    assert list(areas["area_id"]) == ["SY020000", "SY020001"]
    assert list(areas["pcode"]) == list(areas["area_id"])
    assert list(areas["name"]) == ["Mount Simeon", "Tal Ed-daman"]
    assert list(areas["name_local"]) == ["جبل سمعان", "تل الضمان"]
    assert list(areas["adm2_pcode"]) == ["SY0200", "SY0200"]  # parents kept for joins


def test_a_coarser_level_can_be_chosen_but_must_be_unique():
    with pytest.raises(ga.ScenarioError) as caught:
        cod_ab_areas(cod_layer(), level=2)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (0, "adm2_pcode"),
        (1, "adm2_pcode"),
    }
    with pytest.raises(ga.ScenarioError, match="levels found: 1, 2, 3"):
        cod_ab_areas(cod_layer(), level=4)


def test_cod_validity_columns_are_not_read_as_control_validity():
    # COD-AB's valid_to dates the dataset version: read as validity, every area would
    # vanish from a scenario after 2017-01-01
    areas = cod_ab_areas(cod_layer())
    assert "valid_to" not in areas and "cod_valid_to" in areas
    zones = gpd.GeoDataFrame(
        {"party": ["a"]}, geometry=[shapely.box(36.9, 35.9, 37.5, 36.4)], crs="EPSG:4326"
    )
    scn = ga.Scenario.create(
        "cod", parties=[{"id": "a", "side": "A"}], zones=zones, layers={"areas": areas}
    )
    assert len(scn.at("2018-06-01").areas) == 2


def test_a_layer_without_pcodes_is_a_clear_error():
    plain = cod_layer().drop(columns=[c for c in cod_layer() if c.endswith("_pcode")])
    with pytest.raises(ga.ScenarioError, match="COD-AB layer"):
        cod_ab_areas(plain)


def test_manifest_format_cod_ab(tmp_path):
    cod_layer().to_file(tmp_path / "adm3.geojson")
    gpd.GeoDataFrame(
        {"party": ["a"]}, geometry=[shapely.box(36.9, 35.9, 37.5, 36.4)], crs="EPSG:4326"
    ).to_file(tmp_path / "zones.geojson")
    (tmp_path / "scenario.toml").write_text(
        'name = "cod"\n[[parties]]\nid = "a"\nside = "A"\n[layers]\n'
        'zones = "zones.geojson"\nareas = { path = "adm3.geojson", format = "cod-ab" }\n'
    )
    scn = ga.read_scenario(tmp_path)
    assert list(scn.areas["pcode"]) == ["SY020000", "SY020001"]


def test_real_ocha_admin3_as_areas():
    path = shared_file("ocha_cod_ab_syria_shp/syr_admin3.shp")
    areas = cod_ab_areas(path)
    assert len(areas) == 272
    assert areas["pcode"].is_unique and areas["pcode"].str.startswith("SY").all()
    aleppo = areas[areas["adm2_pcode"] == "SY0200"]
    assert "SY020000" in set(aleppo["pcode"])  # the sub-district holding Aleppo city
