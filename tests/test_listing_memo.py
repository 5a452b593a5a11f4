"""The cache's listing memo: a warm run does not walk the project while every directory it read
and every `.gitignore` it consulted keeps its stat, and any change to those (a file added,
removed or renamed, a `.gitignore` edited, created or above the root), a stat too young to
trust, or a broken memo sends mutlint back to walking."""

from __future__ import annotations

import builtins
import errno
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import MakeProject, mutation_source
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mutlint import listing_memo, workspace
from mutlint.cli import main
from mutlint.file_index import INDEX_PREFIX
from mutlint.listing_memo import LISTING_FILE

UNAWAITED = 'import { mutation } from "./_generated/server";\n' + mutation_source(
    "add", '    ctx.db.insert("events", { at: 1 });')



@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The directories mutlint lists, in order."""
    seen: list[str] = []
    real = os.scandir

    def counting(path):
        seen.append(str(path))
        return real(path)

    monkeypatch.setattr(workspace.os, "scandir", counting)
    return seen


def inside(root: Path, listed: list[str]) -> list[str]:
    """The project's directories among those listed (the rule pack is listed too)."""
    return [d for d in listed if Path(d).resolve().is_relative_to(root.resolve())]


def check(capsys, root: Path, *extra: str) -> list[str]:
    """The files a check of the whole project reports on, from its JSON report."""
    code = main(["check", str(root), "--format", "json", "--fail-on", "never", *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    return sorted({f["path"] for f in json.loads(out)["findings"]})


def project(make_project: MakeProject) -> Path:
    return make_project({
        "convex/events.ts": UNAWAITED,
        "convex/more/other.ts": UNAWAITED,
        "app/page.tsx": "export default function Page() { return <div>hello</div>; }\n",
    })


def test_a_warm_run_lists_no_directory_whose_stat_is_unchanged(capsys, make_project, later, walks):
    root = project(make_project)
    first = check(capsys, root)
    assert first == ["convex/events.ts", "convex/more/other.ts"] and inside(root, walks)
    walks.clear()
    assert check(capsys, root) == first
    assert inside(root, walks) == []


def test_added_removed_and_renamed_files_are_seen(capsys, make_project, later, walks):
    root = project(make_project)
    check(capsys, root)
    (root / "convex/more/added.ts").write_text(UNAWAITED, encoding="utf-8")
    assert "convex/more/added.ts" in check(capsys, root)
    (root / "convex/events.ts").unlink()
    assert "convex/events.ts" not in check(capsys, root)
    os.rename(root / "convex/more/added.ts", root / "convex/more/renamed.ts")
    assert check(capsys, root) == ["convex/more/other.ts", "convex/more/renamed.ts"]
    (root / "convex/new/deeper").mkdir(parents=True)
    (root / "convex/new/deeper/x.ts").write_text(UNAWAITED, encoding="utf-8")
    assert "convex/new/deeper/x.ts" in check(capsys, root)
    assert check(capsys, root) == check(capsys, root, "--no-cache")


def test_an_edited_gitignore_is_seen_though_its_directory_keeps_its_times(
        capsys, make_project, later):
    root = project(make_project)
    (root / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    (root / "convex/.gitignore").write_text("# nothing yet\n", encoding="utf-8")
    assert "convex/more/other.ts" in check(capsys, root)
    directory = (root / "convex").stat()
    with open(root / "convex/.gitignore", "a", encoding="utf-8") as file:  # in place
        file.write("more/\n")
    assert (root / "convex").stat().st_mtime_ns == directory.st_mtime_ns
    assert check(capsys, root) == ["convex/events.ts"]
    (root / "convex/.gitignore").unlink()
    assert "convex/more/other.ts" in check(capsys, root)


def test_a_gitignore_created_where_there_was_none_is_seen_by_its_directory(
        capsys, make_project, later, monkeypatch: pytest.MonkeyPatch):
    """A warm run does not stat the `.gitignore` a directory did not have (one per directory
    of a project, each a failing system call): creating one changes its directory's stat."""
    root = project(make_project)
    assert "convex/more/other.ts" in check(capsys, root)
    stated: list[str] = []
    real = listing_memo.os.stat

    def counting(path, *args, **kwargs):
        stated.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(listing_memo.os, "stat", counting)
    assert "convex/more/other.ts" in check(capsys, root)
    assert str(root / "convex" / "more") in stated  # the directories are checked
    assert not [path for path in stated if path.endswith(".gitignore") and ".mutlint_cache" not in path]
    (root / "convex/.gitignore").write_text("more/\n", encoding="utf-8")
    assert check(capsys, root) == ["convex/events.ts"]


def test_a_gitignore_above_the_project_root_is_watched_too(capsys, tmp_path, later):
    repo = tmp_path / "repo"
    app = repo / "apps/web"
    for relpath in ("convex/events.ts", "convex/more/other.ts"):
        (app / relpath).parent.mkdir(parents=True, exist_ok=True)
        (app / relpath).write_text(UNAWAITED, encoding="utf-8")
    (app / ".mutlint.yaml").write_text("convex-dir: convex\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("# none\n", encoding="utf-8")
    assert check(capsys, app) == ["convex/events.ts", "convex/more/other.ts"]
    with open(repo / ".gitignore", "a", encoding="utf-8") as file:
        file.write("apps/web/convex/more/\n")
    assert check(capsys, app) == ["convex/events.ts"]


def test_a_walk_of_young_directories_is_not_kept(capsys, make_project, walks):
    root = project(make_project)  # just made, and the real clock
    check(capsys, root)
    walks.clear()
    check(capsys, root)
    assert inside(root, walks), "walked again: a change in the same tick would have gone unseen"


@pytest.mark.parametrize("garbage", [
    "not json", "[]", '{".": "x"}',
    '{".": {"files": [["convex", ["gone.ts"]]], "checked": "x", "git": null}}',
    '{".": {"files": [1], "checked": [], "git": null}}',
    '{".": {"files": [["convex", [1]]], "checked": [], "git": null}}',
    '{".": {"files": [["convex"]], "checked": [], "git": null}}',
    '{".": {"files": [["convex", ["gone.ts"]]], "checked": [], "git": 7}}',
    '{".": {"files": ["convex/gone.ts"], "checked": [[".", null]], "git": null}}',  # the old form
])
def test_a_broken_memo_is_ignored(capsys, make_project, later, garbage: str):
    root = project(make_project)
    expected = check(capsys, root)
    for memo in (root / ".mutlint_cache").glob(f"*/{LISTING_FILE}"):
        memo.write_text(garbage, encoding="utf-8")
    assert check(capsys, root) == expected


def test_no_cache_keeps_no_listing(capsys, make_project, later):
    root = project(make_project)
    check(capsys, root, "--no-cache")
    assert not list(root.glob(f".mutlint_cache/*/{LISTING_FILE}"))


def memos(root: Path) -> list[Path]:
    return list((root / ".mutlint_cache").glob(f"*/{LISTING_FILE}"))


@pytest.mark.parametrize("path", ["convex\u0000x", "\ud800", "OUTSIDE", "../outside.ts",
                                  "convex/more/../../../outside.ts", "convex/events.txt",
                                  "convex|../../outside.ts"])
def test_a_forged_path_in_the_memo_is_neither_a_crash_nor_a_file(capsys, make_project, later,
                                                                  path: str):
    """Paths a walk could not have produced (NUL, a lone surrogate, outside the project, a
    name no rule reads, a file name holding a separator) make the memo's entry count as absent.
    The memo keeps files by directory; `|` splits a forged path into its directory and name
    where os.path.split would not."""
    root = project(make_project)
    outside = root.parent / "outside.ts"  # a file with a finding, which must not be linted
    outside.write_text(UNAWAITED, "utf-8")
    path = str(outside) if path == "OUTSIDE" else path
    expected = check(capsys, root)
    for memo in memos(root):
        entries = json.loads(memo.read_text("utf-8"))
        for entry in entries.values():
            parent, name = path.split("|") if "|" in path else os.path.split(path)
            entry["files"].append([parent, [name]])
            if not path.endswith(".ts"):  # a path no stat takes, among the checked too
                entry["checked"].append([path, None])
        memo.write_text(json.dumps(entries), "utf-8")
    assert check(capsys, root) == expected


@pytest.mark.parametrize("name", [LISTING_FILE, f"{INDEX_PREFIX}*.json"])  # the file index's shards
def test_a_memo_nested_too_deep_for_the_json_decoder_is_ignored(capsys, make_project, later,
                                                                  name: str):
    root = project(make_project)
    expected = check(capsys, root)
    damaged = list((root / ".mutlint_cache").glob(f"*/{name}"))
    assert damaged
    for memo in damaged:
        memo.write_text("[" * 200_000, "utf-8")
    assert check(capsys, root) == expected


def test_a_walk_that_could_not_read_a_directory_is_not_kept(capsys, make_project, later,
                                                             monkeypatch: pytest.MonkeyPatch):
    """A passing EMFILE or EIO is no change of any stat: the incomplete list it made must not
    outlive the run that saw the error."""
    root = project(make_project)
    expected = check(capsys, root)
    for memo in memos(root):
        memo.unlink()
    real = os.scandir

    def flaky(path):
        if str(path).endswith(f"convex{os.sep}more"):
            raise OSError(errno.EMFILE, "Too many open files")
        return real(path)

    monkeypatch.setattr(workspace.os, "scandir", flaky)
    assert check(capsys, root) == ["convex/events.ts"]  # this run misses them
    monkeypatch.setattr(workspace.os, "scandir", real)
    assert check(capsys, root) == expected


def test_a_walk_that_could_not_read_a_gitignore_is_not_kept(capsys, make_project, later,
                                                             monkeypatch: pytest.MonkeyPatch):
    root = project(make_project)
    (root / "convex/.gitignore").write_text("more/\n", "utf-8")
    expected = check(capsys, root, "--no-cache")
    real = builtins.open

    def flaky(path, *args, **kwargs):
        if str(path).endswith(f"convex{os.sep}.gitignore"):
            raise OSError(errno.EMFILE, "Too many open files")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", flaky)
    assert check(capsys, root) != expected  # this run lints what the .gitignore excludes
    monkeypatch.setattr(builtins, "open", real)
    assert check(capsys, root) == expected


def test_a_changed_directory_is_listed_alone_and_its_names_are_not_judged_again(
        capsys, make_project, later, walks, monkeypatch):
    """An editor's temporary file, written beside a file and removed, changes the directory's
    stat and nothing else: the next walk lists that directory alone and judges no name it
    judged before (judging one compiles the excludes: pathspec's import), only new ones."""
    root = project(make_project)
    (root / ".gitignore").write_text("*.log\n", encoding="utf-8")
    first = check(capsys, root)
    judged: list[str] = []
    real = workspace.FileSelector.excluded

    def judging(self, relpath, is_dir=False):
        judged.append(relpath)
        return real(self, relpath, is_dir)

    monkeypatch.setattr(workspace.FileSelector, "excluded", judging)
    (root / "convex/more/.other.ts.swp").write_text("x", encoding="utf-8")
    (root / "convex/more/.other.ts.swp").unlink()
    walks.clear()
    assert check(capsys, root) == first
    assert inside(root, walks) == [str(root / "convex/more")] and judged == []
    (root / "convex/more/node_modules").mkdir()
    (root / "convex/more/node_modules/dep.ts").write_text(UNAWAITED, encoding="utf-8")
    (root / "convex/more/added.ts").write_text(UNAWAITED, encoding="utf-8")
    assert check(capsys, root) == ["convex/events.ts", "convex/more/added.ts", "convex/more/other.ts"]
    assert sorted(judged) == ["convex/more/added.ts", "convex/more/node_modules"]


def test_an_edited_gitignore_judges_every_name_again(capsys, make_project, later):
    root = project(make_project)
    (root / ".gitignore").write_text("*.log\n", encoding="utf-8")
    assert "convex/more/other.ts" in check(capsys, root)
    (root / "convex/more/.swp").write_text("x", encoding="utf-8")  # a directory changed too
    (root / "convex/more/.swp").unlink()
    with open(root / ".gitignore", "a", encoding="utf-8") as file:
        file.write("other.ts\n")
    assert check(capsys, root) == ["convex/events.ts"]


def test_a_walk_after_changes_lists_what_a_full_walk_lists_in_its_order(tmp_path, later) -> None:
    """Files added, removed and renamed, directories made (one excluded, one gitignored) and
    removed, across a generated project: the walk that reuses the earlier one gives the list a
    walk without any memo gives, in the same order."""
    import random
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate

    from mutlint.listing_memo import ListingMemo

    root = tmp_path / "app"
    generate(root, 200, seed=5)
    (root / ".gitignore").write_text("*.log\nignored/\n", encoding="utf-8")
    memo_path = tmp_path / "listing.json"
    space = workspace.open_workspace(root)
    top = space.root.resolve()

    def walked(memo: ListingMemo | None) -> list[str]:
        return workspace.FileSelector(space, memo).walk(top)

    memo = ListingMemo(memo_path, str(space.root))
    walked(memo)
    memo.save(lambda path, text: path.write_text(text, encoding="utf-8"))
    chooser = random.Random(7)
    directories = sorted(p for p in root.rglob("*") if p.is_dir())
    for index, directory in enumerate(chooser.sample(directories, 6)):
        (directory / f"new{index}.ts").write_text("export const x = 1;\n", encoding="utf-8")
        (directory / "ignored").mkdir(exist_ok=True)
        (directory / "ignored" / "y.ts").write_text("export const y = 1;\n", encoding="utf-8")
        (directory / "node_modules").mkdir(exist_ok=True)
        (directory / "node_modules" / "z.ts").write_text("export const z = 1;\n", encoding="utf-8")
        (directory / f"deep{index}").mkdir()
        (directory / f"deep{index}" / "w.tsx").write_text("export const w = 1;\n", encoding="utf-8")
    files = sorted(p for p in root.rglob("*.ts*") if "node_modules" not in p.parts)
    for path in chooser.sample(files, 8):
        if path.exists():
            path.unlink()
    for path in chooser.sample(sorted(p for p in root.rglob("*.ts") if p.exists()), 4):
        path.rename(path.with_name("renamed-" + path.name))
    shutil.rmtree(chooser.choice(sorted(p for p in (root / "src").iterdir() if p.is_dir())))
    again = ListingMemo(memo_path, str(space.root))
    assert again.lookup(str(top), None) is None  # changed: no plain reuse
    assert again.earlier(str(top), None) is not None  # but a walk to reuse
    assert walked(again) == walked(None)


def _reference_well_formed(entry) -> bool:
    """The entry's shape, tested value by value (each path by listing_memo._is_path): what
    listing_memo._well_formed answers with joins and maps."""
    is_path = listing_memo._is_path
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), list) \
            or not isinstance(entry.get("checked"), list) or "git" not in entry:
        return False
    git = entry["git"]
    return (git is None or is_path(git)) \
        and all(isinstance(group, list) and len(group) == 2 and is_path(group[0])
                and isinstance(group[1], list) and all(map(is_path, group[1]))
                for group in entry["files"]) \
        and all(isinstance(c, list) and len(c) == 2 and is_path(c[0])
                and (c[1] is None or (isinstance(c[1], list) and all(type(n) is int for n in c[1])))
                for c in entry["checked"])


# JSON's values, with the strings a path can and cannot be (a NUL, a lone surrogate).
_TEXTS = st.sampled_from(["convex", "a.ts", "", "x\0y", "\ud800", "é.tsx"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(0, 1), _TEXTS)
_ANY = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
_GROUPS = st.lists(st.one_of(st.tuples(_TEXTS, st.lists(_TEXTS, max_size=3)).map(list), _ANY),
                   max_size=3)
_CHECKS = st.lists(st.one_of(st.tuples(_TEXTS, st.one_of(st.none(), st.lists(
    st.one_of(st.integers(0, 9), st.booleans(), st.floats(0, 1)), max_size=5))).map(list), _ANY),
    max_size=3)


@settings(max_examples=600)
@given(st.one_of(
    st.fixed_dictionaries({"git": st.one_of(st.none(), _TEXTS, st.integers()), "files": _GROUPS,
                           "checked": _CHECKS}),
    st.dictionaries(st.sampled_from(["git", "files", "checked"]), _ANY), _ANY))
@example({"git": None, "files": [["convex", ["a.ts", 1]]], "checked": []})
@example({"git": None, "files": [], "checked": [["convex", [1, True]]]})
@example({"git": None, "files": [["convex", ["a.ts"]]], "checked": [["convex", [1, 2, 3, 4, 5]]]})
def test_a_memo_entry_is_well_formed_exactly_when_each_value_is(entry) -> None:
    assert listing_memo._well_formed(entry) is _reference_well_formed(entry)
