"""Building frames: columns added as ``assign`` adds them, text kept as pandas stores it,
and the light snapshots' population table the full one's status and total rows."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point

import geoaccess as ga
from geoaccess.engine.columns import INFERRED_TEXT, is_text, with_columns
from geoaccess.rules import STATUSES


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["clinic", "school"], "status": ["open", "closed"], "beds": [10, 0]},
        geometry=[Point(500_000, 4_000_000), Point(501_000, 4_000_000)],
        crs=32637,
        index=[7, 3],
    )


def test_with_columns_replaces_in_place_and_appends_as_assign(sites):
    """A column already there keeps its place (as ``assign`` and ``frame[c] = v`` leave
    it), new ones come last in the order given; the geometry and CRS stay."""
    added = {"status": ["besieged", None], "area_id": ["N0204", "N0129"], "km": [1.5, 2.0]}
    got = with_columns(sites, **added)
    assert list(got.columns) == ["name", "status", "beds", "geometry", "area_id", "km"]
    assert got["status"].tolist()[0] == "besieged" and pd.isna(got["status"].iloc[1])
    assert got.crs.to_epsg() == 32637 and got.index.tolist() == [7, 3]
    assert isinstance(got, gpd.GeoDataFrame) and got.geometry.name == "geometry"
    pd.testing.assert_frame_equal(got, sites.assign(**added))
    assert sites["status"].tolist() == ["open", "closed"]  # the frame itself is left


def test_with_columns_only_adding(sites):
    got = with_columns(sites, km=np.array([1.0, 2.0]))
    assert list(got.columns) == ["name", "status", "beds", "geometry", "km"]
    pd.testing.assert_frame_equal(got, sites.assign(km=[1.0, 2.0]))


def test_is_text_is_pandas_own_text_type_only():
    given_as_objects = pd.DataFrame({"t": np.array(["a", None], dtype=object)})["t"]
    assert given_as_objects.dtype == INFERRED_TEXT
    texts_stored_apart = isinstance(INFERRED_TEXT, pd.StringDtype)  # pandas 3: pyarrow
    assert is_text(given_as_objects) is texts_stored_apart
    assert not is_text(pd.Series(np.array(["a", "b"], dtype=object), dtype=object))
    assert not is_text(pd.Series(["a", None], dtype="string[python]"))  # NA, not NaN
    assert not is_text(pd.Series([1, 2]))
    assert not is_text(pd.Series([1.5, np.nan]))
    # what the frames take instead of reading text out and back in: the same column
    taken = pd.DataFrame({"t": given_as_objects.array})["t"]
    pd.testing.assert_series_equal(taken, given_as_objects)


def test_light_population_table_is_the_full_ones_status_and_total_rows(
    bundled_half_year: ga.Timeline, bundled_20_july: ga.Assessment
):
    """Built apart (``status_table`` for a timeline's dates, ``population_table`` for an
    assessment), the two agree row for row, types included, on the same statuses: 20
    July has the statuses of its last change date, 17 July."""
    day = dt.date(2016, 7, 20)
    light = [s for s in bundled_half_year.snapshots if s.date <= day][-1]
    assert light.date == dt.date(2016, 7, 17)
    full = bundled_20_july.population
    rows = full[full["category"].isin(["status", "total"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(light.population, rows)
    by_status = light.population["category"] == "status"
    assert light.population["label"][by_status].tolist() == list(STATUSES)
    assert light.population["areas"].dtype == "Int64"
    assert light.population["areas"][by_status].sum() == 109  # each neighbourhood once
    assert light.population["areas"][~by_status].isna().all()


def test_result_text_keeps_the_scenarios_types(
    bundled_20_july: ga.Assessment, bundled_half_year: ga.Timeline
):
    """The areas' own columns, the facilities' and the corridors' text come out with the
    types the scenario holds them in, and the same values."""
    res, scn = bundled_20_july, bundled_20_july.scenario
    own = scn.areas.set_index("area_id").loc[res.areas["area_id"]]
    for column in ("pcode", "name_local", "adm3_pcode", "population_source"):
        assert res.areas[column].dtype == scn.areas[column].dtype, column
        assert res.areas[column].tolist() == own[column].tolist(), column
    assert res.areas["area_id"].dtype == res.areas["name"].dtype == INFERRED_TEXT
    for column in ("facility_id", "kind", "name"):
        assert res.facilities[column].dtype == scn.facilities[column].dtype, column
    with_corridors = [s for s in bundled_half_year.snapshots if len(s.corridors)]
    assert with_corridors  # the Bustan al-Qasr crossing and the others
    corridors = with_corridors[0].corridors
    layer = with_corridors[0].scenario.corridors
    for column in ("corridor_id", "name", "kind", "status"):
        assert corridors[column].dtype == INFERRED_TEXT, column
        assert set(corridors[column]) <= set(layer[column]), column
