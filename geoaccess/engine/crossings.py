"""Where two segments cross, and where a point lies along one, to the bit, as GEOS computes it.

GEOS (3.9 on) computes the point where segments ``p1 -> p2`` and ``q1 -> q2`` cross
in double-double arithmetic (``CGAlgorithmsDD::intersection``): each segment's line in
homogeneous coordinates, their cross product, and a division, every step in pairs of
doubles (Dekker's arithmetic, as ``geos::math::DD`` does it). :func:`crossing_points`
takes the same steps, in the same order, on numpy arrays, so its points are GEOS's to
the bit wherever GEOS is built without fused multiply-adds (as its x86-64 wheels are).
:func:`locate_on_segments` repeats GEOS's projection of a point onto a segment
(``shapely.line_locate_point`` on a line of one segment). :func:`agrees_with_geos`
checks both on this machine, once per process.

The noding's fast route (:mod:`.noding`) uses these points for pairs of lines that
certainly cross, instead of intersecting each pair with a GEOS overlay. GEOS replaces
a point it cannot compute, or one outside either segment's box, by an end of the
segments; those come back as not found here and are left to GEOS.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely

from .arrays import BoolArray, FloatArray
from .blocks import blockwise_many

__all__ = ["agrees_with_geos", "crossing_points", "locate_on_segments"]

#: A double-double number: ``hi + lo``, with ``lo`` below half an ulp of ``hi``.
Pair = tuple[FloatArray, FloatArray]

#: Dekker's splitter for doubles, ``2**27 + 1``.
_SPLIT = 134_217_729.0


def crossing_points(
    p1: FloatArray, p2: FloatArray, q1: FloatArray, q2: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """The crossing points of segments ``p1 -> p2`` and ``q1 -> q2``, row by row.

    Parameters
    ----------
    p1, p2, q1, q2 : numpy.ndarray
        ``(n, 2)`` segment ends. Each pair should cross at one point inside both
        segments (a proper crossing); nothing else is meaningful.

    Returns
    -------
    xy : numpy.ndarray
        ``(n, 2)`` points, GEOS's to the bit where ``found``.
    found : numpy.ndarray of bool
        Where GEOS keeps the point it computes: the lines are not parallel and the point
        lies in both segments' boxes. Elsewhere GEOS picks a segment end instead.

    Examples
    --------
    >>> xy, found = crossing_points(
    ...     np.array([[0.0, 0.0]]), np.array([[2.0, 2.0]]),
    ...     np.array([[0.0, 2.0]]), np.array([[2.0, 0.0]]),
    ... )
    >>> xy.tolist(), found.tolist()
    ([[1.0, 1.0]], [True])
    """
    x, y, found = blockwise_many(  # the many temporaries of a block stay in the cache
        len(p1), (float, float, bool), lambda k: _crossing_points(p1[k], p2[k], q1[k], q2[k])
    )
    return np.c_[x, y], found


def _crossing_points(
    p1: FloatArray, p2: FloatArray, q1: FloatArray, q2: FloatArray
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """:func:`crossing_points` of one block, as x, y and found."""
    zero = np.zeros(len(p1))

    def dd(v: FloatArray) -> Pair:
        return np.ascontiguousarray(v, dtype=np.float64), zero

    p1x, p1y, p2x, p2y = dd(p1[:, 0]), dd(p1[:, 1]), dd(p2[:, 0]), dd(p2[:, 1])
    q1x, q1y, q2x, q2y = dd(q1[:, 0]), dd(q1[:, 1]), dd(q2[:, 0]), dd(q2[:, 1])
    with np.errstate(all="ignore"):  # parallel lines divide by zero: not found
        # each segment's line as (a, b, c) with a x + b y = c, then their cross product
        pa, pb = _sub(p1y, p2y), _sub(p2x, p1x)
        pc = _sub(_mul(p1x, p2y), _mul(p2x, p1y))
        qa, qb = _sub(q1y, q2y), _sub(q2x, q1x)
        qc = _sub(_mul(q1x, q2y), _mul(q2x, q1y))
        x = _sub(_mul(pb, qc), _mul(qb, pc))
        y = _sub(_mul(qa, pc), _mul(pa, qc))
        w = _sub(_mul(pa, qb), _mul(qa, pb))
        x_hi, x_lo = _div(x, w)
        y_hi, y_lo = _div(y, w)
        cx, cy = x_hi + x_lo, y_hi + y_lo
    found = ~((w[0] == 0) & (w[1] == 0)) & np.isfinite(cx) & np.isfinite(cy)
    for a, b in ((p1, p2), (q1, q2)):  # GEOS's Envelope::contains: bounds included
        low, high = np.minimum(a, b), np.maximum(a, b)
        found &= (cx >= low[:, 0]) & (cy >= low[:, 1]) & (cx <= high[:, 0]) & (cy <= high[:, 1])
    return cx, cy, found


def locate_on_segments(p0: FloatArray, p1: FloatArray, xy: FloatArray) -> FloatArray:
    """``shapely.line_locate_point`` of each point on the line of one segment ``p0 -> p1``.

    GEOS projects a point onto a segment by its projection factor (0 at a point equal
    to ``p0``, 1 at one equal to ``p1``), clamped to the segment, times the segment's
    length; the same arithmetic here gives the same numbers.

    Examples
    --------
    >>> locate_on_segments(np.array([[0.0, 0.0]] * 3), np.array([[4.0, 0.0]] * 3),
    ...                    np.array([[1.0, 0.0], [9.0, 2.0], [-1.0, 0.0]])).tolist()
    [1.0, 4.0, 0.0]
    """
    dx, dy = p1[:, 0] - p0[:, 0], p1[:, 1] - p0[:, 1]
    length_2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = ((xy[:, 0] - p0[:, 0]) * dx + (xy[:, 1] - p0[:, 1]) * dy) / length_2
    # GEOS tests p0 == p1; a zero length_2 also comes from ends 1e-170 apart, where
    # GEOS's factor would be a division by zero: 0 either way for a noded line
    factor[length_2 == 0] = 0.0
    factor[(xy == p0).all(axis=1)] = 0.0
    factor[(xy == p1).all(axis=1)] = 1.0
    length = np.sqrt(dx * dx + dy * dy)
    return np.where(factor <= 0.0, 0.0, np.where(factor <= 1.0, factor * length, length))


@cache
def agrees_with_geos() -> bool:
    """Whether :func:`crossing_points` and :func:`locate_on_segments` are GEOS's here.

    Compares 512 crossings of random segments at the sizes of local and projected
    coordinates with ``shapely.intersection``, and where each lies along its first
    segment with ``shapely.line_locate_point``. Where GEOS is built to fuse multiplies
    and adds, a last bit may differ, and the noding leaves every crossing to GEOS.
    Computed once per process (the answer is the machine's).
    """
    rng = np.random.default_rng(20_261_205)
    offsets = np.repeat([0.0, 5.0e5, 5.0e6, 2.0e7], 128)[:, None]
    scales = np.repeat([1.0, 1.0e4, 1.0e3, 1.0e5], 128)[:, None]
    p1, p2, q1, q2 = (rng.random((512, 2)) * scales + offsets for _ in range(4))
    geos = shapely.intersection(
        shapely.linestrings(np.stack([p1, p2], axis=1)),
        shapely.linestrings(np.stack([q1, q2], axis=1)),
    )
    point = (shapely.get_type_id(geos) == 0) & ~shapely.is_empty(geos)
    p1, p2, q1, q2 = p1[point], p2[point], q1[point], q2[point]
    xy, found = crossing_points(p1, p2, q1, q2)
    expected = shapely.get_coordinates(geos[point])
    along = shapely.line_locate_point(
        shapely.linestrings(np.stack([p1, p2], axis=1)), shapely.points(expected)
    )
    return (
        len(xy) > 100
        and bool(np.array_equal(xy[found], expected[found]))
        and bool(np.array_equal(locate_on_segments(p1, p2, expected), along))
    )


# --- double-double arithmetic, step for step as geos::math::DD ----------------------------


def _add(a: Pair, b: Pair) -> Pair:
    (a_hi, a_lo), (b_hi, b_lo) = a, b
    s = a_hi + b_hi
    t = a_lo + b_lo
    e = s - a_hi
    f = t - a_lo
    s_err = (b_hi - e) + (a_hi - (s - e))
    t_err = (b_lo - f) + (a_lo - (t - f))
    e = s_err + t
    hi = s + e
    lo = t_err + (e + (s - hi))
    z_hi = hi + lo
    return z_hi, lo + (hi - z_hi)


def _sub(a: Pair, b: Pair) -> Pair:
    return _add(a, (-b[0], -b[1]))


def _halves(v: FloatArray) -> Pair:
    """Dekker's split of each double into its high and low halves of bits."""
    c = _SPLIT * v
    big = c - (c - v)
    return big, v - big


def _mul(a: Pair, b: Pair) -> Pair:
    (a_hi, a_lo), (b_hi, b_lo) = a, b
    a_big, a_small = _halves(a_hi)
    b_big, b_small = _halves(b_hi)
    prod = a_hi * b_hi
    err = (((a_big * b_big - prod) + a_big * b_small) + a_small * b_big) + a_small * b_small
    err = err + (a_hi * b_lo + a_lo * b_hi)
    z_hi = prod + err
    return z_hi, err + (prod - z_hi)


def _div(a: Pair, b: Pair) -> Pair:
    (a_hi, a_lo), (b_hi, b_lo) = a, b
    q = a_hi / b_hi
    q_big, q_small = _halves(q)
    b_big, b_small = _halves(b_hi)
    prod = q * b_hi
    err = (((q_big * b_big - prod) + q_big * b_small) + q_small * b_big) + q_small * b_small
    r = (((a_hi - prod) - err) + a_lo - q * b_lo) / b_hi
    z_hi = q + r
    return z_hi, (q - z_hi) + r
