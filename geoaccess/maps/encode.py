"""Compact JSON for many polygons: integer coordinate deltas and dictionary columns.

A map of 10,000 areas written as GeoJSON spends most of its bytes on repeating the
same few digits (``36.95135, 36.38312``) and the same strings (statuses, reasons,
labels). Here coordinates become whole numbers of ``10**-precision`` degrees, each
vertex stored as the step from the one before (the first of a ring in full), and the
ring's closing vertex is left out; a column of strings that repeats is stored as its
distinct values and an index per row. Decoding (in the page) gives back exactly the
rounded coordinates: ``k / 10**precision`` is the same double in Python and JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

__all__ = ["column", "decode_rings", "delta_rings"]

#: A polygon as rings (the exterior first) of flat ``[x0, y0, dx1, dy1, ...]`` integers.
Rings = list[list[int]]


def delta_rings(geoms: Sequence[Any] | np.ndarray, *, precision: int) -> list[list[Rings]]:
    """Each geometry's polygons as delta-encoded integer rings.

    Vertices are rounded to ``precision`` decimals; a vertex equal to the one before it
    after rounding is dropped (and a last one equal to the first), and so is a ring left
    with fewer than three vertices (a polygon whose exterior is, entirely). Parts that are
    not polygons are left out.

    Parameters
    ----------
    geoms : sequence of shapely geometries
        Polygons or multipolygons, in lon/lat.
    precision : int
        Decimals kept: coordinates are stored in units of ``10**-precision`` degrees.

    Returns
    -------
    list
        Per geometry, a list of polygons, each a list of rings of flat integers.

    Examples
    --------
    >>> square = shapely.box(36.1, 35.2, 36.3, 35.4)
    >>> delta_rings([square], precision=1)
    [[[[363, 352, 0, 2, -2, 0, 0, -2]]]]
    >>> decode_rings(delta_rings([square], precision=1)[0][0][0], precision=1)
    [(36.3, 35.2), (36.3, 35.4), (36.1, 35.4), (36.1, 35.2), (36.3, 35.2)]
    """
    geoms = np.asarray(geoms, dtype=object)
    polygon_type = shapely.GeometryType.POLYGON
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    polygonal = shapely.get_type_id(parts) == polygon_type
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, vertex_of = shapely.get_coordinates(rings, return_index=True)
    q = np.round(xy * 10.0**precision).astype(np.int64)
    starts = np.r_[True, vertex_of[1:] != vertex_of[:-1]]
    closing = np.r_[starts[1:], True]
    repeat = np.r_[False, (q[1:] == q[:-1]).all(axis=1)] & ~starts
    keep = ~closing & ~repeat
    q, vertex_of = q[keep], vertex_of[keep]
    starts = np.r_[True, vertex_of[1:] != vertex_of[:-1]] if len(q) else starts[:0]
    # a last vertex back on the first (the ring closed early after rounding) goes too
    ends = np.r_[starts[1:], True] if len(q) else starts
    first_of = np.maximum.accumulate(np.where(starts, np.arange(len(q)), 0))
    back = ends & ~starts & (q == q[first_of]).all(axis=1)
    q, vertex_of, starts = q[~back], vertex_of[~back], starts[~back]
    steps = q - np.vstack([np.zeros((1, 2), dtype=np.int64), q[:-1]])
    steps[starts] = q[starts]
    counts = np.bincount(vertex_of, minlength=len(rings))
    flat = np.split(steps.ravel(), np.cumsum(2 * counts)[:-1]) if len(rings) else []
    out: list[list[Rings]] = [[] for _ in range(len(geoms))]
    current: Rings = []
    alive = False
    for ring, (values, count, part) in enumerate(zip(flat, counts, ring_of, strict=True)):
        if ring == 0 or ring_of[ring - 1] != part:  # an exterior: a new polygon
            alive = count >= 3
            current = []
            if alive:
                out[int(part_of[part])].append(current)
        if alive and count >= 3:
            current.append(values.tolist())
    return out


def decode_rings(ring: Sequence[int], *, precision: int) -> list[tuple[float, float]]:
    """The closed lon/lat ring of a :func:`delta_rings` ring (as the page decodes it)."""
    scale = 10.0**precision
    x = y = 0
    out = []
    for dx, dy in zip(ring[0::2], ring[1::2], strict=True):
        x, y = x + dx, y + dy
        out.append((x / scale, y / scale))
    return [*out, out[0]] if out else out


def column(values: Sequence[Any]) -> dict[str, list[Any]]:
    """A column as ``{"v": values}``, or ``{"d": distinct, "i": indices}`` when it repeats.

    Examples
    --------
    >>> column(["open", "open", "closed", "open"])
    {'d': ['open', 'closed'], 'i': [0, 0, 1, 0]}
    >>> column(["a", "b"])
    {'v': ['a', 'b']}
    """
    distinct = list(dict.fromkeys(values))
    if 2 * len(distinct) > len(values):
        return {"v": list(values)}
    index = {value: i for i, value in enumerate(distinct)}
    return {"d": distinct, "i": [index[value] for value in values]}
