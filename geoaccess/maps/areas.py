"""The areas of an assessment map: status and population layers from one compact document.

A map may hold thousands of areas. Written as two folium ``GeoJson`` layers, each area's
shape, tooltip and popup HTML were embedded twice (status and population layers), and
the popup markup grew sixfold inside JSON (each ``<`` a six-character escape). Here the shapes are
embedded once as integer coordinate deltas (:mod:`.encode`), the popup rows as escaped
columns (:func:`.area_fields.area_table`), and the page builds each tooltip and popup when it
opens, with the same markup as :func:`.popups.detail_html` and
:func:`.area_fields.area_tooltip`. The population layer is built the first time it is shown.

Nothing from data is escaped in the page: every string arrives escaped (:func:`.esc`)
inside :func:`.script_json`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import numpy as np
from branca.element import Element, Figure
from folium.template import Template

from .area_fields import AreaTable
from .encode import column, delta_rings
from .escape import script_json
from .layers import LAYER_TITLES, area_style
from .prepare import POPULATION_COLORS

__all__ = ["AreaLayers", "area_groups"]

#: folium's tooltip and popup table style (``GeoJsonDetail``), for the same look.
_DETAIL_CSS = """<style>
    .foliumtooltip table, .foliumpopup table { margin: auto; }
    .foliumtooltip tr, .foliumpopup tr { text-align: left; }
    .foliumtooltip th, .foliumpopup th { padding: 2px; padding-right: 8px; }
    .foliumpopup { margin: auto; }
</style>"""


class AreaLayers(folium.MacroElement):
    """Draws the areas by status into one group and by population class into another.

    Parameters
    ----------
    table : AreaTable
        The areas' escaped fields (:func:`.area_fields.area_table`).
    geometry : sequence of shapely geometries
        Their (simplified, rounded) polygons, in the same order.
    classes : sequence of int
        Population class of each area (``-1`` without population).
    groups : mapping of str to folium.FeatureGroup
        The ``"areas"`` and ``"population"`` layers of the layer control.
    patterns : mapping of str to StripePattern
        Hatching of each hatched status.
    precision : int
        Decimals of the coordinates.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.data_json }};
            var styles = {{ this.styles_json }};
            var groups = { {% for k, g in this.groups.items() %}
                {{ k|tojson }}: {{ g.get_name() }},{% endfor %} };
            var patterns = { {% for k, p in this.patterns.items() %}
                {{ k|tojson }}: {{ p.get_name() }},{% endfor %} };
            var scale = data.scale;
            var areaStyles = new Map(styles.areas);  // [status, style] pairs from data
            function col(c, j) { return c.d ? c.d[c.i[j]] : c.v[j]; }
            function ring(r) {
                var out = new Array(r.length / 2 + 1), x = 0, y = 0, k = 0;
                for (var i = 0; i < r.length; i += 2, k++) {
                    x += r[i]; y += r[i + 1];
                    out[k] = [x / scale, y / scale];
                }
                out[k] = out[0];
                return out;
            }
            // an own property only: a status such as "constructor" finds nothing
            function own(o, k) {
                return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
            }
            var features = [];
            data.shapes.forEach(function (polygons, j) {
                if (!polygons.length) { return; }  // collapsed when rounded: nothing to draw
                var coords = polygons.map(function (p) { return p.map(ring); });
                features.push({type: "Feature", id: j,
                        properties: {area_id: col(data.area_id, j),
                                     status: col(data.status, j),
                                     label: col(data.label, j)},
                        geometry: coords.length === 1
                            ? {type: "Polygon", coordinates: coords[0]}
                            : {type: "MultiPolygon", coordinates: coords}});
            });
            function tooltip(j) {
                var since = col(data.since, j);
                return col(data.title, j) + ": " + col(data.label, j) +
                    (since ? " since " + since : "");
            }
            function popup(j) {
                var rows = "";
                data.rows.forEach(function (c, r) {
                    var value = col(c, j);
                    if (value !== "") {
                        rows += "<tr><th>" + data.row_labels[r] + "</th><td>" + value +
                            "</td></tr>";
                    }
                });
                var note = col(data.note, j);
                return '<div class="ga-detail"><strong>' + col(data.title, j) +
                    "</strong><table>" + rows + "</table>" +
                    (note ? '<p class="ga-note">' + note + "</p>" : "") + "</div>";
            }
            function detail(text) {
                return function (layer) {
                    var div = L.DomUtil.create("div");
                    div.innerHTML = "<table><tr><td>" + text(layer.feature.id) +
                        "</td></tr></table>";
                    return div;
                };
            }
            function bind(layer) {
                layer.bindTooltip(detail(tooltip),
                                  {sticky: true, className: "foliumtooltip"});
                layer.bindPopup(detail(popup), {maxWidth: 340, className: "foliumpopup"});
                return layer;
            }
            function areaStyle(f) {
                var status = f.properties.status;
                var s = Object.assign({}, areaStyles.get(status) || areaStyles.get(""));
                var pattern = own(patterns, status);
                if (pattern) { s.fillPattern = pattern; }
                return s;
            }
            var areas = bind(L.geoJson(features, {style: areaStyle}));
            areas.on({
                mouseover: function (e) { e.layer.setStyle(styles.highlight); },
                mouseout: function (e) { areas.resetStyle(e.layer); }
            });
            areas.addTo(groups.areas);
            var population = null;
            function showPopulation() {
                if (population) { return; }
                population = bind(L.geoJson(features, {style: function (f) {
                    var k = col(data.population_class, f.id);
                    return Object.assign({fillColor: k >= 0 ? styles.classes[k] : "#ffffff"},
                                         styles.population);
                }}));
                population.addTo(groups.population);
            }
            if (groups.population._map) { showPopulation(); }
            else { groups.population.once("add", showPopulation); }
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        table: AreaTable,
        geometry: Sequence[Any] | np.ndarray,
        *,
        classes: Sequence[int],
        groups: Mapping[str, folium.FeatureGroup],
        patterns: Mapping[str, Any],
        precision: int,
    ) -> None:
        super().__init__()
        self._name = "AreaLayers"
        self.groups = dict(groups)
        self.patterns = dict(patterns)
        self.data = {
            "scale": 10**precision,
            "shapes": delta_rings(geometry, precision=precision),
            "area_id": column(table.area_ids),
            "status": column(table.statuses),
            "label": column(table.labels),
            "title": column(table.titles),
            "since": column(table.since),
            "note": column(table.notes),
            "population_class": column(list(classes)),
            "row_labels": list(table.row_labels),
            "rows": [column(values) for values in zip(*table.rows, strict=True)],
        }
        statuses = sorted(set(table.statuses))
        self.styles = {
            "areas": [[s, area_style(s, {})] for s in [*statuses, ""]],
            "highlight": {"weight": 5},
            "classes": list(POPULATION_COLORS),
            "population": {"fillOpacity": 0.75, "color": "#555555", "weight": 0.6},
        }
        self.data_json = script_json(self.data)
        self.styles_json = script_json(self.styles)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Add folium's tooltip and popup table style to the page, then the script."""
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(Element(_DETAIL_CSS), name="ga_area_detail_css")
        super().render(**kwargs)


def area_groups(
    *, show_population: bool = False, show_areas: bool = True
) -> dict[str, folium.FeatureGroup]:
    """The (empty) population and status layers of the layer control, in that order."""
    return {
        "population": folium.FeatureGroup(name=LAYER_TITLES["population"], show=show_population),
        "areas": folium.FeatureGroup(name=LAYER_TITLES["areas"], show=show_areas),
    }
