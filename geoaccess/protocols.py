"""What maps and figures read from a result: small protocols.

Maps and figures do not depend on the pipeline that makes the results:
:class:`geoaccess.Assessment` and :class:`geoaccess.Timeline` satisfy these protocols.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from .rules import Rules
from .scenario.model import Scenario

__all__ = ["AssessmentLike", "TimelineLike"]


class AssessmentLike(Protocol):
    """The situation on one date, as :func:`geoaccess.assess` returns it."""

    @property
    def scenario(self) -> Scenario:
        """The scenario filtered to the date."""

    @property
    def date(self) -> dt.date:
        """The day."""

    @property
    def rules(self) -> Rules:
        """The rules applied."""

    @property
    def metric_crs(self) -> CRS:
        """The CRS metric columns were computed in."""

    @property
    def areas(self) -> gpd.GeoDataFrame:
        """Areas with their status (EPSG:4326)."""

    @property
    def pockets(self) -> gpd.GeoDataFrame:
        """Pockets (EPSG:4326)."""

    @property
    def front_lines(self) -> gpd.GeoDataFrame:
        """Front lines (EPSG:4326)."""

    @property
    def corridors(self) -> gpd.GeoDataFrame:
        """Corridors (EPSG:4326)."""

    @property
    def facilities(self) -> gpd.GeoDataFrame:
        """Facilities (EPSG:4326)."""

    @property
    def lifelines(self) -> gpd.GeoDataFrame:
        """Lifelines (EPSG:4326)."""

    @property
    def population(self) -> pd.DataFrame:
        """The population table."""

    @property
    def siege_lines(self) -> gpd.GeoDataFrame | None:
        """Siege lines valid on the date."""


class TimelineLike(Protocol):
    """Statuses over a period, as :func:`geoaccess.timeline` returns them."""

    @property
    def scenario(self) -> Scenario:
        """The whole scenario."""

    @property
    def start(self) -> dt.date:
        """First day."""

    @property
    def end(self) -> dt.date:
        """Last day."""

    @property
    def evaluated(self) -> Sequence[dt.date]:
        """The change dates evaluated."""

    @property
    def snapshots(self) -> Sequence[AssessmentLike]:
        """One light assessment per evaluated date."""

    @property
    def intervals(self) -> pd.DataFrame:
        """Runs of one status per area."""

    def population(self, *, estimate: str | None = None, daily: bool = False) -> pd.DataFrame:
        """People by status over time."""
