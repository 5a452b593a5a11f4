"""This checkout against another, on one generated project: alternating runs, medians of wall
and CPU time, and whether the two reports are byte for byte the same.

The machine these were measured on varies by a third from one hour to the next, so a change
is judged by runs of both sides taken in turns, never by a timing from another session. Even
so, alternating runs cannot tell a change of a few percent from the machine's own swings:
`--instructions` counts the instructions each side's check executes instead, under valgrind's
cachegrind (a run takes about 20 times as long; 1,000 files take half a minute a side). The
count is the same from run to run to within a few thousand of billions, so a one-percent
change is plain.
Make the other side with `git worktree add /tmp/ref REV` (or any checkout of mutlint).
Usage: python benchmarks/ab.py /tmp/ref [--files 10000] [--runs 3] [--jobs 1] [--cache]
       python benchmarks/ab.py /tmp/ref --instructions [--files 1000] [--cache | --edit PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "benchmarks"))
from generate import commit_all, generate  # noqa: E402


def run_once(checkout: Path, project: Path, jobs: str, cached: bool) -> tuple[float, float, bytes]:
    """(wall s, CPU s, the report) of one check; the checkout comes first on the path (the
    project is outside both, so neither is the current directory's package). The report is
    the text one, as a terminal, a hook and benchmarks/run.py get it: `--format json` would
    import the json package (5 M instructions), which a text check does not."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(checkout)
    command = [sys.executable, "-m", "mutlint", "check", ".", "--fail-on", "never", "-j", jobs,
               *([] if cached else ["--no-cache"])]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: exit {done.returncode}: {done.stderr.decode()[-300:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stdout


def instructions(checkout: Path, project: Path, cached: bool, target: str = ".") -> tuple[int, bytes]:
    """(instructions executed, the text report) of one check of `target` under cachegrind.
    The hash seed is fixed: Python's string hashes otherwise vary the work of every dict."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-m", "mutlint", "check", target, "--fail-on", "never",
               *([] if cached else ["--no-cache"])]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True)
    counted = re.search(rb"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or counted is None:
        raise SystemExit(f"{checkout}: exit {done.returncode}: {done.stderr.decode()[-300:]}")
    return int(counted.group(1).replace(b",", b"")), done.stdout


def compare_instructions(sides: dict[str, Path], files: int, cached: bool,
                         edited: str | None) -> int:
    """With `edited` (a path in the project), a pre-commit run: each side fills its cache with
    a check of the whole project, then the file gets a comment appended and only it is
    checked, as a hook checks the file of a commit."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        generate(project, files)
        if edited:
            commit_all(project)  # a hook runs in a repository
        if cached:
            # The first cached run makes `.mutlint_cache/`, which changes the project's
            # directory: a walk that read a directory changed less than two seconds before is
            # not remembered (listing_memo.py), so the run after it walks again. Made here, it
            # does not land on the first side's measured run (136 M instructions more of 0.75 G
            # for a warm check of 1,000 files, the same code on both sides).
            run_once(next(iter(sides.values())), project, "1", cached=True)
        time.sleep(2.1)
        counts, reports = {}, {}
        for name, checkout in sides.items():
            instructions(checkout, project, cached)  # bytecode written; the cache filled
            # Edited before each check; the first writes the bytecode this path needs.
            for _ in range(2 if edited else 1):
                if edited:
                    (project / edited).write_text((project / edited).read_text() + "\n// edit\n")
                counts[name], reports[name] = instructions(checkout, project, cached,
                                                           edited or ".")
    what = f"{edited} edited, checked alone" if edited else ("warm" if cached else "cold")
    print(f"{files} files, {what}, instructions executed:")
    for name, count in counts.items():
        print(f"  {name:14} {count / 1e9:8.3f} G")
    print(f"  this checkout / reference: {counts['this checkout'] / counts['reference']:.4f}")
    same = reports["reference"] == reports["this checkout"]
    print("  reports: " + ("byte-identical" if same else "DIFFERENT"))
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="another checkout of mutlint")
    parser.add_argument("--files", type=int, help="default: 10000, or 1000 with --instructions")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default="1")
    parser.add_argument("--cache", action="store_true", help="warm runs (each side's own cache)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind instead of timing (one process)")
    parser.add_argument("--edit", metavar="PATH",
                        help="with --instructions: a warm check of this file alone after an edit "
                             "(app/p0/page.tsx is a page, convex/m0.ts a mutation file)")
    args = parser.parse_args()
    sides = {"reference": args.reference.resolve(), "this checkout": HERE}
    if args.instructions:
        return compare_instructions(sides, args.files or 1000, args.cache or bool(args.edit),
                                    args.edit)
    args.files = args.files or 10000
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
