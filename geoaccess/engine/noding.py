"""Noding: road lines split into graph edges at their junctions, dangling ends snapped.

Two routes to one answer. :func:`node_lines_full` intersects every pair of touching lines
with GEOS and splits every line again. :func:`node_lines` (what the graph uses) first
checks the segments with numpy (:mod:`.segments`): a pair of lines meeting only at
shared vertices (OSM ways do, where they meet at a junction node) intersects exactly
there, so no GEOS overlay is needed and a line without junctions inside it stays the
same geometry. Pairs of lines that only cross mid-segment (each crossing certain, one per
segment) cross where GEOS's overlay would find it, by GEOS's own arithmetic
(:mod:`.crossings`). Pairs that overlap, touch off a vertex, or come too close to tell,
and the lines a dangling end snaps onto, take the GEOS steps of the full route, line by
line. Both give the same pieces, nodes and node ids (``tests/test_network.py`` checks it).

Lines are cut where GEOS would cut them (:mod:`.line_split`), and the pieces stay
coordinates until their geometry is asked for (:mod:`.edge_lines`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from . import crossings, line_split
from . import segments as seg
from .arrays import BoolArray, FloatArray, GeomArray, IntArray
from .edge_lines import EdgeLines

log = logging.getLogger(__name__)

#: Coordinates closer than this (metres) are the same point: computed intersections of
#: three roads meeting at one place differ by float noise, never by a millimetre.
TOL_M = 1e-3


_NO_XY: FloatArray = np.zeros((0, 2))


@dataclass(frozen=True, eq=False)
class Noded:
    """Graph edges from noding: geometry, length, source line, end nodes, node coordinates."""

    lines: EdgeLines
    lengths: FloatArray
    source: IntArray
    u: IntArray
    v: IntArray
    nodes: FloatArray


def explode_lines(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Single LineStrings of ``geoms`` and the position of the row each comes from.

    Missing and empty geometries are skipped; other geometry types raise a ValueError
    naming the offending positions.
    """
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = shapely.get_type_id(geoms)
    bad = present & ~np.isin(types, [1, 5])  # LineString, MultiLineString
    if bad.any():
        where = np.flatnonzero(bad)[:5].tolist()
        msg = (
            f"roads must be LineString or MultiLineString geometries; rows at positions "
            f"{where} are {sorted(set(shapely.get_type_id(geoms[bad]).tolist()))} "
            "(shapely type ids)"
        )
        raise ValueError(msg)
    rows = np.flatnonzero(present)
    if np.all(types[rows] == 1):  # single lines already: no copies
        parts, which = geoms[rows], np.arange(len(rows))
    else:
        parts, which = shapely.get_parts(geoms[rows], return_index=True)
    keep = shapely.length(parts) > 0  # zero-length parts carry no road
    return parts[keep], rows[which[keep]].astype(np.int64)


def unique_rows(xy: FloatArray) -> tuple[FloatArray, IntArray]:
    """Unique coordinate pairs (sorted by x, then y) and the inverse index."""
    if len(xy) == 0:
        return xy.reshape(0, 2), np.zeros(0, dtype=np.int64)
    codes, uniq = seg.factorize_xy(xy)
    order = seg.xy_order(uniq)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return uniq[order], rank[codes]


def unique_rows_known(
    code: IntArray, table: FloatArray, rest_xy: FloatArray
) -> tuple[FloatArray, IntArray]:
    """:func:`unique_rows` of rows given by a code into a table of pairs, then more pairs.

    Only the pairs in use are sorted, nothing is hashed again, and no row's coordinates
    are gathered.

    Parameters
    ----------
    code : numpy.ndarray of int
        Each row's code: its pair is ``table[code]``, or ``rest_xy[code - len(table)]``
        from ``len(table)`` on.
    table : numpy.ndarray
        ``(t, 2)`` distinct coordinate pairs (:func:`~.segments.factorize_xy`'s).
    rest_xy : numpy.ndarray
        ``(r, 2)`` more pairs, not necessarily distinct from each other or the table's.

    Returns
    -------
    tuple of numpy.ndarray
        The distinct pairs in use, sorted by x then y, and each row's index into them.
    """
    n_table = len(table)
    used = np.zeros(n_table + len(rest_xy), dtype=bool)
    used[code] = True
    ids = np.flatnonzero(used)
    n_known = int(np.searchsorted(ids, n_table))
    rest = rest_xy[ids[n_known:] - n_table] + 0.0  # -0.0 and 0.0 are one
    candidates = np.concatenate([table[ids[:n_known]], rest])
    order = seg.xy_order(candidates)
    in_order = candidates[order]
    new = np.r_[True, np.any(in_order[1:] != in_order[:-1], axis=1)]
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    slot = np.zeros(len(used), dtype=np.int64)
    slot[ids] = inverse
    return in_order[new], slot[code]


# --- the full route: GEOS intersections of every touching pair --------------------------


def node_lines_full(lines: GeomArray, *, snap_m: float) -> Noded:
    """Node single LineStrings into graph edges, intersecting every touching pair.

    The reference for :func:`node_lines`, which gives the same answer faster.
    """
    if len(lines) == 0:
        return _empty()
    tree = shapely.STRtree(lines)
    # Crossings and touches between two different lines cut both of them there.
    left, right = tree.query(lines, predicate="intersects")
    keep = left < right
    cut_line, cut_xy = _crossings(lines, left[keep], right[keep])
    # Dangling ends (touching no other line) snap to the nearest line within snap_m.
    n = len(lines)
    owner = np.concatenate([np.arange(n), np.arange(n)])
    end_xy = _end_xy(lines)
    ends = shapely.points(end_xy)
    hit_pt, hit_line = tree.query(ends, predicate="intersects")
    touched = np.zeros(2 * n, dtype=bool)
    touched[hit_pt[hit_line != owner[hit_pt]]] = True
    dangling = np.flatnonzero(~touched & ~np.tile(_closed(end_xy), 2))
    target_line, target_xy, snapped = _snap_targets(
        lines, tree, ends[dangling], owner[dangling], snap_m
    )
    dangle_xy = end_xy[dangling[snapped]]
    split = line_split.at_points(
        lines, np.concatenate([cut_line, target_line]), np.concatenate([cut_xy, target_xy])
    )
    piece_ends = np.concatenate(
        [split.xy[split.heads], split.xy[split.tails], dangle_xy, target_xy]
    )
    node_xy, inverse = unique_rows(piece_ends)
    pieces = split.made()
    return _join_nodes(
        EdgeLines.of(pieces),
        shapely.length(pieces),
        split.source,
        node_xy,
        inverse,
        dangles=len(dangle_xy),
    )


# --- the fast route: shared vertices from numpy, GEOS only where needed -------------------


def node_lines(lines: GeomArray, *, snap_m: float, noded: bool | BoolArray = False) -> Noded:
    """Node single LineStrings into graph edges.

    The same answer as :func:`node_lines_full`, with GEOS overlays only for the lines
    that need them, and edge geometries made on first use.

    ``noded`` (one value, or one per line) marks lines taken to meet one another only
    at shared vertices, as OpenStreetMap ways do: two such lines crossing without a
    shared vertex (a bridge over a street, a tunnel under it) do not join, and when
    every line is marked no segment is checked for crossings at all. A line that is not
    marked joins every line it crosses or touches. Lines are split at their shared
    vertices and dangling ends snapped either way; the answer is the full route's
    wherever the lines do meet only at shared vertices.
    """
    if len(lines) == 0:
        return _empty()
    n = len(lines)
    marked = np.broadcast_to(np.asarray(noded, dtype=bool), (n,))
    coords, vline = shapely.get_coordinates(lines, return_index=True)
    vid, vxy = seg.factorize_xy(coords)
    # A vertex is shared when two different lines have it: a junction of the two.
    lo = np.full(len(vxy), n, dtype=np.int64)
    hi = np.full(len(vxy), -1, dtype=np.int64)
    np.minimum.at(lo, vid, vline)
    np.maximum.at(hi, vid, vline)
    shared = lo != hi
    if marked.all():
        check = seg.repeated_vertices(vline, vid)
    else:
        check = _unmarked_meetings(seg.check_segments(coords, vline, vid), marked, vline)
    # Lines that take the GEOS route: a flagged pair (a crossing, an overlap, a touch
    # off a vertex, or too close to tell), a repeated vertex, or (below) a snapped end.
    dirty = np.zeros(n, dtype=bool)
    dirty[check.self_lines] = True
    dirty[check.repeated] = True
    dirty[check.pairs.ravel()] = True
    # Only pairs GEOS sees intersecting are cut (as the full route finds them); pairs
    # that only cross are cut where GEOS's overlay of the two would find each crossing.
    left, right = check.pairs[:, 0], check.pairs[:, 1]
    only_cross, x_line, x_xy = _pairs_only_crossing(coords, vline, check, n)
    ask = np.flatnonzero(~only_cross)
    meet = ask[shapely.intersects(lines[left[ask]], lines[right[ask]])]
    cut_line, cut_xy = _crossings(lines, left[meet], right[meet])

    # Dangling ends: an end is touched when another line has it as a vertex or, for a
    # dirty line only (a touch off a vertex flags the pair), when GEOS says so.
    first_v = np.flatnonzero(np.r_[True, vline[1:] != vline[:-1]])
    last_v = np.r_[first_v[1:] - 1, len(vline) - 1]
    end_v = np.concatenate([first_v, last_v])
    end_xy = coords[end_v]
    owner = np.concatenate([np.arange(n), np.arange(n)])
    open_end = ~np.tile(_closed(end_xy), 2)
    touched = shared[vid[end_v]]
    ask = np.flatnonzero(~touched & open_end & dirty[owner])
    tree = shapely.STRtree(lines) if len(ask) else None
    if tree is not None:
        hit_pt, hit_line = tree.query(shapely.points(end_xy[ask]), predicate="intersects")
        by = owner[ask[hit_pt]]
        # a marked line's end touching another marked line off a vertex does not join it
        joins = (hit_line != by) & ~(marked[hit_line] & marked[by])
        touched[ask[hit_pt[joins]]] = True
    dangling = np.flatnonzero(~touched & open_end)
    target_line = snapped = np.zeros(0, dtype=np.int64)
    target_xy = dangle_xy = np.zeros((0, 2))
    if snap_m > 0 and len(dangling):
        tree = shapely.STRtree(lines) if tree is None else tree
        target_line, target_xy, snapped = _snap_targets(
            lines, tree, shapely.points(end_xy[dangling]), owner[dangling], snap_m
        )
        dangle_xy = end_xy[dangling[snapped]]
        dirty[target_line] = True

    # Dirty lines: split at GEOS positions along them, at every cut the full route finds
    # (shared vertices, crossings, snap targets). Clean lines: at their junction vertices.
    at_shared = shared[vid] & dirty[vline]
    dirty_ids = np.flatnonzero(dirty)
    local = np.full(n, -1, dtype=np.int64)
    local[dirty_ids] = np.arange(len(dirty_ids))
    # Each cut point has a code: a vertex's own, or past the vertices' a slot among the
    # other points, in ``more_xy`` (the two cuts of a crossing found in numpy share one,
    # and a snap target's slot is also the dangling end's node).
    n_x = len(x_line) // 2
    more_xy = np.concatenate([cut_xy, x_xy[:n_x], target_xy])
    slot = len(vxy) + np.arange(len(more_xy))
    x_slot, target_slot = slot[len(cut_xy) : len(cut_xy) + n_x], slot[len(cut_xy) + n_x :]
    all_line = np.concatenate([vline[at_shared], cut_line, x_line, target_line])
    all_xy = np.concatenate([coords[at_shared], cut_xy, x_xy, target_xy])
    all_code = np.concatenate([vid[at_shared], slot[: len(cut_xy)], x_slot, x_slot, target_slot])
    split = line_split.at_points(
        lines[dirty_ids],
        local[all_line],
        all_xy,
        locate_segments=crossings.agrees_with_geos(),
        codes=(vid[dirty[vline]], all_code),
    )
    c_edges, c_lengths, c_source, c_head, c_tail = line_split.at_vertices(
        lines, coords, vline, vid, shared, ~dirty
    )
    source = np.concatenate([c_source, dirty_ids[split.source]])
    order = np.argsort(source, kind="stable")
    edges = c_edges.then(split.edges()).reorder(order)
    lengths = np.concatenate([c_lengths, split.lengths()])[order]
    log.debug(
        "noding: %d of %d lines by GEOS (%d flagged pairs, %d snapped ends)",
        len(dirty_ids),
        n,
        len(check.pairs),
        len(dangle_xy),
    )
    # Piece ends keep the codes of their points: nothing is hashed again, and only the
    # points in use are sorted.
    end_code = np.concatenate(
        [
            np.concatenate([vid[c_head], split.code[split.heads]])[order],
            np.concatenate([vid[c_tail], split.code[split.tails]])[order],
            vid[end_v[dangling[snapped]]],
            target_slot,
        ]
    )
    node_xy, inverse = unique_rows_known(end_code, vxy, more_xy)
    return _join_nodes(edges, lengths, source[order], node_xy, inverse, dangles=len(dangle_xy))


def _unmarked_meetings(
    check: seg.SegmentCheck, marked: BoolArray, vline: IntArray
) -> seg.SegmentCheck:
    """The check without what marked lines do among themselves.

    Two marked lines meet only at shared vertices (a pair of them is dropped), and a
    marked line crossing itself is not split (as without the check); repeated vertices
    stay.
    """
    if not marked.any():
        return check

    def unmarked(pairs: IntArray) -> IntArray:
        return pairs[~(marked[pairs[:, 0]] & marked[pairs[:, 1]])]

    return seg.SegmentCheck(
        unmarked(check.pairs),
        check.self_lines[~marked[check.self_lines]],
        check.repeated,
        check.crossings[~(marked[vline[check.crossings]].all(axis=1))],
        unmarked(check.unsure),
    )


def _pairs_only_crossing(
    coords: FloatArray, vline: IntArray, check: seg.SegmentCheck, n_lines: int
) -> tuple[BoolArray, IntArray, FloatArray]:
    """Which flagged pairs of lines only cross, and the cut points of those.

    Two lines whose every flagged pair of segments certainly crosses at one point inside
    both meet there and at their shared vertices, nowhere else. GEOS's overlay of the
    two finds each crossing with the arithmetic :func:`.crossings.crossing_points`
    repeats, so the points are the same. A pair is left to GEOS when a segment crosses
    the other line more than once (the overlay then cuts one segment twice, and may snap),
    when GEOS would move a point (parallel lines, a point outside a segment's box),
    when a line meets itself or repeats a vertex, or where this machine's GEOS does not
    compute crossings this way (:func:`.crossings.agrees_with_geos`).

    Returns
    -------
    only_cross : numpy.ndarray of bool
        Per row of ``check.pairs``.
    cut_line, cut_xy : numpy.ndarray
        The line and coordinates of each cut point (each crossing once for each line).
    """
    pairs = check.pairs
    only_cross = np.zeros(len(pairs), dtype=bool)
    if len(check.crossings) == 0 or not crossings.agrees_with_geos():
        return only_cross, np.zeros(0, dtype=np.int64), _NO_XY
    seg_a, seg_b = check.crossings[:, 0], check.crossings[:, 1]
    line_a, line_b = vline[seg_a], vline[seg_b]
    swap = line_a > line_b
    seg_a, seg_b = np.where(swap, seg_b, seg_a), np.where(swap, seg_a, seg_b)
    line_a, line_b = np.minimum(line_a, line_b), np.maximum(line_a, line_b)
    key = pairs[:, 0] * n_lines + pairs[:, 1]  # ascending: the pairs are sorted rows
    at = np.searchsorted(key, line_a * n_lines + line_b)  # each crossing's pair
    only_cross[at] = True
    unsure = check.unsure[:, 0] * n_lines + check.unsure[:, 1]
    only_cross[np.searchsorted(key, unsure)] = False
    alone = np.zeros(n_lines, dtype=bool)  # lines that meet themselves or repeat a vertex
    alone[check.self_lines] = True
    alone[check.repeated] = True
    only_cross &= ~alone[pairs[:, 0]] & ~alone[pairs[:, 1]]
    # a segment crossing the other line twice (segments are named by their first
    # coordinate, so a segment and a line make one key)
    only_cross[at[_not_unique(seg_a * n_lines + line_b)]] = False
    only_cross[at[_not_unique(seg_b * n_lines + line_a)]] = False
    xy, found = crossings.crossing_points(
        coords[seg_a], coords[seg_a + 1], coords[seg_b], coords[seg_b + 1]
    )
    only_cross[at[~found]] = False
    use = only_cross[at]
    return (
        only_cross,
        np.concatenate([line_a[use], line_b[use]]),
        np.concatenate([xy[use], xy[use]]),
    )


def _not_unique(key: IntArray) -> BoolArray:
    """Whether each key occurs more than once."""
    return pd.Series(key).duplicated(keep=False).to_numpy()


# --- shared steps ---------------------------------------------------------------------


def _empty() -> Noded:
    empty_i = np.zeros(0, dtype=np.int64)
    edges = EdgeLines.of(np.zeros(0, dtype=object))
    return Noded(edges, np.zeros(0), empty_i, empty_i, empty_i, np.zeros((0, 2)))


def _end_xy(lines: GeomArray) -> FloatArray:
    """First then last coordinates of every line, ``(2 n, 2)``."""
    return shapely.get_coordinates(
        np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    )


def _closed(end_xy: FloatArray) -> BoolArray:
    n = len(end_xy) // 2
    return np.all(end_xy[:n] == end_xy[n:], axis=1)


def _crossings(lines: GeomArray, left: IntArray, right: IntArray) -> tuple[IntArray, FloatArray]:
    """Cut points of pairs of lines (``left < right``): every coordinate they share."""
    xy, which = shapely.get_coordinates(
        shapely.intersection(lines[left], lines[right]), return_index=True
    )
    return np.concatenate([left[which], right[which]]), np.concatenate([xy, xy])


def _snap_targets(
    lines: GeomArray,
    tree: shapely.STRtree,
    ends: GeomArray,
    owner: IntArray,
    snap_m: float,
) -> tuple[IntArray, FloatArray, IntArray]:
    """Where each dangling end snaps: the nearest other line within ``snap_m``.

    Returns the target line and point of each snapped end, and which ends snapped
    (positions into ``ends``).
    """
    none = np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    if snap_m <= 0 or len(ends) == 0:
        return none
    q_pt, q_line = tree.query(ends, predicate="dwithin", distance=snap_m)
    other = q_line != owner[q_pt]
    q_pt, q_line = q_pt[other], q_line[other]
    if len(q_pt) == 0:
        return none
    dist = shapely.distance(ends[q_pt], lines[q_line])
    order = np.lexsort((q_line, dist, q_pt))
    _, first = np.unique(q_pt[order], return_index=True)
    pick = order[first]
    end_id, target_line = q_pt[pick], q_line[pick]
    along = shapely.line_locate_point(lines[target_line], ends[end_id])
    target_xy = shapely.get_coordinates(shapely.line_interpolate_point(lines[target_line], along))
    return target_line, target_xy, end_id


def _join_nodes(
    edges: EdgeLines,
    lengths: FloatArray,
    source: IntArray,
    node_xy: FloatArray,
    inverse: IntArray,
    *,
    dangles: int,
) -> Noded:
    """Node ids of the piece ends: float-noise duplicates and snapped ends merged.

    ``node_xy`` are the distinct coordinates of the ends and ``inverse`` the row of each
    end in it (:func:`unique_rows`): every piece's start, every piece's end, then the
    ``dangles`` dangling ends that snap, then their snap targets.
    """
    m = len(source)
    u, v = inverse[:m], inverse[m : 2 * m]
    dangle, target = inverse[2 * m : 2 * m + dangles], inverse[2 * m + dangles :]
    n = len(node_xy)
    close = np.flatnonzero(seg.close_candidates(node_xy, TOL_M))
    if dangles == 0 and len(close) == 0:
        return _without_empty(edges, lengths, source, u, v, node_xy)

    # Merge nodes: float-noise duplicates, and dangling ends with their snap targets.
    a = b = np.zeros(0, dtype=np.int64)
    if len(close):
        pts = shapely.points(node_xy[close])
        a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=TOL_M)
        a, b = close[a], close[b]
    comp, kept, in_pairs = _merged(n, np.r_[a, dangle], np.r_[b, target], u, v)
    new_xy = node_xy[kept]
    node_moved = np.zeros(n, dtype=bool)  # only a merged node can move
    node_moved[in_pairs] = np.any(node_xy[in_pairs] != new_xy[comp[in_pairs]], axis=1)
    moved = np.flatnonzero(node_moved[u] | node_moved[v])
    u, v = comp[u], comp[v]
    n_comp = len(kept)
    if len(moved):
        coords, which = shapely.get_coordinates(edges.make_some(moved), return_index=True)
        head = np.ones(len(which), dtype=bool)
        head[1:] = which[1:] != which[:-1]
        tail = np.ones(len(which), dtype=bool)
        tail[:-1] = head[1:]
        coords[head] = new_xy[u[moved]]
        coords[tail] = new_xy[v[moved]]
        pieces = shapely.linestrings(coords, indices=which)
        edges = edges.replace(moved, pieces)
        lengths = lengths.copy()
        lengths[moved] = shapely.length(pieces)
        log.debug("moved the ends of %d road pieces onto snapped nodes", len(moved))
    log.debug("noded %d pieces into %d nodes", m, n_comp)
    return _without_empty(edges, lengths, source, u, v, new_xy)


def _merged(
    n: int, a: IntArray, b: IntArray, u: IntArray, v: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Nodes merged along the pairs ``(a, b)``, as connected components of the pairs.

    Returns each node's new id, the node whose coordinates each new node keeps, and the
    nodes in some pair (sorted). New ids count the groups in order of their lowest node,
    as :func:`scipy.sparse.csgraph.connected_components` labels them; a group keeps the
    coordinates of its best-connected member (the most edge ends in ``u`` and ``v``, the
    lowest node on ties). Only the nodes in pairs are grouped (components, sorts), so
    that work grows with them; renumbering and degrees are a few passes over ``n`` nodes
    and the edges.
    """
    in_pairs, local = np.unique(np.r_[a, b], return_inverse=True)
    k = len(a)
    pairs = sparse.coo_array(
        (np.ones(k, dtype=bool), (local[:k], local[k:])), shape=(len(in_pairs), len(in_pairs))
    )
    _, group = connected_components(pairs, directed=False)
    _, first = np.unique(group, return_index=True)  # groups come in order of their lowest
    lowest = in_pairs[first]
    root = np.arange(n)
    root[in_pairs] = lowest[group]
    is_root = root == np.arange(n)
    comp = (np.cumsum(is_root) - 1)[root]
    kept = np.flatnonzero(is_root)
    degree = np.bincount(u, minlength=n)[in_pairs] + np.bincount(v, minlength=n)[in_pairs]
    order = np.lexsort((in_pairs, -degree, group))
    best = order[np.r_[True, group[order][1:] != group[order][:-1]]] if len(order) else order
    kept[comp[lowest]] = in_pairs[best]
    return comp, kept, in_pairs


def _without_empty(
    edges: EdgeLines,
    lengths: FloatArray,
    source: IntArray,
    u: IntArray,
    v: IntArray,
    nodes: FloatArray,
) -> Noded:
    """The edges of positive length (a piece whose two ends were merged has none)."""
    keep = lengths > 0
    if keep.all():
        return Noded(edges, lengths, source, u, v, nodes)
    return Noded(edges.take(keep), lengths[keep], source[keep], u[keep], v[keep], nodes)
