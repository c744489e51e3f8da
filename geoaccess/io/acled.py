"""ACLED exports as the incidents layer.

ACLED (Armed Conflict Location & Event Data) publishes one row per event with a day, a
place and a precision code for each. :func:`read_acled` turns an export CSV (or a frame
read from one) into the incidents layer of DESIGN section 3: ``date``, ``kind``,
``fatalities``, ``actor`` and ``source``, plus the ACLED columns an analyst needs to judge
each row (event id, types, second actor, admin names, precision codes, notes).
:func:`import_acled` writes the result to a GeoPackage or GeoJSON file.

The helpers prefixed with ``_`` are shared with :mod:`geoaccess.io.ucdp`.
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

__all__ = ["ACLED_COLUMNS", "import_acled", "read_acled"]

log = logging.getLogger(__name__)

#: Columns of an ACLED export that :func:`read_acled` uses (others are ignored).
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
#: Columns without which no incident can be built.
REQUIRED: tuple[str, ...] = ("event_date", "latitude", "longitude", "event_type")
#: Text columns kept under their own name (``actor1`` becomes ``actor``).
TEXT_KEPT: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    "actor2",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "notes",
)
#: Date formats ACLED has used: ISO in current exports, ``17 July 2016`` in older ones.
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y")
#: ACLED precision codes: 1 exact (place / day), 2 near (within the area / week),
#: 3 region (larger area / month).
PRECISIONS: tuple[int, ...] = (1, 2, 3)
#: Output suffixes of :func:`import_acled` and the GDAL driver each one uses.
DRIVERS: dict[str, str] = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}


def read_acled(
    path_or_frame: str | Path | pd.DataFrame,
    *,
    event_types: str | Iterable[str] | None = None,
    sub_event_types: str | Iterable[str] | None = None,
    max_geo_precision: int | None = None,
    max_time_precision: int | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> gpd.GeoDataFrame:
    """Read an ACLED export into the incidents layer (points in EPSG:4326).

    Parameters
    ----------
    path_or_frame : str, Path or DataFrame
        An ACLED export CSV (UTF-8, comma separated, header row) or a frame holding its
        columns. Only ``event_date``, ``latitude``, ``longitude`` and ``event_type`` are
        required; the other columns of :data:`ACLED_COLUMNS` are used when present.
    event_types, sub_event_types : str or iterable of str, optional
        Keep only rows whose ``event_type`` / ``sub_event_type`` is one of these
        (compared without regard to case or surrounding spaces). ACLED's vocabulary
        changed over the years (``Remote violence`` became ``Explosions/Remote
        violence`` in 2019), so values are not checked against a fixed list; a value that
        matches no row is logged.
    max_geo_precision, max_time_precision : {1, 2, 3}, optional
        Keep only rows whose ``geo_precision`` / ``time_precision`` is at most this
        (1 exact place or day, 2 near the place or within the week, 3 region or month).
        Rows without a precision code are dropped when the filter is set.
    start, end : date-like, optional
        Keep only events on or after ``start`` and on or before ``end`` (both inclusive).

    Returns
    -------
    GeoDataFrame
        One point per kept event, in EPSG:4326, with the input's index and the columns
        ``date`` (``datetime64`` day), ``kind``, ``fatalities`` (nullable ``Int64``),
        ``actor``, ``source``, ``event_id``, ``event_type``, ``sub_event_type``,
        ``actor2``, ``admin1``, ``admin2``, ``admin3``, ``location``, ``geo_precision``,
        ``time_precision`` (``Int64``) and ``notes``. ``kind`` is the ``sub_event_type``
        (e.g. ``Shelling/artillery/missile attack``), or the ``event_type`` where the
        sub-event type is empty; ``actor`` is ``actor1``; ``event_id`` is
        ``event_id_cnty``.

    Raises
    ------
    ScenarioError
        Listing every bad row at once (layer ``incidents``, the row's ``event_id_cnty``
        or index label, the column and the value): missing required columns, empty or
        non-numeric coordinates, coordinates out of range, dates in neither accepted
        format (``2016-07-17`` or ``17 July 2016``), a ``year`` that disagrees with the
        date, fatalities or precision codes that are not whole numbers in range.
    ValueError
        When a filter option is invalid (``end`` before ``start``, a precision outside
        1-3).

    Examples
    --------
    >>> import pandas as pd
    >>> export = pd.DataFrame({
    ...     "event_id_cnty": ["SYR1", "SYR2"],
    ...     "event_date": ["2016-07-17", "28 July 2016"],
    ...     "event_type": ["Battles", "Explosions/Remote violence"],
    ...     "sub_event_type": ["Armed clash", "Air/drone strike"],
    ...     "actor1": ["Military Forces of Syria (2000-)", "Military Forces of Russia"],
    ...     "latitude": [36.2497, 36.2027], "longitude": [37.1330, 37.1598],
    ...     "geo_precision": [1, 2], "fatalities": [3, 0],
    ... })
    >>> incidents = read_acled(export)
    >>> incidents[["date", "kind", "fatalities"]]
            date              kind  fatalities
    0 2016-07-17       Armed clash           3
    1 2016-07-28  Air/drone strike           0
    >>> len(read_acled(export, max_geo_precision=1, start="2016-07-01"))
    1
    """
    for name, value in (
        ("max_geo_precision", max_geo_precision),
        ("max_time_precision", max_time_precision),
    ):
        check_precision(name, value, PRECISIONS)
    first, last = date_window(start, end)
    table = load_table(path_or_frame)
    problems: list[Problem] = []
    require_columns(table, REQUIRED, problems)
    if problems:
        raise ScenarioError(problems)
    rows = row_labels(table, "event_id_cnty")
    geometry = lonlat_points(table, rows, problems)
    date = _acled_dates(table["event_date"], rows, problems)
    if "year" in table:
        year = whole_numbers(table, "year", rows, problems)
        wrong = (year.notna() & date.notna() & (year != date.dt.year)).to_numpy()
        for row, found in zip(rows[wrong], table["year"][wrong], strict=True):
            problems.append(Problem(LAYER, "year disagrees with event_date", row, "year", found))
    fatalities = (
        whole_numbers(table, "fatalities", rows, problems)
        if "fatalities" in table
        else missing_int(table.index)
    )
    precision = {
        column: whole_numbers(table, column, rows, problems, allowed=PRECISIONS)
        if column in table
        else missing_int(table.index)
        for column in ("geo_precision", "time_precision")
    }
    if problems:
        raise ScenarioError(problems)

    text = {column: text_column(table, column) for column in (*TEXT_KEPT, "actor1", "source")}
    kind = text["sub_event_type"].fillna(text["event_type"])
    frame = pd.DataFrame(
        {
            "date": date,
            "kind": kind,
            "fatalities": fatalities,
            "actor": text["actor1"],
            "source": text["source"],
            "event_id": text_column(table, "event_id_cnty"),
            **{column: text[column] for column in TEXT_KEPT[:-1]},
            **precision,
            "notes": text["notes"],
        },
        index=table.index,
    )
    keep = np.ones(len(frame), dtype=bool)
    keep &= in_values(frame["event_type"], event_types, "event_types")
    keep &= in_values(frame["sub_event_type"], sub_event_types, "sub_event_types")
    for column, limit in (
        ("geo_precision", max_geo_precision),
        ("time_precision", max_time_precision),
    ):
        if limit is not None:
            keep &= (frame[column] <= limit).fillna(False).to_numpy(dtype=bool)
    keep &= in_window(frame["date"], frame["date"], first, last)
    log.info("ACLED: %d of %d events kept", int(keep.sum()), len(frame))
    return gpd.GeoDataFrame(frame[keep], geometry=geometry[keep], crs=WGS84)


def import_acled(
    csv: str | Path,
    out: str | Path,
    *,
    event_types: str | Iterable[str] | None = None,
    sub_event_types: str | Iterable[str] | None = None,
    max_geo_precision: int | None = None,
    max_time_precision: int | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    layer: str = LAYER,
) -> Path:
    """Convert an ACLED export to an incidents layer file (GeoPackage or GeoJSON).

    The filters are those of :func:`read_acled`. Dates are written as ISO
    ``YYYY-MM-DD`` text, as in every geoaccess layer file.

    Parameters
    ----------
    csv : str or Path
        The ACLED export.
    out : str or Path
        File to write: ``.gpkg`` (the layer named ``layer`` is replaced if present) or
        ``.geojson`` / ``.json`` (replaced).
    event_types, sub_event_types, max_geo_precision, max_time_precision, start, end
        As in :func:`read_acled`.
    layer : str
        Layer name inside a GeoPackage.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ScenarioError
        When the export has bad rows (see :func:`read_acled`).
    ValueError
        When ``out`` has another suffix, or a filter option is invalid.
    """
    target = Path(out)
    driver = DRIVERS.get(target.suffix.lower())
    if driver is None:
        msg = f"cannot write {target.name!r}: use one of the suffixes {', '.join(DRIVERS)}"
        raise ValueError(msg)
    incidents = read_acled(
        Path(csv),
        event_types=event_types,
        sub_event_types=sub_event_types,
        max_geo_precision=max_geo_precision,
        max_time_precision=max_time_precision,
        start=start,
        end=end,
    )
    _write(incidents, target, driver=driver, layer=layer)
    log.info("wrote %d incidents to %s", len(incidents), target)
    return target


# ----------------------------------------------------------------- shared helpers
def _write(frame: gpd.GeoDataFrame, target: Path, *, driver: str, layer: str) -> None:
    """Write ``frame`` with its day columns as ISO text."""
    out = frame.copy()
    for column in ("date", "valid_from", "valid_to"):
        if column in out:
            days = out[column]
            out[column] = days.dt.strftime("%Y-%m-%d").astype(object).where(days.notna(), None)
    if driver == "GPKG":
        out.to_file(target, driver=driver, layer=layer)
    else:
        target.unlink(missing_ok=True)
        out.to_file(target, driver=driver)


def _acled_dates(values: pd.Series, rows: pd.Series, problems: list[Problem]) -> pd.Series:
    """Days from ACLED's ``2016-07-17`` or ``17 July 2016``; unparseable ones reported."""
    if pd.api.types.is_datetime64_any_dtype(values):
        days = values.dt.tz_localize(None) if values.dt.tz is not None else values
        bad = days.isna().to_numpy()
    else:
        empty = blank(values)
        text = values.astype("str").str.strip().where(~empty)
        days = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        # days outside 1678-2261 (0001-01-01...) do not fit nanosecond days: unparseable
        lowest, highest = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
        for fmt in DATE_FORMATS:
            todo = (days.isna() & ~empty).to_numpy()  # positions: labels may repeat
            if not todo.any():
                break
            parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
            parsed = parsed.where(parsed.isna() | ((parsed >= lowest) & (parsed <= highest)))
            days.iloc[np.flatnonzero(todo)] = parsed.to_numpy(dtype="datetime64[ns]")
        bad = days.isna().to_numpy()
    formats = "YYYY-MM-DD or DD Month YYYY (e.g. 2016-07-17 or 17 July 2016)"
    for row, found in zip(rows[bad], values[bad], strict=True):
        problems.append(
            Problem(LAYER, f"missing or unparseable date; use {formats}", row, values.name, found)
        )
    return days.dt.normalize().astype("datetime64[ns]")
