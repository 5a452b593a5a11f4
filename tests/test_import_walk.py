"""A file's imports are read off its import statements' children, not by compiling the imports
query: the walk must give exactly what that query gives (the same captures of the same nodes,
in the same order), which stays the oracle here and the path for trees with errors."""

from __future__ import annotations

from pathlib import Path

import tree_sitter
from hypothesis import given, settings
from hypothesis import strategies as st

from mutlint.convex import syntax
from mutlint.light_queries import KIND_PREFIX
from mutlint.source import TSX, TYPESCRIPT, SourceFile, ts_language
from mutlint.source import parse_source as parse_bytes


def parse_source(relpath: str, data: bytes, language: str) -> SourceFile:
    return parse_bytes(data, Path(relpath), relpath, language)

STATEMENTS = [
    'import D from "m";',
    'import * as ns from "./x";',
    'import * as /* why */ ns from "./x";',
    'import D /* d */, { /* e */ } from "m";',
    'import { a } from "m";',
    'import { a, b as c } from "m";',
    'import D, { a, b as c, "s-t" as st, type T, default as dd } from "m";',
    'import type { U } from "u";',
    'import type V from "v";',
    'import E, * as F from "ef";',
    'import { a, /* between */ b } from "m";',
    'import {} from "m";',
    'import { a } from "";',
    'import "side-effect";',
    'import x = require("r");',
    'import { a } from "esc\\x61ped";',
    "import { a } from 'single';",
    'import { a as a, a } from "dup";',
    'import a, { b as a } from "clash";',
]


def as_texts(file: SourceFile, matches) -> list[list[tuple[str, tuple[int, int], str]]]:
    # (A query's hidden type captures, light_queries.py, are not the query's own.)
    return [sorted((name, (node.start_byte, node.end_byte), file.text(node))
                   for name, nodes in captures.items() for node in nodes
                   if not name.startswith(KIND_PREFIX))
            for captures in matches]


def by_query(file: SourceFile, statement: tree_sitter.Node):
    # The query as written (compiled_query would make its nested parents wildcards).
    cursor = tree_sitter.QueryCursor(tree_sitter.Query(ts_language(file.language), syntax._IMPORTS))
    return [captures for _, captures in cursor.matches(statement)]


def statements_of(text: str, language: str) -> tuple[SourceFile, list[tree_sitter.Node]]:
    file = parse_source("m.tsx" if language == TSX else "m.ts", text.encode(), language)
    assert not file.root.has_error, text
    return file, [n for n in file.root.children if n.type == "import_statement"]


def test_each_shape_matches_as_the_query_does() -> None:
    for language in (TYPESCRIPT, TSX):
        for text in STATEMENTS:
            file, statements = statements_of(text, language)
            assert len(statements) == 1, text
            walked = syntax._import_matches(file, statements[0])
            assert as_texts(file, walked) == as_texts(file, by_query(file, statements[0])), text


def test_the_walk_finds_what_a_real_import_holds() -> None:
    file, (statement,) = statements_of('import D, { a, b as c } from "m";', TYPESCRIPT)
    found = [{name: file.text(nodes[0]) for name, nodes in captures.items()}
             for captures in syntax._import_matches(file, statement)]
    # Checked without the oracle too: a walk and a query that agreed on nothing would pass above.
    assert found == [{"imported": "a", "module": "m"},
                     {"imported": "b", "local": "c", "module": "m"},
                     {"default": "D", "module": "m"}]


def test_file_imports_of_a_clean_file_and_of_one_with_an_error() -> None:
    text = 'import D, { a as b } from "m";\nimport * as n from "./n";\n'
    clean = parse_source("a.ts", text.encode(), TYPESCRIPT)
    broken = parse_source("b.ts", (text + "const = ;\n").encode(), TYPESCRIPT)
    assert broken.root.has_error
    expected = {"D": syntax.Import("D", "default", "m"), "b": syntax.Import("b", "a", "m"),
                "n": syntax.Import("n", "*", "./n")}
    assert syntax.file_imports(clean) == expected
    assert syntax.file_imports(broken) == expected


NAMES = st.sampled_from(["a", "b", "D", "x", "type", "default", '"q-r"'])
SPECIFIER = st.tuples(NAMES, st.one_of(st.none(), st.sampled_from(["a", "z", "D"])),
                      st.booleans()).map(
    lambda t: ("type " if t[2] and not t[0].startswith('"') else "") + t[0]
    + (f" as {t[1]}" if t[1] else ""))


@st.composite
def import_statements(draw) -> str:
    default = draw(st.one_of(st.none(), st.sampled_from(["D", "E"])))
    rest = draw(st.one_of(st.none(), st.just("* as ns"),
                          st.lists(SPECIFIER, max_size=4).map(lambda s: "{ " + ", ".join(s) + " }")))
    clause = ", ".join(part for part in (default, rest) if part)
    module = draw(st.sampled_from(['"m"', "'./x'", '""', '"a\\nb"', '"convex/react"']))
    return f"import {clause} from {module};" if clause else f"import {module};"


@settings(max_examples=150, deadline=None)
@given(st.lists(import_statements(), min_size=1, max_size=3), st.sampled_from([TYPESCRIPT, TSX]))
def test_generated_imports_match_as_the_query_does(texts: list[str], language: str) -> None:
    file = parse_source("g.ts", "\n".join(texts).encode(), language)
    if file.root.has_error:
        return  # a clause the grammar refuses: such files take the query's path
    for statement in (n for n in file.root.children if n.type == "import_statement"):
        assert as_texts(file, syntax._import_matches(file, statement)) == \
            as_texts(file, by_query(file, statement))
