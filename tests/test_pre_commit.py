"""The real pre-commit runs the hook from this checkout on a throwaway repository: it fails
the commit on a racing call and passes once the calls are batched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from app_sources import NOTES, RACY_PAGE

REPO = Path(__file__).resolve().parent.parent
FIXED = RACY_PAGE.replace('    await save({ text: "a" });\n    await save({ text: "b" });\n',
                     '    await save({ text: "a and b" });\n')


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _run(command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """pre-commit installs the hook from the package index on first use; a failed install
    (a network hiccup, not a verdict) is retried once."""
    for attempt in range(2):
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        if "An unexpected error has occurred" not in done.stdout + done.stderr or attempt:
            return done
    return done


def test_pre_commit_hook_blocks_then_passes(tmp_path: Path):
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or \
        shutil.which("pre-commit")
    if pre_commit is None:
        pytest.fail("pre-commit is not installed (it is in the test extra)")
    project = tmp_path / "app"
    (project / "convex").mkdir(parents=True)
    (project / "app").mkdir()
    (project / "package.json").write_text("{}\n", encoding="utf-8")
    (project / "convex" / "notes.ts").write_text(NOTES, encoding="utf-8")
    page = project / "app" / "page.tsx"
    page.write_text(RACY_PAGE, encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
           "PRE_COMMIT_COLOR": "never"}
    command = [pre_commit, "try-repo", str(REPO), "mutlint", "--files", "app/page.tsx",
               "convex/notes.ts"]
    blocked = _run(command, project, env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "app/page.tsx:8:11: warning[parallel-mutations-same-doc]" in blocked.stdout
    page.write_text(FIXED, encoding="utf-8")
    _git(project, "add", "-A")
    passed = _run(command, project, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
