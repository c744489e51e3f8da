"""Writing results: one GeoPackage, CSV tables with an optional HXL row, Excel.

Outputs are deterministic: the same result gives byte-identical CSV (rows in a fixed order,
fixed float formatting, ISO dates, Unix line ends).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["hxl_tags", "write_csv_tables", "write_excel", "write_geopackage"]

#: HXL hashtags (https://hxlstandard.org/standard/dictionary/) for the columns geoaccess writes.
HXL_TAGS: dict[str, str] = {
    "area_id": "#loc+code",
    "name": "#loc+name",
    "pcode": "#adm3+code",
    "side": "#org+side",
    "pocket_id": "#loc+code+pocket",
    "status": "#access+status",
    "status_since": "#date+start",
    "reason": "#description+reason",
    "date": "#date",
    "start": "#date+start",
    "end": "#date+end",
    "population": "#population",
    "population_besieged": "#population+besieged",
    "population_hard_to_reach": "#population+hard_to_reach",
    "population_watchlist": "#population+watchlist",
    "population_accessible": "#population+accessible",
    "population_no_data": "#population+no_data",
    "encircled": "#indicator+encircled+bool",
    "fire_controlled": "#indicator+fire_controlled+bool",
    "hostile_perimeter_share": "#indicator+hostile_perimeter+pct",
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


def hxl_tags(columns: list[str]) -> list[str]:
    """HXL hashtags for ``columns``: the dictionary's tags, else ``#meta+<column>``."""
    return [HXL_TAGS.get(c, f"#meta+{c.replace('_', '')}") for c in columns]


def _plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table ready for text output: no geometry, lists joined, dates as ISO text."""
    table = pd.DataFrame(
        frame.drop(columns=frame.geometry.name) if isinstance(frame, gpd.GeoDataFrame) else frame
    ).copy()
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            table[column] = values.dt.strftime("%Y-%m-%d").where(values.notna(), "")
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            table[column] = values.map(_text)
    return table


def _text(value: object) -> object:
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return ";".join(str(v) for v in value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return "" if pd.isna(value) else value.isoformat()[:10]
    return value


def write_csv_tables(
    tables: Mapping[str, pd.DataFrame], folder: str | Path, *, hxl: bool = False
) -> list[Path]:
    """Write each table to ``folder/<name>.csv`` (with an HXL hashtag row if asked).

    Returns the paths written, in the order of ``tables``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        table = _plain_table(frame)
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            if hxl:
                tag_row = pd.DataFrame([hxl_tags(list(table.columns))], columns=table.columns)
                table = pd.concat([tag_row, table.astype(object)], ignore_index=True)
            table.to_csv(handle, index=False, lineterminator="\n", float_format="%.6f")
        written.append(path)
    return written


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame], path: str | Path
) -> Path:
    """Write every layer to one GeoPackage (tables without geometry as attribute tables)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    for name, frame in layers.items():
        table = frame.copy()
        for column in table.columns:
            if column == getattr(table, "_geometry_column_name", None):
                continue
            values = table[column]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                table[column] = values.map(_text)
        if isinstance(table, gpd.GeoDataFrame):
            table.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        else:
            import pyogrio

            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG")
    return path


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write each table to a sheet of one Excel workbook (needs ``geoaccess[excel]``)."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the environment
        msg = 'writing Excel needs openpyxl: pip install "geoaccess[excel]"'
        raise ImportError(msg) from error
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            _plain_table(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return path
