"""Elementwise numpy steps over many entries, run in blocks that stay in the cache.

On a million segments, whole-array passes spent their time in memory traffic and in
page faults for fresh temporaries. A block's temporaries (125 kB of floats) stay in the
processor's cache and below glibc's threshold for mapping fresh memory, which made the
segment check's steps 3 to 4 times faster and the crossings a third faster. The answer
never depends on the block size: every step is elementwise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["BLOCK", "blockwise", "blockwise_many"]

#: Entries per block.
BLOCK = 16_000


def blockwise(n: int, dtype: type, of_block: Callable[[slice], npt.NDArray]) -> npt.NDArray:
    """``of_block(block)`` for consecutive blocks of ``range(n)``, joined into one array."""
    return blockwise_many(n, (dtype,), lambda block: (of_block(block),))[0]


def blockwise_many(
    n: int, dtypes: tuple[type, ...], of_block: Callable[[slice], tuple[npt.NDArray, ...]]
) -> tuple[npt.NDArray, ...]:
    """:func:`blockwise` of an ``of_block`` giving one array per dtype."""
    out: tuple[npt.NDArray, ...] = tuple(np.empty(n, dtype=dtype) for dtype in dtypes)
    for lo in range(0, n, BLOCK):
        block = slice(lo, min(lo + BLOCK, n))
        for whole, piece in zip(out, of_block(block), strict=True):
            whole[block] = piece
    return out
