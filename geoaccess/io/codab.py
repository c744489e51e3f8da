"""COD-AB administrative boundaries (OCHA Common Operational Datasets) as areas.

COD-AB layers carry one p-code and name column per level (``adm3_pcode``, ``adm3_en`` or
``adm3_name``, ``adm2_pcode``...). :func:`cod_ab_areas` turns them into an areas layer
whose ``area_id`` and ``pcode`` are the p-codes of the finest level, so results join back
to humanitarian tables keyed by p-code. COD-AB's own ``valid_on``/``valid_to`` columns
date the dataset's version, not control of the ground: they are renamed
``cod_valid_on``/``cod_valid_to`` so that geoaccess does not read them as validity.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import Problem, ScenarioError

__all__ = ["cod_ab_areas"]

_PCODE = re.compile(r"^adm(\d)_pcode$", re.IGNORECASE)
#: Columns holding a level's English name, in order of preference (COD-AB versions differ).
_NAME_SUFFIXES = ("_en", "_name")
#: Columns holding a level's name in the local language (Arabic in Syria's COD-AB).
_LOCAL_SUFFIXES = ("_ar", "_name1")


def cod_ab_areas(
    source: str | Path | gpd.GeoDataFrame,
    *,
    level: int | None = None,
    id_column: str | None = None,
    name_column: str | None = None,
    local_name_column: str | None = None,
    layer: str = "areas",
) -> gpd.GeoDataFrame:
    """Read COD-AB boundaries as an areas layer keyed by p-code.

    Parameters
    ----------
    source : str, Path or GeoDataFrame
        A COD-AB file (Shapefile, GeoJSON, GeoPackage...) or an already-read frame.
    level : int, optional
        Administrative level to key on; by default the finest level with a
        ``adm<N>_pcode`` column.
    id_column, name_column : str, optional
        Columns to use instead of the level's p-code and name, for layers whose finest
        unit is not an admin level (OCHA's city neighbourhoods carry the city's
        ``adm4_pcode`` on every row and their own code in ``neighbor_2``).
    local_name_column : str, optional
        The column of the name in the local language, kept as ``name_local`` (by
        default the level's ``_ar`` or ``_name1`` column where it has one).
    layer : str
        Layer name used in error messages.

    Returns
    -------
    GeoDataFrame
        ``area_id`` and ``pcode`` (the unit's code), ``name``, ``name_local`` where the
        layer has it, the parent levels' p-codes and names, the rest of the columns
        unchanged (COD-AB's validity columns renamed), in the source CRS.

    Raises
    ------
    ScenarioError
        When the layer has no p-code column, the chosen level or columns do not exist,
        or the codes are missing or not unique (each offending row is named).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cod = gpd.GeoDataFrame(
    ...     {"adm1_pcode": ["SY02"], "adm1_en": ["Aleppo"], "adm2_pcode": ["SY0200"],
    ...      "adm2_en": ["Jebel Saman"]},
    ...     geometry=[shapely.box(37, 36, 37.3, 36.3)], crs="EPSG:4326")
    >>> cod_ab_areas(cod)[["area_id", "pcode", "name", "adm1_pcode"]]
      area_id   pcode         name adm1_pcode
    0  SY0200  SY0200  Jebel Saman       SY02
    """
    frame = source.copy() if isinstance(source, gpd.GeoDataFrame) else _read(source, layer)
    lower = {c.lower(): c for c in frame.columns if isinstance(c, str)}
    levels = sorted(int(m.group(1)) for c in lower if (m := _PCODE.match(c)))
    if id_column is None:
        if not levels:
            msg = "no adm<N>_pcode column: is this a COD-AB layer? (or pass id_column=)"
            raise ScenarioError([Problem(layer, msg, column="adm<N>_pcode")])
        chosen = levels[-1] if level is None else level
        if chosen not in levels:
            found = ", ".join(map(str, levels))
            raise ScenarioError(
                [
                    Problem(
                        layer,
                        f"no level {chosen} p-codes (levels found: {found})",
                        None,
                        f"adm{chosen}_pcode",
                    )
                ]
            )
        id_column = lower[f"adm{chosen}_pcode"]
        name_column = name_column or _first(lower, chosen, _NAME_SUFFIXES)
        local_column = local_name_column or _first(lower, chosen, _LOCAL_SUFFIXES)
    else:
        local_column = local_name_column
    for column in (id_column, name_column, local_column):
        if column is not None and column not in frame:
            raise ScenarioError([Problem(layer, "column not found", column=column)])
    _check_codes(frame[id_column], layer, id_column)
    renames = {
        lower[c]: f"cod_{c}" for c in ("valid_on", "valid_to", "validon", "validto") if c in lower
    }
    out = frame.rename(columns=renames)
    codes = out[id_column].astype(str).str.strip()
    columns: dict[str, pd.Series] = {"area_id": codes, "pcode": codes}
    if name_column is not None:
        columns["name"] = out[name_column]
    if local_column is not None:
        columns["name_local"] = out[local_column]
    rest = out.drop(columns=[c for c in ("area_id", "pcode", "name", "name_local") if c in out])
    return gpd.GeoDataFrame(
        pd.concat([pd.DataFrame(columns), rest], axis=1), geometry=out.geometry.name, crs=out.crs
    )


def _read(path: str | Path, layer: str) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        return pyogrio.read_dataframe(path)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise ScenarioError(
            [
                Problem(
                    layer, f"cannot read the COD-AB file: {error}", column="path", value=str(path)
                )
            ]
        ) from error


def _first(lower: dict[str, str], level: int, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if (name := f"adm{level}{suffix}") in lower:
            return lower[name]
    return None


def _check_codes(codes: pd.Series, layer: str, column: str) -> None:
    text = codes.astype(object).where(codes.notna(), None)
    missing = text.map(lambda v: v is None or not str(v).strip())
    duplicated = text.astype(str).str.strip().duplicated(keep=False) & ~missing
    problems = [Problem(layer, "p-code is missing", row, column) for row in codes.index[missing]]
    problems += [
        Problem(
            layer,
            "p-code is not unique: choose a finer level or id_column=",
            row,
            column,
            codes[row],
        )
        for row in codes.index[duplicated][:20]
    ]
    if problems:
        raise ScenarioError(problems)
