"""Constraints checked by the query pass itself: fewer hits, never other findings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mutlint.rules.loader import load_rule_file
from mutlint.rules.plan import QueryPlan
from mutlint.rules.pushdown import checkable_in_query
from mutlint.source import parse_source

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

RULE = """id: runs
severity: warning
message: run
languages: [typescript]
description: |
  What it does: finds runs.
rule:
  pattern: $CTX.$RUN($$$ARGS)
constraints:
  RUN:
    {kind}: {regex}
"""
CODE = b"ctx.runMutation(a);\nctx.other(b);\nctx.runAction(c);\nctx.runMutationLater(d);\n"


@pytest.mark.parametrize("text", [r"^patch$", r"^(insert|patch|replace|delete)$",
                                  r"^(?:runAfter|runAt)$", r"^[A-Za-z0-9_$]+$", r"^[a-z_]*$"])
def test_word_lists_and_one_repeated_class_are_checked_in_the_query(text: str) -> None:
    assert checkable_in_query(text)


@pytest.mark.parametrize("text", [r"^(a+)+$", r"^a|b$", r"(insert|patch)", r"^(a|b)c$",
                                  r"^\w*\w*$", r"^[^.]+$", r"patch", r"^(a|b)$x",
                                  # re and regex differ on \w and \d; re rejects [\w-.]
                                  r"^[\w$]+$", r"^\w+$", r"^\d+$", r"^[\w-.]+$", r"^[.-z]+$"])
def test_anything_that_could_backtrack_or_is_unanchored_stays_in_python(text: str) -> None:
    assert not checkable_in_query(text)


def _hits(tmp_path: Path, kind: str, regex: str) -> tuple[str, list[str]]:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(RULE.format(kind=kind, regex=regex), encoding="utf-8")
    rule = load_rule_file(path)
    atom = rule.atoms[0]
    plan = QueryPlan("typescript", [atom])
    file = parse_source(CODE, tmp_path / "a.ts", "a.ts", "typescript")
    hits = plan.run(file).hits.get(atom.id)
    texts = [file.text(node) for node in hits.nodes] if hits else []
    return atom.by_language["typescript"].source, texts


def test_a_safe_regex_leaves_only_the_calls_it_allows(tmp_path: Path) -> None:
    source, texts = _hits(tmp_path, "regex", "^(runMutation|runAction)$")
    assert "#match? @RUN" in source
    assert texts == ["ctx.runMutation(a)", "ctx.runAction(c)"]
    source, texts = _hits(tmp_path, "not-regex", "^(runMutation|runAction)$")
    assert "#not-match? @RUN" in source
    assert texts == ["ctx.other(b)", "ctx.runMutationLater(d)"]


def test_an_unsafe_regex_is_not_pushed_and_the_query_returns_every_call(tmp_path: Path) -> None:
    source, texts = _hits(tmp_path, "regex", "^(run(Mutation|Action))+$")
    assert "#match?" not in source
    assert len(texts) == 4  # the evaluator applies the constraint, under its time limit


def _report(root: Path, *, pushdown: bool) -> str:
    prelude = "" if pushdown else "import mutlint.rules.loader as l; l.push_down = lambda *a: None; "
    code = (f"{prelude}import sys; from mutlint.cli import main; "
            "sys.exit(main(['check', '.', '--no-cache', '--format', 'json', '--fail-on', 'never']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("project", ["example", "generated"])
def test_the_built_in_rules_find_the_same_with_and_without_it(tmp_path: Path, project: str) -> None:
    root = REPO / "examples" / "onboarding-app"
    if project == "generated":
        root = tmp_path / "generated"
        generate(root, 200, seed=7)
    with_it, without_it = _report(root, pushdown=True), _report(root, pushdown=False)
    assert '"rule": ' in with_it
    assert with_it == without_it


def test_a_name_with_one_unsafe_regex_keeps_its_check_in_python(tmp_path: Path, run_mutlint,
                                                                  make_project) -> None:
    both = "^[A-Za-z$]+$\n    not-regex: ^run(Mutation|Action)+$"
    source, texts = _hits(tmp_path, "regex", both)
    assert "#match? @RUN" in source and "#not-match?" not in source
    assert len(texts) == 4
    rule = tmp_path / "rules" / "runs.yaml"
    rule.parent.mkdir()
    rule.write_text(RULE.format(kind="regex", regex=both), encoding="utf-8")
    root = make_project({"convex/a.ts": CODE.decode()})
    code, out, err = run_mutlint("check", "convex/a.ts", "--no-cache", "--rules", str(rule.parent),
                                 "--select", "runs", "--format", "json", cwd=root)
    assert code == 1, err
    found = sorted(f["start"]["line"] for f in json.loads(out)["findings"])
    assert found == [2, 4]  # ctx.other and ctx.runMutationLater: not-regex still applied
