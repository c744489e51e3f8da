"""What every allocation checks first: the shapes, people, CRSs, and where people went.

Targets and sources are checked and repaired (invalid rings with ``make_valid``, with one
warning) before any allocation; :class:`PopulationAccounting` is what each allocation
reports.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import Problem, ScenarioError, ScenarioWarning

__all__ = [
    "METRIC_HINT",
    "PopulationAccounting",
    "Shapes",
    "checked_shapes",
    "geometry_kind",
    "overlapping",
    "people_values",
    "require_projected",
    "require_same_crs",
    "shapes_of",
    "target_geometries",
]

METRIC_HINT = "project both to a metric CRS, e.g. scn.metric_crs"


@dataclass(frozen=True)
class PopulationAccounting:
    """Where the people of a population layer went.

    ``input_total == assigned_total + outside_total`` always holds (to rounding).

    Parameters
    ----------
    input_total : float
        People in the population layer (valid raster cells only).
    assigned_total : float
        People that fell inside at least one target, each counted once (so with
        overlapping targets this can be less than the sum of the allocations).
    outside_total : float
        People that fell outside every target (or had no usable geometry).
    source : str
        What was allocated: ``"polygons"``, ``"polygons (dasymetric)"``, ``"points"`` or
        the raster's source name.
    mask_fallback : int
        With a dasymetric mask: number of source polygons with no masked part, whose
        people were spread over their whole area instead.
    """

    input_total: float
    assigned_total: float
    outside_total: float
    source: str
    mask_fallback: int = 0


class Shapes(NamedTuple):
    """Geometries with their bounds, areas and which are axis-aligned rectangles."""

    geoms: np.ndarray
    bounds: np.ndarray
    area: np.ndarray
    rect: np.ndarray


def shapes_of(geoms: np.ndarray) -> Shapes:
    """Geometries with their bounds, areas and which are axis-aligned rectangles."""
    bounds, area = shapely.bounds(geoms), shapely.area(geoms)
    return Shapes(geoms, bounds, area, rectangles(geoms, bounds, area))


def target_geometries(frame: gpd.GeoDataFrame | gpd.GeoSeries, layer: str) -> np.ndarray:
    """The geometries of a layer, checked and repaired (see :func:`checked_shapes`)."""
    return checked_shapes(frame, layer, stacklevel=4).geoms


def checked_shapes(
    frame: gpd.GeoDataFrame | gpd.GeoSeries, layer: str, stacklevel: int = 3
) -> Shapes:
    """A layer's geometries (missing ones empty, invalid ones repaired, with a warning)."""
    if not isinstance(frame, (gpd.GeoDataFrame, gpd.GeoSeries)):
        msg = f"{layer} must be a GeoDataFrame or GeoSeries; got {type(frame).__name__}"
        raise ScenarioError([Problem(layer, msg)])
    if frame.crs is None:
        msg = "has no CRS; set one (e.g. .set_crs('EPSG:4326')) before allocating population"
        raise ScenarioError([Problem(layer, msg)])
    geoms = np.asarray(frame.geometry.array, dtype=object)
    geoms = np.where(shapely.is_missing(geoms), shapely.Polygon(), geoms)
    invalid = np.zeros(geoms.size, dtype=bool)
    shapes = shapes_of(geoms)
    check = np.flatnonzero(~shapes.rect)
    invalid[check] = ~shapely.is_valid(geoms[check])
    if invalid.any():
        rows = list(frame.index[invalid][:5])
        warnings.warn(
            f"{layer}: {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'}"
            f" repaired with make_valid (rows {rows}{'...' if invalid.sum() > 5 else ''})",
            ScenarioWarning,
            stacklevel=stacklevel,
        )
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(
            geoms[invalid], method="structure", keep_collapsed=False
        )
        shapes = shapes_of(geoms)
    return shapes


def people_values(frame: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """The people of each row: finite numbers >= 0, or a ScenarioError naming the rows."""
    try:
        values = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        msg = f"population column {column!r} must be numeric"
        raise ScenarioError([Problem("population", msg, column=column)]) from err
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        problems = [
            Problem("population", "people must be a finite number >= 0", row, column, val)
            for row, val in zip(frame.index[bad][:10], values[bad][:10], strict=True)
        ]
        raise ScenarioError(problems)
    return values


def require_same_crs(a: CRS | None, b: CRS | None, name_a: str, name_b: str) -> None:
    """Refuse a layer without CRS, or two layers in different CRSs."""
    if b is None:
        msg = "has no CRS; set one before allocating population"
        raise ScenarioError([Problem(name_b, msg)])
    if a != b:
        msg = (
            f"{name_a} ({a.to_string() if a else None}) and {name_b} ({b.to_string()}) are in"
            f" different CRSs; project both to one metric CRS, e.g. scn.metric_crs"
        )
        raise ScenarioError([Problem(name_b, msg)])


def require_projected(crs: CRS, what: str) -> None:
    """Refuse a geographic CRS where metres are measured."""
    if not crs.is_projected:
        msg = f"{what} needs a projected CRS, got geographic {crs.to_string()}; {METRIC_HINT}"
        raise ScenarioError([Problem("population", msg)])


def geometry_kind(geoms: np.ndarray) -> str:
    """``"points"`` or ``"polygons"``; a mix of the two is refused."""
    present = ~shapely.is_empty(geoms)
    counts = np.bincount(shapely.get_type_id(geoms[present]) + 1, minlength=9)
    types = {int(k) - 1 for k in np.flatnonzero(counts)}
    if types <= {0}:
        return "points"
    if types <= {3, 6, 7}:  # Polygon, MultiPolygon, and collections from repairs
        return "polygons"
    msg = "population must be all points or all polygons (explode or split the layer)"
    raise ScenarioError([Problem("population", msg)])


def rectangles(geoms: np.ndarray, bounds: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Axis-aligned rectangles (grid cells): valid, and their box centre lies inside."""
    box_area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    return (
        (shapely.get_type_id(geoms) == 3)
        & (shapely.get_num_coordinates(geoms) == 5)
        & (shapely.get_num_interior_rings(geoms) == 0)
        & (area > 0)
        & (area == box_area)
    )


def overlapping(targets: np.ndarray) -> bool:
    """Whether any two targets share interior (positive-area overlap)."""
    tree = shapely.STRtree(targets)
    i, j = tree.query(targets, predicate="intersects")
    pair = i < j
    if not pair.any():
        return False
    return bool(shapely.relate_pattern(targets[i[pair]], targets[j[pair]], "2********").any())
