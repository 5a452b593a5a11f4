"""Microsoft's SARIF Multitool and the official SARIF 2.1.0 schema, fetched from the npm
registry on first use and cached under .cache/ (a fresh CI clone downloads them once)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

PACKAGE = "@microsoft/sarif-multitool-linux"
VERSION = "5.7.0"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / f"sarif-multitool-{VERSION}"


def multitool_dir() -> Path:
    """The unpacked npm package (Sarif.Multitool binary and sarif-2.1.0.json)."""
    package = CACHE / "package"
    if (package / "sarif-2.1.0.json").is_file() and (package / "Sarif.Multitool").is_file():
        return package
    npm = shutil.which("npm")
    if npm is None:
        # CI sets MUTLINT_REQUIRE_SARIF_TOOLS: there, validating nothing must not pass.
        (pytest.fail if os.environ.get("MUTLINT_REQUIRE_SARIF_TOOLS") else pytest.skip)(
            "npm is not installed: cannot fetch the SARIF Multitool")
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run([npm, "pack", "--silent", f"{PACKAGE}@{VERSION}"], cwd=scratch,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm pack {PACKAGE}@{VERSION} failed: {done.stderr.strip()[-500:]}")
        tarball = next(Path(scratch).glob("*.tgz"))
        CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            archive.extractall(CACHE, filter="data")
    (package / "Sarif.Multitool").chmod(0o755)
    return package


def sarif_schema() -> dict:
    return json.loads((multitool_dir() / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def multitool_problems(sarif_file: Path, work: Path) -> list[tuple[str, str, str]]:
    """(rule, level, message) for every error and warning the Multitool reports with GitHub's
    rules (it exits 0 even when it finds some, so its own SARIF output is read)."""
    out = work / f"{sarif_file.stem}.validation.sarif"
    done = subprocess.run([str(multitool_dir() / "Sarif.Multitool"), "validate", str(sarif_file),
                           "--rule-kind", "Ghas;Sarif", "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert out.is_file(), f"Multitool wrote no output: {done.stdout[-1000:]} {done.stderr[-1000:]}"
    log = json.loads(out.read_text(encoding="utf-8"))
    problems = []
    for run in log["runs"]:
        for result in run.get("results", []):
            level = result.get("level", "warning")
            if level in ("error", "warning"):
                problems.append((result["ruleId"], level, json.dumps(result["message"])))
    return problems
