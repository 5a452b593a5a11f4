"""`.mutlint.yaml` levels and excludes, --select/--ignore/--fail-on, inline suppressions."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pathspec
import pytest
from conftest import MUTATION_HEADER, MakeProject, RunMutlint, mutation_source
from hypothesis import given, settings
from hypothesis import strategies as st

from mutlint.file_index import RACY_SECONDS
from mutlint.ignore_patterns import IgnoreSpec

RULE_ID = "unawaited-convex-write"
GOOD_FILE = MUTATION_HEADER + "\n" + mutation_source("f", "    ctx.db.patch(id, {});")


def lint_json(run_mutlint: RunMutlint, make_project: MakeProject, files: dict[str, str | bytes],
              *args: str) -> tuple[int, dict]:
    root = make_project(files)
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", *args, cwd=root)
    assert "Traceback" not in stderr, stderr
    assert stderr == "", stderr
    return code, json.loads(stdout)


def rules_and_lines(report: dict) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["start"]["line"]) for f in report["findings"]]


# -- config --------------------------------------------------------------------------------


def test_baseline_reports_the_finding(run_mutlint: RunMutlint, make_project: MakeProject):
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": GOOD_FILE})
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]
    assert report["findings"][0]["severity"] == "error"


def test_config_rule_off_quoted_silences_it(run_mutlint: RunMutlint, make_project: MakeProject):
    files = {"convex/a.ts": GOOD_FILE, ".mutlint.yaml": f'rules:\n  {RULE_ID}: "off"\n'}
    code, report = lint_json(run_mutlint, make_project, files)
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["files"] == 1


def test_config_rule_off_unquoted_silences_it(run_mutlint: RunMutlint,
                                              make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE,
                         ".mutlint.yaml": f"rules: {{{RULE_ID}: off}}\n"})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert "Traceback" not in stderr
    assert code == 0, stderr
    assert json.loads(stdout)["findings"] == []


def test_config_rule_note_changes_severity(run_mutlint: RunMutlint, make_project: MakeProject):
    files = {"convex/a.ts": GOOD_FILE, ".mutlint.yaml": f"rules: {{{RULE_ID}: note}}\n"}
    code, report = lint_json(run_mutlint, make_project, files)
    assert code == 0  # default --fail-on warning
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]
    assert report["findings"][0]["severity"] == "note"
    assert report["summary"]["by_severity"] == {"error": 0, "warning": 0, "note": 1}


def test_config_rule_note_fails_with_fail_on_note(run_mutlint: RunMutlint,
                                                  make_project: MakeProject):
    files = {"convex/a.ts": GOOD_FILE, ".mutlint.yaml": f"rules: {{{RULE_ID}: note}}\n"}
    code, report = lint_json(run_mutlint, make_project, files, "--fail-on", "note")
    assert code == 1
    assert report["findings"][0]["severity"] == "note"


def test_config_unknown_rule_id(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE, ".mutlint.yaml": "rules:\n  nope: note\n"})
    code, stdout, stderr = run_mutlint("check", ".", cwd=root)
    assert code == 2
    assert "Traceback" not in stderr
    assert stdout == ""
    assert stderr.strip() == ".mutlint.yaml:2:3: unknown rule id 'nope'"


def test_exclude_globs_skip_files(run_mutlint: RunMutlint, make_project: MakeProject):
    files = {
        "convex/a.ts": GOOD_FILE,
        "convex/legacy/old.ts": GOOD_FILE,
        "convex/b.ts": GOOD_FILE,
        ".mutlint.yaml": 'exclude:\n  - "convex/legacy/"\n  - "b.ts"\n',
    }
    code, report = lint_json(run_mutlint, make_project, files)
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]
    assert report["summary"]["files"] == 1


def test_exclude_applies_to_explicit_file_paths(run_mutlint: RunMutlint,
                                                make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE, ".mutlint.yaml": "exclude: [convex/a.ts]\n"})
    code, stdout, stderr = run_mutlint("check", "convex/a.ts", "--format", "json", cwd=root)
    assert code == 0
    assert stderr == ""
    report = json.loads(stdout)
    assert report["findings"] == [] and report["summary"]["files"] == 0


# -- command line --------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_select_or_ignore_unknown_id(run_mutlint: RunMutlint, make_project: MakeProject,
                                     option: str):
    root = make_project({"convex/a.ts": GOOD_FILE})
    code, stdout, stderr = run_mutlint("check", ".", option, f"{RULE_ID},nope", cwd=root)
    assert code == 2
    assert "Traceback" not in stderr
    assert stdout == ""
    [line] = stderr.splitlines()
    assert line.endswith(f"{option}: unknown rule id 'nope'"), line


def test_ignore_known_id(run_mutlint: RunMutlint, make_project: MakeProject):
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": GOOD_FILE},
                             "--ignore", RULE_ID)
    assert code == 0
    assert report["findings"] == []


def test_select_overrides_config_off(run_mutlint: RunMutlint, make_project: MakeProject):
    files = {"convex/a.ts": GOOD_FILE, ".mutlint.yaml": f'rules:\n  {RULE_ID}: "off"\n'}
    code, report = lint_json(run_mutlint, make_project, files, "--select", RULE_ID)
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]


def test_fail_on_never_exits_zero_with_findings(run_mutlint: RunMutlint,
                                                make_project: MakeProject):
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": GOOD_FILE},
                             "--fail-on", "never")
    assert code == 0
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]
    assert report["findings"][0]["severity"] == "error"


def test_fail_on_error_with_only_notes(run_mutlint: RunMutlint, make_project: MakeProject):
    files = {"convex/a.ts": GOOD_FILE, ".mutlint.yaml": f"rules: {{{RULE_ID}: warning}}\n"}
    code, report = lint_json(run_mutlint, make_project, files, "--fail-on", "error")
    assert code == 0
    assert report["findings"][0]["severity"] == "warning"


# -- suppression directives ----------------------------------------------------------------


def handler_file(body: str, top: str = "") -> str:
    return MUTATION_HEADER + top + "\n" + mutation_source("f", body)


def test_disable_next_line(run_mutlint: RunMutlint, make_project: MakeProject):
    body = (f"    // mutlint-disable-next-line {RULE_ID}\n"
            "    ctx.db.patch(id, {});\n"
            "    ctx.db.insert(\"t\", {});")
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)})
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 8)]  # only the insert
    assert report["summary"]["suppressed"] == 1


def test_disable_next_line_with_reason(run_mutlint: RunMutlint, make_project: MakeProject):
    body = (f"    // mutlint-disable-next-line {RULE_ID} -- fire and forget\n"
            "    ctx.db.patch(id, {});")
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)})
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["suppressed"] == 1


def test_disable_line(run_mutlint: RunMutlint, make_project: MakeProject):
    body = (f"    ctx.db.patch(id, {{}}); // mutlint-disable-line {RULE_ID}\n"
            "    ctx.db.insert(\"t\", {});")
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)})
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 7)]
    assert report["summary"]["suppressed"] == 1


def test_disable_file(run_mutlint: RunMutlint, make_project: MakeProject):
    body = "    ctx.db.patch(id, {});\n    ctx.db.insert(\"t\", {});"
    source = handler_file(body, top=f"// mutlint-disable-file {RULE_ID}\n")
    code, report = lint_json(run_mutlint, make_project,
                             {"convex/a.ts": source, "convex/b.ts": GOOD_FILE})
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/b.ts", 6)]  # the other file still
    assert report["summary"]["suppressed"] == 2


def test_directive_for_another_rule_does_not_suppress(run_mutlint: RunMutlint,
                                                      make_project: MakeProject):
    body = "    // mutlint-disable-next-line parse-error\n    ctx.db.patch(id, {});"
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)})
    assert code == 1
    assert rules_and_lines(report) == [("unused-suppression", "convex/a.ts", 6),
                                       (RULE_ID, "convex/a.ts", 7)]


def test_unused_directive_is_reported(run_mutlint: RunMutlint, make_project: MakeProject):
    body = f"    // mutlint-disable-next-line {RULE_ID}\n    await ctx.db.patch(id, {{}});"
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)})
    assert code == 0  # a note
    [finding] = report["findings"]
    assert (finding["rule"], finding["start"]["line"], finding["severity"]) == (
        "unused-suppression", 6, "note")
    assert "suppresses nothing" in finding["message"]
    assert RULE_ID in finding["message"]


def test_directive_naming_unknown_rule(run_mutlint: RunMutlint, make_project: MakeProject):
    body = "    // mutlint-disable-next-line no-such-rule\n    ctx.db.patch(id, {});"
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)})
    assert code == 1  # the real finding is not suppressed
    assert rules_and_lines(report) == [("unused-suppression", "convex/a.ts", 6),
                                       (RULE_ID, "convex/a.ts", 7)]
    note = report["findings"][0]
    assert note["severity"] == "note"
    assert "unknown rule 'no-such-rule'" in note["message"]


def test_unused_suppression_can_be_ignored(run_mutlint: RunMutlint, make_project: MakeProject):
    body = "    // mutlint-disable-next-line no-such-rule\n    await ctx.db.patch(id, {});"
    code, report = lint_json(run_mutlint, make_project, {"convex/a.ts": handler_file(body)},
                             "--ignore", "unused-suppression", "--fail-on", "note")
    assert code == 0
    assert report["findings"] == []


def test_a_missing_functions_dir_is_said_not_mistaken_for_a_clean_app(run_mutlint: RunMutlint,
                                                                        make_project: MakeProject):
    root = make_project({"src/component/counter.ts": "export const x = 1;\n"})
    code, out, err = run_mutlint("check", ".", cwd=root)
    assert code == 0 and "No findings" in out
    assert "convex: no Convex functions dir here" in err and "convex-dir" in err
    (root / ".mutlint.yaml").write_text("convex-dir: src/component\n", encoding="utf-8")
    code, out, err = run_mutlint("check", ".", cwd=root)
    assert code == 0 and err == ""


GLOB_PARTS = ["*", "**", "a", "b.ts", "node_modules", "!", "/", "?", "[ab]", ".d.ts", "x*", "\\#"]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.lists(st.sampled_from(GLOB_PARTS), min_size=1, max_size=4).map("".join),
                      max_size=6),
       paths=st.lists(st.lists(st.sampled_from(["a", "b.ts", "node_modules", "x.d.ts", "ab"]),
                               min_size=1, max_size=4).map("/".join), min_size=1, max_size=8))
def test_the_ignore_shortcut_answers_as_pathspec_does(lines: list[str], paths: list[str]):
    """IgnoreSpec skips pathspec when no pattern can match: never a different answer. A line
    that is no pattern (`!` alone, a trailing backslash) matches nothing, as in git."""
    reference = pathspec.GitIgnoreSpec.from_lines(line for line in lines if _compiles(line))
    spec = IgnoreSpec(lines)
    for path in paths:
        for candidate in (path, path + "/"):
            assert spec.match_file(candidate) == reference.match_file(candidate), (lines, candidate)


def _compiles(line: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


def test_an_exclude_that_is_no_pattern_is_a_config_error_with_its_line(
        run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE,
                         ".mutlint.yaml": 'exclude:\n  - "convex/legacy/"\n  - "!"\n'})
    code, stdout, stderr = run_mutlint("check", ".", cwd=root)
    assert code == 2 and stdout == ""
    assert stderr.startswith(".mutlint.yaml:3:5: '!' is not a valid gitignore-style pattern"), stderr
    assert "internal error" not in stderr and "Traceback" not in stderr


def test_gitignore_lines_git_would_not_take_match_nothing(run_mutlint: RunMutlint,
                                                         make_project: MakeProject):
    """A `.gitignore` is the repository's, not mutlint's: its other lines still apply."""
    files = {"convex/a.ts": GOOD_FILE, "convex/legacy/old.ts": GOOD_FILE,
             ".gitignore": "!\nconvex/legacy/\nbroken\\\n"}
    code, report = lint_json(run_mutlint, make_project, files)
    assert code == 1
    assert rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]


def test_a_file_an_earlier_walk_listed_is_checked_without_compiling_the_excludes(
        make_project: MakeProject):
    """A pre-commit run names files; one that the remembered walk listed passed the excludes,
    so they are not compiled (pathspec's import costs as much as the rest of start-up). An
    excluded file is still excluded, warm or not. (A config with excludes compiles its own
    when it is loaded, to say which one is wrong.)"""
    root = make_project({"convex/a.ts": GOOD_FILE, "dist/b.ts": GOOD_FILE})

    def run(*args: str) -> tuple[int, dict, str]:
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "mutlint", "check", *args,
                               "--format", "json"], cwd=root, capture_output=True, text=True)
        return done.returncode, json.loads(done.stdout), done.stderr

    code, report, imports = run(".")
    assert code == 1 and report["summary"]["files"] == 1
    assert " pathspec\n" in imports  # the walk compiles them
    time.sleep(RACY_SECONDS + 0.1)  # a walk in the same tick as a change is not remembered
    run(".")
    code, report, imports = run("convex/a.ts")
    assert code == 1 and rules_and_lines(report) == [(RULE_ID, "convex/a.ts", 6)]
    assert " pathspec\n" not in imports
    code, report, imports = run("dist/b.ts")
    assert code == 0 and report["summary"]["files"] == 0
    assert " pathspec\n" in imports  # not listed: its excludes are asked


def test_reordered_excludes_are_another_config_for_the_cache(make_project: MakeProject):
    """gitignore-style patterns weigh in order (a later `!x` undoes an earlier `x`), so the
    cache keys entries, and the remembered walk, by the excludes in their order: reordered,
    a warm run excludes what a cold one does, for a walk and for a file named on its own."""
    root = make_project({"convex/a.ts": GOOD_FILE, "src/skip1.tsx": GOOD_FILE,
                         "src/skip2.tsx": GOOD_FILE,
                         ".mutlint.yaml": 'exclude:\n  - "src/skip*.tsx"\n  - "!src/skip1.tsx"\n'})

    def files_checked(*args: str) -> int:
        done = subprocess.run([sys.executable, "-m", "mutlint", "check", *args, "--format", "json"],
                              cwd=root, capture_output=True, text=True)
        assert done.stderr == "", done.stderr
        return json.loads(done.stdout)["summary"]["files"]

    assert files_checked(".") == 2  # a.ts and skip1.tsx
    time.sleep(RACY_SECONDS + 0.1)
    assert files_checked(".") == 2  # the walk is remembered now
    (root / ".mutlint.yaml").write_text('exclude:\n  - "!src/skip1.tsx"\n  - "src/skip*.tsx"\n',
                                        encoding="utf-8")
    assert files_checked("src/skip1.tsx") == 0 == files_checked("src/skip1.tsx", "--no-cache")
    assert files_checked(".") == 1 == files_checked(".", "--no-cache")
