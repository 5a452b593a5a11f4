"""Shared fixtures: run the real `mutlint` command and write small Convex projects."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Protocol

import pytest

MUTATION_HEADER = 'import { mutation } from "./_generated/server";\n'


class RunMutlint(Protocol):
    def __call__(self, *args: str, cwd: Path, timeout: float = ...,
                 env: dict[str, str] | None = ...) -> tuple[int, str, str]: ...


class MakeProject(Protocol):
    def __call__(self, files: dict[str, str | bytes]) -> Path: ...


def report_in_process(args: list[str]) -> dict:
    """The JSON report of `mutlint ARGS` run in this process, so that what a test patches here
    (and what -j's forked children inherit) is what runs."""
    from mutlint.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--format", "json", "--fail-on", "never"]) == 0
    return json.loads(out.getvalue())


def mutation_source(name: str, body: str) -> str:
    """A registered Convex mutation `name` whose handler runs `body`."""
    return (f"export const {name} = mutation({{\n  args: {{}},\n  handler: async (ctx) => {{\n"
            f"{body}\n  }},\n}});\n")


@pytest.fixture
def run_mutlint() -> RunMutlint:
    """Run `python -m mutlint ARGS` in `cwd`; return (exit code, stdout, stderr)."""

    def run(*args: str, cwd: Path, timeout: float = 120,
            env: dict[str, str] | None = None) -> tuple[int, str, str]:
        base = {k: v for k, v in os.environ.items()
                if k not in ("NO_COLOR", "GITHUB_STEP_SUMMARY")}
        env = {**base, **(env or {})}
        done = subprocess.run([sys.executable, "-m", "mutlint", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Write `files` (relative path -> text or bytes) into tmp_path/proj and return that root.

    A `convex.json` pointing at `convex/` is added unless `files` has one, so the project
    root is found there.
    """

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "proj"
        root.mkdir(exist_ok=True)
        files = {"convex.json": json.dumps({"functions": "convex/"}), **files}
        for relpath, content in files.items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch):
    """A clock a minute ahead, so every stat of the test's files is old enough for the cache's
    file index and listing memo to keep (they distrust a stat younger than two seconds, and a
    ctime cannot be set back)."""
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 60 * 1_000_000_000)
