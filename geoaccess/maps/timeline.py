"""The timeline map: a date slider over the change dates of a :class:`geoaccess.Timeline`.

The data of every evaluated date is embedded once as JSON (features shared between
dates are stored once, with the dates they appear on), and a small Leaflet control of
our own redraws zones, area statuses, front lines and corridors when the slider moves.
The slider runs over days, but each day shows the last evaluated snapshot on or before
it: nothing is computed per day.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import Any

import folium
import geopandas as gpd
from folium.template import Template

from ..display import Palette, side_names
from ..protocols import TimelineLike
from .area_fields import area_features
from .base import DISCLAIMER, check_options, finish_map, frame_bounds, start_map
from .escape import script_json
from .layers import LAYER_TITLES, LINE_STYLES, area_style, status_patterns
from .legend import Legend, MapTitle, SourcesNote, legend_sections
from .prepare import (
    Feature,
    corridor_features,
    line_features,
    simplify_frame,
    zone_features,
)
from .style import format_date, side_colors

__all__ = ["TimelineControl", "timeline_data", "timeline_map"]

_KINDS = ("zones", "areas", "front_lines", "siege_lines", "corridors")


def _prepared(
    frames: Sequence[gpd.GeoDataFrame],
    prep: Callable[[gpd.GeoDataFrame | None], gpd.GeoDataFrame],
) -> list[gpd.GeoDataFrame]:
    """``prep`` of each frame, simplifying each set of shapes once.

    The snapshots' areas usually hold the very same shapes on every date, only their
    values change: a frame with the same shapes, index and columns as the one prepared
    before takes that one's simplified shapes (and drops the same rows) with its own
    values.
    """
    out: list[gpd.GeoDataFrame] = []
    last: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None  # a frame, prepared
    for frame in frames:
        if last is not None and _same_shapes(frame, last[0]):
            out.append(_with_values(last[1], frame))
        else:
            last = (frame, prep(frame))
            out.append(last[1])
    return out


def _same_shapes(frame: gpd.GeoDataFrame | None, other: gpd.GeoDataFrame) -> bool:
    """Whether ``frame`` holds ``other``'s very shape objects, rows and columns."""
    return (
        frame is not None
        and frame.index.is_unique
        and frame.index.equals(other.index)
        and frame.columns.equals(other.columns)
        and frame.crs == other.crs
        and all(a is b for a, b in zip(frame.geometry.array, other.geometry.array, strict=True))
    )


def _with_values(prepared: gpd.GeoDataFrame, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``prepared`` (rows of ``frame``'s shapes) holding ``frame``'s own values."""
    kept = frame.index.get_indexer(prepared.index)
    out = prepared.copy()
    for column in frame.columns:
        if column != frame.geometry.name:
            out[column] = frame[column].array.take(kept)
    return out


def _shared(per_date: Sequence[list[Feature]]) -> dict[str, Any]:
    """Features of every date, each distinct one stored once with the dates it is on."""
    index: dict[str, int] = {}
    features: list[Feature] = []
    present: list[list[int]] = []
    for i, feats in enumerate(per_date):
        for f in feats:
            key = json.dumps(
                [f["geometry"], {k: v for k, v in f["properties"].items() if k != "key"}],
                sort_keys=True,
            )
            if key not in index:
                index[key] = len(features)
                features.append({**f, "id": len(features)})
                present.append([])
            present[index[key]].append(i)
    return {"features": features, "present": present}


def _areas(per_date: Sequence[list[Feature]]) -> dict[str, Any]:
    """Area shapes once (by ``area_id``) and, per date, an index into a table of states."""
    shapes: dict[str, Feature] = {}
    table: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    states: dict[str, list[int]] = {}
    state_keys = ("status", "label", "color", "hatch", "tooltip", "popup")
    for i, feats in enumerate(per_date):
        for f in feats:
            area = f["properties"]["area_id"] or f["properties"]["key"]
            shapes.setdefault(
                area,
                {
                    "type": "Feature",
                    "id": len(shapes),
                    "properties": {"area_id": area},
                    "geometry": f["geometry"],
                },
            )
            state = {k: f["properties"][k] for k in state_keys}
            key = json.dumps(state, sort_keys=True)
            if key not in seen:
                seen[key] = len(table)
                table.append(state)
            states.setdefault(area, [-1] * len(per_date))[i] = seen[key]
    return {
        "features": list(shapes.values()),
        "states": [states[a] for a in shapes],
        "table": table,
    }


def timeline_data(
    tl: TimelineLike,
    *,
    prep: Callable[[gpd.GeoDataFrame | None], gpd.GeoDataFrame],
    colors: dict[str, str],
    side_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON document the slider works on (pure; text already escaped).

    Parameters
    ----------
    tl : TimelineLike
        The timeline; one entry per evaluated date (its snapshots), never per day.
    prep : callable
        Simplifies and rounds a frame (see :func:`.prepare.simplify_frame`).
    colors : dict
        Colour of each side.
    side_names : dict, optional
        Display name of each side (popups).
    """
    snaps = tl.snapshots
    parties = tl.scenario.parties
    per_kind: dict[str, list[list[Feature]]] = {k: [] for k in _KINDS}
    areas = _prepared([snap.areas for snap in snaps], prep)
    built: dict[Hashable, dict[str, Any]] = {}  # most areas keep their values date to date
    for snap, snap_areas in zip(snaps, areas, strict=True):
        siege = snap.siege_lines if snap.siege_lines is not None else snap.scenario.siege_lines
        per_kind["zones"].append(zone_features(prep(snap.scenario.zones), parties, colors))
        per_kind["areas"].append(area_features(snap_areas, side_names=side_names, built=built))
        per_kind["front_lines"].append(line_features(prep(snap.front_lines), kind="front_lines"))
        per_kind["siege_lines"].append(line_features(prep(siege), kind="siege_lines"))
        per_kind["corridors"].append(corridor_features(prep(snap.corridors)))
    # statuses in a fixed order: the page is the same bytes whatever Python's hash seed
    counts = [
        dict(sorted(Counter(f["properties"]["status"] for f in feats).items()))
        for feats in per_kind["areas"]
    ]
    return {
        "dates": [d.isoformat() for d in tl.evaluated],
        "start": tl.start.isoformat(),
        "end": tl.end.isoformat(),
        "counts": counts,
        "areas": _areas(per_kind["areas"]),
        **{k: _shared(per_kind[k]) for k in _KINDS if k != "areas"},
    }


class TimelineControl(folium.MacroElement):
    """A date slider redrawing the timeline layers (data embedded as escaped JSON).

    The control's element carries ``data-date`` (the day shown) and ``data-snapshot``
    (the index of the evaluated date drawn), which scripts and tests can read.

    Parameters
    ----------
    data : dict
        What :func:`timeline_data` returned.
    groups : dict of str to folium.FeatureGroup
        The layer each kind of feature is drawn into.
    patterns : dict of str to StripePattern
        Hatching of each status.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var data = {{ this.data_json }};
            var groups = { {% for k, g in this.groups.items() %}
                {{ k|tojson }}: {{ g.get_name() }},{% endfor %} };
            var patterns = { {% for k, p in this.patterns.items() %}
                {{ k|tojson }}: {{ p.get_name() }},{% endfor %} };
            var styles = {{ this.styles_json }};
            var months = ["January", "February", "March", "April", "May", "June", "July",
                          "August", "September", "October", "November", "December"];
            var DAY = 86400000;
            var t0 = Date.parse(data.start + "T00:00:00Z");
            var ndays = Math.round((Date.parse(data.end + "T00:00:00Z") - t0) / DAY);
            function iso(day) { return new Date(t0 + day * DAY).toISOString().slice(0, 10); }
            function human(s) {
                var d = new Date(s + "T00:00:00Z");
                return d.getUTCDate() + " " + months[d.getUTCMonth()] + " " + d.getUTCFullYear();
            }
            function bind(feature, layer) {
                var p = feature.properties;
                if (p.tooltip) { layer.bindTooltip(p.tooltip); }
                if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 340}); }
                if (p.status !== undefined && layer.getElement) {
                    layer.on("add", function () {
                        var el = layer.getElement();
                        if (el) { el.setAttribute("data-ga-status", p.status); }
                    });
                }
            }
            function areaStyle(f) {
                var s = Object.assign({}, styles.areas[f.properties.status] || styles.areas[""]);
                var pat = patterns[f.properties.status];
                if (pat) { s.fillPattern = pat; }
                return s;
            }
            var layers = {
                zones: L.geoJson(null, {onEachFeature: bind, style: function (f) {
                    return {color: f.properties.color, fillColor: f.properties.color,
                            weight: 0.8, fillOpacity: 0.3, opacity: 0.6}; }}),
                areas: L.geoJson(null, {onEachFeature: bind, style: areaStyle}),
                front_lines: L.geoJson(null, {onEachFeature: bind, style: styles.front_lines}),
                siege_lines: L.geoJson(null, {onEachFeature: bind, style: styles.siege_lines}),
                corridors: L.geoJson(null, {onEachFeature: bind, style: function (f) {
                    return {color: f.properties.color, weight: 5, opacity: 0.95,
                            dashArray: f.properties.dash}; }})
            };
            Object.keys(layers).forEach(function (k) { layers[k].addTo(groups[k]); });
            var entrances = L.layerGroup().addTo(groups.corridors);

            function snapshot(day) {
                var s = iso(day), i = -1;
                data.dates.forEach(function (d, j) { if (d <= s) { i = j; } });
                return i;
            }
            var div = L.DomUtil.create("div", "ga-box ga-timeline");
            var current = null;
            function show(day) {
                var s = iso(day), i = snapshot(day);
                stamp.textContent = human(s);
                div.setAttribute("data-date", s);
                div.setAttribute("data-snapshot", i);
                var title = map.getContainer().querySelector(".ga-title-text");
                if (title && data.dated_title) {
                    title.textContent = "Situation as of " + human(s);
                }
                if (i === current) { return; }
                current = i;
                redraw("zones");
                layers.areas.clearLayers();
                data.areas.features.forEach(function (f, j) {
                    var k = i >= 0 ? data.areas.states[j][i] : -1;
                    if (k < 0) { return; }
                    var props = Object.assign({area_id: f.properties.area_id},
                                              data.areas.table[k]);
                    layers.areas.addData({type: "Feature", id: f.id, properties: props,
                                          geometry: f.geometry});
                });
                ["front_lines", "siege_lines", "corridors"].forEach(redraw);
                function redraw(k) {
                    layers[k].clearLayers();
                    data[k].features.forEach(function (f, j) {
                        if (data[k].present[j].indexOf(i) >= 0) { layers[k].addData(f); }
                    });
                }
                entrances.clearLayers();
                layers.corridors.eachLayer(function (l) {
                    var p = l.feature.properties;
                    L.circleMarker(p.entrance, {radius: 7, color: "#fff", weight: 2,
                        fillColor: p.color, fillOpacity: 1, className: "ga-corridor-entrance"})
                        .bindTooltip("Entrance: " + p.entrance_name + " (" + p.status + ")")
                        .bindPopup(p.popup, {maxWidth: 340}).addTo(entrances);
                });
                var counts = i >= 0 ? data.counts[i] : {};
                map.getContainer().querySelectorAll(".ga-legend-item").forEach(function (el) {
                    var key = el.getAttribute("data-ga-key");
                    if (!styles.statuses.includes(key)) { return; }
                    var n = counts[key === "unmapped" ? "" : key] || 0;
                    el.style.display = n ? "" : "none";
                    el.querySelector(".ga-count").textContent = n ? "(" + n + ")" : "";
                });
            }
            var stamp = L.DomUtil.create("div", "ga-date-stamp", div);
            var slider = L.DomUtil.create("input", "ga-slider", div);
            slider.type = "range"; slider.min = 0; slider.max = ndays; slider.step = 1;
            slider.value = 0;
            var note = L.DomUtil.create("div", "ga-count", div);
            note.textContent = data.dates.length + " change dates, " + human(data.start) +
                " to " + human(data.end);
            slider.addEventListener("input", function () { show(+slider.value); });
            L.DomEvent.disableClickPropagation(div);
            var control = L.control({position: "bottomleft"});
            control.onAdd = function () { return div; };
            control.addTo(map);
            show(0);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        groups: dict[str, folium.FeatureGroup],
        patterns: dict[str, Any],
    ) -> None:
        super().__init__()
        self._name = "TimelineControl"
        self.data = data
        self.groups = groups
        self.patterns = patterns
        statuses = sorted({s["status"] for s in data["areas"]["table"]} | {"unmapped"})
        area_styles = {s: area_style(s, {}) for s in statuses}
        area_styles[""] = area_style("", {})
        styles = {
            "areas": area_styles,
            "front_lines": LINE_STYLES["front_lines"],
            "siege_lines": LINE_STYLES["siege_lines"],
            "statuses": [s for s in statuses if s] + ["unmapped"],
        }
        self.data_json = script_json(data)
        self.styles_json = script_json(styles)


def timeline_map(
    tl: TimelineLike,
    *,
    m: folium.Map | None = None,
    tiles: Any = "OpenStreetMap",
    offline: bool = True,
    simplify_m: float = 25.0,
    precision: int = 5,
    title: str | None = None,
    palette: Palette = "colorblind",
) -> folium.Map:
    """A folium map of a timeline with a date slider.

    Moving the slider redraws the control zones, the access status of every area, the
    front and siege lines and the corridors of the last evaluated date on or before the
    chosen day; the date stamp, the title and the legend (statuses present, with counts)
    follow it. Only the evaluated change dates are embedded.

    Parameters
    ----------
    tl : TimelineLike
        What :func:`geoaccess.timeline` returned.
    m, tiles, offline, simplify_m, precision, title, palette
        As for :func:`geoaccess.maps.assessment_map` (self-contained by default).

    Returns
    -------
    folium.Map
    """
    check_options(simplify_m=simplify_m, precision=precision)
    if not tl.snapshots:
        msg = "the timeline has no evaluated dates to map"
        raise ValueError(msg)
    scenario = tl.scenario
    metric = tl.snapshots[0].metric_crs
    prep = partial(simplify_frame, metric_crs=metric, simplify_m=simplify_m, precision=precision)
    colors = side_colors(scenario.parties, palette=palette)
    names = side_names(scenario.parties)
    data = {
        **timeline_data(tl, prep=prep, colors=colors, side_names=names),
        "dated_title": title is None,
    }
    bounds = frame_bounds([scenario.zones, *(s.areas for s in tl.snapshots[:1])], scenario.extent)
    m = start_map(m, tiles=tiles, offline=offline, bounds=bounds)
    patterns = status_patterns(m)
    groups = {k: folium.FeatureGroup(name=LAYER_TITLES[k]) for k in _KINDS}
    for group in groups.values():
        group.add_to(m)
    Legend(
        legend_sections(
            statuses=[s["status"] for s in data["areas"]["table"]],  # any day's
            sides=list(dict.fromkeys(f["properties"]["side"] for f in data["zones"]["features"])),
            side_colors=colors,
            corridor_statuses=[f["properties"]["status"] for f in data["corridors"]["features"]],
            lines={
                "front_lines": bool(data["front_lines"]["features"]),
                "siege_lines": bool(data["siege_lines"]["features"]),
            },
            side_names=names,
        )
    ).add_to(m)
    MapTitle(title or f"Situation as of {format_date(tl.start)}", subtitle=scenario.name).add_to(m)
    SourcesNote(scenario.sources, scenario.description or DISCLAIMER).add_to(m)
    TimelineControl(data, groups=groups, patterns=patterns).add_to(m)
    return finish_map(m, bounds=bounds, offline=offline)
