"""The index reader answers what `git ls-files --cached` answers, or None where it cannot be
sure: every case here is checked against git itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mutlint import cache
from mutlint.git_index import tracks

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.hooksPath=/dev/null"]
BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # the empty file's object name


def git(top: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([*GIT, *args], cwd=top, check=True, capture_output=True, env=env)
    return done.stdout.decode()


def git_says(top: Path, path: str) -> bool:
    return bool(git(top, "ls-files", "--cached", "-z", "--", path))


def repository(tmp_path: Path, *paths: str, version: int | None = None) -> Path:
    """A repository whose index holds `paths` (index entries only: a path may be longer than
    any file system allows, or lie inside the cache dir without a file there)."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    (top / "a.ts").write_text("export {};\n")
    git(top, "add", "a.ts")
    for path in paths:
        git(top, "update-index", "--add", "--cacheinfo", f"100644,{BLOB},{path}")
    if version is not None:
        git(top, "update-index", "--index-version", str(version))
    return top


@pytest.mark.parametrize(("paths", "asked"), [
    ((), ".mutlint_cache"),
    ((".mutlint_cache/abc/00.json",), ".mutlint_cache"),
    ((".mutlint_cache",), ".mutlint_cache"),  # a file of that name
    (("app/.mutlint_cache/x.json",), "app/.mutlint_cache"),
    (("app/.mutlint_cache/x.json",), ".mutlint_cache"),  # another project's cache
    ((".mutlint_cache_old/x.json", "x.mutlint_cache", "a/.mutlint_cache.bak"), ".mutlint_cache"),
    (("d/" * 2100 + "long.ts", ".mutlint_cache/y"), ".mutlint_cache"),  # a name of 0xFFF+ bytes
    (("link/sdir.ts",), ".mutlint_cache"),  # extension names in a path: walked, understood
])
@pytest.mark.parametrize("version", [None, 2, 3])
def test_the_index_answers_as_git_does(tmp_path: Path, paths: tuple[str, ...], asked: str,
                                       version: int | None) -> None:
    top = repository(tmp_path, *paths, version=version)
    assert tracks(top, top / asked) is git_says(top, asked)


def test_entries_with_extended_flags_are_walked(tmp_path: Path) -> None:
    """`git add -N` marks an entry intent-to-add in two more bytes of flags (version 3)."""
    top = repository(tmp_path, "b/.mutlint_cache.ts")
    (top / "later.ts").write_text("")
    git(top, "add", "-N", "later.ts")
    assert (top / ".git" / "index").read_bytes()[4:8] == (3).to_bytes(4, "big")
    assert tracks(top, top / ".mutlint_cache") is False is git_says(top, ".mutlint_cache")
    (top / ".mutlint_cache").mkdir()
    (top / ".mutlint_cache" / "z.json").write_text("{}")
    git(top, "add", "-f", "-N", ".mutlint_cache/z.json")
    assert tracks(top, top / ".mutlint_cache") is True is git_says(top, ".mutlint_cache")


def test_a_repository_without_an_index_tracks_nothing(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert not (tmp_path / ".git" / "index").exists()
    assert tracks(tmp_path, tmp_path / ".mutlint_cache") is False


@pytest.mark.parametrize("layout", ["version 4", "split index", "garbage", "truncated"])
def test_what_it_cannot_read_for_certain_is_left_to_git(tmp_path: Path, layout: str) -> None:
    top = repository(tmp_path, ".mutlint_cache/x.json" if layout != "truncated" else "b/.mutlint_cache.ts")
    index = top / ".git" / "index"
    if layout == "version 4":
        git(top, "update-index", "--index-version", "4")
    elif layout == "split index":
        git(top, "update-index", "--split-index")
        assert not git_says(top, "nothing") and git_says(top, ".mutlint_cache")
    elif layout == "garbage":
        index.write_bytes(b"not an index at all, but long enough to have a header")
    else:  # a walk is needed (the name is there), and its entries end past the file's end
        index.write_bytes(index.read_bytes()[:-25])
    assert tracks(top, top / ".mutlint_cache") is None


def test_a_split_index_is_left_to_git_even_when_the_path_is_not_in_this_file(tmp_path: Path) -> None:
    """With a split index, the entries live in a shared index beside it: the path need not
    appear in .git/index at all."""
    top = repository(tmp_path, ".mutlint_cache/x.json")
    git(top, "update-index", "--split-index")
    (top / "new.ts").write_text("")
    git(top, "add", "new.ts")
    assert b".mutlint_cache" not in (top / ".git" / "index").read_bytes()
    assert git_says(top, ".mutlint_cache")
    assert tracks(top, top / ".mutlint_cache") is None


def test_the_index_a_commit_hook_is_given_is_the_one_read(tmp_path: Path, monkeypatch) -> None:
    """`git commit -a` hands its hooks a lock file as GIT_INDEX_FILE; a plain `git commit`,
    `.git/index`, relative to the top of the work tree."""
    top = repository(tmp_path)
    other = tmp_path / "next-index.lock"
    env = {"GIT_INDEX_FILE": str(other), "PATH": "/usr/bin:/bin"}
    shutil.copy(top / ".git" / "index", other)
    git(top, "update-index", "--add", "--cacheinfo", f"100644,{BLOB},.mutlint_cache/f", env=env)
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    assert tracks(top, top / ".mutlint_cache") is True
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/index")
    monkeypatch.chdir(top / ".git")  # not where it is read from
    assert tracks(top, top / ".mutlint_cache") is False


@pytest.mark.parametrize("variable", ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"])
def test_a_repository_laid_out_by_the_environment_is_left_to_git(tmp_path: Path, monkeypatch,
                                                                  variable: str) -> None:
    top = repository(tmp_path)
    monkeypatch.setenv(variable, str(top / ".git"))
    assert tracks(top, top / ".mutlint_cache") is None


def test_a_worktree_is_left_to_git(tmp_path: Path) -> None:
    top = repository(tmp_path)
    git(top, "commit", "-qm", "first")
    git(top, "worktree", "add", "-q", str(tmp_path / "wt"))
    assert (tmp_path / "wt" / ".git").is_file()
    assert tracks(tmp_path / "wt", tmp_path / "wt" / ".mutlint_cache") is None


def test_a_sha256_repository_is_walked_by_git(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    top.mkdir()
    try:
        git(top, "init", "-q", "--object-format=sha256")
    except subprocess.CalledProcessError:
        pytest.skip("this git makes no SHA-256 repositories")
    (top / "a.mutlint_cache.ts").write_text("")
    git(top, "add", ".")
    assert tracks(top, top / ".mutlint_cache") is None  # the path is there: a walk is needed
    (top / "a.mutlint_cache.ts").rename(top / "b.ts")
    git(top, "add", "-A")
    assert tracks(top, top / ".mutlint_cache") is False  # no walk: the format does not matter


def test_a_cached_run_starts_no_git_in_an_ordinary_repository(tmp_path: Path, monkeypatch) -> None:
    """The point of the reader: the cache dir's check needs no process, and answers as git."""
    top = repository(tmp_path)
    (top / ".mutlint_cache").mkdir()
    monkeypatch.setattr(subprocess, "run", _no_process)
    assert cache.cache_dir_is_ours(top)
    git_top_index = top / ".git" / "index"
    monkeypatch.undo()
    git(top, "update-index", "--add", "--cacheinfo", f"100644,{BLOB},.mutlint_cache/forged")
    assert git_top_index.exists()
    monkeypatch.setattr(subprocess, "run", _no_process)
    assert not cache.cache_dir_is_ours(top)


def test_git_is_asked_where_the_index_cannot_answer(tmp_path: Path) -> None:
    top = repository(tmp_path, ".mutlint_cache/x.json")
    git(top, "update-index", "--index-version", "4")
    (top / ".mutlint_cache").mkdir()
    assert tracks(top, top / ".mutlint_cache") is None
    assert not cache.cache_dir_is_ours(top)


def _no_process(*args, **kwargs):
    raise AssertionError(f"a process was started: {args}")
