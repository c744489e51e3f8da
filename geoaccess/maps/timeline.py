"""The timeline map (in progress)."""

from __future__ import annotations

from typing import Any

__all__ = ["timeline_map"]


def timeline_map(tl: Any, **options: Any) -> Any:
    """A folium map with a date slider (not written yet)."""
    msg = "timeline_map is not implemented yet"
    raise NotImplementedError(msg)
