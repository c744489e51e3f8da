"""Since when: the backward walk that dates each reporting unit's status.

``status_since`` comes from walking back over earlier change dates (statuses only,
:func:`unit_states`) until the status differs; when the walk reaches the scenario's
first date the status has held *since at least* that date, which is reported. The same
walk gives the first day of an encirclement (Siege Watch's ``encircled_days``), which
:func:`final_status` applies.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import numpy as np
import pandas as pd

from . import exposure
from .access import base_statuses, decide_status, piece_states, road_graph
from .corridors import aid_pockets_at
from .pieces import _dominant, _pieces
from .rules import AccessStatus, Rules
from .scenario import Scenario
from .temporal import TEMPORAL_COLUMNS
from .territory import Ground, Projected, ground_at, side_view

__all__ = ["final_status", "first_date", "history", "unit_states"]


def first_date(scn: Scenario) -> dt.date | None:
    """The earliest ``valid_from``/``valid_to`` of any layer (``None`` when undated)."""
    days = [
        frame[column].min()
        for frame in scn.layers.values()
        for column in TEMPORAL_COLUMNS
        if column in frame and frame[column].notna().any()
    ]
    return min(pd.Timestamp(d).date() for d in days) if days else None


class EvidenceRow(Protocol):
    """A row of a pieces or pockets frame (``DataFrame.itertuples``), as statuses read it."""

    encircled: object
    aid_corridor_open: object
    fire_controlled: object
    roads_enter: object
    open_supply_routes: float | None
    hostile_sides: tuple[str, ...]
    open_corridors: float


def history(
    proj: Projected, day: dt.date, units: pd.DataFrame, *, encircled_only: bool = False
) -> pd.DataFrame:
    """First day of each unit's current base-status run and of its encirclement.

    Walks back over the change dates before ``day`` evaluating statuses only
    (:func:`unit_states`), until every unit's status (and encirclement) differs or the
    scenario's first date is reached. ``encircled_only`` follows encirclements alone
    (``base_since`` is then left at ``day``'s change date).

    Returns
    -------
    DataFrame
        Indexed by ``area_id``: ``base_since``, ``encircled_since`` (``NaT``-like
        ``None`` when not encircled) and ``at_least`` (the walk reached the first date).
    """
    ids = units["area_id"].to_numpy(dtype=object)
    base = units["base_status"].to_numpy(dtype=object)
    enc = units["encircled"].to_numpy(dtype=bool)
    first = first_date(proj.scenario) or day
    dates = proj.scenario.change_dates(min(first, day), day)
    latest = dates[-1]
    base_since = np.full(len(ids), latest, dtype=object)
    enc_since = np.full(len(ids), None, dtype=object)
    enc_since[enc] = latest
    open_base = np.full(len(ids), not encircled_only, dtype=bool)
    open_enc = enc.copy()
    for t in reversed(dates[:-1]):
        if not (open_base.any() or open_enc.any()):
            break
        past = unit_states(proj, t, encircled_only=not open_base.any())
        same = (
            pd.Series(base, index=ids)
            .eq(past["base_status"].reindex(ids).astype(object))
            .to_numpy(bool)
        )
        was_enc = past["encircled"].reindex(ids).astype(object).fillna(False).to_numpy(bool)
        open_base &= same
        open_enc &= was_enc
        base_since[open_base] = t
        enc_since[open_enc] = t
    at_least = open_base & (base_since == dates[0])
    return pd.DataFrame(
        {"base_since": base_since, "encircled_since": enc_since, "at_least": at_least},
        index=pd.Index(ids, dtype=object),
    )


def unit_states(proj: Projected, day: dt.date, *, encircled_only: bool = False) -> pd.DataFrame:
    """Base status and encirclement of every reporting unit on ``day``, nothing else.

    The same statuses as :func:`~geoaccess.assess.evaluate` (its ``units``), computed with only what
    decides them: fire control where not encircled, roads where neither, roads as "some
    open link" (:func:`~geoaccess.access.piece_states`). The geometric part is memoised
    by the zones, siege lines, roads and areas valid on ``day``, so walking back over
    dates that differ only by corridors (or facilities) costs one corridor lookup each.
    ``encircled_only`` leaves ``base_status`` empty.

    Returns
    -------
    DataFrame
        Indexed by ``area_id``: ``base_status``, ``encircled`` and ``pocket_id`` (of the
        dominant piece; ``None`` where no side holds the unit).
    """
    ground = ground_at(proj, day)
    key = (
        "states",
        ground.key,
        *(proj.rows_at(name, day) for name in ("siege_lines", "roads", "areas")),
    )
    states = proj.memo.get(key)
    if not isinstance(states, dict) or (not encircled_only and "blocked" not in states):
        states = _piece_states(proj, ground, encircled_only=encircled_only)
        proj.memo[key] = states
    piece = states["piece"]
    has = piece >= 0
    encircled = np.zeros(len(piece), dtype=bool)
    encircled[has] = states["encircled"][piece[has]]
    status = np.full(
        len(piece), None if encircled_only else AccessStatus.ACCESSIBLE.value, dtype=object
    )
    if not encircled_only:
        aid = np.isin(states["pocket_id"], list(aid_pockets_at(ground)))
        by_piece = base_statuses(
            encircled=states["encircled"],
            aid_corridor_open=aid,
            fire_controlled=states["fire"],
            roads_blocked=states["blocked"],
        )
        status[has] = by_piece[piece[has]]
    pocket = np.full(len(piece), None, dtype=object)
    pocket[has] = states["pocket_id"][piece[has]]
    return pd.DataFrame(
        {"base_status": status, "encircled": encircled, "pocket_id": pocket},
        index=pd.Index(states["area_id"], dtype=object),
    )


def _piece_states(
    proj: Projected, ground: Ground, *, encircled_only: bool
) -> dict[str, np.ndarray]:
    """Per piece: encircled, fire-controlled, roads blocked; per unit: dominant piece."""
    areas = proj.layer_at("areas", ground.date)
    pockets = ground.pockets
    weights = None
    if areas is None:
        pieces = pockets.assign(area_id=pockets["pocket_id"], population=np.nan, share=1.0)
        unit_ids = pockets["pocket_id"]
    else:
        same = (
            ground.key,
            *(proj.rows_at(name, ground.date) for name in ("siege_lines", "roads", "areas")),
        )
        if ("pieces", *same) not in proj.memo:
            proj.memo[("pieces", *same)] = _pieces(areas, pockets, proj.rules.snap_m)
        pieces = proj.memo[("pieces", *same)]
        unit_ids = areas["area_id"]
        weights = exposure.primary_pieces(proj, ground.date, pieces, same)
    n = len(pieces)
    out = {
        "area_id": unit_ids.to_numpy(dtype=object),
        "piece": _dominant(unit_ids.astype(object), pieces, weights),
        "pocket_id": pieces["pocket_id"].to_numpy(dtype=object),
        "encircled": np.zeros(n, dtype=bool),
    }
    if not encircled_only:
        out["fire"] = np.zeros(n, dtype=bool)
        out["blocked"] = np.zeros(n, dtype=bool)
    graph = None if encircled_only else road_graph(proj, ground.date)
    sides = pieces["side"].to_numpy(dtype=object)
    geoms = np.asarray(pieces.geometry.array, dtype=object)
    for side in ground.sides:
        rows = np.flatnonzero(sides == side)
        if not len(rows):
            continue
        found = piece_states(
            side_view(ground, side), geoms[rows], graph=graph, encircled_only=encircled_only
        )
        for name, values in found.items():
            out[name][rows] = values
    return out


def final_status(
    row: EvidenceRow, rules: Rules, day: dt.date, base_since: dt.date, enc_since: dt.date | None
) -> tuple[AccessStatus, str, dt.date]:
    """Status, reason and first day of the status, Siege Watch's day count applied."""
    days = (day - enc_since).days if enc_since is not None else None
    status, reason = _decide(row, rules, days=days, since=enc_since)
    since = base_since
    if status is AccessStatus.BESIEGED and rules.scheme == "siege_watch" and enc_since is not None:
        since = max(base_since, enc_since + dt.timedelta(days=rules.min_siege_days))
    return status, reason, since


def _decide(
    row: EvidenceRow, rules: Rules, *, days: int | None, since: dt.date | None
) -> tuple[AccessStatus, str]:
    return decide_status(
        encircled=bool(row.encircled),
        aid_corridor_open=bool(row.aid_corridor_open),
        fire_controlled=bool(row.fire_controlled),
        roads_enter=bool(row.roads_enter),
        open_supply_routes=row.open_supply_routes,
        encircled_days=days,
        rules=rules,
        hostile_sides=row.hostile_sides,
        encircled_since=since,
        open_corridors=int(row.open_corridors),
    )
