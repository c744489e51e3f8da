"""The ``geoaccess`` command line: a thin layer over the public API.

``main(argv) -> int`` returns 0 on success, 1 when ``validate`` finds fatal problems and 2
with a one-line reason on bad input (no traceback unless ``--debug``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import ScenarioError
from .scenario import Scenario

__all__ = ["main"]

log = logging.getLogger("geoaccess")

DEMO_DATE = "2016-07-20"
DEMO_START, DEMO_END = "2016-07-01", "2016-12-31"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args))
    except (ScenarioError, FileNotFoundError, ValueError, KeyError) as error:
        if args.debug:
            raise
        reason = str(error).splitlines()
        extra = f" (+{len(reason) - 1} more lines; rerun with --debug)" if len(reason) > 2 else ""
        print(
            f"geoaccess: error: {reason[-1] if len(reason) == 2 else reason[0]}{extra}",
            file=sys.stderr,
        )
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geoaccess",
        description="Humanitarian-access analysis: sieges, front lines, corridors, lifelines.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the bundled Aleppo 2016 scenario")
    demo.add_argument("--date", default=DEMO_DATE, help=f"day to assess (default {DEMO_DATE})")
    demo.add_argument("--out", default="out", type=Path, help="output folder (default out/)")
    demo.set_defaults(run=_demo)

    assess = commands.add_parser("assess", help="assess a scenario on one date")
    assess.add_argument("scenario", type=Path)
    assess.add_argument("--date", required=True)
    assess.add_argument("--out", required=True, type=Path)
    assess.set_defaults(run=_assess)

    timeline = commands.add_parser("timeline", help="statuses over a period")
    timeline.add_argument("scenario", type=Path)
    timeline.add_argument("--start", required=True)
    timeline.add_argument("--end", required=True)
    timeline.add_argument("--out", required=True, type=Path)
    timeline.set_defaults(run=_timeline)

    validate = commands.add_parser("validate", help="check a scenario and list findings")
    validate.add_argument("scenario", type=Path)
    validate.set_defaults(run=_validate)
    return parser


# ---------------------------------------------------------------------- commands
def _demo(args: argparse.Namespace) -> int:
    from . import datasets

    scn = datasets.aleppo_2016()
    print(scn.summary())
    print("NOTE: an illustrative reconstruction, not for operational use.\n")
    _run_assessment(scn, args.date, args.out)
    _run_timeline(scn, DEMO_START, DEMO_END, args.out)
    return 0


def _assess(args: argparse.Namespace) -> int:
    from .io import read_scenario

    _run_assessment(read_scenario(args.scenario), args.date, args.out)
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from .io import read_scenario

    _run_timeline(read_scenario(args.scenario), args.start, args.end, args.out)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .io import read_scenario
    from .validate import validate

    try:
        scn = read_scenario(args.scenario)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return 1
    findings = validate(scn)
    print(f"{scn.name}: no fatal problems; {len(findings)} finding(s)")
    for finding in findings:
        print(f"- {finding}")
    return 0


# ---------------------------------------------------------------------- work
def _run_assessment(scn: Scenario, date: str, out: Path) -> None:
    from .assess import assess

    out.mkdir(parents=True, exist_ok=True)
    res = assess(scn, date)
    stamp = res.date.isoformat()
    areas = res.areas.drop(columns="geometry")
    areas.to_csv(out / f"areas_{stamp}.csv", index=False)
    res.population.to_csv(out / f"population_{stamp}.csv", index=False)
    res.corridors.drop(columns="geometry").to_csv(out / f"corridors_{stamp}.csv", index=False)
    res.lifelines.drop(columns="geometry").to_csv(out / f"lifelines_{stamp}.csv", index=False)
    html = res.to_html(out / f"map_{stamp}.html")
    print(f"Situation as of {stamp}")
    print(_status_table(areas))
    open_corridors = res.corridors[res.corridors["status"] == "open"]
    print(f"Open corridors: {len(open_corridors)} of {len(res.corridors)}")
    print(f"Lifeline road segments: {len(res.lifelines)}")
    print(f"Wrote {html} and tables in {out}/\n")


def _run_timeline(scn: Scenario, start: str, end: str, out: Path) -> None:
    from .timeline import timeline

    out.mkdir(parents=True, exist_ok=True)
    tl = timeline(scn, start, end)
    tl.intervals.to_csv(out / "timeline_intervals.csv", index=False)
    html = tl.to_html(out / "timeline_map.html")
    print(
        f"Timeline {tl.start} to {tl.end}: {len(tl.evaluated)} change dates evaluated, "
        f"{len(tl.intervals)} intervals"
    )
    print(f"Wrote {html} and {out / 'timeline_intervals.csv'}")


def _status_table(areas: pd.DataFrame) -> str:
    if "status" not in areas:
        return "(no statuses)"
    population = areas["population"] if "population" in areas else pd.Series(0, areas.index)
    table = (
        pd.DataFrame({"status": areas["status"].fillna("unmapped"), "population": population})
        .groupby("status", sort=False)
        .agg(areas=("status", "size"), population=("population", "sum"))
    )
    table["population"] = table["population"].round().astype("int64")
    return table.to_string()
