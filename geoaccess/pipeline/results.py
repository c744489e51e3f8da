"""Frozen result objects returned by :func:`geoaccess.assess` and :func:`geoaccess.timeline`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from ..io import export
from ..rules import Rules
from ..scenario.model import Scenario

if TYPE_CHECKING:
    import folium

__all__ = ["Assessment", "Timeline"]


@dataclass(frozen=True, eq=False)
class Assessment:
    """The access situation on one date.

    Every frame is in EPSG:4326; metric columns (``_m``, ``_km2``) were computed in
    :attr:`metric_crs`.

    Attributes
    ----------
    scenario : Scenario
        The scenario filtered to :attr:`date`.
    date : datetime.date
        The day assessed.
    rules : Rules
        The rules applied.
    metric_crs : pyproj.CRS
        The CRS metric columns were computed in.
    areas : GeoDataFrame
        One row per area (or per pocket where the scenario has no areas): ``status``,
        evidence columns, ``status_since``, ``reason`` and population columns.
    pockets : GeoDataFrame
        One row per pocket of each side, with its encirclement evidence.
    front_lines : GeoDataFrame
        Derived front lines by pair of hostile sides.
    corridors : GeoDataFrame
        Per corridor: status, entrance and exit pocket and area, front-line crossings,
        ``length_m`` and population within reach.
    facilities : GeoDataFrame
        Per facility: status where it stands, distance to the front, nearby incidents.
    lifelines : GeoDataFrame
        Road segments whose loss would cut an area's last usable road link.
    population : DataFrame
        Population by status and distance band, with input, assigned and outside totals.
    """

    scenario: Scenario
    date: dt.date
    rules: Rules
    metric_crs: CRS
    areas: gpd.GeoDataFrame
    pockets: gpd.GeoDataFrame
    front_lines: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    lifelines: gpd.GeoDataFrame
    population: pd.DataFrame
    siege_lines: gpd.GeoDataFrame | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def map(self, **options: Any) -> folium.Map:
        """A folium map of the assessment (see :func:`geoaccess.maps.assessment_map`)."""
        from .. import maps  # folium: imported only when a map is asked for

        return maps.assessment_map(self, **options)

    def to_html(self, path: str | Path, **options: Any) -> Path:
        """Write :meth:`map` to an HTML file and return its path."""
        path = Path(path)
        self.map(**options).save(str(path))
        return path

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The result layers by name, as written by the exports."""
        return {
            "areas": self.areas,
            "pockets": self.pockets,
            "front_lines": self.front_lines,
            "corridors": self.corridors,
            "lifelines": self.lifelines,
            "facilities": self.facilities,
            "population": self.population,
        }

    def to_file(self, path: str | Path) -> Path:
        """Write every result layer to one GeoPackage (opens in QGIS)."""
        return export.write_geopackage(self.tables, path)

    def to_csv(self, folder: str | Path, *, hxl: bool = False) -> list[Path]:
        """Write every table to ``folder`` as CSV, with an HXL hashtag row if ``hxl``."""
        return export.write_csv_tables(self.tables, folder, hxl=hxl)

    def to_excel(self, path: str | Path) -> Path:
        """Write every table to one Excel workbook, a sheet each (``geoaccess[excel]``)."""
        return export.write_excel(self.tables, path)

    def __repr__(self) -> str:
        counts = self.areas["status"].value_counts().to_dict() if "status" in self.areas else {}
        return f"Assessment({self.scenario.name!r}, {self.date.isoformat()}, {counts})"


@dataclass(frozen=True, eq=False)
class Timeline:
    """Access statuses over a period, evaluated only on the days something changed.

    Attributes
    ----------
    scenario : Scenario
        The whole scenario.
    start, end : datetime.date
        The period, both days included.
    rules : Rules
        The rules applied.
    evaluated : tuple of datetime.date
        The change dates at which the situation was assessed.
    snapshots : tuple of Assessment
        One assessment per evaluated date.
    intervals : DataFrame
        ``area_id``, ``status``, ``start``, ``end`` (exclusive) and ``reason``: one row
        per unbroken run of one status for one area.
    """

    scenario: Scenario
    start: dt.date
    end: dt.date
    rules: Rules
    evaluated: tuple[dt.date, ...]
    snapshots: tuple[Assessment, ...]
    intervals: pd.DataFrame

    def daily(self) -> pd.DataFrame:
        """One row per area and day from :attr:`start` to :attr:`end`."""
        rows = []
        for row in self.intervals.itertuples(index=False):
            days = pd.date_range(row.start, pd.Timestamp(row.end) - pd.Timedelta(days=1))
            rows.append(
                pd.DataFrame(
                    {
                        "area_id": row.area_id,
                        "date": days.date,
                        "status": row.status,
                        "reason": row.reason,
                    }
                )
            )
        if not rows:
            return pd.DataFrame(columns=["area_id", "date", "status", "reason"])
        return pd.concat(rows, ignore_index=True).sort_values(
            ["date", "area_id"], ignore_index=True
        )

    def to_csv(self, folder: str | Path, *, hxl: bool = False, daily: bool = False) -> list[Path]:
        """Write the intervals (and, if ``daily``, the daily table) to ``folder`` as CSV."""
        tables = {"timeline_intervals": self.intervals}
        if daily:
            tables["timeline_daily"] = self.daily()
        return export.write_csv_tables(tables, folder, hxl=hxl)

    def map(self, **options: Any) -> folium.Map:
        """A folium map with a date slider (see :func:`geoaccess.maps.timeline_map`)."""
        from .. import maps  # folium: imported only when a map is asked for

        return maps.timeline_map(self, **options)

    def to_html(self, path: str | Path, **options: Any) -> Path:
        """Write :meth:`map` to an HTML file and return its path."""
        path = Path(path)
        self.map(**options).save(str(path))
        return path

    def __repr__(self) -> str:
        return (
            f"Timeline({self.scenario.name!r}, {self.start}..{self.end}, "
            f"{len(self.evaluated)} evaluations, {len(self.intervals)} intervals)"
        )
