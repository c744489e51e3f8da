"""The shipped coastline: Natural Earth 1:10m land in 2° tiles, read a box at a time."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from geoaccess.io import coastline

AZOV = (37.0, 46.6, 38.6, 47.4)  # Mariupol and the north of the Sea of Azov
ALEPPO = (36.95, 36.05, 37.35, 36.40)  # the bundled scenario's frame, inland
GAZA = (34.2, 31.2, 34.6, 31.6)
TARTUS = (35.7, 34.6, 36.1, 35.3)
ACROSS_A_SEAM = (37.9, 36.1, 38.1, 36.3)  # inland, on both sides of the 38° E tile edge


def around(x: float, y: float, r: float = 0.05) -> tuple[float, float, float, float]:
    return (x - r, y - r, x + r, y + r)


# --- the real coast, at points checked by hand ----------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "is_land"),
    [
        pytest.param(37.55, 47.10, True, id="Mariupol"),
        pytest.param(37.55, 47.05, False, id="off-Mariupol"),
        pytest.param(37.6, 46.9, False, id="Sea-of-Azov"),
        pytest.param(34.45, 31.51, True, id="Gaza-city"),
        pytest.param(34.38, 31.55, False, id="off-Gaza"),
        pytest.param(35.89, 34.89, True, id="Tartus"),
        pytest.param(35.85, 34.89, False, id="off-Tartus"),
    ],
)
def test_known_points_are_land_or_sea(x: float, y: float, is_land: bool) -> None:
    point = shapely.Point(x, y)
    frame = shapely.box(*around(x, y))
    assert coastline.land_within(around(x, y)).contains(point) is is_land
    assert coastline.sea_within(frame).contains(point) is not is_land


def test_the_coast_at_mariupol_crosses_37_55_east_near_47_082_north() -> None:
    land = coastline.land_within((37.5, 46.9, 37.6, 47.2))
    meridian = shapely.LineString([(37.55, 46.9), (37.55, 47.2)])
    on_land = shapely.intersection(land, meridian)
    assert on_land.geom_type == "LineString"
    south = min(y for _, y in on_land.coords)
    assert south == pytest.approx(47.082, abs=0.002)


# --- frames ---------------------------------------------------------------------------------


def test_aleppo_has_no_sea_exactly() -> None:
    frame = shapely.box(*ALEPPO)
    sea = coastline.sea_within(frame)
    assert sea.is_empty
    assert sea.geom_type == "Polygon"
    assert coastline.land_within(ALEPPO).equals(frame)
    # one tile read, not the whole file
    assert len(coastline.land_tiles(ALEPPO)[0]) == 1


def test_a_frame_across_a_tile_seam_on_land_is_one_polygon_and_no_sea() -> None:
    land = coastline.land_within(ACROSS_A_SEAM)
    assert land.geom_type == "Polygon"  # the two tiles' shared edge dissolved
    assert land.equals(shapely.box(*ACROSS_A_SEAM))
    assert coastline.sea_within(shapely.box(*ACROSS_A_SEAM)).is_empty


def test_the_sea_of_azov_frame_has_about_half_its_area_as_sea() -> None:
    """Sea area in UTM 37N, against a range checked on another coastline.

    This frame measured 5,418 km² of sea with the shipped tiles (of 10,816 km²) and
    5,460 km² with GSHHS high resolution; the range allows either, and rejects a
    frame read as all land or all sea.
    """
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)

    def km2(geom: shapely.Geometry) -> float:
        projected = shapely.transform(geom, lambda xy: np.column_stack(to_utm.transform(*xy.T)))
        return projected.area / 1e6

    frame = shapely.box(*AZOV)
    sea = coastline.sea_within(frame)
    assert km2(frame) == pytest.approx(10_816, rel=1e-3)
    assert 5_200 < km2(sea) < 5_700
    land = coastline.land_within(AZOV)
    # land and sea split the frame (in degrees², where the frame's edges stay straight)
    assert land.area + sea.area == pytest.approx(frame.area, rel=1e-9)
    assert land.intersection(sea).area == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("bounds", [AZOV, ALEPPO, GAZA, TARTUS, ACROSS_A_SEAM])
def test_land_and_sea_are_valid_polygons_inside_the_frame(bounds: tuple) -> None:
    frame = shapely.box(*bounds)
    for geom in (coastline.land_within(bounds), coastline.sea_within(frame)):
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.is_valid
        assert geom.is_empty or frame.covers(geom)


def test_a_polygon_area_gets_its_own_sea_not_its_boxes() -> None:
    """A triangle off Gaza: the sea is cut from the triangle, not from its bounding box."""
    triangle = shapely.Polygon([(34.2, 31.2), (34.6, 31.2), (34.2, 31.6)])
    sea = coastline.sea_within(triangle)
    assert sea.difference(triangle).area < 1e-12  # inside it, up to the overlay's rounding
    assert 0.2 * triangle.area < sea.area < 0.4 * triangle.area  # 0.28 measured
    assert sea.area < coastline.sea_within(shapely.box(*triangle.bounds)).area


def test_open_sea_is_all_sea_and_no_land() -> None:
    atlantic = (-30.0, 30.0, -29.0, 31.0)
    assert coastline.land_within(atlantic).is_empty
    assert coastline.sea_within(shapely.box(*atlantic)).equals(shapely.box(*atlantic))
    tiles, geoms = coastline.land_tiles(atlantic)
    assert len(tiles) == len(geoms) == 0


def test_the_caspian_is_sea_and_lakes_are_land() -> None:
    caspian, victoria = shapely.Point(51, 42), shapely.Point(33, -1)
    assert coastline.sea_within(caspian.buffer(0.1)).contains(caspian)
    assert coastline.sea_within(victoria.buffer(0.1)).is_empty


# --- reading only what is needed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "tiles"),
    [
        pytest.param(AZOV, ["N46E036", "N46E038"], id="Azov"),
        pytest.param(ALEPPO, ["N36E036"], id="Aleppo"),
        pytest.param(GAZA, ["N30E034"], id="Gaza"),
    ],
)
def test_a_box_reads_only_the_tiles_it_meets(bounds: tuple, tiles: list[str]) -> None:
    names, geoms = coastline.land_tiles(bounds)
    assert sorted(names.tolist()) == tiles
    assert len(geoms) == len(tiles)
    assert pyogrio.read_info(coastline.coastline_path())["features"] > 7_000


# --- the packaged file ----------------------------------------------------------------------


def test_the_packaged_file_is_small_indexed_lonlat_multipolygons() -> None:
    path = coastline.coastline_path()
    assert path.name == coastline.COASTLINE_FILE
    assert 5_000_000 < path.stat().st_size < 10_000_000
    info = pyogrio.read_info(path)
    assert info["driver"] == "FlatGeobuf"
    assert info["crs"] == "EPSG:4326"
    assert info["geometry_type"] == "MultiPolygon"
    assert info["fields"].tolist() == ["tile"]
    assert info["capabilities"]["fast_spatial_filter"]  # the packed R-tree is there
    assert (path.parent / "README.md").is_file()


def test_every_tile_is_valid_and_inside_its_cell() -> None:
    tiles = pyogrio.read_dataframe(coastline.coastline_path())
    assert tiles["tile"].is_unique
    sign = {"N": 1, "S": -1, "E": 1, "W": -1}
    lat = np.array([sign[t[0]] * int(t[1:3]) for t in tiles["tile"]])
    lon = np.array([sign[t[3]] * int(t[4:7]) for t in tiles["tile"]])
    cells = shapely.box(lon, lat, lon + 2, lat + 2)
    geoms = tiles.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert shapely.covers(cells, geoms).all()
    assert not shapely.is_empty(geoms).any()


# --- synthetic tiles: results computable on paper -------------------------------------------


@pytest.fixture
def two_tiles(tmp_path: Path) -> Path:
    """Cell N00E000 is land on its west half (0-1° E); cell N00E002 is all land."""
    tiles = gpd.GeoDataFrame(
        {"tile": ["N00E000", "N00E002"]},
        geometry=[
            shapely.MultiPolygon([shapely.box(0, 0, 1, 2)]),
            shapely.MultiPolygon([shapely.box(2, 0, 4, 2)]),
        ],
        crs="EPSG:4326",
    )
    path = tmp_path / "tiles.fgb"
    pyogrio.write_dataframe(tiles, path, driver="FlatGeobuf", SPATIAL_INDEX="YES")
    return path


def test_synthetic_land_and_sea(two_tiles: Path) -> None:
    bounds = (0.5, 0.5, 3.0, 1.5)
    land = coastline.land_within(bounds, source=two_tiles)
    sea = coastline.sea_within(shapely.box(*bounds), source=two_tiles)
    assert land.area == pytest.approx(1.5)
    assert land.normalize().equals(
        shapely.MultiPolygon([shapely.box(0.5, 0.5, 1, 1.5), shapely.box(2, 0.5, 3, 1.5)])
    )
    assert sea.equals(shapely.box(1, 0.5, 2, 1.5))


def test_synthetic_seam_dissolves_and_touching_edges_add_no_area(two_tiles: Path) -> None:
    assert coastline.land_within((2.5, 0.5, 3.5, 1.5), source=two_tiles).equals(
        shapely.box(2.5, 0.5, 3.5, 1.5)
    )
    # a box whose edge only touches the western land: a line, dropped, so all sea
    touching = (1.0, 0.5, 1.5, 1.5)
    names, _ = coastline.land_tiles(touching, source=two_tiles)
    assert names.tolist() == ["N00E000"]
    assert coastline.land_within(touching, source=two_tiles).is_empty
    assert coastline.sea_within(shapely.box(*touching), source=two_tiles).equals(
        shapely.box(*touching)
    )


def test_inputs_are_left_unchanged(two_tiles: Path) -> None:
    area = shapely.box(0.5, 0.5, 3.0, 1.5)
    before = area.wkb
    coastline.sea_within(area, source=two_tiles)
    assert area.wkb == before


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "match"),
    [
        pytest.param((1.0, 2.0, 3.0), "four numbers", id="three-numbers"),
        pytest.param(("a", 0, 1, 1), "four numbers", id="text"),
        pytest.param((0.0, float("nan"), 1.0, 1.0), "finite", id="nan"),
        pytest.param((2.0, 0.0, 1.0, 1.0), "lon_min <= lon_max", id="inverted"),
        pytest.param((300_000.0, 4_000_000.0, 310_000.0, 4_010_000.0), "EPSG:4326", id="metres"),
    ],
)
def test_bad_bounds_raise_saying_what_was_found(bounds: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coastline.land_within(bounds)


@pytest.mark.parametrize(
    ("area", "match"),
    [
        pytest.param(shapely.Point(37.5, 47.0), "Polygon or MultiPolygon", id="point"),
        pytest.param("POLYGON ((0 0, 1 1, 1 0, 0 0))", "Polygon or MultiPolygon", id="text"),
        pytest.param(
            shapely.Polygon([(37, 47), (38, 48), (38, 47), (37, 48)]), "not a valid", id="bowtie"
        ),
    ],
)
def test_bad_areas_raise_saying_what_was_found(area: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coastline.sea_within(area)  # type: ignore[arg-type]


def test_an_empty_area_has_no_sea() -> None:
    assert coastline.sea_within(shapely.Polygon()).is_empty


def test_a_missing_source_file_raises(tmp_path: Path) -> None:
    with pytest.raises(pyogrio.errors.DataSourceError):
        coastline.land_within(AZOV, source=tmp_path / "absent.fgb")
