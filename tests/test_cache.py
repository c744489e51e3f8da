"""The per-call cache: owned by one call and one thread, never pickled, never in a result."""

from __future__ import annotations

import io
import pickle
import threading
from typing import Any

import pytest

import geoaccess as ga
from geoaccess.engine.cache import Cache
from geoaccess.engine.context import Context, project_scenario
from geoaccess.pipeline.evaluate import Snapshot, evaluate
from geoaccess.temporal import as_date


def test_values_are_built_once() -> None:
    cache, calls = Cache(), []

    def build() -> int:
        calls.append(1)
        return 42

    assert cache.get("k", build) == cache.get("k", build) == 42
    assert calls == [1]
    assert cache.find("k") == 42
    assert cache.find("other") is None


def test_a_cache_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(Cache())


def test_a_cache_refuses_another_thread() -> None:
    cache = Cache()
    errors: list[BaseException] = []

    def use() -> None:
        try:
            cache.get("k", lambda: 1)
        except RuntimeError as error:
            errors.append(error)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join(timeout=30)
    assert len(errors) == 1
    assert "belongs to the call" in str(errors[0])


class _NoContext(pickle.Pickler):
    """A pickler that fails on any Context or Cache reached from the object."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, (Context, Cache)):
            msg = f"a snapshot must not carry a {type(obj).__name__}"
            raise AssertionError(msg)
        return NotImplemented


@pytest.mark.parametrize("detail", ["light", "full"])
def test_snapshots_carry_results_only(detail: str) -> None:
    scn = ga.datasets.aleppo_2016()
    ctx, cache = project_scenario(scn, scn.rules), Cache()
    snap = evaluate(ctx, cache, as_date("2016-08-20"), detail=detail)  # type: ignore[arg-type]
    assert len(cache) > 0
    buffer = io.BytesIO()
    _NoContext(buffer).dump(snap)
    again = pickle.loads(buffer.getvalue())
    assert isinstance(again, Snapshot)
    assert again.units["base_status"].tolist() == snap.units["base_status"].tolist()


def test_a_context_pickles_and_holds_no_cache() -> None:
    scn = ga.datasets.aleppo_2016()
    ctx = project_scenario(scn, scn.rules)
    again = pickle.loads(pickle.dumps(ctx))
    assert again.scenario.equals(ctx.scenario)
    assert not any(isinstance(v, Cache) for v in vars(ctx).values())
