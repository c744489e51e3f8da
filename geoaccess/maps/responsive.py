"""Maps that fit their frame: boxes fold on small maps, legend sections follow their layers.

On a map smaller than :data:`COMPACT_WIDTH` x :data:`COMPACT_HEIGHT` pixels (a situation
report inset, a phone), the legend and the sources fold to one line each (a click opens
them) and the layer control to its icon, so nothing covers the map; the one-line note
saying what the map is stays visible. Legend sections tied to a layer (the population
classes) show only while that layer is on.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
from folium.template import Template

__all__ = ["COMPACT_HEIGHT", "COMPACT_WIDTH", "Responsive"]

#: Maps narrower (or lower) than this many pixels fold their boxes.
COMPACT_WIDTH = 900
COMPACT_HEIGHT = 650


class Responsive(folium.MacroElement):
    """Folds the boxes of a small map and ties legend sections to their layers.

    Add it after the layer control. The map's container gets the class ``ga-compact``
    when it is small.

    Parameters
    ----------
    control : folium.LayerControl or None
        The layer control to fold to its icon on small maps.
    sections : mapping of str to str
        Legend section key (``data-ga-section``) to the title of the layer it follows.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var control = {{ this.control_name }};
            var follows = {{ this.sections|tojson }};
            var box = map.getContainer();
            var compact = box.clientWidth < {{ this.width }} ||
                          box.clientHeight < {{ this.height }};
            box.classList.toggle("ga-compact", compact);
            box.setAttribute("data-ga-compact", compact ? "1" : "0");
            box.querySelectorAll("details.ga-collapsible").forEach(function (d) {
                d.open = !compact;
            });
            if (control && compact && !control.options.collapsed) {
                control.options.collapsed = true;
                control.remove();
                control.addTo(map);
            }
            function show(title, on) {
                Object.keys(follows).forEach(function (key) {
                    if (follows[key] !== title) { return; }
                    box.querySelectorAll('[data-ga-section="' + key + '"]').forEach(
                        function (el) { el.style.display = on ? "" : "none"; });
                });
            }
            map.on("overlayadd", function (e) { show(e.name, true); });
            map.on("overlayremove", function (e) { show(e.name, false); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, control: folium.LayerControl | None, *, sections: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "Responsive"
        self.control_name = control.get_name() if control is not None else "null"
        self.sections = dict(sections)
        self.width = COMPACT_WIDTH
        self.height = COMPACT_HEIGHT
