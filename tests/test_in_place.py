"""Kind atoms checked on the node in hand (mutlint/rules/in_place.py) are in no query; the
rest are. The fixture rule kind-checks (tests/fixtures/rule-language) pins what they match."""

from __future__ import annotations

from pathlib import Path

from mutlint.rules.loader import load_rule_file
from mutlint.rules.plan import QueryPlan

REPO = Path(__file__).resolve().parent.parent


def _kinds(rule) -> dict[str, str | None]:
    return {atom.text: atom.in_place_type for atom in rule.atoms if atom.kind == "kind"}


def test_only_kinds_no_search_draws_from_and_nodes_carry_are_checked_in_place():
    rule = load_rule_file(REPO / "tests/fixtures/rule-language/kind-checks.yaml")
    assert _kinds(rule) == {"expression_statement": "expression_statement",
                            "expression": None,  # a hidden supertype: its nodes are subtypes
                            "arrow_function": None,  # `has` searches among its matches
                            "await_expression": "await_expression"}
    plan = QueryPlan("typescript", [a for a in rule.atoms if a.in_place_type is None])
    assert "expression_statement" not in plan.source and "(expression)" in plan.source


def test_a_kind_the_candidates_come_from_stays_in_the_query():
    rule = load_rule_file(REPO / "tests/fixtures/rule-language/await-in-loop-body.yaml")
    # for_in_statement gives the candidates; each `has` searches the matches of its kind.
    assert set(_kinds(rule).values()) == {None}


def test_the_shipped_unawaited_write_rule_asks_its_statement_in_place():
    rule = load_rule_file(REPO / "rules/unawaited-convex-write.yaml")
    assert _kinds(rule) == {"expression_statement": "expression_statement"}
