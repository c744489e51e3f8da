"""Reading and writing scenarios: every layer format, manifests, GeoPackages, round trips."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

import geoaccess as ga
from geoaccess.io.manifest import dump_toml
from geoaccess.scenario import PopulationRaster

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PARTIES = """
[[parties]]
id = "saa"
name = "Syrian Arab Army"
side = "government"
color = "#c0392b"

[[parties]]
id = "reb"
side = "opposition"
"""


def zones_frame() -> gpd.GeoDataFrame:
    """West held by saa throughout, east by reb from 17 July 2016."""
    return gpd.GeoDataFrame(
        {
            "party": ["saa", "reb"],
            "name": ["West", "East"],
            "valid_from": [None, "2016-07-17"],
            "valid_to": [None, None],
        },
        geometry=[shapely.box(37.0, 36.1, 37.15, 36.3), shapely.box(37.15, 36.1, 37.3, 36.3)],
        crs="EPSG:4326",
    )


def corridors_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "corridor_id": ["bustan"],
            "kind": ["civilian"],
            "status": ["announced"],
            "valid_from": ["2016-07-28"],
            "announced_by": ["saa"],
        },
        geometry=[shapely.LineString([(37.2, 36.2), (37.1, 36.2)])],
        crs="EPSG:4326",
    )


def facilities_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_id": ["007", "008"],
            "kind": ["hospital", "bakery"],
            "lon": [37.2, 37.05],
            "lat": [36.2, 36.15],
        }
    )


def make_folder(
    folder: Path, layers: str, extra: str = "", zones: gpd.GeoDataFrame | None = None
) -> Path:
    """A scenario folder: zones.geojson, a manifest with the given [layers] body."""
    folder.mkdir(parents=True, exist_ok=True)
    (zones_frame() if zones is None else zones).to_file(folder / "zones.geojson")
    manifest = f'name = "Test"\n{extra}\n{PARTIES}\n[layers]\nzones = "zones.geojson"\n{layers}'
    (folder / "scenario.toml").write_text(manifest, encoding="utf-8")
    return folder


def problems_of(error: pytest.ExceptionInfo[ga.ScenarioError]) -> list[ga.Problem]:
    return list(error.value.problems)


# ---------------------------------------------------------------------- formats
def test_reads_geojson_folder_and_manifest_path(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "scn", "")
    scn = ga.read_scenario(folder)
    assert scn.name == "Test"
    assert scn.zones.crs.to_epsg() == 4326
    assert list(scn.zones["party"]) == ["saa", "reb"]
    assert scn.zones["valid_from"].iloc[1] == pd.Timestamp("2016-07-17")
    assert pd.isna(scn.zones["valid_from"].iloc[0])
    assert list(scn.parties["name"]) == ["Syrian Arab Army", "reb"]
    assert ga.read_scenario(folder / "scenario.toml").equals(scn)


def test_reads_geopackage_layers_by_name(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path,
        'corridors = { path = "layers.gpkg", layer = "paths" }\nsiege_lines = "layers.gpkg"\n',
    )
    corridors_frame().to_file(tmp_path / "layers.gpkg", layer="paths")
    lines = gpd.GeoDataFrame(
        {"party": ["saa"]}, geometry=[shapely.LineString([(37.1, 36.1), (37.1, 36.3)])], crs=4326
    )
    lines.to_file(tmp_path / "layers.gpkg", layer="siege_lines")
    scn = ga.read_scenario(folder)
    assert list(scn.corridors["corridor_id"]) == ["bustan"]
    assert list(scn.siege_lines["party"]) == ["saa"]


def test_geopackage_with_several_layers_needs_a_name(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'corridors = "layers.gpkg"\n')
    corridors_frame().to_file(tmp_path / "layers.gpkg", layer="a")
    corridors_frame().to_file(tmp_path / "layers.gpkg", layer="b")
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    (problem,) = problems_of(error)
    assert problem.layer == "corridors" and problem.column == "layer"
    assert "a, b" in problem.message


def test_reads_shapefile_with_truncated_column_names(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'corridors = "corridors.shp"\n')
    with warnings.catch_warnings():  # GDAL and geopandas both warn about the truncation
        warnings.simplefilter("ignore")
        corridors_frame().to_file(tmp_path / "corridors.shp")
    assert "corridor_i" in pyogrio.read_dataframe(tmp_path / "corridors.shp").columns
    scn = ga.read_scenario(folder)
    assert list(scn.corridors["corridor_id"]) == ["bustan"]
    assert list(scn.corridors["announced_by"]) == ["saa"]


def test_reads_flatgeobuf_in_a_projected_crs(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'corridors = "corridors.fgb"\n')
    corridors_frame().to_crs(32637).to_file(tmp_path / "corridors.fgb", driver="FlatGeobuf")
    with pytest.warns(ga.ScenarioWarning, match="reprojected from EPSG:32637"):
        scn = ga.read_scenario(folder)
    assert scn.corridors.crs.to_epsg() == 4326
    # stored in lon/lat, densified so that it follows the straight line drawn in UTM
    drawn = corridors_frame().to_crs(32637).geometry.iloc[0]
    back = scn.corridors.to_crs(32637).geometry.iloc[0]
    assert len(shapely.get_coordinates(back)) > 2
    assert shapely.hausdorff_distance(back, drawn) < 0.01  # metres
    np.testing.assert_allclose(
        shapely.get_coordinates(scn.corridors.geometry.values)[[0, -1]],
        [[37.2, 36.2], [37.1, 36.2]],
        atol=1e-9,
    )


def test_reads_kml(tmp_path: Path) -> None:
    if not {"KML", "LIBKML"} & set(pyogrio.list_drivers(write=True)):
        pytest.skip("this GDAL build cannot write KML")
    zones = zones_frame().fillna({"valid_from": ""})
    zones.to_file(tmp_path / "zones.kml", driver="KML")
    folder = make_folder(tmp_path, "", zones=zones)
    text = (folder / "scenario.toml").read_text().replace("zones.geojson", "zones.kml")
    (folder / "scenario.toml").write_text(text)
    scn = ga.read_scenario(folder)  # no warning: KML's zero altitudes are not 3D data
    assert not shapely.has_z(scn.zones.geometry.values).any()
    assert list(scn.zones["party"]) == ["saa", "reb"]
    assert scn.zones["valid_from"].iloc[1] == pd.Timestamp("2016-07-17")


def test_reads_csv_lon_lat_keeping_ids_as_text(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'facilities = { path = "f.csv", crs = "EPSG:4326" }\n')
    facilities_table().to_csv(tmp_path / "f.csv", index=False)
    scn = ga.read_scenario(folder)
    assert list(scn.facilities["facility_id"]) == ["007", "008"]
    assert scn.facilities.geometry.iloc[0].equals(shapely.Point(37.2, 36.2))
    assert "lon" not in scn.facilities


def test_reads_csv_wkt(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'roads = { path = "roads.csv", crs = "EPSG:4326" }\n')
    pd.DataFrame(
        {"name": ["Castello Road"], "geometry": ["LINESTRING (37.1 36.25, 37.2 36.3)"]}
    ).to_csv(tmp_path / "roads.csv", index=False)
    scn = ga.read_scenario(folder)
    assert scn.roads.geometry.iloc[0].equals(shapely.LineString([(37.1, 36.25), (37.2, 36.3)]))


def test_csv_without_crs_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'facilities = "f.csv"\n')
    facilities_table().to_csv(tmp_path / "f.csv", index=False)
    with pytest.raises(ga.ScenarioError, match="layer without CRS") as error:
        ga.read_scenario(folder)
    (problem,) = problems_of(error)
    assert (problem.layer, problem.column) == ("facilities", "crs")


def test_csv_bad_coordinates_and_wkt_name_row_and_column(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path,
        'facilities = { path = "f.csv", crs = "EPSG:4326" }\n'
        'roads = { path = "r.csv", crs = "EPSG:4326" }\n',
    )
    table = facilities_table()
    table["lon"] = table["lon"].astype(object)
    table.loc[1, "lon"] = "east"
    table.to_csv(tmp_path / "f.csv", index=False)
    pd.DataFrame({"geometry": ["LINESTRING (0 0, 1 1)", "LINE(0 0"]}).to_csv(
        tmp_path / "r.csv", index=False
    )
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    found = {(p.layer, p.row, p.column, p.value) for p in problems_of(error)}
    assert found == {("facilities", 1, "lon", "east"), ("roads", 1, "geometry", "LINE(0 0")}


# ---------------------------------------------------------------------- manifest errors
def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "scenario.toml").write_text('name = "x"\nextent = = [1, 2]\n')
    with pytest.raises(ga.ScenarioError, match=r"scenario\.toml is not valid TOML.*line 2"):
        ga.read_scenario(tmp_path)


def test_unknown_rule_lists_known_rules(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "", extra="[rules]\nfire_control = 1000\n")
    with pytest.raises(ga.ScenarioError, match=r"unknown rule.*fire_control.*fire_control_m"):
        ga.read_scenario(folder)


def test_rules_from_manifest(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path,
        "",
        extra="[rules]\nfire_control_m = 1000\n"
        'distance_bands_m = [500, 2000]\nmetric_crs = "EPSG:32636"\n',
    )
    rules = ga.read_scenario(folder).rules
    assert rules == ga.Rules(
        fire_control_m=1000, distance_bands_m=(500, 2000), metric_crs="EPSG:32636"
    )


def test_unknown_manifest_key(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "", extra='titel = "typo"\n')
    with pytest.raises(ga.ScenarioError, match=r"unknown key.*titel.*known keys: name"):
        ga.read_scenario(folder)


def test_acled_export_as_incidents(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'incidents = { path = "acled.csv", format = "acled" }\n')
    pd.DataFrame(
        {
            "event_id_cnty": ["SYR1", "SYR2"],
            "event_date": ["2016-07-17", "bad"],
            "event_type": ["Battles"] * 2,
            "latitude": [36.25, 36.2],
            "longitude": [37.13, 37.16],
        }
    ).to_csv(tmp_path / "acled.csv", index=False)
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    (problem,) = problems_of(error)
    assert (problem.layer, problem.column, problem.value) == ("incidents", "event_date", "bad")
    pd.read_csv(tmp_path / "acled.csv").head(1).to_csv(tmp_path / "acled.csv", index=False)
    incidents = ga.read_scenario(folder).incidents
    assert list(incidents["date"]) == [pd.Timestamp("2016-07-17")]
    assert incidents.geometry.iloc[0].equals(shapely.Point(37.13, 36.25))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """A missing file, an unknown party and a bad corridor status land in one error."""
    zones = zones_frame()
    zones.loc[1, "party"] = "isis"
    folder = make_folder(
        tmp_path, 'roads = "nowhere.geojson"\ncorridors = "c.geojson"\n', zones=zones
    )
    corridors = corridors_frame()
    corridors.loc[0, "status"] = "ajar"
    corridors.to_file(tmp_path / "c.geojson")
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    found = {(p.layer, p.row, p.column) for p in problems_of(error)}
    assert found == {("roads", None, "path"), ("zones", 1, "party"), ("corridors", 0, "status")}
    assert "nowhere.geojson" in str(error.value)


def test_unreadable_file_names_layer_and_path(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'roads = "roads.geojson"\n')
    (tmp_path / "roads.geojson").write_text("{ not json")
    with pytest.raises(ga.ScenarioError, match="cannot read the file") as error:
        ga.read_scenario(folder)
    (problem,) = problems_of(error)
    assert problem.layer == "roads" and problem.value.endswith("roads.geojson")


def test_missing_zones_file_is_reported_once(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "")
    (folder / "zones.geojson").unlink()
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    assert [(p.layer, p.column) for p in problems_of(error)] == [("zones", "path")]


def test_path_escaping_the_folder_is_rejected_unless_allowed(tmp_path: Path) -> None:
    corridors_frame().to_file(tmp_path / "outside.geojson")
    folder = make_folder(tmp_path / "scn", 'corridors = "../outside.geojson"\n')
    with pytest.raises(ga.ScenarioError, match="outside the scenario folder") as error:
        ga.read_scenario(folder)
    assert problems_of(error)[0].value == "../outside.geojson"
    scn = ga.read_scenario(folder, allow_outside=True)
    assert len(scn.corridors) == 1


def test_population_estimates_are_gathered(tmp_path: Path) -> None:
    layers = (
        'population = [\n  { path = "un.geojson", source = "UN" },\n'
        '  { path = "sw.csv", crs = "EPSG:4326", source = "Siege Watch" },\n'
        '  { raster = "worldpop.tif", source = "WorldPop" },\n  "ocha.geojson",\n]\n'
    )
    folder = make_folder(tmp_path, layers)
    gpd.GeoDataFrame(
        {"population": [250000]}, geometry=[shapely.box(37.15, 36.1, 37.3, 36.3)], crs=4326
    ).to_file(tmp_path / "un.geojson")
    pd.DataFrame({"population": [275000], "lon": [37.2], "lat": [36.2]}).to_csv(
        tmp_path / "sw.csv", index=False
    )
    gpd.GeoDataFrame(
        {"population": [200000]}, geometry=[shapely.Point(37.2, 36.2)], crs=4326
    ).to_crs(32637).to_file(tmp_path / "ocha.geojson")
    (tmp_path / "worldpop.tif").write_bytes(b"")  # rasters are only read when used
    scn = ga.read_scenario(folder)
    assert list(scn.population["source"]) == ["UN", "Siege Watch", "ocha"]
    assert list(scn.population["population"]) == [250000.0, 275000.0, 200000.0]
    assert scn.population.geometry.iloc[2].equals_exact(shapely.Point(37.2, 36.2), 1e-9)
    assert scn.population_rasters == (
        PopulationRaster((tmp_path / "worldpop.tif").resolve(), "WorldPop", 1),
    )


# ---------------------------------------------------------------------- writing
def full_scenario(raster_folder: Path) -> ga.Scenario:
    """Every kind of content, with text that needs escaping; the raster in ``raster_folder``."""
    raster_folder.mkdir(parents=True, exist_ok=True)
    (raster_folder / "pop.tif").write_bytes(b"")
    population = gpd.GeoDataFrame(
        {"population": [1200.0, 300.5], "source": ["UN", "UN"]},
        geometry=[shapely.box(37.0, 36.1, 37.1, 36.2), shapely.Point(37.2, 36.2)],
        crs=4326,
    )
    return ga.Scenario.create(
        'Aleppo "test"\nsecond line',
        parties=[
            {"id": "saa", "name": "Army \\ allies", "side": "government side"},
            {"id": "reb", "side": "opposition", "color": "#27ae60"},
        ],
        zones=zones_frame(),
        relations=[{"sides": ["government side", "opposition"], "relation": "hostile"}],
        rear={"opposition": [(36.97, 36.3)], "government side": [(37.3, 36.0), (37.4, 36.1)]},
        layers={
            "corridors": corridors_frame(),
            "population": population,
            "facilities": gpd.GeoDataFrame(
                facilities_table().drop(columns=["lon", "lat"]),
                geometry=gpd.points_from_xy([37.2, 37.05], [36.2, 36.15]),
                crs=4326,
            ),
        },
        population_rasters=(PopulationRaster(raster_folder / "pop.tif", "WorldPop ü"),),
        rules={"fire_control_m": 1200.0, "scheme": "siege_watch"},
        extent=(36.95, 36.05, 37.35, 36.40),
        description="Illustrative; café",
        sources=("OCHA", "MEE, 29 July"),
        metadata={"author": "tests", "version": 2},
    )


@pytest.mark.parametrize("target", ["copy", "copy.gpkg"])
def test_write_read_round_trip(tmp_path: Path, target: str) -> None:
    """The raster lies in the folder written (or beside the GeoPackage), so no escape."""
    raster_folder = tmp_path / target if target == "copy" else tmp_path
    scn = full_scenario(raster_folder)
    written = ga.write_scenario(scn, tmp_path / target)
    assert written == tmp_path / target
    back = ga.read_scenario(written)
    assert back.equals(scn)
    assert back.population_rasters[0].path == (raster_folder / "pop.tif").resolve()


def test_written_manifest_is_readable_toml_with_iso_dates(tmp_path: Path) -> None:
    folder = ga.write_scenario(full_scenario(tmp_path / "out"), tmp_path / "out")
    manifest = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))
    assert manifest["name"] == 'Aleppo "test"\nsecond line'
    assert manifest["sides"]["government side"]["rear"] == [[37.3, 36.0], [37.4, 36.1]]
    assert manifest["layers"]["population"][1]["source"] == "WorldPop ü"
    zones = pyogrio.read_dataframe(folder / "zones.geojson", datetime_as_string=True)
    assert zones["valid_from"].tolist()[1].startswith("2016-07-17")


def test_raster_outside_a_written_folder_needs_allow_outside(tmp_path: Path) -> None:
    scn = full_scenario(tmp_path / "src")
    folder = ga.write_scenario(scn, tmp_path / "out")
    with pytest.raises(ga.ScenarioError, match="outside the scenario folder"):
        ga.read_scenario(folder)
    assert ga.read_scenario(folder, allow_outside=True).equals(scn)


def test_dump_toml_escapes_and_nests() -> None:
    document = {
        "a": "tab\there \x01",
        "n": 1,
        "x": 1.5,
        "b": True,
        "l": [1, [2.0, 3.0]],
        "t": {"k y": "v", "sub": {"z": [1]}},
        "arr": [{"p": 1}, {"p": 2}],
    }
    assert tomllib.loads(dump_toml(document)) == document


SCALARS = (
    st.text()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
)
TOML_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=5), TOML_VALUES, max_size=4))
def test_dump_toml_round_trips_any_document(document: dict) -> None:
    assert tomllib.loads(dump_toml(document)) == document


def test_bundled_scenario_loads_cleanly() -> None:
    path = ga.datasets.data_path("aleppo_2016")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scn = ga.read_scenario(path)
    assert scn.zones.crs.to_epsg() == 4326
    assert scn.change_dates("2016-07-01", "2016-12-31")[0] == dt.date(2016, 7, 1)


def test_geopackage_tables_and_their_problems(tmp_path: Path) -> None:
    path = ga.write_scenario(full_scenario(tmp_path), tmp_path / "scn.gpkg")
    tables = dict(pyogrio.list_layers(path))
    assert tables["parties"] is None and tables["metadata"] is None  # attribute tables
    assert tables["zones"] == "Polygon"
    broken = tmp_path / "broken.gpkg"
    zones_frame().to_file(broken, layer="zones")
    pyogrio.write_dataframe(
        pd.DataFrame({"key": ["name", "colour"], "value": ['"x"', "{"]}), broken, layer="metadata"
    )
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(broken)
    assert where_of(error) == {("parties", None, None), ("metadata", 1, "key")}


def test_minimal_geopackage_is_named_after_its_file(tmp_path: Path) -> None:
    path = tmp_path / "aleppo.gpkg"
    zones_frame().to_file(path, layer="zones")
    parties = pd.DataFrame({"id": ["saa", "reb"], "side": ["government", "opposition"]})
    pyogrio.write_dataframe(parties, path, layer="parties")
    scn = ga.read_scenario(path)
    assert scn.name == "aleppo"
    assert list(scn.parties["side"]) == ["government", "opposition"]


def test_declared_crs_must_match_the_file(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 'corridors = { path = "c.geojson", crs = "EPSG:32637" }\n')
    corridors_frame().to_file(tmp_path / "c.geojson")
    with pytest.raises(ga.ScenarioError, match="declares EPSG:32637 but the file is in"):
        ga.read_scenario(folder)


def where_of(error: pytest.ExceptionInfo[ga.ScenarioError]) -> set[tuple]:
    return {(p.layer, p.row, p.column) for p in error.value.problems}


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1)


@given(
    party=TEXT.filter(str.strip),
    side=TEXT.filter(str.strip),
    zone_name=TEXT,
    start=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=1000),
)
def test_any_text_and_dates_round_trip_through_a_folder(
    tmp_path_factory: pytest.TempPathFactory,
    party: str,
    side: str,
    zone_name: str,
    start: dt.date,
    days: int,
) -> None:
    zones = gpd.GeoDataFrame(
        {
            "party": [party],
            "name": [zone_name],
            "valid_from": [start.isoformat()],
            "valid_to": [(start + dt.timedelta(days=days)).isoformat()],
        },
        geometry=[shapely.box(37.0, 36.1, 37.15, 36.3)],
        crs=4326,
    )
    scn = ga.Scenario.create(
        side,
        parties=[{"id": party, "side": side, "name": zone_name}],
        zones=zones,
        rear={side: [(37.0, 36.0)]},
    )
    folder = ga.write_scenario(scn, tmp_path_factory.mktemp("scn"))
    assert ga.read_scenario(folder).equals(scn)


@pytest.mark.parametrize("text", ["0/01/01", "2016-07-17", "2016-07-17T10:00:00", "12:30"])
def test_texts_that_look_like_dates_round_trip_through_geojson(tmp_path: Path, text: str) -> None:
    """GDAL's GeoJSON driver would read these as dates or times; they are ids and names."""
    zones = gpd.GeoDataFrame(
        {"party": [text], "name": [text], "valid_from": ["2016-07-01"], "valid_to": [None]},
        geometry=[shapely.box(37.0, 36.1, 37.15, 36.3)],
        crs=4326,
    )
    scn = ga.Scenario.create(
        "dates as text",
        parties=[{"id": text, "side": "s"}],
        zones=zones,
        rear={"s": [(37.0, 36.0)]},
    )
    back = ga.read_scenario(ga.write_scenario(scn, tmp_path / "scn"))
    assert back.zones["party"].tolist() == back.zones["name"].tolist() == [text]
    assert back.zones["valid_from"].tolist() == [pd.Timestamp("2016-07-01")]
    assert back.equals(scn)


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ('sources = ["a", 1]', "sources"),
        ('relations = ["government"]', "relations"),
        ("[sides.opposition]\nrear = 5", "sides"),
        ("[sides.opposition]\nback = [[37.0, 36.0]]", "sides"),
        ("description = 5", "description"),
    ],
)
def test_malformed_manifest_values(tmp_path: Path, extra: str, column: str) -> None:
    folder = make_folder(tmp_path, "", extra=extra)
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    assert where_of(error) == {("manifest", None, column)}


def test_a_long_path_in_an_error_keeps_its_file_name():
    deep = "/srv/" + "/".join(f"folder_{i}" for i in range(30)) + "/missing.geojson"
    problem = ga.Problem("zones", "file not found", column="path", value=deep)
    text = str(problem)
    assert text.startswith("layer 'zones', column 'path': file not found (found '/srv/folder_0")
    assert text.endswith("/missing.geojson')")
    assert len(text) < len("layer 'zones', column 'path': file not found (found )") + 81
