"""Dates evaluated on threads of this process: the same answers, caches that stay home."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
from _builders import disc_scenario

import geoaccess as ga
from geoaccess.engine.cache import Cache
from geoaccess.pipeline.evaluate import context_for
from geoaccess.pipeline.workers import Workers

D = dt.date


@pytest.fixture(scope="module")
def scn() -> ga.Scenario:
    """A disc linked by a 1 km wide strip until 1 March 2020, then cut off."""
    return disc_scenario(link_m=1_000, link_until="2020-03-01")


def test_workers_run_at_once_each_with_a_cache_of_its_own(scn):
    both_running = threading.Barrier(2, timeout=30)  # two threads must wait here together
    seen: list[tuple[int, Cache]] = []

    def task(cache: Cache, item: int) -> int:
        both_running.wait()
        seen.append((threading.get_ident(), cache))
        assert len(cache) == 0 and cache.get("item", lambda: item) == item
        return item * 10

    with Workers(context_for(scn, scn.rules), 2) as workers:
        assert workers.map(task, [1, 2]) == [10, 20]
    threads = {ident for ident, _ in seen}
    assert len(threads) == 2 and threading.get_ident() not in threads
    assert seen[0][1] is not seen[1][1]
    with pytest.raises(RuntimeError, match="belongs to the call"):
        seen[0][1].get("item", lambda: 0)  # a worker's cache refuses this thread


def test_workers_cut_dates_into_contiguous_batches(scn):
    with Workers(context_for(scn, scn.rules), 2) as workers:
        assert workers.batches(list(range(9))) == [[0, 1, 2], [3, 4], [5, 6], [7, 8]]
        assert workers.batches([5]) == [[5]]
        assert workers.batches([]) == [[]]


def test_timeline_on_threads_is_the_same(scn):
    alone = ga.timeline(scn, "2020-01-01", "2020-06-30")
    for threads in (2, 3):
        threaded = ga.timeline(scn, "2020-01-01", "2020-06-30", threads=threads)
        assert threaded.evaluated == alone.evaluated == (D(2020, 1, 1), D(2020, 3, 1))
        pd.testing.assert_frame_equal(threaded.intervals, alone.intervals)
        statuses = threaded.intervals.set_index("area_id").loc["disc", "status"].tolist()
        assert statuses == ["hard_to_reach", "besieged"]
        # the snapshots, built on the threads before the intervals were known, then dated
        for a, b in zip(threaded.snapshots, alone.snapshots, strict=True):
            pd.testing.assert_frame_equal(pd.DataFrame(a.areas), pd.DataFrame(b.areas))
            pd.testing.assert_frame_equal(a.population, b.population)
            assert a.details == b.details
    disc = [s.areas.set_index("area_id").loc["disc"] for s in alone.snapshots]
    assert [(d["status_since"], d["status_since_known"]) for d in disc] == [
        (D(2020, 1, 1), False),  # the run starts with the period: maybe earlier
        (D(2020, 3, 1), True),
    ]
    assert [s.details["status_since_at_least"]["disc"] for s in alone.snapshots] == [True, False]


def test_siege_watch_on_threads_dates_the_siege_from_before_the_period(scn):
    rules = ga.Rules(scheme="siege_watch")
    for threads in (1, 2):
        tl = ga.timeline(scn, "2020-05-01", "2020-12-31", rules=rules, threads=threads)
        runs = tl.intervals[tl.intervals["area_id"] == "disc"]
        assert runs[["status", "start"]].values.tolist() == [
            ["watchlist", D(2020, 5, 1)],
            ["besieged", D(2020, 3, 1) + dt.timedelta(days=180)],
        ]
        res = ga.assess(scn, "2020-09-30", rules=rules, threads=threads)
        disc = res.areas.set_index("area_id").loc["disc"]
        assert (disc["status"], disc["status_since"]) == ("besieged", D(2020, 8, 28))


@pytest.mark.parametrize("threads", [0, -1, 1.5, "2", True, None])
def test_threads_must_be_a_whole_number_of_at_least_one(scn, threads):
    with pytest.raises(ValueError, match="threads must be a whole number of at least 1"):
        ga.timeline(scn, "2020-01-01", "2020-06-30", threads=threads)
    with pytest.raises(ValueError, match="threads must be a whole number of at least 1"):
        ga.assess(scn, "2020-05-01", threads=threads)


def test_threads_and_a_dask_client_do_not_mix(scn):
    with pytest.raises(ValueError, match="a Dask client or threads, not both"):
        ga.timeline(scn, "2020-01-01", "2020-06-30", client=object(), threads=2)


def test_assess_on_threads_walks_from_the_dates_evaluated_before_the_statuses(scn, monkeypatch):
    """On 30 June the walk back has one earlier date, 1 January: the workers evaluate it
    while the day's statuses are computed, and the walk takes it from there."""
    from geoaccess.pipeline import history

    asked: list[list[dt.date]] = []
    evaluated = history._evaluated

    def recording(ctx, cache, workers, days, detail, area_ids):
        asked.append(list(days))
        return evaluated(ctx, cache, workers, days, detail, area_ids)

    monkeypatch.setattr(history, "_evaluated", recording)
    threaded = ga.assess(scn, "2020-06-30", threads=2)
    assert asked == []  # the first (and only) round came evaluated
    alone = ga.assess(scn, "2020-06-30")
    assert asked == [[D(2020, 1, 1)]]
    disc = threaded.areas.set_index("area_id").loc["disc"]
    assert (disc["status"], disc["status_since"]) == ("besieged", D(2020, 3, 1))
    pd.testing.assert_frame_equal(pd.DataFrame(threaded.areas), pd.DataFrame(alone.areas))


def test_a_first_round_of_other_dates_or_depth_is_evaluated_again(scn):
    """Snapshots that are not the walk's first dates at the ``"status"`` depth are not
    taken for them: a map of 1 April (the disc besieged, as on 30 June) given for 1
    January would date the siege from 1 January."""
    from geoaccess.pipeline.evaluate import evaluate
    from geoaccess.pipeline.history import _is_first_round, first_round_days, history

    ctx = context_for(scn, scn.rules)
    day = D(2020, 6, 30)
    assert first_round_days(ctx, day, 2) == [D(2020, 1, 1)]
    units = evaluate(ctx, Cache(), day, detail="status").units
    expected = history(ctx, Cache(), day, units)
    assert expected.loc["disc", "base_since"] == D(2020, 3, 1)
    april = [evaluate(ctx, Cache(), D(2020, 4, 1), detail="status")]
    with Workers(ctx, 2) as workers:
        walked = history(ctx, Cache(), day, units, workers=workers, first_round=april)
    pd.testing.assert_frame_equal(walked, expected)
    january = [evaluate(ctx, Cache(), D(2020, 1, 1), detail=d) for d in ("status", "encircled")]
    assert _is_first_round(ctx, january[:1], [D(2020, 1, 1)], "status")
    assert not _is_first_round(ctx, january[1:], [D(2020, 1, 1)], "status")
    assert not _is_first_round(ctx, january[:1], [D(2020, 1, 1), D(2019, 12, 1)], "status")
    # evaluated for some areas only: the walk would miss the others' runs
    narrowed = evaluate(ctx, Cache(), D(2020, 1, 1), detail="status", area_ids=set())
    assert not _is_first_round(ctx, [narrowed], [D(2020, 1, 1)], "status")


def test_an_error_in_the_days_evidence_ends_the_walk_after_its_round(monkeypatch):
    """On 23 December the walk would go back over 22 dates, 11 rounds of two: when the
    day's full evaluation fails, the walk ends after the round under way, the error
    reaches the caller, and no thread is left behind."""
    from geoaccess.pipeline import assess as assess_module
    from geoaccess.pipeline import history

    scn = ga.datasets.aleppo_2016()
    rounds: list[list[dt.date]] = []
    stops: list[threading.Event] = []
    told: list[bool] = []
    evaluated, evaluate, walk = history._evaluated, assess_module.evaluate, history.history

    def watched(*args, stop, **kwargs):
        stops.append(stop)
        return walk(*args, stop=stop, **kwargs)

    def recording(ctx, cache, workers, days, detail, area_ids):
        rounds.append(list(days))
        if len(rounds) == 1:  # under way when the day fails: done once the walk is told
            told.append(stops[0].wait(timeout=10))
        return evaluated(ctx, cache, workers, days, detail, area_ids)

    def failing(ctx, cache, day, *, detail, **kwargs):
        if detail == "full":
            raise RuntimeError("the day's evidence failed")
        return evaluate(ctx, cache, day, detail=detail, **kwargs)

    monkeypatch.setattr(assess_module, "history", watched)
    monkeypatch.setattr(history, "_evaluated", recording)
    monkeypatch.setattr(assess_module, "evaluate", failing)
    with pytest.raises(RuntimeError, match="the day's evidence failed"):
        ga.assess(scn, "2016-12-23", threads=2)
    assert len(rounds) <= 1  # the first round came evaluated; at most one more began
    assert told in ([], [True])
    assert not [t for t in threading.enumerate() if t.name.startswith("geoaccess")]
