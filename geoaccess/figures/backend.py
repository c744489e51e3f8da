"""The import wall of the ``figures`` extra, and saving figures by file suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "EXTRA_HINT",
    "FORMATS",
    "import_basemap",
    "import_scalebar",
    "new_figure",
    "require",
    "save",
]

EXTRA_HINT = 'pip install "geoaccess[figures]"'
#: File suffixes a figure is saved as.
FORMATS: tuple[str, ...] = ("png", "pdf", "svg")


def new_figure(width_in: float, height_in: float, *, dpi: float = 100) -> Any:
    """A matplotlib :class:`~matplotlib.figure.Figure` (no pyplot, no global state).

    Raises
    ------
    ImportError
        Without matplotlib, naming the extra.
    """
    return _figure_class()(figsize=(width_in, height_in), dpi=dpi)


def require(*, print_map: bool) -> None:
    """Import what figures need now, so a missing extra is said before any work is done.

    Parameters
    ----------
    print_map : bool
        Also the scale bar of the print map (charts need matplotlib alone).

    Raises
    ------
    ImportError
        Naming the extra, as :func:`new_figure` and :func:`import_scalebar` do.
    """
    _figure_class()
    if print_map:
        import_scalebar()


def _figure_class() -> Any:
    """``matplotlib.figure.Figure`` (ImportError naming the extra)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        msg = f"figures need matplotlib: {EXTRA_HINT}"
        raise ImportError(msg) from error
    return Figure


def import_scalebar() -> Any:
    """``matplotlib_scalebar.scalebar.ScaleBar`` (ImportError naming the extra)."""
    try:
        from matplotlib_scalebar.scalebar import ScaleBar
    except ImportError as error:
        msg = f"print maps need matplotlib-scalebar: {EXTRA_HINT}"
        raise ImportError(msg) from error
    return ScaleBar


def import_basemap() -> Any:
    """The ``contextily`` module, for basemaps drawn only when asked."""
    try:
        import contextily
    except ImportError as error:
        msg = 'basemap=True needs contextily: pip install "geoaccess[basemap]"'
        raise ImportError(msg) from error
    return contextily


def save(figure: Any, path: str | Path | None, *, dpi: float) -> None:
    """Save ``figure`` to ``path`` (PNG, PDF or SVG by its suffix); nothing when ``None``."""
    if path is None:
        return
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        msg = f"figures are saved as {', '.join(FORMATS)}; got {path.name!r}"
        raise ValueError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=suffix, dpi=dpi, metadata={"Creator": "geoaccess"})
