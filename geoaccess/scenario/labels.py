"""Zones from labels by area: which party held each area, from which date.

Where no control polygons exist (Aleppo 2016, most of Syria), reporting names the
neighbourhoods each side held. :func:`zones_from_labels` turns such labels into zones:
each label holds from its date until the area's next label; areas with the same party
over the same dates dissolve into one zone.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import WGS84, to_wgs84
from ..errors import Problem, ScenarioError
from ..temporal import to_day_series

__all__ = ["zones_from_labels"]

LAYER = "labels"


def zones_from_labels(
    areas: gpd.GeoDataFrame, labels: pd.DataFrame, *, key: str | None = None
) -> gpd.GeoDataFrame:
    """Zones from the party holding each area, date by date.

    Parameters
    ----------
    areas : GeoDataFrame
        Polygons with ``area_id`` (or ``pcode``), any CRS (the result is EPSG:4326).
    labels : DataFrame
        ``area_id`` (or ``pcode``), ``date`` (ISO) and ``party``; optional ``source``
        (kept on the zones, so that each change names its source). An empty ``party``
        means that no side is known to hold the area from that date.
    key : str, optional
        The column joining labels to areas; by default ``area_id`` when the labels have
        it, else ``pcode``.

    Returns
    -------
    GeoDataFrame
        ``party``, ``valid_from``, ``valid_to`` (open after the last change), ``areas``
        (how many areas the zone dissolves), ``source`` (the labels' sources in force,
        ``; ``-joined, when they have one) and the geometry.

    Raises
    ------
    ScenarioError
        Missing columns, labels of unknown areas, dates that are not ISO, or one area
        labelled twice on one date with different parties; each problem names the row.

    Examples
    --------
    >>> import shapely
    >>> areas = gpd.GeoDataFrame({"area_id": ["a", "b"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
    >>> labels = pd.DataFrame({"area_id": ["a", "b", "b"],
    ...     "date": ["2016-07-01", "2016-07-01", "2016-11-28"],
    ...     "party": ["opposition", "opposition", "government"]})
    >>> zones = zones_from_labels(areas, labels)
    >>> zones[["party", "valid_from", "valid_to", "areas"]]
            party valid_from   valid_to  areas
    0  opposition 2016-07-01 2016-11-28      2
    1  government 2016-11-28        NaT      1
    2  opposition 2016-11-28        NaT      1
    """
    key = key or ("area_id" if "area_id" in labels else "pcode")
    problems = _check_columns(areas, labels, key)
    if problems:
        raise ScenarioError(problems)
    if areas.crs is None:
        raise ScenarioError([Problem("areas", "the areas have no CRS; set one", column="crs")])
    ids = areas[key].astype(str).to_numpy(dtype=object)
    geoms = np.asarray(to_wgs84(areas).geometry.array, dtype=object)
    parsed, bad = to_day_series(labels["date"])
    for row in labels.index[bad.to_numpy()]:
        msg = "not an ISO date: write YYYY-MM-DD (01/07/2016 could be 1 July or 7 January)"
        problems.append(Problem(LAYER, msg, row, "date", labels.at[row, "date"]))
    label_ids = labels[key].astype(str).to_numpy(dtype=object)
    unknown = ~np.isin(label_ids, ids)
    for row, value in zip(labels.index[unknown], label_ids[unknown], strict=True):
        problems.append(Problem(LAYER, f"no area has this {key}", row, key, value))
    table = pd.DataFrame(
        {
            "area": label_ids,
            "day": parsed.to_numpy(),
            "party": labels["party"].astype(object).where(labels["party"].notna(), None),
            "source": (
                labels["source"].astype(object).where(labels["source"].notna(), None)
                if "source" in labels
                else None
            ),
            "row": labels.index,
        }
    )
    table = table[~(bad.to_numpy() | unknown)]
    clash = table.groupby(["area", "day"])["party"].nunique(dropna=False) > 1
    for area, day in clash[clash].index:
        rows = table.loc[(table["area"] == area) & (table["day"] == day), "row"].tolist()
        msg = f"the area is given different parties on {pd.Timestamp(day).date()} (rows {rows})"
        problems.append(Problem(LAYER, msg, rows[-1], "party", area))
    if problems:
        raise ScenarioError(problems)
    table = table.drop_duplicates(["area", "day"], keep="last").sort_values(["day", "area"])
    return _dissolve(ids, geoms, table)


def _check_columns(areas: gpd.GeoDataFrame, labels: pd.DataFrame, key: str) -> list[Problem]:
    problems = []
    for column in (key, "date", "party"):
        if column not in labels:
            found = ", ".join(map(str, labels.columns))
            msg = f"required column is missing (columns found: {found})"
            problems.append(Problem(LAYER, msg, column=column))
    if key not in areas:
        problems.append(Problem("areas", f"the areas have no {key!r} column", column=key))
    return problems


def _dissolve(ids: np.ndarray, geoms: np.ndarray, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Zones per party over the stretches of dates where its set of areas holds still."""
    days = sorted(table["day"].unique())
    holder: dict[object, object] = {}  # area -> party now
    source_of: dict[object, object] = {}
    position = {a: k for k, a in enumerate(ids)}
    rows: list[dict[str, Any]] = []
    open_rows: dict[object, dict[str, Any]] = {}  # party -> its running zone
    for k, day in enumerate(days):
        upto = days[k + 1] if k + 1 < len(days) else pd.NaT
        for change in table[table["day"] == day].itertuples(index=False):
            holder[change.area] = change.party
            source_of[change.area] = change.source
        members: dict[object, list[object]] = {}
        for area, party in holder.items():
            if party is not None:
                members.setdefault(party, []).append(area)
        for party, held in members.items():
            held_set = frozenset(held)
            sources = sorted({str(source_of[a]) for a in held if source_of[a] is not None})
            run = open_rows.get(party)
            if run is not None and run["valid_to"] == day and run["held"] == held_set:
                run["valid_to"] = upto
                run["sources"].update(sources)
                continue
            run = {
                "party": party,
                "valid_from": day,
                "valid_to": upto,
                "held": held_set,
                "sources": set(sources),
            }
            rows.append(run)
            open_rows[party] = run
    geometry = [
        shapely.union_all(geoms[[position[a] for a in sorted(r["held"], key=str)]]) for r in rows
    ]
    frame = pd.DataFrame(
        {
            "party": pd.Series([r["party"] for r in rows], dtype=object),
            "valid_from": pd.to_datetime([r["valid_from"] for r in rows]),
            "valid_to": pd.to_datetime([r["valid_to"] for r in rows]),
            "areas": [len(r["held"]) for r in rows],
            "source": pd.Series(
                ["; ".join(sorted(r["sources"])) or None for r in rows], dtype=object
            ),
        }
    )
    for column in ("valid_from", "valid_to"):
        frame[column] = frame[column].astype("datetime64[ns]")
    if frame["source"].isna().all():
        frame = frame.drop(columns="source")
    order = frame.sort_values(["valid_from", "party"], kind="stable").index
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=WGS84))
    return out.loc[order].reset_index(drop=True)
