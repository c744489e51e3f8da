"""Excel workbooks analysts can hand on (the only place geoaccess imports openpyxl).

Each table is a sheet with a bold, frozen header (and the HXL hashtag row under it when
asked), an autofilter, column widths that fit their content, number formats by kind of
column (people ``#,##0``, percentages ``0.0``, metres ``#,##0``, dates ``yyyy-mm-dd``, real
Excel dates) and a ``metadata`` sheet last: scenario, date, rules, sources, disclaimer,
and the tables left out for having no rows. No sheet is empty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .publish import column_kind, hxl_tags

__all__ = ["NUMBER_FORMATS", "write_workbook"]

#: Excel number format of each kind of column (:func:`geoaccess.io.publish.column_kind`).
NUMBER_FORMATS: dict[str, str] = {
    "people": "#,##0",
    "percent": "0.0",
    "metres": "#,##0",
    "km2": "0.000",
    "count": "0",
    "number": "0.######",
    "date": "yyyy-mm-dd",
}
_MAX_WIDTH = 60
_EXTRA = 'writing Excel needs openpyxl: pip install "geoaccess[excel]"'


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(_EXTRA) from error
    return openpyxl


def _cell(value: Any) -> Any:
    """A value openpyxl writes as itself (``None`` for missing values)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    if isinstance(value, (dt.date, str, int, float, bool)):
        return value
    return str(value)


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    hxl: bool = False,
    metadata: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write published tables (:func:`geoaccess.io.publish.publishable`) to a workbook.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Sheet name (cut to 31 characters) to table; tables without rows get no sheet
        and are listed in the metadata.
    path : str or Path
        The ``.xlsx`` file to write (replaced).
    hxl : bool
        Put the HXL hashtag row under the header.
    metadata : sequence of (str, str)
        Key/value rows of the ``metadata`` sheet.

    Returns
    -------
    Path

    Raises
    ------
    ImportError
        Without openpyxl, naming the ``excel`` extra.
    """
    openpyxl = _openpyxl()
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = openpyxl.Workbook()
    book.remove(book.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    tag_font = Font(italic=True, color="555555")
    left_out = []
    for name, table in tables.items():
        if not len(table):
            left_out.append(name)
            continue
        sheet = book.create_sheet(str(name)[:31])
        columns = [str(c) for c in table.columns]
        kinds = [column_kind(c, table[c]) for c in columns]
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
        first = 2
        if hxl:
            sheet.append(hxl_tags(columns))
            for cell in sheet[2]:
                cell.font = tag_font
            first = 3
        for row in table.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
        for k, (column, kind) in enumerate(zip(columns, kinds, strict=True), start=1):
            letter = get_column_letter(k)
            number_format = NUMBER_FORMATS.get(kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=first, min_col=k, max_col=k):
                    cell.number_format = number_format
            sheet.column_dimensions[letter].width = _width(column, table[column], kind, hxl)
        sheet.freeze_panes = f"A{first}"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{sheet.max_row}"
    rows = list(metadata)
    if left_out:
        rows.append(("tables without rows", ", ".join(left_out)))
    if rows or not book.sheetnames:
        sheet = book.create_sheet("metadata")
        sheet.append(["key", "value"])
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
        for key, value in rows:
            sheet.append([key, value])
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 100
        sheet.freeze_panes = "A2"
    book.save(path)
    return path


def _width(column: str, values: pd.Series, kind: str, hxl: bool) -> float:
    """A column width that fits the header, the HXL tag and most values (capped)."""
    texts = [column, *(hxl_tags([column]) if hxl else [])]
    if kind in ("people", "metres"):
        sample = [f"{v:,}" for v in values.dropna()]
    elif kind == "date":
        sample = ["2016-07-20"] if values.notna().any() else []
    else:
        sample = [str(v) for v in values.dropna()]
    longest = max((len(t) for t in texts + sample), default=8)
    return float(min(_MAX_WIDTH, longest + 2))
