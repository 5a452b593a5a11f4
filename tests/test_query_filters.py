"""Model queries that filter by name in tree-sitter return exactly what Python would keep."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mutlint import bundled_queries
from mutlint.config import Config
from mutlint.convex import flow_parts, functions, handles, references, syntax  # noqa: F401  (handles: its queries)
from mutlint.convex.syntax import keep_only, query_matches
from mutlint.rules.pack import load_rules
from mutlint.selection import build_rule_set
from mutlint.source import TSX, TYPESCRIPT, language_for, parse_source

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

ALIASED = b"""import { api as server } from "./_generated/api";
const a = (api as any).x.y; const b = internal!.m.f; const c = server.m.g; api["m"].h;
<T>internal.m.i; const d = (api satisfies object).m.k; (internal).m.z; f(api, x as api); m[internal];
export const q = query({ handler: async (ctx) => ctx.runMutation(internal.m.f, {}) });
await ctx.db.patch(id, {}); await ctx.db.get(id); ctx.scheduler.runAfter(0, api.m.h, {});
"""
FILTERS = [
    (flow_parts._METHOD_CALLS, flow_parts._FLOW_CALLS, "method",
     {*flow_parts.WRITE_METHODS, *flow_parts.CALL_METHODS}),
    (functions._CALLS, functions._BUILDER_CALLS, "builder", set(functions.GENERATED_BUILDERS)),
]


def _sources(tmp_path: Path):
    generate(tmp_path, 120, seed=5)
    paths = sorted(tmp_path.rglob("*.ts*")) + sorted((REPO / "examples").rglob("*.ts*"))
    yield parse_source(ALIASED, tmp_path / "aliased.ts", "aliased.ts", "typescript")
    for path in paths:
        yield parse_source(path.read_bytes(), path, path.name, language_for(path))


def _key(captures) -> tuple:
    return tuple(sorted((name, tuple(n.id for n in nodes)) for name, nodes in captures.items()))


@pytest.mark.parametrize(("full", "filtered", "capture", "names"), FILTERS)
def test_filtered_query_equals_the_full_one_filtered_in_python(tmp_path, full, filtered, capture,
                                                               names) -> None:
    kept = 0
    for file in _sources(tmp_path):
        expected = [_key(c) for c in query_matches(file, full) if file.text(c[capture][0]) in names]
        assert sorted(_key(c) for c in query_matches(file, filtered)) == sorted(expected), file.relpath
        kept += len(expected)
    assert kept > 20  # not vacuous


def test_plain_roots_are_the_identifiers_the_full_root_query_finds(tmp_path) -> None:
    """`api` and `internal` found in the bytes, whose place references._starts_chain tests:
    the same nodes as the structural query an alias still uses (with `<T>x` in the
    TypeScript grammar only, where TSX has JSX)."""
    names, kept = set(references.ROOT_VISIBILITY), 0
    for file in _sources(tmp_path):
        full = references._TS_ROOTS if file.language == TYPESCRIPT else references._ROOTS
        expected = {c["root"][0].id for c in query_matches(file, full)
                    if file.text(c["root"][0]) in names}
        found = references.plain_roots(file)
        assert {n.id for n in found if references._starts_chain(n)} == expected, file.relpath
        kept += len(expected)
        if b"import { api }" in file.data:
            assert len(found) > len(expected)  # the import's own `api`: not a chain's start
    assert kept > 20  # not vacuous


# Where the bytes `api` and `internal` are no identifier of that name, or are one in an odd place.
NEAR_ROOTS = b"""import { api } from "./_generated/api"; // api.m.f in a comment
const apiKey = 1, rapid = 2, $api = 3, api$ = 4, _internal = 5, \\u0061pi = 6;
const s = "api.m.f", t = `${api.m.f} api ${internal.m.g}`, o = { api, internal: 1, [api.m.h]: 2 };
class C { api = 1; internal() { return this.api; } }  type T = typeof api.m.f;
/* internal.m.z */ f(api)(internal); caf\\u00e9api.x; \xc3\xa9api.y; ok(api.m.k
"""


@pytest.mark.parametrize("language", [TYPESCRIPT, TSX])
def test_plain_roots_are_what_a_query_of_identifiers_by_name_finds(tmp_path, language) -> None:
    """The byte search against the query it replaced, `(identifier)` filtered by name, on the
    generated project and on near misses: names within longer names, in strings, comments and
    template text, as properties and members, after non-ASCII letters, and in a broken tree."""
    query = keep_only("(identifier) @root", "root", references.ROOT_VISIBILITY)
    files = [parse_source(NEAR_ROOTS, tmp_path / "near.ts", "near.ts", language),
             *(file for file in _sources(tmp_path) if file.language == language)]
    assert files[0].root.has_error  # the last line is left open
    found_somewhere = 0
    for file in files:
        expected = [c["root"][0].id for c in query_matches(file, query)]
        assert [n.id for n in references.plain_roots(file)] == expected, file.relpath
        found_somewhere += len(expected)
    assert found_somewhere > 20  # not vacuous


def test_each_pattern_keeps_its_own_capture() -> None:
    source = "(a) @x\n(b (c) @y) @z\n"
    assert keep_only(source, "y", ["n"]) == ('((a) @x (#any-of? @y "n"))\n'
                                             '((b (c) @y) @z (#any-of? @y "n"))\n')


def test_a_bundled_query_gives_what_it_gives_alone_in_the_same_order(tmp_path) -> None:
    """The model's common queries run in one walk per file (syntax.bundle_query): each must
    still give its own matches, all of them, in the order the query alone gives them."""
    assert bundled_queries.BUNDLED[TYPESCRIPT] and bundled_queries.BUNDLED[TSX]
    compared = 0
    for file in _sources(tmp_path):
        for source in bundled_queries.BUNDLED.get(file.language, ()):
            bundled = [_key(c) for c in query_matches(file, source)]
            assert bundled == [_key(c) for c in syntax.query_matches_alone(file, source)], file.relpath
            compared += len(bundled)
        assert "bundled" in file.derived  # the walk really was shared
    assert compared > 1000


def test_the_rules_walk_leaves_each_bundled_query_its_own_matches(tmp_path) -> None:
    """The rules' query carries the bundled queries (bundled_queries.py): the matches its walk
    keeps with a file are those each bundled query gives alone, in the same order."""
    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config())
    compared = 0
    for file in _sources(tmp_path):
        plan = rule_set.plan(file.language)
        assert plan.bundle and "bundled" not in file.derived
        plan.run(file)
        kept = bundled_queries.kept_matches(file)
        for source in plan.bundle:
            alone = [_key(c) for c in syntax.query_matches_alone(file, source)]
            assert [_key(c) for c in kept[source]] == alone, file.relpath
            compared += len(alone)
    assert compared > 1000
