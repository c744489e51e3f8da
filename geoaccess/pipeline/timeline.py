"""The pipeline behind :func:`geoaccess.timeline`: statuses over a period.

Nothing changes between two change dates (days on which some row of some layer starts or
stops being valid), so the situation is evaluated only on those days, with the light
depth of :func:`~geoaccess.pipeline.evaluate.evaluate` (statuses and evidence, no route
clearance or perimeter shares). The one exception is Siege Watch's day count: an
encirclement turns from ``watchlist`` to ``besieged`` on the day it reaches
``min_siege_days``, which is derived from the evaluations, not evaluated; for that scheme
a backward walk before ``start`` (like :func:`geoaccess.assess`'s) finds when
encirclements under way began.

The change dates are evaluated in process, or by a :class:`DateRunner` (the Dask one
is :class:`geoaccess.scale.timeline.DaskRunner`): the assembly of the intervals is the
same either way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.status import STATUS_OF, Why, Wording, statuses
from ..rules import Rules
from ..scenario.model import Scenario
from ..temporal import DateLike, as_date
from .assess import build_assessment
from .evaluate import Snapshot, context_for, evaluate
from .frames import with_area_columns
from .history import final_decision, history, wording_at
from .results import Assessment, Timeline

__all__ = [
    "DateRunner",
    "LightSnapshot",
    "light_assessment",
    "timeline",
    "undated_assessment",
    "with_interval_population",
    "with_status_since",
]

log = logging.getLogger(__name__)


INTERVAL_COLUMNS = ["area_id", "name", "side", "status", "start", "end", "reason"]

#: One area's status from a day on: area_id, name, side, status, day, reason.
Record = tuple[object, object, object, str | None, dt.date, str]


@dataclass(frozen=True, eq=False)
class LightSnapshot:
    """What the timeline's assembly reads from one evaluated date (no geometry).

    Attributes
    ----------
    units : pandas.DataFrame
        The reporting units (``area_id``, ``name``, ``piece``, ``base_status``,
        ``encircled``, ...).
    pieces : pandas.DataFrame
        The pieces with their evidence and base status.
    """

    units: pd.DataFrame
    pieces: pd.DataFrame


class DateRunner(Protocol):
    """Evaluates a timeline's change dates somewhere else (a Dask cluster, say).

    :meth:`evaluate` evaluates every date at the ``"light"`` depth and returns what the
    assembly reads, in date order; :meth:`assessments` then builds the light
    assessments from the intervals. A runner serves one timeline.
    """

    def evaluate(
        self, ctx: Context, dates: Sequence[dt.date]
    ) -> Sequence[LightSnapshot | Snapshot]:
        """Evaluate the dates (light) and return units and pieces, in date order."""
        ...

    def assessments(self, intervals: pd.DataFrame) -> tuple[Assessment, ...]:
        """The light assessment of every evaluated date, ``status_since`` from intervals."""
        ...


def timeline(
    scn: Scenario,
    start: DateLike,
    end: DateLike,
    rules: Rules | None = None,
    *,
    progress: bool = False,
    runner: DateRunner | None = None,
    threads: int = 1,
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
    progress : bool
        Show a progress bar (tqdm, on standard error) over the change dates.
    runner : DateRunner, optional
        Evaluate the change dates with it (same result); by default, in process.
    threads : int, default 1
        Threads projecting the scenario (:func:`~.evaluate.context_for`; a year of
        daily maps is millions of vertices). The dates are the runner's.

    Returns
    -------
    Timeline
        ``evaluated`` holds the change dates assessed (one evaluation each, never one per
        day); ``intervals`` one row per unbroken run of a status under one holder per
        area: ``area_id``, ``name``, the area's own columns, ``side`` (the holder of its
        dominant piece), ``status``, ``start``, ``end`` (exclusive; the last is ``end`` +
        1 day), ``start_known`` (False where the run starts with the period: it may have
        begun earlier) and ``reason`` (the reason on the run's first day). Consecutive
        equal statuses of one holder merge. ``snapshots`` are light assessments (no
        route clearance, no perimeter shares).

    Examples
    --------
    >>> import geoaccess as ga
    >>> tl = ga.timeline(ga.datasets.aleppo_2016(), "2016-07-01", "2016-12-31")  # doctest: +SKIP
    >>> len(tl.evaluated) < 184  # doctest: +SKIP
    True
    """
    rules = rules if rules is not None else scn.rules
    first, last = as_date(start, name="start"), as_date(end, name="end")
    # Siege Watch counts encircled days from before the period: the walk back reads
    # those days' rows; otherwise only the period's rows are projected
    walks_back = rules.scheme == "siege_watch"
    ctx = context_for(scn, rules, threads=threads, period=(None if walks_back else first, last))
    dates = scn.change_dates(first, last)
    cache = Cache()
    snaps: list[Snapshot] = []
    if runner is None:
        snaps = [evaluate(ctx, cache, t, detail="light") for t in _progress(dates, progress)]
        lights: Sequence[Snapshot | LightSnapshot] = snaps
    else:
        lights = runner.evaluate(ctx, dates)
    log.info(
        "timeline %s..%s: %d evaluations for %d days",
        first,
        last,
        len(dates),
        (last - first).days + 1,
    )
    encircled_since: dict[object, dt.date] = {}
    if walks_back:
        before = history(ctx, cache, first, lights[0].units)
        encircled_since = {a: d for a, d in before["encircled_since"].items() if d is not None}
    records: list[Record] = []
    known: set[object] = set()
    for k, (t, light) in enumerate(zip(dates, lights, strict=True)):
        upto = dates[k + 1] if k + 1 < len(dates) else last + dt.timedelta(days=1)
        records.extend(_records(light, rules, t, upto, encircled_since, wording_at(ctx, t)))
        seen = set(light.units["area_id"])
        records.extend((gone, None, None, None, t, "") for gone in known - seen)
        known |= seen
    intervals = _merge(records, last + dt.timedelta(days=1))
    # a run that starts with the period may have started earlier: not a known start
    intervals.insert(
        intervals.columns.get_loc("end") + 1,
        "start_known",
        (intervals["start"] > first).to_numpy(dtype=bool),
    )
    intervals = _with_area_columns(intervals, scn.areas)
    if runner is None:
        snapshots = tuple(light_assessment(ctx, cache, snap, intervals) for snap in snaps)
    else:
        snapshots = runner.assessments(intervals)
    intervals = with_interval_population(intervals, snapshots)
    return Timeline(scn, first, last, rules, tuple(dates), snapshots, intervals)


def with_interval_population(
    intervals: pd.DataFrame, snapshots: Sequence[Assessment]
) -> pd.DataFrame:
    """The intervals with ``population``: the area's people on the run's first day.

    The people are the primary estimate's, as the light assessment of the last
    evaluated date on or before the run's start has them (``NaN`` without population).
    The column comes after ``start_known``.
    """
    out = intervals.copy()
    people = np.full(len(out), np.nan)
    if snapshots and len(out):
        dates = np.array([s.date for s in snapshots], dtype=object)
        tables = [
            dict(zip(s.areas["area_id"], s.areas["population"].astype(float), strict=True))
            if "population" in s.areas
            else {}
            for s in snapshots
        ]
        at = np.searchsorted(dates, out["start"].to_numpy(dtype=object), side="right") - 1
        for k, (area, snap) in enumerate(zip(out["area_id"], at, strict=True)):
            if snap >= 0:
                people[k] = tables[snap].get(area, np.nan)
    out.insert(out.columns.get_loc("start_known") + 1, "population", people)
    return out


def _progress(dates: list[dt.date], enabled: bool) -> Any:
    """The dates, wrapped in a progress bar when asked."""
    if not enabled:
        return dates
    from tqdm.auto import tqdm

    return tqdm(dates, desc="change dates", unit="date", leave=False)


def _records(
    light: Snapshot | LightSnapshot,
    rules: Rules,
    t: dt.date,
    upto: dt.date,
    encircled_since: dict[object, dt.date],
    wording: Wording,
) -> list[Record]:
    """Each unit's status on ``t``, and with Siege Watch its switch before ``upto``.

    ``encircled_since`` is brought up to date on the way.
    """
    units = light.units
    ids = units["area_id"].to_numpy(dtype=object)
    piece = units["piece"].to_numpy()
    held = piece >= 0
    evidence = light.pieces.reindex(piece)
    encircled = np.zeros(len(units), dtype=bool)
    encircled[held] = evidence["encircled"].to_numpy(dtype=object)[held].astype(bool)
    for area_id, now in zip(ids, encircled, strict=True):
        if now:
            encircled_since.setdefault(area_id, t)
        else:
            encircled_since.pop(area_id, None)
    starts = np.array([encircled_since.get(a) for a in ids], dtype=object)
    why, reasons = final_decision(
        evidence, rules=rules, day=t, encircled_since=starts, held=held, wording=wording
    )
    names = units["name"].to_numpy(dtype=object)
    sides = np.full(len(units), None, dtype=object)
    sides[held] = evidence["side"].to_numpy(dtype=object)[held]
    out: list[Record] = [
        (a, n, side, status, t, text)
        for a, n, side, status, text in zip(ids, names, sides, statuses(why), reasons, strict=True)
    ]
    wait = dt.timedelta(days=rules.min_siege_days)
    for k in np.flatnonzero(why == Why.WATCHLIST):
        switch = starts[k] + wait
        if t < switch < upto:
            later, text = final_decision(
                evidence.iloc[[k]],
                rules=rules,
                day=switch,
                encircled_since=starts[[k]],
                wording=wording,
            )
            status = STATUS_OF[later[0]].value
            out.append((ids[k], names[k], sides[k], status, switch, text[0]))
    return out


def _merge(records: list[Record], stop: dt.date) -> pd.DataFrame:
    """Runs of one status under one holder per area.

    ``None`` statuses (the area absent on a date) end a run.
    """
    rows: list[dict[str, object]] = []
    current: dict[object, dict[str, object]] = {}
    for area_id, name, side, status, day, reason in sorted(
        records, key=lambda r: (r[4], str(r[0]))
    ):
        run = current.get(area_id)
        if run is not None and run["status"] == status and run["side"] == side:
            continue
        if run is not None:
            run["end"] = day
            rows.append(run)
            current.pop(area_id)
        if status is not None:
            current[area_id] = {
                "area_id": area_id,
                "name": name,
                "side": side,
                "status": status,
                "start": day,
                "end": stop,
                "reason": reason,
            }
    rows.extend(current.values())
    frame = pd.DataFrame(rows, columns=INTERVAL_COLUMNS)
    for column in ("area_id", "name", "side", "status", "reason"):
        frame[column] = frame[column].astype(object)
    return frame.sort_values(["area_id", "start"], key=_sort_key, ignore_index=True)


def _sort_key(values: pd.Series) -> pd.Series:
    return values.map(str) if values.name == "area_id" else values


def _with_area_columns(intervals: pd.DataFrame, areas: pd.DataFrame | None) -> pd.DataFrame:
    """The intervals with each area's own columns (its latest row), after ``name``."""
    if areas is None or not len(intervals):
        return intervals
    latest = areas.drop_duplicates("area_id", keep="last").set_index("area_id")
    own = latest.reindex(intervals["area_id"].to_numpy()).reset_index()
    return with_area_columns(intervals, own)


def light_assessment(
    ctx: Context, cache: Cache, snap: Snapshot, intervals: pd.DataFrame
) -> Assessment:
    """The light assessment of one evaluated date, ``status_since`` from the intervals.

    :func:`undated_assessment` then :func:`with_status_since`: runners build the first
    as each date is evaluated (the tables of one date while another's geometry runs) and
    date it once the intervals are known.

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    cache : Cache
        The call's (or the task's) cache.
    snap : Snapshot
        A ``"light"`` evaluation.
    intervals : DataFrame
        The timeline's intervals.

    Returns
    -------
    Assessment
    """
    return with_status_since(undated_assessment(ctx, cache, snap), intervals)


def undated_assessment(ctx: Context, cache: Cache, snap: Snapshot) -> Assessment:
    """The light assessment of one evaluated date before its ``status_since`` is known.

    Everything a timeline's snapshot holds but ``status_since``, ``status_since_known``
    and ``details["status_since_at_least"]``, which depend on the intervals: until
    :func:`with_status_since` sets them, every status counts from the day itself.
    """
    ids = snap.units["area_id"].to_numpy(dtype=object)
    since = pd.DataFrame(
        {
            "base_since": [snap.date] * len(ids),
            "encircled_since": [None] * len(ids),
            "at_least": [False] * len(ids),
        },
        index=pd.Index(ids, dtype=object),
    )
    return build_assessment(ctx, cache, snap, since)


def with_status_since(assessment: Assessment, intervals: pd.DataFrame) -> Assessment:
    """The :func:`undated_assessment` with each area's ``status_since`` from the intervals.

    An area's status runs since the start of its interval live on the date; where that
    interval starts with the period, the start is not known (``status_since_known``
    False, ``status_since_at_least`` True). Returns a new assessment.
    """
    day = assessment.date
    # read as arrays: a row filter of the whole table per date costs more
    starts = intervals["start"].to_numpy(dtype=object)
    live = np.flatnonzero((starts <= day) & (intervals["end"].to_numpy(dtype=object) > day))
    live_ids = intervals["area_id"].to_numpy(dtype=object)[live]
    start = dict(zip(live_ids, starts[live], strict=True))
    known = dict(zip(live_ids, intervals["start_known"].to_numpy(dtype=bool)[live], strict=True))
    ids = assessment.areas["area_id"].to_numpy(dtype=object)
    areas = assessment.areas.copy()
    areas["status_since"] = [start.get(a, day) for a in ids]
    areas["status_since_known"] = np.array([known.get(a, True) for a in ids], dtype=bool)
    at_least = {a: not known.get(a, True) for a in ids}
    return replace(
        assessment, areas=areas, details={**assessment.details, "status_since_at_least": at_least}
    )
