"""The cache's file index: a file whose stat is unchanged is not read again, and any sign of a
change (content, size, times, a file replaced), a stat too young to trust, or a broken index
sends mutlint back to the bytes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import MakeProject, mutation_source

from mutlint import source
from mutlint.cli import main
from mutlint.file_index import INDEX_PREFIX, index_shard_of

DAY_NS = 86_400 * 1_000_000_000
UNAWAITED = 'import { mutation } from "./_generated/server";\n' + mutation_source(
    "add", '    ctx.db.insert("events", { at: 1 });')


def age(root: Path) -> None:
    """Files as a checkout has them: written long before the run (the index distrusts a stat
    younger than two seconds; ctime cannot be set back, so the clock is moved instead)."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(time.time_ns() - DAY_NS, time.time_ns() - DAY_NS))



@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files mutlint reads, in order."""
    seen: list[str] = []
    real = source.load_bytes

    def counting(path, **options):
        seen.append(Path(path).name)
        return real(path, **options)

    monkeypatch.setattr(source, "load_bytes", counting)
    return seen


def check(capsys, root: Path, *extra: str) -> tuple[str, str]:
    code = main(["check", str(root), "--format", "json", *extra])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return out, err


def project(make_project: MakeProject) -> Path:
    root = make_project({
        "convex/events.ts": UNAWAITED,
        "app/page.tsx": "export default function Page() { return <div>hello</div>; }\n",
        "lib/format.ts": "export const format = (n: number) => n.toFixed(2);\n",
    })
    age(root)
    return root


def test_a_warm_run_reads_no_file_whose_stat_is_unchanged(capsys, make_project, later, reads):
    root = project(make_project)
    first, _ = check(capsys, root)
    assert sorted(reads) == ["events.ts", "format.ts", "page.tsx"]
    reads.clear()
    warm, _ = check(capsys, root)
    assert reads == [] and warm == first
    assert json.loads(warm)["findings"], "the unawaited insert is still reported"


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(capsys, make_project, later):
    root = project(make_project)
    check(capsys, root)
    path = root / "convex/events.ts"
    before = path.stat()
    path.write_text(UNAWAITED.replace("ctx.db.insert", "ctx.xb.insert"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime moves on
    assert path.stat().st_size == before.st_size
    warm, _ = check(capsys, root)
    assert warm == check(capsys, root, "--no-cache")[0]
    assert json.loads(warm)["findings"] == []


def test_a_file_replaced_by_another_of_the_same_stat_is_read(capsys, make_project, later):
    root = project(make_project)
    check(capsys, root)
    path = root / "convex/events.ts"
    before = path.stat()
    replacement = root / "replacement.ts"
    replacement.write_text(UNAWAITED.replace("ctx.db.insert", "ctx.xb.insert"), encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, path)  # a new inode under the old name
    warm, _ = check(capsys, root)
    assert json.loads(warm)["findings"] == [], "the edited file was read"


def test_a_stat_younger_than_two_seconds_is_not_kept(capsys, make_project, reads):
    root = make_project({"convex/events.ts": UNAWAITED})  # just written, the real clock
    check(capsys, root)
    reads.clear()
    check(capsys, root)
    assert reads == ["events.ts"]


@pytest.mark.parametrize("garbage", [
    "not json", "[]", '{"convex/events.ts": "x"}', '{"convex/events.ts": [1, 2, 3, 4, 5, 6]}',
    '{"convex/events.ts": [0, 0, 0, 0, "h", [true, 7]]}',
])
def test_a_broken_index_is_ignored(capsys, make_project, later, garbage: str):
    root = project(make_project)
    expected, _ = check(capsys, root)
    shards = list((root / ".mutlint_cache").glob(f"*/{INDEX_PREFIX}*.json"))
    assert shards
    for index in shards:
        index.write_text(garbage, encoding="utf-8")
    assert check(capsys, root)[0] == expected


def test_a_forged_verdict_names_rules_that_do_not_exist(capsys, make_project, later, reads):
    root = project(make_project)
    expected, _ = check(capsys, root)
    [index] = (root / ".mutlint_cache").glob(f"*/{INDEX_PREFIX}{index_shard_of('convex/events.ts'):02x}.json")
    entries = json.loads(index.read_text(encoding="utf-8"))
    entries["convex/events.ts"][5] = [True, "no-such-rule"]
    index.write_text(json.dumps(entries), encoding="utf-8")
    reads.clear()
    assert check(capsys, root)[0] == expected
    assert "events.ts" in reads  # judged again from its bytes


def test_an_unreadable_file_is_skipped_again_with_the_same_message(capsys, make_project, later,
                                                                   reads):
    root = project(make_project)
    (root / "convex/blob.ts").write_bytes(b"\0\1\2 binary")
    age(root)
    _, first_err = check(capsys, root, "--no-cache")
    check(capsys, root)
    reads.clear()
    _, warm_err = check(capsys, root)
    assert "blob.ts: skipped: binary file" in warm_err and warm_err == first_err
    assert reads == []


def _old_stat(path: Path) -> os.stat_result:
    path.write_text("x")
    return path.stat()  # old enough with the `later` clock


def _saved(directory: Path) -> dict:
    """Every entry of the index's shards in `directory`."""
    return {relpath: entry for shard in directory.glob(f"{INDEX_PREFIX}*.json")
            for relpath, entry in json.loads(shard.read_text()).items()}


def test_a_save_merges_what_another_run_wrote_meanwhile(tmp_path: Path, later) -> None:
    from mutlint.cache import write_atomically
    from mutlint.file_index import FileIndex

    first, second = FileIndex(tmp_path), FileIndex(tmp_path)
    a, b = _old_stat(tmp_path / "a.ts"), _old_stat(tmp_path / "b.ts")
    assert first.lookup("a.ts", a) is None  # read (no file yet)
    second.record("b.ts", b, "hash-b", [True])
    second.save(write_atomically)
    first.record("a.ts", a, "hash-a", [True])
    first.save(write_atomically)
    assert sorted(_saved(tmp_path)) == ["a.ts", "b.ts"]


def test_a_save_does_not_read_again_the_index_it_read(tmp_path: Path, monkeypatch, later) -> None:
    """A pre-commit run on a 10,000-file project read the index's 10,000 entries twice."""
    from mutlint import file_index
    from mutlint.cache import write_atomically

    assert index_shard_of("ab.ts") == index_shard_of("ba.ts")  # one shard for both
    a, b = _old_stat(tmp_path / "ab.ts"), _old_stat(tmp_path / "ba.ts")
    earlier = file_index.FileIndex(tmp_path)
    earlier.record("ab.ts", a, "hash-a", [True])
    earlier.save(write_atomically)
    loads: list[int] = []
    real = file_index.json_codec.loads
    monkeypatch.setattr(file_index.json_codec, "loads", lambda text: loads.append(1) or real(text))
    index = file_index.FileIndex(tmp_path)
    assert index.lookup("ab.ts", a) == ("hash-a", [True])
    index.record("ba.ts", b, "hash-b", [False])
    index.save(write_atomically)
    assert len(loads) == 1
    assert sorted(_saved(tmp_path)) == ["ab.ts", "ba.ts"]


def test_a_run_reads_and_writes_only_the_shards_of_the_files_it_looks_up(tmp_path: Path, later) -> None:
    """Entries are spread over the shards; a lookup reads one, and a save writes those with
    new entries, leaving the others as they were."""
    from mutlint.cache import write_atomically
    from mutlint.file_index import INDEX_SHARDS, FileIndex

    names = [f"app/p{number}/page.tsx" for number in range(200)]
    status = _old_stat(tmp_path / "x.ts")
    full = FileIndex(tmp_path)
    for name in names:
        full.record(name, status, f"hash-{name}", [False])
    full.save(write_atomically)
    shards = sorted(tmp_path.glob(f"{INDEX_PREFIX}*.json"))
    assert len(shards) == INDEX_SHARDS  # 200 paths reach every shard
    before = {shard.name: shard.stat().st_ino for shard in shards}
    one = FileIndex(tmp_path)
    assert one.lookup(names[7], status) == (f"hash-{names[7]}", [False])
    assert list(one._shards) == [index_shard_of(names[7])]
    one.record(names[7], status, "hash-new", [True])
    one.save(write_atomically)
    changed = sorted(name for name, inode in before.items()
                     if (tmp_path / name).stat().st_ino != inode)
    assert changed == [f"{INDEX_PREFIX}{index_shard_of(names[7]):02x}.json"]
    assert FileIndex(tmp_path).lookup(names[7], status) == ("hash-new", [True])
    assert FileIndex(tmp_path).lookup(names[8], status) == (f"hash-{names[8]}", [False])
