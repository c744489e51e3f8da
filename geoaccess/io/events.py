"""Shared readers of event tables (ACLED, UCDP GED): columns, labels, numbers, points, dates.

Every problem found is appended to a list of :class:`~geoaccess.errors.Problem` naming
the ``incidents`` layer, the row (the event's own id where the file has one) and the
column, so that a reader reports every bad row at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..temporal import DateLike, as_date

__all__ = [
    "LAYER",
    "WGS84",
    "blank",
    "check_precision",
    "date_window",
    "folded_values",
    "in_values",
    "in_window",
    "load_table",
    "lonlat_points",
    "missing_int",
    "require_columns",
    "row_labels",
    "text_column",
    "whole_numbers",
]

log = logging.getLogger(__name__)

LAYER = "incidents"
WGS84 = "EPSG:4326"
#: Longest row label quoted in a problem (longer event ids are cut).
MAX_LABEL = 64


def load_table(path_or_frame: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame, or the CSV read as text (only empty cells are missing)."""
    if isinstance(path_or_frame, pd.DataFrame):
        table = pd.DataFrame(path_or_frame).copy()
    else:
        path = Path(path_or_frame)
        try:
            table = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
            )
        except (
            OSError,
            UnicodeDecodeError,
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
        ) as error:
            raise ScenarioError(
                [Problem(LAYER, f"cannot read the file: {error}", column="path", value=str(path))]
            ) from None
        if not isinstance(table.index, pd.RangeIndex):  # pandas made extra fields an index
            msg = "some rows have more fields than the header; is a comma unquoted?"
            raise ScenarioError([Problem(LAYER, msg, column="path", value=str(path))])
    table.columns = [str(column).strip() for column in table.columns]
    return table


def require_columns(table: pd.DataFrame, columns: Iterable[str], problems: list[Problem]) -> None:
    """Report each of ``columns`` missing from ``table``."""
    for column in columns:
        if column not in table:
            problems.append(
                Problem(
                    LAYER,
                    f"required column is missing (columns found: "
                    f"{', '.join(map(str, table.columns))})",
                    column=column,
                )
            )


def row_labels(table: pd.DataFrame, id_column: str) -> pd.Series:
    """The id of each row where the file has one, else its index label."""
    labels = pd.Series(table.index.to_numpy(dtype=object), index=table.index, dtype=object)
    if id_column in table:
        ids = text_column(table, id_column)
        # an id is a short code: a runaway cell (a broken file) is cut, not quoted whole
        ids = ids.where(ids.isna() | (ids.str.len() <= MAX_LABEL), ids.str[: MAX_LABEL - 3] + "...")
        labels = ids.astype(object).where(ids.notna(), labels)
    return labels


def text_column(table: pd.DataFrame, column: str) -> pd.Series:
    """A text column with surrounding spaces removed and empty values missing."""
    if column not in table:
        return pd.Series(pd.NA, index=table.index, dtype="str")
    values = table[column].astype("str").str.strip()
    return values.where(table[column].notna() & values.ne(""))


def missing_int(index: pd.Index) -> pd.Series:
    """An all-missing ``Int64`` column on ``index``."""
    return pd.Series(pd.NA, index=index, dtype="Int64")


def blank(values: pd.Series) -> pd.Series:
    """Mask of missing or all-space cells."""
    return values.isna() | values.astype("str").str.strip().eq("")


def whole_numbers(
    table: pd.DataFrame,
    column: str,
    rows: pd.Series,
    problems: list[Problem],
    *,
    allowed: tuple[int, ...] | None = None,
) -> pd.Series:
    """A column of whole numbers >= 0 (``Int64``, missing where empty); bad ones reported."""
    raw = table[column]
    empty = blank(raw)
    numbers = pd.to_numeric(raw.where(~empty).astype(object), errors="coerce")
    numbers = numbers.astype("float64")
    # below 2**53: a float holds every whole number up to there, and Int64 takes it
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers >= 0)
    whole &= numbers < 2**53
    if allowed is not None:
        whole &= numbers.isin(allowed)
    bad = (~empty & ~whole).to_numpy()
    what = (
        f"must be one of {', '.join(map(str, allowed))}"
        if allowed is not None
        else "must be a whole number >= 0"
    )
    for row, found in zip(rows[bad], raw[bad], strict=True):
        problems.append(Problem(LAYER, what, row, column, found))
    return numbers.where(whole).astype("Int64")


def lonlat_points(table: pd.DataFrame, rows: pd.Series, problems: list[Problem]) -> gpd.GeoSeries:
    """Points from ``longitude``/``latitude``; empty, non-numeric or out-of-range reported."""
    coords = {}
    for column, limit in (("longitude", 180.0), ("latitude", 90.0)):
        raw = table[column]
        empty = blank(raw)
        values = pd.to_numeric(raw.where(~empty).astype(object), errors="coerce")
        values = values.astype("float64")
        finite = np.isfinite(values.to_numpy())
        for mask, message in (
            (empty.to_numpy(), "coordinate is missing"),
            (~empty.to_numpy() & ~finite, "coordinate must be a number"),
            (
                finite & (values.abs() > limit).to_numpy(),
                f"coordinate out of range [-{limit:g}, {limit:g}] (lon/lat in degrees, "
                "WGS84; are longitude and latitude swapped?)",
            ),
        ):
            for row, found in zip(rows[mask], raw[mask], strict=True):
                problems.append(Problem(LAYER, message, row, column, found))
        coords[column] = values
    return gpd.GeoSeries(
        gpd.points_from_xy(coords["longitude"], coords["latitude"]), index=table.index, crs=WGS84
    )


def folded_values(option: str | Iterable[str] | None) -> set[str] | None:
    """The chosen values of a filter, case-folded (``None``: no filter)."""
    if option is None:
        return None
    items = [option] if isinstance(option, str) else list(option)
    return {str(item).strip().casefold() for item in items}


def in_values(column: pd.Series, option: str | Iterable[str] | None, name: str) -> np.ndarray:
    """Mask of rows whose value is one of ``option`` (all rows when it is ``None``)."""
    wanted = folded_values(option)
    if wanted is None:
        return np.ones(len(column), dtype=bool)
    folded = column.str.casefold()
    unknown = sorted(wanted - set(folded.dropna()))
    if unknown:
        log.warning(
            "%s: no row has %s; values present: %s",
            name,
            ", ".join(unknown),
            ", ".join(sorted(column.dropna().unique())),
        )
    return folded.isin(wanted).to_numpy(dtype=bool)


def check_precision(name: str, value: int | None, allowed: tuple[int, ...]) -> None:
    """Refuse a precision code that is not one of ``allowed``."""
    if value is not None and (isinstance(value, bool) or value not in allowed):
        msg = f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}"
        raise ValueError(msg)


def date_window(
    start: DateLike | None, end: DateLike | None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``start`` and ``end`` as days (``None`` when open); ``end`` before ``start`` fails."""
    first = None if start is None else pd.Timestamp(as_date(start, name="start"))
    last = None if end is None else pd.Timestamp(as_date(end, name="end"))
    if first is not None and last is not None and last < first:
        msg = f"end {last.date()} is before start {first.date()}"
        raise ValueError(msg)
    return first, last


def in_window(
    valid_from: pd.Series,
    last_day: pd.Series,
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
) -> np.ndarray:
    """Mask of rows whose days ``[valid_from, last_day]`` overlap ``[first, last]``."""
    keep = np.ones(len(valid_from), dtype=bool)
    if first is not None:
        keep &= (last_day >= first).fillna(False).to_numpy(dtype=bool)
    if last is not None:
        keep &= (valid_from <= last).fillna(False).to_numpy(dtype=bool)
    return keep
