"""The ``scenario.toml`` manifest: parsing it into layer sources, and writing it back.

The manifest format is DESIGN section 3. Writing uses a small TOML emitter of our own: a
manifest only needs strings, numbers, booleans, arrays and (inline) tables.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["LayerSource", "dump_toml", "layer_sources", "load_manifest", "MANIFEST_KEYS"]

#: Top-level keys a manifest may hold.
MANIFEST_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "sources",
    "extent",
    "parties",
    "relations",
    "sides",
    "rules",
    "layers",
    "metadata",
)
#: Keys of a layer table ``{ path = ..., layer = ..., crs = ..., format = ... }``.
LAYER_KEYS: tuple[str, ...] = ("path", "layer", "crs", "format")
#: Extra keys of a population estimate.
POPULATION_KEYS: tuple[str, ...] = ("raster", "source", "band")
#: Extra keys of the zones: dated control maps, ``{ snapshots = "maps/*.geojson", ... }``.
SNAPSHOT_KEYS: tuple[str, ...] = ("snapshots", "party", "party_column")
#: Extra keys of a COD-AB areas layer (:func:`geoaccess.io.codab.cod_ab_areas`).
COD_AB_KEYS: tuple[str, ...] = ("level", "id_column", "name_column", "local_name_column")
#: Values of ``format``: the default ``"gdal"`` (any GDAL format or CSV), ``"acled"`` (an
#: ACLED export), ``"ucdp"`` (a UCDP GED CSV), ``"cod-ab"`` (COD-AB boundaries as areas) or
#: ``"osm"`` (the drivable roads of an OpenStreetMap ``.osm.pbf`` extract; roads only).
FORMATS: tuple[str, ...] = ("gdal", "acled", "ucdp", "cod-ab", "osm")


@dataclass(frozen=True)
class LayerSource:
    """Where one layer (or one population estimate) of a scenario comes from.

    Parameters
    ----------
    name : str
        Layer name (``zones``, ``population``...).
    path : Path
        Absolute path of the file.
    layer : str, optional
        Layer inside a multi-layer file (GeoPackage).
    crs : str, optional
        CRS declared in the manifest (required for CSV).
    format : str
        ``"gdal"`` for any file GDAL reads or CSV, ``"acled"`` for an ACLED export,
        ``"ucdp"`` for a UCDP GED CSV, ``"cod-ab"`` for COD-AB boundaries read as areas
        keyed by their finest p-code (:func:`geoaccess.io.codab.cod_ab_areas`), ``"osm"``
        for the drivable roads of an OpenStreetMap ``.osm.pbf`` extract, in EPSG:4326
        (roads only; :func:`geoaccess.io.osm.read_osm_roads`, the ``osm`` extra).
    raster : bool
        Whether the source is a raster of people per cell (population only).
    source : str, optional
        Name of a population estimate.
    band : int
        Raster band holding the counts.
    snapshots : bool
        Whether ``path`` is a pattern of dated control maps (zones only; see
        :func:`geoaccess.zones_from_snapshots`).
    options : dict
        The layer's other keys: ``party``/``party_column`` of snapshots, ``level``,
        ``id_column``, ``name_column``, ``local_name_column`` of COD-AB areas.
    """

    name: str
    path: Path
    layer: str | None = None
    crs: str | None = None
    format: str = "gdal"
    raster: bool = False
    source: str | None = None
    band: int = 1
    snapshots: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)


def load_manifest(path: Path) -> dict[str, Any]:
    """Parse a ``scenario.toml``; a syntax error names the file and the line.

    Raises
    ------
    ScenarioError
        When the file cannot be read or is not valid TOML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem("manifest", f"cannot read {path}: {error}")]) from None
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        msg = f"{path} is not valid TOML: {error}"
        raise ScenarioError([Problem("manifest", msg)]) from None
    unknown = sorted(set(manifest) - set(MANIFEST_KEYS))
    if unknown:
        msg = f"unknown key(s) {', '.join(unknown)}; known keys: {', '.join(MANIFEST_KEYS)}"
        raise ScenarioError([Problem("manifest", msg, value=unknown)])
    return manifest


def layer_sources(
    layers: object, *, root: Path, allow_outside: bool, problems: list[Problem]
) -> list[LayerSource]:
    """The sources named by a manifest's ``[layers]`` table, paths resolved against ``root``.

    Problems (unknown keys, paths escaping ``root``...) are appended to ``problems``; the
    sources that could be understood are returned.
    """
    if not isinstance(layers, Mapping):
        problems.append(
            Problem(
                "manifest",
                "[layers] must be a table of layer = path",
                column="layers",
                value=layers,
            )
        )
        return []
    sources: list[LayerSource] = []
    for name, entry in layers.items():
        entries = entry if name == "population" and isinstance(entry, list) else [entry]
        for value in entries:
            source = _layer_source(
                name, value, root=root, allow_outside=allow_outside, problems=problems
            )
            if source is not None:
                sources.append(source)
    return sources


def _layer_source(
    name: str, value: object, *, root: Path, allow_outside: bool, problems: list[Problem]
) -> LayerSource | None:
    table: dict[str, Any] = (
        {"path": value}
        if isinstance(value, str)
        else dict(value if isinstance(value, Mapping) else {})
    )
    if not isinstance(value, (str, Mapping)):
        problems.append(
            Problem(
                name, 'a layer is a path or a table { path = "..." }', column="layers", value=value
            )
        )
        return None
    known = LAYER_KEYS + (POPULATION_KEYS if name == "population" else ())
    known += SNAPSHOT_KEYS if name == "zones" else ()
    known += COD_AB_KEYS if table.get("format") == "cod-ab" else ()
    unknown = sorted(set(table) - set(known))
    if unknown:
        problems.append(
            Problem(
                name,
                f"unknown key(s) {', '.join(unknown)} in the layer "
                f"table; known keys: {', '.join(known)}",
                column="layers",
            )
        )
        return None
    raster = "raster" in table
    snapshots = "snapshots" in table
    if sum(k in table for k in ("path", "raster", "snapshots")) != 1:
        need = (
            "exactly one of path or raster"
            if name == "population"
            else "exactly one of path or snapshots"
            if name == "zones"
            else "a path"
        )
        problems.append(
            Problem(name, f"the layer table needs {need}", column="layers", value=value)
        )
        return None
    relative = table["raster"] if raster else table["snapshots"] if snapshots else table["path"]
    path = _resolve(name, relative, root=root, allow_outside=allow_outside, problems=problems)
    fmt = table.get("format", "gdal")
    if fmt not in FORMATS:
        problems.append(
            Problem(name, f"format must be one of {', '.join(FORMATS)}", column="format", value=fmt)
        )
        return None
    for key, kinds, hint in (
        ("layer", (str,), "a text (the layer's name in the file)"),
        ("crs", (str, int), 'a CRS such as "EPSG:4326"'),
        ("source", (str,), "a text (the estimate's name)"),
    ):
        value = table.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
            problems.append(Problem(name, f"{key} must be {hint}", column=key, value=value))
            return None
    band = table.get("band", 1)
    if isinstance(band, bool) or not isinstance(band, int) or band < 1:
        problems.append(
            Problem(name, "band must be a whole number >= 1", column="band", value=band)
        )
        return None
    options = {k: table[k] for k in (*SNAPSHOT_KEYS[1:], *COD_AB_KEYS) if k in table}
    for key, option in options.items():
        wanted: type = int if key == "level" else str
        if isinstance(option, bool) or not isinstance(option, wanted):
            hint = "a whole number" if key == "level" else "a text (a column's name)"
            problems.append(Problem(name, f"{key} must be {hint}", column=key, value=option))
            return None
    if path is None:
        return None
    return LayerSource(
        name,
        path,
        layer=table.get("layer"),
        crs=table.get("crs"),
        format=fmt,
        raster=raster,
        source=table.get("source"),
        band=band,
        snapshots=snapshots,
        options=options,
    )


def _resolve(
    name: str, relative: object, *, root: Path, allow_outside: bool, problems: list[Problem]
) -> Path | None:
    if not isinstance(relative, str) or not relative.strip():
        problems.append(
            Problem(name, "the path must be a non-empty text", column="path", value=relative)
        )
        return None
    path = (root / relative).resolve()
    if not allow_outside and not path.is_relative_to(root.resolve()):
        problems.append(
            Problem(
                name,
                f"the path leads outside the scenario folder {root}; move the file into "
                "the folder, or read with allow_outside=True if you trust this manifest",
                column="path",
                value=relative,
            )
        )
        return None
    return path


# ---------------------------------------------------------------------- writing
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dump_toml(document: Mapping[str, Any]) -> str:
    r"""Serialise a mapping to TOML.

    Scalars and arrays come first, then tables (``[name]``) and arrays of tables
    (``[[name]]``); tables nested one level deeper become dotted headers.

    Examples
    --------
    >>> print(dump_toml({"name": 'Say "hi"', "rules": {"snap_m": 50.0},
    ...                  "parties": [{"id": "a"}]}), end="")
    name = "Say \"hi\""
    <BLANKLINE>
    [[parties]]
    id = "a"
    <BLANKLINE>
    [rules]
    snap_m = 50.0
    """
    lines: list[str] = []
    _emit_table(document, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _emit_table(table: Mapping[str, Any], prefix: tuple[str, ...], lines: list[str]) -> None:
    def is_table(v: object) -> bool:
        return isinstance(v, Mapping)

    def is_table_array(v: object) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)

    for key, value in table.items():
        if value is None or is_table(value) or is_table_array(value):
            continue
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        if is_table_array(value):
            for item in value:
                lines += ["", f"[[{'.'.join(map(_key, (*prefix, key)))}]]"]
                _emit_table(item, (*prefix, key), lines)
    for key, value in table.items():
        if is_table(value):
            scalars = {k: v for k, v in value.items() if not is_table(v)}
            if scalars or not value:
                lines += ["", f"[{'.'.join(map(_key, (*prefix, key)))}]"]
            _emit_table(value, (*prefix, key), lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = (f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + ", ".join(items) + " }"
    msg = f"cannot write {type(value).__name__} {value!r} to TOML"
    raise TypeError(msg)
