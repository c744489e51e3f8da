"""A uniform grid of segment boxes: the pairs of segments whose padded boxes overlap.

Segments are boxed (padded by the closeness tolerance), long ones cut into cell-sized
boxes, and the boxes binned into the cells they overlap. Each overlapping pair of boxes
comes once, from the cell holding the corner where they start to overlap; what the pair
does is :mod:`.segment_pairs`'s question. The arithmetic over every box or pair runs in
blocks that stay in the cache (:mod:`.blocks`); the answer does not depend on the block
size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .blocks import blockwise, blockwise_many
from .sorting import sorted_order

#: A grid cell holds few boxes: more pairs than this per box, and the cells are halved
#: (at most ``_MAX_HALVING`` times).
_MAX_PAIRS = 16
_MAX_HALVING = 8

#: The grid's rows are read in parts of about this many rows (:meth:`Grid.parts`), so
#: that the boxes gathered in cell order stay a few megabytes at a time.
_PART = 65_536


@dataclass(frozen=True, eq=False)
class Grid:
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
    def of(cls, x: FloatArray, y: FloatArray, start: IntArray, *, pad: float) -> Grid:
        """The grid of the segments ``start`` (from ``x[start]`` to ``x[start + 1]``).

        Boxes are padded by ``pad``, the closeness tolerance: pairs of segments within it
        of each other share a cell. Cells are twice the median segment, finer where cells
        are crowded, and at least a quarter of the mean segment: cutting segments into
        cells then adds at most four boxes per segment (before any halving), even where
        most segments are tiny (a densified curve beside long roads once made a grid of
        125 million boxes).
        """
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
    def _at(cls, box: _Boxes, size: float) -> Grid:
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

    def parts(self) -> Iterator[Cells]:
        """The rows in parts of whole cells, about :data:`_PART` rows each, boxes gathered."""
        key, box = self.key, self.boxes
        cuts = np.arange(_PART, len(key), _PART)
        # each cut moves back to the first row of its cell: a part holds whole cells
        bounds = np.unique(np.r_[0, np.searchsorted(key, key[cuts]), len(key)])
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            row = self.box_of[lo:hi]
            yield Cells(
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
class Cells:
    """Rows of whole cells of a :class:`Grid`, with their boxes.

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
        # the corner's cell, by the arithmetic that put the boxes in cells (:meth:`Grid._at`)
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
