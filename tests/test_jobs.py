"""-j N: several processes, the same bytes as one."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeProject, RunMutlint

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "onboarding-app"


@pytest.mark.parametrize("cache", ["--cache", "--no-cache"])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_jobs_give_the_same_output(run_mutlint: RunMutlint, fmt: str, cache: str):
    """With the cache, most files need no child; without it, the processes share every file
    (the parent takes a child's files from the end, and may parse one of them again for a
    page's facts after checking it: it must not check it twice)."""
    flags = ("--format", fmt, "--no-color") + (("--no-cache",) if cache == "--no-cache" else ())
    one = run_mutlint("check", ".", *flags, cwd=EXAMPLE)
    two = run_mutlint("check", ".", *flags, "-j", "2", cwd=EXAMPLE)
    three = run_mutlint("check", ".", *flags, "-j", "auto", cwd=EXAMPLE)
    children = run_mutlint("check", ".", *flags, "-j", "3", cwd=EXAMPLE)  # two children
    assert one == two == three == children
    assert one[0] == 1 and one[1]


def test_jobs_keep_internal_errors_and_skips(run_mutlint: RunMutlint, make_project: MakeProject):
    good = ('import { mutation } from "./_generated/server";\n'
            "export const f = mutation({ args: {}, handler: async (ctx) => {\n"
            "    ctx.db.patch(id, {});\n  },\n});\n")
    files = {f"convex/f{i}.ts": good.replace("f =", f"f{i} =") for i in range(6)}
    files.update({"convex/empty.ts": "", "convex/bin.ts": b"\x00\x01db"})
    root = make_project(files)
    one = run_mutlint("check", ".", "--format", "json", cwd=root)
    two = run_mutlint("check", ".", "--format", "json", "-j", "2", cwd=root)
    assert one == two
    assert "convex/bin.ts: skipped: binary file" in two[2] and "convex/empty.ts: skipped" in two[2]


def test_bad_jobs_value_is_a_usage_error(run_mutlint: RunMutlint):
    code, _, err = run_mutlint("check", ".", "-j", "0", cwd=EXAMPLE)
    assert code == 2 and "expected at least 1" in err


def test_jobs_fill_the_cache_that_one_process_reads(run_mutlint: RunMutlint, tmp_path: Path):
    import shutil

    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
    cold = run_mutlint("check", ".", "--format", "json", "--no-cache", cwd=root)
    assert run_mutlint("check", ".", "--format", "json", "-j", "2", cwd=root) == cold
    code, out, stats = run_mutlint("check", ".", "--format", "json", "--statistics", cwd=root)
    assert (code, out) == cold[:2] and " 0 parsed, " in stats  # the children's entries were kept
    assert run_mutlint("check", ".", "--format", "json", "-j", "2", cwd=root) == cold


def test_jobs_on_a_warm_cache_after_an_edit_match_a_cold_run(run_mutlint: RunMutlint, tmp_path: Path):
    """The parent answers what the cache knows and forks for the rest (here the files that
    depend on the edited mutation): the same bytes as a run without the cache."""
    import shutil

    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
    run_mutlint("check", ".", "--format", "json", cwd=root)
    target = next(p for p in sorted((root / "convex").rglob("*.ts")) if b"ctx.db.patch" in p.read_bytes())
    target.write_bytes(target.read_bytes().replace(b"ctx.db.patch", b"ctx.db.replace", 1))
    cold = run_mutlint("check", ".", "--format", "json", "--no-cache", cwd=root)
    assert run_mutlint("check", ".", "--format", "json", "-j", "2", cwd=root) == cold
    assert run_mutlint("check", ".", "--format", "json", cwd=root) == cold


def _on_a_terminal(*args: str, cwd: Path) -> str:
    """mutlint's stdout when it is a terminal (code frames are drawn only there)."""
    leader, follower = os.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "mutlint", *args], cwd=cwd, stdout=follower,
                              stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=120)
        # Read while our end of the follower is still open: once every follower is closed,
        # Linux may end the leader's reads (EIO) before the last of the output has reached it
        # (the likeliest cause of this test failing once in a full run on a loaded machine).
        chunks = []
        while select.select([leader], [], [], 0.5)[0]:
            chunk = os.read(leader, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        os.close(follower)
    assert done.returncode == 1
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_code_frames_on_a_terminal_do_not_depend_on_jobs_or_the_cache(tmp_path: Path):
    """A frame comes from the file's bytes: the files a run still has parsed when it reports
    differ with -j (this process checks a share too) and with the cache."""
    project = tmp_path / "app"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".mutlint_cache"))
    one = _on_a_terminal("check", ".", "--no-cache", "--no-color", cwd=project)
    assert one.count("^") >= 10  # every finding has its line under it
    assert _on_a_terminal("check", ".", "--no-cache", "--no-color", "-j", "2", cwd=project) == one
    _on_a_terminal("check", ".", "--no-color", cwd=project)
    assert _on_a_terminal("check", ".", "--no-color", cwd=project) == one  # from the cache
