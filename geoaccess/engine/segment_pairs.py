"""What two segments do: meet at one shared end only, certainly cross, or anything else.

Orientation tests whose floating-point error is bounded (Shewchuk, "Adaptive precision
floating-point arithmetic", 1997): a pair is called clean only when the sign is certain,
so a clean pair truly meets at most at one shared end, and anything uncertain is flagged
for GEOS. A flagged pair whose segments certainly cross at one point inside both, with
every end farther than the closeness tolerance from the other's line, is named a
crossing: the noding computes that point itself (:mod:`.crossings`). Which pairs are
asked is :mod:`.segment_grid`'s work; :mod:`.segments` puts the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from .arrays import BoolArray, FloatArray, IntArray
from .blocks import blockwise

#: Relative error bound of an orientation determinant, 30 times Shewchuk's
#: ``ccwerrboundA`` (3.3e-16): a determinant smaller than this is "maybe zero".
_ORIENT_ERR = 1e-14

#: Segments closer than this (relative to the largest coordinate) without sharing a
#: vertex count as meeting: GEOS overlays fall back to snapping, at tolerances of up to
#: 1e-8 of the coordinates' magnitude, when floating-point noding is not robust enough.
NEAR = 1e-8

#: What a pair of segments does (:meth:`Ends.classify`): meets at most at one shared
#: end, certainly crosses at one point inside both, or anything else (or too close to tell).
CLEAN, UNSURE, CROSSING = 0, 1, 2


def _orient(
    ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray, cx: FloatArray, cy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Orientation of ``c`` against the line ``a -> b``, and its error bound."""
    left = (ax - cx) * (by - cy)
    right = (ay - cy) * (bx - cx)
    return left - right, _ORIENT_ERR * (np.abs(left) + np.abs(right))


@dataclass(frozen=True, eq=False)
class Ends:
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
