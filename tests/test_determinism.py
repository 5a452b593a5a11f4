"""The JSON report is byte-for-byte reproducible, and fingerprints survive unrelated edits."""

from __future__ import annotations

import json

from conftest import MUTATION_HEADER, MakeProject, RunMutlint, mutation_source

RULE_ID = "unawaited-convex-write"

FILE_A = (MUTATION_HEADER + "\n"
          + mutation_source("one", '    ctx.db.patch(id, {});\n    ctx.db.insert("t", {});')
          + "\n"
          # the same call twice: fingerprints must still differ (occurrence number)
          + mutation_source("two", "    ctx.db.patch(id, {});\n    ctx.db.patch(id, {});"))
FILE_B = (MUTATION_HEADER + "\n"
          + mutation_source("three", "    // mutlint-disable-next-line no-such-rule\n"
                                     "    void ctx.db.delete(id);"))
FILES: dict[str, str | bytes] = {"convex/a.ts": FILE_A, "convex/b.ts": FILE_B}


def test_two_runs_are_byte_identical(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project(FILES)
    first = run_mutlint("check", ".", "--format", "json", cwd=root)
    second = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert first[0] == 1
    assert first == second
    report = json.loads(first[1])
    assert len(report["findings"]) == 6  # 4 in a.ts; unused note + delete in b.ts
    assert report["summary"]["files"] == 2


def test_path_order_does_not_matter(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project(FILES)
    forward = run_mutlint("check", "convex/a.ts", "convex/b.ts", "--format", "json", cwd=root)
    backward = run_mutlint("check", "convex/b.ts", "convex/a.ts", "--format", "json", cwd=root)
    assert forward[0] == backward[0] == 1
    assert forward[1] == backward[1]
    assert forward[2] == backward[2] == ""
    paths = [f["path"] for f in json.loads(forward[1])["findings"]]
    assert paths == sorted(paths) and set(paths) == {"convex/a.ts", "convex/b.ts"}


def test_text_report_path_order_does_not_matter(run_mutlint: RunMutlint,
                                                make_project: MakeProject):
    root = make_project(FILES)
    forward = run_mutlint("check", "convex/a.ts", "convex/b.ts", cwd=root)
    backward = run_mutlint("check", "convex/b.ts", "convex/a.ts", cwd=root)
    assert forward == backward
    assert forward[0] == 1
    assert forward[1].splitlines()[0].startswith("convex/a.ts:6:5: error[unawaited-convex-write]")


def test_fingerprints_survive_lines_inserted_above(run_mutlint: RunMutlint,
                                                   make_project: MakeProject):
    root = make_project(FILES)
    code, before_text, _ = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert code == 1
    before = json.loads(before_text)["findings"]

    inserted = "// a new header comment\n\nconst unrelated = 42;\n\n"
    (root / "convex/a.ts").write_text(inserted + FILE_A, encoding="utf-8")
    code, after_text, _ = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert code == 1
    after = json.loads(after_text)["findings"]

    assert len(after) == len(before) == 6
    fingerprints = [f["fingerprint"] for f in before]
    assert len(set(fingerprints)) == len(fingerprints)  # identical calls still differ
    assert [f["fingerprint"] for f in after] == fingerprints
    shift = inserted.count("\n")
    for old, new in zip(before, after, strict=True):
        assert (old["rule"], old["path"]) == (new["rule"], new["path"])
        expected = old["start"]["line"] + (shift if old["path"] == "convex/a.ts" else 0)
        assert new["start"]["line"] == expected
    assert any(f["path"] == "convex/a.ts" for f in before)


def test_fingerprint_changes_when_the_code_changes(run_mutlint: RunMutlint,
                                                   make_project: MakeProject):
    root = make_project({"convex/a.ts": FILE_A})
    _, before_text, _ = run_mutlint("check", ".", "--format", "json", cwd=root)
    (root / "convex/a.ts").write_text(FILE_A.replace('insert("t"', 'insert("u"'),
                                      encoding="utf-8")
    _, after_text, _ = run_mutlint("check", ".", "--format", "json", cwd=root)
    before = {f["start"]["line"]: f["fingerprint"] for f in json.loads(before_text)["findings"]}
    after = {f["start"]["line"]: f["fingerprint"] for f in json.loads(after_text)["findings"]}
    assert before.keys() == after.keys() == {6, 7, 14, 15}
    assert [line for line in before if before[line] != after[line]] == [7]
