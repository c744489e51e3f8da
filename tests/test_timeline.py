"""Timelines: evaluations only at change dates, intervals, status_since, Siege Watch."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from _builders import disc_scenario

import geoaccess as ga

D = dt.date


def test_link_falling_starts_a_siege_on_that_day():
    scn = disc_scenario(link_m=4_000, link_until="2020-03-01")
    res = ga.assess(scn, "2020-05-01")
    disc = res.areas.set_index("area_id").loc["disc"]
    assert disc["status"] == "besieged"
    assert disc["status_since"] == D(2020, 3, 1)
    tl = ga.timeline(scn, "2020-01-15", "2020-12-31")
    assert tl.evaluated == (D(2020, 1, 15), D(2020, 3, 1))
    assert len(tl.evaluated) == len(scn.change_dates("2020-01-15", "2020-12-31"))
    runs = tl.intervals[tl.intervals["area_id"] == "disc"]
    assert runs[["status", "start", "end"]].values.tolist() == [
        ["accessible", D(2020, 1, 15), D(2020, 3, 1)],
        ["besieged", D(2020, 3, 1), D(2021, 1, 1)],
    ]
    assert len(tl.snapshots) == 2


def test_siege_watch_reports_watchlist_until_180_days():
    scn = disc_scenario(link_m=4_000, link_until="2020-03-01")
    rules = ga.Rules(scheme="siege_watch")
    switch = D(2020, 3, 1) + dt.timedelta(days=180)
    tl = ga.timeline(scn, "2020-01-15", "2020-12-31", rules=rules)
    runs = tl.intervals[tl.intervals["area_id"] == "disc"]
    assert runs[["status", "start"]].values.tolist() == [
        ["accessible", D(2020, 1, 15)],
        ["watchlist", D(2020, 3, 1)],
        ["besieged", switch],
    ]
    before = ga.assess(scn, switch - dt.timedelta(days=1), rules=rules)
    after = ga.assess(scn, switch, rules=rules).areas.set_index("area_id").loc["disc"]
    assert before.areas.set_index("area_id").loc["disc", "status"] == "watchlist"
    assert after["status"] == "besieged" and after["status_since"] == switch


def test_assess_agrees_with_the_timeline_every_day():
    scn = disc_scenario(link_m=1_000, link_until="2020-03-01")
    tl = ga.timeline(scn, "2020-02-20", "2020-03-05")
    daily = tl.daily()
    for day in (D(2020, 2, 20), D(2020, 2, 29), D(2020, 3, 1), D(2020, 3, 5)):
        res = ga.assess(scn, day).areas.set_index("area_id")["status"]
        expected = daily[daily["date"] == pd.Timestamp(day)].set_index("area_id")["status"]
        pd.testing.assert_series_equal(
            res.sort_index(), expected.sort_index(), check_names=False, check_dtype=False
        )


@pytest.mark.parametrize("threads", [1, 2])
def test_progress_bar_changes_nothing_but_stderr(capsys, threads):
    scn = disc_scenario(link_m=4_000, link_until="2020-03-01")
    quiet = ga.timeline(scn, "2020-01-01", "2020-06-30")
    assert "change dates" not in capsys.readouterr().err
    shown = ga.timeline(scn, "2020-01-01", "2020-06-30", progress=True, threads=threads)
    pd.testing.assert_frame_equal(quiet.intervals, shown.intervals)
    assert "change dates" in capsys.readouterr().err
