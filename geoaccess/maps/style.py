"""The map's palette and labels, as data.

Status colours come from :data:`geoaccess.rules.STATUS_COLORS`; party colours from the
scenario (``parties.color``), with a colour-blind-safe default palette for the sides that
have none.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..rules import STATUS_COLORS, AccessStatus
from .escape import text

__all__ = [
    "CORRIDOR_COLORS",
    "FACILITY_SYMBOLS",
    "STATUS_ORDER",
    "UNMAPPED_COLOR",
    "format_date",
    "format_number",
    "safe_color",
    "side_colors",
    "status_color",
    "status_label",
]

#: Statuses from most to least severe, the order of the legend.
STATUS_ORDER: tuple[str, ...] = tuple(s.value for s in sorted(AccessStatus, reverse=True))
#: Colour of areas without a status (no zone covers them).
UNMAPPED_COLOR = "#9e9e9e"
#: Colour of a corridor by status.
CORRIDOR_COLORS: dict[str, str] = {"open": "#1a9850", "announced": "#2c7bb6", "closed": "#555555"}
#: Symbol (a short glyph) of a facility by kind; others get a dot.
FACILITY_SYMBOLS: dict[str, str] = {
    "hospital": "H",
    "clinic": "+",
    "health": "+",
    "school": "S",
    "market": "M",
    "bakery": "B",
    "water": "W",
    "water_point": "W",
}
# Okabe-Ito (colour-blind safe), used for sides whose parties carry no colour.
_DEFAULT_PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2", "#d55e00", "#f0e442")


def status_label(status: Any) -> str:
    """Readable name of a status, ``"unmapped"`` when there is none.

    Examples
    --------
    >>> status_label("hard_to_reach"), status_label(None)
    ('hard to reach', 'unmapped')
    """
    value = text(status)
    if not value:
        return "unmapped"
    try:
        return AccessStatus(value).label
    except ValueError:
        return value.replace("_", " ")


def status_color(status: Any) -> str:
    """Colour of a status (grey when unmapped or unknown)."""
    return STATUS_COLORS.get(text(status), UNMAPPED_COLOR)


def side_colors(parties: pd.DataFrame) -> dict[str, str]:
    """One colour per side: its first party's colour, or the default palette's next one.

    Examples
    --------
    >>> parties = pd.DataFrame({"id": ["a", "b"], "side": ["gov", "opp"],
    ...                         "color": ["#c0392b", None]})
    >>> side_colors(parties)
    {'gov': '#c0392b', 'opp': '#56b4e9'}
    """
    colors: dict[str, str] = {}
    for i, side in enumerate(dict.fromkeys(parties["side"])):
        mine = parties.loc[parties["side"] == side, "color"] if "color" in parties else []
        given = next((c for c in mine if _is_color(c)), None)
        colors[side] = given or _DEFAULT_PALETTE[i % len(_DEFAULT_PALETTE)]
    return colors


def _is_color(value: Any) -> bool:
    value = text(value)
    return (
        len(value) in (4, 7)
        and value.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


def safe_color(value: Any, *, default: str) -> str:
    """A ``#rgb``/``#rrggbb`` colour from data, or ``default`` (data never becomes CSS)."""
    return text(value) if _is_color(value) else default


def format_number(value: Any) -> str:
    """A count with thousands separators; empty for missing values.

    Examples
    --------
    >>> format_number(250000.4), format_number(None)
    ('250,000', '')
    """
    if value is None:
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return text(value)
    if math.isnan(number):
        return ""
    return f"{round(number):,}"


def format_date(value: Any) -> str:
    """A date as ``20 July 2016`` (empty when missing).

    Examples
    --------
    >>> import datetime as dt
    >>> format_date(dt.date(2016, 7, 20))
    '20 July 2016'
    """
    raw = text(value)
    if not raw:
        return ""
    day = pd.Timestamp(raw).date()
    return f"{day.day} {day:%B %Y}"
