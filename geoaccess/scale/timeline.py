"""The change dates of a timeline, evaluated as Dask tasks.

:class:`DaskRunner` is a :class:`~geoaccess.pipeline.timeline.DateRunner`: the projected
scenario (an immutable :class:`~geoaccess.engine.context.Context`) is scattered once to
every worker; the dates are cut into contiguous batches (a few per worker thread, so
dates sharing the same zones share their territories within a batch); each batch is one
task that makes its own :class:`~geoaccess.engine.cache.Cache`, evaluates its dates and
returns their snapshots, which hold results only (no context, no cache) and stay on its
worker. Only what the timeline's assembly reads is gathered; the light assessments are
then built on the workers, each task with a fresh cache, and gathered.

Nothing a task returns is changed afterwards, and nothing mutable is shared between
tasks, so a worker can always serialise a result while it runs the next task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import geopandas as gpd
import pandas as pd

from ..engine.cache import Cache
from ..engine.context import Context
from ..pipeline.evaluate import Snapshot, evaluate
from ..pipeline.results import Assessment
from ..pipeline.timeline import LightSnapshot, light_assessment
from ..pipeline.workers import contiguous_batches
from .cluster import import_dask

__all__ = ["TASKS_PER_THREAD", "DaskRunner"]

#: Batches of change dates per worker thread.
TASKS_PER_THREAD = 2


class DaskRunner:
    """Evaluates a timeline's change dates on a Dask cluster (serves one timeline).

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster (``Client("tcp://scheduler:8786")`` or a local one).
    tasks_per_thread : int, default 2
        Batches per worker thread.

    Raises
    ------
    ImportError
        The ``dask`` extra is not installed.
    """

    def __init__(self, client: Any, *, tasks_per_thread: int = TASKS_PER_THREAD) -> None:
        import_dask()
        self._client = client
        self._tasks_per_thread = max(1, int(tasks_per_thread))
        self._batches: list[list[dt.date]] = []
        self._futures: list[Any] = []
        self._ctx: Context | None = None
        self._shipped: Any = None

    @property
    def batches(self) -> list[list[dt.date]]:
        """The dates of each task, in order."""
        return [list(b) for b in self._batches]

    def evaluate(self, ctx: Context, dates: Sequence[dt.date]) -> list[LightSnapshot]:
        """Evaluate every date (light), in batches on the workers; gather units and pieces."""
        client = self._client
        threads = max(1, sum(client.nthreads().values()))
        batches = contiguous_batches(dates, threads, self._tasks_per_thread)
        self._batches = [batch for batch in batches if batch]
        self._ctx = ctx
        try:
            self._shipped = client.scatter(ctx, broadcast=True, hash=False)
            self._futures = [
                client.submit(_evaluate_batch, self._shipped, batch, pure=False)
                for batch in self._batches
            ]
            lights = [client.submit(_light_batch, f, pure=False) for f in self._futures]
            return [s for batch in client.gather(lights) for s in batch]
        except BaseException:
            self.release()
            raise

    def assessments(self, intervals: pd.DataFrame) -> tuple[Assessment, ...]:
        """The light assessments of every date, built on the workers, then released.

        Each comes back without its filtered scenario (which would otherwise travel once
        per date); it is re-attached here from the caller's scenario, as
        :func:`~geoaccess.pipeline.assess.build_assessment` would set it.
        """
        if self._ctx is None:
            msg = "DaskRunner.assessments needs DaskRunner.evaluate first"
            raise RuntimeError(msg)
        client = self._client
        try:
            table = client.scatter(intervals, broadcast=True, hash=False)
            built = [
                client.submit(_assessment_batch, self._shipped, f, table, pure=False)
                for f in self._futures
            ]
            out = []
            for parts in (a for batch in client.gather(built) for a in batch):
                at = self._ctx.scenario.at(parts["date"])
                out.append(Assessment(scenario=at, siege_lines=at.siege_lines, **parts))
            return tuple(out)
        finally:
            self.release()

    def release(self) -> None:
        """Forget the snapshots and the scattered context on the cluster."""
        held = [*self._futures, *([self._shipped] if self._shipped is not None else [])]
        if held:
            self._client.cancel(held)
        self._futures, self._shipped = [], None


def _evaluate_batch(ctx: Context, dates: list[dt.date]) -> list[Snapshot]:
    """One task: a cache of its own, the dates evaluated (light), snapshots returned."""
    cache = Cache()
    return [evaluate(ctx, cache, t, detail="light") for t in dates]


def _light_batch(snaps: list[Snapshot]) -> list[LightSnapshot]:
    return [LightSnapshot(_no_geometry(s.units), _no_geometry(s.pieces)) for s in snaps]


def _assessment_batch(
    ctx: Context, snaps: list[Snapshot], intervals: pd.DataFrame
) -> list[dict[str, Any]]:
    """The light assessments' fields, but the filtered scenario and its siege lines."""
    cache = Cache()
    shared = {"scenario", "siege_lines"}  # re-attached by the caller from its scenario
    return [
        {f.name: getattr(a, f.name) for f in fields(a) if f.name not in shared}
        for a in (light_assessment(ctx, cache, s, intervals) for s in snaps)
    ]


def _no_geometry(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
        return pd.DataFrame(frame.drop(columns=geometry))
    return frame
