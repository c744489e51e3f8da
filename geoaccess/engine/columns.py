"""Columns in and out of frames: added in one step, read as objects with ``None`` for missing."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["object_values", "with_columns"]

FrameT = TypeVar("FrameT", bound=pd.DataFrame)


def with_columns(frame: FrameT, **columns: Any) -> FrameT:
    """``frame`` with ``columns`` added or replaced, as one concatenation.

    The same result as ``frame.assign(**columns)`` for arrays of ``len(frame)`` values
    (a GeoDataFrame stays one, with its geometry and CRS), several times faster on a
    GeoDataFrame, where ``assign`` sets the columns one by one.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> pts = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs=32637)
    >>> out = with_columns(pts, a=[3, 4], b=[True, False])
    >>> out[["a", "b"]].to_dict("list"), out.crs.to_epsg(), pts["a"].tolist()
    ({'a': [3, 4], 'b': [True, False]}, 32637, [1, 2])
    """
    replaced = [c for c in columns if c in frame.columns]
    kept = frame.drop(columns=replaced) if replaced else frame
    added = pd.DataFrame(columns, index=frame.index)
    return pd.concat([kept, added], axis=1)  # type: ignore[return-value]


def object_values(column: pd.Series) -> np.ndarray:
    """A column's values as Python objects, ``None`` where missing (a new array).

    What ``column.astype(object).where(column.notna(), None)`` gives, read in numpy
    (several times faster on the short columns read for every date).

    Examples
    --------
    >>> object_values(pd.Series(["a", None, "c"])).tolist()
    ['a', None, 'c']
    """
    values = column.to_numpy(dtype=object).copy()
    values[pd.isna(values)] = None
    return values
