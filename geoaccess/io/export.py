"""Writing results: one GeoPackage, CSV tables with an optional HXL row, Excel.

Every export follows the same publishing rules (:func:`.publish.publishable`): people are whole
numbers, shares are percentages with one decimal (``hostile_perimeter_share`` is written
as ``hostile_perimeter_pct``), distances whole metres, lists joined with ``;``. Outputs are
deterministic: the same result gives byte-identical CSV (rows in a fixed order, ISO dates,
Unix line ends). Excel workbooks are written by :mod:`.excel`, QGIS styles by :mod:`.qgis`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .publish import HXL_TAGS, column_kind, hxl_tags, publishable

__all__ = [
    "HXL_TAGS",
    "hxl_tags",
    "publishable",
    "write_csv_tables",
    "write_excel",
    "write_geopackage",
    "write_table",
]


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A published table with dates as ISO text, for CSV."""
    out = table.copy()
    for column in out.columns:
        if column_kind(str(column), out[column]) == "date":
            out[column] = out[column].map(lambda v: "" if v is None else v.isoformat()[:10])
    return out


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
        table = _as_text(publishable(frame))
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            if hxl:
                tag_row = pd.DataFrame([hxl_tags(list(table.columns))], columns=table.columns)
                table = pd.concat([tag_row, table.astype(object)], ignore_index=True)
            table.to_csv(handle, index=False, lineterminator="\n")
        written.append(path)
    return written


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame], path: str | Path
) -> Path:
    """Write every layer to one GeoPackage (tables without geometry as attribute tables).

    Layers follow the publishing rules (:func:`publishable`); dates become GeoPackage
    ``DATE`` fields, which QGIS reads as dates.
    """
    import pyogrio

    path = Path(path)
    if path.exists():
        path.unlink()
    for name, frame in layers.items():
        table = publishable(frame, geometry=True)
        dates = [c for c in table.columns if column_kind(str(c), table[c]) == "date"]
        arrow = bool(dates) and _date_type() is not None
        for column in dates:
            if arrow:  # a GeoPackage DATE field (QGIS reads it as a date)
                table[column] = pd.array(table[column], dtype=pd.ArrowDtype(_date_type()))
            else:
                table[column] = table[column].map(lambda v: None if v is None else v.isoformat())
        if isinstance(table, gpd.GeoDataFrame):
            table.to_file(path, layer=name, driver="GPKG", engine="pyogrio", use_arrow=arrow)
        else:
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG", use_arrow=arrow)
    return path


def _date_type() -> Any:
    """Arrow's date type (``None`` without pyarrow: dates are then written as ISO text)."""
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pandas ships with pyarrow in practice
        return None
    return pyarrow.date32()


def write_excel(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    hxl: bool = False,
    metadata: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write each table to a formatted sheet of one workbook (needs ``geoaccess[excel]``).

    See :func:`geoaccess.io.excel.write_workbook`.
    """
    from . import excel

    return excel.write_workbook(
        {name: publishable(frame) for name, frame in tables.items()},
        path,
        hxl=hxl,
        metadata=metadata,
    )


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    hxl: bool = False,
    metadata: Sequence[tuple[str, str]] = (),
) -> Path:
    r"""Write one table (a summary, a changes table...) by its file's suffix.

    ``.csv`` (with an HXL row if ``hxl``), ``.xlsx`` (formatted, with a ``metadata``
    sheet) or ``.gpkg`` (with geometry where the frame has one), following the
    publishing rules (:func:`publishable`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_table(pd.DataFrame({"population": [1.6]}), pathlib.Path(folder) / "t.csv")
    ...     out.read_text()
    'population\n2\n'
    """
    path = Path(path)
    name = path.stem
    suffix = path.suffix.lower()
    if suffix == ".csv":
        (written,) = write_csv_tables({name: frame}, path.parent, hxl=hxl)
        if written != path:
            written.replace(path)
        return path
    if suffix == ".xlsx":
        return write_excel({name[:31]: frame}, path, hxl=hxl, metadata=metadata)
    if suffix == ".gpkg":
        return write_geopackage({name: frame}, path)
    msg = f"write_table writes .csv, .xlsx or .gpkg; got {path.name!r}"
    raise ValueError(msg)
