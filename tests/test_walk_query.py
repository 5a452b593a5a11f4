"""Queries matched by a walk in Python (walk_query.py) give exactly tree-sitter's matches: the
same patterns, nodes and captures, in the same order; and every shape the walk does not take
is handed back to tree-sitter rather than matched differently."""

from __future__ import annotations

from pathlib import Path

import pytest
import tree_sitter
from test_light_queries import NEAR_MISSES, _files, _typed_sources

from mutlint.bundled_queries import kept_matches
from mutlint.light_queries import KIND_PREFIX
from mutlint.rules.plan import QueryPlan
from mutlint.source import TSX, TYPESCRIPT, parse_source, ts_language, walk_queries
from mutlint.walk_query import NotWalkable, WalkQuery

TS = ts_language(TYPESCRIPT)


def _key(pattern: int, captures) -> tuple:
    """A match as comparable data: its pattern and each capture's nodes, in the dict's order."""
    return pattern, tuple((name, tuple((n.id, n.type) for n in nodes)) for name, nodes in captures.items())


def _tree_sitters(source: str, root: tree_sitter.Node, language=TS, **options) -> list[tuple]:
    query = tree_sitter.Query(language, source)
    return [_key(p, c) for p, c in tree_sitter.QueryCursor(query).matches(root, **options)]


def _walks(source: str, root: tree_sitter.Node, language=TS, predicate=None) -> list[tuple]:
    walk = WalkQuery.parse(source, language)
    assert walk is not None, source
    assert walk.pattern_count == tree_sitter.Query(language, source).pattern_count
    return [_key(p, c) for p, c in walk.matches(root, predicate)]


def _root(code: str, language: str = TYPESCRIPT) -> tree_sitter.Node:
    return parse_source(code.encode(), Path("x.ts"), "x.ts", language).root


@pytest.mark.parametrize(("source", "code"), [
    # Several patterns ending at one node: the shallower root first, then the pattern order.
    ("(identifier) @i (call_expression function: (identifier) @f) @c", "f(x)"),
    ("(call_expression function: (identifier) @f) @c (call_expression arguments: (arguments) @a) @c2"
     " (identifier) @i", "f(g(h))"),
    ("(pair key: (_) @k value: (_) @v) @p (object . (pair) @first)", "x = {a: {b: 1}, c: 2}"),
    # Anchors count named children only, comments among them; anonymous ones are skipped.
    ("(arguments . (_) @only .)", "f(x); g(/*c*/ y); h(z /*c*/); k(a, b); m()"),
    ("(arguments . (_) @first)", "f(/*c*/ x, y); g((a), b); h()"),
    ("(arguments . (_) @a . (_) @b)", "f(x, y, z); g(p)"),
    ("(call_expression function: (member_expression object: (_) @o property: (_) @p) @m"
     " arguments: (_ . (_) @v .) @args) @c", "a.b(1); a[0](2); c.d(); e.f(g, h); new X.y(1)"),
    # Fields, negated fields, anonymous nodes, bare wildcards, captures on one node.
    ("(unary_expression operator: \"void\" argument: (_) @a)", "void f(); void 0; typeof x; !y"),
    ("(unary_expression operator: \"void\") @u (identifier) @i", "void f(); typeof x; void (y)"),
    # A field of several nodes (`condition`: the test and its `;`): matched on the second too.
    ("(for_statement condition: \";\" @semi) @f (for_statement condition: (binary_expression) @c)",
     "for (let i = 0; i < 3; i++) {} for (;;) {}"),
    ("(variable_declarator name: (identifier) @n !value) @d", "let a = 1, b; let c"),
    ("(variable_declarator name: _ @n value: _ @v)", "let a = 1, [b] = c"),
    ("(call_expression function: (identifier) @f) @c @also", "f(g())"),
    ("\"void\" @v", "void 1; void 2"),
    # Predicates: text ones here, unknown ones through the callback.
    ("((identifier) @a (#eq? @a \"é\"))", "é; e; é"),
    ("((identifier) @a (#not-eq? @a \"e\"))", "é; e"),
    ("((identifier) @a (#match? @a \"^.$\"))", "é; ee; x"),
    ("((identifier) @a (#not-match? @a \"^e\"))", "ea; b"),
    ("((identifier) @a (#any-of? @a \"x\" \"y\"))", "x; y; z"),
    # Anchored lists of words: tested as sets of texts.
    ("((property_identifier) @p (#match? @p \"^(b|dd)$\"))", "a.b; a.dd; a.d; a.bb; a.b_"),
    ("((property_identifier) @p (#not-match? @p \"^(?:b|dd)$\"))", "a.b; a.dd; a.d"),
    ("((identifier) @a (#match? @a \"^x_1$\"))", "x_1; x_12; x"),
    ("((identifier) @a (#match? @a \"^a|b$\"))", "ax; b; xb; a; c"),  # not words: `(^a)|(b$)`
    ("((property_identifier) @p (#match? @p \"(?:^(b|dd)$)|(?:^e$)\"))", "a.b; a.dd; a.e; a.be"),
    ("((property_identifier) @p (#not-match? @p \"(?:^(b|dd)$)|(?:^e$)\"))", "a.b; a.e; a.f"),
    ("((property_identifier) @p (#match? @p \"(?:^(b|dd)$)|(?:e$)\"))", "a.b; a.ee; a.f"),  # a regex
    ("((binary_expression left: (identifier) @l right: (identifier) @r) (#eq? @l @r))", "a + a; a + b"),
    ("((member_expression object: (identifier) @o (#eq? @o \"db\") property: (_) @p) @m)",
     "db.x; ctx.db.y; db[0]"),
    # Comments in a query, escapes in strings, several lines.
    ("; the calls\n((call_expression function: (identifier) @f) (#eq? @f \"a\\\\b\"))\n", "f(); a()"),
])
def test_walk_gives_tree_sitters_matches(source: str, code: str) -> None:
    for language in (TYPESCRIPT, TSX):
        root = _root(code, language)
        grammar = ts_language(language)
        assert _walks(source, root, grammar) == _tree_sitters(source, root, grammar), (source, language)


def test_a_match_within_a_node_stays_within_it() -> None:
    root = _root("f(g(h(i)));")
    inner = root.child(0).child(0).child_by_field_name("arguments").named_child(0)  # g(h(i))
    source = "(call_expression function: (identifier) @f) @c (identifier) @i"
    query = tree_sitter.Query(TS, source)
    expected = [_key(p, c) for p, c in tree_sitter.QueryCursor(query).matches(inner)]
    assert [_key(p, c) for p, c in WalkQuery.parse(source, TS).matches(inner)] == expected
    assert len(expected) == 5  # g(h(i)), g, h(i), h, i: nothing of f's


@pytest.mark.parametrize("source", [
    "(call_expression function: (identifier) @f arguments: (arguments . (_) @a)) @c",
    "(call_expression function: (identifier) @f arguments: _ @a) @c",  # ends on `_`: all nodes
])
def test_a_walk_leaves_the_tree_as_it_found_it(source: str) -> None:
    """Walked again over the same nodes, the same matches; the nodes' children unchanged
    (py-tree-sitter hands out the list a node keeps of them)."""
    root = _root("f(a, g(b, c)); h(d)")
    walk = WalkQuery.parse(source, TS)
    first = [_key(p, c) for p, c in walk.matches(root)]
    assert first and [_key(p, c) for p, c in walk.matches(root)] == first
    assert first == _tree_sitters(source, root)
    call = root.child(0).child(0)
    assert [child.type for child in call.children] == ["identifier", "arguments"]


def test_a_list_of_words_matches_what_its_regex_matches_a_final_newline_too() -> None:
    """`$` also matches before a final newline, which a JSX text can end with."""
    root = _root("x = <div>a\n</div>; y = <p>\nb</p>; z = <i>a</i>; w = <b>ab</b>", TSX)
    grammar = ts_language(TSX)
    for predicate in ("match?", "not-match?"):
        source = f'((jsx_text) @t (#{predicate} @t "^(a|b)$"))'
        walk = WalkQuery.parse(source, grammar)
        assert [test.kind for test in walk.patterns[0].root.tests] == ["any"]  # no regex
        assert _walks(source, root, grammar) == _tree_sitters(source, root, grammar), predicate
    assert len(_walks('((jsx_text) @t (#match? @t "^(a|b)$"))', root, grammar)) == 2
    # Lists shared patterns join (shared_patterns.py): their union.
    joined = WalkQuery.parse('((jsx_text) @t (#match? @t "(?:^(a|b)$)|(?:^c$)"))', grammar)
    assert joined.patterns[0].root.tests[0].value == {b"a", b"a\n", b"b", b"b\n", b"c", b"c\n"}


@pytest.mark.parametrize("source", [
    "(call_expression function: (member_expression property: (_) @p)) @c",
    "(arguments . (_) @a .)",
    "(unary_expression operator: \"void\" argument: (_) @a)",  # an anonymous middle step
    "(unary_expression operator: \"void\")",  # a match that ends on an anonymous node
    "(variable_declarator name: _ @n)",  # `_`: any node, anonymous ones too
    "(identifier) @i \"void\" @v",  # a pattern that starts on an anonymous node
])
def test_matches_that_start_or_end_on_anonymous_nodes_are_found_as_tree_sitter_finds_them(
        source: str) -> None:
    root = _root("void f(a.b(c)); let [x] = [void 0]; g(); h(...i)")
    expected = _tree_sitters(source, root)
    assert expected and _walks(source, root) == expected


def test_unknown_predicates_go_to_the_callback_as_tree_sitter_gives_them() -> None:
    root = _root("a; b; c")
    source = "((identifier) @x (#mutlint-match? @x \"b|c\"))"
    seen: dict[str, list] = {"tree-sitter": [], "walk": []}

    def recorder(side):
        def predicate(name, args, pattern, captures):
            seen[side].append((name, args, pattern, sorted(captures)))
            return captures["x"][0].text != b"b"
        return predicate

    walked = _walks(source, root, predicate=recorder("walk"))
    assert walked == _tree_sitters(source, root, predicate=recorder("tree-sitter"))
    assert seen["walk"] == seen["tree-sitter"] == [
        ("mutlint-match?", [("x", "capture"), ("b|c", "string")], 0, ["x"])] * 3
    assert len(walked) == 2  # the callback dropped b


@pytest.mark.parametrize("source", [
    "(call_expression (identifier) @f)",  # a child with neither field nor anchor: several may match
    "(call_expression function: (identifier)? @f)",  # quantifiers
    "(arguments (_)* @all)",
    "[(identifier) (number)] @either",  # alternation
    "((identifier) @a (identifier) @b)",  # a sibling sequence
    "((identifier) @a) @group",  # a captured group
    "(expression) @e",  # a supertype: its nodes are of their subtypes' types
    "(call_expression function: (expression/identifier))",
    "(ERROR) @error",
    "(MISSING) @missing",
    "(no_such_type) @x",  # tree-sitter's compile reports it, as before
    "(call_expression no_such_field: (_))",
    "((identifier) @a (#set! kind \"x\"))",  # a directive
    "((identifier) @a (#any-eq? @a \"x\"))",  # py-tree-sitter's own, which the walk leaves alone
    "((identifier) @a (#match? @a @a))",
    "((identifier) @a (#not-any-of? @a \"x\"))",  # which py-tree-sitter 0.26 does not apply
    "((identifier) @a (#eq? @a \"\ufffd\"))",  # U+FFFD: what bytes that are not UTF-8 decode to
    "((identifier) @a (#any-of? @a \"x\" \"\ufffd\"))",
    "(arguments . \"(\" @open)",  # an anchored anonymous node
    "(identifier",
])
def test_what_the_walk_does_not_take_is_handed_back(source: str) -> None:
    assert WalkQuery.parse(source, TS) is None


def test_trees_the_walk_does_not_take_are_handed_back() -> None:
    with pytest.raises(NotWalkable):  # MISSING nodes, ERROR regions: tree-sitter's own rules
        WalkQuery.parse("(identifier) @i", TS).matches(_root("f(a, ;"))
    # A field that holds two nodes which both match: tree-sitter gives a match for each.
    root = _root("@x @y class A {}")
    source = "(class_declaration decorator: (decorator) @d) @c"
    assert len(_tree_sitters(source, root)) == 2
    with pytest.raises(NotWalkable):
        WalkQuery.parse(source, TS).matches(root)
    # Where only one of them matches, there is one match, and the walk gives it.
    one = "(class_declaration decorator: (decorator . (call_expression) @call)) @c"
    root = _root("@x @y() class A {}")
    assert _walks(one, root) == _tree_sitters(one, root) and len(_tree_sitters(one, root)) == 1


def test_every_query_of_a_check_is_walked_as_tree_sitter_matches_it(tmp_path) -> None:
    """The shipped rules' and the model's queries, on ~300 files: the walk takes all but the
    few it names, and gives tree-sitter's matches for every one."""
    sources = _typed_sources()
    walks = {}
    for language, source in sources:
        walk = WalkQuery.parse(source, ts_language(language))
        if walk is not None:
            walks[language, source] = (walk, tree_sitter.Query(ts_language(language), source))
    assert len(walks) >= len(sources) - 4  # the imports and chain roots queries: see syntax.py
    compared = 0
    for file in _files(tmp_path):
        for (language, source), (walk, query) in walks.items():
            if language != file.language:
                continue
            expected = [_key(p, c) for p, c in tree_sitter.QueryCursor(query).matches(file.root)]
            try:
                found = [_key(p, c) for p, c in walk.matches(file.root)]
            except NotWalkable:
                assert file.root.has_error, file.relpath
                continue
            assert found == expected, (file.relpath, source)
            compared += len(expected)
    assert compared > 10000


def _described(found: dict[str, list]) -> dict[str, list]:
    """A bundle's matches as data that two parses of one file share (without the hidden
    captures of light_queries, which only a compiled query has)."""
    return {source: [{name: [(n.start_byte, n.end_byte, n.type) for n in nodes]
                      for name, nodes in captures.items() if not name.startswith(KIND_PREFIX)}
                     for captures in matches]
            for source, matches in found.items()}


def test_a_few_file_plan_walks_and_gives_what_the_compiled_plan_gives(tmp_path) -> None:
    """The rules' plan of a few-file run (rules/plan.py) walks its query, and hands a tree with
    an error to tree-sitter: the atoms' hits and the bundle's matches are the compiled plan's."""
    from test_light_queries import REPO, Config, build_rule_set, load_rules

    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config())
    atoms = [a for r in rule_set.rules for a in r.atoms if a.in_place_type is None]
    broken = NEAR_MISSES + b"\nf(a, ;"
    for language in (TYPESCRIPT, TSX):
        walked = QueryPlan(language, atoms, few_files=True)
        compiled = QueryPlan(language, atoms, few_files=False)
        assert walked.walk is not None and compiled.walk is None
        assert walked.rule_patterns == compiled.rule_patterns > 5
        assert [[atom.id for atom, _ in members] for members in walked.pattern_atoms] == \
               [[atom.id for atom, _ in members] for members in compiled.pattern_atoms]
        assert walked.bundle_source == compiled.bundle_source
        files = [f for f in _files(tmp_path) if f.language == language][:80]
        for file in [parse_source(broken, Path("b.ts"), "b.ts", language), *files]:
            twin = parse_source(file.data, file.path, file.relpath, language)
            ours, theirs = walked.run(file), compiled.run(twin)
            assert {a: [(n.start_byte, n.type, len(h.by_node[n.id])) for n in h.nodes]
                    for a, h in ours.hits.items()} == \
                   {a: [(n.start_byte, n.type, len(h.by_node[n.id])) for n in h.nodes]
                    for a, h in theirs.hits.items()}, file.relpath
            assert _described(kept_matches(file)) == _described(kept_matches(twin)), file.relpath


def test_a_run_of_a_few_files_compiles_no_query(tmp_path, monkeypatch) -> None:
    """The point of the walk: a pre-commit run on a page or a mutation file compiles nothing,
    and a run of more files than FEW_FILES compiles its queries as before."""
    from generate import generate

    from mutlint.cli import main
    from mutlint.rules.rule_set import FEW_FILES

    generate(tmp_path, 60, seed=3)
    compiled: list[str] = []
    real = tree_sitter.Query

    def counting(language, source):
        compiled.append(source)
        return real(language, source)

    monkeypatch.setattr(tree_sitter, "Query", counting)
    monkeypatch.chdir(tmp_path)
    few = ["app/p0/page.tsx", "convex/m0.ts", "convex/schema.ts"]
    assert main(["check", *few, "--no-cache", "--fail-on", "never", "--format", "json"]) == 0
    assert compiled == []
    files = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "convex").glob("*.ts"))
    assert len(files) > FEW_FILES
    assert main(["check", *files, "--no-cache", "--fail-on", "never", "--format", "json"]) == 0
    assert compiled  # many files: compiled once, matched in C
    walk_queries(False)
