"""OpenStreetMap extracts (``.osm.pbf``) as the roads layer.

Analysts get road networks as OSM PBF extracts: a country or region from Geofabrik, or an
area of interest from the HOT export tool. :func:`read_osm_roads` reads the drivable ways
of such a file into the roads layer of DESIGN section 3, with the OSM ``highway`` value
as ``kind``, bridges and tunnels marked and every way ``noded`` (it joins others where
they share a node, as in OSM), so that a manifest can say
``roads = { path = "region.osm.pbf", format = "osm" }``.

This is the only module that imports pyrosm (the reader), lazily: without it
(``pip install "geoaccess[osm]"``) the rest of geoaccess works and reading an extract
raises an :class:`ImportError` saying what to install. Nothing here downloads anything:
the file is read where it lies.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import Problem, ScenarioError, ScenarioWarning
from .events import WGS84, text_column

__all__ = ["DRIVABLE_KINDS", "OSM_COLUMNS", "import_pyrosm", "read_osm_roads"]

log = logging.getLogger(__name__)

#: The ``highway`` values read as roads by default: the classified road network with its
#: link roads, the minor public roads, and service roads (the access roads of hospitals,
#: bakeries, warehouses and compounds, often the last link to a facility). ``track`` is
#: left out: see :func:`read_osm_roads`.
DRIVABLE_KINDS: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
)
#: Columns of the roads :func:`read_osm_roads` returns, before ``geometry``.
OSM_COLUMNS: tuple[str, ...] = ("osm_id", "kind", "name", "ref", "bridge", "tunnel", "noded")
#: Values of ``bridge=*`` and ``tunnel=*`` that deny it; any other value
#: (``yes``, ``viaduct``, ``building_passage``...) marks one.
NEGATIVE: tuple[str, ...] = ("no", "false", "0")

_INSTALL = 'reading OpenStreetMap extracts needs pyrosm: pip install "geoaccess[osm]"'
#: OSM tags read as columns (pyrosm decides from all of a way's tags which closed ways
#: are areas).
_TAGS = ["highway", "name", "ref", "bridge", "tunnel"]
#: pyrosm's own warning for a read that found nothing (reported here in geoaccess's words).
_EMPTY_WARNING = "Could not find any OSM data"


def import_pyrosm() -> ModuleType:
    """``pyrosm``, or an :class:`ImportError` naming the extra that installs it."""
    try:
        import pyrosm
    except ImportError as err:
        raise ImportError(_INSTALL) from err
    return pyrosm


def read_osm_roads(
    path: str | os.PathLike[str],
    *,
    layer: str = "roads",
    kinds: Iterable[str] = DRIVABLE_KINDS,
) -> gpd.GeoDataFrame:
    """Read the drivable roads of an OpenStreetMap PBF extract (lines in EPSG:4326).

    Every OSM way whose ``highway`` value is one of ``kinds`` becomes one road (OSM
    relations such as bus routes are not read: their ways are). Access tags
    (``access=private``, ``motor_vehicle=no``) are not applied: a road closed to the public
    is still ground a convoy or a front line crosses.

    ``track`` (agricultural and forest tracks) is not read by default, as in OSMnx's and
    pyrosm's driving networks: tracks are often passable only by four-wheel drive and
    only in the dry season, and rural extracts often hold more of them than roads, so reading
    them would show lifelines a truck convoy cannot use and hide the roads whose loss
    starts a siege. Where tracks did carry supplies (farm tracks round a besieged town),
    pass ``kinds=DRIVABLE_KINDS + ("track",)``.

    Parameters
    ----------
    path : str or path-like
        An OSM PBF file (``*.osm.pbf``), e.g. a Geofabrik or HOT export tool extract. The
        whole file is read in memory: for a large country, cut the area of interest first
        (``osmium extract`` or the HOT export tool).
    layer : str
        Layer name used in error messages.
    kinds : iterable of str
        The ``highway`` values to read; :data:`DRIVABLE_KINDS` by default.

    Returns
    -------
    GeoDataFrame
        One LineString per road, in EPSG:4326, ordered by ``osm_id``, with the columns
        ``osm_id`` (the way's id, ``int64``), ``kind`` (its ``highway`` value), ``name``
        and ``ref`` (the road number, e.g. ``M5``; both missing where the way has none),
        ``bridge`` and ``tunnel`` (``bool``: the way carries ``bridge=*`` or ``tunnel=*``
        with a value other than ``no``) and ``noded`` (``True``: OSM ways join where they
        share a node, so the road graph joins these roads at their shared vertices only
        and a bridge does not join the street it passes over; see
        :func:`geoaccess.engine.roads.build_road_graph`). A closed way that OSM reads as
        an area (such as a ``highway=service`` way tagged ``area=yes``) is read as its
        outline, so that the roads meeting it stay connected; an area with holes gives
        one line per ring, under the same ``osm_id``. An extract without such ways gives an empty
        frame with these columns, and a :class:`~geoaccess.ScenarioWarning`.

    Raises
    ------
    ImportError
        When pyrosm is not installed (``pip install "geoaccess[osm]"``).
    ScenarioError
        When the file is missing, is not named ``*.pbf``, or cannot be read as OSM PBF
        (truncated, corrupt, another format): one problem naming ``layer``, the column
        ``path`` and the file.
    ValueError
        When ``kinds`` is empty or holds anything but texts.

    Examples
    --------
    The sample extract pyrosm ships (``get_data`` finds its own files without a download):

    >>> import pyrosm
    >>> roads = read_osm_roads(pyrosm.get_data("test_pbf"))
    >>> len(roads), int(roads["bridge"].sum()), roads.crs.to_epsg()
    (207, 5, 4326)
    >>> roads.loc[roads["bridge"] & roads["name"].notna(), ["osm_id", "kind", "name"]]
            osm_id      kind             name
    165  363960474  tertiary  Hiidenkirnuntie
    167  363960524  tertiary  Hiidenkirnuntie
    """
    wanted = _kinds(kinds)
    source = Path(path)
    _check_path(source, layer)
    pyrosm = import_pyrosm()
    # a truncated file fails in protobuf, pyrosm's dependency, before pyrosm can say so
    from google.protobuf.message import Error as ProtobufError
    from pyrosm.exceptions import PBFException

    read_errors = (PBFException, ProtobufError, OSError, ValueError)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # in memory: the out-of-core engine keeps every result in a cache under the
            # temporary folder that no option turns off; this read leaves no file behind
            osm = pyrosm.OSM(str(source), engine="in_memory", keep_metadata=False, progress=False)
            ways = osm.get_data_by_custom_criteria(
                {"highway": list(wanted)},
                tags_as_columns=_TAGS,
                keep_nodes=False,
                keep_ways=True,
                keep_relations=False,
            )
        except read_errors as error:
            msg = f"cannot read the OpenStreetMap extract: {error}"
            raise ScenarioError([Problem(layer, msg, column="path", value=str(source))]) from error
    for message in dict.fromkeys(str(w.message) for w in caught):
        if not message.startswith(_EMPTY_WARNING):
            warnings.warn(
                f"layer {layer!r} ({source.name}): pyrosm: {message}",
                ScenarioWarning,
                stacklevel=2,
            )
    roads = _as_roads(ways)
    if not len(roads):
        warnings.warn(
            f"layer {layer!r}: no ways with highway = {', '.join(wanted)} in {source.name}",
            ScenarioWarning,
            stacklevel=2,
        )
    log.info("OSM: %d roads read from %s", len(roads), source)
    return roads


def _kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    wanted = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if not wanted or not all(isinstance(k, str) and k.strip() for k in wanted):
        msg = f"kinds must be highway values such as {', '.join(DRIVABLE_KINDS[:3])}..."
        raise ValueError(msg)
    return tuple(dict.fromkeys(k.strip() for k in wanted))


def _check_path(path: Path, layer: str) -> None:
    if not path.is_file():
        msg = "file not found"
        raise ScenarioError([Problem(layer, msg, column="path", value=str(path))])
    if not path.name.endswith(".pbf"):
        msg = (
            "an OpenStreetMap extract must be a PBF file named *.osm.pbf (OSM XML can be "
            "converted: osmium cat region.osm -o region.osm.pbf)"
        )
        raise ScenarioError([Problem(layer, msg, column="path", value=str(path))])


def _as_roads(ways: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The ways pyrosm read as the roads layer: areas as outlines, one LineString a row."""
    if ways is None or not len(ways):
        return _empty()
    ways = ways[ways["osm_type"] == "way"] if "osm_type" in ways else ways
    table = pd.DataFrame(
        {
            "osm_id": ways["id"].astype("int64"),
            "kind": text_column(ways, "highway"),
            "name": text_column(ways, "name"),
            "ref": text_column(ways, "ref"),
            "bridge": _flag(ways, "bridge"),
            "tunnel": _flag(ways, "tunnel"),
            "noded": True,
        },
        index=ways.index,
    )
    geoms = np.asarray(ways.geometry.values)
    areas = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    geoms[areas] = shapely.boundary(geoms[areas])
    lines = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, index=ways.index), crs=WGS84)
    lines = lines.explode(index_parts=False)
    keep = (lines.geom_type == "LineString") & ~lines.geometry.is_empty
    dropped = int((~keep).sum())
    if dropped:
        log.info("OSM: %d ways without a line geometry left out", dropped)
    lines = lines[keep].sort_values("osm_id", kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(lines, geometry="geometry", crs=WGS84)


def _flag(ways: pd.DataFrame, tag: str) -> pd.Series:
    """Whether each way carries ``tag`` with a value other than ``no``."""
    values = text_column(ways, tag)
    return values.notna() & ~values.str.lower().isin(NEGATIVE)


def _empty() -> gpd.GeoDataFrame:
    table = pd.DataFrame(
        {
            "osm_id": pd.Series(dtype="int64"),
            **{c: pd.Series(dtype="str") for c in ("kind", "name", "ref")},
            "bridge": pd.Series(dtype=bool),
            "tunnel": pd.Series(dtype=bool),
            "noded": pd.Series(dtype=bool),
        }
    )
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
