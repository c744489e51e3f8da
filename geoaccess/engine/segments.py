"""Coordinates coded and ordered, and the segment check: which lines meet only at shared vertices.

The noding's numpy route (:mod:`.noding`) works on the coordinates of all lines at once,
without making a geometry. :func:`factorize_xy` gives each coordinate pair a code (equal
pairs share one: the node ids), :func:`xy_order` and :func:`close_candidates` order them
and find those that may lie within a tolerance of one another (nodes to merge).

:func:`check_segments` finds the lines that meet other than at shared vertices. Pairs of
segments come from a uniform grid (:mod:`.segment_grid`: long segments are cut into
grid-sized boxes), and each pair is classified with orientation tests whose
floating-point error is bounded (:mod:`.segment_pairs`): a pair is called clean only
when it certainly meets at most at one shared end, and anything uncertain is flagged for
GEOS; a pair that certainly crosses once inside both is a crossing, whose point the
noding computes itself (:mod:`.crossings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import segment_grid, segment_pairs
from .arrays import BoolArray, FloatArray, IntArray
from .sorting import sorted_order


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
    ends = segment_pairs.Ends(x, y, vid, segment_pairs.NEAR * scale)
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
    kinds = [np.full(int(np.count_nonzero(back)), segment_pairs.UNSURE, dtype=np.int8)]
    grid = segment_grid.Grid.of(x, y, start, pad=segment_pairs.NEAR * scale)
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
    crossing = (kind == segment_pairs.CROSSING) & (li != lj)
    crossings = np.c_[sa[crossing], sb[crossing]]
    unsure_at = kind != segment_pairs.CROSSING
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
