"""The pipeline behind :func:`geoaccess.timeline`: statuses over a period.

Nothing changes between two change dates (days on which some row of some layer starts or
stops being valid), so the situation is evaluated only on those days, with the light
path of :func:`geoaccess.assess.evaluate` (statuses and evidence, no route clearance or
lifelines). The one exception is Siege Watch's day count: an encirclement turns from
``watchlist`` to ``besieged`` on the day it reaches ``min_siege_days``, which is derived
from the evaluations, not evaluated; for that scheme a backward walk before ``start``
(like :func:`geoaccess.assess`'s) finds when encirclements under way began.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pandas as pd

from .assess import Snapshot, build_assessment, evaluate
from .history import final_status, history
from .results import Assessment, Timeline
from .rules import AccessStatus, Rules
from .scenario import Scenario
from .temporal import DateLike, as_date
from .territory import project_scenario

__all__ = ["timeline"]

log = logging.getLogger(__name__)


INTERVAL_COLUMNS = ["area_id", "name", "status", "start", "end", "reason"]


def timeline(
    scn: Scenario,
    start: DateLike,
    end: DateLike,
    rules: Rules | None = None,
    *,
    client: Any = None,
    progress: bool = False,
) -> Timeline:
    """Access status of every area from ``start`` to ``end`` (both included).

    Parameters
    ----------
    scn : Scenario
        The scenario (not modified).
    start, end : date-like
        The period.
    rules : Rules, optional
        Defaults to the scenario's rules.
    client : dask.distributed.Client, optional
        Evaluate the change dates as Dask tasks on this cluster (the scenario is shipped
        once; see :mod:`geoaccess.distributed`). Same result as without it.
    progress : bool
        Show a progress bar (tqdm, on standard error) over the change dates.

    Returns
    -------
    Timeline
        ``evaluated`` holds the change dates assessed (one evaluation each, never one per
        day); ``intervals`` one row per unbroken run of a status per area: ``area_id``,
        ``name``, ``status``, ``start``, ``end`` (exclusive; the last is ``end`` + 1 day)
        and ``reason`` (the reason on the run's first day). Consecutive equal statuses
        merge. ``snapshots`` are light assessments (no route clearance, no lifelines).

    Examples
    --------
    >>> import geoaccess as ga
    >>> tl = ga.timeline(ga.datasets.aleppo_2016(), "2016-07-01", "2016-12-31")  # doctest: +SKIP
    >>> len(tl.evaluated) < 184  # doctest: +SKIP
    True
    """
    rules = rules if rules is not None else scn.rules
    first, last = as_date(start, name="start"), as_date(end, name="end")
    proj = project_scenario(scn, rules)
    dates = scn.change_dates(first, last)
    if client is None:
        steps = _progress(dates, enabled=progress)
        snaps: list[Any] = [evaluate(proj, t, full=False) for t in steps]
    else:  # the scale path: same evaluations, as Dask tasks (geoaccess[dask])
        from .distributed import DaskEvaluations

        remote = DaskEvaluations(client, proj, dates)
        snaps = remote.light()
    log.info(
        "timeline %s..%s: %d evaluations for %d days",
        first,
        last,
        len(dates),
        (last - first).days + 1,
    )
    enc_since: dict[object, dt.date] = {}
    if rules.scheme == "siege_watch":
        before = history(proj, first, snaps[0].units)
        enc_since = {a: d for a, d in before["encircled_since"].items() if d is not None}
    records: list[tuple[object, object, str | None, dt.date, str]] = []
    known: set[object] = set()
    for k, (t, snap) in enumerate(zip(dates, snaps, strict=True)):
        upto = dates[k + 1] if k + 1 < len(dates) else last + dt.timedelta(days=1)
        seen = set()
        for unit in snap.units.itertuples(index=False):
            seen.add(unit.area_id)
            row = snap.pieces.loc[unit.piece] if unit.piece >= 0 else None
            if row is None or not row["encircled"]:
                enc_since.pop(unit.area_id, None)
            else:
                enc_since.setdefault(unit.area_id, t)
            for day, status, reason in _statuses(row, rules, t, upto, enc_since.get(unit.area_id)):
                records.append((unit.area_id, unit.name, status, day, reason))
        for gone in known - seen:
            records.append((gone, None, None, t, ""))
        known |= seen
    intervals = _merge(records, last + dt.timedelta(days=1))
    if client is None:
        snapshots = tuple(_snapshot(snap, intervals) for snap in snaps)
    else:
        snapshots = remote.snapshots(intervals)
    return Timeline(scn, first, last, rules, tuple(dates), snapshots, intervals)


def _progress(dates: list[dt.date], *, enabled: bool) -> Any:
    """The dates, wrapped in a progress bar when asked."""
    if not enabled:
        return dates
    from tqdm.auto import tqdm

    return tqdm(dates, desc="change dates", unit="date", leave=False)


def _statuses(
    row: pd.Series | None, rules: Rules, t: dt.date, upto: dt.date, enc_since: dt.date | None
) -> list[tuple[dt.date, str, str]]:
    """Status on ``t`` and, with Siege Watch, the switch to besieged before ``upto``."""
    if row is None:
        return [(t, AccessStatus.ACCESSIBLE.value, f"No side holds this area on {t}.")]
    status, reason, _ = final_status(row, rules, t, t, enc_since)
    out = [(t, status.value, reason)]
    if status is AccessStatus.WATCHLIST and enc_since is not None:
        switch = enc_since + dt.timedelta(days=rules.min_siege_days)
        if t < switch < upto:
            later, why, _ = final_status(row, rules, switch, switch, enc_since)
            out.append((switch, later.value, why))
    return out


def _merge(
    records: list[tuple[object, object, str | None, dt.date, str]], stop: dt.date
) -> pd.DataFrame:
    """Runs of equal statuses per area; ``None`` statuses (area absent) end a run."""
    rows: list[dict[str, object]] = []
    current: dict[object, dict[str, object]] = {}
    for area_id, name, status, day, reason in sorted(records, key=lambda r: (r[3], str(r[0]))):
        run = current.get(area_id)
        if run is not None and run["status"] == status:
            continue
        if run is not None:
            run["end"] = day
            rows.append(run)
            current.pop(area_id)
        if status is not None:
            current[area_id] = {
                "area_id": area_id,
                "name": name,
                "status": status,
                "start": day,
                "end": stop,
                "reason": reason,
            }
    rows.extend(current.values())
    frame = pd.DataFrame(rows, columns=INTERVAL_COLUMNS)
    for column in ("area_id", "name", "status", "reason"):
        frame[column] = frame[column].astype(object)
    return frame.sort_values(["area_id", "start"], key=_sort_key, ignore_index=True)


def _sort_key(values: pd.Series) -> pd.Series:
    return values.map(str) if values.name == "area_id" else values


def _snapshot(snap: Snapshot, intervals: pd.DataFrame) -> Assessment:
    """A light assessment of one evaluated date, ``status_since`` from the intervals."""
    day = snap.ground.date
    units = snap.units
    live = intervals[(intervals["start"] <= day) & (intervals["end"] > day)]
    start = dict(zip(live["area_id"], live["start"], strict=True))
    ids = units["area_id"].to_numpy(dtype=object)
    since = pd.DataFrame(
        {
            "base_since": [start.get(a, day) for a in ids],
            "encircled_since": [None] * len(ids),
            "at_least": [False] * len(ids),
        },
        index=pd.Index(ids, dtype=object),
    )
    return build_assessment(snap, since)
