"""The publishing rules every export follows: whole people, percentages, HXL hashtags.

The result frames keep full precision; what is written (CSV, Excel, GeoPackage) and shown
goes through :func:`publishable` first.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["HXL_TAGS", "column_kind", "hxl_tags", "publishable"]

#: HXL hashtags (https://hxlstandard.org/standard/dictionary/) for the columns geoaccess writes.
HXL_TAGS: dict[str, str] = {
    "area_id": "#loc+code",
    "name": "#loc+name",
    "name_local": "#loc+name+local",
    "pcode": "#adm3+code",
    "adm1_pcode": "#adm1+code",
    "adm2_pcode": "#adm2+code",
    "adm3_pcode": "#adm3+code",
    "adm4_pcode": "#adm4+code",
    "side": "#org+side",
    "pocket_id": "#loc+code+pocket",
    "status": "#access+status",
    "status_since": "#date+start",
    "status_before": "#access+status+before",
    "status_after": "#access+status+after",
    "side_before": "#org+side+before",
    "side_after": "#org+side+after",
    "changed_on": "#date+changed",
    "reason": "#description+reason",
    "date": "#date",
    "start": "#date+start",
    "end": "#date+end",
    "areas": "#indicator+areas+num",
    "population": "#population",
    "population_besieged": "#population+besieged",
    "population_hard_to_reach": "#population+hard_to_reach",
    "population_watchlist": "#population+watchlist",
    "population_accessible": "#population+accessible",
    "population_no_data": "#population+no_data",
    "encircled": "#indicator+encircled+bool",
    "fire_controlled": "#indicator+fire_controlled+bool",
    "hostile_perimeter_pct": "#indicator+hostile_perimeter+pct",
    "route_clearance_m": "#indicator+route_clearance+m",
    "open_corridors": "#indicator+open_corridors+num",
    "open_supply_routes": "#indicator+open_supply_routes+num",
    "corridor_id": "#access+code+corridor",
    "kind": "#access+type",
    "entrance_name": "#loc+name+entrance",
    "exit_name": "#loc+name+exit",
    "length_m": "#indicator+length+m",
    "population_within_reach": "#population+reach",
    "facility_id": "#loc+code+facility",
    "distance_to_front_m": "#indicator+distance_front+m",
    "source": "#meta+source",
    "population_source": "#meta+source+population",
}

#: Columns that hold text although their name says otherwise.
_TEXT = ("population_source", "population_estimates")
#: Counts stored as floats because they can be missing.
_COUNTS = ("open_corridors", "open_supply_routes", "front_line_crossings", "areas")


def hxl_tags(columns: list[str]) -> list[str]:
    """HXL hashtags for ``columns``: the dictionary's tags, else ``#meta+<column>``.

    Examples
    --------
    >>> hxl_tags(["status", "hostile_perimeter_pct", "odd_one"])
    ['#access+status', '#indicator+hostile_perimeter+pct', '#meta+oddone']
    """
    return [HXL_TAGS.get(c, f"#meta+{c.replace('_', '')}") for c in columns]


def column_kind(name: str, values: pd.Series) -> str:
    """How a column is published: ``people``, ``percent``, ``metres``, ``count``...

    The kinds are ``people``, ``percent``, ``metres``, ``km2``, ``count``, ``number``,
    ``date``, ``bool`` and ``text``.

    Examples
    --------
    >>> column_kind("population_besieged", pd.Series([1.5]))
    'people'
    >>> column_kind("hostile_perimeter_pct", pd.Series([62.5]))
    'percent'
    >>> column_kind("population_source", pd.Series(["UN"]))
    'text'
    """
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    numeric = pd.api.types.is_numeric_dtype(values)
    if not numeric:
        known = values.dropna()
        if len(known) and all(isinstance(v, dt.date) for v in known):
            return "date"
        return "text"
    if name in _TEXT:
        return "text"
    if name == "population" or (name.startswith("population") and name not in _TEXT):
        return "people"
    if name.endswith("_pct"):
        return "percent"
    if name.endswith("_m"):
        return "metres"
    if name.endswith("_km2"):
        return "km2"
    if name in _COUNTS or pd.api.types.is_integer_dtype(values):
        return "count"
    return "number"


def publishable(frame: pd.DataFrame, *, geometry: bool = False) -> pd.DataFrame:
    """A table as geoaccess publishes it (a copy; the result frames keep full precision).

    - people (``population``, ``population_*``) rounded to whole numbers (``Int64``);
    - shares (``*_share``, 0 to 1) become percentages with one decimal (``*_pct``);
    - distances (``*_m``) whole metres, counts whole numbers, ``*_km2`` three decimals,
      other numbers six;
    - lists and tuples joined with ``;``; dates as ``datetime.date`` (text is for CSV);
    - the geometry column dropped unless ``geometry``.

    Examples
    --------
    >>> table = pd.DataFrame({"population": [84399.99999999999],
    ...                       "hostile_perimeter_share": [0.6254],
    ...                       "open_corridors": [0.0], "route_clearance_m": [499.7]})
    >>> publishable(table)
       population  hostile_perimeter_pct  open_corridors  route_clearance_m
    0       84400                   62.5               0                500
    """
    table = frame.copy()
    if not geometry and isinstance(table, gpd.GeoDataFrame):
        table = pd.DataFrame(table.drop(columns=table.geometry.name))
    renames = {}
    for column in list(table.columns):
        values = table[column]
        if isinstance(values.dtype, gpd.array.GeometryDtype):
            continue
        name = str(column)
        if name.endswith("_share") and pd.api.types.is_numeric_dtype(values):
            table[column] = (values.astype(float) * 100).round(1)
            renames[column] = name[: -len("_share")] + "_pct"
            continue
        kind = column_kind(name, values)
        if kind in ("people", "metres", "count"):
            table[column] = _whole(values)
        elif kind == "km2":
            table[column] = values.astype(float).round(3)
        elif kind == "number":
            table[column] = values.astype(float).round(6)
        elif kind == "date":
            table[column] = _dates(values)
        elif kind == "text":
            table[column] = values.map(_joined).astype(object)
    return table.rename(columns=renames)


def _whole(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.round().astype("Int64")


def _dates(values: pd.Series) -> pd.Series:
    def day(value: object) -> object:
        if value is None or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return None if pd.isna(value) else value  # type: ignore[call-overload]

    return pd.Series([day(v) for v in values], index=values.index, dtype=object)


def _joined(value: object) -> object:
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return ";".join(str(v) for v in value)
    return value
