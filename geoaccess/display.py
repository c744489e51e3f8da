"""How results are shown: the colour-blind-safe palette, readable names and clean numbers.

Maps (:mod:`geoaccess.maps`), figures (:mod:`geoaccess.figures`), the exports and the
reasons all read their colours, labels and number formats from here, so a status has one
colour and a count one format wherever it appears.

- **Colours.** The status colours (:data:`geoaccess.rules.STATUS_COLORS`) and the side
  palette (:data:`SIDE_PALETTE`) stay distinguishable under deuteranopia, protanopia and
  tritanopia (every pair at least 10 CAM02-UCS units apart after simulation; the test
  suite checks it with colorspacious). Sides take the palette in the order they first
  appear among the parties; ``palette="scenario"`` uses the parties' own ``color``.
- **Numbers.** People are whole numbers with thousands separators; shares are
  percentages with one decimal; distances whole metres.
- **Words.** A side is called by its party's name when it has one party, else by its id.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

from .rules import STATUS_COLORS, AccessStatus

__all__ = [
    "CORRIDOR_COLORS",
    "DISCLAIMER",
    "SIDE_PALETTE",
    "STATUS_ORDER",
    "UNMAPPED_COLOR",
    "Palette",
    "format_date",
    "format_metres",
    "format_people",
    "format_percent",
    "is_color",
    "side_colors",
    "side_names",
    "status_color",
    "status_label",
]

Palette = Literal["colorblind", "scenario"]
PALETTES: tuple[str, ...] = ("colorblind", "scenario")

#: What every map, figure and workbook says about the ground it shows.
DISCLAIMER = (
    "The boundaries and names shown and the designations used do not imply official "
    "endorsement or acceptance by the authors of geoaccess."
)
#: Statuses from most to least severe (the order of legends), then ``no_data``.
STATUS_ORDER: tuple[str, ...] = tuple(s.value for s in sorted(AccessStatus, reverse=True))
#: Colour of areas without a status (no zone covers them).
UNMAPPED_COLOR = STATUS_COLORS[AccessStatus.NO_DATA.value]
#: Side colours, chosen to stay apart from each other and from the status colours under
#: colour-vision deficiency (Paul Tol's and Okabe & Ito's colour-blind-safe sets).
SIDE_PALETTE: tuple[str, ...] = ("#DDCC77", "#117733", "#332288", "#0077BB", "#99DDFF", "#CC79A7")
#: Colour of a corridor by status.
CORRIDOR_COLORS: dict[str, str] = {"open": "#009E73", "announced": "#0072B2", "closed": "#555555"}


def status_label(status: Any) -> str:
    """Readable name of a status, ``"unmapped"`` when there is none.

    Examples
    --------
    >>> status_label("hard_to_reach"), status_label(None), status_label("no_data")
    ('hard to reach', 'unmapped', 'no data')
    """
    value = _text(status)
    if not value:
        return "unmapped"
    try:
        return AccessStatus(value).label
    except ValueError:
        return value.replace("_", " ")


def status_color(status: Any) -> str:
    """Colour of a status (the ``no_data`` grey when unmapped or unknown).

    Examples
    --------
    >>> status_color("besieged"), status_color(None) == status_color("no_data")
    ('#882255', True)
    """
    return STATUS_COLORS.get(_text(status), UNMAPPED_COLOR)


def is_color(value: Any) -> bool:
    """Whether ``value`` is a ``#rgb`` or ``#rrggbb`` colour.

    Examples
    --------
    >>> is_color("#c0392b"), is_color("red"), is_color(None)
    (True, False, False)
    """
    value = _text(value)
    return (
        len(value) in (4, 7)
        and value.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


def side_colors(parties: pd.DataFrame, *, palette: Palette = "colorblind") -> dict[str, str]:
    """One colour per side, in the order sides first appear among the parties.

    Parameters
    ----------
    parties : DataFrame
        ``side`` and, for ``palette="scenario"``, ``color``.
    palette : {"colorblind", "scenario"}
        ``"colorblind"`` (default): :data:`SIDE_PALETTE`, safe with the status colours
        under colour-vision deficiency. ``"scenario"``: each side's first party colour,
        the palette's colour where it has none.

    Examples
    --------
    >>> parties = pd.DataFrame({"id": ["a", "b"], "side": ["gov", "opp"],
    ...                         "color": ["#c0392b", None]})
    >>> side_colors(parties)
    {'gov': '#DDCC77', 'opp': '#117733'}
    >>> side_colors(parties, palette="scenario")
    {'gov': '#c0392b', 'opp': '#117733'}
    """
    if palette not in PALETTES:
        msg = f"palette must be one of {', '.join(map(repr, PALETTES))}; got {palette!r}"
        raise ValueError(msg)
    colors: dict[str, str] = {}
    for i, side in enumerate(dict.fromkeys(parties["side"])):
        given = None
        if palette == "scenario" and "color" in parties:
            mine = parties.loc[parties["side"] == side, "color"]
            given = next((_text(c) for c in mine if is_color(c)), None)
        colors[side] = given or SIDE_PALETTE[i % len(SIDE_PALETTE)]
    return colors


def side_names(parties: pd.DataFrame) -> dict[str, str]:
    """Display name of each side: its party's name when it has one party, else its id.

    A party whose name is its id (no name was given) does not name its side.

    Examples
    --------
    >>> parties = pd.DataFrame({"id": ["saa", "ndf", "ypg"],
    ...                         "name": ["Syrian Arab Army", "NDF", "YPG / SDF"],
    ...                         "side": ["government", "government", "sdf"]})
    >>> side_names(parties)
    {'government': 'government', 'sdf': 'YPG / SDF'}
    """
    out: dict[str, str] = {}
    for side in dict.fromkeys(parties["side"]):
        rows = parties[parties["side"] == side]
        name = _text(rows["name"].iloc[0]) if "name" in rows and len(rows) == 1 else ""
        if "id" in rows and name == _text(rows["id"].iloc[0]):
            name = ""  # a party without a name of its own: the side says more
        out[str(side)] = name or str(side).replace("_", " ")
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def format_people(value: Any) -> str:
    """People as a whole number with thousands separators; empty when missing.

    Examples
    --------
    >>> format_people(84399.99999999999), format_people(6.1e-09), format_people(None)
    ('84,400', '0', '')
    """
    number = _number(value)
    if number is None:
        return _text(value) if not isinstance(value, float) else ""
    return f"{round(number):,}"


def format_percent(share: Any) -> str:
    """A share (0 to 1) as a percentage with one decimal; empty when missing.

    Examples
    --------
    >>> format_percent(0.6254), format_percent(1.0), format_percent(float("nan"))
    ('62.5%', '100.0%', '')
    """
    number = _number(share)
    return "" if number is None else f"{100 * number:.1f}%"


def format_metres(value: Any) -> str:
    """A distance in whole metres, ``"1,500 m"``; empty when missing.

    Examples
    --------
    >>> format_metres(1499.6), format_metres(None)
    ('1,500 m', '')
    """
    number = _number(value)
    return "" if number is None else f"{round(number):,} m"


def format_date(value: Any) -> str:
    """A date as ``20 July 2016`` (empty when missing).

    Examples
    --------
    >>> format_date(dt.date(2016, 7, 20)), format_date(None)
    ('20 July 2016', '')
    """
    raw = _text(value)
    if not raw:
        return ""
    day = pd.Timestamp(raw).date()
    return f"{day.day} {day:%B %Y}"


def plain_names(names: Mapping[str, str], sides: Any) -> str:
    """Sides' display names joined with "or" (``"hostile"`` when there are none).

    Examples
    --------
    >>> plain_names({"gov": "government", "sdf": "YPG / SDF"}, ("gov", "sdf"))
    'government or YPG / SDF'
    """
    listed = [names.get(str(s), str(s)) for s in (sides or ())]
    return " or ".join(listed) if listed else "hostile"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    missing = not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)
    if value is pd.NaT or missing:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)
