"""Atoms alike but for their pushed-down constraints share one pattern of the rules' query
(mutlint/rules/shared_patterns.py). The shared-* fixture rules (tests/fixtures/rule-language)
pin what each still finds; here, what the query holds."""

from __future__ import annotations

from pathlib import Path

from mutlint.rules.loader import load_rule_file
from mutlint.rules.plan import QueryPlan

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "rule-language"


def _plan(*names: str) -> tuple[QueryPlan, list]:
    rules = [load_rule_file(FIXTURES / f"{name}.yaml") for name in names]
    return QueryPlan("typescript", [a for r in rules for a in r.atoms]), rules


def test_two_regexes_on_one_metavariable_become_their_alternation():
    plan, rules = _plan("shared-get-set", "shared-set-put")
    assert plan.query.pattern_count == 1
    assert '(#match? @M "(?:^(get|set)$)|(?:^(set|put)$)")' in plan.source
    # The alternation admits more than either: each rule's evaluator tests its own regex.
    assert all(plan.applied[a.id] == frozenset() for r in rules for a in r.atoms)


def test_a_rule_without_the_test_leaves_the_shared_pattern_without_it():
    plan, rules = _plan("shared-get-set", "shared-set-put", "shared-not-del")
    assert plan.query.pattern_count == 1 and "#match?" not in plan.source
    assert "#not-match?" not in plan.source


def test_one_rule_keeps_its_pushed_constraint_and_trusts_it():
    plan, (rule,) = _plan("shared-get-set")
    assert '(#match? @M "^(get|set)$")' in plan.source
    assert plan.applied[rule.atoms[0].id] == frozenset({"M"})


def test_the_shipped_write_rules_share_their_db_write_patterns():
    rules = [load_rule_file(REPO / "rules" / f"{name}.yaml")
             for name in ("dual-doc-patch", "unawaited-convex-write")]
    plan = QueryPlan("typescript", [a for r in rules for a in r.atoms])
    shared = [members for members in plan.pattern_atoms if len(members) > 1]
    assert len(shared) == 2  # `$CTX.db.$WRITE(...)` and `db.$WRITE(...)`
    assert all({atom.rule_id for atom, _ in members} == {"dual-doc-patch", "unawaited-convex-write"}
               for members in shared)
