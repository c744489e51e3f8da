"""Type aliases of the numpy arrays the engine's array routines pass (noding, graphs)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "FloatArray", "GeomArray", "IntArray"]

#: Ids, positions and counts.
IntArray = npt.NDArray[np.int64]
#: Coordinates, lengths and distances.
FloatArray = npt.NDArray[np.float64]
#: Masks.
BoolArray = npt.NDArray[np.bool_]
#: Shapely geometries in an object array.
GeomArray = npt.NDArray[np.object_]
