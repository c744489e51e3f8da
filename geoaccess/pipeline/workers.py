"""Change dates evaluated on threads of this process.

The geometry of an evaluation (overlays, buffers, distances) runs in GEOS, which shapely
calls without holding Python's GIL, so two dates evaluated on two threads take little
more than one on a 2-core machine. :class:`Workers` is a pool of threads, each with a
:class:`~geoaccess.engine.cache.Cache` of its own (a cache never crosses threads), made
by one call and shut down when it returns; what the threads share, the projected
scenario (:class:`~geoaccess.engine.context.Context`) and the snapshots they return,
is never changed.

:class:`~geoaccess.pipeline.threads.ThreadRunner` evaluates a timeline's dates with one;
:func:`~geoaccess.pipeline.history.history` walks back over earlier dates a few at a
time with one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from types import TracebackType
from typing import TypeVar

import numpy as np

from ..engine.cache import Cache
from ..engine.context import Context
from ..engine.evidence import Detail
from .evaluate import Snapshot, evaluate

__all__ = ["BATCHES_PER_THREAD", "Workers", "checked_threads", "contiguous_batches"]

T = TypeVar("T")
R = TypeVar("R")

#: Contiguous batches of change dates per thread: dates next to each other often share
#: their zones (and so their territories) within one thread's cache.
BATCHES_PER_THREAD = 2


def checked_threads(threads: int) -> int:
    """``threads`` as a positive int, or a ``ValueError`` naming the parameter."""
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        msg = f"threads must be a whole number of at least 1, not {threads!r}"
        raise ValueError(msg)
    return int(threads)


def contiguous_batches(items: Sequence[T], threads: int, per_thread: int) -> list[list[T]]:
    """``items`` cut into at most ``threads * per_thread`` contiguous batches, in order.

    The timeline's runners (threads here, Dask tasks in :mod:`geoaccess.scale.timeline`)
    cut change dates this way: dates next to each other often share their zones, and so
    their territories, within one cache. No items: one empty batch.

    Examples
    --------
    >>> contiguous_batches(list(range(9)), 2, 2)
    [[0, 1, 2], [3, 4], [5, 6], [7, 8]]
    """
    n = max(1, min(len(items), threads * per_thread))
    return [[items[i] for i in cut] for cut in np.array_split(np.arange(len(items)), n)]


class Workers:
    """Threads of this process, each evaluating with a cache of its own.

    Use it as a context manager: the threads and their caches go when it closes.

    Parameters
    ----------
    ctx : Context
        The projected scenario, shared (read-only) by every thread.
    threads : int
        How many threads.

    Examples
    --------
    >>> from geoaccess.pipeline.evaluate import context_for
    >>> import geoaccess as ga
    >>> scn = ga.datasets.aleppo_2016()  # doctest: +SKIP
    >>> with Workers(context_for(scn, scn.rules), 2) as workers:  # doctest: +SKIP
    ...     snaps = workers.evaluate(scn.change_dates("2016-07-01", "2016-07-31"), "light")
    """

    def __init__(self, ctx: Context, threads: int) -> None:
        self.ctx = ctx
        self.threads = checked_threads(threads)
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(
            self.threads, thread_name_prefix="geoaccess", initializer=self._start
        )

    def _start(self) -> None:
        self._local.cache = Cache()

    def map(
        self,
        func: Callable[[Cache, T], R],
        items: Iterable[T],
        *,
        on_done: Callable[[T], object] | None = None,
    ) -> list[R]:
        """``func(cache, item)`` for every item on the threads, results in item order.

        ``on_done(item)`` is called on this thread as each item is done (in the order
        they finish: a progress bar's update, say).
        """
        items = list(items)
        futures = [self._pool.submit(self._run, func, i) for i in items]
        if on_done is not None:
            item_of = dict(zip(futures, items, strict=True))
            for future in as_completed(futures):
                on_done(item_of[future])
        return [f.result() for f in futures]

    def _run(self, func: Callable[[Cache, T], R], item: T) -> R:
        return func(self._local.cache, item)

    def evaluate(
        self,
        dates: Sequence[dt.date],
        detail: Detail,
        *,
        area_ids: Collection[object] | None = None,
        on_done: Callable[[int], object] | None = None,
    ) -> list[Snapshot]:
        """Every date evaluated at ``detail``, in contiguous batches; in date order.

        ``area_ids``: the areas to evaluate (see :func:`~.evaluate.evaluate`; ``None``:
        all). ``on_done(n)`` is called on this thread as each batch of ``n`` dates is
        done (a progress bar's ``update``, say).
        """
        ctx = self.ctx

        def batch(cache: Cache, days: list[dt.date]) -> list[Snapshot]:
            return [evaluate(ctx, cache, t, detail=detail, area_ids=area_ids) for t in days]

        done = self.map(
            batch,
            self.batches(dates),
            on_done=None if on_done is None else (lambda days: on_done(len(days))),
        )
        return [s for evaluated in done for s in evaluated]

    def batches(self, items: Sequence[T]) -> list[list[T]]:
        """``items`` cut into contiguous batches, :data:`BATCHES_PER_THREAD` per thread."""
        return contiguous_batches(items, self.threads, BATCHES_PER_THREAD)

    def close(self) -> None:
        """Shut the threads down (waiting for what they run)."""
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
