"""What changed: the areas whose access status differs between two dates.

:func:`changes` compares two assessments; :func:`timeline_changes` two days of a
timeline (or lists every change in between). Both return one row per area that
changed, with the status before and after, the sides holding it, the day the new status
began, its people and the reason for the new status, and the area's outline, so the
table can be written as CSV or Excel and drawn as a layer on a map.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import WGS84
from ..scenario.model import Scenario
from ..temporal import DateLike, as_date

__all__ = ["CHANGE_COLUMNS", "changes", "timeline_changes"]

#: The columns of a changes table, the areas' own columns (p-codes, names) after ``name``.
CHANGE_COLUMNS = [
    "area_id",
    "name",
    "status_before",
    "status_after",
    "side_before",
    "side_after",
    "changed_on",
    "population",
    "reason",
]


class _Assessed(Protocol):
    @property
    def date(self) -> dt.date: ...

    @property
    def areas(self) -> gpd.GeoDataFrame: ...


class _Timed(Protocol):
    @property
    def scenario(self) -> Scenario: ...

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...

    @property
    def intervals(self) -> pd.DataFrame: ...

    @property
    def snapshots(self) -> tuple[_Assessed, ...]: ...


def _own_columns(frame: pd.DataFrame) -> list[str]:
    """The areas layer's own columns in a result frame: those between ``name`` and ``side``."""
    columns = list(frame.columns)
    if "name" not in columns or "side" not in columns:
        return []
    return columns[columns.index("name") + 1 : columns.index("side")]


def _frame(rows: dict[str, object], own: pd.DataFrame, geometry: object) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows)
    if len(own.columns):
        at = CHANGE_COLUMNS.index("name") + 1
        for k, column in enumerate(own.columns):
            table.insert(at + k, column, own[column].to_numpy())
    table = table.astype({"status_before": object, "status_after": object})
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geometry, crs=WGS84), crs=WGS84)


def _ordered(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keys = pd.DataFrame(
        {
            "day": pd.to_datetime(frame["changed_on"]).to_numpy(),
            "area": frame["area_id"].map(str).to_numpy(),
        }
    )
    order = keys.sort_values(["day", "area"], na_position="last", kind="stable").index
    return frame.iloc[order.to_numpy()].reset_index(drop=True)


def changes(before: _Assessed, after: _Assessed) -> gpd.GeoDataFrame:
    """The areas whose access status differs between two assessments.

    Parameters
    ----------
    before, after : Assessment
        What :func:`geoaccess.assess` returned for an earlier and a later date.

    Returns
    -------
    GeoDataFrame
        One row per area whose status differs (an area present on one date only
        counts, with the other status empty): ``area_id``, ``name``, the areas' own
        columns (p-codes, local names), ``status_before``, ``status_after``,
        ``side_before``, ``side_after``, ``changed_on`` (the first day of the new status,
        ``status_since`` of ``after``), ``population`` (on the later date), ``reason``
        (why the area has its new status) and the area's outline, in EPSG:4326, ordered
        by ``changed_on``. Empty (same columns) when nothing changed.

    Raises
    ------
    ValueError
        When ``after`` is not later than ``before``.

    Examples
    --------
    >>> import geoaccess as ga
    >>> scn = ga.datasets.aleppo_2016()
    >>> table = ga.changes(ga.assess(scn, "2016-08-20"), ga.assess(scn, "2016-09-20"))
    >>> table[["name", "status_before", "status_after", "changed_on"]].head(2)
             name  status_before status_after  changed_on
    0  Ayn At-Tal  hard_to_reach     besieged  2016-09-04
    1  Haydariyeh  hard_to_reach     besieged  2016-09-04
    """
    if not after.date > before.date:
        msg = (
            f"changes(before, after): after ({after.date}) must be later than "
            f"before ({before.date})"
        )
        raise ValueError(msg)
    old = before.areas.drop_duplicates("area_id").set_index("area_id")
    new = after.areas.drop_duplicates("area_id").set_index("area_id")
    ids = pd.Index([*new.index, *(a for a in old.index if a not in new.index)], dtype=object)
    was = old["status"].astype(object).reindex(ids)
    now = new["status"].astype(object).reindex(ids)
    differs = ~((was == now) | (was.isna() & now.isna())).to_numpy(dtype=bool)
    ids = ids[differs]
    late = new.reindex(ids)
    early = old.reindex(ids)
    pick = late.where(late["status"].notna(), early) if len(ids) else late
    own = pick[_own_columns(after.areas)] if len(ids) else new.iloc[:0][_own_columns(after.areas)]

    def get(frame: pd.DataFrame, column: str) -> np.ndarray:
        if column not in frame:
            return np.full(len(frame), None, dtype=object)
        return frame[column].to_numpy(dtype=object)

    rows: dict[str, object] = {
        "area_id": ids.to_numpy(dtype=object),
        "name": get(pick, "name"),
        "status_before": get(early, "status"),
        "status_after": get(late, "status"),
        "side_before": get(early, "side"),
        "side_after": get(late, "side"),
        "changed_on": get(late, "status_since"),
        "population": pd.to_numeric(pd.Series(get(pick, "population")), errors="coerce").to_numpy(
            float
        ),
        "reason": get(late, "reason"),
    }
    geometry = pick.geometry.to_numpy() if len(ids) else np.array([], dtype=object)
    return _ordered(_frame(rows, own, geometry))


def timeline_changes(
    tl: _Timed, since: DateLike, until: DateLike | None = None, *, every: bool = False
) -> gpd.GeoDataFrame:
    """The areas whose status on ``until`` differs from their status on ``since``.

    Parameters
    ----------
    tl : Timeline
        What :func:`geoaccess.timeline` returned.
    since : date-like
        The earlier day (within the timeline).
    until : date-like, optional
        The later day (default: the timeline's last day).
    every : bool
        List every change of status in ``(since, until]`` instead (an area that was
        besieged, then hard to reach, then besieged again has two rows), each with the
        status just before it.

    Returns
    -------
    GeoDataFrame
        As :func:`changes`; ``population`` is the area's people when the new status
        began (``tl.intervals["population"]``).
    """
    first = as_date(since, name="since")
    last = tl.end if until is None else as_date(until, name="until")
    if not (tl.start <= first < last <= tl.end):
        msg = (
            f"changes(since={first}, until={last}): both days must lie within the timeline "
            f"({tl.start} to {tl.end}) and since must come first"
        )
        raise ValueError(msg)
    runs = tl.intervals
    if every:
        before, after = _every_change(runs, first, last)
    else:
        before, after = _on(runs, first), _on(runs, last)
        ids = pd.Index([*after.index, *(a for a in before.index if a not in after.index)])
        before, after = before.reindex(ids), after.reindex(ids)
        was, now = before["status"], after["status"]
        keep = ~((was == now) | (was.isna() & now.isna())).to_numpy(dtype=bool)
        before, after = before[keep], after[keep]
    pick = after.where(after["status"].notna(), before)
    own_columns = _own_columns(runs)
    changed_on = [
        s if isinstance(s, dt.date) else (e if isinstance(e, dt.date) else None)
        for s, e in zip(after["start"], before["end"], strict=True)
    ]
    ids = pick["area_id"].to_numpy(dtype=object)
    rows: dict[str, object] = {
        "area_id": ids,
        "name": pick["name"].to_numpy(dtype=object),
        "status_before": before["status"].to_numpy(dtype=object),
        "status_after": after["status"].to_numpy(dtype=object),
        "side_before": before["side"].to_numpy(dtype=object),
        "side_after": after["side"].to_numpy(dtype=object),
        "changed_on": np.array(changed_on, dtype=object),
        "population": pd.to_numeric(pick["population"], errors="coerce").to_numpy(float),
        "reason": after["reason"].to_numpy(dtype=object),
    }
    shapes = _outlines(tl, last)
    geometry = np.array([shapes.get(a) for a in ids], dtype=object)
    return _ordered(_frame(rows, pick[own_columns], geometry))


def _on(runs: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Each area's run holding on ``day``, indexed by ``area_id``."""
    live = runs[(runs["start"] <= day) & (runs["end"] > day)]
    return live.drop_duplicates("area_id").set_index("area_id", drop=False)


def _every_change(
    runs: pd.DataFrame, first: dt.date, last: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each run starting in ``(first, last]`` and the run it follows (when contiguous)."""
    ordered = runs.sort_values(["area_id", "start"], key=_as_text, kind="stable")
    previous = ordered.groupby(ordered["area_id"].map(str), sort=False).shift(1)
    starts = (ordered["start"] > first) & (ordered["start"] <= last)
    contiguous = previous["end"].eq(ordered["start"]) & previous["status"].notna()
    differs = ~previous["status"].eq(ordered["status"]) | ~contiguous
    chosen = (starts & differs).to_numpy(dtype=bool)
    after = ordered[chosen].reset_index(drop=True)
    before = previous[chosen].reset_index(drop=True).astype(object)
    gap = ~contiguous[chosen].to_numpy(dtype=bool)
    before.loc[gap, :] = None
    before["area_id"] = after["area_id"].to_numpy(dtype=object)
    return before, after


def _as_text(values: pd.Series) -> pd.Series:
    return values.map(str) if values.name == "area_id" else values


def _outlines(tl: _Timed, day: dt.date) -> dict[object, object]:
    """Each area's outline: the last snapshot's on or before ``day``, else the layer's."""
    shapes: dict[object, object] = {}
    areas = tl.scenario.areas
    if areas is not None and len(areas):
        latest = areas.drop_duplicates("area_id", keep="last").to_crs(WGS84)
        shapes.update(zip(latest["area_id"], latest.geometry, strict=True))
    for snap in tl.snapshots:
        if snap.date <= day and len(snap.areas):
            shapes.update(zip(snap.areas["area_id"], snap.areas.geometry, strict=True))
    return shapes
