"""The query plan: one tree-sitter query per language and subset of rules a file may match."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from mutlint.config import Config
from mutlint.engine import MAX_PLANS
from mutlint.rules.pack import load_rules
from mutlint.selection import build_rule_set

REPO = Path(__file__).resolve().parent.parent
HOUSEKEEPING = 2  # comments and ERROR nodes, in every plan


def rule_set():
    return build_rule_set(load_rules([REPO / "rules"]), Config())


def test_a_file_gets_a_query_of_the_rules_it_may_match_only():
    rules = rule_set()
    patterns = {r.id: sum(a.by_language["tsx"].pattern_count for a in r.atoms) for r in rules.rules}
    page = rules.plan("tsx", {"parallel-mutations-same-doc"})
    assert page.query.pattern_count == HOUSEKEEPING + patterns["parallel-mutations-same-doc"]
    everything = rules.plan("tsx")
    assert everything.query.pattern_count == HOUSEKEEPING + sum(patterns.values())
    assert rules.plan("tsx", {"parallel-mutations-same-doc"}) is page  # compiled once


def test_after_max_plans_subsets_a_language_uses_the_full_query():
    rules = rule_set()
    ids = sorted(r.id for r in rules.rules)
    subsets = [set(pair) for pair in combinations(ids, 2)]
    plans = [rules.plan("typescript", subset) for subset in subsets[: MAX_PLANS]]
    assert len({id(p) for p in plans}) == MAX_PLANS
    full = rules.plan("typescript", subsets[MAX_PLANS])
    assert full.query.pattern_count == rules.plan("typescript").query.pattern_count
    assert full.query.pattern_count > max(p.query.pattern_count for p in plans)
