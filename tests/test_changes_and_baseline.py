"""--changed / --diff-lines on real temporary git repositories, and baselines."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from conftest import MakeProject, RunMutlint

HEADER = 'import { mutation } from "./_generated/server";\n'


def unawaited(name: str, *writes: str) -> str:
    body = "\n".join(f"    ctx.db.patch({w}, {{}});" for w in writes)
    return (f"export const {name} = mutation({{ args: {{}}, handler: async (ctx) => {{\n"
            f"{body}\n  }},\n}});\n")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(make_project: MakeProject) -> Path:
    root = make_project({
        "convex/a.ts": HEADER + unawaited("a", "idA"),
        "convex/b.ts": HEADER + unawaited("b", "idB"),
        "convex/c.ts": HEADER + unawaited("c", "idC"),
        "convex/d.ts": HEADER + unawaited("d", "idD"),
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def reported(run_mutlint: RunMutlint, root: Path, *args: str) -> list[tuple[str, int]]:
    code, out, err = run_mutlint("check", *args, "--format", "json", cwd=root)
    assert code in (0, 1), err
    return [(f["path"], f["start"]["line"]) for f in json.loads(out)["findings"]]


def fingerprint_of_git_state(root: Path) -> tuple[str, str]:
    index = hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()
    return index, git(root, "status", "--porcelain=v1", "-uall")


def test_changed_files_of_every_kind(run_mutlint: RunMutlint, repo: Path):
    assert reported(run_mutlint, repo, "--changed") == []  # nothing changed yet
    (repo / "convex" / "a.ts").write_text(HEADER + unawaited("a", "idA", "idA2"), encoding="utf-8")
    (repo / "convex" / "b.ts").write_text(HEADER + unawaited("b", "idB", "idB2"), encoding="utf-8")
    git(repo, "add", "convex/b.ts")  # staged
    (repo / "convex" / "new.ts").write_text(HEADER + unawaited("n", "idN"), encoding="utf-8")
    git(repo, "mv", "convex/c.ts", "convex/renamed.ts")
    git(repo, "rm", "-q", "convex/d.ts")
    before = fingerprint_of_git_state(repo)
    found = reported(run_mutlint, repo, "--changed")
    assert found == [("convex/a.ts", 3), ("convex/a.ts", 4), ("convex/b.ts", 3), ("convex/b.ts", 4),
                     ("convex/new.ts", 3), ("convex/renamed.ts", 3)]
    assert fingerprint_of_git_state(repo) == before  # neither the index nor the tree was touched


def test_diff_lines_and_commit_ranges(run_mutlint: RunMutlint, repo: Path):
    (repo / "convex" / "a.ts").write_text(HEADER + unawaited("a", "idA", "idA2"), encoding="utf-8")
    assert reported(run_mutlint, repo, "--diff-lines") == [("convex/a.ts", 4)]  # only the new line
    git(repo, "commit", "-q", "-am", "second")
    assert reported(run_mutlint, repo, "--changed") == []  # against HEAD: nothing
    assert reported(run_mutlint, repo, "--changed", "--base", "HEAD~1") == [
        ("convex/a.ts", 3), ("convex/a.ts", 4)]
    assert reported(run_mutlint, repo, "--diff-lines", "--base", "HEAD~1") == [("convex/a.ts", 4)]


def test_changed_outside_git_is_a_usage_error(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": HEADER + unawaited("a", "idA")})
    code, out, err = run_mutlint("check", "--changed", cwd=root)
    assert code == 2 and out == ""
    assert "--changed needs a git repository" in err and "Traceback" not in err
    code, _, err = run_mutlint("check", "--base", "main", cwd=root)
    assert code == 2 and "--base goes with --changed" in err


def test_unknown_base_is_a_usage_error(run_mutlint: RunMutlint, repo: Path):
    code, _, err = run_mutlint("check", "--changed", "--base", "no-such-branch", cwd=repo)
    assert code == 2 and "--base no-such-branch: no such commit in this repository" in err


def test_baseline_round_trip(run_mutlint: RunMutlint, repo: Path, tmp_path: Path):
    baseline = tmp_path / "baseline.json"
    code, _, err = run_mutlint("check", "--write-baseline", str(baseline), cwd=repo)
    assert code == 0 and "recorded 4 findings" in err
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert recorded["format"] == "mutlint-baseline" and len(recorded["findings"]) == 4
    code, out, _ = run_mutlint("check", "--baseline", str(baseline), cwd=repo)
    assert code == 0 and out.strip().endswith("No findings in 4 files. (4 in the baseline)")
    # Lines inserted above keep the fingerprints; a new finding is reported; a removed one is fixed.
    (repo / "convex" / "a.ts").write_text("// moved\n" + HEADER + unawaited("a", "idA", "idNew"),
                                          encoding="utf-8")
    (repo / "convex" / "b.ts").write_text(HEADER + unawaited("b"), encoding="utf-8")
    code, out, _ = run_mutlint("check", "--baseline", str(baseline), "--format", "json", cwd=repo)
    report = json.loads(out)
    assert code == 1
    assert [(f["path"], f["start"]["line"]) for f in report["findings"]] == [("convex/a.ts", 5)]
    assert report["summary"]["baseline"] == {"hidden": 3, "fixed": 1}


def test_broken_baseline_is_a_usage_error(run_mutlint: RunMutlint, repo: Path, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run_mutlint("check", "--baseline", str(bad), cwd=repo)
    assert code == 2 and str(bad) in err and "Traceback" not in err


def test_changed_links_are_neither_linted_nor_followed(run_mutlint: RunMutlint, repo: Path,
                                                       tmp_path: Path):
    outside = tmp_path / "outside.ts"
    outside.write_text(HEADER + unawaited("secret", "idS"), encoding="utf-8")
    (repo / "convex" / "evil.ts").symlink_to(outside)
    (repo / "convex" / "alias.ts").symlink_to(repo / "convex" / "a.ts")
    git(repo, "add", "convex/evil.ts")
    git(repo, "commit", "-q", "-m", "a link out of the repository")
    git(repo, "add", "convex/alias.ts")  # staged: a link to an unchanged file
    (repo / "convex" / "b.ts").write_text(HEADER + unawaited("b", "idB", "idB2"), encoding="utf-8")
    for option in ("--changed", "--diff-lines"):
        code, out, err = run_mutlint("check", option, "--base", "HEAD~1", "--format", "json", cwd=repo)
        assert code == 1, err
        found = sorted({(f["path"], f["start"]["line"]) for f in json.loads(out)["findings"]})
        expected = [("convex/b.ts", 3), ("convex/b.ts", 4)] if option == "--changed" \
            else [("convex/b.ts", 4)]
        assert found == expected, (option, found)

