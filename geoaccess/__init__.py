"""geoaccess: humanitarian-access analysis of sieges, front lines and corridors.

Control zones, siege lines, roads and corridors go in; for any date come out the access
status of every area with its evidence, the population at risk, open corridors and their
reach, lifeline roads, exposed facilities, timelines and maps.

Examples
--------
>>> import geoaccess as ga
>>> scn = ga.datasets.aleppo_2016()
>>> res = ga.assess(scn, "2016-07-20")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from . import datasets
from .errors import Problem, ScenarioError, ScenarioWarning
from .rules import AccessStatus, Rules
from .scenario import PopulationRaster, Scenario
from .validate import validate

__version__ = "0.1.0"

# Public names living in heavier modules, imported on first use (PEP 562) so that
# ``import geoaccess`` stays light and has no side effects.
_LAZY: dict[str, str] = {
    "read_scenario": "geoaccess.io",
    "write_scenario": "geoaccess.io",
    "assess": "geoaccess.assess",
    "Assessment": "geoaccess.results",
    "Timeline": "geoaccess.results",
    "timeline": "geoaccess.timeline",
    "front_lines": "geoaccess.territory",
    "pockets": "geoaccess.territory",
    "allocate_population": "geoaccess.population",
    "population_within": "geoaccess.population",
    "network_distance": "geoaccess.network",
}

__all__ = [
    "AccessStatus",
    "PopulationRaster",
    "Problem",
    "Rules",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "datasets",
    "validate",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    msg = f"module 'geoaccess' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)
