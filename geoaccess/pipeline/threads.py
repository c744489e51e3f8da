"""A timeline's change dates evaluated on threads of this process.

:class:`ThreadRunner` is the :class:`~geoaccess.pipeline.timeline.DateRunner` behind
``geoaccess.timeline(..., threads=n)``: the dates are cut into contiguous batches that
:class:`~geoaccess.pipeline.workers.Workers` evaluate, each thread with its own cache,
building each date's light assessment as soon as it is evaluated (its tables, which
hold Python's lock, while another thread's geometry runs without it); once the
intervals are known, each gets its ``status_since``. Same result as in one thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from ..engine.cache import Cache
from ..engine.context import Context
from .evaluate import Snapshot, evaluate
from .results import Assessment
from .timeline import undated_assessment, with_status_since
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
        self._undated: list[Assessment] = []

    def evaluate(self, ctx: Context, dates: Sequence[dt.date]) -> list[Snapshot]:
        """Every date evaluated (light) on the threads; the snapshots in date order.

        Each date's undated light assessment is built on its thread as it is evaluated.
        """
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(dates), desc="change dates", unit="date", leave=False)

        def batch(cache: Cache, days: list[dt.date]) -> list[tuple[Snapshot, Assessment]]:
            out = []
            for day in days:
                snap = evaluate(ctx, cache, day, detail="light")
                out.append((snap, undated_assessment(ctx, cache, snap)))
            return out

        try:
            with Workers(ctx, self.threads) as workers:
                done = workers.map(
                    batch,
                    workers.batches(dates),
                    on_done=None if bar is None else (lambda days: bar.update(len(days))),
                )
        finally:
            if bar is not None:
                bar.close()
        pairs = [pair for evaluated in done for pair in evaluated]
        self._undated = [assessment for _, assessment in pairs]
        return [snap for snap, _ in pairs]

    def assessments(self, intervals: pd.DataFrame) -> tuple[Assessment, ...]:
        """The light assessment of every date, ``status_since`` from the intervals."""
        undated, self._undated = self._undated, []
        return tuple(with_status_since(a, intervals) for a in undated)
