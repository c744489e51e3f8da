"""A timeline's change dates evaluated on threads of this process.

:class:`ThreadRunner` is the :class:`~geoaccess.pipeline.timeline.DateRunner` behind
``geoaccess.timeline(..., threads=n)``: the dates are cut into contiguous batches that
:class:`~geoaccess.pipeline.workers.Workers` evaluate, each thread with its own cache;
the light assessments are then built the same way. Same result as in one thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from ..engine.cache import Cache
from ..engine.context import Context
from .evaluate import Snapshot
from .results import Assessment
from .timeline import light_assessment
from .workers import Workers, checked_threads

__all__ = ["ThreadRunner"]


class ThreadRunner:
    """A timeline's change dates evaluated on threads of this process (serves one timeline).

    Parameters
    ----------
    threads : int
        How many threads (the cores to use).
    progress : bool, default False
        Show a progress bar (tqdm, on standard error) over the change dates.
    """

    def __init__(self, threads: int, *, progress: bool = False) -> None:
        self.threads = checked_threads(threads)
        self.progress = progress
        self._workers: Workers | None = None
        self._snaps: list[Snapshot] = []

    def evaluate(self, ctx: Context, dates: Sequence[dt.date]) -> list[Snapshot]:
        """Every date evaluated (light) on the threads; the snapshots in date order."""
        self._workers = Workers(ctx, self.threads)
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(dates), desc="change dates", unit="date", leave=False)
        try:
            self._snaps = self._workers.evaluate(
                dates, "light", on_done=None if bar is None else bar.update
            )
        except BaseException:
            self.release()
            raise
        finally:
            if bar is not None:
                bar.close()
        return list(self._snaps)

    def assessments(self, intervals: pd.DataFrame) -> tuple[Assessment, ...]:
        """The light assessment of every date, ``status_since`` from the intervals."""
        workers = self._workers
        if workers is None:
            msg = "ThreadRunner.assessments needs ThreadRunner.evaluate first"
            raise RuntimeError(msg)
        ctx = workers.ctx

        def batch(cache: Cache, snaps: list[Snapshot]) -> list[Assessment]:
            return [light_assessment(ctx, cache, s, intervals) for s in snaps]

        try:
            done = workers.map(batch, workers.batches(self._snaps))
        finally:
            self.release()
        return tuple(a for assessed in done for a in assessed)

    def release(self) -> None:
        """Shut the threads down and forget the snapshots."""
        if self._workers is not None:
            self._workers.close()
        self._workers, self._snaps = None, []
