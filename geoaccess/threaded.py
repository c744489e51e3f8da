"""Geometry work cut into parts that run on threads (GEOS and PROJ run unlocked).

Shapely calls GEOS and pyproj calls PROJ without holding Python's lock, so one large
array of geometries (a year of daily control maps) cut into contiguous parts is
simplified or densified (:func:`in_parts`), and its coordinates projected
(:func:`in_slices`), on several cores at once. Small inputs stay on the
calling thread: starting threads costs more than it saves there.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["THREADED_FROM_COORDINATES", "in_parts", "in_slices", "parts_of"]

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


def in_slices(func: Callable[[slice], object], length: int, threads: int) -> None:
    """``func(part)`` for contiguous slices covering ``range(length)``, on threads.

    For work done in place on arrays of ``length`` coordinates (PROJ writing into views
    of them, say): up to ``threads`` slices for a million coordinates or more, else one.

    Examples
    --------
    >>> out = np.zeros(4)
    >>> in_slices(lambda part: out.__setitem__(part, 1.0), len(out), threads=2)
    >>> out.tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    parts = parts_of(length, threads)
    cuts = np.linspace(0, length, parts + 1).astype(int)
    slices = [slice(cuts[k], cuts[k + 1]) for k in range(parts)]
    if parts == 1:
        func(slices[0])
        return
    with ThreadPoolExecutor(parts, thread_name_prefix="geoaccess-parts") as pool:
        list(pool.map(func, slices))
