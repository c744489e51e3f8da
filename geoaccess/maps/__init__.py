"""Folium maps of assessments and timelines (the only place geoaccess imports folium).

Data is turned into GeoJSON in :mod:`.prepare` (pure, simplified in metres, escaped),
with the popups' HTML in :mod:`.popups` and what an area says in :mod:`.area_fields`;
folium layers are built in :mod:`.layers`, the legend, title and sources note in
:mod:`.legend`, the date slider in :mod:`.timeline`, and self-contained pages in
:mod:`.offline`.
"""

from __future__ import annotations

from .assessment import assessment_map
from .timeline import timeline_map

__all__ = ["assessment_map", "timeline_map"]
