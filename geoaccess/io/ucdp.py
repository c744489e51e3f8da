"""UCDP Georeferenced Event Dataset (GED) CSVs as the incidents layer.

UCDP GED dates an event by ``date_start`` and ``date_end`` (the event happened on some
day between them). Some extracts keep only the ``year``. geoaccess never invents a day:
an event known only by its year is kept as the interval ``[1 January, 1 January of the
next year)`` with an empty ``date``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..temporal import DateLike
from .events import (
    LAYER,
    WGS84,
    blank,
    check_precision,
    date_window,
    in_values,
    in_window,
    load_table,
    lonlat_points,
    missing_int,
    require_columns,
    row_labels,
    text_column,
    whole_numbers,
)

__all__ = ["UCDP_KINDS", "read_ucdp_ged"]

log = logging.getLogger(__name__)

#: ``type_of_violence`` codes of UCDP and the ``kind`` each becomes.
UCDP_KINDS: dict[int, str] = {1: "state-based", 2: "non-state", 3: "one-sided"}
#: ``where_prec`` codes: 1 exact place ... 7 international waters or airspace.
WHERE_PRECISIONS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
#: Death counts of the parties, civilians and unknown; their sum is UCDP's ``best``.
DEATH_PARTS: tuple[str, ...] = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
#: Extra columns kept when present (``side_b`` is renamed ``actor2``, ``id`` ``event_id``).
KEPT: tuple[str, ...] = (
    "dyad_name",
    "country",
    "adm_1",
    "adm_2",
    "where_coordinates",
    "where_description",
)
ONE_DAY = pd.Timedelta(days=1)
#: Plausible years of an event (UCDP GED starts in 1989).
YEARS: tuple[int, int] = (1900, 2100)


def read_ucdp_ged(
    path_or_frame: str | Path | pd.DataFrame,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    country: str | Iterable[str] | None = None,
    max_where_prec: int | None = None,
) -> gpd.GeoDataFrame:
    """Read a UCDP GED CSV into the incidents layer (points in EPSG:4326).

    Parameters
    ----------
    path_or_frame : str, Path or DataFrame
        A GED CSV (the full release or an extract) or a frame of its columns. Needed:
        ``latitude``, ``longitude`` and either ``date_start`` or ``year``.
    start, end : date-like, optional
        Keep events whose interval ``[valid_from, valid_to)`` overlaps the days from
        ``start`` to ``end`` (both inclusive): an event known only as "2016" is kept for
        a window in July 2016, because it may have happened then.
    country : str or iterable of str, optional
        Keep rows whose ``country`` is one of these (ignoring case).
    max_where_prec : int, optional
        Keep rows whose ``where_prec`` is at most this (1 exact place, 2 within 25 km,
        3 second-order administrative division, 4 first-order division, 5 linear
        feature, 6 country, 7 international waters or airspace).

    Returns
    -------
    GeoDataFrame
        One point per kept event with the input's index and the columns:

        - ``date``: the day when ``date_start`` equals ``date_end``, else ``NaT``;
        - ``valid_from`` / ``valid_to``: ``date_start`` and the day after ``date_end``;
          where only ``year`` is known, 1 January of the year and of the next year;
        - ``date_precision``: ``"day"``, ``"range"`` (start and end differ) or ``"year"``;
        - ``kind``: ``state-based``, ``non-state`` or ``one-sided`` from
          ``type_of_violence``; where the file has no such column it is inferred from the
          sides as UCDP defines the types (``side_b`` "Civilians": one-sided; a side
          named "Government of ...": state-based; else non-state), and ``kind_source``
          says which;
        - ``fatalities``: UCDP's best estimate: ``best``, else ``deaths_total``, else
          the sum of ``deaths_a``, ``deaths_b``, ``deaths_civilians`` and
          ``deaths_unknown`` (never ``deaths_battle``, which some extracts add as
          ``deaths_a + deaths_b`` and would be counted twice);
        - ``actor`` (``side_a``), ``actor2`` (``side_b``), ``source`` (``source_article``
          or "UCDP GED"), ``event_id`` (``id``), ``where_prec``, and ``dyad_name``,
          ``country``, ``adm_1``, ``adm_2``, ``where_coordinates``, ``where_description``
          and the ``deaths_*`` columns when present.

    Raises
    ------
    ScenarioError
        Listing every bad row at once (layer ``incidents``, the row's ``id``, the column
        and the value): missing columns, bad coordinates, years or dates, death counts
        or codes that are not whole numbers in range, ``date_end`` before ``date_start``.
    ValueError
        When a filter option is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> ged = pd.DataFrame({"id": [1, 2], "year": [2016, 2016],
    ...                     "latitude": [36.2, 36.2], "longitude": [37.16, 37.16],
    ...                     "side_a": ["Government of Syria", "IS"],
    ...                     "side_b": ["Syrian insurgents", "Civilians"],
    ...                     "deaths_a": [1, 0], "deaths_b": [2, 0],
    ...                     "deaths_civilians": [0, 4], "deaths_unknown": [0, 0]})
    >>> events = read_ucdp_ged(ged)
    >>> events[["valid_from", "valid_to", "date_precision", "kind", "fatalities"]]
      valid_from   valid_to date_precision         kind  fatalities
    0 2016-01-01 2017-01-01           year  state-based           3
    1 2016-01-01 2017-01-01           year    one-sided           4
    >>> events["date"].isna().all()
    np.True_
    """
    check_precision("max_where_prec", max_where_prec, WHERE_PRECISIONS)
    first, last = date_window(start, end)
    table = load_table(path_or_frame)
    problems: list[Problem] = []
    dated = "date_start" in table
    require_columns(table, ("latitude", "longitude", "date_start" if dated else "year"), problems)
    if not dated and "year" not in table:
        problems[-1] = Problem(LAYER, "needs date_start (and date_end) or year", None, "year")
    if problems:
        raise ScenarioError(problems)
    rows = row_labels(table, "id")
    geometry = lonlat_points(table, rows, problems)
    valid_from, valid_to, date, precision = _intervals(table, rows, problems)
    kind, kind_source = _kinds(table, rows, problems)
    fatalities = _fatalities(table, rows, problems)
    where_prec = (
        whole_numbers(table, "where_prec", rows, problems, allowed=WHERE_PRECISIONS)
        if "where_prec" in table
        else missing_int(table.index)
    )
    deaths = {
        column: whole_numbers(table, column, rows, problems)
        for column in DEATH_PARTS
        if column in table
    }
    if problems:
        raise ScenarioError(problems)

    source = text_column(table, "source_article").fillna("UCDP GED")
    frame = pd.DataFrame(
        {
            "date": date,
            "kind": kind,
            "fatalities": fatalities,
            "actor": text_column(table, "side_a"),
            "source": source,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "date_precision": precision,
            "event_id": text_column(table, "id"),
            "kind_source": kind_source,
            "actor2": text_column(table, "side_b"),
            "where_prec": where_prec,
            **{column: text_column(table, column) for column in KEPT if column in table},
            **deaths,
        },
        index=table.index,
    )
    keep = in_window(frame["valid_from"], frame["valid_to"] - ONE_DAY, first, last)
    if country is not None:
        if "country" not in frame:
            raise ScenarioError(
                [
                    Problem(
                        LAYER,
                        "cannot filter by country: the file has no country column",
                        column="country",
                    )
                ]
            )
        keep &= in_values(frame["country"], country, "country")
    if max_where_prec is not None:
        keep &= (frame["where_prec"] <= max_where_prec).fillna(False).to_numpy(dtype=bool)
    log.info("UCDP GED: %d of %d events kept", int(keep.sum()), len(frame))
    return gpd.GeoDataFrame(frame[keep], geometry=geometry[keep], crs=WGS84)


def _iso_days(
    table: pd.DataFrame, column: str, rows: pd.Series, problems: list[Problem]
) -> pd.Series:
    """ISO days (a time of day is dropped); empty cells missing, bad ones reported."""
    raw = table[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.dt.normalize().astype("datetime64[ns]")
    empty = blank(raw)
    text = raw.astype("str").str.strip().where(~empty)
    days = pd.to_datetime(text, format="ISO8601", errors="coerce")
    bad = (days.isna() & ~empty).to_numpy()
    for row, found in zip(rows[bad], raw[bad], strict=True):
        problems.append(Problem(LAYER, "unparseable date; use YYYY-MM-DD", row, column, found))
    return days.dt.normalize().astype("datetime64[ns]")


def _intervals(
    table: pd.DataFrame, rows: pd.Series, problems: list[Problem]
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """``valid_from``, ``valid_to``, ``date`` and ``date_precision`` of every row."""
    index = table.index
    nat = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    begin = _iso_days(table, "date_start", rows, problems) if "date_start" in table else nat
    finish = _iso_days(table, "date_end", rows, problems) if "date_end" in table else nat
    finish = finish.fillna(begin)
    backwards = (finish < begin).to_numpy()
    for row, found in zip(rows[backwards], finish[backwards], strict=True):
        problems.append(
            Problem(LAYER, "date_end is before date_start", row, "date_end", str(found.date()))
        )
    start_blank = (
        blank(table["date_start"]) if "date_start" in table else pd.Series(True, index=index)
    )
    if "year" in table:
        year = whole_numbers(table, "year", rows, problems)
        implausible = (year.notna() & ~year.between(*YEARS)).to_numpy()
        for row, found in zip(rows[implausible], table["year"][implausible], strict=True):
            problems.append(
                Problem(LAYER, f"year out of range {YEARS[0]}-{YEARS[1]}", row, "year", found)
            )
        year = year.where(~implausible)
        january = _january(year, 0)
        next_january = _january(year, 1)
        year_blank = blank(table["year"])
    else:
        january = next_january = nat
        year_blank = pd.Series(True, index=index)
    undated = (start_blank & year_blank).to_numpy()
    for row in rows[undated]:
        problems.append(
            Problem(
                LAYER,
                "the event has neither date_start nor year",
                row,
                "date_start" if "date_start" in table else "year",
            )
        )
    by_day = begin.notna()
    valid_from = begin.where(by_day, january)
    valid_to = (finish + ONE_DAY).where(by_day, next_january)
    single = by_day & (begin == finish)
    date = begin.where(single, nat)
    precision = pd.Series(
        np.where(single, "day", np.where(by_day, "range", "year")), index=index, dtype="str"
    )
    return valid_from, valid_to, date, precision


def _january(year: pd.Series, offset: int) -> pd.Series:
    """1 January of ``year + offset`` (``NaT`` where the year is missing)."""
    parts = pd.DataFrame(
        {"year": year.fillna(2000).astype("int64") + offset, "month": 1, "day": 1}, index=year.index
    )
    return pd.to_datetime(parts).where(year.notna()).astype("datetime64[ns]")


def _kinds(
    table: pd.DataFrame, rows: pd.Series, problems: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    """``kind`` from ``type_of_violence``, or inferred from the sides; and its source."""
    index = table.index
    if "type_of_violence" in table:
        codes = whole_numbers(table, "type_of_violence", rows, problems, allowed=tuple(UCDP_KINDS))
        kind = codes.map(UCDP_KINDS).astype("str")
        missing = codes.isna().to_numpy() & blank(table["type_of_violence"]).to_numpy()
        for row in rows[missing]:
            problems.append(
                Problem(
                    LAYER,
                    "type_of_violence is missing (1 state-based, 2 non-state, 3 one-sided)",
                    row,
                    "type_of_violence",
                )
            )
        return kind, pd.Series("type_of_violence", index=index, dtype="str")
    if "side_a" not in table or "side_b" not in table:
        problems.append(
            Problem(
                LAYER,
                "needs type_of_violence, or side_a and side_b to infer it",
                column="type_of_violence",
            )
        )
        empty = pd.Series(pd.NA, index=index, dtype="str")
        return empty, empty
    side_a = text_column(table, "side_a").fillna("")
    side_b = text_column(table, "side_b").fillna("")
    government = side_a.str.startswith("Government of") | side_b.str.startswith("Government of")
    civilians = side_b.str.casefold().eq("civilians")
    kind = pd.Series(
        np.where(civilians, UCDP_KINDS[3], np.where(government, UCDP_KINDS[1], UCDP_KINDS[2])),
        index=index,
        dtype="str",
    )
    return kind, pd.Series("inferred from sides", index=index, dtype="str")


def _fatalities(table: pd.DataFrame, rows: pd.Series, problems: list[Problem]) -> pd.Series:
    """UCDP's best estimate of deaths (see :func:`read_ucdp_ged`)."""
    for column in ("best", "deaths_total"):
        if column in table:
            return whole_numbers(table, column, rows, problems)
    parts = [column for column in DEATH_PARTS if column in table]
    if not parts:
        return missing_int(table.index)
    # the parts themselves are checked (and reported) by the caller
    counts = pd.DataFrame(
        {column: pd.to_numeric(table[column].astype(object), errors="coerce") for column in parts}
    )
    return counts.sum(axis=1, min_count=len(parts)).round().astype("Int64")
