"""The assessment map: the situation on one date."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from ..display import Palette, side_names
from ..protocols import AssessmentLike
from .area_fields import area_table
from .areas import AreaLayers, area_groups
from .base import DISCLAIMER, check_options, finish_map, frame_bounds, start_map
from .layers import (
    change_layer,
    corridor_layer,
    facility_layer,
    incident_layer,
    line_layer,
    pocket_layer,
    status_patterns,
    zone_layer,
)
from .legend import Legend, MapTitle, SourcesNote, legend_sections
from .prepare import (
    change_features,
    corridor_features,
    facility_features,
    incident_features,
    line_features,
    pocket_features,
    population_classes,
    simplify_frame,
    zone_features,
)
from .style import format_date, side_colors

__all__ = ["assessment_map"]


def assessment_map(
    result: AssessmentLike,
    *,
    m: folium.Map | None = None,
    tiles: Any = "OpenStreetMap",
    offline: bool = True,
    simplify_m: float = 25.0,
    precision: int = 5,
    title: str | None = None,
    palette: Palette = "colorblind",
    changes: gpd.GeoDataFrame | None = None,
    changes_since: Any = None,
) -> folium.Map:
    """A folium map of the access situation on one date.

    Every layer can be switched in the layer control: control zones coloured by side,
    population classes (Fisher-Jenks natural breaks, at most 5 classes; off at first),
    areas by access status (besieged, hard-to-reach and watchlist areas hatched and
    outlined in bold), pocket outlines, lifelines, front and siege lines, corridors
    (entrance marker, line and an arrow at the exit, coloured by status), facilities and
    incidents of the rules' incident window (clustered). A legend, a scale bar, the title,
    the sources and a disclaimer are drawn in the map; on small maps the legend, the
    sources and the layer control fold away. Text from data is escaped.

    Parameters
    ----------
    result : AssessmentLike
        What :func:`geoaccess.assess` returned.
    m : folium.Map, optional
        Add the layers to this map instead of a new one.
    tiles : str, folium.TileLayer or None
        Base map of a new map; ``None`` for no tiles (no tile requests at all). The
        default is OpenStreetMap: CARTO tiles now need an API key (xyzservices warns).
    offline : bool
        Inline folium's JavaScript and CSS so the HTML works without network (the
        default; ``False`` links them from CDNs, a smaller file that needs the network).
        Pair with ``tiles=None`` for a page that requests nothing.
    simplify_m : float
        Geometry simplification tolerance in metres, applied in ``result.metric_crs``.
    precision : int
        Decimals of longitude/latitude kept in the page.
    title : str, optional
        Title; by default "Situation as of <date>".
    palette : {"colorblind", "scenario"}
        Side colours: colour-blind safe (default) or the parties' own ``color``.
    changes : GeoDataFrame, optional
        What :func:`geoaccess.changes` (or ``tl.changes``) returned: the areas whose
        status changed, drawn as their own layer (a dashed outline; popups say what the
        status was and since when it is the new one).
    changes_since : date-like, optional
        The earlier date of ``changes``, named in the layer control and legend (by
        default the earliest ``changed_on``).

    Returns
    -------
    folium.Map
    """
    check_options(simplify_m=simplify_m, precision=precision)
    scenario = result.scenario
    prep = partial(
        simplify_frame, metric_crs=result.metric_crs, simplify_m=simplify_m, precision=precision
    )
    zones, areas, pockets = prep(scenario.zones), prep(result.areas), prep(result.pockets)
    # fit to the reporting units (zones often cover the whole frame), else the zones
    bounds = frame_bounds([areas] if len(areas) else [zones], scenario.extent)
    m = start_map(m, tiles=tiles, offline=offline, bounds=bounds)
    colors = side_colors(scenario.parties, palette=palette)
    names = side_names(scenario.parties)

    zone_feats = zone_features(zones, scenario.parties, colors)
    table = area_table(areas, side_names=names)
    bins, classes = population_classes(list(table.populations))
    siege = result.siege_lines if result.siege_lines is not None else scenario.siege_lines
    corridor_feats = corridor_features(prep(result.corridors))
    facility_feats = facility_features(prep(result.facilities))
    lifeline_feats = line_features(prep(result.lifelines), kind="lifelines")
    incident_feats = incident_features(
        prep(_recent(scenario.incidents, result.date, result.rules.incident_window_days))
    )

    patterns = status_patterns(m)
    zone_layer(zone_feats).add_to(m)
    groups = area_groups()
    for group in groups.values():
        group.add_to(m)
    if len(areas):
        AreaLayers(
            table,
            areas.geometry.to_numpy(),
            classes=classes,
            groups=groups,
            patterns=patterns,
            precision=precision,
        ).add_to(m)
    pocket_layer(pocket_features(pockets)).add_to(m)
    line_layer(lifeline_feats, kind="lifelines").add_to(m)
    line_layer(
        line_features(prep(result.front_lines), kind="front_lines"), kind="front_lines"
    ).add_to(m)
    line_layer(line_features(prep(siege), kind="siege_lines"), kind="siege_lines").add_to(m)
    corridor_layer(corridor_feats).add_to(m)
    facility_layer(facility_feats).add_to(m)
    incident_layer(incident_feats).add_to(m)
    since = ""
    if changes is not None:
        since = format_date(changes_since) or format_date(_earliest(changes))
        change_layer(change_features(prep(changes), side_names=names), since=since).add_to(m)

    Legend(
        legend_sections(
            statuses=list(table.statuses),
            sides=[f["properties"]["side"] for f in zone_feats],
            side_colors=colors,
            corridor_statuses=[f["properties"]["status"] for f in corridor_feats],
            facility_kinds=[f["properties"]["kind"] for f in facility_feats],
            lines={
                "front_lines": len(result.front_lines) > 0,
                "siege_lines": siege is not None and len(siege) > 0,
                "lifelines": len(lifeline_feats) > 0,
            },
            population_bins=bins,
            people_by_status=_people_by_status(result.population),
            side_names=names,
            changes_since=since if changes is not None else "",
        )
    ).add_to(m)
    MapTitle(title or f"Situation as of {format_date(result.date)}", subtitle=scenario.name).add_to(
        m
    )
    SourcesNote(scenario.sources, scenario.description or DISCLAIMER).add_to(m)
    return finish_map(m, bounds=bounds, offline=offline)


def _earliest(changes: gpd.GeoDataFrame) -> Any:
    """The earliest change date of a changes table (``None`` when empty)."""
    if "changed_on" not in changes or not len(changes):
        return None
    days = pd.to_datetime(changes["changed_on"], errors="coerce").dropna()
    return days.min().date() if len(days) else None


def _people_by_status(table: pd.DataFrame) -> dict[str, tuple[int, float]] | None:
    """Areas and people of each status, read from the assessment's population table.

    The legend says the same figures as ``res.population`` (and the command line's
    summary), because it reads them from there. ``None`` without population.
    """
    if "category" not in table or "population" not in table:
        return None
    rows = table[table["category"] == "status"]
    if not len(rows):
        return None
    return {
        str(label): (int(areas), float(people))
        for label, areas, people in zip(
            rows["label"], rows["areas"].fillna(0), rows["population"].fillna(0.0), strict=True
        )
    }


def _recent(incidents: pd.DataFrame | None, day: dt.date, window_days: int) -> pd.DataFrame | None:
    """Incidents of the ``window_days`` up to ``day`` (all of them without a date column)."""
    if incidents is None or "date" not in incidents:
        return incidents
    dates = pd.to_datetime(incidents["date"], errors="coerce").dt.date
    start = day - dt.timedelta(days=window_days)
    keep = dates.notna() & (dates <= day) & (dates > start)
    return incidents[keep.to_numpy()]
