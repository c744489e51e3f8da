"""Calendar days and half-open validity intervals ``[valid_from, valid_to)``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TypeAlias

import numpy as np
import pandas as pd

__all__ = ["DateLike", "TEMPORAL_COLUMNS", "as_date", "change_dates", "is_blank", "valid_mask"]

DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64

#: Columns that bound the validity of any row.
TEMPORAL_COLUMNS: tuple[str, str] = ("valid_from", "valid_to")


def as_date(value: DateLike, *, name: str = "date") -> dt.date:
    """Parse an ISO ``YYYY-MM-DD`` string, date or timestamp into a calendar day.

    Examples
    --------
    >>> as_date("2016-07-17")
    datetime.date(2016, 7, 17)
    """
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            msg = f"{name} is missing"
            raise ValueError(msg)
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    msg = f"{name} must be an ISO date YYYY-MM-DD; got {value!r}"
    raise ValueError(msg)


#: An ISO 8601 calendar day, optionally followed by a time of day and a UTC offset.
ISO_DAY = re.compile(
    r"\s*\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?\s*"
)


def to_day_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates into ``datetime64`` days, strictly.

    Only ISO ``YYYY-MM-DD`` texts (a time of day after them is allowed and dropped) and
    real date types (``datetime.date``, ``datetime``, pandas and numpy timestamps) are
    dates; anything else (``01/07/2016``, ``July 1, 2016``, ``20160701``, a number) is
    reported as unparseable, never guessed: ``01/07/2016`` could be 1 July or 7 January.

    Returns the parsed series (``NaT`` where empty) and a boolean mask of values that were
    present but could not be parsed.

    Examples
    --------
    >>> parsed, bad = to_day_series(pd.Series(["2016-07-17", "01/07/2016", None]))
    >>> parsed.dt.strftime("%Y-%m-%d").tolist(), bad.tolist()
    (['2016-07-17', nan, nan], [False, True, False])
    """
    raw = values.astype(object)
    days = raw.map(_iso_day)
    empty = raw.map(is_blank)
    parsed = pd.to_datetime(days, errors="coerce", format="%Y-%m-%d")
    # pandas parses 0001-01-01 or 9999-12-31 at a coarser unit; such days do not fit the
    # nanosecond days the layers hold, so they count as unparseable, not as a crash
    lowest, highest = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    parsed = parsed.where(parsed.isna() | ((parsed >= lowest) & (parsed <= highest)))
    parsed = parsed.dt.normalize().astype("datetime64[ns]")
    bad = parsed.isna() & ~empty
    return parsed, bad


def is_blank(value: object) -> bool:
    """Whether a cell is empty: missing (``None``, ``NaN``, ``NaT``, ``NA``) or blank text.

    Examples
    --------
    >>> [is_blank(v) for v in (None, float("nan"), "  ", "x", 0, [1])]
    [True, True, True, False, False, False]
    """
    if isinstance(value, str):
        return not value.strip()
    missing = pd.isna(value)
    return bool(missing) if isinstance(missing, (bool, np.bool_)) else False


def _iso_day(value: object) -> str | None:
    """``YYYY-MM-DD`` of an ISO text or a date type; ``None`` for anything else."""
    if isinstance(value, str):
        return value.strip()[:10] if ISO_DAY.fullmatch(value) else None
    if isinstance(value, (dt.date, np.datetime64)) and not pd.isna(value):
        try:
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        except (ValueError, OverflowError):  # outside the years pandas holds
            return None
    return None


def valid_mask(frame: pd.DataFrame, date: DateLike) -> np.ndarray:
    """Boolean mask of the rows valid on ``date`` (``valid_from`` <= date < ``valid_to``).

    Missing columns or empty values are open-ended.
    """
    day = pd.Timestamp(as_date(date))
    mask = np.ones(len(frame), dtype=bool)
    if "valid_from" in frame:
        mask &= _open_or(frame["valid_from"], np.less_equal, day)
    if "valid_to" in frame:
        mask &= _open_or(frame["valid_to"], np.greater, day)
    return mask


def _open_or(values: pd.Series, compare: np.ufunc, day: pd.Timestamp) -> np.ndarray:
    """``values.isna() | compare(values, day)``.

    In numpy for plain datetime columns (a scenario's: 20-40 times faster than through
    pandas), else through pandas.
    """
    if values.dtype.kind == "M" and not isinstance(values.dtype, pd.DatetimeTZDtype):
        dates = values.to_numpy()
        return np.isnat(dates) | compare(dates, day.to_datetime64())  # type: ignore[no-any-return]
    return (values.isna() | compare(values, day)).to_numpy(dtype=bool)


def change_dates(
    frames: Iterable[pd.DataFrame | None], start: DateLike, end: DateLike
) -> list[dt.date]:
    """Every day in ``[start, end]`` on which some row starts or stops being valid.

    ``start`` itself is always included; the result is sorted and unique.
    """
    first, last = as_date(start, name="start"), as_date(end, name="end")
    if last < first:
        msg = f"end {last} is before start {first}"
        raise ValueError(msg)
    days = {first}
    for frame in frames:
        if frame is None:
            continue
        for column in TEMPORAL_COLUMNS:
            if column in frame:
                for value in frame[column].dropna().unique():
                    day = pd.Timestamp(value).date()
                    if first <= day <= last:
                        days.add(day)
    return sorted(days)
