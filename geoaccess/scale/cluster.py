"""Dask plumbing shared by the scale path: the import wall, shipping data, summing partials.

``geoaccess.scale`` is the only package that imports dask, always lazily: without the
extra (``pip install "geoaccess[dask]"``) the rest of geoaccess works, and asking for the
scale path raises an :class:`ImportError` saying what to install.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "INSTALL",
    "Partial",
    "combine",
    "default_client",
    "import_dask",
    "is_dask_collection",
    "ship",
    "tree_sum",
    "worker_memory",
]

INSTALL = (
    'the Dask scale path needs dask, distributed and dask-geopandas: pip install "geoaccess[dask]"'
)

#: A partial allocation: per target, input, assigned and outside totals, mask
#: fallbacks, source name.
Partial = tuple[np.ndarray, float, float, float, int, str]


def import_dask() -> ModuleType:
    """``dask.distributed``, or an :class:`ImportError` naming the extra to install.

    Returns
    -------
    module
        The ``distributed`` package.

    Raises
    ------
    ImportError
        dask, distributed or dask-geopandas is missing.
    """
    try:
        import dask  # noqa: F401
        import dask_geopandas  # noqa: F401
        import distributed
    except ImportError as err:
        raise ImportError(INSTALL) from err
    return distributed


def is_dask_collection(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection, without importing dask.

    A Dask collection can only exist once dask has been imported, so this looks at
    :data:`sys.modules` and never triggers the import itself.
    """
    dask = sys.modules.get("dask")
    if dask is None:
        return False
    return bool(dask.is_dask_collection(obj))


def combine(*partials: Partial) -> Partial:
    """Sum partial allocations and accountings (the source of the first non-empty)."""
    alloc = np.sum([p[0] for p in partials], axis=0)
    source = next((p[5] for p in partials if p[5]), "")
    return (
        alloc,
        float(sum(p[1] for p in partials)),
        float(sum(p[2] for p in partials)),
        float(sum(p[3] for p in partials)),
        int(sum(p[4] for p in partials)),
        source,
    )


def tree_sum(dask: ModuleType, parts: list[Any], n: int, fan_in: int = 8) -> Any:
    """Reduce delayed partials ``fan_in`` at a time (bounded memory per task)."""
    if not parts:
        return dask.delayed(combine)((np.zeros(n), 0.0, 0.0, 0.0, 0, ""))
    while len(parts) > 1:
        parts = [
            dask.delayed(combine, pure=True)(*parts[i : i + fan_in])
            for i in range(0, len(parts), fan_in)
        ]
    return dask.delayed(combine, pure=True)(parts[0])


def default_client() -> Any:
    """The default distributed client, or ``None`` (Dask's local scheduler)."""
    import distributed

    try:
        return distributed.default_client()
    except ValueError:
        return None


def ship(client: Any, data: Any) -> Any:
    """Data shipped once: scattered to every worker, or one key of the local graph."""
    if data is None:
        return None
    if client is not None:
        return client.scatter(data, broadcast=True, hash=False)
    import dask

    return dask.delayed(data, pure=True)


def worker_memory(client: Any) -> dict[str, int]:
    """Resident memory (bytes) of each worker process, by worker address.

    Parameters
    ----------
    client : distributed.Client

    Returns
    -------
    dict of str to int
    """
    return dict(client.run(_rss))


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)
