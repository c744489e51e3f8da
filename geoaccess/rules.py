"""The thresholds of every rule, and the access statuses they produce."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Literal

__all__ = ["AccessStatus", "Rules", "STATUSES", "STATUS_COLORS"]

Scheme = Literal["ocha", "siege_watch"]
Unmapped = Literal["passable", "hostile"]
Sea = Literal["impassable", "ignore"]
SCHEMES: tuple[str, ...] = ("ocha", "siege_watch")
UNMAPPED: tuple[str, ...] = ("passable", "hostile")
SEAS: tuple[str, ...] = ("impassable", "ignore")


class AccessStatus(str, Enum):
    """Access status of an area or pocket, ordered from least to most severe.

    Members compare by severity: ``AccessStatus.BESIEGED > AccessStatus.ACCESSIBLE``.
    ``NO_DATA`` is the status of ground no side holds on a date: nothing is known of its
    access, so it ranks below every status that says something.
    """

    ACCESSIBLE = "accessible"
    HARD_TO_REACH = "hard_to_reach"
    WATCHLIST = "watchlist"
    BESIEGED = "besieged"
    NO_DATA = "no_data"

    @property
    def severity(self) -> int:
        """Rank of the status, 0 for accessible up to 3 for besieged (-1: no data)."""
        return _SEVERITY[self]

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``"hard to reach"``."""
        return self.value.replace("_", " ")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AccessStatus):
            return NotImplemented
        return self.severity < other.severity

    def __le__(self, other: object) -> bool:
        if not isinstance(other, AccessStatus):
            return NotImplemented
        return self.severity <= other.severity

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, AccessStatus):
            return NotImplemented
        return self.severity > other.severity

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, AccessStatus):
            return NotImplemented
        return self.severity >= other.severity

    def __str__(self) -> str:
        return self.value


_SEVERITY = {
    AccessStatus.NO_DATA: -1,
    AccessStatus.ACCESSIBLE: 0,
    AccessStatus.HARD_TO_REACH: 1,
    AccessStatus.WATCHLIST: 2,
    AccessStatus.BESIEGED: 3,
}

#: The status values, least severe first, then ``no_data`` (the order of tables).
STATUSES: tuple[str, ...] = tuple(status.value for status in AccessStatus)

#: Default colours of the statuses (the palette is data: maps and figures read it from
#: here). Colour-blind safe: every pair stays distinguishable under deuteranopia,
#: protanopia and tritanopia, and apart from :data:`geoaccess.display.SIDE_PALETTE`.
STATUS_COLORS: dict[str, str] = {
    AccessStatus.ACCESSIBLE.value: "#77AADD",
    AccessStatus.HARD_TO_REACH.value: "#E69F00",
    AccessStatus.WATCHLIST.value: "#EE3377",
    AccessStatus.BESIEGED.value: "#882255",
    AccessStatus.NO_DATA.value: "#DDDDDD",
}


@dataclass(frozen=True)
class Rules:
    """Every threshold geoaccess uses, in metres and days.

    Parameters
    ----------
    snap_m : float
        Gaps narrower than this between zones of one side are closed; lines within this
        distance of each other meet; unmapped slivers narrower than this along the
        frame's edge are not counted as hostile (see ``unmapped``).
    fire_control_m : float
        Ground within this distance of hostile territory can be interdicted by fire.
    edge_tolerance_m : float
        Detailed zone and impassable polygons (1,000 vertices or more: real control
        maps, coastlines) are simplified within this distance before the territory
        rules run, so that maps digitised to a metre cost no more than they tell: a
        boundary moves by at most this much, a tenth of ``snap_m`` by default. The
        frame (densified so that its edges follow parallels and meridians) is
        simplified within 1 m, or this distance when smaller. ``0`` keeps every vertex.
    unmapped : {"passable", "hostile"}
        How ground that no zone covers is treated. ``"hostile"`` counts it as hostile
        ground but for the slivers narrower than ``snap_m`` within ``snap_m`` of the
        frame's edge, where a map's zones stop a float's width or a simplification's
        metres short of it (the zones run on beyond the map's edge). Inside the map,
        narrow unmapped ground stays hostile.
    sea : {"impassable", "ignore"}
        ``"impassable"``: the sea, from the coastline geoaccess ships (Natural Earth
        1:10m land), is impassable ground wherever the ``impassable`` layer does not
        already cover it, and the frame's edge lying on it is not a rear; ``"ignore"``:
        only the ``impassable`` layer is.
    scheme : {"ocha", "siege_watch"}
        ``"siege_watch"`` reports encirclements shorter than ``min_siege_days`` as
        ``watchlist`` instead of ``besieged``.
    min_siege_days : int
        Days of encirclement before Siege Watch calls an area besieged.
    distance_bands_m : tuple of float
        Upper edges of the distance bands from the front line, increasing.
    walk_reach_m : float
        Walking reach around corridor entrances.
    walk_speed_kmh : float
        Walking speed used to turn distances into times.
    incident_radius_m : float
        Incidents within this distance of a facility count as near it.
    incident_window_days : int
        Incidents in this many days up to the assessed date count as recent.
    metric_crs : str, optional
        CRS for metric computations; by default a local UTM zone chosen from the extent.

    Examples
    --------
    >>> rules = Rules(fire_control_m=1000)
    >>> rules.fire_control_m
    1000
    >>> Rules(scheme="other")
    Traceback (most recent call last):
    ...
    ValueError: Rules.scheme must be one of 'ocha', 'siege_watch'; got 'other'
    """

    snap_m: float = 50.0
    fire_control_m: float = 1500.0
    edge_tolerance_m: float = 5.0
    unmapped: Unmapped = "passable"
    sea: Sea = "impassable"
    scheme: Scheme = "ocha"
    min_siege_days: int = 180
    distance_bands_m: tuple[float, ...] = (1000.0, 3000.0, 10000.0)
    walk_reach_m: float = 5000.0
    walk_speed_kmh: float = 4.0
    incident_radius_m: float = 1000.0
    incident_window_days: int = 30
    metric_crs: str | None = None

    def __post_init__(self) -> None:
        _choice("scheme", self.scheme, SCHEMES)
        _choice("unmapped", self.unmapped, UNMAPPED)
        _choice("sea", self.sea, SEAS)
        for name in (
            "snap_m",
            "fire_control_m",
            "edge_tolerance_m",
            "walk_reach_m",
            "incident_radius_m",
        ):
            _non_negative(name, getattr(self, name))
        _positive("walk_speed_kmh", self.walk_speed_kmh)
        for name in ("min_siege_days", "incident_window_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                msg = f"Rules.{name} must be a whole number of days >= 0; got {value!r}"
                raise ValueError(msg)
        bands = self.distance_bands_m
        if isinstance(bands, (str, bytes)) or not hasattr(bands, "__iter__"):
            msg = f"Rules.distance_bands_m must be a sequence of distances; got {bands!r}"
            raise ValueError(msg)
        bands = tuple(float(b) for b in bands)
        if not bands or any(b <= 0 or not math.isfinite(b) for b in bands):
            msg = f"Rules.distance_bands_m must be positive finite distances; got {bands!r}"
            raise ValueError(msg)
        if any(b2 <= b1 for b1, b2 in itertools.pairwise(bands)):
            msg = f"Rules.distance_bands_m must be strictly increasing; got {bands!r}"
            raise ValueError(msg)
        object.__setattr__(self, "distance_bands_m", bands)
        if self.metric_crs is not None and not isinstance(self.metric_crs, str):
            object.__setattr__(self, "metric_crs", _crs_string(self.metric_crs))

    @classmethod
    def from_mapping(cls, values: dict[str, Any], *, base: Rules | None = None) -> Rules:
        """Build rules from a mapping (such as a manifest's ``[rules]`` table).

        Unknown keys raise a ``ValueError`` listing the known ones.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            msg = f"unknown rule(s) {', '.join(unknown)}; known rules: {', '.join(sorted(known))}"
            raise ValueError(msg)
        start = base if base is not None else cls()
        current = {f.name: getattr(start, f.name) for f in fields(cls)}
        current.update(values)
        if isinstance(current["distance_bands_m"], list):
            current["distance_bands_m"] = tuple(current["distance_bands_m"])
        return cls(**current)

    def to_dict(self) -> dict[str, Any]:
        """The rules as a plain mapping (tuples as lists), e.g. for a manifest."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        msg = f"Rules.{name} must be one of {options}; got {value!r}"
        raise ValueError(msg)


def _non_negative(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"Rules.{name} must be a distance in metres; got {value!r}"
        raise ValueError(msg)
    if not math.isfinite(value) or value < 0:
        msg = f"Rules.{name} must be a finite distance >= 0 metres; got {value!r}"
        raise ValueError(msg)


def _positive(name: str, value: object) -> None:
    _non_negative(name, value)
    if value == 0:
        msg = f"Rules.{name} must be greater than 0; got {value!r}"
        raise ValueError(msg)


def _crs_string(crs: object) -> str:
    from pyproj import CRS

    return CRS.from_user_input(crs).to_string()
