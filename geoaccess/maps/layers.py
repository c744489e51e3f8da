"""folium layers built from the prepared feature collections of :mod:`.prepare`.

Each function returns one switchable layer (a ``FeatureGroup`` or a ``MarkerCluster``)
named as in :data:`LAYER_TITLES`; the caller adds it to a map. Tooltips and popups are
the pre-escaped HTML strings of the features' ``tooltip`` and ``popup`` properties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
from folium.plugins import MarkerCluster, StripePattern

from .escape import esc
from .prepare import Feature, feature_collection
from .style import STATUS_ORDER, status_color

__all__ = [
    "CHANGES_TITLE",
    "CHANGE_COLOR",
    "LAYER_TITLES",
    "change_layer",
    "corridor_layer",
    "facility_layer",
    "incident_layer",
    "line_layer",
    "pocket_layer",
    "status_patterns",
    "zone_layer",
]

#: The name of each layer in the layer control.
LAYER_TITLES: dict[str, str] = {
    "zones": "Control zones (by side)",
    "pockets": "Pockets",
    "population": "Population (Fisher-Jenks classes)",
    "areas": "Access status of areas",
    "lifelines": "Lifelines",
    "front_lines": "Front lines",
    "siege_lines": "Siege lines",
    "corridors": "Corridors",
    "facilities": "Facilities",
    "incidents": "Incidents",
}

LINE_STYLES: dict[str, dict[str, Any]] = {
    "front_lines": {"color": "#111111", "weight": 3, "opacity": 0.9},
    "siege_lines": {"color": "#6a1b9a", "weight": 3, "opacity": 0.9, "dashArray": "8 4"},
    "lifelines": {"color": "#e7298a", "weight": 6, "opacity": 0.85},
}
HATCHED: tuple[str, ...] = ("besieged", "hard_to_reach", "watchlist")
#: Outline of the areas whose status changed (:func:`change_layer`).
CHANGE_COLOR = "#000000"
#: The name of the changes layer in the layer control (only on maps given changes).
CHANGES_TITLE = "Status changed since {since}"


def _detail(name: str) -> dict[str, Any]:
    return {
        "tooltip": folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        "popup": folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=340),
    }


def _geojson(
    features: Sequence[Feature], *, name: str, style: Any, highlight: Any = None
) -> folium.GeoJson:
    return folium.GeoJson(
        feature_collection(features),
        name=name,
        style_function=style,
        highlight_function=highlight,
        zoom_on_click=False,
        **_detail(name),
    )


def zone_layer(features: Sequence[Feature], *, show: bool = True) -> folium.FeatureGroup:
    """Control zones filled with their side's colour."""
    group = folium.FeatureGroup(name=LAYER_TITLES["zones"], show=show)
    if features:
        _geojson(
            features,
            name="zones",
            style=lambda f: {
                "fillColor": f["properties"]["color"],
                "color": f["properties"]["color"],
                "weight": 0.8,
                "fillOpacity": 0.3,
                "opacity": 0.6,
            },
        ).add_to(group)
    return group


def pocket_layer(features: Sequence[Feature], *, show: bool = True) -> folium.FeatureGroup:
    """Pockets as dashed outlines, coloured by status."""
    group = folium.FeatureGroup(name=LAYER_TITLES["pockets"], show=show)
    if features:
        _geojson(
            features,
            name="pockets",
            style=lambda f: {
                "color": f["properties"]["color"],
                "weight": 2,
                "dashArray": "5 4",
                "fill": False,
                "fillOpacity": 0,
            },
        ).add_to(group)
    return group


def status_patterns(m: folium.Map) -> dict[str, StripePattern]:
    """One stripe pattern per hatched status, added to the map before any layer uses it."""
    patterns = {}
    for status in HATCHED:
        pattern = StripePattern(
            angle=-45,
            weight=3,
            space_weight=4,
            color=status_color(status),
            opacity=0.85,
            space_color="#ffffff",
            space_opacity=0.15,
        )
        pattern.add_to(m)
        patterns[status] = pattern
    return patterns


def area_style(status: str, patterns: Mapping[str, Any]) -> dict[str, Any]:
    """Style of an area by status: hatched and outlined in bold when not accessible."""
    color = status_color(status)
    style: dict[str, Any] = {
        "color": color,
        "fillColor": color,
        "fillOpacity": 0.35,
        "weight": 1,
        "opacity": 0.9,
    }
    if status in HATCHED:
        style.update(weight=3 if status == "besieged" else 2.5, fillOpacity=0.7)
        if status in patterns:
            style["fillPattern"] = patterns[status]
    if status == "hard_to_reach":
        style["dashArray"] = "6 3"
    return style


def line_layer(features: Sequence[Feature], *, kind: str, show: bool = True) -> folium.FeatureGroup:
    """Front lines, siege lines or lifelines (``kind`` is a key of :data:`LINE_STYLES`)."""
    group = folium.FeatureGroup(name=LAYER_TITLES[kind], show=show)
    style = LINE_STYLES[kind]
    if features:
        _geojson(
            features,
            name=kind,
            style=lambda f: dict(style),
            highlight=lambda f: {"weight": style["weight"] + 3},
        ).add_to(group)
    return group


def corridor_layer(features: Sequence[Feature], *, show: bool = True) -> folium.FeatureGroup:
    """Corridors entrance→exit by status, an entrance marker and an arrow at the exit."""
    group = folium.FeatureGroup(name=LAYER_TITLES["corridors"], show=show)
    if not features:
        return group
    _geojson(
        features,
        name="corridors",
        style=lambda f: {
            "color": f["properties"]["color"],
            "weight": 5,
            "opacity": 0.95,
            "dashArray": f["properties"]["dash"],
        },
        highlight=lambda f: {"weight": 8},
    ).add_to(group)
    for feature in features:
        p = feature["properties"]
        popup = p["popup"]
        folium.CircleMarker(
            p["entrance"],
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=p["color"],
            fill_opacity=1,
            tooltip=folium.Tooltip(f"Entrance: {p['entrance_name']} ({p['status']})"),
            popup=folium.Popup(popup, max_width=340),
            class_name="ga-corridor-entrance",
        ).add_to(group)
        arrow = (
            f'<div class="ga-arrow" style="color:{p["color"]};'
            f'transform:rotate({float(p["bearing"]) - 90:.1f}deg)">&#10148;</div>'
        )
        folium.Marker(
            p["exit"],
            icon=folium.DivIcon(
                html=arrow, icon_size=(18, 18), icon_anchor=(9, 9), class_name="ga-corridor-exit"
            ),
            tooltip=folium.Tooltip(f"Exit: {p['exit_name']} ({p['status']})"),
            popup=folium.Popup(popup, max_width=340),
        ).add_to(group)
    return group


def facility_layer(features: Sequence[Feature], *, show: bool = True) -> folium.FeatureGroup:
    """Facilities as lettered circles by kind, coloured by the status where they stand."""
    group = folium.FeatureGroup(name=LAYER_TITLES["facilities"], show=show)
    for feature in features:
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        icon = (
            f'<i class="ga-glyph" style="background:{p["color"]};'
            f'border:1px solid #fff">{esc(p["symbol"])}</i>'
        )
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=icon, icon_size=(16, 16), icon_anchor=(8, 8), class_name="ga-facility"
            ),
            tooltip=folium.Tooltip(p["tooltip"]),
            popup=folium.Popup(p["popup"], max_width=340),
        ).add_to(group)
    return group


def incident_layer(features: Sequence[Feature], *, show: bool = True) -> MarkerCluster:
    """Incidents as small red circles, clustered."""
    cluster = MarkerCluster(name=LAYER_TITLES["incidents"], show=show)
    for feature in features:
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        folium.CircleMarker(
            [lat, lon],
            radius=5,
            color="#b2182b",
            weight=1,
            fill=True,
            fill_opacity=0.8,
            tooltip=folium.Tooltip(p["tooltip"]),
            popup=folium.Popup(p["popup"], max_width=300),
        ).add_to(cluster)
    return cluster


def change_layer(
    features: Sequence[Feature], *, since: str, show: bool = True
) -> folium.FeatureGroup:
    """The areas whose status changed: a thick dashed outline over a white halo."""
    group = folium.FeatureGroup(name=CHANGES_TITLE.format(since=since), show=show)
    if features:
        _geojson(
            features,
            name="changes",
            style=lambda f: {
                "color": CHANGE_COLOR,
                "weight": 3.5,
                "dashArray": "7 5",
                "fill": False,
                "fillOpacity": 0,
                "opacity": 0.95,
            },
            highlight=lambda f: {"weight": 6},
        ).add_to(group)
    return group


def ordered_statuses(statuses: Sequence[str]) -> list[str]:
    """The statuses present, most severe first (unknown ones last)."""
    present = [s for s in STATUS_ORDER if s in statuses]
    return present + sorted({s for s in statuses if s and s not in STATUS_ORDER})
