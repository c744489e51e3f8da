"""Segment arithmetic for noding: which pairs of lines meet only at shared vertices.

Everything is numpy on coordinate arrays; no geometry is created. Pairs of segments come
from a uniform grid (long segments are cut into grid-sized boxes), and each pair is
classified with orientation tests whose floating-point error is bounded (Shewchuk,
"Adaptive precision floating-point arithmetic", 1997): a pair is called clean only when
the sign is certain, so a clean pair truly meets at most at one shared end, and anything
uncertain is flagged for GEOS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .sorting import sorted_order

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

#: A grid cell holds few boxes: more pairs than this per box, and the cells are halved
#: (at most ``_MAX_HALVING`` times).
_MAX_PAIRS = 16
_MAX_HALVING = 8


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
    """A code per coordinate pair (equal pairs share one) and the pairs in code order.

    Codes are given in order of first appearance. The pairs are hashed as one 64-bit
    key mixing the bits of x and y (about twice as fast as hashing them as complex
    numbers); should two different pairs ever share a key, the check below sees it and
    the pairs are hashed as complex numbers instead.
    """
    x, y = xy[:, 0] + 0.0, xy[:, 1] + 0.0  # -0.0 and 0.0 are one coordinate
    key = (x.view(np.uint64) * _MIX) ^ y.view(np.uint64)
    codes, _ = pd.factorize(key.view(np.int64))
    first = np.empty(codes.max(initial=-1) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # first appearance wins
    if np.array_equal(x, x[first][codes]) and np.array_equal(y, y[first][codes]):
        return codes.astype(np.int64), np.c_[x[first], y[first]]
    z = np.empty(len(xy), dtype=np.complex128)
    z.real, z.imag = x, y
    codes, uniq = pd.factorize(z, use_na_sentinel=False)
    uniq = np.asarray(uniq)
    return codes.astype(np.int64), np.c_[uniq.real, uniq.imag]


#: An odd 64-bit multiplier (2**64 over the golden ratio) spreading x's bits in the key.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def xy_order(xy: FloatArray) -> IntArray:
    """Positions putting coordinate pairs in order of x, then y.

    ``np.lexsort((y, x))``'s order where pairs differ (equal pairs may come in any
    order), faster: one quicksort of x, then a lexsort of only the pairs sharing an x.

    Examples
    --------
    >>> xy_order(np.array([[1.0, 5.0], [0.0, 9.0], [1.0, 2.0]])).tolist()
    [1, 2, 0]
    """
    order = np.argsort(xy[:, 0])
    x = xy[order, 0]
    tie = x[1:] == x[:-1]
    if tie.any():
        in_run = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
        members = order[in_run]
        order[in_run] = members[np.lexsort((xy[members, 1], xy[members, 0]))]
    return order


def close_candidates(xy: FloatArray, tol: float) -> BoolArray:
    """Which of these distinct points (sorted by x, then y) may lie within ``tol`` of another.

    A point left out is farther than ``tol`` from every other one. In x order, two close
    points are joined by a chain of neighbours less than ``tol`` apart in x; in a chain
    of one x value the closest pairs are neighbours in y; chains mixing x values are
    kept whole.
    """
    out = np.zeros(len(xy), dtype=bool)
    if len(xy) < 2:
        return out
    dx = np.diff(xy[:, 0])
    near = dx <= tol
    if not near.any():
        return out
    same = dx == 0
    hit = same & (np.diff(xy[:, 1]) <= tol)
    out[:-1] |= hit
    out[1:] |= hit
    mixed = near & ~same
    if mixed.any():
        chain = np.cumsum(np.r_[True, ~near])
        out |= np.isin(chain, chain[:-1][mixed])
    return out


def repeated_vertices(vline: IntArray, vid: IntArray) -> SegmentCheck:
    """The lines with a zero-length segment, and no pairs checked (lines taken as noded).

    Parameters
    ----------
    vline : numpy.ndarray of int
        The line of each coordinate (non-decreasing).
    vid : numpy.ndarray of int
        A code per coordinate, equal for equal coordinates (:func:`factorize_xy`).

    Returns
    -------
    SegmentCheck
        Only ``repeated`` may be non-empty.
    """
    start = np.flatnonzero(vline[1:] == vline[:-1])
    repeated = np.unique(vline[start[vid[start] == vid[start + 1]]])
    empty = np.zeros(0, dtype=np.int64)
    return SegmentCheck(np.zeros((0, 2), dtype=np.int64), empty, repeated)


def check_segments(
    coords: FloatArray, vline: IntArray, vid: IntArray | None = None
) -> SegmentCheck:
    """Find the lines that meet other than at shared vertices.

    Parameters
    ----------
    coords : numpy.ndarray
        ``(N, 2)`` coordinates of all lines, line after line.
    vline : numpy.ndarray of int
        The line of each coordinate (non-decreasing).
    vid : numpy.ndarray of int, optional
        A code per coordinate, equal for equal coordinates (:func:`factorize_xy`).

    Returns
    -------
    SegmentCheck
    """
    if vid is None:
        vid = factorize_xy(coords)[0]
    start = np.flatnonzero(vline[1:] == vline[:-1])  # segment: coords[i] -> coords[i + 1]
    zero = vid[start] == vid[start + 1]
    repeated = np.unique(vline[start[zero]])
    start = start[~zero]
    x, y = np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1])
    line = vline[start]
    empty = np.zeros(0, dtype=np.int64)
    if len(line) < 2:
        return SegmentCheck(np.zeros((0, 2), dtype=np.int64), empty, repeated)
    scale = float(np.abs(coords).max(initial=1.0))
    ends = _Ends(x, y, vid, _NEAR * scale)
    # Segments in a row of one line share their middle vertex: they fail only by
    # doubling back over each other, or by nearly doing so.
    row = np.flatnonzero(line[1:] == line[:-1])
    first, second = start[row], start[row + 1]
    back = (vid[first] == vid[second + 1]) | ends.shared_end_bad(first, second + 1, first + 1)
    bad_a, bad_b = [line[row[back]]], [line[row[back]]]
    grid = _Grid.of(x[start], y[start], x[start + 1], y[start + 1], scale)
    row_start, row_line = start[grid.seg], line[grid.seg]  # of each (cell, box) row
    for left, right in grid.pairs(row_line):
        bad = ends.not_clean(row_start[left], row_start[right])
        bad_a.append(row_line[left[bad]])
        bad_b.append(row_line[right[bad]])
    li, lj = np.concatenate(bad_a), np.concatenate(bad_b)
    self_lines = np.unique(li[li == lj])
    # A line that meets itself goes to GEOS with every line near it: GEOS may snap
    # when it nodes such a line, and the snapping can move what it finds elsewhere.
    if len(self_lines):
        with_self = np.zeros(int(line.max()) + 1, dtype=bool)
        with_self[self_lines] = True
        near_a, near_b = [li], [lj]
        for left, right in grid.pairs(row_line):
            hit = with_self[row_line[left]] | with_self[row_line[right]]
            near_a.append(row_line[left[hit]])
            near_b.append(row_line[right[hit]])
        li, lj = np.concatenate(near_a), np.concatenate(near_b)
    other = li != lj
    a, b = np.minimum(li[other], lj[other]), np.maximum(li[other], lj[other])
    pairs = np.unique(np.c_[a, b], axis=0) if len(a) else np.zeros((0, 2), dtype=np.int64)
    return SegmentCheck(pairs.astype(np.int64), self_lines, repeated)


@dataclass(frozen=True, eq=False)
class _Grid:
    """Boxes of segments (long ones cut to cell-sized pieces) in the cells they overlap.

    Rows are (cell, box) entries sorted by cell; ``seg`` is the segment of each row.
    """

    key: IntArray
    seg: IntArray
    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    size: float
    origin: tuple[float, float]
    rows: int

    @classmethod
    def of(
        cls, px: FloatArray, py: FloatArray, qx: FloatArray, qy: FloatArray, scale: float
    ) -> _Grid:
        """The grid of cells twice the median segment, finer where cells are crowded."""
        box = _Boxes.of(px, py, qx, qy)
        pad = _NEAR * scale  # pairs within ``near`` of each other share a cell
        size = max(2.0 * float(np.median(box.ext)), 4.0 * pad)
        for _ in range(_MAX_HALVING):
            grid = cls._at(box.split(size), size, pad)
            starts = np.flatnonzero(np.r_[True, grid.key[1:] != grid.key[:-1]])
            count = np.diff(np.r_[starts, len(grid.key)])
            if int((count * (count - 1) // 2).sum()) <= _MAX_PAIRS * len(grid.key):
                break
            size /= 2.0
        return grid

    @classmethod
    def _at(cls, box: _Boxes, size: float, pad: float) -> _Grid:
        x0, y0, x1, y1 = box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad
        ox, oy = float(x0.min()), float(y0.min())
        # Cell indices: coordinates are >= the origin, so truncation is floor.
        inv = 1.0 / size
        cx0 = ((x0 - ox) * inv).astype(np.int64)
        cy0 = ((y0 - oy) * inv).astype(np.int64)
        cx1 = ((x1 - ox) * inv).astype(np.int64)
        cy1 = ((y1 - oy) * inv).astype(np.int64)
        rows = int(cy1.max()) + 1
        one = (cx0 == cx1) & (cy0 == cy1)
        row = np.flatnonzero(one)
        key = cx0[row] * rows + cy0[row]
        multi = np.flatnonzero(~one)
        if len(multi):  # a box over a cell border: one row per cell (2 to 9 of them)
            nx, ny = (cx1 - cx0 + 1)[multi], (cy1 - cy0 + 1)[multi]
            count = nx * ny
            mrow = np.repeat(multi, count)
            rank = np.arange(len(mrow)) - np.repeat(np.cumsum(count) - count, count)
            nxr = np.repeat(nx, count)
            mkey = (cx0[mrow] + rank % nxr) * rows + cy0[mrow] + rank // nxr
            row, key = np.r_[row, mrow], np.r_[key, mkey]
        key, order = sorted_order(key)
        row = row[order]
        return cls(key, box.seg[row], x0[row], y0[row], x1[row], y1[row], size, (ox, oy), rows)

    def pairs(self, row_line: IntArray) -> Iterator[tuple[IntArray, IntArray]]:
        """Rows ``(left, right)`` of boxes overlapping in their cell, offset by offset.

        Each overlapping pair of boxes comes once: in the cell holding the corner where
        they start to overlap. Pairs of boxes of one segment, or of two segments in a
        row of one line (``row_line`` gives each row's), are left out. While at least a
        third of the rows have a row ``step`` after them in their cell, all rows are
        compared with the rows ``step`` on through slices (no gathers); after that, only
        the rows still in play, gathered.
        """
        key = self.key
        n_rows = len(key)
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        count = np.diff(np.r_[starts, n_rows])
        after = np.repeat(starts + count, count) - 1 - np.arange(n_rows)
        left: IntArray | None = None
        step = 1
        while step < n_rows:
            if left is None:
                n = n_rows - step
                valid = after[:n] >= step
                if 3 * int(np.count_nonzero(valid)) >= n:
                    keep = valid & self._meet(slice(0, n), slice(step, n_rows), row_line)
                    found = np.flatnonzero(keep)
                    yield found, found + step
                    step += 1
                    continue
                left = np.flatnonzero(valid)
            if len(left) == 0:
                return
            right = left + step
            found = left[self._meet(left, right, row_line)]
            yield found, found + step
            step += 1
            left = left[after[left] >= step]

    def _meet(
        self, left: IntArray | slice, right: IntArray | slice, row_line: IntArray
    ) -> BoolArray:
        """Which rows of ``left`` pair with those of ``right`` (see :meth:`pairs`)."""
        cx = np.maximum(self.x0[left], self.x0[right])
        cy = np.maximum(self.y0[left], self.y0[right])
        keep = (cx <= np.minimum(self.x1[left], self.x1[right])) & (
            cy <= np.minimum(self.y1[left], self.y1[right])
        )
        ox, oy = self.origin
        inv = 1.0 / self.size
        cell_x = ((cx - ox) * inv).astype(np.int64)
        cell_y = ((cy - oy) * inv).astype(np.int64)
        keep &= cell_x * self.rows + cell_y == self.key[left]
        sl, sr = self.seg[left], self.seg[right]
        keep &= (np.abs(sl - sr) > 1) | ((sl != sr) & (row_line[left] != row_line[right]))
        return keep


@dataclass(frozen=True, eq=False)
class _Boxes:
    """Bounding boxes of segments; ``seg`` is the segment of each box."""

    px: FloatArray
    py: FloatArray
    qx: FloatArray
    qy: FloatArray
    seg: IntArray
    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    ext: FloatArray

    @classmethod
    def of(cls, px: FloatArray, py: FloatArray, qx: FloatArray, qy: FloatArray) -> _Boxes:
        x0, x1 = np.minimum(px, qx), np.maximum(px, qx)
        y0, y1 = np.minimum(py, qy), np.maximum(py, qy)
        ext = np.maximum(x1 - x0, y1 - y0)
        return cls(px, py, qx, qy, np.arange(len(px)), x0, y0, x1, y1, ext)

    def split(self, size: float) -> _Boxes:
        """Segments longer than ``size`` cut into ``k`` boxes at most ``size`` long.

        Box 0 of such a segment stays in its row; boxes 1 to ``k - 1`` follow all rows.
        """
        k = np.ceil(self.ext / size).astype(np.int64)
        long = np.flatnonzero(k > 1)
        if len(long) == 0:
            return self
        px, py, qx, qy = self.px, self.py, self.qx, self.qy
        kl = k[long]
        seg = np.repeat(long, kl)
        part = np.arange(len(seg)) - np.repeat(np.cumsum(kl) - kl, kl)
        kk = np.repeat(kl, kl).astype(float)
        dx, dy = (qx - px)[seg], (qy - py)[seg]
        last = part + 1 == kk
        ax, ay = px[seg] + dx * (part / kk), py[seg] + dy * (part / kk)
        bx = np.where(last, qx[seg], px[seg] + dx * ((part + 1) / kk))
        by = np.where(last, qy[seg], py[seg] + dy * ((part + 1) / kk))
        bx0, bx1 = np.minimum(ax, bx), np.maximum(ax, bx)
        by0, by1 = np.minimum(ay, by), np.maximum(ay, by)
        first, later = part == 0, part > 0
        x0, y0, x1, y1 = self.x0.copy(), self.y0.copy(), self.x1.copy(), self.y1.copy()
        x0[long], y0[long], x1[long], y1[long] = bx0[first], by0[first], bx1[first], by1[first]
        return _Boxes(
            px,
            py,
            qx,
            qy,
            np.r_[self.seg, seg[later]],
            np.r_[x0, bx0[later]],
            np.r_[y0, by0[later]],
            np.r_[x1, bx1[later]],
            np.r_[y1, by1[later]],
            np.r_[self.ext, np.zeros(int(later.sum()))],
        )


def _orient(
    ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray, cx: FloatArray, cy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Orientation of ``c`` against the line ``a -> b``, and its error bound."""
    left = (ax - cx) * (by - cy)
    right = (ay - cy) * (bx - cx)
    return left - right, _ORIENT_ERR * (np.abs(left) + np.abs(right))


@dataclass(frozen=True, eq=False)
class _Ends:
    """Segments named by the coordinate they start at: ``a`` runs from ``a`` to ``a + 1``.

    ``vid`` codes the coordinates (equal codes, equal coordinates). Two segments count
    as meeting when they come within ``near`` of each other anywhere but at one shared
    end.
    """

    x: FloatArray
    y: FloatArray
    vid: IntArray
    near: float

    def shared_end_bad(self, a: IntArray, b: IntArray, s: IntArray) -> BoolArray:
        """:func:`_shared_end_bad` of the coordinates ``s -> a`` and ``s -> b``."""
        x, y = self.x, self.y
        return _shared_end_bad(x[a], y[a], x[b], y[b], x[s], y[s], self.near)

    def not_clean(self, a: IntArray, b: IntArray) -> BoolArray:
        """Segment pairs ``(a, b)`` that may meet other than at exactly one shared end."""
        x, y, vid = self.x, self.y, self.vid
        p1, q1, p2, q2 = vid[a], vid[a + 1], vid[b], vid[b + 1]
        pp, pq, qp, qq = p1 == p2, p1 == q2, q1 == p2, q1 == q2
        n_shared = pp.astype(np.int8) + pq + qp + qq
        bad = n_shared >= 2

        one = np.flatnonzero(n_shared == 1)
        if len(one):
            # The shared end of ``a`` and the other ends of both.
            at_p1 = (pp | pq)[one]
            a1 = a[one]
            shared, end_a = a1 + ~at_p1, a1 + at_p1
            end_b = b[one] + (pp | qp)[one]
            bad[one] = self.shared_end_bad(end_a, end_b, shared)

        # No shared end: disjoint only when one segment lies strictly on one side of
        # the other.
        none = np.flatnonzero(n_shared == 0)
        if len(none):
            a0, b0 = a[none], b[none]
            bad[none] = _crossing_or_near(
                x[a0], y[a0], x[a0 + 1], y[a0 + 1], x[b0], y[b0], x[b0 + 1], y[b0 + 1], self.near
            )
        return bad


def _crossing_or_near(
    p1x: FloatArray,
    p1y: FloatArray,
    q1x: FloatArray,
    q1y: FloatArray,
    p2x: FloatArray,
    p2y: FloatArray,
    q2x: FloatArray,
    q2y: FloatArray,
    near: float,
) -> BoolArray:
    """Segments ``p1 -> q1`` and ``p2 -> q2``, with no shared end, that may meet or come close."""
    o1, e1 = _orient(p1x, p1y, q1x, q1y, p2x, p2y)
    o2, e2 = _orient(p1x, p1y, q1x, q1y, q2x, q2y)
    apart = ((o1 > e1) & (o2 > e2)) | ((o1 < -e1) & (o2 < -e2))
    o3, e3 = _orient(p2x, p2y, q2x, q2y, p1x, p1y)
    o4, e4 = _orient(p2x, p2y, q2x, q2y, q1x, q1y)
    apart_2 = ((o3 > e3) & (o4 > e4)) | ((o3 < -e3) & (o4 < -e4))
    # Apart, and farther than ``near`` from the other's line (|o| / length is the
    # distance of an end to it): farther than ``near`` from the other segment.
    sq_1 = (q1x - p1x) ** 2 + (q1y - p1y) ** 2
    sq_2 = (q2x - p2x) ** 2 + (q2y - p2y) ** 2
    least_1 = np.minimum(np.abs(o1), np.abs(o2))
    least_2 = np.minimum(np.abs(o3), np.abs(o4))
    far = (apart & (least_1 * least_1 > near * near * sq_1)) | (
        apart_2 & (least_2 * least_2 > near * near * sq_2)
    )
    worse = ~(apart | apart_2)
    ask = np.flatnonzero(~far & ~worse)
    if len(ask):
        close = np.minimum.reduce(
            [
                _point_segment(p2x[ask], p2y[ask], p1x[ask], p1y[ask], q1x[ask], q1y[ask]),
                _point_segment(q2x[ask], q2y[ask], p1x[ask], p1y[ask], q1x[ask], q1y[ask]),
                _point_segment(p1x[ask], p1y[ask], p2x[ask], p2y[ask], q2x[ask], q2y[ask]),
                _point_segment(q1x[ask], q1y[ask], p2x[ask], p2y[ask], q2x[ask], q2y[ask]),
            ]
        )
        worse[ask] = close <= near
    return worse


def _shared_end_bad(
    ax: FloatArray,
    ay: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    sx: FloatArray,
    sy: FloatArray,
    near: float,
) -> BoolArray:
    """Segments ``s -> a`` and ``s -> b`` meeting again, or nearly, beyond their shared end.

    They overlap only when collinear and pointing the same way; they come within
    ``near`` only when an end is that close to the other's line (``|det|`` over a
    segment's length is that distance).
    """
    ux, uy, vx, vy = ax - sx, ay - sy, bx - sx, by - sy
    left, right = ux * vy, uy * vx  # :func:`_orient`'s terms, as it computes them
    det = left - right
    bound = np.abs(left, out=left)  # the terms are not needed again
    bound += np.abs(right, out=right)
    bad = np.abs(det) <= _ORIENT_ERR * bound
    bad &= ux * vx + uy * vy > 0
    longest = np.maximum(ux * ux + uy * uy, vx * vx + vy * vy)
    ask = np.flatnonzero(~bad & (det * det <= near * near * longest))
    if len(ask):
        a_x, a_y, b_x, b_y, s_x, s_y = ax[ask], ay[ask], bx[ask], by[ask], sx[ask], sy[ask]
        close = np.minimum(
            _point_segment(a_x, a_y, s_x, s_y, b_x, b_y),
            _point_segment(b_x, b_y, s_x, s_y, a_x, a_y),
        )
        bad[ask] = close <= near
    return bad


def _point_segment(
    x: FloatArray, y: FloatArray, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> FloatArray:
    """Distance from each point to the segment ``a -> b`` (not of zero length)."""
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))
