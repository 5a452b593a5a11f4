"""Dependency graphs and their groups: what a cache entry records, and when it still holds."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

from mutlint.cache import Cache, Entry, content_hash
from mutlint.dependencies import INLINE_MAX, LISTING, ContentHashes, Deps, Recorder, group_digest


def hashes_of(files: dict[str, bytes]) -> ContentHashes:
    return ContentHashes(lambda relpath: content_hash(files.get(relpath)), lambda: sorted(files))


def project_files(count: int) -> dict[str, bytes]:
    return {f"convex/f{i}.ts": f"export const f{i} = 1;".encode() for i in range(count)}


def test_a_whole_project_fact_is_one_group_that_entries_share(tmp_path: Path):
    files = project_files(40)
    cache = Cache(tmp_path / "salt")
    # A fact about the whole project (it read the file list) and two checks that use it.
    index = Deps(frozenset({LISTING, *files}))
    page_a = Deps(frozenset({"app/a.tsx"}), (Deps(frozenset({"convex/f1.ts"}), (index,)),))
    page_b = Deps(frozenset({"app/b.tsx"}), (index,))
    files.update({"app/a.tsx": b"a", "app/b.tsx": b"b"})
    recorder = Recorder(cache, hashes_of(files))
    deps_a, groups_a = recorder.record(page_a, leave_out="app/a.tsx")
    deps_b, groups_b = recorder.record(page_b)
    assert sorted(deps_a) == ["convex/f1.ts"] and sorted(deps_b) == ["app/b.tsx"]
    assert groups_a == groups_b and len(groups_a) == 1  # stored once, named twice
    cache.save()

    fresh = Cache(tmp_path / "salt")
    assert hashes_of(files).still_good(deps_a, groups_a, fresh)
    files["convex/f30.ts"] = b"export const changed = 2;"  # a file only the group lists
    assert not hashes_of(files).still_good(deps_a, groups_a, fresh)
    del files["convex/f30.ts"]  # a file gone: the file list changed
    assert not hashes_of(files).still_good(deps_b, groups_b, Cache(tmp_path / "salt"))


def test_contexts_nest_and_small_ones_are_listed_inline(tmp_path: Path):
    files = project_files(60)
    cache = Cache(tmp_path / "salt")
    small = Deps(frozenset({LISTING, "convex/f0.ts"}))  # a per-file fact that resolved imports
    inner = Deps(frozenset({LISTING, *list(files)[:30]}))
    outer = Deps(frozenset({LISTING, *list(files)[30:]}), (inner, small))
    check = Deps(frozenset({"convex/f59.ts"}), (outer, small))
    recorder = Recorder(cache, hashes_of(files))
    deps, groups = recorder.record(check)
    assert set(deps) == {"convex/f59.ts", LISTING, "convex/f0.ts"}  # the small context inline
    [outer_digest] = groups
    cache.save()
    members, nested = Cache(tmp_path / "salt").get_group(outer_digest)
    # outer lists its 30 files, the file list and the small context inline, and names inner
    assert len(members) == 32 and "convex/f0.ts" in members and len(nested) == 1
    assert len(Cache(tmp_path / "salt").get_group(nested[0])[0]) == 31
    files["convex/f3.ts"] = b"changed"  # inside the inner group only
    assert not hashes_of(files).still_good(deps, groups, Cache(tmp_path / "salt"))
    assert INLINE_MAX < 30


def test_forged_groups_are_not_believed_and_cycles_end(tmp_path: Path):
    files = project_files(3)
    hashes = hashes_of(files)
    cache = Cache(tmp_path / "salt")
    members = {path: hashes.of(path) for path in files}
    honest = group_digest(members, [])
    cache.put_group(honest, members, [])
    cache.put_group("0" * 32, members, [])  # content that does not match its name
    # Two groups that name each other can only be forged; checking them must still end.
    cache.put_group("a" * 32, members, ["b" * 32])
    cache.put_group("b" * 32, members, ["a" * 32])
    cache.put("x", Entry("", {}, {}))
    cache.save()
    fresh = Cache(tmp_path / "salt")
    assert hashes.still_good({}, [honest], fresh)
    assert not hashes.still_good({}, ["0" * 32], fresh)
    assert not hashes.still_good({}, ["a" * 32], fresh)
    assert not hashes.still_good({}, ["never-stored"], fresh)


def test_deps_survive_pickling_with_their_sharing(tmp_path: Path):
    """A -j child hands its facts' Deps back pickled: the same files, parts and groups, and a
    part two Deps share is still one object (the recorder walks each part once)."""
    shared = Deps(frozenset({"convex/a.ts", LISTING}))
    outer = Deps(frozenset({"convex/b.ts"}), (shared, Deps(frozenset(), (shared,))), ("g1",))
    copy = pickle.loads(pickle.dumps(outer, pickle.HIGHEST_PROTOCOL))
    assert copy.files == outer.files and copy.groups == ("g1",)
    first, second = copy.parts
    assert first.files == shared.files and first.context
    assert second.parts[0] is first  # shared, not duplicated


def test_a_check_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path):
    from mutlint.config import Config
    from mutlint.engine import check
    from mutlint.project import Project
    from mutlint.rules.pack import builtin_rules_dir, load_rules
    from mutlint.selection import build_rule_set

    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "a.ts").write_text("export const x = 1;\n", encoding="utf-8")
    rule_set = build_rule_set(load_rules([builtin_rules_dir()]), Config())
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            check(Project(root=tmp_path, convex_dir="convex"), [tmp_path / "convex" / "a.ts"], rule_set)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
