"""How much `mutlint audit` costs over `mutlint check` on a ~1,000-file Convex project.

The project is the example app's convex/ and app/ trees copied into N module directories
(convex/m0/..., app/m0/...), with one schema and one crons file, so the Convex model has as
many functions, handles and writes as a real 1,000-file app. Runs alternate and the medians
are compared. Usage: python benchmarks/audit_vs_check.py [--copies 50] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "onboarding-app"
SINGLETONS = {"schema.ts", "crons.ts"}


def build(root: Path, copies: int) -> int:
    shutil.copy(EXAMPLE / "convex.json", root / "convex.json")
    shutil.copy(EXAMPLE / "package.json", root / "package.json")
    for name in SINGLETONS:
        (root / "convex").mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLE / "convex" / name, root / "convex" / name)
    (root / "convex" / "tables").mkdir(exist_ok=True)
    shutil.copy(EXAMPLE / "convex" / "tables" / "auditLog.ts", root / "convex" / "tables" / "auditLog.ts")
    for index in range(copies):
        for tree in ("convex", "app"):
            for source in sorted((EXAMPLE / tree).rglob("*.ts*")):
                relative = source.relative_to(EXAMPLE / tree)
                if tree == "convex" and (relative.name in SINGLETONS or relative.parts[0] == "tables"):
                    continue
                target = root / tree / f"m{index}" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
    return sum(1 for _ in root.rglob("*.ts*"))


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        files = build(root, args.copies)
        check, audit = [], []
        for _ in range(args.runs):
            # Cold check: the audit builds the whole model every time, and a warm check would
            # compare the audit with reading the cache.
            check.append(timed([sys.executable, "-m", "mutlint", "check", ".", "--no-cache"], root))
            audit.append(timed([sys.executable, "-m", "mutlint", "audit", "."], root))
        c, a = statistics.median(check), statistics.median(audit)
        print(f"{files} files, median of {args.runs}: check {c:.2f} s, audit {a:.2f} s, "
              f"audit/check {a / c:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
