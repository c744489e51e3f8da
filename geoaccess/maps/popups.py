"""The HTML of popups, and the rows of them that areas, pockets and changes share.

Pure text: a row's values in, escaped HTML or ``(label, value)`` rows out. Every label
and value is escaped (:func:`.esc`) where the HTML is written, in :func:`detail_html`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .escape import esc, text
from .style import format_metres, format_number, format_percent

__all__ = ["Row", "area_names", "detail_html", "evidence_rows"]

#: One row of a frame: its values by column, the geometry under ``"geometry"``.
Row = Mapping[Any, Any]

_EVIDENCE = (
    ("encircled", "Encircled"),
    ("fire_controlled", "Under fire control"),
    ("hostile_perimeter_share", "Hostile share of perimeter"),
    ("route_clearance_m", "Route clearance"),
    ("open_corridors", "Open corridors"),
    ("open_supply_routes", "Open supply routes"),
)


def detail_html(title: Any, rows: Sequence[tuple[str, Any]], *, note: Any = None) -> str:
    """Escaped HTML of a popup: a bold title, a table of label/value rows and a note.

    Empty values are left out; labels and values are escaped.

    Examples
    --------
    >>> html = detail_html("<b>", [("Status", "open"), ("Empty", None)])
    >>> html.startswith('<div class="ga-detail"><strong>&lt;b&gt;</strong><table>')
    True
    >>> "<tr><th>Status</th><td>open</td></tr></table>" in html, "Empty" in html
    (True, False)
    """
    cells = "".join(
        f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>"
        for label, value in rows
        if text(value) != ""
    )
    footer = f'<p class="ga-note">{esc(note)}</p>' if text(note) else ""
    return (
        f'<div class="ga-detail"><strong>{esc(title)}</strong><table>{cells}</table>{footer}</div>'
    )


def _yes_no(value: Any) -> str:
    if text(value) == "":
        return ""
    return "yes" if bool(value) else "no"


def evidence_rows(row: Row) -> list[tuple[str, Any]]:
    """The evidence rows of an area's or a pocket's popup, formatted (not yet escaped).

    Examples
    --------
    >>> rows = dict(evidence_rows({"encircled": True, "route_clearance_m": 1475.0}))
    >>> rows["Encircled"], rows["Route clearance"], rows["Under fire control"]
    ('yes', '1,475 m', '')
    """
    rows: list[tuple[str, Any]] = []
    for column, label in _EVIDENCE:
        value = row.get(column)
        if column in ("encircled", "fire_controlled"):
            value = _yes_no(value)
        elif column == "hostile_perimeter_share":
            value = format_percent(value)
        elif column.endswith("_m"):
            value = format_metres(value)
        else:  # counts: whole numbers
            value = format_number(value)
        rows.append((label, value))
    return rows


def area_names(row: Row) -> tuple[str, list[tuple[str, Any]]]:
    """An area's title (both names where it has them) and its name and p-code rows.

    Examples
    --------
    >>> title, rows = area_names(
    ...     {"name": "Bustan al-Qasr", "name_local": "بستان القصر", "adm3_pcode": "C1"}
    ... )
    >>> title
    'Bustan al-Qasr (بستان القصر)'
    >>> rows
    [('Local name', 'بستان القصر'), ('P-code', None), ('Admin 3 p-code', 'C1')]
    """
    name = text(row.get("name")) or text(row.get("area_id"))
    local = text(row.get("name_local"))
    title = f"{name} ({local})" if local and local != name else name
    # the same rows for every area (empty values are left out of the popup)
    rows: list[tuple[str, Any]] = [("Local name", local if local != name else "")]
    rows.append(("P-code", row.get("pcode")))
    for column in sorted(c for c in row if str(c).lower().endswith("_pcode")):
        level = str(column)[: -len("_pcode")].replace("adm", "Admin ")
        rows.append((f"{level} p-code", row[column]))
    return title, rows
