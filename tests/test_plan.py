"""The query plan: one tree-sitter query per language and subset of rules a file may match."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import tree_sitter

from mutlint.bundled_queries import bundled_sources
from mutlint.config import Config
from mutlint.rules.pack import load_rules
from mutlint.rules.rule_set import MAX_PLANS
from mutlint.selection import build_rule_set
from mutlint.source import ts_language

REPO = Path(__file__).resolve().parent.parent


def rule_set():
    return build_rule_set(load_rules([REPO / "rules"]), Config())


def test_a_file_gets_a_query_of_the_rules_it_may_match_only():
    rules = rule_set()
    language = ts_language("tsx")
    # Kind atoms checked in place (rules/in_place.py) are in no query.
    patterns = {r.id: sum(tree_sitter.Query(language, a.by_language["tsx"].source).pattern_count
                          for a in r.atoms if a.in_place_type is None) for r in rules.rules}
    assert any(a.in_place_type for r in rules.rules for a in r.atoms)
    page = rules.plan("tsx", {"parallel-mutations-same-doc"})
    assert page.rule_patterns == patterns["parallel-mutations-same-doc"]
    # After the rules' patterns, the model's bundled queries (bundled_queries.py).
    bundled = sum(tree_sitter.Query(language, source).pattern_count
                  for source in bundled_sources("tsx"))
    assert bundled and page.query.pattern_count == page.rule_patterns + bundled
    everything = rules.plan("tsx")
    # Atoms alike but for their pushed-down constraints share a pattern (shared_patterns.py).
    members = [atom.id for atoms in everything.pattern_atoms for atom, _ in atoms]
    assert sorted(members) == sorted(a.id for r in rules.rules for a in r.atoms
                                     if a.in_place_type is None and "tsx" in a.by_language)
    shared = len(members) - everything.rule_patterns
    assert shared > 0 and everything.rule_patterns == sum(patterns.values()) - shared
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


TWO_PATTERN_RULE = """\
id: two-patterns
severity: warning
message: m
description: d
languages: [typescript]
rule:
  any:
    - query: |
        ((identifier) @match (#eq? @match "a"))
        ((string) @match (#eq? @match "\\"é\\""))
    - pattern: foo($X)
"""


def test_each_pattern_of_a_raw_query_reports_to_its_own_atom(tmp_path: Path):
    """A raw query may hold several patterns (and non-ASCII text, which shifts byte offsets):
    matches of each, and of the atom after it, land on the atom they came from."""
    from mutlint.rules.loader import load_rule_file
    from mutlint.rules.plan import QueryPlan
    from mutlint.source import parse_source

    (tmp_path / "r.yaml").write_text(TWO_PATTERN_RULE, encoding="utf-8")
    rule = load_rule_file(tmp_path / "r.yaml")
    query_atom, pattern_atom = sorted(rule.atoms, key=lambda atom: atom.kind != "query")
    plan = QueryPlan("typescript", [query_atom, pattern_atom])
    code = 'a; b; const s = "é"; foo(1);\n'.encode()
    file = parse_source(code, tmp_path / "a.ts", "a.ts", "typescript")
    hits = plan.run(file).hits
    assert sorted(file.text(n) for n in hits[query_atom.id].nodes) == ['"é"', "a"]
    assert [file.text(n) for n in hits[pattern_atom.id].nodes] == ["foo(1)"]


def test_comments_are_found_only_in_files_with_a_directive_and_errors_only_in_broken_trees(
        tmp_path: Path):
    """The comment and ERROR queries run apart from the rules' query, on the files that need
    them: a file's comments only matter as `mutlint-disable` directives."""
    from mutlint.source import parse_source

    plan = rule_set().plan("typescript")
    assert "comment" not in plan.source and "ERROR" not in plan.source

    def run(code: str):
        return plan.run(parse_source(code.encode(), tmp_path / "a.ts", "a.ts", "typescript"))

    plain = run("// a comment\nconst a = 1; /* another */\n")
    assert plain.comments == [] and plain.error_ranges == []
    directed = run("/* first */ const a = 1;\n// mutlint-disable-next-line dual-doc-patch\nf();\n")
    assert [c.type for c in directed.comments] == ["comment", "comment"]
    assert [c.start_byte for c in directed.comments] == sorted(c.start_byte for c in directed.comments)
    broken = run("const a = ;\nf(\n")
    assert broken.error_ranges and broken.comments == []


def test_a_plan_with_no_atom_still_reads_directives(tmp_path: Path):
    """A file parsed only for its directives (unused-suppression) gets a plan of no rule."""
    from mutlint.rules.plan import QueryPlan
    from mutlint.source import parse_source

    plan = QueryPlan("typescript", [])
    assert plan.query is None
    file = parse_source(b"// mutlint-disable-next-line some-rule\nf();\n", tmp_path / "a.ts",
                        "a.ts", "typescript")
    found = plan.run(file)
    assert found.hits == {} and len(found.comments) == 1
