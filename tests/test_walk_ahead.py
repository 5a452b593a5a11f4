"""A file parsed for another file's facts before its own check (a mutation a page calls) is
walked once: its rules' walk runs as it is parsed, and carries the model's bundled queries that
those facts ask for (scan.py, walk_ahead), which would otherwise walk the tree by themselves."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import report_in_process

from mutlint.convex import syntax
from mutlint.rules.plan import QueryPlan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_file_is_walked_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str):
    project, log = tmp_path / "project", tmp_path / "walks.log"
    generate(project, 400, seed=3)
    run, keep = QueryPlan.run, syntax.keep_matches

    def note(kind: str, relpath: str) -> None:  # from every process: -j's children are forks
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{kind} {relpath} {os.getpid()}\n")

    monkeypatch.setattr(QueryPlan, "run", lambda plan, file: note("rules", file.relpath)
                        or run(plan, file))
    # syntax.query_matches keeps what the bundled queries found when they ran by themselves
    monkeypatch.setattr(syntax, "keep_matches", lambda file, found: note("alone", file.relpath)
                        or keep(file, found))
    report = report_in_process(["check", str(project), "--no-cache", "-j", jobs])
    monkeypatch.undo()
    walks: dict[str, dict[str, list[str]]] = {}  # process -> kind -> files, in walk order
    for kind, relpath, process in (line.split() for line in log.read_text(encoding="utf-8").splitlines()):
        walks.setdefault(process, {"rules": [], "alone": []})[kind].append(relpath)
    by_rules = [relpath for walked in walks.values() for relpath in walked["rules"]]
    # (a file no rule's token is in, such as the crons, is walked for the model alone)
    assert report["findings"] and len(set(by_rules)) > 50
    for process, walked in walks.items():
        assert len(set(walked["rules"])) == len(walked["rules"])  # each check is one walk
        # A file's rules' walk carries the bundled queries its facts ask for, so no process
        # walks one both ways; with -j, but for a check a child handed back because it needs
        # the whole model (a helper's, the schema's), which the parent parses and walks again.
        handed_back = {relpath for other, kinds in walks.items() if other != process
                       for relpath in kinds["rules"]}
        assert not (set(walked["rules"]) & set(walked["alone"])) - handed_back
    if jobs == "1":
        assert len(walks) == 1 and len(set(by_rules)) == len(by_rules)
    # The same facts, found by the walk that runs them by themselves (the pages' facts of a
    # check of the pages alone: none of the mutations they parse waits for its own check).
    pages = sorted(str(path) for path in (project / "app").rglob("*.tsx"))
    calls = [f for f in report["findings"] if f["path"].startswith("app/")]
    assert calls and report_in_process(["check", *pages, "--no-cache", "-j", "1"])["findings"] == calls
