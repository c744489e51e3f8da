"""Turning a scenario's settings and layers into plain values for files, and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from ..rules import Rules

if TYPE_CHECKING:
    from ..scenario.model import Scenario

#: Columns holding calendar days, written as ISO ``YYYY-MM-DD`` text.
DATE_COLUMNS: tuple[str, ...] = ("valid_from", "valid_to", "date")


def dates_as_text(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``frame`` whose date columns are ISO text (``None`` where open)."""
    out = frame.copy()
    for column in DATE_COLUMNS:
        if column in out and pd.api.types.is_datetime64_any_dtype(out[column]):
            days = out[column]
            out[column] = days.dt.strftime("%Y-%m-%d").astype(object).where(days.notna(), None)
    return out


def rules_changes(rules: Rules) -> dict[str, Any]:
    """The rules that differ from the defaults, as plain values."""
    default = Rules().to_dict()
    return {k: v for k, v in rules.to_dict().items() if v != default[k] and v is not None}


def rear_by_side(scenario: Scenario) -> dict[str, list[list[float]]]:
    """Declared rear anchors as ``{side: [[lon, lat], ...]}``."""
    out: dict[str, list[list[float]]] = {}
    for side, lon, lat in scenario.rear[["side", "lon", "lat"]].itertuples(index=False):
        out.setdefault(str(side), []).append([float(lon), float(lat)])
    return out


def raster_entries(scenario: Scenario) -> list[dict[str, Any]]:
    """Population rasters as manifest tables (absolute paths: rasters are not copied)."""
    return [
        {"raster": str(r.path.resolve()), "source": r.source, "band": int(r.band)}
        for r in scenario.population_rasters
    ]


def plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as dicts of built-in Python values, missing values left out."""
    records = []
    for row in frame.astype(object).to_dict(orient="records"):
        records.append({str(k): _plain(v) for k, v in row.items() if not _missing(v)})
    return records


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, (list, tuple)) and bool(pd.isna(value)))


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value
