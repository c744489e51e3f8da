"""Frozen result objects returned by :func:`geoaccess.assess` and :func:`geoaccess.timeline`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from ..io import export, qgis
from ..rules import Rules
from ..scenario.model import Scenario
from ..temporal import DateLike
from .changes import timeline_changes
from .tables import interval_features, metadata_rows, population_over_time, summary

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

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
        """A folium map of the assessment (see :func:`geoaccess.maps.assessment_map`).

        Self-contained by default (``offline=True``: scripts and styles inlined);
        ``changes=ga.changes(before, res)`` adds the areas that changed as a layer.
        """
        from .. import maps  # folium: imported only when a map is asked for

        return maps.assessment_map(self, **options)

    def to_html(self, path: str | Path, **options: Any) -> Path:
        """Write :meth:`map` to an HTML file and return its path."""
        path = Path(path)
        self.map(**options).save(str(path))
        return path

    def plot(self, path: str | Path | None = None, **options: Any) -> Figure:
        """A print map, A4 or A3 (see :func:`geoaccess.figures.print_map`).

        Title and date, legend, scale bar, north arrow, sources, disclaimer and creation
        date; a basemap only when asked (``basemap=True``). Saved to ``path`` when given
        (PNG, PDF or SVG by its suffix). Needs ``pip install "geoaccess[figures]"``.
        """
        from .. import figures  # matplotlib: imported only when a figure is asked for

        return figures.print_map(self, path, **options)

    def summary(self, by: str = "pcode") -> pd.DataFrame:
        """Areas and people by status per admin unit (any column of the areas).

        ``by="adm3_pcode"`` (or a parent p-code: COD-AB areas carry them) gives one row
        per unit: ``areas``, ``areas_<status>``, ``population`` and
        ``population_<status>``. See :func:`geoaccess.pipeline.tables.summary`.
        """
        return summary(self.areas, by)

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

    def metadata(self, *, created: dt.date | None = None) -> list[tuple[str, str]]:
        """What the exports say about this result: scenario, date, rules, sources, disclaimer."""
        return metadata_rows(
            self.scenario,
            self.rules,
            when=self.date.isoformat(),
            created=created or dt.date.today(),
            extra=[("population source", self.details.get("population_source"))],
        )

    def to_file(self, path: str | Path) -> Path:
        """Write every result layer to one GeoPackage (opens in QGIS)."""
        return export.write_geopackage(self.tables, path)

    def to_csv(self, folder: str | Path, *, hxl: bool = False) -> list[Path]:
        """Write every table to ``folder`` as CSV, with an HXL hashtag row if ``hxl``."""
        return export.write_csv_tables(self.tables, folder, hxl=hxl)

    def to_excel(
        self, path: str | Path, *, hxl: bool = False, created: dt.date | None = None
    ) -> Path:
        """Write every table with rows to a formatted sheet of one workbook.

        Frozen header (and the HXL row when ``hxl``), fitted widths, number formats,
        dates as dates and a ``metadata`` sheet (:meth:`metadata`). Needs
        ``pip install "geoaccess[excel]"``.
        """
        return export.write_excel(
            self.tables, path, hxl=hxl, metadata=self.metadata(created=created)
        )

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
        ``area_id``, ``name``, the area's own columns, ``side``, ``status``, ``start``,
        ``end`` (exclusive), ``start_known``, ``population`` (the area's people when the
        run began) and ``reason``: one row per unbroken run of one status for one area.
    """

    scenario: Scenario
    start: dt.date
    end: dt.date
    rules: Rules
    evaluated: tuple[dt.date, ...]
    snapshots: tuple[Assessment, ...]
    intervals: pd.DataFrame

    def daily(self) -> pd.DataFrame:
        """One row per area and day from :attr:`start` to :attr:`end`.

        ``area_id``, ``date`` (``datetime64``, so ``resample`` works), ``status``,
        ``population`` and ``reason``.
        """
        columns = ["area_id", "date", "status", "population", "reason"]
        rows = []
        for row in self.intervals.itertuples(index=False):
            days = pd.date_range(row.start, pd.Timestamp(row.end) - pd.Timedelta(days=1))
            rows.append(
                pd.DataFrame(
                    {
                        "area_id": row.area_id,
                        "date": days,
                        "status": row.status,
                        "population": getattr(row, "population", float("nan")),
                        "reason": row.reason,
                    }
                )
            )
        if not rows:
            return pd.DataFrame(
                {c: pd.Series(dtype="datetime64[ns]" if c == "date" else object) for c in columns}
            )
        return pd.concat(rows, ignore_index=True).sort_values(
            ["date", "area_id"], ignore_index=True
        )[columns]

    @property
    def estimates(self) -> tuple[str, ...]:
        """The population estimates the timeline counts (sources; the primary one first)."""
        for snap in self.snapshots:
            names = snap.details.get("population_estimates")
            if names:
                return tuple(names)
        return ()

    def population(self, *, estimate: str | None = None, daily: bool = False) -> pd.DataFrame:
        """People by status on every change date (``daily``: on every day).

        The index is a :class:`~pandas.DatetimeIndex` named ``date``, so pandas
        resampling works (``tl.population(daily=True).resample("MS").mean()``: people
        by status in an average day of each month). Columns are the statuses, most
        severe first; whole people. On each evaluated date the figures are those of
        ``ga.assess(scn, date).population`` (its ``status`` rows).

        Parameters
        ----------
        estimate : str, optional
            Which estimate, by source name or column (:attr:`estimates`); the primary
            one by default.
        daily : bool
            One row per day from the first evaluated date to :attr:`end`.
        """
        return population_over_time(
            [s.date for s in self.snapshots],
            [s.population for s in self.snapshots],
            self.estimates,
            estimate=estimate,
            end=self.end,
            daily=daily,
        )

    def changes(
        self, since: DateLike, until: DateLike | None = None, *, every: bool = False
    ) -> gpd.GeoDataFrame:
        """The areas whose status on ``until`` (default :attr:`end`) differs from ``since``.

        See :func:`geoaccess.pipeline.changes.timeline_changes`; ``every=True`` lists
        every change in between.
        """
        return timeline_changes(self, since, until, every=every)

    def features(self) -> gpd.GeoDataFrame:
        """The intervals with each area's outline: one feature per area and interval."""
        return interval_features(self.intervals, self.snapshots, self.scenario)

    def metadata(self, *, created: dt.date | None = None) -> list[tuple[str, str]]:
        """What the exports say about this timeline: scenario, period, rules, sources."""
        return metadata_rows(
            self.scenario,
            self.rules,
            when=f"{self.start.isoformat()} to {self.end.isoformat()}",
            created=created or dt.date.today(),
            extra=[
                ("evaluated dates", ", ".join(d.isoformat() for d in self.evaluated)),
                ("population estimates", ", ".join(self.estimates)),
            ],
        )

    def to_csv(self, folder: str | Path, *, hxl: bool = False, daily: bool = False) -> list[Path]:
        """Write the intervals (and, if ``daily``, the daily table) to ``folder`` as CSV."""
        written = {"timeline_intervals": self.intervals}
        if daily:
            written["timeline_daily"] = self.daily()
        return export.write_csv_tables(written, folder, hxl=hxl)

    def to_excel(
        self, path: str | Path, *, hxl: bool = False, created: dt.date | None = None
    ) -> Path:
        """Write the intervals and people by status over time to a formatted workbook.

        Sheets ``timeline_intervals`` and ``population`` (when there is population),
        then ``metadata``. Needs ``pip install "geoaccess[excel]"``.
        """
        people = self.population().reset_index()
        return export.write_excel(
            {"timeline_intervals": self.intervals, "population": people},
            path,
            hxl=hxl,
            metadata=self.metadata(created=created),
        )

    def to_file(self, path: str | Path) -> Path:
        """Write the timeline to a GeoPackage ready for QGIS's temporal controller.

        Layer ``timeline``: one feature per area and interval, with ``start`` and ``end``
        (exclusive) as dates; its default style colours the statuses and sets the time
        axis (also written beside it as ``<name>.qml``).
        """
        return qgis.write_styled_geopackage(
            self.features(), path, layer="timeline", qml=qgis.status_qml(), written=self.end
        )

    def plot_population(self, path: str | Path | None = None, **options: Any) -> Figure:
        """A stacked area chart of people by status over time (``geoaccess[figures]``).

        See :func:`geoaccess.figures.population_chart`; saved to ``path`` when given.
        """
        from .. import figures  # matplotlib: imported only when a figure is asked for

        return figures.population_chart(self, path, **options)

    def plot_status(self, path: str | Path | None = None, **options: Any) -> Figure:
        """One row per area, coloured by status through time (``geoaccess[figures]``).

        See :func:`geoaccess.figures.status_chart`; saved to ``path`` when given.
        """
        from .. import figures  # matplotlib: imported only when a figure is asked for

        return figures.status_chart(self, path, **options)

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
