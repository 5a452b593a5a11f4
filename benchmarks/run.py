"""mutlint side by side with the parse floor, ast-grep and Semgrep, on generated projects.

For each size, one generated project (benchmarks/generate.py) and, alternating between tools
on every run, the median wall time and the peak RSS of:
  parse floor       read + tree-sitter parse of every file, one process
  tree-sitter work  what a cold check asks of tree-sitter, alone: it reads the files the
                    check read, parses the ones it parsed and runs the queries it ran, with
                    none of mutlint's code (benchmarks/check_floor.py); what no change to
                    mutlint's own code can go under
  mutlint           `mutlint check` with all built-in rules: cold (--no-cache) in one process
                    and with -j auto, warm (the cache filled by an earlier run), and warm
                    with one page, or one mutation, edited since (a branch's next commit)
  ast-grep          `ast-grep scan` with ONE rule ($CTX.db.patch($$$))
  semgrep           `semgrep scan` with the same one rule (offline, metrics off)
and, on the 1,000-file project, `mutlint check` on one changed file (a page that calls a
mutation, edited before every run) cold and with a warm cache, and on one edited mutation file
with a warm cache, next to `mutlint --version` and to the tree-sitter floor of each warm check
(Python's start, tree-sitter's import, the file's parse and the compiles of the queries that
check compiled: benchmarks/one_file_floor.py).
Runs see a user's machine: Python keeps bytecode (a PYTHONDONTWRITEBYTECODE in this
environment is dropped for them, else every run would compile mutlint from source, 50 ms),
and the project's files are older than the two seconds within which the cache's file index
distrusts a file's stat (see mutlint/file_index.py), as a checkout's files are.
Peers are looked up on PATH (install them with `pip install ast-grep-cli semgrep` in any venv
and pass --peers-bin DIR); a missing peer is reported as such.
The one-file rows take `--one-file-runs` rounds (15), each command once per round, and give
each command's median time and the median of its per-round ratio to `--version`.
Usage: python benchmarks/run.py [--sizes 100,1000,10000] [--runs 3] [--one-file-runs 15]
                                [--peers-bin DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GENERATE = Path(__file__).resolve().parent / "generate.py"
ONE_FILE_FLOOR = Path(__file__).resolve().parent / "one_file_floor.py"
CHECK_FLOOR = Path(__file__).resolve().parent / "check_floor.py"

PARSE_FLOOR = """
import sys, pathlib, tree_sitter, tree_sitter_typescript as t
ts = tree_sitter.Parser(tree_sitter.Language(t.language_typescript()))
tsx = tree_sitter.Parser(tree_sitter.Language(t.language_tsx()))
skip = {"node_modules", ".git", "_generated"}
for path in pathlib.Path(sys.argv[1]).rglob("*"):
    if path.suffix in (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts") and not skip & set(path.parts):
        (ts if path.suffix in (".ts", ".mts", ".cts") else tsx).parse(path.read_bytes())
"""
# ast-grep parses .ts and .tsx with different languages: the same rule for both, so it reads
# every file mutlint and the parse floor read.
AST_GREP_RULE = """id: db-patch
language: TypeScript
severity: warning
message: ctx.db.patch
rule:
  pattern: $CTX.db.patch($$$ARGS)
---
id: db-patch-tsx
language: Tsx
severity: warning
message: ctx.db.patch
rule:
  pattern: $CTX.db.patch($$$ARGS)
"""
SEMGREP_RULE = """rules:
  - id: db-patch
    languages: [typescript]
    severity: WARNING
    message: ctx.db.patch
    pattern: $CTX.db.patch(...)
"""


RUN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def settle() -> None:
    """Wait until the generated files are older than the file index's racy window."""
    from mutlint.file_index import RACY_SECONDS  # a small module: the runner stays small too

    time.sleep(RACY_SECONDS + 0.1)


def measure(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run, the RSS from the kernel's accounting of the child
    (never below the runner's own, about 14 MB: Linux counts the parent's at the fork). A run
    that fails is no timing: a tool that exits at once with an error would look fast."""
    env = env or RUN_ENV
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: findings
        error = process.stderr.read().decode("utf-8", "replace").strip().splitlines()
        raise SystemExit(f"{command[0]} failed (exit {code}): {error[-1] if error else ''}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def tools(root: Path, work: Path, peers: Path | None) -> dict[str, list[str] | None]:
    def find(*names: str, says: str) -> str | None:
        """The first of `names` whose --version names the tool (`sg` is also Unix's
        switch-group command)."""
        for name in names:
            found = shutil.which(name, path=str(peers) if peers else None) or shutil.which(name)
            if found:
                done = subprocess.run([found, "--version"], capture_output=True, text=True)
                if says in (done.stdout + done.stderr).lower():
                    return found
        return None

    (work / "ast-grep.yml").write_text(AST_GREP_RULE)
    (work / "semgrep.yml").write_text(SEMGREP_RULE)
    ast_grep, semgrep = find("ast-grep", "sg", says="ast-grep"), find("semgrep", says=".")
    python = sys.executable
    mutlint = [python, "-m", "mutlint", "check", str(root), "--fail-on", "never"]
    return {
        "parse floor": [python, "-c", PARSE_FLOOR, str(root)],
        "tree-sitter work of a cold check": [python, str(CHECK_FLOOR), "replay", str(root),
                                             str(work / "check-work.json")],
        "mutlint check (cold)": [*mutlint, "--no-cache"],
        "mutlint check -j auto (cold)": [*mutlint, "--no-cache", "-j", "auto"],
        "mutlint check (warm cache)": mutlint,
        "ast-grep (1 rule)": [ast_grep, "scan", "--rule", str(work / "ast-grep.yml"), str(root)]
        if ast_grep else None,
        "semgrep (1 rule)": [semgrep, "scan", "--config", str(work / "semgrep.yml"), "--metrics=off",
                             "--disable-version-check", "--quiet", str(root)] if semgrep else None,
    }


def generate(root: Path, files: int, git: bool = False) -> None:
    """In a process of its own: a child's peak RSS as the kernel reports it is at least its
    parent's at the fork, so a runner that had held a 10,000-file project in memory would
    inflate every later figure. With `git`, the files are committed to a new repository."""
    subprocess.run([sys.executable, str(GENERATE), str(root), "--files", str(files),
                    *(["--git"] if git else [])], check=True, stdout=subprocess.DEVNULL)


def run_size(files: int, runs: int, peers: Path | None) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory() as scratch:
        root, work = Path(scratch) / "project", Path(scratch)
        generate(root, files)
        commands = tools(root, work, peers)
        # The next edit of a branch: one page changed since the cache was made. (Right after
        # the warm row, which then finds the cache as this row left it.)
        page, mutation = root / "app/p0/page.tsx", root / "convex/m0.ts"
        edited = {"mutlint check (warm, 1 page edited)": page,
                  "mutlint check (warm, 1 mutation edited)": mutation}
        names = list(commands)
        after_warm = names.index("mutlint check (warm cache)") + 1
        commands = {**{name: commands[name] for name in names[:after_warm]},
                    **{name: commands["mutlint check (warm cache)"] for name in edited},
                    **{name: commands[name] for name in names[after_warm:]}}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        env = {**RUN_ENV, "SEMGREP_SEND_METRICS": "off"}
        # What a cold check of this project asks of tree-sitter, for its replay.
        subprocess.run([sys.executable, str(CHECK_FLOOR), "record", str(root),
                        str(work / "check-work.json")], cwd=root, env=RUN_ENV, check=True)
        settle()
        measure(commands["mutlint check (warm cache)"], root, env)  # fills the cache
        for run in range(runs):  # alternate tools within each run
            for name, command in commands.items():
                if name in edited:
                    edited[name].write_text(edited[name].read_text() + f"\n// edit {run}\n")
                if command is not None:
                    times[name].append(measure(command, root, env))
        rows = []
        for name, samples in times.items():
            if not samples:
                rows.append((name, float("nan"), float("nan")))
                continue
            rows.append((name, statistics.median(s for s, _ in samples), max(m for _, m in samples)))
        return rows


def run_one_file(runs: int) -> list[tuple[str, float, float, float]]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        generate(root, 1000, git=True)  # a hook runs in a repository, as mutlint's cache knows
        page, mutation = root / "app/p0/page.tsx", root / "convex/m0.ts"
        python = sys.executable

        def check(path: Path) -> list[str]:
            return [python, "-m", "mutlint", "check", str(path), "--fail-on", "never"]

        settle()
        measure(check(root), root)  # cache
        # What a warm check of each file compiles (recorded once), for the floor under it.
        queries = {}
        for path in (page, mutation):
            queries[path] = Path(scratch) / f"{path.stem}-queries.json"
            path.write_text(path.read_text() + "\n// recorded\n")
            subprocess.run([python, str(ONE_FILE_FLOOR), "record", str(path), str(queries[path])],
                           cwd=root, env=RUN_ENV, check=True)

        def floor(path: Path) -> list[str]:
            return [python, str(ONE_FILE_FLOOR), "floor", str(path), str(queries[path])]

        # name -> (command, the file edited just before it runs)
        commands = {
            "mutlint --version": ([python, "-m", "mutlint", "--version"], page),
            "mutlint check, 1 changed file (cold)": ([*check(page), "--no-cache"], page),
            "mutlint check, 1 changed file (warm cache)": (check(page), page),
            "tree-sitter floor of that check": (floor(page), page),
            # A mutation edited: its own facts are computed again; the rest of the model comes
            # from the other files' stored parts.
            "mutlint check, 1 changed mutation file (warm cache)": (check(mutation), mutation),
            "tree-sitter floor of the mutation file's check": (floor(mutation), mutation),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for run in range(runs):
            for name, (command, changed) in commands.items():
                # Every run sees the file just edited: its own entry is stale, the
                # mutations a page calls are not.
                changed.write_text(changed.read_text() + f"\n// edit {run}\n")
                samples[name].append(measure(command, root))
        # Each round's own ratio to --version, measured a moment before it: the machine's
        # speed drifts between rounds by more than the difference a ratio near 2 turns on,
        # and within a round by much less.
        versions = [seconds for seconds, _ in samples["mutlint --version"]]
        return [(name, statistics.median(s for s, _ in values),
                 statistics.median(s / v for (s, _), v in zip(values, versions, strict=True)),
                 max(m for _, m in values))
                for name, values in samples.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--runs", type=int, default=3)
    # A round of the one-file rows takes under a second: enough of them that the median of
    # their ratios holds still from one run to the next.
    parser.add_argument("--one-file-runs", type=int, default=15)
    parser.add_argument("--peers-bin", type=Path, help="directory with ast-grep/sg and semgrep")
    args = parser.parse_args()
    print("| project | tool | median s | x parse floor | peak RSS MB |")
    print("| --- | --- | --- | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        rows = run_size(size, args.runs, args.peers_bin)
        floor = rows[0][1]
        for name, seconds, rss in rows:
            if seconds != seconds:  # NaN: the peer is not installed
                print(f"| {size} files | {name} | not installed | | |")
            else:
                print(f"| {size} files | {name} | {seconds:.2f} | {seconds / floor:.2f} | {rss:.0f} |")
    for name, seconds, ratio, rss in run_one_file(args.one_file_runs):
        print(f"| 1000 files | {name} | {seconds:.3f} | x{ratio:.2f} of --version "
              f"| {rss:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
