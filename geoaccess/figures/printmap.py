"""The print map of an assessment: A4 or A3, ready for a situation report.

The map is drawn in the result's metric CRS (so the scale bar measures true metres):
control zones by side, areas by access status (besieged, watchlist and hard-to-reach
hatched), front and siege lines, lifelines and corridors. Around it: the title and date,
a legend that fits in its own panel (statuses with their areas and people, sides, lines,
corridors), a scale bar, a north arrow, and the footer of
:mod:`~geoaccess.figures.furniture` (sources, disclaimer, the scenario's note, creation
date). A basemap is drawn only when asked (``basemap=True``, contextily, which fetches
tiles over the network); without it nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from ..display import (
    CORRIDOR_COLORS,
    STATUS_ORDER,
    Palette,
    format_date,
    format_people,
    side_colors,
    side_names,
    status_color,
    status_label,
)
from ..protocols import AssessmentLike
from .backend import import_basemap, import_scalebar, new_figure, save
from .furniture import add_footer, add_title

__all__ = ["HATCHES", "PAPER_MM", "print_map"]

Paper = Literal["A4", "A3"]
#: Paper sizes (long side, short side) in millimetres.
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
#: Hatching of the statuses that are not accessible.
HATCHES: dict[str, str] = {"besieged": "////", "watchlist": "\\\\\\\\", "hard_to_reach": ".."}
_LINES: dict[str, tuple[str, str, Any, float]] = {
    "front_lines": ("front line", "#111111", "-", 1.8),
    "siege_lines": ("siege line", "#6a1b9a", "--", 1.8),
    "lifelines": ("lifeline (last road link)", "#e7298a", "-", 3.0),
}


def print_map(
    result: AssessmentLike,
    path: str | Path | None = None,
    *,
    paper: Paper = "A4",
    landscape: bool = True,
    title: str | None = None,
    basemap: bool = False,
    basemap_source: Any = None,
    palette: Palette = "colorblind",
    dpi: float = 200,
    created: dt.date | None = None,
) -> Any:
    """A print map of the access situation on one date.

    Parameters
    ----------
    result : AssessmentLike
        What :func:`geoaccess.assess` returned.
    path : str or Path, optional
        Save the map there: PNG, PDF or SVG by the suffix.
    paper : {"A4", "A3"}
        Paper size.
    landscape : bool
        Landscape (default) or portrait.
    title : str, optional
        Default "Access status on <date>".
    basemap : bool
        Draw web tiles under the map (contextily, ``geoaccess[basemap]``; fetches tiles
        over the network). Off by default: the map needs nothing from outside.
    basemap_source : optional
        A contextily/xyzservices tile provider (default: OpenStreetMap).
    palette : {"colorblind", "scenario"}
        Side colours (see :func:`geoaccess.display.side_colors`).
    dpi : float
        Resolution of a saved PNG.
    created : datetime.date, optional
        The creation date in the footer (default: today).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if paper not in PAPER_MM:
        msg = f"paper must be one of {', '.join(PAPER_MM)}; got {paper!r}"
        raise ValueError(msg)
    long_mm, short_mm = PAPER_MM[paper]
    width_mm, height_mm = (long_mm, short_mm) if landscape else (short_mm, long_mm)
    figure = new_figure(width_mm / 25.4, height_mm / 25.4, dpi=dpi)
    scenario = result.scenario
    crs = result.metric_crs
    scale = long_mm / 297.0  # text grows a little with the paper
    footer_top = add_footer(
        figure,
        scenario,
        created=created or dt.date.today(),
        width=int(150 * width_mm / 297.0),
        fontsize=6.0 * scale,
    )
    top = 1 - 17 / height_mm
    legend_width = 0.25 if landscape else 0.0
    map_bottom = footer_top + (0.015 if landscape else 0.22)
    axes = figure.add_axes((0.03, map_bottom, 0.97 - 0.03 - legend_width, top - map_bottom))
    colors = side_colors(scenario.parties, palette=palette)
    areas = _metric(result.areas, crs)
    zones = _metric(scenario.zones, crs)
    _draw_zones(axes, zones, scenario.parties, colors)
    _draw_areas(axes, areas)
    siege = result.siege_lines if result.siege_lines is not None else scenario.siege_lines
    lines = {
        "lifelines": _metric(result.lifelines, crs),
        "front_lines": _metric(result.front_lines, crs),
        "siege_lines": _metric(siege, crs),
    }
    for kind, frame in lines.items():
        if len(frame):
            _, color, style, width = _LINES[kind]
            frame.plot(ax=axes, color=color, linestyle=style, linewidth=width * scale, zorder=4)
    corridors = _metric(result.corridors, crs)
    _draw_corridors(axes, corridors, scale)
    _frame(axes, areas if len(areas) else zones)
    if basemap:
        contextily = import_basemap()
        source = basemap_source or contextily.providers.OpenStreetMap.Mapnik
        contextily.add_basemap(axes, crs=crs, source=source, zorder=0, attribution_size=6)
    _scale_bar(axes, scale)
    _north_arrow(axes, scale)
    handles = _legend_handles(result, areas, zones, scenario.parties, colors, lines, corridors)
    legend_axes = (
        figure.add_axes((1 - legend_width, map_bottom, legend_width - 0.02, top - map_bottom))
        if landscape
        else figure.add_axes((0.03, footer_top + 0.01, 0.94, 0.2))
    )
    legend_axes.set_axis_off()
    legend_axes.legend(
        handles=handles,
        loc="upper left",
        frameon=False,
        fontsize=7.5 * scale,
        ncol=1 if landscape else 2,
        handlelength=2.2,
        borderaxespad=0.0,
    )
    add_title(
        figure,
        title or f"Access status on {format_date(result.date)}",
        f"{scenario.name} — situation as of {format_date(result.date)}",
        top=1 - 6 / height_mm,
    )
    save(figure, path, dpi=dpi)
    return figure


def _metric(frame: gpd.GeoDataFrame | None, crs: Any) -> gpd.GeoDataFrame:
    if frame is None or not len(frame):
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    out = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return out.to_crs(crs)


def _draw_zones(
    axes: Any, zones: gpd.GeoDataFrame, parties: pd.DataFrame, colors: dict[str, str]
) -> None:
    if not len(zones):
        return
    side_of = dict(zip(parties["id"], parties["side"], strict=True))
    sides = zones["party"].map(side_of)
    for side, color in colors.items():
        mine = zones[(sides == side).to_numpy()]
        if len(mine):
            mine.plot(ax=axes, color=color, alpha=0.28, linewidth=0, zorder=1)


def _draw_areas(axes: Any, areas: gpd.GeoDataFrame) -> None:
    if not len(areas):
        return
    status = areas["status"].astype(object).where(areas["status"].notna(), "")
    for value in [*STATUS_ORDER, ""]:
        mine = areas[(status == value).to_numpy()]
        if not len(mine):
            continue
        mine.plot(
            ax=axes,
            facecolor=status_color(value),
            edgecolor="#333333",
            linewidth=0.4,
            alpha=0.8,
            hatch=HATCHES.get(value),
            zorder=2,
        )


def _draw_corridors(axes: Any, corridors: gpd.GeoDataFrame, scale: float) -> None:
    for row in corridors.itertuples(index=False):
        color = CORRIDOR_COLORS.get(str(getattr(row, "status", "")), "#555555")
        xs, ys = zip(*[c[:2] for c in row.geometry.coords], strict=True)
        dashed = getattr(row, "status", "") != "open"
        axes.plot(
            xs, ys, color=color, linewidth=2.4 * scale, linestyle="--" if dashed else "-", zorder=5
        )
        axes.plot(
            xs[0],
            ys[0],
            marker="o",
            markersize=6 * scale,
            color=color,
            markeredgecolor="white",
            zorder=6,
        )
        axes.annotate(
            "",
            xy=(xs[-1], ys[-1]),
            xytext=(xs[-2], ys[-2]),
            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2 * scale},
            zorder=6,
        )


def _frame(axes: Any, frame: gpd.GeoDataFrame) -> None:
    axes.set_aspect("equal")
    if len(frame):
        x0, y0, x1, y1 = frame.total_bounds
        pad = 0.04 * max(x1 - x0, y1 - y0)
        axes.set_xlim(x0 - pad, x1 + pad)
        axes.set_ylim(y0 - pad, y1 + pad)
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_xlabel("")
    axes.set_ylabel("")
    for spine in axes.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.8)


def _scale_bar(axes: Any, scale: float) -> None:
    scale_bar = import_scalebar()
    axes.add_artist(
        scale_bar(
            1.0,
            "m",
            location="lower left",
            box_alpha=0.85,
            font_properties={"size": 7 * scale},
            length_fraction=0.22,
        )
    )


def _north_arrow(axes: Any, scale: float) -> None:
    axes.annotate(
        "N",
        xy=(0.955, 0.965),
        xytext=(0.955, 0.875),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10 * scale,
        fontweight="bold",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 9},
        zorder=7,
    )


def _legend_handles(
    result: AssessmentLike,
    areas: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    parties: pd.DataFrame,
    colors: dict[str, str],
    lines: dict[str, gpd.GeoDataFrame],
    corridors: gpd.GeoDataFrame,
) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    table = result.population
    people: dict[str, float] = {}
    if "category" in table and "population" in table:
        rows = table[table["category"] == "status"]
        people = dict(zip(rows["label"], rows["population"].astype(float), strict=True))
    handles: list[Any] = [Patch(visible=False, label="Access status of areas")]
    present = areas["status"].astype(object).tolist() if len(areas) else []
    for status in STATUS_ORDER:
        count = present.count(status)
        if not count:
            continue
        label = f"{status_label(status)}: {count} area{'s' if count != 1 else ''}"
        if status in people:
            label += f", {format_people(people[status])} people"
        handles.append(
            Patch(
                facecolor=status_color(status),
                edgecolor="#333333",
                hatch=HATCHES.get(status),
                alpha=0.8,
                label=label,
            )
        )
    names = side_names(parties)
    side_of = dict(zip(parties["id"], parties["side"], strict=True))
    drawn = set(zones["party"].map(side_of)) if len(zones) else set()
    sides = [s for s in colors if s in drawn]
    if sides:
        handles.append(Patch(visible=False, label="Control zones"))
        handles += [
            Patch(facecolor=colors[s], alpha=0.28, edgecolor="none", label=names.get(s, s))
            for s in sides
        ]
    shown = [k for k, frame in lines.items() if len(frame)]
    statuses = sorted(set(corridors["status"].astype(str))) if len(corridors) else []
    if shown or statuses:
        handles.append(Patch(visible=False, label="Lines"))
    for kind in shown:
        label, color, style, width = _LINES[kind]
        handles.append(Line2D([], [], color=color, linestyle=style, linewidth=width, label=label))
    for status in ("open", "announced", "closed"):
        if status in statuses:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=CORRIDOR_COLORS[status],
                    linestyle="-" if status == "open" else "--",
                    marker="o",
                    linewidth=2.4,
                    label=f"corridor, {status} (entrance ● → exit)",
                )
            )
    return handles
