"""Byte facts (byte_facts.py): what a file's bytes say, worked out by the process that read
them. With -j, the parent's checks that ask them (the table-volume estimate asks every client
file whether it may call a mutation) do not read a client file a child read."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import report_in_process

from mutlint import source
from mutlint.convex.flows import MAY_CALL_MUTATIONS
from mutlint.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


def test_no_client_file_is_read_by_two_processes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    root = tmp_path / "app"
    generate(root, 400, seed=3)
    log = tmp_path / "reads.log"
    read_all = source._read_all

    def logged(path, size):  # forked children inherit it; each appends its own lines
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {Path(path).relative_to(root).as_posix()}\n")
        return read_all(path, size)

    monkeypatch.setattr(source, "_read_all", logged)
    report = report_in_process(["check", str(root), "--no-cache", "-j", "2"])
    readers: dict[str, set[str]] = defaultdict(set)
    for line in log.read_text().splitlines():
        pid, relpath = line.split(" ", 1)
        readers[relpath].add(pid)
    assert len({pid for pids in readers.values() for pid in pids}) == 2  # it did fork
    assert len(readers) == 400
    twice = [relpath for relpath, pids in readers.items() if len(pids) > 1]
    # The functions dir's files a page's facts resolve are read where the page is checked;
    # every client file is read once, by the process its check was dealt to.
    assert not [relpath for relpath in twice if not relpath.startswith("convex/")]
    monkeypatch.undo()
    assert report["findings"] == report_in_process(["check", str(root), "--no-cache", "-j", "1"])["findings"]


def _project(root: Path) -> Project:
    return Project(root, "convex", sources_found={"app/page.tsx": "tsx", "app/quiet.tsx": "tsx"})


def test_a_noted_file_is_not_read_again_and_is_still_a_dependency(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "page.tsx").write_text("const run = useMutation(api.m.go);\n")
    (tmp_path / "app" / "quiet.tsx").write_text("export const x = 1;\n")
    child = _project(tmp_path)
    for relpath in ("app/page.tsx", "app/quiet.tsx"):
        child.raw(relpath)
        child.note_bytes(relpath)
    parent = _project(tmp_path)
    parent.adopt(child.lasting_facts())
    (tmp_path / "app" / "quiet.tsx").unlink()  # were it read again, it would be unreadable
    value, deps = parent.reads_of(lambda: parent.byte_fact(MAY_CALL_MUTATIONS, "app/quiet.tsx"))
    assert value is False and deps.files == {"app/quiet.tsx"}
    assert parent.byte_fact(MAY_CALL_MUTATIONS, "app/page.tsx") is True
    assert "app/quiet.tsx" not in parent.unreadable


def test_a_file_not_noted_is_read(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "page.tsx").write_text("const run = useMutation(api.m.go);\n")
    project = _project(tmp_path)
    assert project.byte_fact(MAY_CALL_MUTATIONS, "app/page.tsx") is True
    assert project.byte_fact(MAY_CALL_MUTATIONS, "app/quiet.tsx") is None  # no such file
    project.note_bytes("app/quiet.tsx")  # nothing read, nothing noted
    assert project.lasting_facts() == {}


def test_byte_facts_are_asked_of_client_files_only(tmp_path: Path):
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "m.ts").write_text("export const go = mutation({});\n")
    project = Project(tmp_path, "convex", sources_found={"convex/m.ts": "ts"})
    project.raw("convex/m.ts")
    project.note_bytes("convex/m.ts")
    assert project.lasting_facts() == {}
