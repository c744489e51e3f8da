"""Segment arithmetic for noding: which pairs of lines meet only at shared vertices.

Everything is numpy on coordinate arrays; no geometry is created. Pairs of segments come
from a uniform grid (long segments are cut into grid-sized boxes), and each pair is
classified with orientation tests whose floating-point error is bounded (Shewchuk,
"Adaptive precision floating-point arithmetic", 1997): a pair is called clean only when
the sign is certain, so a clean pair truly meets at most at one shared end, and anything
uncertain is flagged for GEOS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Relative error bound of an orientation determinant, 30 times Shewchuk's
#: ``ccwerrboundA`` (3.3e-16): a determinant smaller than this is "maybe zero".
_ORIENT_ERR = 1e-14

#: Segments closer than this (relative to the largest coordinate) without sharing a
#: vertex count as meeting: GEOS overlays fall back to snapping, at tolerances of up to
#: 1e-8 of the coordinates' magnitude, when floating-point noding is not robust enough.
_NEAR = 1e-8


@dataclass(frozen=True)
class SegmentCheck:
    """Lines whose meetings need GEOS.

    Attributes
    ----------
    pairs : numpy.ndarray of int
        ``(k, 2)`` pairs of different lines (``a < b``, unique) with two segments that
        cross, overlap or touch other than at one shared end, or come too close to tell.
    self_lines : numpy.ndarray of int
        Lines with two such segments of their own.
    repeated : numpy.ndarray of int
        Lines with a zero-length segment (the same coordinate twice in a row).
    """

    pairs: IntArray
    self_lines: IntArray
    repeated: IntArray


def factorize_xy(xy: FloatArray) -> tuple[IntArray, FloatArray]:
    """A code per coordinate pair (equal pairs share one) and the pairs in code order."""
    z = np.empty(len(xy), dtype=np.complex128)
    z.real = xy[:, 0] + 0.0  # -0.0 and 0.0 are one coordinate
    z.imag = xy[:, 1] + 0.0
    codes, uniq = pd.factorize(z, use_na_sentinel=False)
    uniq = np.asarray(uniq)
    return codes.astype(np.int64), np.c_[uniq.real, uniq.imag]


def may_have_close_pairs(xy: FloatArray, tol: float) -> bool:
    """Whether two of these distinct points may lie within ``tol`` of each other.

    ``False`` is certain. Two points closer than ``tol`` along both axes fall in one
    cell of at least one of four grids of ``4 tol`` cells shifted by ``2 tol``.
    """
    if len(xy) < 2:
        return False
    size = 4.0 * tol
    for dx in (0.0, 2.0 * tol):
        for dy in (0.0, 2.0 * tol):
            cells = np.floor(np.c_[(xy[:, 0] + dx) / size, (xy[:, 1] + dy) / size])
            if len(factorize_xy(cells)[1]) < len(xy):
                return True
    return False


def check_segments(coords: FloatArray, vline: IntArray) -> SegmentCheck:
    """Find the lines that meet other than at shared vertices.

    Parameters
    ----------
    coords : numpy.ndarray
        ``(N, 2)`` coordinates of all lines, line after line.
    vline : numpy.ndarray of int
        The line of each coordinate (non-decreasing).

    Returns
    -------
    SegmentCheck
    """
    start = np.flatnonzero(vline[1:] == vline[:-1])  # segment: coords[i] -> coords[i + 1]
    x, y = coords[:, 0], coords[:, 1]
    zero = (x[start] == x[start + 1]) & (y[start] == y[start + 1])
    repeated = np.unique(vline[start[zero]])
    start = start[~zero]
    px, py, qx, qy, line = x[start], y[start], x[start + 1], y[start + 1], vline[start]
    empty = np.zeros(0, dtype=np.int64)
    if len(line) < 2:
        return SegmentCheck(np.zeros((0, 2), dtype=np.int64), empty, repeated)
    i, j = _candidate_pairs(px, py, qx, qy)
    scale = float(np.abs(coords).max(initial=1.0))
    bad = _not_clean(px, py, qx, qy, i, j, near=_NEAR * scale)
    li, lj = line[i], line[j]
    own = li == lj
    self_lines = np.unique(li[bad & own])
    # A line that meets itself goes to GEOS with every line near it: GEOS may snap
    # when it nodes such a line, and the snapping can move what it finds elsewhere.
    with_self = np.zeros(int(line.max()) + 1, dtype=bool)
    with_self[self_lines] = True
    bad |= with_self[li] | with_self[lj]
    bad &= ~own
    a, b = np.minimum(li[bad], lj[bad]), np.maximum(li[bad], lj[bad])
    pairs = np.unique(np.c_[a, b], axis=0) if len(a) else np.zeros((0, 2), dtype=np.int64)
    return SegmentCheck(pairs.astype(np.int64), self_lines, repeated)


def _candidate_pairs(
    px: FloatArray, py: FloatArray, qx: FloatArray, qy: FloatArray
) -> tuple[IntArray, IntArray]:
    """Pairs ``i < j`` of segments whose boxes may overlap (each pair at least once)."""
    x0, x1 = np.minimum(px, qx), np.maximum(px, qx)
    y0, y1 = np.minimum(py, qy), np.maximum(py, qy)
    ext = np.maximum(x1 - x0, y1 - y0)
    scale = max(float(np.abs(x0).max()), float(np.abs(x1).max()), float(np.abs(y0).max()))
    scale = max(scale, float(np.abs(y1).max()), 1.0)
    pad = 1e-9 * scale  # boxes grow by far more than any rounding of their corners
    size = max(2.0 * float(np.median(ext)), 4.0 * pad)
    # A segment longer than a cell becomes several boxes, each at most a cell long.
    k = np.ceil(ext / size).astype(np.int64)
    long = np.flatnonzero(k > 1)
    n = len(px)
    seg = np.arange(n)
    if len(long):
        # Box 0 of a long segment stays at its position; boxes 1 to k - 1 follow.
        extra = k[long] - 1
        seg = np.r_[seg, np.repeat(long, extra)]
        kk = k[seg].astype(float)
        first = np.repeat(np.cumsum(extra) - extra, extra)
        part = np.r_[np.zeros(n), np.arange(len(seg) - n) - first + 1]
        t0, t1 = part / kk, (part + 1) / kk
        dx, dy = (qx - px)[seg], (qy - py)[seg]
        ax, ay = px[seg] + dx * t0, py[seg] + dy * t0
        end = part + 1 == kk
        bx = np.where(end, qx[seg], px[seg] + dx * t1)
        by = np.where(end, qy[seg], py[seg] + dy * t1)
        x0, x1 = np.minimum(ax, bx), np.maximum(ax, bx)
        y0, y1 = np.minimum(ay, by), np.maximum(ay, by)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    ox, oy = float(x0.min()), float(y0.min())
    cx0 = np.floor((x0 - ox) / size).astype(np.int64)
    cy0 = np.floor((y0 - oy) / size).astype(np.int64)
    nx = np.floor((x1 - ox) / size).astype(np.int64) - cx0 + 1  # 1 to 3 cells a box
    ny = np.floor((y1 - oy) / size).astype(np.int64) - cy0 + 1
    rows = int((cy0 + ny).max()) + 1
    count = nx * ny
    box = np.repeat(np.arange(len(seg)), count)
    rank = np.arange(len(box)) - np.repeat(np.cumsum(count) - count, count)
    key = (cx0[box] + rank % nx[box]) * rows + cy0[box] + rank // nx[box]
    order = np.argsort(key)
    key, box = key[order], box[order]
    # All pairs within each cell.
    group_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    size_of = np.diff(np.r_[group_start, len(key)])
    after = np.repeat(group_start + size_of, size_of) - 1 - np.arange(len(key))
    left = np.repeat(np.arange(len(key)), after)
    right = left + 1 + (np.arange(len(left)) - np.repeat(np.cumsum(after) - after, after))
    bi, bj = box[left], box[right]
    # The boxes overlap, and this cell holds the corner where they start to: one cell
    # per pair of boxes (both boxes were put in that cell).
    cx, cy = np.maximum(x0[bi], x0[bj]), np.maximum(y0[bi], y0[bj])
    keep = (cx <= np.minimum(x1[bi], x1[bj])) & (cy <= np.minimum(y1[bi], y1[bj]))
    corner = np.floor((cx - ox) / size).astype(np.int64) * rows + np.floor((cy - oy) / size).astype(
        np.int64
    )
    keep &= corner == key[left]
    si, sj = seg[bi[keep]], seg[bj[keep]]
    differ = si != sj
    si, sj = si[differ], sj[differ]
    return np.minimum(si, sj), np.maximum(si, sj)


def _orient(
    ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray, cx: FloatArray, cy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Orientation of ``c`` against the line ``a -> b``, and its error bound."""
    left = (ax - cx) * (by - cy)
    right = (ay - cy) * (bx - cx)
    return left - right, _ORIENT_ERR * (np.abs(left) + np.abs(right))


def _not_clean(
    px: FloatArray,
    py: FloatArray,
    qx: FloatArray,
    qy: FloatArray,
    i: IntArray,
    j: IntArray,
    *,
    near: float,
) -> BoolArray:
    """Segment pairs ``(i, j)`` that may meet other than at exactly one shared end.

    Pairs that come within ``near`` of each other elsewhere count as meeting too.
    """
    p1x, p1y, q1x, q1y = px[i], py[i], qx[i], qy[i]
    p2x, p2y, q2x, q2y = px[j], py[j], qx[j], qy[j]
    pp = (p1x == p2x) & (p1y == p2y)
    pq = (p1x == q2x) & (p1y == q2y)
    qp = (q1x == p2x) & (q1y == p2y)
    qq = (q1x == q2x) & (q1y == q2y)
    n_shared = pp.astype(np.int8) + pq + qp + qq
    bad = n_shared >= 2

    # One shared end s: they overlap only when the other ends a, b point the same way.
    one = np.flatnonzero(n_shared == 1)
    if len(one):
        at_p1 = (pp | pq)[one]
        at_p2 = (pp | qp)[one]
        sx, sy = np.where(at_p1, p1x[one], q1x[one]), np.where(at_p1, p1y[one], q1y[one])
        ax, ay = np.where(at_p1, q1x[one], p1x[one]), np.where(at_p1, q1y[one], p1y[one])
        bx, by = np.where(at_p2, q2x[one], p2x[one]), np.where(at_p2, q2y[one], p2y[one])
        det, err = _orient(ax, ay, bx, by, sx, sy)
        dot = (ax - sx) * (bx - sx) + (ay - sy) * (by - sy)
        close = np.minimum(
            _point_segment(ax, ay, sx, sy, bx, by), _point_segment(bx, by, sx, sy, ax, ay)
        )
        bad[one] = ((np.abs(det) <= err) & (dot > 0)) | (close <= near)

    # No shared end: disjoint only when one segment lies strictly on one side of the other.
    none = np.flatnonzero(n_shared == 0)
    if len(none):
        p1x, p1y, q1x, q1y = p1x[none], p1y[none], q1x[none], q1y[none]
        p2x, p2y, q2x, q2y = p2x[none], p2y[none], q2x[none], q2y[none]
        o1, e1 = _orient(p1x, p1y, q1x, q1y, p2x, p2y)
        o2, e2 = _orient(p1x, p1y, q1x, q1y, q2x, q2y)
        apart = ((o1 > e1) & (o2 > e2)) | ((o1 < -e1) & (o2 < -e2))
        o3, e3 = _orient(p2x, p2y, q2x, q2y, p1x, p1y)
        o4, e4 = _orient(p2x, p2y, q2x, q2y, q1x, q1y)
        apart |= ((o3 > e3) & (o4 > e4)) | ((o3 < -e3) & (o4 < -e4))
        close = np.minimum.reduce(
            [
                _point_segment(p2x, p2y, p1x, p1y, q1x, q1y),
                _point_segment(q2x, q2y, p1x, p1y, q1x, q1y),
                _point_segment(p1x, p1y, p2x, p2y, q2x, q2y),
                _point_segment(q1x, q1y, p2x, p2y, q2x, q2y),
            ]
        )
        bad[none] = ~apart | (close <= near)
    return bad


def _point_segment(
    x: FloatArray, y: FloatArray, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> FloatArray:
    """Distance from each point to the segment ``a -> b`` (not of zero length)."""
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))
