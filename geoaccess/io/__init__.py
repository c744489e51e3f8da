"""Reading and writing scenarios: ``scenario.toml`` folders and GeoPackages."""

from __future__ import annotations

from .reader import read_scenario
from .writer import write_scenario

__all__ = ["read_scenario", "write_scenario"]
