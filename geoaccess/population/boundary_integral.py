"""Exact area-weighted sums over a grid, as a line integral along polygon boundaries.

The people a polygon ``P`` holds on a grid of people per cell, each cell counted by the
exact fraction of it that ``P`` covers, are the integral over ``P`` of the step function
``f`` (a cell's value, spread evenly over the cell; cells are unit squares in pixel
coordinates ``u`` = column, ``w`` = row). By Green's theorem

    ∬_P f du dw = ∮_∂P F(u, w) dw,   F(u, w) = ∫_{-∞}^{u} f(s, w) ds,

with the boundary's rings oriented counter-clockwise around ``P`` (holes clockwise).
Inside cell ``(r, c)``, ``F(u, w) = S[r, c] + (u - c) · v[r, c]``, where ``S`` is the
row's cumulative sum of the cells left of ``c``: linear in ``u``, so along a piece of an
edge within one cell the integral is exact at the piece's midpoint. The sum then costs
one cumulative sum per row read plus a term per cell a boundary crosses, instead of a
coverage fraction for every cell of the polygon's bounding box.

Any constant added to a row's ``S`` integrates to zero around a closed ring (the ring's
net ``dw`` within a row is zero), so ``S`` may start at any column, ring by ring: a
row's cumulative sum need only span the columns its pieces meet.

This module is pure numpy and shapely; :mod:`geoaccess.population.raster` reads the cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

__all__ = ["BoundaryPieces", "boundary_pieces", "integrate_rows"]


@dataclass(frozen=True)
class BoundaryPieces:
    """Pieces of polygon boundaries, one per cell a boundary edge crosses, sorted by row.

    Attributes
    ----------
    row, col : numpy.ndarray of int64
        The cell each piece lies in (pixel coordinates; may lie off the grid).
    offset : numpy.ndarray of float
        The piece's midpoint ``u`` less ``col``: where in the cell, 0 to 1.
    weight : numpy.ndarray of float
        The piece's signed ``dw``, signed so that every ring integrates as an exterior
        (counter-clockwise) or a hole (clockwise) should.
    target : numpy.ndarray of int64
        Index of the geometry the piece belongs to.
    """

    row: np.ndarray
    col: np.ndarray
    offset: np.ndarray
    weight: np.ndarray
    target: np.ndarray

    @property
    def size(self) -> int:
        """Number of pieces."""
        return int(self.row.size)

    def take(self, index: Any) -> BoundaryPieces:
        """The pieces at ``index`` (a slice, mask or integer array)."""
        return BoundaryPieces(
            self.row[index],
            self.col[index],
            self.offset[index],
            self.weight[index],
            self.target[index],
        )


def boundary_pieces(geoms: np.ndarray, transform: Any) -> BoundaryPieces:
    """Cut the boundaries of polygons at the grid lines of a raster.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Valid polygons or multipolygons (empty or missing ones give no piece), in the
        raster's CRS.
    transform : affine.Affine
        The raster's pixel-to-world transform (rotated or not).

    Returns
    -------
    BoundaryPieces
        The pieces with a non-zero ``dw`` (pieces along a row line add nothing), sorted
        by row.
    """
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    if rings.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return BoundaryPieces(empty, empty, np.zeros(0), np.zeros(0), empty)
    exterior = np.r_[True, ring_part[1:] != ring_part[:-1]]
    # the pixel grid mirrors the world when the transform's determinant is negative
    # (north-up rasters): a ring counter-clockwise on the map is clockwise in pixels
    mirrored = transform.determinant < 0
    ccw = shapely.is_ccw(rings) ^ mirrored
    ring_sign = np.where(exterior == ccw, 1.0, -1.0)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    inverse = ~transform
    u = inverse.a * xy[:, 0] + inverse.b * xy[:, 1] + inverse.c
    w = inverse.d * xy[:, 0] + inverse.e * xy[:, 1] + inverse.f
    # ring coordinates repeat their first point last: an edge joins two of the same ring
    edge = ring_of[1:] == ring_of[:-1]
    u1, w1, u2, w2 = u[:-1][edge], w[:-1][edge], u[1:][edge], w[1:][edge]
    edge_ring = ring_of[:-1][edge]
    du, dw = u2 - u1, w2 - w1
    # each edge from t = 0 to t = 1, cut where it crosses a column or a row line
    n = u1.size
    cut_t, cut_edge = [np.zeros(n), np.ones(n)], [np.arange(n), np.arange(n)]
    for start, end, delta in ((u1, u2, du), (w1, w2, dw)):
        t, which = _grid_crossings(start, end, delta)
        cut_t.append(t)
        cut_edge.append(which)
    t, which = np.concatenate(cut_t), np.concatenate(cut_edge)
    order = np.lexsort((t, which))
    t, which = t[order], which[order]
    same = which[1:] == which[:-1]
    t0, t1, which = t[:-1][same], t[1:][same], which[:-1][same]
    weight = (t1 - t0) * dw[which]
    moving = weight != 0.0
    t0, t1, which, weight = t0[moving], t1[moving], which[moving], weight[moving]
    middle = (t0 + t1) / 2.0
    mid_u = u1[which] + middle * du[which]
    mid_w = w1[which] + middle * dw[which]
    ring = edge_ring[which]
    row = np.floor(mid_w).astype(np.int64)
    col = np.floor(mid_u).astype(np.int64)
    by_row = np.argsort(row, kind="stable")
    return BoundaryPieces(
        row=row[by_row],
        col=col[by_row],
        offset=(mid_u - col)[by_row],
        weight=(weight * ring_sign[ring])[by_row],
        target=part_of[ring_part[ring]][by_row],
    )


def _grid_crossings(
    start: np.ndarray, end: np.ndarray, delta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The parameters ``t`` where edges cross integer lines of one coordinate, and their edges."""
    first, last = np.floor(start), np.floor(end)
    count = np.abs(last - first).astype(np.int64)
    which = np.repeat(np.arange(start.size), count)
    rank = np.arange(which.size) - np.repeat(np.cumsum(count) - count, count)
    lines = np.minimum(first, last)[which] + rank + 1.0
    return (lines - start[which]) / delta[which], which


def integrate_rows(pieces: BoundaryPieces, values: np.ndarray, row0: int, col0: int) -> np.ndarray:
    """Each piece's term of the line integral, given the cells of its rows.

    Parameters
    ----------
    pieces : BoundaryPieces
        Pieces whose rows lie in ``values`` (rows ``row0`` on), in one column window
        per row: every piece of a ring in a row must be integrated against the same
        window.
    values : numpy.ndarray of float, 2-D
        People per cell, 0 where no one is counted, columns ``col0`` to
        ``col0 + values.shape[1] - 1``. Pieces left of it integrate ``F = 0`` (they
        must lie off the raster, left of column 0); pieces right of it the row's total
        (off the raster, right of its last column).

    Returns
    -------
    numpy.ndarray
        One term per piece; a target's sum is the sum of its pieces' terms.
    """
    rows = pieces.row - row0
    cols = pieces.col - col0
    last = values.shape[1] - 1
    inside = np.clip(cols, 0, last)
    cumulative = np.cumsum(values, axis=1)
    cell = values[rows, inside]
    left_of_cell = cumulative[rows, inside] - cell
    integrand = np.where(
        cols < 0,
        0.0,
        np.where(cols > last, cumulative[rows, last], left_of_cell + pieces.offset * cell),
    )
    return integrand * pieces.weight
