"""What every figure carries: a title block and a footer (sources, disclaimer, creation).

The footer names the scenario's sources, the disclaimer of
:data:`geoaccess.display.DISCLAIMER`, the scenario's own note (the bundled scenario says
it is illustrative) and the creation date, so a figure cut out of a report still says
where it comes from.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import Any

from ..display import DISCLAIMER
from ..scenario.model import Scenario

__all__ = ["FOOTER_LINES", "add_footer", "add_title", "footer_lines", "people_axis"]

#: At most this many lines of sources are printed (the rest summarised).
FOOTER_LINES = 4


def add_title(figure: Any, title: str, subtitle: str = "", *, top: float = 0.975) -> None:
    """A bold title and a grey subtitle at the top left of the figure."""
    figure.text(0.03, top, title, ha="left", va="top", fontsize=15, fontweight="bold")
    if subtitle:
        gap = 0.3 / figure.get_figheight()  # inches below the title, whatever the height
        figure.text(0.03, top - gap, subtitle, ha="left", va="top", fontsize=9.5, color="#444")


def footer_lines(
    scenario: Scenario, *, created: dt.date, width: int = 160, extra: Sequence[str] = ()
) -> list[str]:
    """The footer's lines: sources, disclaimer, the scenario's note, creation date.

    Examples
    --------
    >>> import geoaccess as ga
    >>> lines = footer_lines(ga.datasets.aleppo_2016(), created=dt.date(2024, 5, 1))
    >>> lines[0].startswith("Sources: Neighbourhoods: OCHA COD-AB Syria")
    True
    >>> any("do not imply official endorsement or acceptance" in line for line in lines)
    True
    >>> lines[-1]
    'Created 1 May 2024 with geoaccess.'
    """
    sources = "; ".join(s for s in scenario.sources if s)
    lines: list[str] = []
    if sources:
        # no break at hyphens: a licence (CC BY-IGO 3.0) or a date stays on one line
        wrapped = textwrap.wrap(f"Sources: {sources}.", width=width, break_on_hyphens=False)
        if len(wrapped) > FOOTER_LINES:
            wrapped = [*wrapped[: FOOTER_LINES - 1], wrapped[FOOTER_LINES - 1] + " …"]
        lines += wrapped
    lines += list(extra)
    note = scenario.description.strip()
    if note:
        lines += textwrap.wrap(note, width=width, break_on_hyphens=False)
    lines += textwrap.wrap(DISCLAIMER, width=width)
    lines.append(f"Created {created.day} {created:%B %Y} with geoaccess.")
    return lines


def add_footer(
    figure: Any,
    scenario: Scenario,
    *,
    created: dt.date,
    bottom: float = 0.015,
    width: int = 160,
    fontsize: float = 6.5,
    extra: Sequence[str] = (),
) -> float:
    """Write the footer at the bottom left; return its top (figure fraction)."""
    lines = footer_lines(scenario, created=created, width=width, extra=extra)
    height_in = figure.get_figheight()
    line = fontsize * 1.35 / 72 / height_in
    figure.text(
        0.03,
        bottom,
        "\n".join(lines),
        ha="left",
        va="bottom",
        fontsize=fontsize,
        color="#333",
        linespacing=1.35,
    )
    return bottom + line * len(lines)


def people_axis(axis: Any) -> None:
    """Label an axis's ticks as whole people with thousands separators."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{round(value):,}"))
