"""Charts of a timeline: people by status over time, and each area's status through time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..display import STATUS_ORDER, format_date, format_people, status_color, status_label
from ..protocols import TimelineLike
from .backend import new_figure, save
from .furniture import add_footer, add_title, people_axis

#: Height of a run's bar in :func:`status_chart`, in rows.
BAR_HEIGHT = 0.86

__all__ = ["population_chart", "status_chart"]


def _period(tl: TimelineLike) -> str:
    return f"{format_date(tl.start)} to {format_date(tl.end)}"


def population_chart(
    tl: TimelineLike,
    path: str | Path | None = None,
    *,
    estimate: str | None = None,
    title: str | None = None,
    size_in: tuple[float, float] = (11.69, 6.5),
    dpi: float = 150,
    created: dt.date | None = None,
) -> Any:
    """A stacked area chart of people by access status, day by day.

    Each day shows the people of the last evaluated date on or before it
    (``tl.population(daily=True)``), most severe status at the bottom; statuses nobody
    had are left out of the chart and its legend.

    Parameters
    ----------
    tl : TimelineLike
        What :func:`geoaccess.timeline` returned.
    path : str or Path, optional
        Save the figure there (PNG, PDF or SVG by the suffix).
    estimate : str, optional
        The population estimate (default: the primary one).
    title : str, optional
        Default "People by access status".
    size_in : (float, float)
        Width and height in inches (default: A4 landscape width).
    dpi : float
        Resolution of a saved PNG.
    created : datetime.date, optional
        The creation date printed in the footer (default: today).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the timeline has no population to chart.
    """
    people = tl.population(estimate=estimate, daily=True)
    if not len(people):
        msg = "the timeline has no population to chart (the scenario has no population)"
        raise ValueError(msg)
    shown = [s for s in STATUS_ORDER if s in people and people[s].sum() > 0]
    figure = new_figure(*size_in, dpi=dpi)
    footer_top = add_footer(figure, tl.scenario, created=created or dt.date.today())
    axes = figure.add_axes((0.11, footer_top + 0.08, 0.62, 0.80 - footer_top - 0.08))
    days = people.index.to_numpy()
    # the day a status changes is drawn as a step: each day's value holds until the next
    edges = np.append(days, days[-1] + np.timedelta64(1, "D"))
    values = [np.append(people[s].to_numpy(float), people[s].to_numpy(float)[-1]) for s in shown]
    axes.stackplot(
        edges,
        *values,
        labels=[f"{status_label(s)} (peak {format_people(people[s].max())})" for s in shown],
        colors=[status_color(s) for s in shown],
        step="post",
        alpha=0.9,
        edgecolor="white",
        linewidth=0.3,
    )
    axes.set_xlim(edges[0], edges[-1])
    axes.set_ylim(0, float(people[shown].sum(axis=1).max()) * 1.05 or 1.0)
    people_axis(axes.yaxis)
    axes.set_ylabel("people")
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    _date_axis(axes)
    axes.legend(
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
        fontsize=9,
        title="Access status",
        title_fontsize=9,
        reverse=True,
    )
    add_title(figure, title or "People by access status", f"{tl.scenario.name} — {_period(tl)}")
    save(figure, path, dpi=dpi)
    return figure


def _date_axis(axes: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def status_chart(
    tl: TimelineLike,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    width_in: float = 11.69,
    dpi: float = 150,
    created: dt.date | None = None,
) -> Any:
    """One row per area, coloured by its access status through time.

    Areas are ordered as in the intervals (by ``area_id``), labelled by name; a day with
    no status (the area absent) is left blank. The figure grows with the number of areas.

    Parameters
    ----------
    tl : TimelineLike
        What :func:`geoaccess.timeline` returned.
    path : str or Path, optional
        Save the figure there (PNG, PDF or SVG by the suffix).
    title : str, optional
        Default "Access status by area".
    width_in : float
        Width in inches (default: A4 landscape).
    dpi : float
        Resolution of a saved PNG.
    created : datetime.date, optional
        The creation date printed in the footer (default: today).

    Returns
    -------
    matplotlib.figure.Figure
    """
    runs = tl.intervals
    if not len(runs):
        msg = "the timeline has no intervals to chart"
        raise ValueError(msg)
    areas = list(dict.fromkeys(runs["area_id"]))
    names = (
        runs.drop_duplicates("area_id").set_index("area_id")["name"].reindex(areas)
        if "name" in runs
        else pd.Series(areas, index=areas)
    )
    row_in = 0.2
    footer_in = 1.3
    height_in = max(4.5, 1.3 + footer_in + row_in * len(areas))
    figure = new_figure(width_in, height_in, dpi=dpi)
    footer_top = add_footer(figure, tl.scenario, created=created or dt.date.today())
    top = 1 - 1.0 / height_in
    bottom = footer_top + 0.45 / height_in
    axes = figure.add_axes((0.24, bottom, 0.58, top - bottom - 0.05 / height_in))
    import matplotlib.dates as mdates
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    # every run one rectangle of one collection: a bar per run took most of the chart's time
    drawn = runs[runs["status"].isin(STATUS_ORDER)]
    row = drawn["area_id"].map({a: k for k, a in enumerate(areas)}).to_numpy(dtype=float)
    left = mdates.date2num(pd.to_datetime(drawn["start"]).to_numpy())
    right = mdates.date2num(pd.to_datetime(drawn["end"]).to_numpy())
    low, high = row - BAR_HEIGHT / 2, row + BAR_HEIGHT / 2
    corners = [(left, low), (left, high), (right, high), (right, low)]
    bars = PolyCollection(
        list(np.stack([np.column_stack(corner) for corner in corners], axis=1)),
        facecolors=[status_color(s) for s in drawn["status"]],
        edgecolors="none",
        linewidths=0,
    )
    axes.add_collection(bars)
    axes.xaxis_date()
    handles = [
        Patch(facecolor=status_color(status), label=status_label(status))
        for status in STATUS_ORDER
        if (drawn["status"] == status).any()
    ]
    start = pd.Timestamp(tl.start).to_datetime64()
    axes.set_yticks(range(len(areas)))
    axes.set_yticklabels(
        [str(n) if isinstance(n, str) and n else str(a) for a, n in zip(areas, names, strict=True)],
        fontsize=max(5.0, min(8.5, 300 / max(len(areas), 1))),
    )
    axes.set_ylim(len(areas) - 0.5, -0.5)
    end = (pd.Timestamp(tl.end) + pd.Timedelta(days=1)).to_datetime64()
    axes.set_xlim(start, end)
    _date_axis(axes)
    axes.grid(axis="x", color="#ffffff", linewidth=0.8)
    for spine in ("top", "right", "left"):
        axes.spines[spine].set_visible(False)
    axes.tick_params(axis="y", length=0)
    axes.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
        fontsize=9,
        title="Access status",
    )
    add_title(
        figure,
        title or "Access status by area",
        f"{tl.scenario.name} — {_period(tl)}",
        top=1 - 0.25 / height_in,
    )
    save(figure, path, dpi=dpi)
    return figure
