"""Geometry work cut into parts that run on threads (GEOS and PROJ run unlocked).

Shapely calls GEOS and pyproj calls PROJ without holding Python's lock, so one large
array of geometries (a year of daily control maps) cut into contiguous parts is
simplified, densified or projected on several cores at once. Small inputs stay on the
calling thread: starting threads costs more than it saves there.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["THREADED_FROM_COORDINATES", "in_parts", "parts_of"]

#: Inputs with fewer coordinates than this run on the calling thread.
THREADED_FROM_COORDINATES = 1_000_000

GeomArray = npt.NDArray[np.object_]


def parts_of(coordinates: int, threads: int) -> int:
    """How many parts ``coordinates`` are cut into for ``threads`` threads (at least 1).

    Examples
    --------
    >>> parts_of(10, 2), parts_of(5_000_000, 2), parts_of(5_000_000, 1)
    (1, 2, 1)
    """
    if threads <= 1 or coordinates < THREADED_FROM_COORDINATES:
        return 1
    return int(threads)


def in_parts(func: Callable[[GeomArray], GeomArray], geoms: GeomArray, threads: int) -> GeomArray:
    """``func(geoms)``, computed on contiguous parts on up to ``threads`` threads.

    ``func`` maps an array of geometries to an array of the same length, element by
    element (``shapely.simplify``, say), so the parts put back together in order are
    its answer on the whole array.

    Examples
    --------
    >>> geoms = np.array([shapely.box(0, 0, 1, 1)] * 3, dtype=object)
    >>> in_parts(shapely.area, geoms, threads=2).tolist()
    [1.0, 1.0, 1.0]
    """
    geoms = np.asarray(geoms, dtype=object)
    parts = min(len(geoms), parts_of(int(shapely.get_num_coordinates(geoms).sum()), threads))
    if parts <= 1:
        return func(geoms)
    with ThreadPoolExecutor(parts, thread_name_prefix="geoaccess-parts") as pool:
        return np.concatenate(list(pool.map(func, np.array_split(geoms, parts))))
