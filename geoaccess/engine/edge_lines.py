"""Graph edges as LineStrings made on first use.

Noding (:mod:`.noding`) ends with most edges still coordinates: a street grid's hundreds
of thousands of pieces need no LineString until something asks for its geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .arrays import BoolArray, FloatArray, GeomArray, IntArray


@dataclass(frozen=True, eq=False)
class EdgeLines:
    """The LineString of each edge, made on first use.

    Attributes
    ----------
    made : numpy.ndarray of object
        One entry per edge: its LineString, or ``None`` while it is still coordinates.
    xy : numpy.ndarray
        ``(k, 2)`` coordinates of the edges not made yet, each edge's rows in order.
    edge : numpy.ndarray of int
        The edge of each row of ``xy``; ``-1`` for rows no edge uses any more.
    """

    made: GeomArray
    xy: FloatArray
    edge: IntArray

    @classmethod
    def of(cls, lines: GeomArray) -> EdgeLines:
        """Edges that are all made already."""
        return cls(lines, np.zeros((0, 2)), np.zeros(0, dtype=np.int64))

    def make(self) -> GeomArray:
        """Every edge's LineString (a new array)."""
        out = self.made.copy()
        used = self.edge >= 0
        if used.any():
            rows = np.flatnonzero(used)
            edge = self.edge[rows]
            in_place = len(rows) == len(self.xy)  # every row, in order
            if np.any(edge[1:] < edge[:-1]):
                order = np.argsort(edge, kind="stable")
                rows, edge = rows[order], edge[order]
                in_place = False
            xy = self.xy if in_place else self.xy[rows]
            first = np.r_[True, edge[1:] != edge[:-1]]
            out[edge[first]] = shapely.linestrings(xy, indices=np.cumsum(first) - 1)
        return out

    def make_some(self, ids: IntArray) -> GeomArray:
        """The LineStrings of the edges ``ids`` (sorted, unique)."""
        out = self.made[ids].copy()
        pending = np.zeros(len(self.made) + 1, dtype=bool)  # the last slot: edge -1
        pending[self.edge] = True
        todo = ids[pending[ids]]
        if len(todo):
            wanted = np.zeros(len(self.made) + 1, dtype=bool)
            wanted[todo] = True
            rows = np.flatnonzero(wanted[self.edge])
            rows = rows[np.argsort(self.edge[rows], kind="stable")]
            made = shapely.linestrings(
                self.xy[rows], indices=np.searchsorted(todo, self.edge[rows])
            )
            out[pending[ids]] = made
        return out

    def replace(self, ids: IntArray, lines: GeomArray) -> EdgeLines:
        """These edges (sorted, unique) made with new LineStrings."""
        made = self.made.copy()
        made[ids] = lines
        replaced = np.zeros(len(made) + 1, dtype=bool)  # the last slot: edge -1
        replaced[ids] = True
        return EdgeLines(made, self.xy, np.where(replaced[self.edge], -1, self.edge))

    def take(self, keep: BoolArray) -> EdgeLines:
        """The edges where ``keep`` is true, numbered anew."""
        if keep.all():
            return self
        new_id = np.where(keep, np.cumsum(keep) - 1, -1)
        return EdgeLines(self.made[keep], self.xy, self._renumber(new_id))

    def then(self, other: EdgeLines) -> EdgeLines:
        """These edges followed by ``other``'s."""
        shifted = np.where(other.edge >= 0, other.edge + len(self.made), -1)
        return EdgeLines(
            np.concatenate([self.made, other.made]),
            np.concatenate([self.xy, other.xy]),
            np.concatenate([self.edge, shifted]),
        )

    def reorder(self, order: IntArray) -> EdgeLines:
        """Edge ``i`` becomes the old edge ``order[i]``."""
        new_id = np.empty(len(order), dtype=np.int64)
        new_id[order] = np.arange(len(order))
        return EdgeLines(self.made[order], self.xy, self._renumber(new_id))

    def _renumber(self, new_id: IntArray) -> IntArray:
        return np.where(self.edge >= 0, new_id[np.maximum(self.edge, 0)], -1)
