"""The ``geoaccess`` command line: a thin layer over the public API.

``main(argv) -> int`` returns 0 on success, 1 when ``validate`` finds fatal problems and 2
with a one-line reason on bad input or a missing optional extra (no traceback unless
``--debug``). Maps are self-contained HTML unless ``--cdn``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import datasets
from .api import timeline
from .errors import ScenarioError
from .figures.backend import require as require_figures
from .io import read_scenario
from .io.acled import import_acled
from .io.export import write_table
from .pipeline.assess import assess
from .pipeline.changes import changes
from .pipeline.results import Assessment
from .pipeline.workers import checked_threads
from .scenario import Scenario, validate

__all__ = ["main"]

log = logging.getLogger("geoaccess")

DEMO_DATE = "2016-07-20"
DEMO_START, DEMO_END = "2016-07-01", "2016-12-31"
#: The month the demo's changes table covers (what changed since the previous month).
DEMO_SINCE, DEMO_UNTIL = "2016-08-20", "2016-09-20"
FORMATS = ("csv", "gpkg", "xlsx")
CDN_HELP = "link the maps' JavaScript and CSS from CDNs instead of inlining it (smaller files)"
OFFLINE_HELP = "maps are self-contained by default; kept for old scripts (see --cdn)"
FIGURES_HELP = 'also write the {what} as {kind} (needs "geoaccess[figures]")'
ALLOW_OUTSIDE_HELP = (
    "let the manifest name files outside the scenario's folder (../x.csv, absolute "
    "paths); only for manifests you trust"
)


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
    except (ScenarioError, FileNotFoundError, ValueError, KeyError, ImportError) as error:
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
    demo.add_argument("--cdn", action="store_true", help=CDN_HELP)
    demo.set_defaults(run=_demo)

    assess = commands.add_parser("assess", help="assess a scenario on one date")
    assess.add_argument("scenario", type=Path)
    assess.add_argument("--date", required=True)
    assess.add_argument("--out", required=True, type=Path)
    _add_formats(assess)
    assess.add_argument(
        "--since",
        help="also write what changed since this earlier day (changes_<since>_<date>.*) "
        "and draw it on the map",
    )
    assess.add_argument(
        "--png", action="store_true", help=FIGURES_HELP.format(what="print map (A4)", kind="PNG")
    )
    assess.add_argument(
        "--pdf", action="store_true", help=FIGURES_HELP.format(what="print map (A4)", kind="PDF")
    )
    _add_map_options(assess)
    _add_threads(assess, "the earlier dates walked back over to date each status")
    assess.set_defaults(run=_assess)

    timeline = commands.add_parser("timeline", help="statuses over a period")
    timeline.add_argument("scenario", type=Path)
    timeline.add_argument("--start", required=True)
    timeline.add_argument("--end", required=True)
    timeline.add_argument("--out", required=True, type=Path)
    _add_formats(timeline)
    timeline.add_argument(
        "--png",
        action="store_true",
        help=FIGURES_HELP.format(what="charts of people and of statuses over time", kind="PNG"),
    )
    timeline.add_argument(
        "--pdf",
        action="store_true",
        help=FIGURES_HELP.format(what="charts of people and of statuses over time", kind="PDF"),
    )
    _add_map_options(timeline)
    _add_threads(timeline, "the change dates")
    timeline.set_defaults(run=_timeline)

    validate = commands.add_parser("validate", help="check a scenario and list findings")
    validate.add_argument("scenario", type=Path)
    validate.add_argument("--allow-outside", action="store_true", help=ALLOW_OUTSIDE_HELP)
    validate.set_defaults(run=_validate)

    acled = commands.add_parser("import-acled", help="convert an ACLED export to incidents")
    acled.add_argument("csv", type=Path, help="ACLED export (CSV)")
    acled.add_argument("--out", required=True, type=Path, help=".gpkg or .geojson to write")
    acled.add_argument("--event-type", action="append", dest="event_types", metavar="TYPE")
    acled.add_argument("--sub-event-type", action="append", dest="sub_event_types", metavar="TYPE")
    acled.add_argument(
        "--min-precision",
        type=int,
        choices=(1, 2, 3),
        help="keep events located at least this precisely (ACLED geo_precision 1 exact, "
        "2 near, 3 region: keeps codes up to this one)",
    )
    acled.add_argument(
        "--min-time-precision",
        type=int,
        choices=(1, 2, 3),
        help="likewise for time_precision (1 day, 2 week, 3 month)",
    )
    acled.add_argument("--start", help="first day kept (YYYY-MM-DD)")
    acled.add_argument("--end", help="last day kept (YYYY-MM-DD)")
    acled.set_defaults(run=_import_acled)
    return parser


def _add_formats(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        default="csv,gpkg",
        type=_formats,
        help="tables to write, comma-separated from csv, gpkg, xlsx (default csv,gpkg)",
    )
    command.add_argument(
        "--hxl", action="store_true", help="add an HXL hashtag row to CSV and Excel tables"
    )


def _add_map_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--cdn", action="store_true", help=CDN_HELP)
    command.add_argument("--offline", action="store_true", help=OFFLINE_HELP)
    command.add_argument("--allow-outside", action="store_true", help=ALLOW_OUTSIDE_HELP)


def _add_threads(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--threads",
        type=_threads,
        default=1,
        metavar="N",
        help=f"evaluate {what} on N threads (the cores to use; same result; default 1)",
    )


def _threads(text: str) -> int:
    try:
        return checked_threads(int(text))
    except ValueError:
        msg = f"expected a whole number of at least 1, not {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown or not chosen:
        msg = f"--format takes {', '.join(FORMATS)}; got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return chosen


# ---------------------------------------------------------------------- commands
def _demo(args: argparse.Namespace) -> int:
    scn = datasets.aleppo_2016()
    print(scn.summary())
    print("NOTE: an illustrative reconstruction, not for operational use.\n")
    formats = ("csv", "gpkg", "xlsx") if _available("openpyxl") else ("csv", "gpkg")
    figures = ("png",) if _available("matplotlib", "matplotlib_scalebar") else ()
    if not figures:
        print('(figures skipped: pip install "geoaccess[figures]" to draw them)')
    _run_assessment(
        scn, args.date, args.out, formats=formats, offline=not args.cdn, figures=figures
    )
    _run_timeline(
        scn,
        DEMO_START,
        DEMO_END,
        args.out,
        formats=formats,
        offline=not args.cdn,
        figures=figures,
        changes=(DEMO_SINCE, DEMO_UNTIL),
    )
    return 0


def _available(*modules: str) -> bool:
    """Whether optional modules are installed (without importing them)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in modules)


def _figure_kinds(args: argparse.Namespace, *, print_map: bool) -> tuple[str, ...]:
    """The figure formats asked for; the figures extra is checked before any work."""
    kinds = tuple(kind for kind in ("png", "pdf") if getattr(args, kind))
    if kinds:
        require_figures(print_map=print_map)
    return kinds


def _assess(args: argparse.Namespace) -> int:
    figures = _figure_kinds(args, print_map=True)
    _run_assessment(
        read_scenario(args.scenario, allow_outside=args.allow_outside),
        args.date,
        args.out,
        formats=args.format,
        hxl=args.hxl,
        offline=not args.cdn,
        figures=figures,
        since=args.since,
        threads=args.threads,
    )
    return 0


def _timeline(args: argparse.Namespace) -> int:
    figures = _figure_kinds(args, print_map=False)
    _run_timeline(
        read_scenario(args.scenario, allow_outside=args.allow_outside),
        args.start,
        args.end,
        args.out,
        formats=args.format,
        hxl=args.hxl,
        offline=not args.cdn,
        figures=figures,
        threads=args.threads,
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    try:
        scn = read_scenario(args.scenario, allow_outside=args.allow_outside)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return 1
    findings = validate(scn)
    print(f"{scn.name}: no fatal problems; {len(findings)} finding(s)")
    for finding in findings:
        print(f"- {finding}")
    return 0


# ---------------------------------------------------------------------- work
def _run_assessment(
    scn: Scenario,
    date: str,
    out: Path,
    *,
    formats: tuple[str, ...] = ("csv", "gpkg"),
    hxl: bool = False,
    offline: bool = True,
    figures: tuple[str, ...] = (),
    since: str | None = None,
    threads: int = 1,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    res = assess(scn, date, threads=threads)
    stamp = res.date.isoformat()
    written: list[Path] = []
    if "csv" in formats:
        res.to_csv(out / f"tables_{stamp}", hxl=hxl)
        written.append(out / f"tables_{stamp}")
    if "gpkg" in formats:
        written.append(res.to_file(out / f"assessment_{stamp}.gpkg"))
    if "xlsx" in formats:
        written.append(res.to_excel(out / f"assessment_{stamp}.xlsx", hxl=hxl))
    options: dict[str, object] = {"offline": offline}
    if since is not None:
        before = assess(scn, since, threads=threads)
        table = changes(before, res)
        written += _write_changes(table, out, before.date.isoformat(), stamp, formats, hxl)
        options |= {"changes": table, "changes_since": before.date}
    html = res.to_html(out / f"map_{stamp}.html", **options)
    for kind in figures:
        res.plot(out / f"map_{stamp}_A4.{kind}")
        written.append(out / f"map_{stamp}_A4.{kind}")
    print(f"Situation as of {stamp}")
    print(_status_table(res))
    corridors = res.corridors
    open_corridors = corridors[corridors["status"] == "open"] if len(corridors) else corridors
    print(f"Open corridors: {len(open_corridors)} of {len(corridors)}")
    for row in open_corridors.itertuples():
        print(f"  {row.corridor_id}: {row.name} ({row.kind})")
    print(f"Lifeline road segments: {len(res.lifelines)}")
    print(f"Wrote {html}; {', '.join(str(w) for w in written)}\n")


def _write_changes(
    table: pd.DataFrame,
    out: Path,
    since: str,
    until: str,
    formats: tuple[str, ...],
    hxl: bool,
) -> list[Path]:
    """The changes table as CSV (always) and Excel (with ``xlsx``)."""
    name = f"changes_{since}_{until}"
    written = [write_table(table, out / f"{name}.csv", hxl=hxl)]
    if "xlsx" in formats:
        written.append(write_table(table, out / f"{name}.xlsx", hxl=hxl))
    print(f"Changes {since} to {until}: {len(table)} area(s) changed status")
    return written


def _run_timeline(
    scn: Scenario,
    start: str,
    end: str,
    out: Path,
    *,
    formats: tuple[str, ...] = ("csv", "gpkg"),
    hxl: bool = False,
    offline: bool = True,
    figures: tuple[str, ...] = (),
    changes: tuple[str, str] | None = None,
    threads: int = 1,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tl = timeline(scn, start, end, threads=threads, progress=sys.stderr.isatty())
    written: list[Path] = []
    if "csv" in formats:
        written += tl.to_csv(out, hxl=hxl)
        if len(tl.population()):
            written.append(write_table(tl.population().reset_index(), out / "population.csv"))
    if "gpkg" in formats:
        written.append(tl.to_file(out / "timeline.gpkg"))
    if "xlsx" in formats:
        written.append(tl.to_excel(out / "timeline.xlsx", hxl=hxl))
    if changes is not None:
        since, until = changes
        written += _write_changes(tl.changes(since, until), out, since, until, formats, hxl)
    html = tl.to_html(out / "timeline_map.html", offline=offline)
    for kind in figures:
        if len(tl.population()):
            tl.plot_population(out / f"population_over_time.{kind}")
            written.append(out / f"population_over_time.{kind}")
        tl.plot_status(out / f"status_over_time.{kind}")
        written.append(out / f"status_over_time.{kind}")
    print(
        f"Timeline {tl.start} to {tl.end}: {len(tl.evaluated)} change dates evaluated, "
        f"{len(tl.intervals)} intervals"
    )
    print(f"Wrote {html}; {', '.join(str(w) for w in written)}")


def _import_acled(args: argparse.Namespace) -> int:
    path = import_acled(
        args.csv,
        args.out,
        event_types=args.event_types,
        sub_event_types=args.sub_event_types,
        max_geo_precision=args.min_precision,
        max_time_precision=args.min_time_precision,
        start=args.start,
        end=args.end,
    )
    print(f"Wrote {path}")
    return 0


def _status_table(res: Assessment) -> str:
    """Areas and people by status: the status rows of ``res.population`` itself."""
    table = res.population
    rows = table[table["category"] == "status"]
    if not len(rows):  # no population at all: the areas by status
        counts = res.areas["status"].value_counts()
        return counts.rename_axis("status").rename("areas").to_frame().to_string()
    out = pd.DataFrame(
        {
            "areas": rows["areas"].to_numpy(),
            "population": rows["population"].round().astype("int64").to_numpy(),
        },
        index=pd.Index(rows["label"].to_numpy(), name="status"),
    )
    return out.to_string()
