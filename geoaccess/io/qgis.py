"""The timeline for QGIS: one feature per area and interval, styled, on a time axis.

:func:`status_qml` writes a QGIS layer style (QML) that colours features by ``status``
with the palette of :data:`geoaccess.rules.STATUS_COLORS` and turns on the layer's
temporal properties with start and end dates taken from fields (the end excluded, as in
the intervals), so QGIS's temporal controller plays the timeline.
:func:`write_styled_geopackage` writes a layer with that style as its default (the
GeoPackage ``layer_styles`` table, which QGIS applies when it opens the layer) and the
same style beside it as a ``.qml`` file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import pandas as pd
import pyogrio

from ..display import STATUS_ORDER, status_label
from ..rules import STATUS_COLORS
from .export import write_geopackage

__all__ = ["status_qml", "write_styled_geopackage"]

#: The symbol of each status: fill opacity and outline width (mm).
_SEVERE = {"besieged": (0.85, 0.8), "watchlist": (0.8, 0.6), "hard_to_reach": (0.75, 0.5)}


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _symbol(index: int, status: str) -> str:
    alpha, width = _SEVERE.get(status, (0.6, 0.26))
    options = {
        "color": _rgba(STATUS_COLORS.get(status, "#DDDDDD"), alpha),
        "outline_color": "35,35,35,255",
        "outline_style": "solid",
        "outline_width": str(width),
        "outline_width_unit": "MM",
        "style": "solid",
    }
    props = "".join(
        f'<Option type="QString" name={quoteattr(k)} value={quoteattr(v)}/>'
        for k, v in options.items()
    )
    return (
        f'<symbol type="fill" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{props}</Option></layer></symbol>'
    )


def status_qml(*, status: str = "status", start: str = "start", end: str = "end") -> str:
    """A QGIS style (QML): fill by status, temporal range from ``start`` to ``end``.

    Parameters
    ----------
    status, start, end : str
        The fields of the status and of the first and (excluded) last day.

    Returns
    -------
    str
        The QML document (QGIS 3.14 or later reads its temporal settings).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> root = ET.fromstring(status_qml())
    >>> root.find("temporal").get("startField"), root.find("temporal").get("mode")
    ('start', '2')
    >>> [c.get("value") for c in root.iter("category")][:2]
    ['besieged', 'watchlist']
    """
    categories = "".join(
        f'<category render="true" symbol="{k}" value={quoteattr(s)} '
        f"label={quoteattr(status_label(s))}/>"
        for k, s in enumerate(STATUS_ORDER)
    )
    symbols = "".join(_symbol(k, s) for k, s in enumerate(STATUS_ORDER))
    temporal = (
        f'<temporal enabled="1" mode="2" startField={quoteattr(start)} '
        f'endField={quoteattr(end)} startExpression="" endExpression="" durationField="" '
        f'durationUnit="d" fixedDuration="0" accumulate="0" limitMode="0">'
        f"<fixedRange><start></start><end></end></fixedRange></temporal>"
    )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology|Temporal">'
        f"{temporal}"
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(status)} symbollevels="0" '
        f'enableorderby="0" forceraster="0" referencescale="-1">'
        f"<categories>{categories}</categories><symbols>{symbols}</symbols>"
        "</renderer-v2></qgis>\n"
    )


def write_styled_geopackage(
    frame: gpd.GeoDataFrame,
    path: str | Path,
    *,
    layer: str,
    qml: str,
    style_name: str = "geoaccess status",
    written: dt.date | None = None,
) -> Path:
    """Write ``frame`` as ``layer`` of a new GeoPackage, with ``qml`` as its default style.

    The style goes into the ``layer_styles`` table (as QGIS itself stores styles in a
    GeoPackage, so QGIS applies it when the layer is opened) and beside the GeoPackage as
    ``<path>.qml`` (for "Load Style..."). Dates become GeoPackage ``DATE`` fields.

    Returns
    -------
    Path
        The GeoPackage.
    """
    path = Path(path)
    write_geopackage({layer: frame}, path)
    geometry_column = pyogrio.read_info(path, layer=layer).get("geometry_name") or "geom"
    stamp = (written or dt.date(1970, 1, 1)).isoformat() + "T00:00:00Z"
    styles = pd.DataFrame(
        {
            "f_table_catalog": [""],
            "f_table_schema": [""],
            "f_table_name": [layer],
            "f_geometry_column": [geometry_column],
            "styleName": [style_name],
            "styleQML": [qml],
            "styleSLD": [""],
            "useAsDefault": [True],
            "description": ["Access status by colour; start and end dates on the time axis"],
            "owner": [""],
            "ui": [""],
            "update_time": [stamp],
        }
    )
    pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG", append=False)
    path.with_suffix(".qml").write_text(qml, encoding="utf-8")
    return path
