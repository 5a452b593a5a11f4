"""A file parsed for another file's facts before its own check (a mutation a page calls) is
walked once: its rules' walk runs as it is parsed, and carries the model's bundled queries that
those facts ask for (scan.py, walk_ahead), which would otherwise walk the tree by themselves."""

from __future__ import annotations

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
    generate(tmp_path, 400, seed=3)
    by_rules, bundle_alone = [], []  # the files each kind of walk walked
    run, keep = QueryPlan.run, syntax.keep_matches
    monkeypatch.setattr(QueryPlan, "run", lambda plan, file: by_rules.append(file.relpath)
                        or run(plan, file))
    # syntax.query_matches keeps what the bundled queries found when they ran by themselves
    monkeypatch.setattr(syntax, "keep_matches", lambda file, found: bundle_alone.append(
        file.relpath) or keep(file, found))
    report = report_in_process(["check", str(tmp_path), "--no-cache", "-j", jobs])
    # (a file no rule's token is in, such as the crons, is walked for the model alone)
    assert report["findings"] and len(by_rules) > 50 and len(set(by_rules)) == len(by_rules)
    assert not set(by_rules) & set(bundle_alone)
    monkeypatch.undo()
    # The same facts, found by the walk that runs them by themselves (the pages' facts of a
    # check of the pages alone: none of the mutations they parse waits for its own check).
    pages = sorted(str(path) for path in (tmp_path / "app").rglob("*.tsx"))
    calls = [f for f in report["findings"] if f["path"].startswith("app/")]
    assert calls and report_in_process(["check", *pages, "--no-cache", "-j", "1"])["findings"] == calls
