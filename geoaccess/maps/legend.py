"""Small reusable map furniture: a categorical legend, a title and a sources note.

folium has no categorical legend, so :class:`Legend` is a Leaflet control written as a
branca ``MacroElement``. All three build their HTML in Python from escaped text and hand
it to JavaScript as a JSON string literal (:func:`script_json`), so nothing from data is
ever markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from ..display import DISCLAIMER
from .escape import esc, script_json
from .style import safe_color

__all__ = [
    "Legend",
    "LegendItem",
    "LegendSection",
    "MapTitle",
    "SourcesNote",
    "add_css",
    "legend_html",
    "legend_sections",
    "short_note",
]

Symbol = str  # "fill" | "hatch" | "outline" | "line" | "dash" | "dot" | "glyph"

_CSS = """<style>
.ga-box{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 system-ui,sans-serif;color:#222}
.ga-legend{max-height:60vh;overflow-y:auto;min-width:150px}
.ga-box summary{cursor:pointer;font-weight:600;list-style-position:inside}
.ga-box details:not([open]) summary{margin:0}
.ga-compact .ga-legend{max-height:45vh;min-width:0}
.ga-compact .ga-sources{max-width:240px}
.ga-legend h4{font-size:12px;margin:6px 0 2px;font-weight:600}
.ga-legend h4:first-child{margin-top:0}
.ga-legend-item{display:flex;align-items:center;gap:6px;margin:1px 0;white-space:nowrap}
.ga-swatch{display:inline-block;width:16px;height:12px;flex:none;box-sizing:border-box}
.ga-glyph{display:inline-flex;align-items:center;justify-content:center;width:16px;
  height:16px;border-radius:50%;font:bold 10px/1 system-ui,sans-serif;color:#fff;flex:none}
.ga-count{color:#666}
.ga-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:800;
  text-align:center;pointer-events:none}
.ga-title strong{display:block;font-size:15px}
.ga-sources{max-width:340px;max-height:22vh;overflow-y:auto;font-size:11px}
.ga-sources .ga-disclaimer{font-style:italic;margin-top:2px}
.ga-sources .ga-boundaries{margin-top:2px;color:#555}
.ga-detail table{border-collapse:collapse;margin-top:4px}
.ga-detail th{text-align:left;padding:1px 8px 1px 0;font-weight:600;vertical-align:top}
.ga-detail td{padding:1px 0;max-width:260px}
.ga-detail .ga-note{margin:4px 0 0;max-width:300px;white-space:normal}
.ga-arrow{font-size:18px;line-height:18px;text-shadow:0 0 2px #fff}
.ga-timeline{min-width:260px}
.ga-timeline input{width:100%}
.ga-timeline .ga-date-stamp{font-weight:600;font-size:13px}
</style>"""


def add_css(m: folium.Map) -> None:
    """Add the geoaccess stylesheet to the map's page once."""
    figure = m.get_root()
    if isinstance(figure, Figure):
        figure.header.add_child(Element(_CSS), name="geoaccess_css")


@dataclass(frozen=True)
class LegendItem:
    """One entry: ``key`` (for scripts), ``label`` (text from data is fine), colour, symbol."""

    key: str
    label: str
    color: str
    symbol: Symbol = "fill"
    glyph: str = ""


@dataclass(frozen=True)
class LegendSection:
    """A titled group of legend entries; ``key`` names it for scripts (``data-ga-section``).

    A ``hidden`` section is in the page but not shown until a script shows it (the
    population classes, while their layer is off).
    """

    title: str
    items: tuple[LegendItem, ...]
    key: str = ""
    hidden: bool = False


def _swatch(item: LegendItem) -> str:
    color = safe_color(item.color, default="#777777")
    if item.symbol == "glyph":
        return f'<i class="ga-glyph" style="background:{color}">{esc(item.glyph)}</i>'
    styles = {
        "fill": f"background:{color};opacity:.8",
        "hatch": (
            f"border:2px solid {color};background:repeating-linear-gradient("
            f"45deg,{color} 0 2px,transparent 2px 5px)"
        ),
        "outline": f"border:2px solid {color}",
        "line": f"height:0;border-top:3px solid {color}",
        "dash": f"height:0;border-top:3px dashed {color}",
        "dot": f"width:10px;height:10px;border-radius:50%;background:{color}",
    }
    return f'<i class="ga-swatch" style="{styles.get(item.symbol, styles["fill"])}"></i>'


def legend_html(sections: Sequence[LegendSection]) -> str:
    """The escaped HTML of a legend (also used by the timeline control).

    Examples
    --------
    >>> item = LegendItem("besieged", "<b>besieged</b>", "#a50026", "hatch")
    >>> html = legend_html([LegendSection("Access status", (item,))])
    >>> "&lt;b&gt;besieged" in html and "<b>" not in html
    True
    """
    parts = []
    for section in sections:
        if not section.items:
            continue
        hidden = ' style="display:none"' if section.hidden else ""
        parts.append(
            f'<div class="ga-legend-section" data-ga-section="{esc(section.key)}"{hidden}>'
            f"<h4>{esc(section.title)}</h4>"
        )
        for item in section.items:
            parts.append(
                f'<div class="ga-legend-item" data-ga-key="{esc(item.key)}">'
                f"{_swatch(item)}<span>{esc(item.label)}</span>"
                f'<span class="ga-count"></span></div>'
            )
        parts.append("</div>")
    return "".join(parts)


class _Control(MacroElement):
    """A Leaflet control holding pre-escaped HTML (``html`` is trusted markup)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html_json }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "GeoaccessControl"
        self.position = position
        self.css_class = css_class
        self.html_json = script_json(html)


class Legend(_Control):
    """A categorical legend as a Leaflet control.

    Parameters
    ----------
    sections : sequence of LegendSection
        Groups of entries; labels are escaped.
    position : str
        Leaflet control corner, ``"bottomright"`` by default.
    """

    def __init__(self, sections: Sequence[LegendSection], *, position: str = "bottomright") -> None:
        self.sections = tuple(sections)
        html = (
            '<details class="ga-collapsible" open><summary>Legend</summary>'
            f"{legend_html(self.sections)}</details>"
        )
        super().__init__(html, position=position, css_class="ga-box ga-legend")
        self._name = "Legend"

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of every entry, in order."""
        return tuple(item.key for section in self.sections for item in section.items)


class SourcesNote(_Control):
    """The sources, the scenario's note and the disclaimer, bottom left.

    The first clause of the scenario's note (``disclaimer``: the bundled scenario says it
    is illustrative) always shows; the sources, the whole note and the boundaries
    disclaimer (:data:`geoaccess.display.DISCLAIMER`) fold away on small maps.
    """

    def __init__(
        self,
        sources: Sequence[str],
        disclaimer: str,
        *,
        boundaries: str = DISCLAIMER,
        position: str = "bottomleft",
    ) -> None:
        listed = "; ".join(esc(s) for s in sources if s)
        body = f'<div class="ga-source-list">Sources: {listed}</div>' if listed else ""
        if short_note(disclaimer) != disclaimer:
            body += f'<div class="ga-note-full">{esc(disclaimer)}</div>'
        body += f'<div class="ga-boundaries">{esc(boundaries)}</div>'
        html = (
            f'<div class="ga-disclaimer">{esc(short_note(disclaimer))}</div>'
            f'<details class="ga-collapsible" open><summary>Sources and notes</summary>'
            f"{body}</details>"
        )
        super().__init__(html, position=position, css_class="ga-box ga-sources")
        self._name = "SourcesNote"
        self.sources = tuple(sources)
        self.disclaimer = disclaimer
        self.boundaries = boundaries


def short_note(note: str, *, limit: int = 110) -> str:
    """The first clause of a note (up to ``:`` or the first sentence), at most ``limit`` long.

    Examples
    --------
    >>> short_note("Illustrative reconstruction of Aleppo: the encirclement. More.")
    'Illustrative reconstruction of Aleppo.'
    >>> short_note("Illustrative reconstruction; not for operational use.")
    'Illustrative reconstruction; not for operational use.'
    """
    text = " ".join(str(note).split())
    cut = min((i for i in (text.find(": "), text.find(". ")) if i >= 0), default=-1)
    head = text[:cut] if cut >= 0 else text.rstrip(".")
    if len(head) > limit:
        head = head[:limit].rsplit(" ", 1)[0] + " …"
    return head if head.endswith("…") else f"{head}."


class MapTitle(MacroElement):
    """A title box at the top centre of the map (``title`` and ``subtitle`` are escaped)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var div = L.DomUtil.create('div', 'ga-box ga-title');
            div.id = {{ this.get_name()|tojson }};
            div.innerHTML = {{ this.html_json }};
            {{ this._parent.get_name() }}.getContainer().appendChild(div);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, *, subtitle: str = "") -> None:
        super().__init__()
        self._name = "MapTitle"
        self.title = title
        self.subtitle = subtitle
        html = f'<strong class="ga-title-text">{esc(title)}</strong>'
        if subtitle:
            html += f'<span class="ga-subtitle">{esc(subtitle)}</span>'
        self.html_json = script_json(html)


def legend_sections(
    *,
    statuses: Sequence[str],
    sides: Sequence[str],
    side_colors: Mapping[str, str],
    corridor_statuses: Sequence[str] = (),
    facility_kinds: Sequence[str] = (),
    lines: Mapping[str, bool] | None = None,
    population_bins: Sequence[float] = (),
    all_statuses: bool = False,
    people_by_status: Mapping[str, tuple[int, float]] | None = None,
    side_names: Mapping[str, str] | None = None,
    population_shown: bool = False,
    changes_since: str = "",
) -> list[LegendSection]:
    """The geoaccess legend: statuses present, sides, lines, corridors, facilities, classes.

    ``statuses`` and the other lists are the (escaped) values found on the map; with
    ``all_statuses`` every status is listed (the timeline shows those of the day).
    ``people_by_status`` gives each status's areas and people, as the assessment's
    population table has them: the legend then says them. Sides are labelled by
    ``side_names`` (display names); the population classes are hidden until their
    layer is shown (``population_shown``); ``changes_since`` (a date) adds the layer of
    areas whose status changed.
    """
    from .layers import CHANGE_COLOR, HATCHED
    from .prepare import POPULATION_COLORS
    from .style import (
        CORRIDOR_COLORS,
        FACILITY_SYMBOLS,
        STATUS_ORDER,
        UNMAPPED_COLOR,
        format_number,
        status_color,
        status_label,
    )

    present = set(statuses)
    order = [s for s in STATUS_ORDER if all_statuses or s in present]

    def label(status: str) -> str:
        if people_by_status is None or status not in people_by_status:
            return status_label(status)
        areas, people = people_by_status[status]
        return (
            f"{status_label(status)}: {areas} area{'s' if areas != 1 else ''}, "
            f"{format_number(people)} people"
        )

    status_items = [
        LegendItem(s, label(s), status_color(s), "hatch" if s in HATCHED else "fill") for s in order
    ]
    if "" in present:
        status_items.append(LegendItem("unmapped", "unmapped", UNMAPPED_COLOR, "fill"))
    names = side_names or {}
    side_items = [
        LegendItem(f"side:{s}", names.get(s, s), side_colors.get(s, "#777777"), "fill")
        for s in dict.fromkeys(sides)
        if s
    ]
    line_specs = {
        "front_lines": ("front line", "#111111", "line"),
        "siege_lines": ("siege line", "#6a1b9a", "dash"),
        "lifelines": ("lifeline (last road link)", "#e7298a", "line"),
    }
    line_items = [LegendItem(k, *line_specs[k]) for k, on in (lines or {}).items() if on]
    if changes_since:
        line_items.append(
            LegendItem("changes", f"status changed since {changes_since}", CHANGE_COLOR, "dash")
        )
    corridor_items = [
        LegendItem(
            f"corridor:{s}",
            f"corridor {s}",
            CORRIDOR_COLORS.get(s, "#555555"),
            "line" if s == "open" else "dash",
        )
        for s in ("open", "announced", "closed")
        if s in corridor_statuses
    ]
    facility_items = [
        LegendItem(f"facility:{k}", k, "#555555", "glyph", FACILITY_SYMBOLS.get(k.lower(), "•"))
        for k in sorted(set(facility_kinds))
        if k
    ]
    lower = 0.0
    population_items = []
    for i, upper in enumerate(population_bins):
        population_items.append(
            LegendItem(
                f"population:{i}",
                f"{format_number(lower)}–{format_number(upper)}",
                POPULATION_COLORS[i],
                "fill",
            )
        )
        lower = upper
    return [
        LegendSection("Access status", tuple(status_items), "status"),
        LegendSection("Sides (control zones)", tuple(side_items), "sides"),
        LegendSection("Lines", tuple(line_items), "lines"),
        LegendSection("Corridors", tuple(corridor_items), "corridors"),
        LegendSection("Facilities", tuple(facility_items), "facilities"),
        LegendSection(
            "Population (people)",
            tuple(population_items),
            "population",
            hidden=not population_shown,
        ),
    ]
