"""This checkout against another, on one generated project: alternating runs, medians of wall
and CPU time, and whether the two reports are byte for byte the same.

The machine these were measured on varies by a third from one hour to the next, so a change
is judged by runs of both sides taken in turns, never by a timing from another session.
Make the other side with `git worktree add /tmp/ref REV` (or any checkout of mutlint).
Usage: python benchmarks/ab.py /tmp/ref [--files 10000] [--runs 3] [--jobs 1] [--cache]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "benchmarks"))
from generate import generate  # noqa: E402


def run_once(checkout: Path, project: Path, jobs: str, cached: bool) -> tuple[float, float, bytes]:
    """(wall s, CPU s, the JSON report) of one check; the checkout comes first on the path
    (the project is outside both, so neither is the current directory's package)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(checkout)
    command = [sys.executable, "-m", "mutlint", "check", ".", "--format", "json", "--fail-on",
               "never", "-j", jobs, *([] if cached else ["--no-cache"])]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: exit {done.returncode}: {done.stderr.decode()[-300:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="another checkout of mutlint")
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default="1")
    parser.add_argument("--cache", action="store_true", help="warm runs (each side's own cache)")
    args = parser.parse_args()
    sides = {"reference": args.reference.resolve(), "this checkout": HERE}
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        generate(project, args.files)
        time.sleep(2.1)  # older than the file index's racy window, as a checkout's files are
        if args.cache:
            for checkout in sides.values():
                run_once(checkout, project, args.jobs, True)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        reports: dict[str, bytes] = {}
        for run in range(args.runs):
            # Turns alternate which side goes first: a side that always ran second (after the
            # other's run had warmed or tired the machine) would carry that in its median.
            for name, checkout in list(sides.items())[::1 if run % 2 == 0 else -1]:
                wall, cpu, report = run_once(checkout, project, args.jobs, args.cache)
                samples[name].append((wall, cpu))
                reports[name] = report
    print(f"{args.files} files, -j {args.jobs}, {'warm' if args.cache else 'cold'}, "
          f"medians of {args.runs}:")
    for name, values in samples.items():
        print(f"  {name:14} wall {statistics.median(w for w, _ in values):7.2f} s   "
              f"CPU {statistics.median(c for _, c in values):7.2f} s")
    same = reports["reference"] == reports["this checkout"]
    print("  reports: " + ("byte-identical" if same else "DIFFERENT"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
