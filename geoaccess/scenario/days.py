"""Validity intervals as integer days, and how to say them in a message."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["span_text", "valid_days"]


def valid_days(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Validity of each row as integer days ``[start, end)``, open ends at the int64 limits."""
    out = []
    for column, fill in (
        ("valid_from", np.iinfo(np.int64).min),
        ("valid_to", np.iinfo(np.int64).max),
    ):
        values = np.full(len(frame), fill, dtype=np.int64)
        if column in frame and pd.api.types.is_datetime64_any_dtype(frame[column]):
            days = frame[column].to_numpy("datetime64[D]")
            known = ~np.isnat(days)
            values[known] = days[known].astype(np.int64)
        out.append(values)
    return out[0], out[1]


def span_text(start: int, end: int) -> str:
    """``from 2016-07-17 to 2016-08-06`` (end exclusive), with open ends."""

    def day(value: int) -> str:
        return str(np.datetime64(int(value), "D"))

    open_start, open_end = start == np.iinfo(np.int64).min, end == np.iinfo(np.int64).max
    if open_start and open_end:
        return "on every date"
    if open_start:
        return f"before {day(end)}"
    if open_end:
        return f"from {day(start)} on"
    return f"from {day(start)} until {day(end)} (exclusive)"
