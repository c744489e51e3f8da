"""Write the notebooks under notebooks/ (committed without outputs).

Run ``python scripts/make_notebooks.py`` after editing the cells below; the test suite
executes the notebooks.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent

ALEPPO = [
    new_markdown_cell(
        """# Aleppo, July–December 2016 with geoaccess

This notebook walks through the bundled scenario: the access status of each of Aleppo's
109 neighbourhoods on key dates, the timeline of the siege, the corridors announced on
28 July and whom they could reach, the lifeline roads before 17 July, facilities at risk,
and the maps.

> **Illustrative reconstruction.** The areas are OCHA's Aleppo city neighbourhoods (COD-AB,
> © UN OCHA, CC BY-IGO 3.0), with their p-codes and English and Arabic names. Which side
> held each neighbourhood is labelled by the geoaccess authors from public reporting (OCHA
> situation reports, the Syrian Observatory as reported by the press), each change naming
> its source in `labels.csv`; the countryside and the roads are drawn coarsely;
> populations are illustrative splits of the UN's 2016 estimates (about 250,000 people in
> eastern Aleppo); facilities are generic and placed approximately, not real hospitals;
> incidents are illustrative, not real events. It is a teaching example, not a record of
> events and not for operational use."""
    ),
    new_code_cell(
        """import matplotlib

matplotlib.use("Agg")  # render without a display (also when the tests run this notebook)
import matplotlib.pyplot as plt
import pandas as pd

import geoaccess as ga

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 160)

scn = ga.datasets.aleppo_2016()
print(scn.summary())
print("Findings from validate():", ga.validate(scn))"""
    ),
    new_markdown_cell(
        """## Who held each neighbourhood, and who says so

`labels.csv`, beside the scenario, gives every neighbourhood's holder on 1 July and every
later change with its source; `ga.zones_from_labels` made the city's zones from it."""
    ),
    new_code_cell(
        """labels = pd.read_csv(ga.datasets.data_path("aleppo_2016") / "labels.csv")
changes = labels[labels["date"] > "2016-07-01"]
print(changes.groupby("date")["pcode"].count().to_string())
labels[labels["pcode"] == "N0204"]  # Bustan Al-Qaser"""
    ),
    new_markdown_cell(
        """## Status on key dates

Castello Road came under government fire control on 7 July and was cut on 17 July; the
opposition opened a narrow link through Ramouseh on 6 August, closed again on 4 September."""
    ),
    new_code_cell(
        """key_dates = [
    "2016-07-05", "2016-07-10", "2016-07-20", "2016-08-20", "2016-09-20", "2016-12-23"
]
results = {day: ga.assess(scn, day) for day in key_dates}

columns = ["area_id", "name", "side", "status", "status_since", "route_clearance_m", "population"]
bustan = {  # N0204 is OCHA's code for Bustan Al-Qaser
    day: res.areas.set_index("area_id").loc["N0204", columns[1:]]
    for day, res in results.items()
}
pd.DataFrame(bustan).T"""
    ),
    new_code_cell(
        """# Every neighbourhood on 20 July, with its p-codes, both names and the evidence
res = results["2016-07-20"]
res.areas[["area_id", "adm4_pcode", "name", "name_local", "side", "status", "encircled",
           "fire_controlled", "status_since", "population", "reason"]].head(12)"""
    ),
    new_code_cell(
        """# Population at risk on 20 July: by status, by distance to the front line, totals
res.population"""
    ),
    new_markdown_cell("## The timeline: computed only on the days something changed"),
    new_code_cell(
        """tl = ga.timeline(scn, "2016-07-01", "2016-12-31")
print(f"{len(tl.evaluated)} change dates evaluated for {(tl.end - tl.start).days + 1} days")
# Bustan Al-Qaser, Hanano (the first to fall) and Salah Ad-Deen (in the last enclave)
picked = tl.intervals[tl.intervals["area_id"].isin(["N0204", "N0129", "N0214"])]
picked[["area_id", "name", "side", "status", "start", "end"]]"""
    ),
    new_code_cell(
        """# Population by status over time (neighbourhood populations held constant)
daily = tl.daily()
population = res.areas.set_index("area_id")["population"]
daily["population"] = daily["area_id"].map(population)
by_status = daily.pivot_table(index="date", columns="status", values="population",
                              aggfunc="sum", fill_value=0)
order = [s for s in ["besieged", "watchlist", "hard_to_reach", "accessible"] if s in by_status]
colors = [ga.rules.STATUS_COLORS[s] for s in order]
ax = by_status[order].plot.area(figsize=(9, 4), color=colors, linewidth=0)
ax.set_ylabel("people")
ax.set_title("Population by access status, Aleppo 2016 (illustrative)")
plt.show()"""
    ),
    new_markdown_cell(
        """## Corridors announced on 28 July

Civilian and combatant corridors do not lift a siege; only an open `aid` or `mixed`
corridor serving the pocket would."""
    ),
    new_code_cell(
        """corridors = ga.assess(scn, "2016-08-01").corridors
corridors.drop(columns="geometry")"""
    ),
    new_markdown_cell(
        """## Lifelines before 17 July

Road segments whose loss alone would leave neighbourhoods with no usable road link to the rear:
the early warning that names Castello Road before the siege begins."""
    ),
    new_code_cell(
        """lifelines = results["2016-07-05"].lifelines
lifelines.drop(columns="geometry").head(10)"""
    ),
    new_markdown_cell("## Facilities at risk on 20 July (positions approximate)"),
    new_code_cell(
        """facilities = res.facilities.drop(columns="geometry")
facilities.sort_values("distance_to_front_m").head(10)"""
    ),
    new_markdown_cell(
        """## Maps

`res.map()` returns a folium map (tiles are the viewer's business; `tiles=None` draws none),
`res.to_html(path)` writes it; `tl.map()` has a date slider."""
    ),
    new_code_cell(
        """m = res.map(tiles=None)
m"""
    ),
    new_code_cell(
        """from pathlib import Path
import tempfile

out = Path(tempfile.mkdtemp())
res.to_html(out / "aleppo_2016-07-20.html")
tl.to_html(out / "aleppo_timeline.html")
res.to_csv(out / "tables", hxl=True)
sorted(p.name for p in out.rglob("*") if p.is_file())"""
    ),
]

OWN_DATA = [
    new_markdown_cell(
        """# Your own data

Build a scenario from files an analyst already has, then assess it:

1. **areas** — COD-AB boundaries keyed by p-code (the OCHA Aleppo neighbourhoods from
   `../shared/data` when present, read with `geoaccess.io.codab.cod_ab_areas`; a
   generated grid otherwise; in a manifest: `areas = { path = "adm3.shp", format =
   "cod-ab" }`),
2. **zones** — control polygons as drawn in QGIS and saved to a GeoPackage (here in UTM:
   any CRS is accepted and reprojected),
3. **incidents** — an ACLED export (`format = "acled"` in the manifest),
4. **population** — a raster of people per cell (a WorldPop-like GeoTIFF).

Everything below is generated in a temporary folder, so the notebook runs anywhere. The
control lines are invented for the example."""
    ),
    new_code_cell(
        """from pathlib import Path
import tempfile

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geoaccess as ga

folder = Path(tempfile.mkdtemp()) / "my_scenario"
folder.mkdir()

shared = Path("..").resolve().parent / "shared" / "data" / "derived_geojson"
neighbourhoods = shared / "aleppo_city_neighborhoods_ocha_cod_ab.geojson"
if neighbourhoods.exists():
    # COD-AB layers are keyed by their finest p-code; OCHA's city neighbourhoods carry
    # the city's adm4_pcode on every row and their own code in neighbor_2
    from geoaccess.io.codab import cod_ab_areas

    areas = cod_ab_areas(neighbourhoods, id_column="neighbor_2", name_column="neighborho")
    areas = areas[["area_id", "pcode", "name", "adm3_pcode", "geometry"]]
    print(f"COD-AB neighbourhoods from {neighbourhoods}: {len(areas)} areas")
else:
    cells = [shapely.box(37.08 + i * 0.03, 36.14 + j * 0.03, 37.11 + i * 0.03, 36.17 + j * 0.03)
             for i in range(6) for j in range(5)]
    areas = gpd.GeoDataFrame(
        {"area_id": [f"N{k:04d}" for k in range(len(cells))],
         "name": [f"Area {k}" for k in range(len(cells))],
         "pcode": [f"SY0200{k:02d}" for k in range(len(cells))]},
        geometry=cells, crs="EPSG:4326",
    )
    print("../shared/data is absent: using a generated grid of 30 areas")
areas.to_file(folder / "areas.geojson")
areas.head(3)"""
    ),
    new_code_cell(
        """# Control polygons "drawn in QGIS": a government west and an opposition east that is
# cut off from the frame by a government-held ring after 1 August. Saved in UTM 37N.
frame = shapely.box(36.95, 36.05, 37.35, 36.40)
east = shapely.box(37.15, 36.17, 37.23, 36.26)
ring = east.buffer(0.02, join_style="mitre").difference(east)
link = shapely.box(37.17, 36.26, 37.21, 36.40)  # the east's road to the north, until 1 August
west = frame.difference(east).difference(link)
zones = gpd.GeoDataFrame(
    {
        "party": ["gov", "opp", "opp", "gov"],
        "name": ["Government-held", "Eastern districts", "Northern link", "Northern link (taken)"],
        "valid_from": [None, None, None, "2016-08-01"],
        "valid_to": [None, None, "2016-08-01", None],
    },
    geometry=[west, east, link, link],
    crs="EPSG:4326",
).to_crs("EPSG:32637")
zones.to_file(folder / "control.gpkg", layer="zones", driver="GPKG")
zones.drop(columns="geometry")"""
    ),
    new_code_cell(
        """# An ACLED export (a few rows with ACLED's real columns)
rng = np.random.default_rng(7)
n = 25
acled = pd.DataFrame({
    "event_id_cnty": [f"SYR{k:05d}" for k in range(n)],
    "event_date": pd.date_range("2016-07-15", periods=n, freq="3D").strftime("%Y-%m-%d"),
    "year": 2016,
    "time_precision": 1,
    "event_type": "Explosions/Remote violence",
    "sub_event_type": rng.choice(["Shelling/artillery/missile attack", "Air/drone strike"], n),
    "actor1": "Military Forces of Syria (2000-)",
    "actor2": "Civilians (Syria)",
    "admin1": "Aleppo", "admin2": "Jebel Saman", "admin3": "Jebel Saman",
    "location": "Aleppo",
    "latitude": rng.uniform(36.18, 36.25, n).round(4),
    "longitude": rng.uniform(37.16, 37.22, n).round(4),
    "geo_precision": 1,
    "source": "Generated for this example",
    "notes": "Illustrative row",
    "fatalities": rng.integers(0, 6, n),
})
acled.to_csv(folder / "acled.csv", index=False)
len(acled)"""
    ),
    new_code_cell(
        """# A population raster: people per 100 m cell (WorldPop-like), dense in the city
import rasterio
from rasterio.transform import from_origin

cell = 0.001
west_edge, north_edge = 37.05, 36.30
width, height = 220, 170
lon = west_edge + cell * (np.arange(width) + 0.5)
lat = north_edge - cell * (np.arange(height) + 0.5)
glon, glat = np.meshgrid(lon, lat)
people = 60 * np.exp(-(((glon - 37.16) / 0.05) ** 2 + ((glat - 36.21) / 0.04) ** 2))
with rasterio.open(
    folder / "population.tif", "w", driver="GTiff", width=width, height=height, count=1,
    dtype="float32", crs="EPSG:4326", transform=from_origin(west_edge, north_edge, cell, cell),
    nodata=-1,
) as raster:
    raster.write(people.astype("float32"), 1)
print(f"{people.sum():,.0f} people in the raster")"""
    ),
    new_code_cell(
        '''manifest = """
name = "My city, 2016 (example)"
description = "Example built from generated files; not real control lines."
sources = ["Generated in the geoaccess notebook 02"]
extent = [36.95, 36.05, 37.35, 36.40]

[[parties]]
id = "gov"
name = "Government forces"
side = "government"
color = "#c0392b"

[[parties]]
id = "opp"
name = "Opposition groups"
side = "opposition"
color = "#27ae60"

[layers]
zones = { path = "control.gpkg", layer = "zones" }
areas = "areas.geojson"
incidents = { path = "acled.csv", format = "acled" }
population = { raster = "population.tif", source = "generated raster" }
"""
(folder / "scenario.toml").write_text(manifest)
scn = ga.read_scenario(folder)
print(scn)
ga.validate(scn)'''
    ),
    new_code_cell(
        """before, after = ga.assess(scn, "2016-07-20"), ga.assess(scn, "2016-08-10")
summary = pd.DataFrame({
    "2016-07-20": before.areas["status"].value_counts(),
    "2016-08-10": after.areas["status"].value_counts(),
}).fillna(0).astype(int)
summary"""
    ),
    new_code_cell("""after.population"""),
    new_code_cell(
        """# Tables for humanitarian partners: CSV with an HXL hashtag row, and one GeoPackage
out = folder / "results"
written = after.to_csv(out, hxl=True)
after.to_file(out / "results.gpkg")
print(pd.read_csv(out / "areas.csv", nrows=2).iloc[:, :6])
sorted(p.name for p in out.iterdir())"""
    ),
    new_code_cell("""after.map(tiles=None)"""),
]


REAL_CONTROL = [
    new_markdown_cell(
        """# A real control map: one-sided snapshots to a timeline map

Conflict trackers (ISW/CTP, DeepState) publish control maps as they are: one file per
date, one side's ground (the occupied areas) plus a grey zone, no `valid_from`/`valid_to`.
geoaccess reads them as published:

- `zones = { snapshots = "maps/*.geojson", party_column = "party" }`: each map holds from
  its date (read from the file name) until the next;
- `[sides.ukraine] holds_rest = "boundary.geojson"`: the other side holds the rest of the
  country on every date;
- `[sides.grey] kind = "contested"`: the grey zone is hostile to everyone and holds no
  pockets.

With `../shared/data/real_control/avdiivka_2024` beside the project this notebook reads
DeepState's Avdiivka maps (October 2023 – February 2024; DeepState states no licence and
the archive is for non-commercial use; the boundary is GADM-derived, non-commercial):
they are read in place, never copied. Without it, it draws a small series of one-sided
maps of an invented salient closing on a town, so it runs anywhere. Both are examples for
learning the library, not assessments."""
    ),
    new_code_cell(
        """from pathlib import Path
import tempfile

import geopandas as gpd
import pandas as pd
import shapely

import geoaccess as ga

folder = Path(tempfile.mkdtemp()) / "salient"
(folder / "maps").mkdir(parents=True)
real = Path("..").resolve().parent / "shared" / "data" / "real_control" / "avdiivka_2024"
town = shapely.Point(37.746, 48.139).buffer(0.015)  # about 1.5 km round the centre

if real.is_dir():
    maps = f"{real}/snapshots/*.geojson"
    boundary = real / "ukraine_boundary.geojson"
    areas = real / "areas.geojson"
    print("DeepState snapshots:", sorted(p.name for p in (real / "snapshots").iterdir()))
else:
    # an invented salient: occupied ground east of the town, two pincers closing round it
    # (how far west they reach, and half the width of the neck they leave, in degrees)
    steps = {"2023-10-10": (0.00, 0.05), "2023-12-15": (0.03, 0.05), "2024-02-01": (0.06, 0.04),
             "2024-02-10": (0.09, 0.03), "2024-02-15": (0.12, 0.016), "2024-02-18": None}
    for day, step in steps.items():
        if step is None:  # the town taken: the occupied ground runs well west of it
            occupied = shapely.box(37.66, 47.70, 38.60, 48.60)
        else:
            west, half = step
            occupied = shapely.union_all([
                shapely.box(37.80, 47.70, 38.60, 48.60),
                shapely.box(37.80 - west, 48.139 + half, 37.80, 48.60),
                shapely.box(37.80 - west, 47.70, 37.80, 48.139 - half),
            ])
        grey = occupied.buffer(0.006, join_style="mitre").difference(occupied)
        gpd.GeoDataFrame(
            {"party": ["ru", "grey_zone"], "source": "invented for this example"},
            geometry=[occupied, grey], crs="EPSG:4326",
        ).to_file(folder / "maps" / f"{day}.geojson")
    gpd.GeoDataFrame(
        {"name": ["country"]}, geometry=[shapely.box(36.9, 47.65, 38.6, 48.65)], crs="EPSG:4326"
    ).to_file(folder / "boundary.geojson")
    gpd.GeoDataFrame(
        {"area_id": ["town"], "name": ["The town"]}, geometry=[town], crs="EPSG:4326"
    ).to_file(folder / "areas.geojson")
    maps, boundary, areas = "maps/*.geojson", "boundary.geojson", "areas.geojson"
    print("../shared/data is absent: an invented salient,", len(steps), "maps")"""
    ),
    new_code_cell(
        """manifest = f'''
name = "A salient closing on a town"
description = "Dated one-sided control maps read as published; an example, not an assessment."
extent = [37.0, 47.75, 38.5, 48.55]

[[parties]]
id = "ru"
side = "russia"

[[parties]]
id = "grey_zone"
name = "Grey zone"
side = "grey"

[[parties]]
id = "ua"
side = "ukraine"

[sides.grey]
kind = "contested"

[sides.ukraine]
holds_rest = "{boundary}"

[layers]
zones = {{ snapshots = "{maps}", party_column = "party" }}
areas = "{areas}"
'''
(folder / "scenario.toml").write_text(manifest)
scn = ga.read_scenario(folder, allow_outside=True)
print(scn.summary())
scn.zones[["party", "valid_from", "valid_to"]]"""
    ),
    new_code_cell(
        """tl = ga.timeline(scn, "2023-10-10", "2024-02-29")
tl.intervals[["area_id", "side", "status", "start", "end", "start_known", "reason"]]"""
    ),
    new_code_cell(
        """# Each snapshot date: the town's status, its evidence and how much room its link keeps
rows = []
for day in tl.evaluated:
    res = ga.assess(scn, day)
    town_row = res.areas.iloc[0]
    rows.append({"date": day, "side": town_row["side"], "status": town_row["status"],
                 "encircled": town_row["encircled"],
                 "fire_controlled": town_row["fire_controlled"],
                 "route_clearance_m": town_row["route_clearance_m"]})
pd.DataFrame(rows)"""
    ),
    new_code_cell("""tl.map(tiles=None)"""),
]


PUBLISHING = [
    new_markdown_cell(
        """# Publishing a monthly access product

What an information-management officer hands on each month, from the bundled Aleppo 2016
scenario: people by status over time, what changed since last month, a summary by admin
unit, print-ready maps and charts, and tables ready for HDX (Excel with an HXL row and a
metadata sheet, a GeoPackage for QGIS's temporal controller).

> **Illustrative reconstruction.** The bundled scenario labels OCHA's Aleppo
> neighbourhoods (COD-AB, © UN OCHA, CC BY-IGO 3.0) from public reporting; its countryside,
> roads, facilities, incidents and populations are illustrative. It is a teaching example,
> not a record of events and not for operational use. Every figure and map below says so."""
    ),
    new_code_cell(
        """import tempfile
from pathlib import Path

import pandas as pd

import geoaccess as ga

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 160)
out = Path(tempfile.mkdtemp(prefix="geoaccess-"))  # where this notebook writes its files

scn = ga.datasets.aleppo_2016()
tl = ga.timeline(scn, "2016-07-01", "2016-12-31")
res = ga.assess(scn, "2016-09-20")"""
    ),
    new_markdown_cell(
        """## People by status over time

`tl.population()` gives people by status on every change date, indexed by date, so pandas
resampling works: here the people in an average day of each month."""
    ),
    new_code_cell(
        """people = tl.population()
print(people.tail())
monthly = tl.population(daily=True).resample("MS").mean().round().astype(int)
monthly[["besieged", "hard_to_reach", "accessible"]]"""
    ),
    new_code_cell(
        """tl.plot_population(out / "population_over_time.png")  # a matplotlib Figure"""
    ),
    new_code_cell("""tl.plot_status(out / "status_over_time.png")"""),
    new_markdown_cell(
        """## What changed since last month

The areas whose status on 20 September differs from 20 August: the Ramouseh gap closed on
4 September and eastern Aleppo was besieged again."""
    ),
    new_code_cell(
        """changes = tl.changes("2016-08-20", "2016-09-20")
ga.write_table(changes, out / "changes_2016-08-20_2016-09-20.csv", hxl=True)
changes[["name", "pcode", "status_before", "status_after", "changed_on", "population"]].head()"""
    ),
    new_code_cell(
        """# the same table from two assessments, drawn as its own layer on the map
before = ga.assess(scn, "2016-08-20")
m = res.map(changes=ga.changes(before, res), changes_since=before.date, tiles=None)
res.to_html(out / "map_2016-09-20.html", changes=ga.changes(before, res), tiles=None)
print("self-contained map:", (out / "map_2016-09-20.html").stat().st_size // 1024, "KiB")"""
    ),
    new_markdown_cell(
        """## By admin unit

`res.summary(by=...)` groups the areas by any of their columns: a sub-district or
governorate p-code (COD-AB parent codes travel with the areas), or here the side of the
city each neighbourhood lay on."""
    ),
    new_code_cell("""res.summary(by="side_2016")"""),
    new_markdown_cell(
        """## The print map

A4 or A3, PNG, PDF or SVG: title and date, legend, scale bar, north arrow, sources,
disclaimer and creation date. A basemap is drawn only when asked (`basemap=True`)."""
    ),
    new_code_cell("""res.plot(out / "map_2016-09-20_A4.png")"""),
    new_markdown_cell(
        """## Tables to hand on

Excel with formatted sheets, the HXL row and a metadata sheet; the timeline as a
GeoPackage layer (one feature per area and interval, start and end dates) styled for
QGIS's temporal controller."""
    ),
    new_code_cell(
        """workbook = res.to_excel(out / "assessment_2016-09-20.xlsx", hxl=True)
print(pd.ExcelFile(workbook).sheet_names)
gpkg = tl.to_file(out / "timeline.gpkg")
print(gpkg.name, gpkg.with_suffix(".qml").name)
pd.read_excel(workbook, sheet_name="metadata").head(6)"""
    ),
]


def write(name: str, cells: list) -> None:
    for number, cell in enumerate(cells):  # stable ids: rewriting changes nothing
        cell["id"] = f"{name[:2]}-{number:02d}"
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, ROOT / "notebooks" / name)


if __name__ == "__main__":
    write("01_aleppo_2016.ipynb", ALEPPO)
    write("02_your_own_data.ipynb", OWN_DATA)
    write("03_real_control_map.ipynb", REAL_CONTROL)
    write("04_publishing.ipynb", PUBLISHING)
