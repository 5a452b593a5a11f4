"""SARIF output: valid against the official schema, clean under Microsoft's Multitool with
GitHub's rules, stable fingerprints, deterministic bytes, safe URIs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from app_sources import NOTES, RACY_PAGE
from conftest import MakeProject, RunMutlint
from sarif_tools import multitool_problems, sarif_schema

REPO = Path(__file__).resolve().parent.parent
RULE_CASES = sorted(p for p in (REPO / "rules").iterdir() if p.is_dir())


def sarif_of(run_mutlint: RunMutlint, root: Path, *extra: str) -> dict:
    code, out, err = run_mutlint("check", ".", "--format", "sarif", *extra, cwd=root)
    assert code in (0, 1), err
    return json.loads(out)


def assert_valid(log: dict, work: Path, name: str) -> None:
    jsonschema.validate(log, sarif_schema())
    path = work / f"{name}.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    assert multitool_problems(path, work) == []


def test_example_app_sarif_is_valid_for_github(run_mutlint: RunMutlint, tmp_path: Path):
    log = sarif_of(run_mutlint, REPO / "examples" / "onboarding-app")
    results = log["runs"][0]["results"]
    assert len(results) == 10
    assert_valid(log, tmp_path, "example")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")  # written even for "warning"
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        # The example lives inside this repository: URIs are relative to the repository.
        assert location["artifactLocation"]["uri"].startswith("examples/onboarding-app/")
        assert set(result["partialFingerprints"]) == {"mutlint/v1"}
    rule = next(r for r in rules if r["id"] == "parallel-mutations-same-doc")
    assert rule["name"] == "ParallelMutationsSameDoc"
    assert rule["defaultConfiguration"]["level"] == "warning"
    assert "## Why it matters" in rule["help"]["markdown"]
    assert rule["helpUri"].startswith("https://docs.convex.dev/")
    assert rule["properties"]["precision"] == "high"


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda p: p.name)
def test_every_rule_fixture_gives_valid_sarif(case: Path, run_mutlint: RunMutlint, tmp_path: Path):
    for extra in ((), ("--sarif-include-suppressed",)):
        log = sarif_of(run_mutlint, case, *extra)
        assert log["runs"][0]["results"], "the fixture should produce findings"
        assert_valid(log, tmp_path, case.name + "-".join(extra))


USER_RULES = REPO / "tests" / "fixtures" / "rule-language"
USER_CASES = sorted(p for p in USER_RULES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", USER_CASES, ids=lambda p: p.name)
def test_user_rule_fixtures_give_valid_sarif(case: Path, run_mutlint: RunMutlint, tmp_path: Path):
    log = sarif_of(run_mutlint, case, "--rules", str(USER_RULES), "--select", case.name)
    assert log["runs"][0]["results"], "the fixture should produce findings"
    assert_valid(log, tmp_path, case.name)


def test_suppressed_findings_are_left_out_unless_asked(run_mutlint: RunMutlint,
                                                       make_project: MakeProject, tmp_path: Path):
    page = RACY_PAGE.replace('    await save({ text: "b" });',
                             '    // mutlint-disable-next-line parallel-mutations-same-doc\n'
                             '    await save({ text: "b" });')
    root = make_project({"convex/notes.ts": NOTES, "app/page.tsx": page})
    assert sarif_of(run_mutlint, root)["runs"][0]["results"] == []
    kept = sarif_of(run_mutlint, root, "--sarif-include-suppressed")["runs"][0]["results"]
    assert [r["ruleId"] for r in kept] == ["parallel-mutations-same-doc"]
    assert kept[0]["suppressions"] == [{"kind": "inSource",
                                        "justification": "mutlint-disable-next-line"}]
    assert_valid(sarif_of(run_mutlint, root, "--sarif-include-suppressed"), tmp_path, "suppressed")


def test_fingerprints_survive_lines_inserted_above(run_mutlint: RunMutlint,
                                                   make_project: MakeProject):
    root = make_project({"convex/notes.ts": NOTES, "app/page.tsx": RACY_PAGE})
    before = sarif_of(run_mutlint, root)["runs"][0]["results"]
    (root / "app" / "page.tsx").write_text("// a comment\n// another\n\n" + RACY_PAGE, encoding="utf-8")
    after = sarif_of(run_mutlint, root)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in (before + after)]
    assert lines == [8, 11]  # page.tsx line 8, then 3 lines lower


def test_sarif_is_byte_identical_across_runs(run_mutlint: RunMutlint):
    root = REPO / "examples" / "onboarding-app"
    first = run_mutlint("check", ".", "--format", "sarif", cwd=root)[1]
    second = run_mutlint("check", ".", "--format", "sarif", cwd=root)[1]
    assert first == second


def test_awkward_file_names_become_valid_uris(run_mutlint: RunMutlint, make_project: MakeProject,
                                              tmp_path: Path):
    name = "app/my page 100% ü#1.tsx"
    root = make_project({"convex/notes.ts": NOTES, name: RACY_PAGE})
    log = sarif_of(run_mutlint, root)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "app/my%20page%20100%25%20%C3%BC%231.tsx"
    assert_valid(log, tmp_path, "names")


def test_skipped_files_are_tool_notifications(run_mutlint: RunMutlint, make_project: MakeProject,
                                              tmp_path: Path):
    """A skipped file could hide a finding: code scanning must be told, not only stderr."""
    root = make_project({"convex/notes.ts": NOTES, "app/page.tsx": RACY_PAGE,
                         "convex/latin1.ts": "// caf\xe9\n".encode("latin-1")})
    log = sarif_of(run_mutlint, root)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"].startswith("skipped: not valid UTF-8")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "convex/latin1.ts"
    assert_valid(log, tmp_path, "skipped")
    (root / "convex" / "latin1.ts").unlink()
    clean = sarif_of(run_mutlint, root)
    assert clean["runs"][0]["invocations"] == [{"executionSuccessful": True}]
