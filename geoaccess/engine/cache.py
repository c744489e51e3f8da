"""The per-call cache: what one call of ``assess`` or ``timeline`` computes once and reuses.

A :class:`Cache` is created by the call that owns it (one :func:`geoaccess.assess`, one
:func:`geoaccess.timeline`, one Dask task) and dies with it. It is never a field of a
frozen object, never shared between threads or tasks (it refuses a thread other than
its owner's) and never pickled (it refuses to be). Its keys are built in one place,
:mod:`geoaccess.engine.keys`, from the rows valid on a date, so that dates with the same
inputs share their results.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, NoReturn, TypeVar

__all__ = ["Cache"]

T = TypeVar("T")


class Cache:
    """Results memoised within one call, keyed by :mod:`geoaccess.engine.keys`.

    Examples
    --------
    >>> cache = Cache()
    >>> cache.get(("square", 3), lambda: 3 * 3)
    9
    >>> cache.get(("square", 3), lambda: 0)  # built once, then reused
    9
    >>> len(cache)
    1
    """

    __slots__ = ("_owner", "_store")

    def __init__(self) -> None:
        self._owner = threading.get_ident()
        self._store: dict[Hashable, Any] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value stored under ``key``, built by ``build()`` the first time."""
        self._check_owner()
        try:
            return self._store[key]  # type: ignore[no-any-return]
        except KeyError:
            value = build()
            self._store[key] = value
            return value

    def find(self, key: Hashable) -> Any:
        """The value stored under ``key``, or ``None`` when nothing is (nothing is built)."""
        self._check_owner()
        return self._store.get(key)

    def _check_owner(self) -> None:
        if threading.get_ident() != self._owner:
            msg = "a Cache belongs to the call (and thread) that created it; make a new one"
            raise RuntimeError(msg)

    def __len__(self) -> int:
        return len(self._store)

    def __reduce__(self) -> NoReturn:
        msg = "a Cache is never pickled: it belongs to one call; ship results, not caches"
        raise TypeError(msg)

    def __repr__(self) -> str:
        return f"Cache({len(self._store)} entries)"
