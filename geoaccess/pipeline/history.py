"""Since when: the backward walk that dates each reporting unit's status, and final statuses.

``status_since`` comes from walking back over earlier change dates, evaluating each with
the same :func:`~geoaccess.pipeline.evaluate.evaluate` at the depth the walk still needs
(``"status"``, or ``"encircled"`` once only encirclements are being followed), until the
status differs; when the walk reaches the scenario's first date the status has held
*since at least* that date, which is reported. The same walk gives the first day of an
encirclement (Siege Watch's ``encircled_days``), which :func:`final_decision` applies.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.evidence import Detail
from ..engine.status import STATUS_OF, Why, Wording, decide, reason
from ..rules import AccessStatus, Rules
from .evaluate import Snapshot, evaluate
from .workers import Workers

__all__ = ["final_decision", "first_round_days", "history", "status_since", "wording_at"]


def wording_at(ctx: Context, day: dt.date) -> Wording:
    """How the reasons of ``day`` name things: sides by display name, barriers that exist.

    Siege lines are named only when some stand on ``day``; impassable ground only when
    the sea or a valid ``impassable`` row lies in the frame.
    """
    return Wording(
        side_names=ctx.side_names,
        siege_lines=bool(ctx.rows_valid("siege_lines", day)),
        impassable=bool(ctx.rows_valid("impassable", day)) or not shapely.is_empty(ctx.sea),
    )


def history(
    ctx: Context,
    cache: Cache,
    day: dt.date,
    units: pd.DataFrame,
    *,
    encircled_only: bool = False,
    workers: Workers | None = None,
    first_round: Sequence[Snapshot] | None = None,
    stop: threading.Event | None = None,
) -> pd.DataFrame:
    """First day of each unit's current base-status run and of its encirclement.

    Walks back over the change dates before ``day``, evaluating each
    (:func:`~geoaccess.pipeline.evaluate.evaluate`), until every unit's status (and
    encirclement) differs or the scenario's first date is reached. Each date evaluates
    only the areas whose runs are still open, unless a population layer or raster
    picks the dominant pieces (then every area: see :func:`_areas_apart`).
    ``encircled_only`` follows encirclements alone (``base_since`` is then left at
    ``day``'s change date).

    Parameters
    ----------
    ctx : Context
        The projected scenario.
    cache : Cache
        The call's cache.
    day : datetime.date
        The day whose statuses are dated.
    units : DataFrame
        The reporting units of ``day``: ``area_id``, ``base_status``, ``encircled``.
    encircled_only : bool, default False
        Date the encirclements only.
    workers : Workers, optional
        Threads that evaluate earlier dates as many at a time as they are (the walk may
        then evaluate up to ``workers.threads - 1`` dates it did not need); by default
        one at a time, with ``cache``.
    first_round : sequence of Snapshot, optional
        The walk's first dates (:func:`first_round_days`) already evaluated at the
        ``"status"`` depth for every area, before ``units`` were known: used instead of
        evaluating them again (ignored unless they are those dates at that depth, for
        every area valid on them).
    stop : threading.Event, optional
        Set from another thread to end the walk before its next round (the caller has
        failed and will not read the answer, which is then incomplete).

    Returns
    -------
    DataFrame
        Indexed by ``area_id``: ``base_since``, ``encircled_since`` (``None`` when not
        encircled) and ``at_least`` (the walk reached the first date).
    """
    ids = units["area_id"].to_numpy(dtype=object)
    base = units["base_status"].to_numpy(dtype=object)
    held_by = units["side"].to_numpy(dtype=object)
    enc = units["encircled"].to_numpy(dtype=bool)
    dates = _change_dates_to(ctx, day)
    latest = dates[-1]
    base_since = np.full(len(ids), latest, dtype=object)
    enc_since = np.full(len(ids), None, dtype=object)
    enc_since[enc] = latest
    open_base = np.full(len(ids), not encircled_only, dtype=bool)
    open_enc = enc.copy()
    earlier = dates[-2::-1]
    step = 1 if workers is None else workers.threads
    narrow = _areas_apart(ctx)
    for first_of_round in range(0, len(earlier), step):
        if not (open_base.any() or open_enc.any()) or (stop is not None and stop.is_set()):
            break
        days = earlier[first_of_round : first_of_round + step]
        detail: Detail = "status" if open_base.any() else "encircled"
        # units whose runs have ended are not evaluated again (their areas' pieces and
        # evidence are their own): most of a long walk follows a few units
        following = set(ids[open_base | open_enc]) if narrow else None
        if (
            first_round is not None
            and first_of_round == 0
            and _is_first_round(ctx, first_round, days, detail)
        ):
            evaluated = list(first_round)  # every area: the same units, and more
        else:
            evaluated = _evaluated(ctx, cache, workers, days, detail, following)
        for t, past in zip(days, evaluated, strict=True):
            past_status, past_side, was_enc = _aligned(past.units, ids)
            # a run is one status under one holder: a change of hands starts a new one
            same = (past_status == base) & (past_side == held_by)
            open_base &= same
            open_enc &= was_enc
            base_since[open_base] = t
            enc_since[open_enc] = t
    at_least = open_base & (base_since == dates[0])
    return pd.DataFrame(
        {"base_since": base_since, "encircled_since": enc_since, "at_least": at_least},
        index=pd.Index(ids, dtype=object),
    )


def first_round_days(ctx: Context, day: dt.date, threads: int) -> list[dt.date]:
    """The earlier change dates :func:`history` evaluates first, on ``threads`` threads.

    They do not depend on the statuses of ``day``: the walk can start on them before
    those are known.

    Examples
    --------
    >>> import geoaccess as ga
    >>> from geoaccess.pipeline.evaluate import context_for
    >>> scn = ga.datasets.aleppo_2016()
    >>> first_round_days(context_for(scn, scn.rules), dt.date(2016, 9, 20), 2)
    [datetime.date(2016, 9, 12), datetime.date(2016, 9, 4)]
    """
    return _change_dates_to(ctx, day)[-2::-1][:threads]


def _change_dates_to(ctx: Context, day: dt.date) -> list[dt.date]:
    """The change dates from the scenario's first date up to ``day`` (the walk's dates)."""
    first = ctx.first_day or day
    return ctx.scenario.change_dates(min(first, day), day)


def _is_first_round(
    ctx: Context, snapshots: Sequence[Snapshot], days: list[dt.date], detail: Detail
) -> bool:
    """Whether ``snapshots`` are ``days`` evaluated at ``detail``, for every area."""
    if len(snapshots) != len(days):
        return False
    return all(
        s.date == t and s.detail == detail and s.rows.areas == ctx.rows_valid("areas", t)
        for s, t in zip(snapshots, days, strict=True)
    )


def _areas_apart(ctx: Context) -> bool:
    """Whether each area's pieces, evidence and status are its own alone.

    They are unless a population layer or raster picks the dominant pieces: people are
    allocated to all the pieces at once (a point in two areas, or on their common edge,
    goes to the first of them), so leaving an area out could move another's people.
    """
    return ctx.layers.get("population") is None and not ctx.scenario.population_rasters


def _evaluated(
    ctx: Context,
    cache: Cache,
    workers: Workers | None,
    days: list[dt.date],
    detail: Detail,
    area_ids: set[object] | None,
) -> list[Snapshot]:
    """``days`` evaluated at ``detail``: with ``cache`` here, or on the worker threads.

    ``area_ids``: the areas evaluated (``None``: all).
    """
    if workers is None:
        return [evaluate(ctx, cache, t, detail=detail, area_ids=area_ids) for t in days]
    return workers.evaluate(days, detail, area_ids=area_ids)


def final_decision(
    evidence: pd.DataFrame,
    *,
    rules: Rules,
    day: dt.date,
    encircled_since: np.ndarray,
    held: np.ndarray | None = None,
    wording: Wording | None = None,
) -> tuple[np.ndarray, list[str]]:
    """The rule deciding each row's final status (Siege Watch's count applied), and why.

    Parameters
    ----------
    evidence : DataFrame
        Rows of pieces or pockets with their evidence (``encircled``,
        ``aid_corridor_open``, ``fire_controlled``, ``roads_blocked``, ``roads_enter``,
        ``open_supply_routes``, ``open_corridors``, ``hostile_sides``); rows where
        ``held`` is False may hold anything.
    rules : Rules
        The rules applied.
    day : datetime.date
        The day.
    encircled_since : numpy.ndarray of datetime.date or None
        First day of each row's encirclement.
    held : numpy.ndarray of bool, optional
        Whether a side holds each row's ground (default: all).
    wording : Wording, optional
        Names of sides and barriers for the reasons (:func:`wording_at`).

    Returns
    -------
    tuple of (numpy.ndarray of Why, list of str)
    """
    n = len(evidence)
    holds = np.ones(n, dtype=bool) if held is None else np.asarray(held, dtype=bool)
    starts = np.asarray(encircled_since, dtype=object)
    days = np.array([np.nan if e is None else (day - e).days for e in starts], dtype=float)

    def flag(column: str) -> np.ndarray:
        values = evidence[column].to_numpy(dtype=object) if n else np.zeros(0, dtype=object)
        return np.where(holds, values, False).astype(bool)

    why = decide(
        rules=rules,
        held=holds,
        encircled=flag("encircled"),
        aid_corridor_open=flag("aid_corridor_open"),
        fire_controlled=flag("fire_controlled"),
        roads_blocked=flag("roads_blocked"),
        encircled_days=days,
    )
    # the columns the reasons read, as arrays (rows of a frame are slow to walk)
    hostile, corridors, routes, enter = (
        evidence[c].to_numpy(dtype=object) if n else np.zeros(0, dtype=object)
        for c in ("hostile_sides", "open_corridors", "open_supply_routes", "roads_enter")
    )
    reasons = []
    for k, rule in enumerate(why):
        if rule is Why.UNHELD:
            reasons.append(reason(rule, rules=rules, day=day, wording=wording))
            continue
        reasons.append(
            reason(
                rule,
                rules=rules,
                day=day,
                hostile_sides=hostile[k],
                encircled_since=starts[k],
                encircled_days=None if np.isnan(days[k]) else int(days[k]),
                open_corridors=int(corridors[k]),
                open_supply_routes=routes[k],
                roads_enter=bool(enter[k]),
                wording=wording,
            )
        )
    return why, reasons


def status_since(
    why: np.ndarray, base_since: np.ndarray, encircled_since: np.ndarray, rules: Rules
) -> np.ndarray:
    """First day of each final status.

    It is the base run's, except under Siege Watch, where an encirclement becomes
    ``besieged`` ``min_siege_days`` after it began.
    """
    out = np.asarray(base_since, dtype=object).copy()
    if rules.scheme != "siege_watch":
        return out
    wait = dt.timedelta(days=rules.min_siege_days)
    for k, (rule, start) in enumerate(zip(why, encircled_since, strict=True)):
        if STATUS_OF[rule] is AccessStatus.BESIEGED and start is not None:
            out[k] = max(out[k], start + wait)
    return out


def _aligned(units: pd.DataFrame, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base status, side and encirclement of the units ``ids`` (``None``/False: absent)."""
    past_ids = units["area_id"].to_numpy(dtype=object)
    status = units["base_status"].to_numpy(dtype=object)
    side = units["side"].to_numpy(dtype=object)
    encircled = units["encircled"].to_numpy(dtype=bool)
    if len(past_ids) == len(ids) and (past_ids == ids).all():
        return status, side, encircled
    at = pd.Index(past_ids).get_indexer(ids)
    found = at >= 0
    out_status = np.full(len(ids), None, dtype=object)
    out_side = np.full(len(ids), None, dtype=object)
    out_encircled = np.zeros(len(ids), dtype=bool)
    out_status[found], out_side[found] = status[at[found]], side[at[found]]
    out_encircled[found] = encircled[at[found]]
    return out_status, out_side, out_encircled
