"""The immutable :class:`Scenario`: parties, their relations and dated layers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import metric_crs_for
from ..rules import Rules
from ..schema import LAYER_NAMES, PopulationRaster
from ..temporal import DateLike, as_date, change_dates, valid_mask
from . import prepare

__all__ = ["Relation", "Scenario"]

Relation = Literal["same", "allied", "neutral", "hostile"]


@dataclass(frozen=True, eq=False)
class Scenario:
    """A scenario: who holds what ground, when, and what else stands on it.

    Build one with :func:`geoaccess.read_scenario`, :meth:`Scenario.create` or
    :func:`geoaccess.datasets.aleppo_2016`; all of them validate and normalise the
    layers (EPSG:4326, 2D, valid geometries, dates parsed). Layers absent from the
    scenario are ``None``.

    Attributes
    ----------
    name : str
        Title of the scenario.
    parties : pandas.DataFrame
        One row per party: ``id``, ``name``, ``side``, ``color``.
    zones : geopandas.GeoDataFrame
        Control zones: ``party``, ``valid_from``, ``valid_to`` and optional columns.
    relations : pandas.DataFrame
        Declared relations between sides: ``side_a``, ``side_b``, ``relation``
        (``allied`` or ``neutral``; undeclared pairs of sides are hostile).
    rear : pandas.DataFrame
        Declared rear anchors: ``side``, ``lon``, ``lat``.
    rules : Rules
        Rules declared by the scenario (``[rules]`` in its manifest).
    declared_extent : tuple of float or None
        ``(lon_min, lat_min, lon_max, lat_max)`` as declared; see :attr:`extent`.
    date : datetime.date or None
        Set by :meth:`at`: the day the scenario was filtered to.
    contested : tuple of str
        Sides whose ground is contested (a grey zone): they hold no pockets, get no
        status and are hostile to every other side, whatever the relations say.
    """

    name: str
    parties: pd.DataFrame
    zones: gpd.GeoDataFrame
    relations: pd.DataFrame = field(default_factory=lambda: _empty_relations())
    rear: pd.DataFrame = field(default_factory=lambda: _empty_rear())
    siege_lines: gpd.GeoDataFrame | None = None
    corridors: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    areas: gpd.GeoDataFrame | None = None
    population: gpd.GeoDataFrame | None = None
    facilities: gpd.GeoDataFrame | None = None
    incidents: gpd.GeoDataFrame | None = None
    impassable: gpd.GeoDataFrame | None = None
    population_rasters: tuple[PopulationRaster, ...] = ()
    rules: Rules = field(default_factory=Rules)
    declared_extent: tuple[float, float, float, float] | None = None
    description: str = ""
    sources: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    date: dt.date | None = None
    contested: tuple[str, ...] = ()
    # derived once here, never later: a scenario is shared between threads and Dask
    # tasks, so nothing about it may change after construction
    _side_by_party: dict[str, str] = field(init=False, repr=False, compare=False)
    _relation_by_pair: dict[frozenset[str], Relation] = field(init=False, repr=False, compare=False)
    _zones_bounds: tuple[float, float, float, float] | None = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # read as arrays: a scenario is rebuilt for every date it is filtered to (at)
        parties, relations = self.parties, self.relations
        side_by_party = dict(
            zip(
                parties["id"].to_numpy(dtype=object),
                parties["side"].to_numpy(dtype=object),
                strict=True,
            )
        )
        relation_by_pair: dict[frozenset[str], Relation] = {
            frozenset((a, b)): rel
            for a, b, rel in zip(
                relations["side_a"].to_numpy(dtype=object),
                relations["side_b"].to_numpy(dtype=object),
                relations["relation"].to_numpy(dtype=object),
                strict=True,
            )
        }
        bounds = None
        if len(self.zones):
            lon_min, lat_min, lon_max, lat_max = self.zones.total_bounds
            bounds = (float(lon_min), float(lat_min), float(lon_max), float(lat_max))
        object.__setattr__(self, "_side_by_party", side_by_party)
        object.__setattr__(self, "_relation_by_pair", relation_by_pair)
        object.__setattr__(self, "_zones_bounds", bounds)

    # ------------------------------------------------------------------ building
    @classmethod
    def create(
        cls,
        name: str,
        *,
        parties: pd.DataFrame | list[Mapping[str, Any]],
        zones: gpd.GeoDataFrame,
        relations: pd.DataFrame | list[Mapping[str, Any]] | None = None,
        rear: Mapping[str, Any] | pd.DataFrame | None = None,
        layers: Mapping[str, gpd.GeoDataFrame | None] | None = None,
        population_rasters: tuple[PopulationRaster, ...] = (),
        rules: Rules | Mapping[str, Any] | None = None,
        extent: tuple[float, float, float, float] | None = None,
        description: str = "",
        sources: tuple[str, ...] | list[str] = (),
        metadata: Mapping[str, Any] | None = None,
        contested: tuple[str, ...] | list[str] = (),
        holds_rest: Mapping[str, gpd.GeoDataFrame | gpd.GeoSeries] | None = None,
    ) -> Scenario:
        """Validate and normalise layers built in code into a scenario.

        Parameters
        ----------
        name : str
            Title of the scenario.
        parties : DataFrame or list of dict
            ``id`` and ``side`` required; ``name`` defaults to the id and ``color`` to a
            palette colour per side.
        zones : GeoDataFrame
            Control zones (any CRS; reprojected to EPSG:4326).
        relations : DataFrame or list of dict, optional
            Rows with ``sides`` (a pair) or ``side_a``/``side_b``, and ``relation``.
        rear : mapping or DataFrame, optional
            ``{side: [(lon, lat), ...]}`` or a frame with ``side``, ``lon``, ``lat``.
        layers : mapping, optional
            Other layers by name (``siege_lines``, ``corridors``, ``roads``, ``areas``,
            ``population``, ``facilities``, ``incidents``, ``impassable``).
        population_rasters : tuple of PopulationRaster, optional
            Raster population estimates.
        rules : Rules or mapping, optional
            The scenario's own rules.
        extent : tuple of float, optional
            The frame, lon/lat; by default the bounding box of all zones.
        description, sources, metadata : optional
            Free text, source list and extra key/values kept with the scenario.
        contested : sequence of str, optional
            Sides whose ground is contested (a grey zone; see :attr:`contested`).
        holds_rest : mapping, optional
            ``{side: boundary}``: on every date the side holds the ground inside the
            boundary (a GeoDataFrame or GeoSeries with a CRS) that no other side's zone
            holds that day; its zones are made here
            (:func:`geoaccess.scenario.rest.rest_zones`).

        Raises
        ------
        ScenarioError
            Listing every fatal problem found.
        """
        return prepare.prepare_scenario(
            cls,
            name=name,
            parties=parties,
            zones=zones,
            relations=relations,
            rear=rear,
            layers=dict(layers or {}),
            population_rasters=tuple(population_rasters),
            rules=rules,
            extent=extent,
            description=description,
            sources=tuple(sources),
            metadata=dict(metadata or {}),
            contested=tuple(contested),
            holds_rest=dict(holds_rest or {}),
        )

    # ------------------------------------------------------------------ layers
    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """A layer by name (``None`` when the scenario has none)."""
        if name not in LAYER_NAMES:
            msg = f"unknown layer {name!r}; layers are {', '.join(LAYER_NAMES)}"
            raise KeyError(msg)
        return getattr(self, name)

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers present, by name."""
        return {n: g for n in LAYER_NAMES if (g := getattr(self, n)) is not None}

    # ------------------------------------------------------------------ sides
    @property
    def sides(self) -> tuple[str, ...]:
        """Sides in order of first appearance among the parties."""
        return tuple(dict.fromkeys(self.parties["side"]))

    def side_of(self, party: str) -> str:
        """The side a party belongs to."""
        try:
            return self._side_by_party[party]
        except KeyError:
            msg = f"unknown party {party!r}; parties are {', '.join(self._side_by_party)}"
            raise KeyError(msg) from None

    def relation(self, side_a: str, side_b: str) -> Relation:
        """How two sides stand: ``same``, ``allied``, ``neutral`` or ``hostile``.

        A contested side is hostile to every other side.
        """
        if side_a == side_b:
            return "same"
        if side_a in self.contested or side_b in self.contested:
            return "hostile"
        return self._relation_by_pair.get(frozenset((side_a, side_b)), "hostile")

    def hostile_sides(self, side: str) -> tuple[str, ...]:
        """The sides hostile to ``side``."""
        return tuple(s for s in self.sides if self.relation(side, s) == "hostile")

    def rear_anchors(self, side: str) -> np.ndarray:
        """Declared rear anchors of a side as an ``(n, 2)`` lon/lat array (maybe empty)."""
        rows = self.rear[self.rear["side"] == side]
        return rows[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)

    # ------------------------------------------------------------------ space
    @property
    def extent(self) -> tuple[float, float, float, float]:
        """The frame: the declared extent, or the bounding box of all zones (lon/lat)."""
        if self.declared_extent is not None:
            return self.declared_extent
        if self._zones_bounds is None:
            msg = "the scenario has no zones and no declared extent, so it has no frame"
            raise ValueError(msg)
        return self._zones_bounds

    @property
    def frame(self) -> shapely.Polygon:
        """The frame as a lon/lat polygon."""
        return shapely.box(*self.extent)

    @property
    def metric_crs(self) -> CRS:
        """The local metric CRS: ``rules.metric_crs`` if set, else the UTM zone of the extent."""
        if self.rules.metric_crs is not None:
            return CRS.from_user_input(self.rules.metric_crs)
        return metric_crs_for(self.extent)

    # ------------------------------------------------------------------ time
    def at(self, date: DateLike) -> Scenario:
        """The scenario filtered to the rows valid on ``date``.

        ``valid_from`` is inclusive and ``valid_to`` exclusive; empty values are open.
        The frame stays the one of the whole scenario.

        Examples
        --------
        >>> import geoaccess as ga
        >>> scn = ga.datasets.aleppo_2016()
        >>> scn.at("2016-07-20").date
        datetime.date(2016, 7, 20)
        """
        day = as_date(date)
        # by position: several times faster than a boolean mask on a GeoDataFrame
        filtered = {
            name: layer.iloc[np.flatnonzero(valid_mask(layer, day))]
            for name in LAYER_NAMES
            if (layer := getattr(self, name)) is not None
        }
        return replace(self, **filtered, declared_extent=self.extent, date=day)

    def change_dates(self, start: DateLike, end: DateLike) -> list[dt.date]:
        """Every day in ``[start, end]`` on which anything starts or ends, plus ``start``."""
        return change_dates(self.layers.values(), start, end)

    # ------------------------------------------------------------------ comparison
    def equals(self, other: Scenario) -> bool:
        """Whether two scenarios hold the same parties, relations, layers and settings."""
        if not isinstance(other, Scenario):
            return False
        for f in fields(self):
            if not f.init:
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, pd.DataFrame) or isinstance(theirs, pd.DataFrame):
                if not _frames_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    def summary(self) -> str:
        """A few lines describing the scenario (parties, layers, extent)."""
        lines = [self.name]
        if self.description:
            lines.append(self.description)
        lines.append("Parties:")
        for row in self.parties.itertuples(index=False):
            lines.append(f"  {row.id:<12} {row.side:<14} {row.name}")
        lines.append("Layers: " + ", ".join(f"{n} ({len(g)})" for n, g in self.layers.items()))
        lon_min, lat_min, lon_max, lat_max = self.extent
        where = "declared" if self.declared_extent is not None else "the zones' bounding box"
        lines.append(
            f"Frame ({where}): {lon_min:.3f}, {lat_min:.3f} to {lon_max:.3f}, {lat_max:.3f}"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        layers = ", ".join(f"{n}={len(g)}" for n, g in self.layers.items())
        when = f", date={self.date.isoformat()}" if self.date else ""
        return f"Scenario({self.name!r}, parties={len(self.parties)}, {layers}{when})"


def _frames_equal(a: pd.DataFrame | None, b: pd.DataFrame | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if not isinstance(a, pd.DataFrame) or not isinstance(b, pd.DataFrame):
        return False
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    for column in a.columns:
        left, right = a[column], b[column]
        if isinstance(left, gpd.GeoSeries) or isinstance(right, gpd.GeoSeries):
            same = shapely.equals_exact(
                np.asarray(gpd.GeoSeries(left).values),
                np.asarray(gpd.GeoSeries(right).values),
                tolerance=1e-9,
            )
            both_empty = (
                gpd.GeoSeries(left).is_empty.to_numpy() & gpd.GeoSeries(right).is_empty.to_numpy()
            )
            if not np.all(same | both_empty):
                return False
        elif pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right):
            if not np.allclose(
                left.to_numpy(float), right.to_numpy(float), equal_nan=True, rtol=1e-12
            ):
                return False
        else:
            lhs = left.astype(object).where(left.notna(), None).tolist()
            rhs = right.astype(object).where(right.notna(), None).tolist()
            if lhs != rhs:
                return False
    return True


def _empty_relations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "side_a": pd.Series(dtype=object),
            "side_b": pd.Series(dtype=object),
            "relation": pd.Series(dtype=object),
        }
    )


def _empty_rear() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "side": pd.Series(dtype=object),
            "lon": pd.Series(dtype=float),
            "lat": pd.Series(dtype=float),
        }
    )
