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

from . import datasets
from .errors import Problem, ScenarioError, ScenarioWarning
from .findings import validate
from .rules import AccessStatus, Rules
from .scenario import PopulationRaster, Scenario

__version__ = "0.1.0"

# The pipeline functions share their names with their modules (``geoaccess.assess`` is
# both); binding them here, after the submodules are imported, makes the functions win.
from .assess import assess
from .io import read_scenario, write_scenario
from .network import network_distance
from .population import PopulationAccounting, allocate_population, population_within
from .results import Assessment, Timeline
from .territory import front_lines, pockets
from .timeline import timeline

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
    "timeline",
    "Timeline",
    "front_lines",
    "pockets",
    "allocate_population",
    "population_within",
    "PopulationAccounting",
    "network_distance",
]
