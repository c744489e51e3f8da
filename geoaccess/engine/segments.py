"""Segment arithmetic for noding: which pairs of lines meet only at shared vertices.

Everything is numpy on coordinate arrays; no geometry is created. Pairs of segments come
from a uniform grid (long segments are cut into grid-sized boxes), and each pair is
classified with orientation tests whose floating-point error is bounded (Shewchuk,
"Adaptive precision floating-point arithmetic", 1997): a pair is called clean only when
the sign is certain, so a clean pair truly meets at most at one shared end, and anything
uncertain is flagged for GEOS. A flagged pair whose segments certainly cross at one point
inside both, with every end farther than the closeness tolerance from the other's line, is
named a crossing: the noding computes that point itself (:mod:`.crossings`).

The arithmetic over every segment or pair runs in blocks that stay in the cache
(:mod:`.blocks`); the answer does not depend on the block size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import numpy.typing as npt
import pandas as pd

from .blocks import blockwise, blockwise_many
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

#: What a pair of segments does (:meth:`_Ends.classify`): meets at most at one shared
#: end, certainly crosses at one point inside both, or anything else (or too close to tell).
CLEAN, UNSURE, CROSSING = 0, 1, 2

#: The grid's rows are read in parts of about this many rows (:meth:`_Grid.parts`), so
#: that the boxes gathered in cell order stay a few megabytes at a time.
_PART = 65_536


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
    crossings : numpy.ndarray of int
        ``(m, 2)`` pairs of segments of two different lines that certainly cross at one
        point inside both, each segment named by the coordinate it starts at.
    unsure : numpy.ndarray of int
        The ``pairs`` (unique) with two segments that meet otherwise than by such a
        crossing, or that lie near a line in ``self_lines``.
    """

    pairs: IntArray
    self_lines: IntArray
    repeated: IntArray
    crossings: IntArray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    unsure: IntArray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))


def factorize_xy(xy: FloatArray) -> tuple[IntArray, FloatArray]:
    """A code per coordinate pair (equal pairs share one) and the pairs in code order.

    Codes are given in order of first appearance. The pairs are hashed as one 64-bit
    key mixing the bits of x and y (about twice as fast as hashing them as complex
    numbers); should two different pairs ever share a key, the check below sees it and
    the pairs are hashed as complex numbers instead.
    """
    x, y = xy[:, 0] + 0.0, xy[:, 1] + 0.0  # -0.0 and 0.0 are one coordinate
    key = x.view(np.uint64) * _MIX
    key ^= y.view(np.uint64)
    codes = pd.factorize(key.view(np.int64))[0].astype(np.int64, copy=False)
    # Codes count up in order of first appearance: a code is new where it passes the
    # largest code before it.
    seen = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, seen[1:] > seen[:-1]]) if len(codes) else codes
    first_x, first_y = x[first], y[first]
    if np.array_equal(x, first_x[codes]) and np.array_equal(y, first_y[codes]):
        return codes, np.stack([first_x, first_y], axis=1)
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
    Where most pairs share their x with others (the crossings of a street grid), one
    quicksort of y, then a radix sort by the rank of x.

    Examples
    --------
    >>> xy_order(np.array([[1.0, 5.0], [0.0, 9.0], [1.0, 2.0]])).tolist()
    [1, 2, 0]
    """
    if _few_xs(xy[:, 0]):
        x_code, xs = pd.factorize(xy[:, 0], use_na_sentinel=False)  # -0.0 is 0.0
        x_rank = np.empty(len(xs), dtype=np.int64)
        x_rank[np.argsort(xs)] = np.arange(len(xs))
        by_y = np.argsort(xy[:, 1])
        return by_y[sorted_order(x_rank[x_code[by_y]])[1]]
    order = np.argsort(xy[:, 0])
    x = xy[order, 0]
    tie = x[1:] == x[:-1]
    if tie.any():
        in_run = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
        members = order[in_run]
        order[in_run] = members[np.lexsort((xy[members, 1], xy[members, 0]))]
    return order


def _few_xs(x: FloatArray) -> bool:
    """Whether most of these values repeat others.

    Judged by about 4,096 of them, evenly spread; fewer than 8,192 values never do.
    """
    if len(x) < 8192:
        return False
    sample = x[:: len(x) // 4096]
    return len(np.unique(sample)) * 2 < len(sample)


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
        A code per coordinate, equal exactly for equal coordinates
        (:func:`factorize_xy`).

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
    x, y = coords[:, 0], coords[:, 1]  # views, not copies: less memory to fault in
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
    if zero.any():
        back = (vid[first] == vid[second + 1]) | ends.shared_end_bad(first, second + 1, first + 1)
    else:  # segments in a row are coordinates in a row: slices instead of gathers
        back = ends.turns_back_at(first)
    # segment pairs that are not clean, each segment named by its first coordinate
    seg_a, seg_b = [first[back]], [second[back]]
    kinds = [np.full(int(np.count_nonzero(back)), UNSURE, dtype=np.int8)]
    grid = _Grid.of(x, y, start, scale)
    for cells in grid.parts():
        row_start, row_line = start[cells.seg], line[cells.seg]  # of each (cell, box) row
        for left, right in cells.pairs(row_line):
            kind = ends.classify(row_start[left], row_start[right])
            bad = np.flatnonzero(kind)  # not CLEAN
            seg_a.append(row_start[left[bad]])
            seg_b.append(row_start[right[bad]])
            kinds.append(kind[bad])
    sa, sb, kind = np.concatenate(seg_a), np.concatenate(seg_b), np.concatenate(kinds)
    li, lj = vline[sa], vline[sb]
    self_lines = np.unique(li[li == lj])
    crossing = (kind == CROSSING) & (li != lj)
    crossings = np.c_[sa[crossing], sb[crossing]]
    unsure_at = kind != CROSSING
    # A line that meets itself goes to GEOS with every line near it: GEOS may snap
    # when it nodes such a line, and the snapping can move what it finds elsewhere.
    if len(self_lines):
        with_self = np.zeros(int(line.max()) + 1, dtype=bool)
        with_self[self_lines] = True
        near_a, near_b = [li], [lj]
        for cells in grid.parts():
            row_line = line[cells.seg]
            for left, right in cells.pairs(row_line):
                hit = with_self[row_line[left]] | with_self[row_line[right]]
                near_a.append(row_line[left[hit]])
                near_b.append(row_line[right[hit]])
        n_near = sum(len(a) for a in near_a) - len(li)
        li, lj = np.concatenate(near_a), np.concatenate(near_b)
        unsure_at = np.r_[unsure_at, np.ones(n_near, dtype=bool)]
    other = li != lj
    a, b = np.minimum(li[other], lj[other]), np.maximum(li[other], lj[other])
    unsure_at = unsure_at[other]
    n_lines = int(vline[-1]) + 1
    return SegmentCheck(
        _unique_pairs(a, b, n_lines),
        self_lines,
        repeated,
        crossings,
        _unique_pairs(a[unsure_at], b[unsure_at], n_lines),
    )


def _unique_pairs(a: IntArray, b: IntArray, n: int) -> IntArray:
    """Rows ``(a, b)`` of numbers below ``n``, sorted and unique, as a ``(k, 2)`` array."""
    key, _ = sorted_order(a.astype(np.int64) * n + b)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    return np.c_[key // n, key % n].astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Grid:
    """Boxes of segments (long ones cut to cell-sized pieces) in the cells they overlap.

    Rows are (cell, box) entries sorted by cell: ``key`` is the cell of each row and
    ``box_of`` its box in ``boxes``. Pairs are only made within a cell, so the rows are
    read in parts of whole cells (:meth:`parts`), each part's boxes gathered on its own:
    the grid never holds a gathered copy of every box.
    """

    key: IntArray
    box_of: IntArray
    boxes: _Boxes
    size: float
    origin: tuple[float, float]
    rows: int

    @classmethod
    def of(cls, x: FloatArray, y: FloatArray, start: IntArray, scale: float) -> _Grid:
        """The grid of the segments ``start`` (from ``x[start]`` to ``x[start + 1]``).

        Cells are twice the median segment, finer where cells are crowded, and at least
        a quarter of the mean segment: cutting segments into cells then adds at most
        four boxes per segment (before any halving), even where most segments are tiny
        (a densified curve beside long roads once made a grid of 125 million boxes).
        """
        pad = _NEAR * scale  # pairs within ``near`` of each other share a cell
        box = _Boxes.of(x, y, start, pad)
        ext = box.ext
        size = max(2.0 * float(np.median(ext)), float(ext.mean()) / 4.0, 4.0 * pad)
        for _ in range(_MAX_HALVING):
            grid = cls._at(box.split(size), size)
            starts = np.flatnonzero(np.r_[True, grid.key[1:] != grid.key[:-1]])
            count = np.diff(np.r_[starts, len(grid.key)])
            if int((count * (count - 1) // 2).sum()) <= _MAX_PAIRS * len(grid.key):
                break
            if size / 2.0 < 4.0 * pad:  # finer cells would cut the padding, not part boxes
                break
            size /= 2.0
        return grid

    @classmethod
    def _at(cls, box: _Boxes, size: float) -> _Grid:
        ox, oy = float(box.x0.min()), float(box.y0.min())
        # The cell of the largest y1 is the largest cell, by the same arithmetic.
        rows = int(_cell(box.y1.max(keepdims=True), oy, size)[0]) + 1

        def first_cell(k: slice) -> tuple[IntArray, IntArray]:
            """Each box's first cell, and how many cells it covers."""
            cx0, cx1 = _cell(box.x0[k], ox, size), _cell(box.x1[k], ox, size)
            cy0, cy1 = _cell(box.y0[k], oy, size), _cell(box.y1[k], oy, size)
            return cx0 * rows + cy0, (cx1 - cx0 + 1) * (cy1 - cy0 + 1)

        key, cells = blockwise_many(len(box.seg), (np.int64, np.int64), first_cell)
        multi = np.flatnonzero(cells > 1)
        row = np.arange(len(key))
        if len(multi):  # a box over a cell border: one row per cell (2 to 9 of them)
            nx = _cell(box.x1[multi], ox, size) - _cell(box.x0[multi], ox, size) + 1
            extra = cells[multi] - 1  # its other cells, in rows after all first cells
            mrow = np.repeat(multi, extra)
            nxr = np.repeat(nx, extra)
            # Cell ``rank`` (1 to ``cells - 1``) of a box lies ``rank % nx`` columns and
            # ``rank // nx`` rows from its first cell.
            rank = 1 + np.arange(len(mrow)) - np.repeat(np.cumsum(extra) - extra, extra)
            mkey = key[mrow] + (rank % nxr) * rows + rank // nxr
            row, key = np.concatenate([row, mrow]), np.concatenate([key, mkey])
        key, order = sorted_order(key)
        return cls(key, row[order], box, size, (ox, oy), rows)

    def parts(self) -> Iterator[_Cells]:
        """The rows in parts of whole cells, about :data:`_PART` rows each, boxes gathered."""
        key, box = self.key, self.boxes
        cuts = np.arange(_PART, len(key), _PART)
        # each cut moves back to the first row of its cell: a part holds whole cells
        bounds = np.unique(np.r_[0, np.searchsorted(key, key[cuts]), len(key)])
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            row = self.box_of[lo:hi]
            yield _Cells(
                key[lo:hi],
                box.seg[row],
                box.x0[row],
                box.y0[row],
                box.x1[row],
                box.y1[row],
                self.size,
                self.origin,
                self.rows,
            )


@dataclass(frozen=True, eq=False)
class _Cells:
    """Rows of whole cells of a :class:`_Grid`, with their boxes.

    ``seg`` is each row's segment. A box's cells and the cell of a pair's corner are
    both found from the boxes' bounds, by the same arithmetic (:func:`_cell`).
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
                    keep = valid & blockwise(n, bool, partial(self._meet_all, step, row_line))
                    found = np.flatnonzero(keep)
                    yield found, found + step
                    step += 1
                    continue
                left = np.flatnonzero(valid)
            if len(left) == 0:
                return
            found = left[blockwise(len(left), bool, partial(self._meet_some, left, step, row_line))]
            yield found, found + step
            step += 1
            left = left[after[left] >= step]

    def _meet_all(self, step: int, row_line: IntArray, block: slice) -> BoolArray:
        """:meth:`_meet` of the rows ``block`` and the rows ``step`` after them."""
        return self._meet(block, slice(block.start + step, block.stop + step), row_line)

    def _meet_some(self, rows: IntArray, step: int, row_line: IntArray, block: slice) -> BoolArray:
        """:meth:`_meet` of the rows ``rows[block]`` and the rows ``step`` after them."""
        left = rows[block]
        return self._meet(left, left + step, row_line)

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
        # the corner's cell, by the arithmetic that put the boxes in cells (:meth:`_Grid._at`)
        keep &= _cell(cx, ox, self.size) * self.rows + _cell(cy, oy, self.size) == self.key[left]
        sl, sr = self.seg[left], self.seg[right]
        keep &= (np.abs(sl - sr) > 1) | ((sl != sr) & (row_line[left] != row_line[right]))
        return keep


def _cell(v: FloatArray, origin: float, size: float) -> IntArray:
    """Cell index of each coordinate (all ``>= origin``, so truncation is floor)."""
    c = v - origin
    c *= 1.0 / size
    return c.astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Boxes:
    """Bounding boxes of segments, padded by ``pad``; ``seg`` is the segment of each box.

    Segment ``i`` runs from ``(x, y)[start[i]]`` to ``(x, y)[start[i] + 1]``; ``ext``
    is the larger side of its own box (unpadded).
    """

    x: FloatArray
    y: FloatArray
    start: IntArray
    seg: IntArray
    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    ext: FloatArray
    pad: float

    @classmethod
    def of(cls, x: FloatArray, y: FloatArray, start: IntArray, pad: float) -> _Boxes:
        def boxes(k: slice) -> tuple[FloatArray, ...]:
            a = start[k]
            px, py, qx, qy = x[a], y[a], x[a + 1], y[a + 1]
            x0, x1 = np.minimum(px, qx), np.maximum(px, qx)
            y0, y1 = np.minimum(py, qy), np.maximum(py, qy)
            ext = np.maximum(x1 - x0, y1 - y0)
            return x0 - pad, y0 - pad, x1 + pad, y1 + pad, ext

        x0, y0, x1, y1, ext = blockwise_many(len(start), (float,) * 5, boxes)
        return cls(x, y, start, np.arange(len(start)), x0, y0, x1, y1, ext, pad)

    def split(self, size: float) -> _Boxes:
        """Segments longer than ``size`` cut into ``k`` boxes at most ``size`` long.

        Box 0 of such a segment stays in its row (row ``i`` of the boxes :meth:`of`
        makes is segment ``i``); boxes 1 to ``k - 1`` follow all rows (their ``ext`` is
        left at 0: the boxes are not split again).
        """
        k = np.ceil(self.ext / size).astype(np.int64)
        long = np.flatnonzero(k > 1)
        if len(long) == 0:
            return self
        kl = k[long]
        seg = np.repeat(long, kl)
        part = np.arange(len(seg)) - np.repeat(np.cumsum(kl) - kl, kl)
        kk = np.repeat(kl, kl).astype(float)
        a = self.start[seg]
        px, py, qx, qy = self.x[a], self.y[a], self.x[a + 1], self.y[a + 1]
        dx, dy = qx - px, qy - py
        last = part + 1 == kk
        ax, ay = px + dx * (part / kk), py + dy * (part / kk)
        bx = np.where(last, qx, px + dx * ((part + 1) / kk))
        by = np.where(last, qy, py + dy * ((part + 1) / kk))
        first, later = part == 0, part > 0
        n, extra, pad = len(self.seg), int(np.count_nonzero(later)), self.pad

        def rows(old: FloatArray, piece: FloatArray) -> FloatArray:
            out = np.empty(n + extra)
            out[:n] = old
            out[long] = piece[first]
            out[n:] = piece[later]
            return out

        return _Boxes(
            self.x,
            self.y,
            self.start,
            np.concatenate([self.seg, seg[later]]),
            rows(self.x0, np.minimum(ax, bx) - pad),
            rows(self.y0, np.minimum(ay, by) - pad),
            rows(self.x1, np.maximum(ax, bx) + pad),
            rows(self.y1, np.maximum(ay, by) + pad),
            np.concatenate([self.ext, np.zeros(extra)]),
            pad,
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

    @cached_property
    def step(self) -> tuple[FloatArray, FloatArray]:
        """``x[a + 1] - x[a]`` and ``y[a + 1] - y[a]`` of every coordinate ``a``."""
        return np.diff(self.x), np.diff(self.y)

    def shared_end_bad(self, a: IntArray, b: IntArray, s: IntArray) -> BoolArray:
        """:func:`_shared_end_bad` of the coordinates ``s -> a`` and ``s -> b``."""
        x, y = self.x, self.y
        return _shared_end_bad(x[a], y[a], x[b], y[b], x[s], y[s], self.near)

    def turns_back_at(self, first: IntArray) -> BoolArray:
        """Whether ``first -> first + 1 -> first + 2`` doubles back over itself, or nearly.

        The path's ends coincide, or :meth:`shared_end_bad` of ``(first, first + 2,
        first + 1)`` (the same when its steps are too short to square: below 1e-162),
        computed for every coordinate through slices, which is cheaper than gathering
        the three coordinates of each of ``first``; only the paths ``first`` are
        measured further.
        """
        x, y, vid = self.x, self.y, self.vid
        path = np.zeros(len(x) - 2, dtype=bool)  # three coordinates of one line
        path[first] = True

        def turns_back(a: slice) -> BoolArray:
            s, b = slice(a.start + 1, a.stop + 1), slice(a.start + 2, a.stop + 2)
            back = _shared_end_bad(x[a], y[a], x[b], y[b], x[s], y[s], self.near, path[a])
            back |= vid[a] == vid[b]
            return back

        return blockwise(len(path), bool, turns_back)[first]

    def classify(self, a: IntArray, b: IntArray) -> npt.NDArray[np.int8]:
        """What segment pairs ``(a, b)`` do: :data:`CLEAN`, :data:`CROSSING` or :data:`UNSURE`.

        A pair is clean when it meets at most at exactly one shared end.
        """
        return blockwise(len(a), np.int8, lambda k: self._classify(a[k], b[k]))

    def _classify(self, a: IntArray, b: IntArray) -> npt.NDArray[np.int8]:
        x, y, vid = self.x, self.y, self.vid
        x_next, y_next, vid_next = x[1:], y[1:], vid[1:]  # ``x_next[a]`` is ``x[a + 1]``
        p1, q1, p2, q2 = vid[a], vid_next[a], vid[b], vid_next[b]
        pp, pq, qp, qq = p1 == p2, p1 == q2, q1 == p2, q1 == q2
        n_shared = pp.astype(np.int8) + pq + qp + qq
        kind = np.where(n_shared >= 2, UNSURE, CLEAN).astype(np.int8)

        one = np.flatnonzero(n_shared == 1)
        if len(one):
            bad = self._shared_end_of_pairs(a[one], b[one], (pp | pq)[one], (pp | qp)[one])
            kind[one] = bad  # UNSURE where True

        # No shared end: disjoint only when one segment lies strictly on one side of
        # the other.
        none = np.flatnonzero(n_shared == 0)
        if len(none):
            a0, b0 = a[none], b[none]
            kind[none] = _crossing_or_near(
                x[a0],
                y[a0],
                x_next[a0],
                y_next[a0],
                x[b0],
                y[b0],
                x_next[b0],
                y_next[b0],
                self.near,
            )
        return kind

    def _shared_end_of_pairs(
        self, a: IntArray, b: IntArray, at_a_start: BoolArray, at_b_start: BoolArray
    ) -> BoolArray:
        """:meth:`shared_end_bad` of segments ``a`` and ``b`` sharing one end.

        ``at_a_start`` (``at_b_start``) tells whether that end is where ``a`` (``b``)
        starts. The vectors from it to the other ends are the segments' steps, turned
        round where the segment ends there (exactly, as negation is exact).
        """
        dx, dy = self.step
        sign_a = np.where(at_a_start, 1.0, -1.0)
        sign_b = np.where(at_b_start, 1.0, -1.0)
        bad, maybe = _turn_bad(
            dx[a] * sign_a, dy[a] * sign_a, dx[b] * sign_b, dy[b] * sign_b, self.near
        )
        ask = np.flatnonzero(maybe)
        if len(ask):
            a1, b1, at_a, at_b = a[ask], b[ask], at_a_start[ask], at_b_start[ask]
            shared, end_a, end_b = a1 + ~at_a, a1 + at_a, b1 + at_b
            x, y = self.x, self.y
            bad[ask] = _closer_than(
                x[end_a], y[end_a], x[end_b], y[end_b], x[shared], y[shared], self.near
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
) -> npt.NDArray[np.int8]:
    """Segments ``p1 -> q1`` and ``p2 -> q2``, with no shared end: what they do.

    :data:`CROSSING` where each has its ends certainly on two sides of the other's
    line, :data:`UNSURE` where they may otherwise meet or come within ``near``, else
    :data:`CLEAN`.
    """
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
    # A crossing is never apart: look for one among the few pairs that are not. It is
    # certain when each segment has its ends certainly on two sides of the other's line,
    # and farther than ``near`` from it (so the crossing is that far from every end, and
    # the segments are not so nearly parallel that GEOS's overlay may have to snap).
    maybe = np.flatnonzero(worse)
    if len(maybe):
        m1, m2, m3, m4 = o1[maybe], o2[maybe], o3[maybe], o4[maybe]
        f1, f2, f3, f4 = e1[maybe], e2[maybe], e3[maybe], e4[maybe]
        across = (((m1 > f1) & (m2 < -f2)) | ((m1 < -f1) & (m2 > f2))) & (
            ((m3 > f3) & (m4 < -f4)) | ((m3 < -f3) & (m4 > f4))
        )
        l1, l2 = least_1[maybe], least_2[maybe]
        across &= (l1 * l1 > near * near * sq_1[maybe]) & (l2 * l2 > near * near * sq_2[maybe])
        maybe = maybe[across]
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
    kind = np.where(worse, UNSURE, CLEAN).astype(np.int8)
    kind[maybe] = CROSSING
    return kind


def _shared_end_bad(
    ax: FloatArray,
    ay: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    sx: FloatArray,
    sy: FloatArray,
    near: float,
    among: BoolArray | None = None,
) -> BoolArray:
    """Segments ``s -> a`` and ``s -> b`` meeting again, or nearly, beyond their shared end.

    See :func:`_turn_bad`. Only the entries ``among`` marks (all by default) are
    measured where that takes more than their determinant; the others are left as the
    determinant says (not overlapping), whatever their distance.
    """
    bad, maybe = _turn_bad(ax - sx, ay - sy, bx - sx, by - sy, near)
    ask = np.flatnonzero(maybe if among is None else maybe & among)
    if len(ask):
        bad[ask] = _closer_than(ax[ask], ay[ask], bx[ask], by[ask], sx[ask], sy[ask], near)
    return bad


def _turn_bad(
    ux: FloatArray, uy: FloatArray, vx: FloatArray, vy: FloatArray, near: float
) -> tuple[BoolArray, BoolArray]:
    """Segments ``s -> s + u`` and ``s -> s + v`` overlapping, and those that may come near.

    They overlap only when collinear and pointing the same way; they come within
    ``near`` only when an end is that close to the other's line (``|det|`` over a
    segment's length is that distance): those are to be measured (:func:`_closer_than`).
    """
    left, right = ux * vy, uy * vx  # :func:`_orient`'s terms, as it computes them
    det = left - right
    bound = np.abs(left, out=left)  # the terms are not needed again
    bound += np.abs(right, out=right)
    bad = np.abs(det) <= _ORIENT_ERR * bound
    bad &= ux * vx + uy * vy > 0
    longest = np.maximum(ux * ux + uy * uy, vx * vx + vy * vy)
    maybe = ~bad & (det * det <= near * near * longest)
    return bad, maybe


def _closer_than(
    ax: FloatArray,
    ay: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    sx: FloatArray,
    sy: FloatArray,
    near: float,
) -> BoolArray:
    """Whether an end of ``s -> a`` or ``s -> b`` comes within ``near`` of the other."""
    close = np.minimum(
        _point_segment(ax, ay, sx, sy, bx, by),
        _point_segment(bx, by, sx, sy, ax, ay),
    )
    return close <= near


def _point_segment(
    x: FloatArray, y: FloatArray, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> FloatArray:
    """Distance from each point to the segment ``a -> b`` (not of zero length)."""
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))
