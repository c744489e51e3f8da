"""Map creation and finishing shared by the assessment and timeline maps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import geopandas as gpd

from .layers import LAYER_TITLES
from .legend import add_css
from .offline import make_offline, offline_resources
from .responsive import Responsive

#: The note of a scenario that has no description of its own.
DISCLAIMER = "Illustrative reconstruction; not for operational use."


def check_options(*, simplify_m: float, precision: int) -> None:
    """Refuse a simplification tolerance or precision a map cannot use."""
    if (
        not isinstance(simplify_m, (int, float))
        or isinstance(simplify_m, bool)
        or not (simplify_m >= 0)
    ):
        msg = f"simplify_m must be a distance in metres >= 0; got {simplify_m!r}"
        raise ValueError(msg)
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 15:
        msg = f"precision must be a whole number of decimals from 0 to 15; got {precision!r}"
        raise ValueError(msg)


def start_map(
    m: folium.Map | None, *, tiles: Any, offline: bool, bounds: tuple[float, float, float, float]
) -> folium.Map:
    """The map to draw on: ``m``, or a new one with a scale bar and the given tiles."""
    if offline:
        offline_resources()  # fail early, before any work, when the extra is missing
    if m is None:
        lon_min, lat_min, lon_max, lat_max = bounds
        m = folium.Map(
            location=[(lat_min + lat_max) / 2, (lon_min + lon_max) / 2],
            zoom_start=12,
            tiles=tiles,
            control_scale=True,
        )
    elif not isinstance(m, folium.Map):
        msg = f"m must be a folium.Map; got {type(m).__name__}"
        raise TypeError(msg)
    # marker clusters need a maximum zoom, which only tile layers give otherwise
    m.options.setdefault("max_zoom", 19)
    add_css(m)
    return m


def frame_bounds(
    frames: Iterable[gpd.GeoDataFrame | None], fallback: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the non-empty frames, or ``fallback``."""
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    if not boxes:
        return fallback
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def finish_map(
    m: folium.Map, *, bounds: tuple[float, float, float, float], offline: bool
) -> folium.Map:
    """Fit to ``bounds``, add (or move last) the layer control, inline resources if asked.

    The control is followed by :class:`~.responsive.Responsive` (boxes fold on small
    maps; the population legend follows its layer).
    """
    lon_min, lat_min, lon_max, lat_max = bounds
    m.fit_bounds([[lat_min, lon_min], [lat_max, lon_max]])
    controls = [k for k, c in m._children.items() if isinstance(c, folium.LayerControl)]
    control: folium.LayerControl
    if controls:
        for key in controls:  # keep one control, after every layer it lists
            popped = m._children.pop(key)
        assert isinstance(popped, folium.LayerControl)  # found by that type above
        control = popped
        m._children[key] = control
    else:
        control = folium.LayerControl(collapsed=False)
        control.add_to(m)
    for key in [k for k, c in m._children.items() if isinstance(c, Responsive)]:
        m._children.pop(key)  # one, after the control it folds
    Responsive(control, sections={"population": LAYER_TITLES["population"]}).add_to(m)
    if offline:
        make_offline(m)
    return m
