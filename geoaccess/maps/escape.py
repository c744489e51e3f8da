r"""Escaping of text from data before it reaches HTML or JavaScript.

Every string that comes from a scenario (names, sources, reasons, ids) goes through
:func:`esc` before it is put into markup, and every JSON document embedded in a
``<script>`` goes through :func:`script_json`. folium places tooltip and popup text
inside JavaScript template literals and inserts it with ``innerHTML``, so the escaping
also neutralises the characters that matter there (backtick, ``$`` and backslash).

branca renders each map element's markup and then compiles that markup once more as a
Jinja template, data included. A name such as ``{{ 7*7 }}`` would come out as ``49``,
and Python in it would run. So no ``{{``, ``{%`` or ``{#`` of data reaches the page:
:func:`esc` writes every ``{`` as ``&#123;``, and :func:`script_json` writes a ``{``
inside a string as ``\u007b`` (JSON's own braces are never followed by one of those).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from typing import Any

import pandas as pd

__all__ = ["esc", "script_json", "text"]

#: Characters that would end or interpolate a JavaScript template literal, or open Jinja.
_SCRIPT_AND_JINJA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;"})
#: A brace opening a Jinja tag, expression or comment: inside a JSON string only.
_JINJA_OPENING = re.compile(r"\{(?=[{%#])")


def text(value: Any, *, missing: str = "") -> str:
    """Plain text of a data value: ``missing`` for None/NaN/NaT, ISO format for dates.

    Examples
    --------
    >>> text(None), text(float("nan"), missing="n/a"), text(dt.date(2016, 7, 20))
    ('', 'n/a', '2016-07-20')
    >>> text(pd.NaT, missing="open"), text(pd.Timestamp("2016-07-20 13:00"))
    ('open', '2016-07-20')
    """
    if type(value) is str:  # most values: names, statuses, formatted figures
        return value
    if value is None or value is pd.NaT:
        return missing
    if isinstance(value, float) and math.isnan(value):
        return missing
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    try:
        if not isinstance(value, str) and pd.isna(value):
            return missing
    except (TypeError, ValueError):
        pass
    return str(value)


def esc(value: Any, *, missing: str = "") -> str:
    """HTML-escape a data value so it is shown as text, never run as markup or code.

    Quotes are escaped too, and so are backtick, ``$`` and backslash, which would
    otherwise end or interpolate the JavaScript template literals folium writes
    tooltips and popups into, and ``{``, which would open a Jinja expression when
    branca compiles the rendered page.

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> esc("${1+1}`")
    '&#36;&#123;1+1}&#96;'
    >>> esc("{{ 7*7 }}")
    '&#123;&#123; 7*7 }}'
    >>> esc(None, missing="unknown")
    'unknown'
    """
    return html.escape(text(value, missing=missing), quote=True).translate(_SCRIPT_AND_JINJA)


def script_json(obj: Any) -> str:
    r"""Compact JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` as unicode escapes.

    No ``</script>`` or ``<!--`` can survive, and the line separators that older
    JavaScript engines reject in string literals are escaped too. Nor can a Jinja
    opening (``{{``, ``{%``, ``{#``): its brace is written ``\u007b``.

    Examples
    --------
    >>> script_json({"name": "</script><!--"})
    '{"name":"\\u003c/script\\u003e\\u003c!--"}'
    >>> script_json({"name": "{{ 7*7 }}", "n": {"m": 1}})
    '{"name":"\\u007b{ 7*7 }}","n":{"m":1}}'
    """
    out = (
        json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return _JINJA_OPENING.sub(r"\\u007b", out)
