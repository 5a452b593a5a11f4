"""FactSpec.dismisses: a candidate a required fact surely has no value for is not matched
against the rule at all, and the findings are those the rule's full evaluation gives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import MakeProject

from mutlint import facts
from mutlint.cli import main

RULE_HEAD = "severity: warning\nmessage: m\ndescription: |\n  ## What it finds\n  x\n"
CODE = ('export function page() {\n'
        '  keepA();\n'
        '  dropB();\n'
        '  wrap(keepC());\n'
        '}\n')


@pytest.fixture
def kept_calls():
    """A fact of calls whose callee's name starts with `keep`, which also dismisses the
    others; it records the nodes it was computed and asked to dismiss on."""
    computed: list[str] = []

    def callee(file, node) -> str:
        function = node.child_by_field_name("function") if node.type == "call_expression" else None
        return file.text(function) if function is not None else ""

    def compute(project, file, node):
        computed.append(file.text(node))
        name = callee(file, node)
        return {"name": name} if name.startswith("keep") else None

    def dismisses(project, file):
        return lambda node: not callee(file, node).startswith("keep")

    facts.register_fact(facts.FactSpec("test-kept-call", "calls of keep*", ("name",), "name",
                                       compute, dismisses=dismisses))
    yield computed
    facts.FACTS.pop("test-kept-call", None)


def _check(root: Path, capsys) -> list[tuple[int, str]]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(["check", ".", "--rules", "rules", "--select", "kept", "--format", "json",
                     "--no-cache", "--fail-on", "never"])
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    assert code == 0, err
    return [(f["start"]["line"], f["message"]) for f in json.loads(out)["findings"]]


def _project(make_project: MakeProject, facts_yaml: str, pattern: str = "$F($$$A)") -> Path:
    return make_project({"src/page.ts": CODE,
                         "rules/kept.yaml": f"id: kept\n{RULE_HEAD}rule:\n  pattern: {pattern}\n"
                                            f"facts:\n{facts_yaml}"})


def test_dismissed_candidates_are_not_matched_and_the_findings_stay(capsys, make_project, kept_calls):
    root = _project(make_project, "  K:\n    fact: test-kept-call\n")
    assert _check(root, capsys) == [(2, "m"), (4, "m")]
    # Only the calls of keep* got as far as the fact: dropB() and wrap(...) were dismissed
    # before the rule's evaluation, which would have asked the fact of them too.
    assert sorted(kept_calls) == ["keepA()", "keepC()"]


def test_a_fact_required_absent_is_never_used_to_dismiss(capsys, make_project, kept_calls):
    # A node the fact has no value for is just what `absent` asks for: dismissing it would
    # lose these findings.
    root = _project(make_project, "  K:\n    fact: test-kept-call\n    absent: true\n")
    assert _check(root, capsys) == [(3, "m"), (4, "m")]
    assert sorted(kept_calls) == ["dropB()", "keepA()", "keepC()", "wrap(keepC())"]


def test_a_fact_of_a_metavariable_is_never_used_to_dismiss(capsys, make_project, kept_calls):
    # The fact is about $X, not the matched wrap(...) call, which it would dismiss.
    root = _project(make_project, "  K:\n    fact: test-kept-call\n    of: $X\n", pattern="wrap($X)")
    assert _check(root, capsys) == [(4, "m")]
    assert kept_calls == ["keepC()"]
