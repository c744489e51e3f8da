"""Population at risk: allocation, rasters, the estimates of a date, reach and exposure.

- :mod:`.allocate`: :func:`allocate_population` (areal, dasymetric, points; rasters through
  :mod:`.raster`) and :func:`population_within` (distance bands), with the checks and the
  accounting of :mod:`.shapes`;
- :mod:`.estimates`: every population estimate of a date, on pieces, areas and pockets;
- :mod:`.people`: located people as weighted points; :mod:`.reach`: who can walk to a
  corridor; :mod:`.catchments`: who a facility serves and the incidents near it;
- :mod:`.table`: the population table of an assessment.
"""

from __future__ import annotations

from .allocate import allocate_population, population_within
from .shapes import PopulationAccounting

__all__ = ["PopulationAccounting", "allocate_population", "population_within"]
