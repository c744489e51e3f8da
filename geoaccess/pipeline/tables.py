"""Tables analysts publish, read from results: people over time, per admin unit, metadata.

Pure functions over the frames of :class:`~geoaccess.pipeline.results.Assessment` and
:class:`~geoaccess.pipeline.results.Timeline`; the result objects call them.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import WGS84
from ..display import DISCLAIMER, STATUS_ORDER
from ..rules import STATUSES, Rules
from ..scenario.model import Scenario

__all__ = [
    "interval_features",
    "metadata_rows",
    "people_by_status",
    "population_over_time",
    "summary",
]


def people_by_status(table: pd.DataFrame, column: str = "population") -> dict[str, float]:
    """People of each status in a population table (its ``status`` rows), by status."""
    if "category" not in table or column not in table:
        return {}
    rows = table[table["category"] == "status"]
    return dict(zip(rows["label"], rows[column].astype(float).fillna(0.0), strict=True))


def _estimate_column(table: pd.DataFrame, names: Sequence[str], estimate: str | None) -> str | None:
    """The column of ``table`` holding an estimate (by source name or by column)."""
    columns = [c for c in table.columns if c not in ("category", "label", "areas")]
    if estimate is None:
        return columns[0] if columns else None
    if estimate in columns:
        return estimate
    by_name = dict(zip(names, columns, strict=False))
    if estimate in by_name:
        return by_name[estimate]
    known = ", ".join(repr(n) for n in [*names, *columns])
    msg = f"no population estimate {estimate!r}; the timeline has {known or 'none'}"
    raise ValueError(msg)


def population_over_time(
    dates: Sequence[dt.date],
    tables: Sequence[pd.DataFrame],
    names: Sequence[str],
    *,
    estimate: str | None = None,
    end: dt.date | None = None,
    daily: bool = False,
) -> pd.DataFrame:
    """People by status on each date: a frame with a :class:`~pandas.DatetimeIndex`.

    Parameters
    ----------
    dates : sequence of datetime.date
        The evaluated dates, increasing.
    tables : sequence of DataFrame
        The population table of each date (``status`` rows are read).
    names : sequence of str
        The estimates' source names, in the tables' column order.
    estimate : str, optional
        Which estimate (its source name or its column); the primary one by default.
    end : datetime.date, optional
        Last day (with ``daily``).
    daily : bool
        One row per day up to ``end``, each day holding the last evaluated date's people.

    Returns
    -------
    DataFrame
        Index ``date`` (``datetime64``), one column per status, most severe first
        (``besieged``, ``watchlist``, ``hard_to_reach``, ``accessible``, ``no_data``),
        whole people (``int64``). No rows when the scenario has no population.

    Examples
    --------
    >>> table = pd.DataFrame({"category": ["status", "status"],
    ...                       "label": ["accessible", "besieged"],
    ...                       "areas": [1, 1], "population": [10.4, 4.6]})
    >>> population_over_time([dt.date(2016, 7, 17)], [table], ["areas"])
                besieged  watchlist  hard_to_reach  accessible  no_data
    date
    2016-07-17         5          0              0          10        0
    """
    order = list(STATUS_ORDER)
    rows, index = [], []
    for day, table in zip(dates, tables, strict=True):
        column = _estimate_column(table, names, estimate)
        if column is None:
            continue
        people = people_by_status(table, column)
        rows.append([people.get(s, 0.0) for s in order])
        index.append(pd.Timestamp(day))
    frame = pd.DataFrame(
        np.round(np.asarray(rows, dtype=float).reshape(len(rows), len(order))).astype("int64"),
        index=pd.DatetimeIndex(index, name="date"),
        columns=order,
    )
    if daily and len(frame):
        last = pd.Timestamp(end) if end is not None else frame.index[-1]
        days = pd.date_range(frame.index[0], last, freq="D", name="date")
        frame = frame.reindex(days, method="ffill")
    return frame


def interval_features(
    intervals: pd.DataFrame, snapshots: Sequence[Any], scenario: Scenario
) -> gpd.GeoDataFrame:
    """The intervals with each area's outline on the run's first day (EPSG:4326).

    The outline is the area's in the last evaluated snapshot on or before the run's
    start (pockets change shape), else the areas layer's; ``start`` and ``end`` stay
    dates (``end`` excluded).
    """
    outlines: list[dict[object, object]] = []
    for snap in snapshots:
        outlines.append(dict(zip(snap.areas["area_id"], snap.areas.geometry, strict=True)))
    fallback: dict[object, object] = {}
    if scenario.areas is not None and len(scenario.areas):
        latest = scenario.areas.drop_duplicates("area_id", keep="last").to_crs(WGS84)
        fallback = dict(zip(latest["area_id"], latest.geometry, strict=True))
    dates = np.array([s.date for s in snapshots], dtype=object)
    at = np.searchsorted(dates, intervals["start"].to_numpy(dtype=object), side="right") - 1
    shapes = [
        (outlines[k].get(area) if k >= 0 else None) or fallback.get(area)
        for area, k in zip(intervals["area_id"], at, strict=True)
    ]
    return gpd.GeoDataFrame(
        intervals.reset_index(drop=True),
        geometry=gpd.GeoSeries(shapes, crs=WGS84),
        crs=WGS84,
    )


def summary(areas: pd.DataFrame, by: str) -> pd.DataFrame:
    """Areas and people by status per value of an area column (an admin p-code, say).

    Parameters
    ----------
    areas : DataFrame
        ``res.areas``: ``status`` and the ``population_<status>`` columns.
    by : str
        Any column of the areas: ``adm3_pcode``, ``adm2_pcode`` (COD-AB parent codes
        travel with the areas), ``side``...

    Returns
    -------
    DataFrame
        One row per value of ``by`` (missing values as their own row), sorted by it:
        ``by``, the unit's name where the areas carry one (``<prefix>_name``,
        ``<prefix>_en`` for ``<prefix>_pcode``), ``areas``, ``areas_<status>``,
        ``population`` and ``population_<status>`` for every status.

    Raises
    ------
    ValueError
        When ``by`` is not a column of the areas (the message lists them).

    Examples
    --------
    >>> areas = pd.DataFrame({"adm2_pcode": ["SY0200", "SY0200", "SY0201"],
    ...                       "status": ["besieged", "accessible", "besieged"],
    ...                       "population_besieged": [100.0, 0.0, 50.0],
    ...                       "population_accessible": [0.0, 20.0, 0.0],
    ...                       "population": [100.0, 20.0, 50.0]})
    >>> summary(areas, "adm2_pcode")[["adm2_pcode", "areas", "areas_besieged",
    ...                                "population", "population_besieged"]]
      adm2_pcode  areas  areas_besieged  population  population_besieged
    0     SY0200      2               1       120.0                100.0
    1     SY0201      1               1        50.0                 50.0
    """
    if by not in areas.columns:
        usable = ", ".join(c for c in areas.columns if c != "geometry")
        msg = f"summary(by={by!r}): the areas have no such column; they have {usable}"
        raise ValueError(msg)
    table = pd.DataFrame(areas.drop(columns="geometry", errors="ignore")).copy()
    key = table[by].astype(object).where(table[by].notna(), None)
    table["_key"] = key.map(lambda v: "" if v is None else str(v))
    status = table["status"].astype(object)
    out = pd.DataFrame({"_key": sorted(table["_key"].unique())})
    groups = table.groupby("_key", sort=True)
    out[by] = groups[by].first().reindex(out["_key"]).to_numpy()
    for name_column in _name_columns(by, table.columns):
        out[name_column] = groups[name_column].first().reindex(out["_key"]).to_numpy()
    out["areas"] = groups.size().reindex(out["_key"]).to_numpy(dtype="int64")
    for s in STATUSES:
        counts = (status == s).groupby(table["_key"]).sum()
        out[f"areas_{s}"] = counts.reindex(out["_key"]).to_numpy(dtype="int64")
    people = ["population", *(f"population_{s}" for s in STATUSES)]
    for column in people:
        if column in table:
            values = pd.to_numeric(table[column], errors="coerce").astype(float)
            sums = values.groupby(table["_key"]).sum(min_count=1).reindex(out["_key"])
            out[column] = sums.to_numpy(dtype=float)
    return out.drop(columns="_key").reset_index(drop=True)


def _software() -> str:
    """``geoaccess <version>`` as installed (``geoaccess`` when run from a source tree)."""
    try:
        return f"geoaccess {importlib.metadata.version('geoaccess')}"
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "geoaccess"


def _name_columns(by: str, columns: pd.Index) -> list[str]:
    """The name columns of an admin level: ``adm2_name``/``adm2_en`` for ``adm2_pcode``."""
    if not by.lower().endswith("_pcode"):
        return []
    prefix = by[: -len("_pcode")]
    wanted = [f"{prefix}_name", f"{prefix}_en", f"{prefix}_ar"]
    lower = {str(c).lower(): str(c) for c in columns}
    return [lower[w.lower()] for w in wanted if w.lower() in lower]


def metadata_rows(
    scenario: Scenario,
    rules: Rules,
    *,
    when: str,
    created: dt.date,
    extra: Sequence[tuple[str, Any]] = (),
) -> list[tuple[str, str]]:
    """What a workbook's ``metadata`` sheet says: scenario, date, rules, sources, disclaimer.

    Examples
    --------
    >>> import geoaccess as ga
    >>> rows = metadata_rows(ga.datasets.aleppo_2016(), ga.Rules(), when="2016-07-20",
    ...                      created=dt.date(2024, 1, 1))
    >>> [key for key, _ in rows][:4]
    ['scenario', 'date', 'created', 'software']
    >>> dict(rows)["rule: fire_control_m"]
    '1500.0'
    """
    rows: list[tuple[str, str]] = [
        ("scenario", scenario.name),
        ("date", when),
        ("created", created.isoformat()),
        ("software", _software()),
        *((str(k), "" if v is None else str(v)) for k, v in extra),
    ]
    if scenario.description:
        rows.append(("description", scenario.description))
    rows += [("source", s) for s in scenario.sources]
    for key, value in rules.to_dict().items():
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else value
        rows.append((f"rule: {key}", "" if text is None else str(text)))
    rows.append(("disclaimer", DISCLAIMER))
    return rows
