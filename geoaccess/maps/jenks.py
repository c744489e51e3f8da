"""Fisher-Jenks natural breaks in numpy: the same classes as mapclassify, in a second.

mapclassify's ``FisherJenks`` runs its dynamic programme in pure Python unless numba is
installed: about 4.5 minutes for 10,000 areas. :func:`natural_breaks` runs the same
programme (the same recurrence, the same tie rule) with its inner minimum vectorised over
blocks of rows, in float64 on centred values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["natural_breaks"]

#: Cells of one block of the (row, split) cost matrix held at once.
_BLOCK_CELLS = 2_000_000


def natural_breaks(values: Sequence[float] | np.ndarray, k: int) -> list[float]:
    """Upper bounds of the ``k`` Fisher-Jenks classes of ``values`` (no missing values).

    The classes minimise the sum of squared deviations from the class means. The
    recurrence and its tie rule (the earliest split wins) are mapclassify's
    ``_fisher_jenks_means``, so the breaks are the same as ``mapclassify.FisherJenks``
    (whose float32 sums may pick another of two splits of equal cost within rounding).

    Parameters
    ----------
    values : sequence of float
        At least ``k`` distinct values, none missing.
    k : int
        Number of classes, at least 1.

    Returns
    -------
    list of float
        The largest value of each class, ascending; the last is the maximum.

    Examples
    --------
    >>> natural_breaks([1, 2, 3, 10, 11, 12, 30], 3)
    [3.0, 12.0, 30.0]
    >>> natural_breaks([5, 5, 5], 1)
    [5.0]
    """
    x = np.sort(np.asarray(values, dtype="float64"))
    n = len(x)
    distinct = len(np.unique(x))
    if k < 1 or distinct < k:
        msg = f"natural_breaks needs 1 <= k <= distinct values; got k={k} for {distinct}"
        raise ValueError(msg)
    centred = x - x.mean()
    s1 = np.concatenate([[0.0], np.cumsum(centred)])
    s2 = np.concatenate([[0.0], np.cumsum(centred * centred)])
    # best[b]: least cost of x[0..b] in j classes; split[j][b]: first index of its last class
    best = s2[1:] - s1[1:] ** 2 / np.arange(1, n + 1)
    splits: list[np.ndarray] = []
    starts = np.arange(1, n)  # a: first index of the last class (the classes before: x[:a])
    rows = max(1, _BLOCK_CELLS // max(n, 1))
    for _ in range(2, k + 1):
        new_best = np.zeros(n)
        split = np.zeros(n, dtype=np.int64)
        for b0 in range(1, n, rows):
            b = np.arange(b0, min(n, b0 + rows))
            # the earliest best split never moves left as b grows (the cost is Monge)
            a = starts[max(int(split[b0 - 1]), 1) - 1 : b[-1]]
            width = (b[:, None] + 1 - a[None, :]).astype("float64")
            with np.errstate(divide="ignore", invalid="ignore"):
                seg = (s2[b + 1][:, None] - s2[a][None, :]) - (
                    s1[b + 1][:, None] - s1[a][None, :]
                ) ** 2 / width
            cost = best[a - 1][None, :] + seg
            cost[a[None, :] > b[:, None]] = np.inf
            pick = np.argmin(cost, axis=1)
            new_best[b] = cost[np.arange(len(b)), pick]
            split[b] = a[pick]
        splits.append(split)
        best = new_best
    bounds = [float(x[-1])]
    end = n - 1
    for split in reversed(splits):
        first = int(split[end])
        bounds.append(float(x[first - 1]))
        end = first - 1
    return bounds[::-1]
