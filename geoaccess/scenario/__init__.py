"""The scenario: who holds what ground, when, and what else stands on it.

- :mod:`.model`: the frozen :class:`Scenario` (layers in EPSG:4326, dates parsed);
- :mod:`.prepare`: the one path every scenario takes to be built, checked and repaired
  (files or code), with the checks across layers in :mod:`.checks`;
- :mod:`.findings`: :func:`validate`, the non-fatal findings about a scenario that loaded;
- zones from real control maps: :mod:`.snapshots` (dated maps), :mod:`.labels` (which
  party held each area), :mod:`.rest` (a side holding the rest of a boundary).
"""

from __future__ import annotations

from ..schema import PopulationRaster
from .findings import validate
from .labels import zones_from_labels
from .model import Scenario
from .snapshots import zones_from_snapshots

__all__ = ["PopulationRaster", "Scenario", "validate", "zones_from_labels", "zones_from_snapshots"]
