"""Static figures with matplotlib (the only place geoaccess imports matplotlib).

Print maps of an assessment (:func:`print_map`, A4 or A3, PNG, PDF or SVG) and charts of
a timeline (:func:`population_chart`, :func:`status_chart`). Every figure carries its
title and dates, a legend, the sources, the disclaimer and its creation date; maps add
a scale bar and a north arrow. matplotlib and matplotlib-scalebar are the optional extra
``geoaccess[figures]`` (contextily, for basemaps drawn only when asked, is
``geoaccess[basemap]``); figures are built on :class:`matplotlib.figure.Figure` without
pyplot, so no global state changes. Figures read results through the small protocols of
:mod:`.protocols`.
"""

from __future__ import annotations

from .charts import population_chart, status_chart
from .printmap import PAPER_MM, print_map

__all__ = ["PAPER_MM", "population_chart", "print_map", "status_chart"]
