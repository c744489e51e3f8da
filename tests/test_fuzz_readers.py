"""Fuzzing the readers: broken manifests, layers and ACLED exports end in a ScenarioError.

Every generated case starts from a small scenario folder that loads, breaks one thing in it
(the manifest's TOML, a key's type, a layer file's bytes, a value in one row...) and reads
it again. The contract (DESIGN "Reliability"): the read either succeeds, with at most a
:class:`~geoaccess.ScenarioWarning` for repairs, or ends in a :class:`~geoaccess.ScenarioError`
whose problems name the broken layer (and the row, when one row was broken). No other
exception escapes :func:`geoaccess.read_scenario` or :func:`geoaccess.io.acled.read_acled`.

``make fuzz`` runs these with 2,000 examples each (``HYPOTHESIS_PROFILE=fuzz``).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geoaccess as ga
from geoaccess.io.acled import read_acled
from geoaccess.io.manifest import MANIFEST_KEYS, dump_toml
from geoaccess.schema import LAYER_NAMES

#: Layer names a problem may carry besides the data layers.
META_LAYERS = {"manifest", "parties", "relations", "rear", "metadata", "scenario"}
#: A problem's text must stay readable whatever the input held (huge strings are cut).
MAX_PROBLEM_CHARS = 4_000

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------- the base folder
def _square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(properties: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def base_layers() -> dict[str, dict[str, Any]]:
    """GeoJSON documents of a small scenario (lon/lat near Aleppo) that loads cleanly."""
    zones = [
        _feature(
            {"party": "saa", "name": "West", "valid_from": None, "valid_to": None},
            _square(37.0, 36.1, 37.15, 36.3),
        ),
        _feature(
            {"party": "reb", "name": "East", "valid_from": "2016-07-17", "valid_to": None},
            _square(37.15, 36.1, 37.3, 36.3),
        ),
    ]
    areas = [
        _feature(
            {"area_id": "w", "name": "West town", "population": 1000},
            _square(37.05, 36.15, 37.1, 36.2),
        ),
        _feature(
            {"area_id": "e", "name": "East town", "population": 2000.5},
            _square(37.2, 36.15, 37.25, 36.2),
        ),
    ]
    corridors = [
        _feature(
            {
                "corridor_id": "c1",
                "kind": "civilian",
                "status": "open",
                "valid_from": "2016-07-28",
                "announced_by": "saa",
            },
            {"type": "LineString", "coordinates": [[37.2, 36.2], [37.1, 36.2]]},
        ),
    ]
    siege_lines = [
        _feature(
            {"party": "saa", "name": "line"},
            {"type": "LineString", "coordinates": [[37.15, 36.1], [37.15, 36.3]]},
        ),
    ]
    return {
        name: {"type": "FeatureCollection", "features": features}
        for name, features in (
            ("zones", zones),
            ("areas", areas),
            ("corridors", corridors),
            ("siege_lines", siege_lines),
        )
    }


#: CSV layers: facilities by lon/lat, population points by WKT.
BASE_CSV: dict[str, list[dict[str, Any]]] = {
    "facilities": [
        {"facility_id": "007", "kind": "hospital", "name": "H1", "lon": 37.2, "lat": 36.2},
        {"facility_id": "008", "kind": "bakery", "name": "B1", "lon": 37.05, "lat": 36.15},
    ],
    "population": [
        {"population": 10, "geometry": "POINT (37.06 36.16)"},
        {"population": 20, "geometry": "POINT (37.21 36.17)"},
    ],
}


def base_manifest() -> dict[str, Any]:
    return {
        "name": "Fuzz",
        "description": "generated",
        "sources": ["a", "b"],
        "extent": [36.95, 36.05, 37.35, 36.35],
        "parties": [
            {"id": "saa", "name": "Army", "side": "government", "color": "#c0392b"},
            {"id": "reb", "side": "opposition"},
        ],
        "rules": {"fire_control_m": 1500},
        "layers": {
            "zones": "zones.geojson",
            "areas": "areas.geojson",
            "corridors": "corridors.geojson",
            "siege_lines": {"path": "siege_lines.geojson"},
            "facilities": {"path": "facilities.csv", "crs": "EPSG:4326"},
            "population": {"path": "population.csv", "crs": "EPSG:4326", "source": "UN"},
        },
    }


def geojson_bytes(document: dict[str, Any]) -> bytes:
    # allow_nan: GeoJSON with NaN/Infinity tokens is what broken exporters write
    return json.dumps(document, allow_nan=True).encode("utf-8")


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return handle.getvalue().encode("utf-8")


def write_folder(
    folder: Path,
    manifest: dict[str, Any] | bytes,
    layers: dict[str, dict[str, Any] | bytes],
    tables: dict[str, list[dict[str, Any]] | bytes],
) -> Path:
    text = manifest if isinstance(manifest, bytes) else dump_toml(manifest).encode("utf-8")
    (folder / "scenario.toml").write_bytes(text)
    for name, document in layers.items():
        data = document if isinstance(document, bytes) else geojson_bytes(document)
        (folder / f"{name}.geojson").write_bytes(data)
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_bytes(rows if isinstance(rows, bytes) else csv_bytes(rows))
    return folder


def read_checked(folder: Path, broken: set[str], row: object = None) -> ga.Scenario | None:
    """Read a folder; assert the outcome honours the contract. ``None`` when it failed.

    ``broken`` holds the layers a problem may be reported under (the one broken, or the
    manifest's tables); ``row`` the row broken, when one row of a layer file was.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scn = ga.read_scenario(folder)
        except ga.ScenarioError as error:
            problems = error.problems
            assert problems, "a ScenarioError without problems"
            known = set(LAYER_NAMES) | META_LAYERS | broken
            for problem in problems:
                assert problem.layer in known or "manifest" in broken, problem
                assert len(str(problem)) < MAX_PROBLEM_CHARS, str(problem)[:500]
            # an entry of [layers] that names no layer (a cut into the TOML can rename one)
            # is a problem of the manifest's, reported under the name it gives
            named = {
                "manifest" if p.column == "layers" and p.layer not in LAYER_NAMES else p.layer
                for p in problems
            }
            assert named & broken, (broken, [str(p)[:300] for p in problems])
            if row is not None:
                # a broken row is named, unless the whole file could not be read
                rows = {p.row for p in problems if p.layer in broken}
                whole = any(p.row is None for p in problems if p.layer in broken)
                # an overlap is reported on the later row, naming the other one
                named = any(f"row {row!r}" in str(p) for p in problems)
                assert row in rows or whole or named, (row, [str(p)[:300] for p in problems])
            scn = None
    others = [w for w in caught if not issubclass(w.category, ga.ScenarioWarning)]
    assert not others, [f"{w.category.__name__}: {str(w.message)[:300]}" for w in others]
    return scn


def test_base_folder_loads(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, base_manifest(), base_layers(), BASE_CSV)
    scn = read_checked(folder, set())
    assert scn is not None
    assert len(scn.zones) == 2 and len(scn.facilities) == 2 and len(scn.population) == 2


# ---------------------------------------------------------------------- strategies
HUGE = "x" * 20_000
ABSURD_DATES = [
    "0001-01-01",
    "9999-12-31",
    "2016-02-30",
    "2016-13-01",
    "1677-09-21",
    "2262-04-12",
    "16-07-2016",
    "yesterday",
    "",
    " ",
    "2016-07-17T25:00",
    "NaT",
    "nan",
    "-1",
    "1e400",
]
WEIRD_STRINGS = [
    "",
    " ",
    "\x00",
    "é",
    "\u202e",
    "\ufeffsaa",
    "<script>",
    "'; DROP TABLE",
    "../../etc",
    HUGE,
    "\n",
    "null",
    "NaN",
    "inf",
    "-0",
    "1e309",
    "٣",
    *ABSURD_DATES,
]

scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WEIRD_STRINGS),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalar_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([None, "37.1", "abc", [], [1.0], True, 1e308, -1e308, 500.0, -91.0]),
)
weird_geometries = st.one_of(
    st.none(),
    st.just({"type": "Polygon", "coordinates": []}),
    st.just({"type": "Polygon", "coordinates": [[]]}),
    st.just({"type": "MultiPolygon", "coordinates": []}),
    st.just({"type": "LineString", "coordinates": []}),
    st.just({"type": "GeometryCollection", "geometries": []}),
    st.just({"type": "Point", "coordinates": [37.1, 36.2]}),
    st.just({"type": "MultiPoint", "coordinates": [[37.1, 36.2], [37.2, 36.2]]}),
    st.just({"type": "LineString", "coordinates": [[37.1, 36.2], [37.2, 36.2]]}),
    st.just(_square(37.1, 36.15, 37.2, 36.25)),  # overlaps both zones
    st.just(
        {
            "type": "Polygon",
            "coordinates": [[[37.0, 36.1], [37.1, 36.2], [37.1, 36.1], [37.0, 36.2], [37.0, 36.1]]],
        }
    ),  # bow-tie
    st.just(
        {
            "type": "Polygon",
            "coordinates": [
                [[37.0, 36.1, 5.0], [37.1, 36.1, 5.0], [37.1, 36.2, 5.0], [37.0, 36.1, 5.0]]
            ],
        }
    ),
    st.just({"type": "Unknown", "coordinates": [1, 2]}),
    st.just({"type": "Polygon"}),
    st.builds(
        lambda x, y: {
            "type": "Polygon",
            "coordinates": [[[x, y], [37.1, 36.1], [37.1, 36.2], [x, y]]],
        },
        coordinate,
        coordinate,
    ),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, coordinate, coordinate),
    json_values,
)


def corrupt_bytes(data: bytes, draw: st.DrawFn) -> bytes:
    """Byte-level damage: truncation, a BOM, invalid UTF-8, NULs or a huge junk block."""
    how = draw(st.sampled_from(["truncate", "bom", "latin1", "invalid", "nul", "junk", "empty"]))
    if how == "truncate":
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "latin1":
        return data.decode("utf-8").replace("West", "Wést").encode("latin-1", "replace")
    if how == "invalid":
        at = draw(st.integers(0, len(data)))
        return (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + data[at:]
        )
    if how == "nul":
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\x00" + data[at:]
    if how == "junk":
        return data + draw(st.binary(min_size=1, max_size=64)) * 1000
    return b""


# ---------------------------------------------------------------------- manifest fuzzing
@st.composite
def broken_manifests(draw: st.DrawFn) -> tuple[dict[str, Any] | bytes, set[str]]:
    manifest = base_manifest()
    how = draw(
        st.sampled_from(
            [
                "bad_toml",
                "wrong_type",
                "missing",
                "unknown_key",
                "unknown_layer",
                "layer_table",
                "party_field",
                "rules",
                "relations",
                "sides",
                "bytes",
            ]
        )
    )
    meta = {"manifest", "parties", "relations", "rear"}
    if how == "bad_toml":
        text = dump_toml(manifest)
        cut = draw(st.integers(0, len(text)))
        junk = draw(
            st.sampled_from(
                [
                    "[[",
                    "= =",
                    '"',
                    "[layers]\nzones = 1\n",
                    "name = \n",
                    "x = 1979-05-27T07:32:00Z\n",
                    "\x00",
                    "[parties\n",
                ]
            )
        )
        return (text[:cut] + junk + text[cut:]).encode("utf-8"), meta | set(LAYER_NAMES)
    if how == "wrong_type":
        key = draw(st.sampled_from(MANIFEST_KEYS))
        manifest[key] = draw(json_values.filter(lambda v: v is not None))
        return manifest, meta | set(LAYER_NAMES)
    if how == "missing":
        for key in draw(st.sets(st.sampled_from(sorted(manifest)), min_size=1)):
            del manifest[key]
        return manifest, meta | set(LAYER_NAMES)
    if how == "unknown_key":
        manifest[draw(st.sampled_from(["nme", "layer", "extents", "ruless", "é"]))] = 1
        return manifest, {"manifest"}
    if how == "unknown_layer":
        name = draw(st.sampled_from(["zone", "roadz", "population_raster", "", "x y"]))
        manifest["layers"][name] = "zones.geojson"
        return manifest, {name, "manifest"}
    if how == "layer_table":
        name = draw(st.sampled_from(["zones", "areas", "facilities", "population"]))
        entry = manifest["layers"][name]
        entry = dict(entry) if isinstance(entry, dict) else {"path": entry}
        key = draw(
            st.sampled_from(["path", "layer", "crs", "format", "raster", "band", "source", "extra"])
        )
        entry[key] = draw(json_values.filter(lambda v: v is not None))
        manifest["layers"][name] = entry
        return manifest, {name, "manifest"}
    if how == "party_field":
        party = draw(st.sampled_from([0, 1]))
        key = draw(st.sampled_from(["id", "name", "side", "color", "extra"]))
        manifest["parties"][party][key] = draw(json_values.filter(lambda v: v is not None))
        return manifest, meta | {"zones", "corridors", "siege_lines"}
    if how == "rules":
        key = draw(
            st.sampled_from(
                [
                    "snap_m",
                    "fire_control_m",
                    "unmapped",
                    "scheme",
                    "min_siege_days",
                    "distance_bands_m",
                    "metric_crs",
                    "walk_speed_kmh",
                    "nonsense",
                ]
            )
        )
        manifest["rules"] = {key: draw(json_values.filter(lambda v: v is not None))}
        return manifest, meta | {"zones"}
    if how == "relations":
        manifest["relations"] = [
            {
                draw(st.sampled_from(["sides", "relation", "side_a", "x"])): draw(
                    json_values.filter(lambda v: v is not None)
                )
            }
        ]
        return manifest, meta
    if how == "sides":
        manifest["sides"] = {
            draw(st.sampled_from(["government", "nobody", ""])): {
                draw(st.sampled_from(["rear", "front"])): draw(
                    json_values.filter(lambda v: v is not None)
                )
            }
        }
        return manifest, meta
    return corrupt_bytes(dump_toml(manifest).encode("utf-8"), draw), meta | set(LAYER_NAMES)


def _drop_none(value: Any) -> Any:
    """TOML has no null: drop None from generated tables and arrays (the writer skips it)."""
    if isinstance(value, dict):
        return {str(k): _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


@SETTINGS
@given(case=broken_manifests())
def test_fuzz_manifest(case: tuple[dict[str, Any] | bytes, set[str]]) -> None:
    manifest, broken = case
    if isinstance(manifest, dict):
        manifest = _drop_none(manifest)
        try:
            text = dump_toml(manifest).encode("utf-8")
        except (TypeError, UnicodeEncodeError):  # a value TOML cannot hold (lone surrogate)
            return
    else:
        text = manifest
    with tempfile.TemporaryDirectory() as tmp:
        read_checked(write_folder(Path(tmp), text, base_layers(), BASE_CSV), broken)


# ---------------------------------------------------------------------- layer fuzzing
@st.composite
def broken_geojson(draw: st.DrawFn) -> tuple[str, dict[str, Any] | bytes, object]:
    layers = base_layers()
    name = draw(st.sampled_from(sorted(layers)))
    document = copy.deepcopy(layers[name])
    features = document["features"]
    how = draw(
        st.sampled_from(
            [
                "value",
                "geometry",
                "drop_column",
                "duplicate",
                "date",
                "huge",
                "bytes",
                "structure",
                "empty",
            ]
        )
    )
    i = draw(st.integers(0, len(features) - 1))
    if how == "value":
        key = draw(st.sampled_from([*sorted(features[i]["properties"]), "population", "x"]))
        features[i]["properties"][key] = draw(json_values)
        return name, document, i
    if how == "geometry":
        features[i]["geometry"] = draw(weird_geometries)
        return name, document, i
    if how == "drop_column":
        key = draw(st.sampled_from(sorted(features[i]["properties"])))
        for feature in features:
            feature["properties"].pop(key, None)
        return name, document, None
    if how == "duplicate":
        features.append(copy.deepcopy(features[i]))
        return name, document, None
    if how == "date":
        key = draw(st.sampled_from(["valid_from", "valid_to"]))
        features[i]["properties"][key] = draw(st.sampled_from(ABSURD_DATES))
        return name, document, i
    if how == "huge":
        key = draw(st.sampled_from(sorted(features[i]["properties"])))
        features[i]["properties"][key] = HUGE
        return name, document, i
    if how == "bytes":
        return name, corrupt_bytes(geojson_bytes(document), draw), None
    if how == "structure":
        return (
            name,
            draw(
                st.sampled_from(
                    [
                        b"{}",
                        b"[]",
                        b"null",
                        b'{"type": "FeatureCollection"}',
                        b'{"type": "FeatureCollection", "features": [null]}',
                        b'{"type": "Feature", "properties": {}, "geometry": null}',
                        b"not json at all",
                        b"<xml/>",
                    ]
                )
            ),
            None,
        )
    document["features"] = []
    return name, document, None


@SETTINGS
@given(case=broken_geojson())
def test_fuzz_geojson_layers(case: tuple[str, dict[str, Any] | bytes, object]) -> None:
    name, document, row = case
    layers = base_layers()
    layers[name] = document
    with tempfile.TemporaryDirectory() as tmp:
        read_checked(write_folder(Path(tmp), base_manifest(), layers, BASE_CSV), {name}, row)


@st.composite
def broken_csv(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]] | bytes, object]:
    name = draw(st.sampled_from(sorted(BASE_CSV)))
    rows = copy.deepcopy(BASE_CSV[name])
    how = draw(
        st.sampled_from(
            [
                "value",
                "coordinate",
                "drop_column",
                "duplicate",
                "date",
                "huge",
                "bytes",
                "header_only",
                "wkt",
            ]
        )
    )
    i = draw(st.integers(0, len(rows) - 1))
    if how == "value":
        key = draw(st.sampled_from(sorted(rows[i])))
        rows[i][key] = draw(scalar_values)
        return name, rows, i
    if how == "coordinate" and name == "facilities":
        rows[i][draw(st.sampled_from(["lon", "lat"]))] = draw(
            st.sampled_from(
                ["abc", "", "nan", "NaN", "inf", "-inf", "1e400", "37,1", "0x25", " 37.1 ", "٣٧"]
            )
        )
        return name, rows, i
    if how == "drop_column":
        key = draw(st.sampled_from(sorted(rows[i])))
        for row in rows:
            row.pop(key, None)
        return name, rows, None
    if how == "duplicate":
        rows.append(dict(rows[i]))
        return name, rows, None
    if how == "date":
        rows[i][draw(st.sampled_from(["valid_from", "valid_to"]))] = draw(
            st.sampled_from(ABSURD_DATES)
        )
        return name, rows, i
    if how == "huge":
        rows[i][draw(st.sampled_from(sorted(rows[i])))] = HUGE
        return name, rows, i
    if how == "bytes":
        return name, corrupt_bytes(csv_bytes(rows), draw), None
    if how == "header_only":
        return name, csv_bytes(rows).split(b"\n")[0] + b"\n", None
    # a WKT column on a lon/lat layer replaces lon/lat: the other rows lose geometry
    broken_row = i if name == "population" else None
    rows[i]["geometry"] = draw(
        st.sampled_from(
            [
                "POINT (nan nan)",
                "POINT EMPTY",
                "POLYGON ((0 0, 1 1))",
                "LINESTRING (37 36, 37.1 36)",
                "POINT (37.1)",
                "POINT (inf 36)",
                "GEOMETRYCOLLECTION EMPTY",
                "garbage",
                "",
                "POINT (1e400 36)",
                "POINT Z (37.1 36.2 5)",
            ]
        )
    )
    return name, rows, broken_row


@SETTINGS
@given(case=broken_csv())
def test_fuzz_csv_layers(case: tuple[str, list[dict[str, Any]] | bytes, object]) -> None:
    name, rows, row = case
    tables = dict(BASE_CSV)
    tables[name] = rows
    with tempfile.TemporaryDirectory() as tmp:
        read_checked(write_folder(Path(tmp), base_manifest(), base_layers(), tables), {name}, row)


# ---------------------------------------------------------------------- ACLED
ACLED_ROW = {
    "event_id_cnty": "SYR1",
    "event_date": "2016-07-17",
    "year": "2016",
    "time_precision": "1",
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "actor1": "A",
    "actor2": "B",
    "admin1": "Aleppo",
    "location": "Castello Road",
    "latitude": "36.2497",
    "longitude": "37.1330",
    "geo_precision": "1",
    "source": "SOHR",
    "notes": "n",
    "fatalities": "3",
}
ACLED_VALUES = st.one_of(
    st.sampled_from(WEIRD_STRINGS),
    st.sampled_from(
        [
            "17 July 2016",
            "17 Jul 2016",
            "31 February 2016",
            "0",
            "4",
            "-1",
            "1.5",
            "999999999999999999999",
            "91",
            "-181",
            "2015",
            "2017",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def broken_acled(draw: st.DrawFn) -> tuple[bytes, object]:
    rows = [dict(ACLED_ROW), dict(ACLED_ROW, event_id_cnty="SYR2", event_date="28 July 2016")]
    how = draw(st.sampled_from(["value", "drop_column", "bytes", "duplicate", "huge"]))
    row_id: object = None
    if how == "value":
        i = draw(st.integers(0, 1))
        rows[i][draw(st.sampled_from(sorted(ACLED_ROW)))] = draw(ACLED_VALUES)
        row_id = rows[i]["event_id_cnty"].strip() or i
    elif how == "drop_column":
        key = draw(st.sampled_from(sorted(ACLED_ROW)))
        for row in rows:
            row.pop(key)
    elif how == "duplicate":
        rows.append(dict(rows[0]))
    elif how == "huge":
        rows[0][draw(st.sampled_from(sorted(ACLED_ROW)))] = HUGE
    handle = io.StringIO()
    writer = csv.DictWriter(
        handle, fieldnames=list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    writer.writerows(rows)
    try:
        data = handle.getvalue().encode("utf-8")
    except UnicodeEncodeError:
        data = handle.getvalue().encode("utf-8", "surrogatepass")
    if how == "bytes":
        data = corrupt_bytes(data, draw)
    return data, row_id


@SETTINGS
@given(case=broken_acled())
def test_fuzz_acled(case: tuple[bytes, object]) -> None:
    data, row = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "acled.csv"
        path.write_bytes(data)
        try:
            incidents = read_acled(path)
        except ga.ScenarioError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.layer == "incidents", problem
                assert len(str(problem)) < MAX_PROBLEM_CHARS
            if row is not None and not any(p.row is None for p in error.problems):
                labels = {p.row for p in error.problems}
                assert row in labels or str(row) in map(str, labels), (row, labels)
            return
        assert incidents.crs.to_epsg() == 4326
        coords = incidents.geometry.get_coordinates().to_numpy()
        assert all(math.isfinite(v) for v in coords.ravel())
        assert incidents["date"].notna().all()


@SETTINGS
@given(case=broken_acled())
def test_fuzz_acled_through_the_manifest(case: tuple[bytes, object]) -> None:
    data, _row = case
    manifest = base_manifest()
    manifest["layers"]["incidents"] = {"path": "acled.csv", "format": "acled"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp), manifest, base_layers(), BASE_CSV)
        (folder / "acled.csv").write_bytes(data)
        read_checked(folder, {"incidents"})


# ---------------------------------------------------------------------- regressions
# cases the fuzzing found, kept as plain tests (each crashed with another exception type)
def _manifest_with(**changes: Any) -> dict[str, Any]:
    manifest = base_manifest()
    for key, value in changes.items():
        target, _, sub = key.partition("__")
        if sub:
            manifest[target][sub] = value
        else:
            manifest[target] = value
    return manifest


REGRESSIONS = {
    "party id a list": (
        _manifest_with(parties=[{"id": [], "side": "g"}, {"id": "reb", "side": "o"}]),
        "parties",
    ),
    "party side a table": (
        _manifest_with(parties=[{"id": "saa", "side": {"a": 1}}, {"id": "reb", "side": "o"}]),
        "parties",
    ),
    "metric_crs unknown": (_manifest_with(rules={"metric_crs": "nonsense"}), "manifest"),
    "metric_crs geographic": (_manifest_with(rules={"metric_crs": "EPSG:4326"}), "manifest"),
    "metric_crs a list": (_manifest_with(rules={"metric_crs": [False]}), "manifest"),
    "population source a list": (
        _manifest_with(
            layers__population={"path": "population.csv", "crs": "EPSG:4326", "source": []}
        ),
        "population",
    ),
    "layer name a number": (
        _manifest_with(layers__zones={"path": "zones.geojson", "layer": 3}),
        "zones",
    ),
}


def test_fuzz_regressions_in_the_manifest(tmp_path: Path) -> None:
    for label, (manifest, layer) in REGRESSIONS.items():
        folder = tmp_path / label.replace(" ", "_")
        folder.mkdir()
        write_folder(folder, manifest, base_layers(), BASE_CSV)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                ga.read_scenario(folder)
            except ga.ScenarioError as error:
                assert layer in {p.layer for p in error.problems}, label
            else:
                raise AssertionError(f"{label}: read without error")


def test_fuzz_regression_out_of_range_dates_are_reported(tmp_path: Path) -> None:
    layers = base_layers()
    layers["zones"]["features"][0]["properties"]["valid_from"] = "0001-01-01"
    layers["zones"]["features"][1]["properties"]["valid_to"] = "9999-12-31"
    write_folder(tmp_path, base_manifest(), layers, BASE_CSV)
    try:
        ga.read_scenario(tmp_path)
    except ga.ScenarioError as error:
        found = {(p.row, p.column) for p in error.problems if p.layer == "zones"}
        assert found == {(0, "valid_from"), (1, "valid_to")}
        assert "1678 to 2261" in str(error)
    else:
        raise AssertionError("dates outside the supported years were accepted")


def test_fuzz_regression_gdal_warnings_name_the_layer(tmp_path: Path) -> None:
    layers = base_layers()
    layers["areas"]["features"][0]["geometry"] = {"type": "Unknown", "coordinates": [1, 2]}
    write_folder(tmp_path, base_manifest(), layers, BASE_CSV)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ga.read_scenario(tmp_path)
        except ga.ScenarioError as error:
            assert (0, "geometry") in {(p.row, p.column) for p in error.problems}
    assert caught and all(issubclass(w.category, ga.ScenarioWarning) for w in caught)
    assert "layer 'areas'" in str(caught[0].message)


def test_fuzz_regression_acled_empty_file_and_huge_numbers(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    try:
        read_acled(empty)
    except ga.ScenarioError as error:
        assert error.problems[0].column == "path"
    else:
        raise AssertionError("an empty ACLED file was accepted")
    huge = tmp_path / "huge.csv"
    rows = [dict(ACLED_ROW, year="1E100", event_id_cnty="SYR" + "9" * 5000)]
    handle = io.StringIO()
    writer = csv.DictWriter(
        handle, fieldnames=list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    writer.writerows(rows)
    huge.write_text(handle.getvalue(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            read_acled(huge)
        except ga.ScenarioError as error:
            (problem,) = error.problems
            assert problem.column == "year" and len(str(problem)) < 300
        else:
            raise AssertionError("a year of 1E100 was accepted")


def test_fuzz_regression_acled_ancient_dates_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    header = ",".join(ACLED_ROW)
    ancient = ",".join(dict(ACLED_ROW, event_date="0001-01-01").values())
    path.write_text(f"{header}\n{ancient}\n", encoding="utf-8")
    try:
        read_acled(path)
    except ga.ScenarioError as error:
        assert [(p.row, p.column) for p in error.problems] == [("SYR1", "event_date")]
    else:
        raise AssertionError("0001-01-01 was accepted")
    path.write_text(f"{header}\n{','.join(ACLED_ROW.values())},extra\n", encoding="utf-8")
    try:
        read_acled(path)
    except ga.ScenarioError as error:
        assert error.problems[0].column == "path"
    else:
        raise AssertionError("a row with an extra field was accepted")


# ------------------------------------------------------------- found by make fuzz
def test_a_ring_with_a_nan_coordinate_is_named_not_a_crash(tmp_path: Path) -> None:
    """GEOS cannot build a ring whose ends are NaN (never closed): the row is reported
    by layer, row and column instead of a GEOSException from the GeoJSON reader."""
    layers = base_layers()
    feature = layers["areas"]["features"][0]
    feature["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[0.0, float("nan")], [37.1, 36.1], [37.1, 36.2], [0.0, float("nan")]]],
    }
    with pytest.raises(ga.ScenarioError) as error, pytest.warns(ga.ScenarioWarning):
        ga.read_scenario(write_folder(tmp_path, base_manifest(), layers, BASE_CSV))
    assert ("areas", 0, "geometry") in {(p.layer, p.row, p.column) for p in error.value.problems}
