"""Validation at the boundary: collect every problem, repair what can be repaired, raise once.

:func:`prepare_scenario` is the single path every scenario takes (files or code): it
normalises the layers (EPSG:4326, 2D, valid geometries, parsed dates), collects every fatal
problem into one :class:`~geoaccess.errors.ScenarioError` and reports repairs in one
:class:`~geoaccess.errors.ScenarioWarning`. The non-fatal findings about a scenario that
loaded are :func:`geoaccess.scenario.findings.validate`'s; the checks across layers
(unique ids, overlapping zones, references) are :mod:`geoaccess.scenario.checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from ..crs import WGS84, metric_crs_for, to_wgs84
from ..errors import Problem
from ..rules import Rules
from ..schema import (
    CORRIDOR_KINDS,
    CORRIDOR_STATUSES,
    LAYER_NAMES,
    LAYERS,
    RELATIONS,
    PopulationRaster,
)
from ..temporal import is_blank, to_day_series
from . import checks, rest
from .problems import Findings

__all__ = ["prepare_scenario"]

ScenarioT = TypeVar("ScenarioT")

#: Longest message quoted from another library's error (they quote the values found).
MAX_MESSAGE = 300
#: Colours given to sides whose parties declare none.
DEFAULT_SIDE_COLORS = ("#c0392b", "#27ae60", "#f1c40f", "#8e44ad", "#2980b9", "#d35400")


def prepare_scenario(
    cls: Callable[..., ScenarioT],
    *,
    name: str,
    parties: pd.DataFrame | list[Mapping[str, Any]],
    zones: gpd.GeoDataFrame,
    relations: pd.DataFrame | list[Mapping[str, Any]] | None,
    rear: Mapping[str, Any] | pd.DataFrame | None,
    layers: dict[str, gpd.GeoDataFrame | None],
    population_rasters: tuple[PopulationRaster, ...],
    rules: Rules | Mapping[str, Any] | None,
    extent: tuple[float, float, float, float] | None,
    description: str,
    sources: tuple[str, ...],
    metadata: dict[str, Any],
    contested: Iterable[str] = (),
    holds_rest: Mapping[str, Any] | None = None,
    problems: Iterable[Problem] = (),
) -> ScenarioT:
    """Normalise and check the parts of a scenario; see :meth:`Scenario.create`.

    ``cls`` builds the scenario from the checked parts (the :class:`Scenario` class).

    ``problems`` are fatal problems found before (reading files, say): they are raised
    together with the ones found here, so that the user sees everything at once.
    ``holds_rest`` maps a side to the boundary of the ground it holds wherever no other
    side's zone lies (:func:`geoaccess.scenario.rest.rest_zones` adds those zones).
    """
    found = Findings()
    found.fatal.extend(problems)
    failed = {p.layer for p in found.fatal}
    if not isinstance(name, str) or not name.strip():
        found.error("manifest", "the scenario needs a non-empty name", column="name", value=name)
    # parties that could not be read were reported already: their absence is no news
    party_frame = _prepare_parties(parties, Findings() if "parties" in failed else found)
    relation_frame = _prepare_relations(relations, found)
    rear_frame = _prepare_rear(rear, found)
    rules_obj = _prepare_rules(rules, found)
    frame_extent = _prepare_extent(extent, found)

    unknown = sorted(set(layers) - set(LAYER_NAMES) - {"zones"})
    for layer_name in unknown:
        found.error(layer_name, f"unknown layer; layers are {', '.join(LAYER_NAMES)}")
    given = {"zones": zones, **{k: v for k, v in layers.items() if k in LAYER_NAMES}}
    crs_seen = {str(g.crs) for g in given.values() if isinstance(g, gpd.GeoDataFrame) and g.crs}
    prepared: dict[str, gpd.GeoDataFrame | None] = {}
    for layer_name in LAYER_NAMES:
        frame = given.get(layer_name)
        prepared[layer_name] = (
            None if frame is None else _prepare_layer(layer_name, frame, found, len(crs_seen) > 1)
        )
    if zones is None and "zones" not in failed:
        found.error("zones", "the scenario needs a zones layer")

    contested_sides = _prepare_contested(contested, party_frame, found)
    checks.check_references(party_frame, relation_frame, rear_frame, prepared, found)
    checks.check_unique_ids(prepared, found)
    zone_frame = prepared["zones"]
    derived = None
    if zone_frame is not None and "party" in zone_frame and holds_rest:
        given_rows = len(zone_frame)
        zone_frame = rest.with_rest_zones(
            zone_frame, holds_rest, party_frame, found, extent=frame_extent
        )
        prepared["zones"] = zone_frame
        derived = np.arange(len(zone_frame)) >= given_rows  # the rest zones come last
    if zone_frame is not None and "party" in zone_frame:
        side_of = dict(zip(party_frame["id"], party_frame["side"], strict=True))
        checks.check_zone_overlaps(
            zone_frame,
            _metric_crs(rules_obj, frame_extent, zone_frame),
            found,
            side_of=side_of,
            derived=derived,
        )
    found.raise_or_warn()
    return cls(
        name=name.strip(),
        parties=party_frame,
        zones=prepared.pop("zones"),  # type: ignore[arg-type]
        relations=relation_frame,
        rear=rear_frame,
        population_rasters=population_rasters,
        rules=rules_obj,
        declared_extent=frame_extent,
        description=description,
        sources=sources,
        metadata=metadata,
        contested=contested_sides,
        **prepared,
    )


# ---------------------------------------------------------------------- pieces
def _as_frame(rows: pd.DataFrame | list[Mapping[str, Any]] | None) -> pd.DataFrame:
    if rows is None:
        return pd.DataFrame()
    if isinstance(rows, pd.DataFrame):
        return rows.copy()
    return pd.DataFrame([dict(r) for r in rows])


def _prepare_parties(parties: Any, found: Findings) -> pd.DataFrame:
    frame = _as_frame(parties).reset_index(drop=True)
    for column in ("id", "side"):
        if column not in frame:
            found.error("parties", f"every party needs an {column!r}", column=column)
            frame[column] = pd.Series(dtype=object)
    if len(frame) == 0:
        found.error("parties", "the scenario declares no parties; add [[parties]] entries")
    frame[["id", "side"]] = frame[["id", "side"]].astype(object)
    for i, row in frame.iterrows():
        for column in ("id", "side"):
            value = row.get(column)
            if not isinstance(value, str) or not value.strip():
                found.error("parties", f"{column} must be a non-empty text", i, column, value)
                # reported: a list or table here must not break the checks that follow
                frame.at[i, column] = None
    duplicated = frame["id"][frame["id"].notna() & frame["id"].duplicated()]
    for i, value in duplicated.items():
        found.error("parties", "party ids must be unique", i, "id", value)
    if "name" not in frame:
        frame["name"] = frame["id"]
    frame["name"] = frame["name"].where(frame["name"].notna(), frame["id"])
    sides = list(dict.fromkeys(frame["side"]))
    palette = {s: DEFAULT_SIDE_COLORS[i % len(DEFAULT_SIDE_COLORS)] for i, s in enumerate(sides)}
    if "color" not in frame:
        frame["color"] = None
    frame["color"] = [
        c if isinstance(c, str) and c.strip() else palette.get(s)
        for c, s in zip(frame["color"], frame["side"], strict=True)
    ]
    extra = [c for c in frame.columns if c not in ("id", "name", "side", "color")]
    return frame[["id", "name", "side", "color", *extra]].astype(object)


def _prepare_relations(relations: Any, found: Findings) -> pd.DataFrame:
    frame = _as_frame(relations).reset_index(drop=True)
    rows = []
    for i, row in frame.iterrows():
        sides = row.get("sides")
        if isinstance(sides, (list, tuple)) and len(sides) == 2:
            side_a, side_b = sides
        else:
            side_a, side_b = row.get("side_a"), row.get("side_b")
        if not isinstance(side_a, str) or not isinstance(side_b, str):
            found.error(
                "relations", 'a relation names two sides: sides = ["a", "b"]', i, "sides", sides
            )
            continue
        relation = row.get("relation", "hostile")
        if relation not in RELATIONS:
            found.error(
                "relations",
                f"relation must be one of {', '.join(RELATIONS)}",
                i,
                "relation",
                relation,
            )
            continue
        rows.append((side_a, side_b, relation))
    return pd.DataFrame(rows, columns=["side_a", "side_b", "relation"], dtype=object)


def _prepare_contested(
    contested: Iterable[str], parties: pd.DataFrame, found: Findings
) -> tuple[str, ...]:
    """Sides declared contested (``[sides.<side>] kind = "contested"``), checked."""
    sides = [s for s in parties["side"] if isinstance(s, str)]
    out = []
    for side in contested:
        if side not in sides:
            found.error(
                "sides",
                f"a contested side must be a side of some party; sides are "
                f"{', '.join(dict.fromkeys(sides))}",
                side,
                "kind",
                side,
            )
        else:
            out.append(side)
    return tuple(dict.fromkeys(out))


def _prepare_rear(rear: Any, found: Findings) -> pd.DataFrame:
    rows: list[tuple[str, float, float]] = []
    if isinstance(rear, pd.DataFrame):
        rows = [(r.side, float(r.lon), float(r.lat)) for r in rear.itertuples(index=False)]
    elif rear:
        for side, points in rear.items():
            if isinstance(points, Mapping):
                points = points.get("rear", [])
            for j, point in enumerate(points or []):
                try:
                    lon, lat = (float(v) for v in point)
                except (TypeError, ValueError):
                    found.error(
                        "rear",
                        f"rear anchors of side {side!r} are [lon, lat] pairs",
                        j,
                        "rear",
                        point,
                    )
                    continue
                rows.append((side, lon, lat))
    frame = pd.DataFrame(rows, columns=["side", "lon", "lat"])
    frame["side"] = frame["side"].astype(object)
    for i, row in frame.iterrows():
        if not (-180 <= row.lon <= 180 and -90 <= row.lat <= 90):
            found.error(
                "rear", "rear anchors are lon/lat in degrees", i, "rear", (row.lon, row.lat)
            )
    return frame


def _prepare_rules(rules: Rules | Mapping[str, Any] | None, found: Findings) -> Rules:
    if rules is None:
        return Rules()
    if isinstance(rules, Rules):
        return rules
    try:
        made = Rules.from_mapping(dict(rules))
        if made.metric_crs is not None:
            crs = CRS.from_user_input(made.metric_crs)
            if not crs.is_projected:
                msg = f"Rules.metric_crs must be a projected CRS in metres; got {crs.to_string()}"
                raise ValueError(msg)
        return made
    except (TypeError, ValueError, CRSError) as error:
        message = str(error)  # quotes the value found, which may be any length
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        found.error("manifest", message, column="rules")
        return Rules()


def _prepare_extent(extent: Any, found: Findings) -> tuple[float, float, float, float] | None:
    if extent is None:
        return None
    try:
        values = tuple(float(v) for v in extent)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 4 or not all(np.isfinite(values)):
        found.error(
            "manifest",
            "extent is [lon_min, lat_min, lon_max, lat_max]",
            column="extent",
            value=extent,
        )
        return None
    lon_min, lat_min, lon_max, lat_max = values
    if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
        found.error(
            "manifest",
            "extent must be lon_min < lon_max and lat_min < lat_max in degrees",
            column="extent",
            value=extent,
        )
        return None
    return (lon_min, lat_min, lon_max, lat_max)


def _prepare_layer(
    name: str, frame: gpd.GeoDataFrame, found: Findings, mixed_crs: bool
) -> gpd.GeoDataFrame | None:
    spec = LAYERS[name]
    if not isinstance(frame, gpd.GeoDataFrame):
        found.error(name, "the layer must be a GeoDataFrame with geometries", value=type(frame))
        return None
    if frame.crs is None:
        found.error(
            name,
            "the layer has no CRS; set one in the file, or for CSV declare it "
            'in the manifest: { path = "...", crs = "EPSG:4326" }',
        )
        return None
    frame = frame.copy()
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    for column in spec.required:
        if column not in frame:
            found.error(
                name,
                f"required column is missing (columns found: {', '.join(map(str, frame.columns))})",
                column=column,
            )
    geoms = np.asarray(frame.geometry.values)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for row in frame.index[missing]:
        found.error(name, "feature has no geometry", row, "geometry")
    nonfinite = _nonfinite(geoms)
    for row in frame.index[nonfinite]:
        found.error(
            name, "coordinates must be finite numbers (found NaN or infinity)", row, "geometry"
        )
    present = ~missing & ~nonfinite
    present &= ~_check_range(name, frame, present, found)
    if shapely.has_z(geoms).any():
        frame["geometry"] = shapely.force_2d(geoms)
        found.repaired(name, "3D coordinates reduced to 2D")
    if not frame.crs.equals(WGS84):
        if mixed_crs:
            found.repaired(
                name,
                f"reprojected from {frame.crs.to_string()} to EPSG:4326 "
                "(layers came in different CRSs)",
            )
        frame = to_wgs84(frame)
    if spec.geometry[0] in ("Polygon", "LineString"):
        invalid = present & ~np.asarray(frame.geometry.is_valid)
        if invalid.any():
            repaired = shapely.make_valid(np.asarray(frame.geometry.values[invalid]))
            frame.loc[invalid, "geometry"] = [_keep_dimension(g, spec.geometry) for g in repaired]
            rows = ", ".join(map(str, frame.index[invalid][:10]))
            more = f" and {invalid.sum() - 10} more" if invalid.sum() > 10 else ""
            found.repaired(
                name, f"invalid geometries made valid (rows {rows}{more})", None, "geometry"
            )
    types = frame.geometry.geom_type
    for row in frame.index[present & ~types.isin(spec.geometry).to_numpy()]:
        found.error(
            name, f"geometry must be {' or '.join(spec.geometry)}", row, "geometry", types[row]
        )
    for column in ("valid_from", "valid_to", *(("date",) if name == "incidents" else ())):
        if column in frame:
            parsed, bad = to_day_series(frame[column])
            for row in frame.index[bad.to_numpy()]:
                found.error(
                    name,
                    "not an ISO date: write YYYY-MM-DD (2016-07-01; 01/07/2016 could be 1 July "
                    "or 7 January, so it is never guessed; years 1678 to 2261)",
                    row,
                    column,
                    frame.at[row, column],
                )
            frame[column] = parsed
    if "valid_from" in frame and "valid_to" in frame:
        wrong = (frame["valid_to"] <= frame["valid_from"]).to_numpy()
        for row in frame.index[wrong]:
            found.error(
                name,
                "valid_to must be after valid_from (valid_to is exclusive)",
                row,
                "valid_to",
                str(frame.at[row, "valid_to"].date()),
            )
    if "population" in frame and name in ("population", "areas"):
        frame["population"] = _population(name, frame["population"], found)
    if name == "roads" and "noded" in frame:
        frame["noded"] = _flags(name, "noded", frame["noded"], found)
    if name == "corridors":
        for column, allowed in (("kind", CORRIDOR_KINDS), ("status", CORRIDOR_STATUSES)):
            if column in frame:
                values = frame[column]
                for row in frame.index[~values.isin(allowed).to_numpy()]:
                    found.error(
                        name,
                        f"unknown corridor {column}; use one of {', '.join(allowed)}",
                        row,
                        column,
                        values[row],
                    )
    return frame


def _nonfinite(geoms: np.ndarray) -> np.ndarray:
    """Mask of geometries with a NaN or infinite coordinate."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = np.zeros(len(geoms), dtype=bool)
    bad[index[~np.isfinite(coords).all(axis=1)]] = True
    return bad


def _population(name: str, values: pd.Series, found: Findings) -> pd.Series:
    """Population counts as floats, reporting bad or (population layer) missing counts."""
    text = values.astype(object)
    empty = text.isna() | text.map(lambda v: isinstance(v, str) and not v.strip())
    try:
        numbers = pd.to_numeric(text.where(~empty), errors="coerce").astype(float)
    except OverflowError:  # integers beyond float range: parse one by one, they become inf
        numbers = text.where(~empty).map(_as_float).astype(float)
    problems = {
        "population must be a number of people": (numbers.isna() & ~empty) | np.isinf(numbers),
        "population must be >= 0": numbers < 0,
    }
    if name == "population":
        problems["population is missing (use 0 for none)"] = empty
    for message, mask in problems.items():
        for row in values.index[mask.to_numpy()]:
            found.error(name, message, row, "population", values[row])
    return numbers


#: Texts read as a flag's value (any case, spaces round them ignored).
_FLAG_TEXTS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _flags(name: str, column: str, values: pd.Series, found: Findings) -> pd.Series:
    """A true/false column as booleans (missing: ``False``), reporting other values.

    Booleans, the numbers 1 and 0 and the texts true/false, yes/no, 1/0 are read; a
    boolean column (as the OSM reader gives) is taken as it is, and a numeric one is
    read in numpy, without a loop over its rows.
    """
    if pd.api.types.is_bool_dtype(values.dtype):  # numpy's bool, or pandas' with NA
        return pd.Series(values.fillna(False).to_numpy(dtype=bool), index=values.index, name=column)
    if pd.api.types.is_numeric_dtype(values.dtype):  # 1/0, as a shapefile stores flags
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        for at in np.flatnonzero(~np.isnan(numbers) & (numbers != 0) & (numbers != 1)):
            message = f"{column} must be true or false"
            found.error(name, message, values.index[at], column, values.iloc[at])
        return pd.Series(numbers == 1, index=values.index, name=column)
    out = np.zeros(len(values), dtype=bool)
    for k, (row, value) in enumerate(values.items()):
        if isinstance(value, (bool, np.bool_)):
            out[k] = bool(value)
        elif isinstance(value, str) and value.strip().lower() in _FLAG_TEXTS:
            out[k] = _FLAG_TEXTS[value.strip().lower()]
        elif isinstance(value, (int, np.integer, float, np.floating)) and value in (0, 1):
            out[k] = bool(value)
        elif not is_blank(value):
            found.error(name, f"{column} must be true or false", row, column, value)
    return pd.Series(out, index=values.index, name=column)


def _as_float(value: object) -> float:
    """A number as float (``inf`` when too large), ``NaN`` when it is none."""
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return float("inf")
    except (TypeError, ValueError):
        return float("nan")


def _keep_dimension(geom: shapely.Geometry, allowed: tuple[str, ...]) -> shapely.Geometry:
    """After ``make_valid``, keep only the parts of the layer's dimension."""
    if geom.geom_type in allowed:
        return geom
    parts = [
        g
        for g in shapely.get_parts(geom)
        if g.geom_type in allowed or g.geom_type == allowed[0].removeprefix("Multi")
    ]
    if not parts:
        return geom
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _check_range(
    name: str, frame: gpd.GeoDataFrame, present: np.ndarray, found: Findings
) -> np.ndarray:
    """Mask of rows with coordinates outside the range of the layer's CRS (a wrong CRS)."""
    crs: CRS = frame.crs  # never None: layers without a CRS are rejected before this
    if crs.is_geographic:
        limits, hint = (-180.0, -90.0, 180.0, 90.0), "longitude -180..180, latitude -90..90"
    else:
        area = crs.area_of_use
        if area is None:
            return np.zeros(len(frame), dtype=bool)
        xmin, ymin, xmax, ymax = Transformer.from_crs(WGS84, crs, always_xy=True).transform_bounds(
            *area.bounds, densify_pts=21
        )
        if not np.isfinite([xmin, ymin, xmax, ymax]).all():
            return np.zeros(len(frame), dtype=bool)
        # generous: projected CRSs stay usable well beyond their declared area of use
        dx, dy = (xmax - xmin) / 2, (ymax - ymin) / 2
        limits = (xmin - dx, ymin - dy, xmax + dx, ymax + dy)
        hint = "its area of use is lon {:g}..{:g}, lat {:g}..{:g}".format(
            *area.bounds[::2], *area.bounds[1::2]
        )
    bounds = frame.geometry.bounds.to_numpy()
    bad = present & (
        (bounds[:, 0] < limits[0])
        | (bounds[:, 1] < limits[1])
        | (bounds[:, 2] > limits[2])
        | (bounds[:, 3] > limits[3])
    )
    for row, box in zip(frame.index[bad], bounds[bad], strict=True):
        found.error(
            name,
            f"coordinates outside the valid range of {crs.to_string()} ({hint}); is the CRS right?",
            row,
            "geometry",
            tuple(round(float(v), 3) for v in box),
        )
    return bad


def _metric_crs(
    rules: Rules, extent: tuple[float, float, float, float] | None, zones: gpd.GeoDataFrame
) -> CRS | None:
    if rules.metric_crs is not None:
        return CRS.from_user_input(rules.metric_crs)
    if extent is None:
        bounds = zones.geometry.total_bounds
        if not np.isfinite(bounds).all():
            return None
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        extent = (xmin, ymin, xmax, ymax)
    return metric_crs_for(extent)
