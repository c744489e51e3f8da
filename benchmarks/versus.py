"""Side by side: this checkout against another commit, on the same cases, in one run.

``python -m benchmarks.versus REV`` (``make bench-versus REV=HEAD~1``) checks out ``REV``
in a temporary folder and times the same public calls on both, alternating the two in
fresh processes so that a change of load hits both alike; it prints the medians and the
ratio (theirs / ours: above 1 means this checkout is faster) with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ._timing import print_table

ROOT = Path(__file__).resolve().parent.parent
#: The bundled scenario of this checkout, read by both trees: the data changes between
#: commits too (issue 15 gave it 109 neighbourhoods and 23 change dates in the half year
#: against 20), and the comparison is of the code.
_ALEPPO = f"scn = ga.read_scenario({str(ROOT / 'data' / 'geo' / 'aleppo_2016')!r})"

#: Cases: a name and the code timed (``ga`` is geoaccess; ``setup`` runs untimed first).
CASES: dict[str, tuple[str, str]] = {
    "assess Aleppo 2016-07-20": (
        _ALEPPO + "; ga.assess(scn, '2016-07-05')",
        "ga.assess(scn, '2016-07-20')",
    ),
    "assess Aleppo 2016-09-20": (
        _ALEPPO + "; ga.assess(scn, '2016-07-05')",
        "ga.assess(scn, '2016-09-20')",
    ),
    "assess Aleppo 2016-12-23": (
        _ALEPPO + "; ga.assess(scn, '2016-07-05')",
        "ga.assess(scn, '2016-12-23')",
    ),
    "pockets Aleppo 2016-09-20": (
        _ALEPPO + "; ga.assess(scn, '2016-07-05')",
        "ga.pockets(scn, '2016-09-20')",
    ),
    "timeline Aleppo 2016-07-01..12-31": (
        _ALEPPO + "; ga.assess(scn, '2016-07-05')",
        "ga.timeline(scn, '2016-07-01', '2016-12-31')",
    ),
    "timeline Aleppo, Siege Watch": (
        _ALEPPO + "; ga.assess(scn, '2016-07-05')",
        "ga.timeline(scn, '2016-07-01', '2016-12-31', ga.Rules(scheme='siege_watch'))",
    ),
    "map Aleppo 2016-07-30, built and rendered": (
        _ALEPPO + "; res = ga.assess(scn, '2016-07-30'); res.map().get_root().render()",
        "res.map().get_root().render()",
    ),
    "timeline map Aleppo 2016-07-01..12-31, built and rendered": (
        _ALEPPO + "; tl = ga.timeline(scn, '2016-07-01', '2016-12-31');"
        " tl.map().get_root().render()",
        "tl.map().get_root().render()",
    ),
    "assess generated (1,000 zones, 5,000 roads)": (
        "from benchmarks.bench_assess import generated; scn = generated()",
        "ga.assess(scn, '2020-01-01')",
    ),
}

_RUNNER = """
import json, sys, time
import geoaccess as ga
setup, timed, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
scope = {"ga": ga}
exec(setup, scope)
times = []
for _ in range(repeat):
    start = time.perf_counter()
    exec(timed, scope)
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def checkout(rev: str, into: Path) -> Path:
    """The tree of ``rev`` written into ``into`` (``git archive``; nothing is committed)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def run_in(tree: Path, code: str, *args: str) -> str:
    """Run ``code`` in a fresh process importing geoaccess from ``tree``; its last line."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"in {tree}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def timings(tree: Path, setup: str, timed: str, repeat: int) -> list[float]:
    """Wall times of ``timed`` in a fresh process importing geoaccess from ``tree``."""
    return [float(t) for t in json.loads(run_in(tree, _RUNNER, setup, timed, str(repeat)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rev", help="the commit to compare with (e.g. HEAD~1)")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per side and case")
    parser.add_argument("--only", help="run the cases whose name holds this text")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="geoaccess-versus-") as tmp:
        theirs = checkout(args.rev, Path(tmp))
        for name, (setup, timed) in CASES.items():
            if args.only and args.only not in name:
                continue
            ours_t: list[float] = []
            base_t: list[float] = []
            for _ in range(args.rounds):  # alternate, so that load hits both alike
                ours_t += timings(ROOT, setup, timed, args.repeat)
                base_t += timings(theirs, setup, timed, args.repeat)
            ours_s, base_s = _median(ours_t), _median(base_t)
            rows.append([name, ours_s, base_s, base_s / ours_s])
            print(f"  {name}: ours {ours_s:.3f} s, {args.rev} {base_s:.3f} s", flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print_table(
        f"this checkout against {args.rev} (ratio = theirs / ours; load {load})",
        ["case", "ours s", f"{args.rev} s", "ratio"],
        rows,
    )
    return 0


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


if __name__ == "__main__":
    sys.exit(main())
