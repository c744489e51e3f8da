"""geoaccess: humanitarian-access analysis of sieges, front lines and corridors.

Control zones, siege lines, roads and corridors go in; for any date come out the access
status of every area with its evidence, the population at risk, open corridors and their
reach, lifeline roads, exposed facilities, timelines and maps.

The package is in layers, each importing only the ones below it: the base modules
(:mod:`.errors`, :mod:`.rules`, :mod:`.temporal`, :mod:`.crs`, :mod:`.schema`), then
:mod:`.scenario`, :mod:`.io` and :mod:`.engine`, :mod:`.population`, :mod:`.maps`,
:mod:`.pipeline`, :mod:`.scale`, and the faces :mod:`.api`, :mod:`.datasets` and
:mod:`.cli`.

Examples
--------
>>> import geoaccess as ga
>>> scn = ga.datasets.aleppo_2016()
>>> res = ga.assess(scn, "2016-07-20")  # doctest: +SKIP
"""

from __future__ import annotations

from . import datasets
from .api import allocate_population, timeline
from .engine.routes import network_distance
from .errors import Problem, ScenarioError, ScenarioWarning
from .io import read_scenario, write_scenario
from .io.export import write_table
from .pipeline.assess import assess, front_lines, pockets
from .pipeline.changes import changes
from .pipeline.results import Assessment, Timeline
from .population.allocate import population_within
from .population.shapes import PopulationAccounting
from .rules import AccessStatus, Rules
from .scenario import (
    PopulationRaster,
    Scenario,
    validate,
    zones_from_labels,
    zones_from_snapshots,
)

__version__ = "0.1.0"

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
    "read_scenario",
    "write_scenario",
    "assess",
    "Assessment",
    "changes",
    "timeline",
    "Timeline",
    "front_lines",
    "pockets",
    "allocate_population",
    "population_within",
    "PopulationAccounting",
    "network_distance",
    "zones_from_labels",
    "zones_from_snapshots",
    "write_table",
]
