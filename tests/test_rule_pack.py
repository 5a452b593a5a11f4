"""The shipped rule pack: every rule compiles, has cases both ways, passes its own tests,
and is inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tree_sitter

from mutlint.regex_guard import DeferredRegex, WordList
from mutlint.rules.loader import load_rule_file
from mutlint.rules.pack import builtin_rules_dir, load_rules, rule_files_in
from mutlint.rules.query_text import capture_names
from mutlint.ruletest import Expectations, read_annotations
from mutlint.schema_check import schema_diagnostics
from mutlint.source import ts_language
from mutlint.yamldoc import load_yaml_file

REPO = Path(__file__).resolve().parent.parent
RULES = load_rules([REPO / "rules"])


def test_the_pack_is_found_from_a_checkout():
    assert builtin_rules_dir().resolve() == (REPO / "rules").resolve()
    assert len(RULES) >= 2


@pytest.mark.parametrize("path", rule_files_in(REPO / "rules"), ids=lambda p: p.stem)
def test_rule_files_pass_the_schema(path: Path):
    """Runs skip the schema check for the shipped pack (it is done here, once)."""
    assert schema_diagnostics(load_yaml_file(path), "mutlint.rules", "rule.schema.json") == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_queries_compile_with_tree_sitter(rule):
    for language in rule.languages:
        for atom in rule.atoms:
            query = tree_sitter.Query(ts_language(language), atom.by_language[language].source)
            assert query.pattern_count >= 1


def _regexes(rule) -> list:
    """Every regex of a rule: constraints, then `regex:` filters of the rule tree."""
    found = [r for c in rule.constraints.values() for r in (c.regex, c.not_regex)]
    nodes = [rule.match]
    while nodes:
        node = nodes.pop()
        found.append(node.regex)
        nodes.extend([*node.all, *node.any, *(n for n in (node.not_,) if n)])
        nodes.extend(r.rule for r in (node.inside, node.has) if r)
        nodes.extend(r.stop_by for r in (node.inside, node.has) if r and not isinstance(r.stop_by, str))
    return [r for r in found if r is not None]


def _atoms(rule) -> list:
    return [(atom.kind, atom.text, {language: (q.source, q.root_capture, q.metavariables,
                                               q.multi_metavariables, sorted(q.checked_in_query))
                                    for language, q in atom.by_language.items()})
            for atom in rule.atoms]


@pytest.mark.parametrize("path", rule_files_in(REPO / "rules"), ids=lambda p: p.stem)
def test_the_pack_loads_the_same_as_a_user_rule_would(path: Path):
    """A run leaves the pack's queries and regexes uncompiled (trusted; a list of words needs
    no compile either way); checked as a user's rule file is, each compiles and yields the
    same rule."""
    trusted, checked = load_rule_file(path, trusted=True), load_rule_file(path)
    assert _atoms(trusted) == _atoms(checked)
    assert [r.pattern for r in _regexes(trusted)] == [r.pattern for r in _regexes(checked)]
    assert all(type(r) in (DeferredRegex, WordList) for r in _regexes(trusted))
    assert not any(type(r) is DeferredRegex for r in _regexes(checked))


@pytest.mark.parametrize("query, names", [
    ('((call_expression function: (identifier) @F) @match (#eq? @F "a@B"))', ["F", "match"]),
    ('; a comment @NOT\n((identifier) @X.y-z) @match', ["X.y-z", "match"]),
    ('((string) @S (#match? @S "\\"@Q"))', ["S"]),
    ('((identifier) @FOOé) @match', ["FOOé", "match"]),
])
def test_capture_names_skip_strings_and_comments_as_tree_sitter_does(query: str, names: list[str]):
    compiled = tree_sitter.Query(ts_language("typescript"), query)
    assert capture_names(query) == names
    assert sorted(compiled.capture_name(i) for i in range(compiled.capture_count)) == sorted(names)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_positive_and_near_miss_cases(rule):
    case_dir = REPO / "rules" / rule.id
    expectations = Expectations()
    for path in sorted(case_dir.rglob("*")):
        if path.suffix in (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts"):
            read_annotations(path, path.relative_to(case_dir).as_posix(), expectations)
    assert any(r == rule.id for _, _, r in expectations.must), "no `ruleid:` case"
    assert any(r == rule.id for _, _, r in expectations.must_not), "no `ok:` case"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_description_has_the_four_sections(rule):
    for heading in ("## What it finds", "## Why it matters", "## Example", "## Instead"):
        assert heading in rule.description, heading


def test_mutlint_test_passes_on_the_pack():
    done = subprocess.run([sys.executable, "-m", "mutlint", "test", str(REPO / "rules")],
                          capture_output=True, text=True, cwd=REPO)
    last = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout + done.stderr
    passed, failed = (int(part.split()[0]) for part in last.split(", "))
    assert failed == 0 and passed >= 20


def test_explain_prints_description_and_query():
    done = subprocess.run([sys.executable, "-m", "mutlint", "explain", "unawaited-convex-write"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0
    assert "## Why it matters" in done.stdout
    assert '(#eq? @_l1 "db")' in done.stdout


def test_rules_lists_the_pack_as_json():
    import json

    done = subprocess.run([sys.executable, "-m", "mutlint", "rules", "--format", "json"],
                          capture_output=True, text=True, cwd=REPO)
    ids = {r["id"] for r in json.loads(done.stdout)}
    assert {"unawaited-convex-write", "full-table-read-in-mutation", "parse-error"} <= ids


def test_wheel_contains_the_rule_pack(tmp_path):
    """Build a wheel, install it without dependencies into a target dir, and run it from
    there: the installed mutlint must find its rules without the checkout."""
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheel_dir), str(REPO)], check=True, capture_output=True)
    wheel = next(wheel_dir.glob("mutlint-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import mutlint; print(mutlint.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert where.stdout.strip().startswith(str(target))
    listed = subprocess.run([sys.executable, "-m", "mutlint", "rules"], capture_output=True,
                            text=True, env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for rule in RULES:
        assert rule.id in listed.stdout
    assert (target / "mutlint" / "_builtin_rules" / "unawaited-convex-write.yaml").is_file()
