"""Where a name is declared: each function's own declarations, found by a cursor walk that
does not enter nested functions, are those whose nearest enclosing function is that one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mutlint.convex.functions import FUNCTION_TYPES, local_functions
from mutlint.convex.scopes import DECLARATION_TYPES, Scopes
from mutlint.source import TSX, TYPESCRIPT, descendants, language_for, parse_source

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

NESTED = b"""const top = 1, { a, b: [c] } = o;
export function outer(p1: string, p2?: number) {
  const x = 1;
  for (const k in obj) { let y = k; }
  const inner = (q) => { const z = q; return function deeper(r) { var w = r; }; };
  class C { m(s) { const t = s; } static f = (u) => u; }
  const arrow = v => v + x;
  function* gen(g) { const h = yield g; }
  return [inner, arrow];
}
const later = async ({ shorthand }) => { const after = shorthand; };
"""


def _owner(node):
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_TYPES or current.type == "program":
            return current.id
        current = current.parent
    return None


def _expected(scope):
    """The definition: every declaration below the scope whose nearest function is the scope."""
    found = [node for node in descendants(scope)
             if node.type in DECLARATION_TYPES and _owner(node) == scope.id]
    parameter = scope.child_by_field_name("parameter")
    return found + ([parameter] if parameter is not None else [])


def _files(tmp_path: Path):
    for language in (TYPESCRIPT, TSX):
        yield parse_source(NESTED, tmp_path / "nested.ts", "nested.ts", language)
    generate(tmp_path / "app", 120, seed=3)
    for path in sorted((tmp_path / "app").rglob("*.ts*")) + sorted((REPO / "examples").rglob("*.ts*")):
        yield parse_source(path.read_bytes(), path, path.name, language_for(path))


def test_each_scope_holds_exactly_its_own_declarations(tmp_path: Path) -> None:
    scopes_seen = declarations = 0
    for file in _files(tmp_path):
        scopes = Scopes(file)
        for scope in [file.root, *(n for n in descendants(file.root) if n.type in FUNCTION_TYPES)]:
            expected = _expected(scope)
            assert [n.id for n in scopes._declarations_in(scope)] == [n.id for n in expected], \
                (file.relpath, scope.start_point)
            scopes_seen += 1
            declarations += len(expected)
    assert scopes_seen > 500 and declarations > 1000  # not vacuous


@pytest.mark.parametrize("language", [TYPESCRIPT, TSX])
def test_nested_functions_keep_their_own(language: str, tmp_path: Path) -> None:
    file = parse_source(NESTED, tmp_path / "n.ts", "n.ts", language)
    scopes = Scopes(file)
    outer = local_functions(file)["outer"]
    names = [file.text(n.child_by_field_name("name") or n.child_by_field_name("left")
                       or n.child_by_field_name("pattern") or n) for n in scopes._declarations_in(outer)]
    assert names == ["p1", "p2", "x", "k", "y", "inner", "arrow"]  # not z, w, t, u, v, h, g
    top = [file.text(n.child_by_field_name("name") or n) for n in scopes._declarations_in(file.root)]
    assert top == ["top", "{ a, b: [c] }", "a", "later"]


def _declaration_in_full(file, use, name):
    """Scopes.declaration's choice on each scope's whole list (_expected), scope by scope."""
    scope = use.parent
    while scope is not None:
        if scope.type in FUNCTION_TYPES or scope.type == "program":
            best = Scopes(file)._nearest(_expected(scope), use, name, scope.type == "program")
            if best is not None:
                return best
        scope = scope.parent
    return None


def test_a_scope_walked_only_as_far_as_asked_finds_what_the_whole_list_does(tmp_path: Path) -> None:
    """Each scope is walked up to the use asked about, and on for a later one: asked in a
    shuffled order, every identifier of the files finds the declaration the whole lists give."""
    import random

    rng = random.Random(5)
    asked = found = 0
    for number, file in enumerate(_files(tmp_path)):
        if number > 40:
            break
        uses = [n for n in descendants(file.root) if n.type == "identifier"]
        rng.shuffle(uses)
        scopes = Scopes(file)
        for use in uses:
            name = file.text(use)
            expected = _declaration_in_full(file, use, name)
            got = scopes.declaration(use, name)
            assert (got.id if got else None) == (expected.id if expected else None), \
                (file.relpath, use.start_point, name)
            asked += 1
            found += expected is not None
    assert asked > 2000 and asked > found > asked // 10
