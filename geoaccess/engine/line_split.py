"""Lines split into pieces at given points, measured as GEOS measures them.

The noding's cuts (:mod:`.noding`): each line is split at its cut points and nowhere
else, the points ordered along it as ``shapely.line_locate_point`` orders them, and each
piece's length summed segment after segment as ``shapely.length`` sums it, so the pieces
are the ones GEOS's own split gives, without making a geometry per piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import shapely

from . import crossings
from .arrays import BoolArray, FloatArray, GeomArray, IntArray
from .blocks import blockwise
from .edge_lines import EdgeLines
from .sorting import sorted_order


@dataclass(frozen=True, eq=False)
class Pieces:
    """Lines cut into pieces: the pieces' coordinates, piece after piece.

    Attributes
    ----------
    xy : numpy.ndarray
        ``(k, 2)`` coordinates, each piece's rows in order.
    piece : numpy.ndarray of int
        The piece of each row (non-decreasing).
    source : numpy.ndarray of int
        The line of each piece.
    code : numpy.ndarray of int
        The code of each row's point (``-1`` where the split was given none).
    """

    xy: FloatArray
    piece: IntArray
    source: IntArray
    code: IntArray

    @cached_property
    def heads(self) -> IntArray:
        """The row of each piece's first coordinate."""
        piece = self.piece
        return np.flatnonzero(np.r_[True, piece[1:] != piece[:-1]]) if len(piece) else piece

    @cached_property
    def tails(self) -> IntArray:
        """The row of each piece's last coordinate."""
        return np.r_[self.heads[1:] - 1, len(self.piece) - 1] if len(self.piece) else self.piece

    def made(self) -> GeomArray:
        """Each piece's LineString."""
        return shapely.linestrings(self.xy, indices=self.piece)

    def edges(self) -> EdgeLines:
        """The pieces as edges made on first use."""
        return EdgeLines(np.full(len(self.source), None, dtype=object), self.xy, self.piece)

    def lengths(self) -> FloatArray:
        """Each piece's length, summed as GEOS sums it (``shapely.length`` of :meth:`made`)."""
        return distance_along(self.xy, self.heads, self.tails)[self.tails]


def at_points(
    lines: GeomArray,
    cut_line: IntArray,
    cut_xy: FloatArray,
    *,
    locate_segments: bool = False,
    codes: tuple[IntArray, IntArray] | None = None,
) -> Pieces:
    """Split each line at its cut points (and nowhere else).

    Cut points are ordered along each line by ``shapely.line_locate_point``; with
    ``locate_segments``, those on lines of one segment by
    :func:`.crossings.locate_on_segments`, which gives the same numbers. Cut points are
    taken with 0.0 for -0.0, so which of two equal points was found first makes no
    difference. ``codes`` (of the lines' vertices, and of the cut
    points) are carried to the pieces' rows: where a cut point falls on a vertex, the
    vertex's code.
    """
    if len(lines) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Pieces(np.zeros((0, 2)), empty, empty, empty)
    cut_xy = cut_xy + 0.0  # -0.0 and 0.0 are one point, and the same whichever comes first
    coords, vline = shapely.get_coordinates(lines, return_index=True)
    n_v = len(coords)
    first_v = np.ones(n_v, dtype=bool)
    first_v[1:] = vline[1:] != vline[:-1]
    last_v = np.ones(n_v, dtype=bool)
    last_v[:-1] = first_v[1:]
    heads, tails = np.flatnonzero(first_v), np.flatnonzero(last_v)
    along = distance_along(coords, heads, tails)
    cut_along = np.empty(len(cut_line))
    by_geos = np.ones(len(cut_line), dtype=bool)
    if locate_segments:
        by_geos = (tails - heads)[cut_line] != 1
        if by_geos.any():
            one = np.flatnonzero(~by_geos)
            cut_along[one] = locate_on_first_segments(coords, heads[cut_line[one]], cut_xy[one])
        else:
            cut_along = locate_on_first_segments(coords, heads[cut_line], cut_xy)
    if by_geos.any():
        cut_along[by_geos] = shapely.line_locate_point(
            lines[cut_line[by_geos]], shapely.points(cut_xy[by_geos])
        )

    line = np.concatenate([vline, cut_line])
    dist = np.concatenate([along, cut_along])
    xy = np.concatenate([coords, cut_xy])
    is_cut = np.concatenate([first_v | last_v, np.ones(len(cut_line), dtype=bool)])
    is_cut_v = np.r_[np.ones(n_v, dtype=bool), np.zeros(len(cut_line), dtype=bool)]
    # Along each line; at one distance its vertex first, then the cut points by x and y
    # (the order they were found in makes no difference).
    order = order_along(line, dist, is_cut_v, xy)
    line, xy, is_cut = line[order], xy[order], is_cut[order]
    code = np.full(len(line), -1, dtype=np.int64) if codes is None else np.concatenate(codes)
    code = code[order]
    # Repeated points (a cut on a vertex, one crossing found twice) collapse into one.
    new = np.ones(len(line), dtype=bool)
    new[1:] = (line[1:] != line[:-1]) | np.any(xy[1:] != xy[:-1], axis=1)
    starts = np.flatnonzero(new)
    is_cut = np.maximum.reduceat(is_cut, starts)
    line, xy = line[starts], xy[starts]
    code = code[starts]  # a vertex's before a cut point's

    first = np.ones(len(line), dtype=bool)
    first[1:] = line[1:] != line[:-1]
    last = np.ones(len(line), dtype=bool)
    last[:-1] = first[1:]
    opens = is_cut & ~last
    piece = np.cumsum(opens) - 1
    closes = np.flatnonzero(is_cut & ~first & ~last)  # ends one piece, opens the next
    pos = np.concatenate([np.arange(len(line)), closes])
    pid = np.concatenate([piece, piece[closes] - 1])
    order = np.lexsort((pos, pid))
    rows = pos[order]
    return Pieces(xy[rows], pid[order], line[opens], code[rows])


def at_vertices(
    lines: GeomArray,
    coords: FloatArray,
    vline: IntArray,
    vid: IntArray,
    shared: BoolArray,
    which: BoolArray,
) -> tuple[EdgeLines, FloatArray, IntArray, IntArray, IntArray]:
    """Split the ``which`` lines at their shared vertices (the first time they pass one).

    What :func:`at_points` gives when every cut point is a vertex: a cut at a vertex the line
    passes twice lands where GEOS locates it, the first time. A line with no such vertex
    inside it stays its own geometry; the other pieces stay coordinates, with their
    lengths summed as GEOS sums them.

    Returns the pieces, their lengths, the line of each, and the rows of ``coords``
    holding their first and last coordinates.
    """
    # A line passes a shared vertex twice only where three passes or more meet.
    passes = np.bincount(vid, minlength=len(shared))
    rows_taken = None if which.all() else np.flatnonzero(which[vline])
    if rows_taken is not None:
        coords, vline, vid = coords[rows_taken], vline[rows_taken], vid[rows_taken]
    n_v = len(coords)
    if n_v == 0:
        none = EdgeLines.of(np.zeros(0, dtype=object))
        no_rows = np.zeros(0, dtype=np.int64)
        return none, np.zeros(0), no_rows, no_rows, no_rows
    first_v = np.r_[True, vline[1:] != vline[:-1]]
    last_v = np.r_[first_v[1:], True]
    at = np.flatnonzero(shared[vid])
    cut = np.zeros(n_v, dtype=bool)
    cut[at] = True
    busy = at[passes[vid[at]] >= 3]
    again = pd.Series(vline[busy] * len(shared) + vid[busy]).duplicated().to_numpy()
    cut[busy[again]] = False  # cut where the line first passes each shared vertex
    cut &= ~first_v & ~last_v
    # Each inner cut vertex is written twice: the end of one piece, the start of the next;
    # a vertex moves down by the number of cuts before it (the k-th cut's copy by k + 1).
    cut_v, first_at = np.flatnonzero(cut), np.flatnonzero(first_v)
    xy = np.repeat(coords, cut + 1, axis=0)
    opens = np.zeros(len(xy), dtype=bool)
    opens[first_at + np.searchsorted(cut_v, first_at)] = True
    opens[cut_v + np.arange(1, len(cut_v) + 1)] = True
    pid = np.cumsum(opens)
    pid -= 1
    heads = np.flatnonzero(opens)
    tails = np.r_[heads[1:] - 1, len(xy) - 1]
    # The vertices the pieces start and end at, piece after piece.
    head_v = np.flatnonzero(first_v | cut)
    tail_v = np.flatnonzero(cut | last_v)
    source = vline[head_v]
    whole = np.bincount(vline[cut], minlength=len(lines))[source] == 0
    whole[whole] = ~shapely.has_z(lines[source[whole]])  # GEOS cuts give 2D pieces
    made = np.full(len(heads), None, dtype=object)
    made[whole] = lines[source[whole]]
    lengths = np.empty(len(heads))
    lengths[whole] = shapely.length(made[whole])
    lengths[~whole] = distance_along(xy, heads[~whole], tails[~whole])[tails[~whole]]
    pid[whole[pid]] = -1  # whole lines need no rows
    edges = EdgeLines(made, xy, pid)
    if rows_taken is not None:  # back to rows of the ``coords`` passed in
        head_v, tail_v = rows_taken[head_v], rows_taken[tail_v]
    return edges, lengths, source, head_v, tail_v


def order_along(line: IntArray, dist: FloatArray, is_vertex: BoolArray, xy: FloatArray) -> IntArray:
    """Rows in order of line, distance along it, vertices first, x, y, then row.

    ``np.lexsort`` of all six keys, faster: by line and distance, then by all the keys
    only the rows that tie on both (a cut point on a vertex, two cuts at one point).
    """
    order = np.lexsort((dist, line))
    in_order = dist[order]
    # ties, and NaN distances (sorted last), whose order the other keys decide
    tie = ~(in_order[1:] > in_order[:-1])
    tie &= line[order[1:]] == line[order[:-1]]
    if tie.any():
        in_run = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
        rows = order[in_run]
        order[in_run] = rows[
            np.lexsort((rows, xy[rows, 1], xy[rows, 0], ~is_vertex[rows], dist[rows], line[rows]))
        ]
    return order


def locate_on_first_segments(coords: FloatArray, head: IntArray, xy: FloatArray) -> FloatArray:
    """:func:`.crossings.locate_on_segments` of each point on segment ``head[i]`` of ``coords``.

    Block by block, each block's segment ends gathered as it is computed: they stay in the
    processor's cache (half the time of whole arrays at 500,000 points).
    """

    def located(k: slice) -> FloatArray:
        at = head[k]
        return crossings.locate_on_segments(coords[at], coords[at + 1], xy[k])

    return blockwise(len(head), float, located)


def distance_along(xy: FloatArray, heads: IntArray, tails: IntArray) -> FloatArray:
    """Distance of each row along its path ``xy[heads[i] : tails[i] + 1]``, as GEOS measures.

    GEOS adds ``sqrt(dx * dx + dy * dy)`` segment after segment from each line's start;
    so does this, one segment position at a time over the paths still that long
    (longest first). So a path's last value is its ``shapely.length``, and a cut point
    on a vertex gets from ``shapely.line_locate_point`` the vertex's own distance.
    """
    step, dy = np.diff(xy[:, 0]), np.diff(xy[:, 1])
    step *= step
    dy *= dy
    step += dy
    np.sqrt(step, out=step)
    along = np.zeros(len(xy))
    n_seg = tails - heads
    most = int(n_seg.max(initial=0))
    if most <= 1:  # paths of one segment at most (the pieces of a street grid): one step
        row = heads[n_seg == 1]
        along[row + 1] = along[row] + step[row]
        return along
    shorter_by, order = sorted_order(most - n_seg)  # the longest paths first
    start = heads[order]
    still = np.searchsorted(shorter_by, most - np.arange(most), side="left")
    for k, c in enumerate(still.tolist()):
        row = start[:c] + k
        along[row + 1] = along[row] + step[row]
    return along
