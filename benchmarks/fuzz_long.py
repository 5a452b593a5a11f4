"""The long fuzz run: the properties of tests/test_fuzz.py on as many inputs as fit in the given
time. Failing inputs are saved under --out with the reason. Usage:
    python benchmarks/fuzz_long.py --minutes 30 [--seed 1] [--out fuzz-failures]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

import jsonschema  # noqa: E402
from fuzz_inputs import EXAMPLE, MUTABLE, SOURCES, hostile_file  # noqa: E402
from sarif_tools import sarif_schema  # noqa: E402

from mutlint.cli import main  # noqa: E402


def run(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(root), "--format", "sarif", "--no-color"])
    return code, out.getvalue(), err.getvalue()


def others(log: dict, changed: str) -> list:
    return sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   r["partialFingerprints"]["mutlint/v1"]) for r in log["runs"][0]["results"]
                  if not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(changed))


def check_one(root: Path, rng: random.Random, target: str, clean: dict, schema: dict) -> str | None:
    path = root / target
    original = (EXAMPLE / target).read_bytes()
    data = hostile_file(rng, original)
    path.write_bytes(data)
    code, out, err = run(root)
    if code not in (0, 1) or "internal error" in err:
        return f"exit {code}: {err[-500:]}"
    log = json.loads(out)
    jsonschema.validate(log, schema)
    if run(root)[1] != out:
        return "not deterministic"
    if target in clean and others(log, target) != others(clean[target], target):
        return "findings of other files changed"
    return None


def _clean_log(root: Path) -> dict:
    """The report on the unedited example, which every input's report is compared with. A run
    that gives none stops the fuzzing with what it said: once, at the start of a run beside
    the test suite, the unedited example's report came out empty, and only a JSON error was left
    to see (not seen again in four tries)."""
    code, out, err = run(root)
    try:
        return json.loads(out)
    except ValueError:
        raise SystemExit(f"the unedited example gave no report: exit {code}: {err[-2000:]}") from None


def main_loop() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    schema = sarif_schema()
    rng = random.Random(args.seed)
    tried = failed = 0
    deadline = time.monotonic() + args.minutes * 60
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "app"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
        clean = {target: _clean_log(root) for target in MUTABLE}
        while time.monotonic() < deadline:
            # Half the time a file no other file's findings depend on, half any source file.
            target = rng.choice(MUTABLE if rng.random() < 0.5 else SOURCES)
            state = rng.getstate()
            try:
                problem = check_one(root, rng, target, clean, schema)
            except Exception:
                problem = traceback.format_exc()
            tried += 1
            if problem is not None:
                failed += 1
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{tried}.input").write_bytes((root / target).read_bytes())
                (args.out / f"{tried}.reason.txt").write_text(f"{target}\n{state!r}\n{problem}\n")
            (root / target).write_bytes((EXAMPLE / target).read_bytes())
            if tried % 500 == 0:
                print(f"{tried} inputs, {failed} failures", flush=True)
    print(f"done: {tried} inputs in {args.minutes} minutes, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main_loop())
