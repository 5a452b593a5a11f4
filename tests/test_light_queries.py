"""Queries compiled with their nested parents as wildcards (light_queries.py) match exactly what
the typed queries match: the same patterns, the same nodes, in the same order, once the matches
whose hidden capture holds another type are dropped."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tree_sitter

from mutlint import bundled_queries
from mutlint.config import Config
from mutlint.convex import flow_parts, functions, handles, references, syntax  # noqa: F401  (their queries)
from mutlint.light_queries import KIND_PREFIX, kind_checks, kinds_hold, lighten
from mutlint.rules.pack import load_rules
from mutlint.selection import build_rule_set
from mutlint.source import TSX, TYPESCRIPT, language_for, parse_source, ts_language

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

TS = ts_language(TYPESCRIPT)
# Shapes a wildcard parent can meet where the typed one would not match: `a[0]()` has an
# object field below `function` too, `new X()` has arguments, and a tagged template is a call
# whose `arguments` field holds a template string: the builders' `arguments: (arguments . (_))`
# as a wildcard meets `mutation\`a${b}\``.
NEAR_MISSES = b"""a[0](); a.b(); new X(1); f`x`; mutation`a${b}`; g(); (h as any).k(1); o?.p?.(q);
db.patch(id, {});
ctx.db.patch(id, {}); this.db.insert("t", {}); x.db.y.z(); void ctx.db.delete(id);
import { a as b } from "m"; import c from 'n';
const v = useMutation(api.m.f); v({ id }); v.mutate(); client.mutation(api.m.g, {});
"""


def test_a_parent_below_a_field_becomes_a_wildcard_with_its_type_captured() -> None:
    assert lighten("(call_expression function: (member_expression object: (_) @o) @f) @c", TS) == (
        f"(call_expression function: (_ object: (_) @o) @{KIND_PREFIX}member_expression @f) @c")


def test_what_stays_as_written() -> None:
    for source in (
        "(call_expression function: (identifier) @f)",  # a leaf: tree-sitter analyses no leaf
        "(call_expression (member_expression object: (_)))",  # no field: another child may do
        "(call_expression function: (member_expression object: (_))? @f)",  # quantified
        "(call_expression function: (expression (identifier)))",  # a supertype
        "(call_expression function: (no_such_type (identifier)))",  # the compile's error stays
        '((identifier) @x (#eq? @x "function: (member_expression (x))"))',  # inside a string
        "; function: (member_expression (x))\n(identifier) @x",  # inside a comment
        f"(call_expression function: (member_expression object: (_) @{KIND_PREFIX}x))",
    ):
        assert lighten(source, TS) == source, source


def test_roots_too_when_asked() -> None:
    """A run of a few files compiles wildcard roots as well (rule_set.FEW_FILES)."""
    assert lighten("((call_expression function: (identifier)) @c (#eq? @c \"f()\"))", TS, roots=True) == (
        f"((_ function: (identifier)) @{KIND_PREFIX}call_expression @c (#eq? @c \"f()\"))")
    for source in ("((identifier) @root (#eq? @root \"api\"))",  # a leaf root: all nodes would start it
                   "[(call_expression (identifier)) (new_expression (identifier))] @a",  # alternatives
                   "(call_expression (identifier))+ @calls"):
        assert lighten(source, TS, roots=True) == source, source
    plain = "(call_expression function: (member_expression object: (_)))"
    assert lighten(plain, TS).startswith("(call_expression ")  # roots only when asked


def test_nested_parents_each_get_their_check() -> None:
    light = lighten("(call_expression function: (member_expression object: "
                    "(member_expression property: (property_identifier) @p)) arguments: "
                    "(arguments . (_) @first))", TS)
    query = tree_sitter.Query(TS, light)
    assert sorted(kind_checks(query)) == [(f"{KIND_PREFIX}arguments", "arguments"),
                                         (f"{KIND_PREFIX}member_expression", "member_expression")]


def test_the_type_check_drops_what_the_wildcard_admits() -> None:
    """`a[0]()`: a subscript has an object too. Without kinds_hold the light query has a match
    the typed one has not, so the check is what makes the two agree."""
    typed = "(call_expression function: (member_expression object: (_) @o)) @c"
    file = parse_source(b"a[0](); b.c();", Path("x.ts"), "x.ts", TYPESCRIPT)
    query = tree_sitter.Query(TS, lighten(typed, TS))
    raw = [c for _, c in tree_sitter.QueryCursor(query).matches(file.root)]
    kept = [c for c in raw if kinds_hold(c, kind_checks(query))]
    assert [file.text(c["c"][0]) for c in raw] == ["a[0]()", "b.c()"]
    assert [file.text(c["c"][0]) for c in kept] == ["b.c()"]


def _typed_sources() -> list[tuple[str, str]]:
    """(language, source) of every query a check compiles: the rules' atoms and the model's."""
    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config())
    found = {(language, compiled.source) for rule in rule_set.rules for atom in rule.atoms
             for language, compiled in atom.by_language.items()}
    found |= {(language, source) for language, sources in bundled_queries.BUNDLED.items()
              for source in sources}
    found |= {(language, syntax._IMPORTS) for language in (TYPESCRIPT, TSX)}
    found |= {(language, references._ROOTS) for language in (TYPESCRIPT, TSX)}
    return sorted(found)


def _files(tmp_path: Path):
    generate(tmp_path, 120, seed=11)
    paths = [*sorted(tmp_path.rglob("*.ts*")), *sorted((REPO / "examples").rglob("*.ts*")),
             *sorted((REPO / "rules").rglob("*.ts*")), *sorted((REPO / "tests" / "fixtures").rglob("*.ts*"))]
    for language in (TYPESCRIPT, TSX):
        yield parse_source(NEAR_MISSES, Path("near.ts"), "near.ts", language)
    for path in paths:
        yield parse_source(path.read_bytes(), path, str(path), language_for(path))


def _key(pattern: int, captures) -> tuple:
    return pattern, tuple(sorted((name, tuple(n.id for n in nodes)) for name, nodes in captures.items()
                                 if not name.startswith(KIND_PREFIX)))


@pytest.mark.parametrize("roots", [False, True])
def test_every_query_of_a_check_matches_as_its_typed_form(tmp_path, roots) -> None:
    sources = _typed_sources()
    lightened = [(language, source) for language, source in sources
                 if lighten(source, ts_language(language), roots=roots) != source]
    assert len(lightened) >= 6  # the rewrite meets the shipped queries, or this proves nothing
    queries = {}
    for language, source in lightened:
        grammar = ts_language(language)
        light = tree_sitter.Query(grammar, lighten(source, grammar, roots=roots))
        queries[language, source] = (tree_sitter.Query(grammar, source), light, kind_checks(light))
    compared = dropped = 0
    for file in _files(tmp_path):
        for (language, source), (typed, light, checks) in queries.items():
            if language != file.language:
                continue
            expected = [_key(p, c) for p, c in tree_sitter.QueryCursor(typed).matches(file.root)]
            raw = tree_sitter.QueryCursor(light).matches(file.root)
            found = [_key(p, c) for p, c in raw if kinds_hold(c, checks)]
            assert found == expected, (file.relpath, source)
            compared += len(expected)
            dropped += len(raw) - len(found)
    assert compared > 1000
    assert dropped > 0  # a near miss met a wildcard, and the check dropped it
