"""The one status decision, and the sentence that says why.

:func:`decide` applies OCHA's 2016 definitions, made computable, to the evidence of many
pieces of ground at once and returns, for each, the rule that decided it (a
:class:`Why`); :data:`STATUS_OF` maps each rule to its status, and :func:`reason` words
it. Nothing else in geoaccess decides a status.

The rules, in order (the first that applies decides):

1. no side holds the ground: ``no_data`` (:attr:`Why.UNHELD`), never ``accessible``;
2. encircled, no open ``aid``/``mixed`` corridor in its pocket: ``besieged``
   (:attr:`Why.BESIEGED`); with ``Rules(scheme="siege_watch")``, ``watchlist`` while
   encircled for fewer than ``min_siege_days`` (:attr:`Why.WATCHLIST`);
3. encircled, with such a corridor: ``hard_to_reach`` (:attr:`Why.AID_CORRIDOR`);
4. not encircled but fire-controlled: ``hard_to_reach`` (:attr:`Why.FIRE_CONTROL`);
5. not encircled, roads enter it, and no usable unexposed road link to the rear:
   ``hard_to_reach`` (:attr:`Why.ROADS_UNDER_FIRE`);
6. otherwise ``accessible`` (:attr:`Why.LINKED`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import numpy.typing as npt

from ..display import plain_names
from ..rules import AccessStatus, Rules

__all__ = ["STATUS_OF", "Why", "Wording", "decide", "decide_status", "reason", "statuses"]


class Why(Enum):
    """The rule that decided a status."""

    UNHELD = "unheld"
    BESIEGED = "besieged"
    WATCHLIST = "watchlist"
    AID_CORRIDOR = "aid_corridor"
    FIRE_CONTROL = "fire_control"
    ROADS_UNDER_FIRE = "roads_under_fire"
    LINKED = "linked"


#: The status each rule gives.
STATUS_OF: dict[Why, AccessStatus] = {
    Why.UNHELD: AccessStatus.NO_DATA,
    Why.BESIEGED: AccessStatus.BESIEGED,
    Why.WATCHLIST: AccessStatus.WATCHLIST,
    Why.AID_CORRIDOR: AccessStatus.HARD_TO_REACH,
    Why.FIRE_CONTROL: AccessStatus.HARD_TO_REACH,
    Why.ROADS_UNDER_FIRE: AccessStatus.HARD_TO_REACH,
    Why.LINKED: AccessStatus.ACCESSIBLE,
}


def decide(
    *,
    rules: Rules,
    encircled: npt.ArrayLike,
    aid_corridor_open: npt.ArrayLike,
    fire_controlled: npt.ArrayLike,
    roads_blocked: npt.ArrayLike,
    held: npt.ArrayLike | None = None,
    encircled_days: npt.ArrayLike | None = None,
) -> npt.NDArray[np.object_]:
    """The rule deciding the status of each piece of ground (see the module's list).

    Parameters
    ----------
    rules : Rules
        ``scheme`` and ``min_siege_days`` are used.
    encircled, aid_corridor_open, fire_controlled : array of bool
        The evidence, one value per piece.
    roads_blocked : array of bool
        Roads enter the piece and none is a usable unexposed link to the rear.
    held : array of bool, optional
        Whether a side holds the piece (default: all held).
    encircled_days : array of float, optional
        Days each encirclement has lasted (Siege Watch only); ``NaN`` or absent means
        "long enough".

    Returns
    -------
    numpy.ndarray of Why

    Examples
    --------
    >>> why = decide(rules=Rules(), encircled=[True, True, False, False, False],
    ...              aid_corridor_open=[False, True, False, False, False],
    ...              fire_controlled=[False, False, True, False, False],
    ...              roads_blocked=[False, False, False, True, False])
    >>> [w.value for w in why]
    ['besieged', 'aid_corridor', 'fire_control', 'roads_under_fire', 'linked']
    >>> statuses(why).tolist()
    ['besieged', 'hard_to_reach', 'hard_to_reach', 'hard_to_reach', 'accessible']
    """
    enc = np.asarray(encircled, dtype=bool)
    n = len(enc)
    aid = np.asarray(aid_corridor_open, dtype=bool)
    fire = np.asarray(fire_controlled, dtype=bool)
    roads = np.asarray(roads_blocked, dtype=bool)
    holds = np.ones(n, dtype=bool) if held is None else np.asarray(held, dtype=bool)
    short = np.zeros(n, dtype=bool)
    if rules.scheme == "siege_watch" and encircled_days is not None:
        days = np.asarray(encircled_days, dtype=float)
        with np.errstate(invalid="ignore"):
            short = np.isfinite(days) & (days < rules.min_siege_days)
    conditions = [
        ~holds,
        enc & ~aid & short,
        enc & ~aid,
        enc & aid,
        fire,
        roads,
    ]
    choices = [Why.UNHELD, Why.WATCHLIST, Why.BESIEGED, Why.AID_CORRIDOR, Why.FIRE_CONTROL]
    choices.append(Why.ROADS_UNDER_FIRE)
    out = np.full(n, Why.LINKED, dtype=object)
    decided = np.zeros(n, dtype=bool)
    for condition, why in zip(conditions, choices, strict=True):
        now = condition & ~decided
        out[now] = why
        decided |= now
    return out


@dataclass(frozen=True)
class Wording:
    """What a reason may name on a date: sides by display name, the barriers that exist.

    Attributes
    ----------
    side_names : mapping of str to str
        Display name of each side id (:func:`geoaccess.display.side_names`); ids
        missing here are named as they are.
    siege_lines : bool
        Whether siege lines stand on the date (only then does a reason name them).
    impassable : bool
        Whether impassable ground (the sea, the ``impassable`` layer) lies in the frame.
    """

    side_names: Mapping[str, str] = field(default_factory=dict)
    siege_lines: bool = False
    impassable: bool = False

    def sides(self, sides: tuple[str, ...] | list[str] | None) -> str:
        """The sides' display names joined with "or" (``"hostile"`` when none)."""
        return plain_names(self.side_names, sides)

    def barriers(self, sides: tuple[str, ...] | list[str] | None) -> str:
        """What every path out of an encircled pocket crosses, naming what exists.

        Examples
        --------
        >>> Wording({"gov": "government"}).barriers(("gov",))
        'government ground'
        >>> Wording(siege_lines=True, impassable=True).barriers(("gov",))
        'gov ground, a siege line or impassable ground'
        """
        parts = [f"{self.sides(sides)} ground"]
        if self.siege_lines:
            parts.append("a siege line")
        if self.impassable:
            parts.append("impassable ground")
        return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def statuses(why: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """The status values (``"besieged"``...) of decided rules."""
    return np.array([STATUS_OF[w].value for w in np.asarray(why, dtype=object)], dtype=object)


def reason(
    why: Why,
    *,
    rules: Rules,
    day: dt.date,
    hostile_sides: tuple[str, ...] = (),
    encircled_since: dt.date | None = None,
    encircled_days: int | None = None,
    open_corridors: int = 0,
    open_supply_routes: float | None = None,
    roads_enter: bool = False,
    wording: Wording | None = None,
) -> str:
    """One sentence saying why a piece of ground has its status.

    Sides are named by their display names and only the barriers that exist on the
    date are named (``wording``; by default sides by id and no siege line).

    Examples
    --------
    >>> print(reason(Why.BESIEGED, rules=Rules(), day=dt.date(2016, 7, 20),
    ...              hostile_sides=("gov",), encircled_since=dt.date(2016, 7, 17),
    ...              wording=Wording({"gov": "government"}, siege_lines=True)))
    Encircled since 2016-07-17: every land path out crosses government ground or a
    siege line; no open aid corridor.
    >>> print(reason(Why.FIRE_CONTROL, rules=Rules(), day=dt.date(2016, 8, 20),
    ...              hostile_sides=("gov", "sdf"),
    ...              wording=Wording({"gov": "government", "sdf": "YPG / SDF"})))
    Not encircled, but every link to the rear passes within 1,500 m of government or
    YPG / SDF ground (fire control).
    """
    words = wording if wording is not None else Wording()
    enemy = words.sides(hostile_sides)
    fire = f"{rules.fire_control_m:,.0f} m"
    routes = _count(open_supply_routes)
    if why is Why.UNHELD:
        return f"No side holds this area on {day.isoformat()}."
    if why in (Why.BESIEGED, Why.WATCHLIST, Why.AID_CORRIDOR):
        since = f" since {encircled_since.isoformat()}" if encircled_since else ""
        head = f"Encircled{since}: every land path out crosses {words.barriers(hostile_sides)}"
        if why is Why.AID_CORRIDOR:
            return f"{head}, but an open aid corridor serves its pocket."
        tail = "no open aid corridor"
        if open_corridors:
            plural = "s" if open_corridors > 1 else ""
            tail = f"{open_corridors} open corridor{plural} here, none for aid"
        if why is Why.WATCHLIST:
            return (
                f"{head}; {tail}; encircled for {encircled_days} days, fewer than the "
                f"{rules.min_siege_days} Siege Watch requires."
            )
        return f"{head}; {tail}."
    if why is Why.FIRE_CONTROL:
        return (
            f"Not encircled, but every link to the rear passes within {fire} of "
            f"{enemy} ground (fire control)."
        )
    if why is Why.ROADS_UNDER_FIRE:
        return (
            "Not encircled, but no usable road link to the rear is out of fire "
            "(0 open supply routes)."
        )
    text = f"Linked to the rear by ground farther than {fire} from {enemy} territory"
    if roads_enter and routes:
        text += f" and {routes} open supply route{'s' if routes > 1 else ''}"
    return text + "."


def decide_status(
    *,
    encircled: bool,
    aid_corridor_open: bool,
    fire_controlled: bool,
    roads_enter: bool,
    open_supply_routes: float | None,
    encircled_days: int | None,
    rules: Rules,
    hostile_sides: tuple[str, ...] = (),
    encircled_since: dt.date | None = None,
    open_corridors: int = 0,
    day: dt.date | None = None,
    wording: Wording | None = None,
) -> tuple[AccessStatus, str]:
    """The status of one piece of ground and one sentence saying why (:func:`decide`).

    Parameters
    ----------
    encircled, aid_corridor_open, fire_controlled, roads_enter : bool
        The evidence.
    open_supply_routes : float or None
        Usable unexposed road links to the rear (``None``/``NaN`` when no road enters).
    encircled_days : int or None
        Days the encirclement has lasted (Siege Watch scheme only); ``None``: long enough.
    rules : Rules
        ``scheme``, ``min_siege_days`` and ``fire_control_m`` are used.
    hostile_sides : tuple of str, optional
        Named in the sentence.
    encircled_since : datetime.date, optional
        First day of the encirclement, named in the sentence.
    open_corridors : int, optional
        Open corridors of any kind with their entrance in the piece.
    day : datetime.date, optional
        The day assessed (named when no side holds the ground).
    wording : Wording, optional
        Display names of the sides and the barriers that exist (see :func:`reason`).

    Returns
    -------
    tuple of (AccessStatus, str)

    Examples
    --------
    >>> from geoaccess import Rules
    >>> status, why = decide_status(encircled=True, aid_corridor_open=False,
    ...     fire_controlled=False, roads_enter=False, open_supply_routes=None,
    ...     encircled_days=3, rules=Rules(), hostile_sides=("government",),
    ...     encircled_since=dt.date(2016, 7, 17))
    >>> status.value
    'besieged'
    >>> print(why)
    Encircled since 2016-07-17: every land path out crosses government ground; no open
    aid corridor.
    >>> decide_status(encircled=True, aid_corridor_open=False, fire_controlled=False,
    ...     roads_enter=False, open_supply_routes=None, encircled_days=3,
    ...     rules=Rules(scheme="siege_watch"))[0].value
    'watchlist'
    """
    routes = _count(open_supply_routes)
    (rule,) = decide(
        rules=rules,
        encircled=[encircled],
        aid_corridor_open=[aid_corridor_open],
        fire_controlled=[fire_controlled],
        roads_blocked=[bool(roads_enter) and routes == 0],
        encircled_days=[np.nan if encircled_days is None else encircled_days],
    )
    text = reason(
        rule,
        rules=rules,
        day=day or dt.date.min,
        hostile_sides=hostile_sides,
        encircled_since=encircled_since,
        encircled_days=encircled_days,
        open_corridors=open_corridors,
        open_supply_routes=open_supply_routes,
        roads_enter=roads_enter,
        wording=wording,
    )
    return STATUS_OF[rule], text


def _count(value: float | None) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)
