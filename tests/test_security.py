"""Data never becomes markup or code; manifests cannot reach outside their folder."""

from __future__ import annotations

import ast
import os
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from _builders import UTM, at, disc_scenario

import geoaccess as ga

PACKAGE = Path(ga.__file__).parent
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "${alert(3)}",
    "`backtick`",
    "</script><b>x</b>",
    # branca compiles rendered markup as a Jinja template: none of these may run or break it
    "{{ 7*7 }}_jinja",
    "{% raw %}",
    "{# c",
)
HOSTILE = "".join(PAYLOADS)


# ---------------------------------------------------------------------- markup
def hostile_scenario() -> ga.Scenario:
    """The disc scenario with every text field set to the payloads."""
    base = disc_scenario(corridors=[("aid", "open")], roads=True, siege_line=True)
    layers = {}
    for name, layer in base.layers.items():
        layer = layer.copy()
        for column in ("name", "source", "entrance_name", "exit_name"):
            layer[column] = [f"{HOSTILE} {column} {i}" for i in range(len(layer))]
        layers[name] = layer
    facilities = gpd.GeoDataFrame(
        {"facility_id": [HOSTILE + "f"], "kind": ["hospital"], "name": [HOSTILE + " H"]},
        geometry=[shapely.Point(at(0, 0))],
        crs=UTM,
    ).to_crs("EPSG:4326")
    layers["facilities"] = facilities
    layers["areas"]["area_id"] = [f"{HOSTILE}{i}" for i in range(len(layers["areas"]))]
    layers["corridors"]["corridor_id"] = [HOSTILE + "c"]
    parties = base.parties.copy()
    parties["name"] = [f"{HOSTILE} party {i}" for i in range(len(parties))]
    parties["side"] = [f"{HOSTILE} side {s}" for s in parties["side"]]
    return ga.Scenario.create(
        HOSTILE + " title",
        parties=parties,
        zones=layers.pop("zones"),
        layers=layers,
        extent=base.extent,
        description=HOSTILE + " description",
        sources=[HOSTILE + " src"],
    )


def unescaped(html: str) -> list[str]:
    return [p for p in PAYLOADS if p in html]


def test_no_payload_reaches_the_html_unescaped(tmp_path: Path) -> None:
    scn = hostile_scenario()
    res = ga.assess(scn, "2020-02-01")
    assert HOSTILE in " ".join(map(str, res.areas["reason"]))  # names reach the reasons
    tl = ga.timeline(scn, "2020-01-15", "2020-02-15")
    for label, html in (
        ("assessment", res.map().get_root().render()),
        ("timeline", tl.map().get_root().render()),
        ("assessment file", res.to_html(tmp_path / "a.html").read_text(encoding="utf-8")),
    ):
        assert not unescaped(html), (label, unescaped(html))
        # nothing of the payloads opens a tag or an event handler
        assert "<img" not in html and "<b>x" not in html, label
        assert "${alert" not in html, label
        assert "49_jinja" not in html, label  # no Jinja expression was evaluated


# ---------------------------------------------------------------------- code
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "cPickle", "dill", "cloudpickle"}


def test_package_never_turns_data_into_code() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if isinstance(func, ast.Name) and name in FORBIDDEN_CALLS:
                    found.append(f"{where} {name}()")
                if name == "load" and isinstance(func, ast.Attribute):
                    owner = getattr(func.value, "id", None)
                    if owner == "yaml":
                        found.append(f"{where} yaml.load")
                if name in {"read_pickle", "to_pickle"}:
                    found.append(f"{where} {name}")
            elif isinstance(node, ast.Import):
                found += [
                    f"{where} import {a.name}"
                    for a in node.names
                    if a.name.split(".")[0] in FORBIDDEN_MODULES
                ]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{where} from {node.module}")
    assert not found, found


# ---------------------------------------------------------------------- paths
PARTIES = '[[parties]]\nid = "a"\nside = "A"\n'


def folder_with(tmp_path: Path, layers: str) -> Path:
    folder = tmp_path / "scn"
    folder.mkdir()
    zones = gpd.GeoDataFrame(
        {"party": ["a"]}, geometry=[shapely.box(37, 36, 37.1, 36.1)], crs="EPSG:4326"
    )
    zones.to_file(folder / "zones.geojson")
    zones.to_file(tmp_path / "outside.geojson")
    zones.to_file(tmp_path / "outside.gpkg", layer="zones")
    (folder / "scenario.toml").write_text(
        f'name = "t"\n{PARTIES}\n[layers]\n{layers}', encoding="utf-8"
    )
    return folder


def outside_problem(folder: Path) -> ga.Problem:
    with pytest.raises(ga.ScenarioError, match="outside the scenario folder") as error:
        ga.read_scenario(folder)
    return error.value.problems[0]


@pytest.mark.parametrize(
    "entry",
    [
        'zones = "../outside.geojson"',
        'zones = "sub/../../outside.geojson"',
        'zones = { path = "../outside.gpkg", layer = "zones" }',
        "ABSOLUTE",
    ],
)
def test_paths_cannot_leave_the_folder_unless_allowed(tmp_path: Path, entry: str) -> None:
    if entry == "ABSOLUTE":
        entry = f'zones = "{(tmp_path / "outside.geojson").as_posix()}"'
    folder = folder_with(tmp_path, entry + "\n")
    assert outside_problem(folder).layer == "zones"
    assert len(ga.read_scenario(folder, allow_outside=True).zones) == 1


def test_a_symlink_out_of_the_folder_is_rejected(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, 'zones = "link.geojson"\n')
    try:
        os.symlink(tmp_path / "outside.geojson", folder / "link.geojson")
    except OSError:  # pragma: no cover - file systems without symlinks
        pytest.skip("symlinks unavailable")
    assert outside_problem(folder).layer == "zones"
    assert len(ga.read_scenario(folder, allow_outside=True).zones) == 1


def test_a_geopackage_cannot_name_rasters_outside_its_folder(tmp_path: Path) -> None:
    scn = disc_scenario()
    inner = tmp_path / "inner"
    inner.mkdir()
    raster = tmp_path / "people.tif"
    raster.write_bytes(b"not read")
    scn = ga.Scenario.create(
        "g",
        parties=scn.parties,
        zones=scn.zones,
        extent=scn.extent,
        population_rasters=(ga.PopulationRaster(raster, "WP"),),
    )
    path = ga.write_scenario(scn, inner / "scn.gpkg")
    with pytest.raises(ga.ScenarioError, match="outside the scenario folder"):
        ga.read_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ga.ScenarioWarning)
        assert len(ga.read_scenario(path, allow_outside=True).population_rasters) == 1


def test_names_reach_error_messages_as_quoted_values(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, 'zones = "zones.geojson"\nbogus = "<script>"\n')
    with pytest.raises(ga.ScenarioError) as error:
        ga.read_scenario(folder)
    assert re.search(r"layer '?bogus'?", str(error.value))
