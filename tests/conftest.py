"""Shared fixtures: the real data beside the project, the bundled scenario's most used
results, and Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, settings

import geoaccess as ga
from geoaccess.engine import crossings

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ``../shared/data`` (skips when it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the project)")
    return SHARED_DATA


def _fingerprint(result: ga.Assessment | ga.Timeline) -> list[str]:
    """Every frame of a result, as text: what a test that changed it would change."""
    if isinstance(result, ga.Timeline):
        return [result.intervals.to_csv(), *(t for s in result.snapshots for t in _fingerprint(s))]
    frames = (result.areas, result.pockets, result.population, result.facilities)
    return [pd.DataFrame(f).to_csv() for f in frames]


@pytest.fixture(scope="session")
def bundled_20_july() -> Iterator[ga.Assessment]:
    """The bundled scenario assessed on 20 July 2016, once per test process.

    Several modules read it (maps, figures, exports, population); none may change it:
    a change fails the session when it ends.
    """
    res = ga.assess(ga.datasets.aleppo_2016(), "2016-07-20")
    before = _fingerprint(res)
    yield res
    assert _fingerprint(res) == before, "a test changed the shared 20 July assessment"


@pytest.fixture(scope="session")
def bundled_half_year() -> Iterator[ga.Timeline]:
    """The bundled scenario's timeline from 1 July to 31 December 2016, once per test
    process (read, never changed, by the modules that use it; checked as it ends)."""
    tl = ga.timeline(ga.datasets.aleppo_2016(), "2016-07-01", "2016-12-31")
    before = _fingerprint(tl)
    yield tl
    assert _fingerprint(tl) == before, "a test changed the shared half-year timeline"


def shared_file(relative: str) -> Path:
    """A file of ``../shared/data``, or a skip naming it when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {path} is absent")
    return path


@pytest.fixture
def overlays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many line pairs each ``shapely.intersection`` call intersects."""
    calls: list[int] = []
    real = shapely.intersection
    crossings.agrees_with_geos()  # its one comparison with GEOS, made before counting

    def counting(a, b, **kwargs):
        calls.append(int(np.size(a)))
        return real(a, b, **kwargs)

    monkeypatch.setattr(shapely, "intersection", counting)
    return calls
