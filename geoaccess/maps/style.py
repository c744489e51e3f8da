"""The map's palette and labels, as data (from :mod:`geoaccess.display`).

Status colours come from :data:`geoaccess.rules.STATUS_COLORS` and side colours from
:func:`geoaccess.display.side_colors`: colour-blind safe by default, the scenario's own
``parties.color`` with ``palette="scenario"``. Text values from data are escaped by the
callers; colours from data pass :func:`safe_color` first.
"""

from __future__ import annotations

from typing import Any

from ..display import (
    CORRIDOR_COLORS,
    STATUS_ORDER,
    UNMAPPED_COLOR,
    format_date,
    format_metres,
    format_people,
    format_percent,
    is_color,
    side_colors,
    status_color,
    status_label,
)
from .escape import text

__all__ = [
    "CORRIDOR_COLORS",
    "FACILITY_SYMBOLS",
    "STATUS_ORDER",
    "UNMAPPED_COLOR",
    "format_date",
    "format_metres",
    "format_number",
    "format_percent",
    "safe_color",
    "side_colors",
    "status_color",
    "status_label",
]

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

#: A count of people or things: whole, with thousands separators (empty when missing).
format_number = format_people


def safe_color(value: Any, *, default: str) -> str:
    """A ``#rgb``/``#rrggbb`` colour from data, or ``default`` (data never becomes CSS).

    Examples
    --------
    >>> safe_color("#fff", default="#000"), safe_color("red;x:y", default="#000")
    ('#fff', '#000')
    """
    return text(value) if is_color(value) else default
