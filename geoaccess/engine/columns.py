"""Columns in and out of frames: added in one step, read as objects or taken as stored.

Values read out of a frame are objects with ``None`` for missing; columns of pandas' own
text are taken as stored when another frame is built from them (:func:`is_text`).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["INFERRED_TEXT", "frame_values", "is_text", "object_values", "with_columns"]

FrameT = TypeVar("FrameT", bound=pd.DataFrame)

#: What pandas makes of text given as Python objects: ``str`` (pyarrow) in pandas 3,
#: ``object`` before.
INFERRED_TEXT = pd.DataFrame({"text": np.array(["a", np.nan], dtype=object)})["text"].dtype


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
    out = pd.concat([kept, added], axis=1)
    if replaced:  # where they were, as assign leaves them
        out = out[[*frame.columns, *(c for c in columns if c not in frame.columns)]]
    return out  # type: ignore[return-value]


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


def is_text(column: pd.Series) -> bool:
    """Whether a column holds text as pandas stores text given as Python objects.

    Such a column's ``.array`` builds another frame with the same values and type as
    its values read out as objects would, without converting every value out and back
    in (pyarrow text in pandas 3; never true before, where text is ``object``).

    Examples
    --------
    >>> ids = pd.DataFrame({"area_id": np.array(["N0204", None], dtype=object)})["area_id"]
    >>> again = pd.DataFrame({"area_id": ids.array if is_text(ids) else ids.to_numpy()})
    >>> again["area_id"].dtype == ids.dtype, is_text(pd.Series([3, 4]))
    (True, False)
    """
    return isinstance(INFERRED_TEXT, pd.StringDtype) and column.dtype == INFERRED_TEXT


def frame_values(
    column: pd.Series, *, none_for_missing: bool = False
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A column's values to build another frame with: objects, or text as pandas stores it.

    Pandas' own text (:func:`is_text`) is taken as it is stored; the new frame gets
    the same values and types either way. ``none_for_missing``: objects are read as
    :func:`object_values` reads them (``None`` for missing), else as
    ``column.to_numpy(dtype=object)``.

    Examples
    --------
    >>> frame_values(pd.Series([3, None], dtype=object), none_for_missing=True).tolist()
    [3, None]
    """
    if is_text(column):
        return column.array
    return object_values(column) if none_for_missing else column.to_numpy(dtype=object)
