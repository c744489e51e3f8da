"""Real control maps, before and after: seconds per ``assess`` and per daily timeline.

``python -m benchmarks.bench_real [--rev REV]`` (``make bench-real``) runs the same cases
on this checkout and on ``REV`` (by default the last commit before the speed work of
issue 13), each in a fresh process, one after the other, and prints side by side the
seconds, the ratio (before / after: above 1 means faster now) and whether the answers
agree: identical statuses, ``route_clearance_m`` within the ±50 m the design allows.
Every unit whose status differs is listed under the table with both answers (a pocket
at a threshold moves when buffers become more exact, as Avdiivka's ``russia-2`` did).

Cases:

- **Avdiivka** (``../shared/data/real_control/avdiivka_2024``, DeepState's maps as
  published, read through a manifest as in ``tests/test_real_control.py``): ``assess``
  on each of the 7 snapshot dates, and the daily timeline from the first to the last.
  Run twice: with the default rules, and with ground no map covers taken as hostile
  (``[rules] unmapped = "hostile"``, the cautious reading, which issue 13 found four
  times slower on Mariupol; its "1.6–3.3 s per date" on Avdiivka before the speed work
  is of this reading's order, not of the default's). Ukraine holds all the rest on
  these maps, so nothing is truly unmapped: the tree before counts the float-wide
  slivers between the zones and the frame's edge as hostile ground and its answers
  differ (listed), where this one leaves out the slivers narrower than ``snap_m``
  along the frame's edge and answers as with the default rules. So the hostile reading
  is also timed against the tree before with only that rule back-ported
  (:func:`with_sliver_rule`, onto 18c886e's ``sides.py``): its answers are this tree's
  but for the pocket at the fire-control threshold, and its time is the honest "before",
  since most of the tree before's seconds went into buffering those slivers. Skipped,
  with the reason printed, when the data is absent.
- **Regional** (``benchmarks/regional.py``): a 300 km frame, a 12,000-vertex front,
  365 daily maps. ``assess`` on day 120 (the port ringed) and the daily timeline. The
  timeline before is timed on its first ``--base-days`` days only (it takes seconds a
  day) and reported per day; after, on all 365.

``make bench`` runs this too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from geoaccess.engine.territory import CLOSING_INSET_M

from ._timing import print_table
from .versus import checkout, run_in

ROOT = Path(__file__).resolve().parent.parent
AVDIIVKA = ROOT.parent / "shared" / "data" / "real_control" / "avdiivka_2024"
#: The last commit before the speed work of issue 13 (the layered engine, the real
#: control maps and the publishing work, nothing else).
BEFORE = "18c886e"
SNAPSHOT_DATES = [
    "2023-10-10",
    "2023-12-15",
    "2024-02-01",
    "2024-02-10",
    "2024-02-15",
    "2024-02-16",
    "2024-02-18",
]

#: The Avdiivka case under each reading of ground no map covers (``Rules.unmapped``),
#: with the name its rows take.
UNMAPPED_CASES = [("passable", "Avdiivka"), ("hostile", "Avdiivka (unmapped hostile)")]

#: The line of 18c886e's ``engine/sides.py`` that counts all unmapped ground as hostile,
#: and what :func:`with_sliver_rule` puts in its place: this tree's rule
#: (:func:`geoaccess.engine.sides.hostile_unmapped`, with its opening's
#: ``CLOSING_INSET_M``), written with that tree's names, which has no opening to call.
SLIVERS_HOSTILE = "        pieces.append(shapely.difference(ctx.frame, covered))\n"
SLIVER_RULE = f"""\
        unmapped = shapely.difference(ctx.frame, covered)
        if not unmapped.is_empty:  # back-ported by benchmarks/bench_real.py
            snap = rules.snap_m
            core = shapely.buffer(unmapped, -snap / 2.0)
            grown = snap / 2.0 + {CLOSING_INSET_M!r}
            opened = (
                shapely.intersection(shapely.buffer(core, grown), unmapped)
                if not core.is_empty
                else shapely.GeometryCollection()
            )
            edge = shapely.buffer(shapely.get_exterior_ring(ctx.frame), snap)
            pieces.append(shapely.union(opened, shapely.difference(unmapped, edge)))
"""

#: Runs in a fresh process importing geoaccess from the tree under test; prints JSON.
_RUNNER = r"""
import datetime as dt, importlib.util, json, sys, time
from pathlib import Path
import geoaccess as ga

case, arg = sys.argv[1], json.loads(sys.argv[2])

def load_regional():
    spec = importlib.util.spec_from_file_location("regional", arg["regional_py"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def avdiivka():
    folder = Path(arg["tmp"]) / f"avdiivka-{arg['unmapped']}"
    folder.mkdir(exist_ok=True)
    data = Path(arg["avdiivka"])
    (folder / "scenario.toml").write_text(f'''
name = "Avdiivka (DeepState)"
extent = [37.0, 47.75, 38.5, 48.55]
[[parties]]
id = "ru"
side = "russia"
[[parties]]
id = "grey_zone"
side = "grey"
[[parties]]
id = "ua"
side = "ukraine"
[sides.grey]
kind = "contested"
[sides.ukraine]
holds_rest = "{data / 'ukraine_boundary.geojson'}"
[layers]
zones = {{ snapshots = "{data / 'snapshots'}/*.geojson", party_column = "party" }}
areas = "{data / 'areas.geojson'}"
[rules]
unmapped = "{arg['unmapped']}"
''', encoding="utf-8")
    return ga.read_scenario(folder, allow_outside=True)

def answers(res):
    out = {}
    for frame, key in ((res.areas, "area_id"), (res.pockets, "pocket_id")):
        for row in frame.itertuples(index=False):
            clearance = getattr(row, "route_clearance_m", None)
            out[str(getattr(row, key))] = [
                str(row.status), None if clearance is None or clearance != clearance
                else float(clearance)]
    return out

def daily(tl, days):
    frame = tl.daily()
    first = frame["date"].min()
    frame = frame[frame["date"] < first + dt.timedelta(days=days)]
    frame = frame.sort_values(["date", "area_id"])
    return frame[["area_id", "status"]].astype(str).values.tolist()

def threaded(func):
    # with threads= only when more than one is asked (the tree before has no threads=)
    return func if arg["threads"] == 1 else (lambda *a: func(*a, threads=arg["threads"]))

def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value

result = {}
if case == "avdiivka":
    scn = avdiivka()
    ga.assess(scn, arg["dates"][0])  # warm: imports, coastline tiles
    assess, timeline = threaded(ga.assess), threaded(ga.timeline)
    result["assess"] = {}
    for day in arg["dates"]:
        seconds, res = timed(lambda: assess(scn, day))
        result["assess"][day] = [seconds, answers(res)]
    seconds, tl = timed(lambda: timeline(scn, arg["dates"][0], arg["dates"][-1]))
    result["timeline"] = [seconds, len(tl.evaluated), daily(tl, 10_000)]
else:
    regional = load_regional()
    scn = regional.regional(days=arg["days"])
    start = regional.START
    day = (start + dt.timedelta(days=120)).isoformat()
    ga.assess(scn, start.isoformat())
    assess, timeline = threaded(ga.assess), threaded(ga.timeline)
    seconds, res = timed(lambda: assess(scn, day))
    result["assess"] = {day: [seconds, answers(res)]}
    end = (start + dt.timedelta(days=arg["timeline_days"] - 1)).isoformat()
    seconds, tl = timed(lambda: timeline(scn, start.isoformat(), end))
    result["timeline"] = [seconds, len(tl.evaluated), daily(tl, arg["compare_days"])]
print(json.dumps(result))
"""


def with_sliver_rule(tree: Path, into: Path) -> Path | None:
    """A copy of the tree before in ``into``, its hostile unmapped ground this tree's.

    Only the slivers narrower than ``snap_m`` along the frame's edge are left out of the
    hostile ground, as :func:`geoaccess.engine.sides.hostile_unmapped` leaves them out;
    nothing else changes. ``None`` when the tree's ``sides.py`` does not have 18c886e's
    line (another ``--rev``).
    """
    sides = Path("geoaccess", "engine", "sides.py")
    text = (tree / sides).read_text(encoding="utf-8")
    if text.count(SLIVERS_HOSTILE) != 1:
        return None
    shutil.copytree(tree, into)
    (into / sides).write_text(text.replace(SLIVERS_HOSTILE, SLIVER_RULE), encoding="utf-8")
    return into


def run(tree: Path, case: str, arg: dict) -> dict:
    """One case in a fresh process importing geoaccess from ``tree``."""
    return json.loads(run_in(tree, _RUNNER, case, json.dumps(arg)))


def agreement(ours: dict, base: dict) -> tuple[list[str], float]:
    """The units whose status differs (or that only one run has), and the largest
    route-clearance difference (m) of those that agree."""
    differ, worst = sorted(set(ours) ^ set(base)), 0.0
    for key, (status, clearance) in base.items():
        mine = ours.get(key)
        if mine is None:
            continue
        if mine[0] != status:
            differ.append(key)
        elif clearance is not None and mine[1] is not None:
            worst = max(worst, abs(mine[1] - clearance))
    return differ, worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rev", default=BEFORE, help=f"the commit before (default {BEFORE})")
    parser.add_argument("--days", type=int, default=365, help="days of the regional case")
    parser.add_argument(
        "--base-days", type=int, default=20, help="days of the regional timeline timed before"
    )
    parser.add_argument("--only", choices=["avdiivka", "regional"], help="run one case only")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="threads of this checkout's assess and timeline (default 2; before: one)",
    )
    args = parser.parse_args([] if argv is None else argv)  # make bench passes none
    rows: list[list[object]] = []
    differences: list[str] = []
    with tempfile.TemporaryDirectory(prefix="geoaccess-bench-real-") as tmp:
        (Path(tmp) / "before").mkdir()
        before = checkout(args.rev, Path(tmp) / "before")
        if args.only in (None, "avdiivka"):
            if not (AVDIIVKA / "snapshots").is_dir():
                print(f"Avdiivka skipped: the real maps are absent ({AVDIIVKA})")
            else:
                for unmapped, name in UNMAPPED_CASES:
                    arg = {
                        "tmp": tmp,
                        "avdiivka": str(AVDIIVKA),
                        "dates": SNAPSHOT_DATES,
                        "unmapped": unmapped,
                    }
                    ours = run(ROOT, "avdiivka", {**arg, "threads": args.threads})
                    base = run(before, "avdiivka", {**arg, "threads": 1})
                    rows += _assess_rows(name, ours, base, differences)
                    rows.append(_timeline_row(f"{name} daily timeline", ours, base, 1.0))
                    if unmapped == "hostile":
                        rows += _against_sliver_rule(before, Path(tmp), arg, ours, differences)
        if args.only in (None, "regional"):
            regional_py = str(ROOT / "benchmarks" / "regional.py")
            base_days = min(args.base_days, args.days)
            mine = {
                "regional_py": regional_py,
                "days": args.days,
                "timeline_days": args.days,
                "compare_days": base_days,
                "threads": args.threads,
            }
            theirs = {**mine, "timeline_days": base_days, "threads": 1}
            ours, base = run(ROOT, "regional", mine), run(before, "regional", theirs)
            rows += _assess_rows("Regional", ours, base, differences)
            scale = args.days / theirs["timeline_days"]
            rows.append(
                _timeline_row(f"Regional daily timeline, {args.days} days", ours, base, scale)
            )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print_table(
        f"Real control maps: this checkout ({args.threads} thread(s)) against {args.rev} "
        f"(one thread; ratio = before / after; load {load}; {os.cpu_count()} CPUs)",
        ["case", "after s", "before s", "ratio", "statuses", "max Δclearance m"],
        rows,
    )
    if differences:
        print("\nWhere the statuses differ (status and route clearance, after | before):")
        print("\n".join(differences))
    return 0


def _against_sliver_rule(
    before: Path, tmp: Path, arg: dict, ours: dict, differences: list[str]
) -> list[list[object]]:
    """The hostile rows again, against the tree before with the sliver rule back-ported."""
    fixed = with_sliver_rule(before, tmp / "before-sliver-rule")
    if fixed is None:
        print("The sliver rule is back-ported onto 18c886e's sides.py only: rows skipped")
        return []
    name = "Avdiivka (unmapped hostile; before with the sliver rule)"
    base = run(fixed, "avdiivka", {**arg, "threads": 1})
    rows = _assess_rows(name, ours, base, differences)
    return [*rows, _timeline_row(f"{name} daily timeline", ours, base, 1.0)]


def _assess_rows(name: str, ours: dict, base: dict, differences: list[str]) -> list[list[object]]:
    """One row per date; each unit whose status differs is added to ``differences``."""
    rows = []
    for day, (seconds, answers) in ours["assess"].items():
        base_seconds, base_answers = base["assess"][day]
        differ, worst = agreement(answers, base_answers)
        differences.extend(
            f"  {name} {day} {key}: {answers.get(key)} | {base_answers.get(key)}" for key in differ
        )
        rows.append(
            [
                f"{name} assess {day}",
                seconds,
                base_seconds,
                base_seconds / seconds,
                "identical" if not differ else f"{len(differ)} differ",
                worst,
            ]
        )
    return rows


def _timeline_row(name: str, ours: dict, base: dict, scale: float) -> list[object]:
    """Seconds (before: scaled up when timed on the first days only) and agreement.

    The daily statuses are compared over the days both runs cover.
    """
    seconds, evaluated, statuses = ours["timeline"]
    base_seconds, base_evaluated, base_statuses = base["timeline"]
    estimated = base_seconds * scale
    same = "identical" if statuses == base_statuses else "DIFFER"
    if scale != 1.0:
        name = f"{name} (before: its first {base_evaluated} dates, ×{scale:.1f})"
    return [f"{name}, {evaluated} dates", seconds, estimated, estimated / seconds, same, ""]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
