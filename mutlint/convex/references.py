"""Function references as Convex names them: `api.billing.invoices.send` is "billing/invoices:send".

A reference starts at `api` or `internal` imported from Convex's generated `api` module (under
any alias), never at a name alone, so a local object called `api` is not one. The chain may be
written with dots, with string subscripts (`api["billing/invoices"].send`) and through casts
(`(api.newsletters as any).archive`), as real apps do.
"""

from __future__ import annotations

import tree_sitter

from mutlint.convex.syntax import (  # noqa: F401  (re-exported for the model's modules)
    TRANSPARENT,
    Import,
    call_arguments,
    file_imports,
    imported_as,
    member_name_and_value,
    normalized_code,
    project_imports,
    query_matches,
    string_value,
    unwrap,
    wrapped_expression,
)
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import TYPESCRIPT, SourceFile

ROOT_VISIBILITY = {"api": "public", "internal": "internal"}

_ROOTS = """
(member_expression object: (identifier) @root)
(subscript_expression object: (identifier) @root)
(parenthesized_expression (identifier) @root)
(as_expression . (identifier) @root)
(satisfies_expression . (identifier) @root)
(non_null_expression (identifier) @root)
"""
# `<T>x` exists only in the TypeScript grammar (in TSX it would be JSX), so only it is asked.
_TS_ROOTS = _ROOTS + "(type_assertion (identifier) @root)\n"
# The roots nearly every file uses, `api` and `internal` themselves, are found in the bytes
# (plain_roots), and _starts_chain tests their place: the seven patterns above as a query cost
# every check of a functions-dir file 11 ms of compiling, and `(identifier)` filtered by name
# in the query made tree-sitter test the text of every identifier of every functions-dir file
# (14% of the query's matching in a cold check). An alias needs the full query.
_ROOT_NAMES = tuple(name.encode() for name in sorted(ROOT_VISIBILITY))
_CHAIN_OBJECT = frozenset({"member_expression", "subscript_expression"})
# A cast's other child is a type, never an identifier: any identifier child is its operand.
_CHAIN_WRAPPER = frozenset({"parenthesized_expression", "non_null_expression", "type_assertion",
                            "as_expression", "satisfies_expression"})


def plain_roots(file: SourceFile) -> list[tree_sitter.Node]:
    """The identifiers `api` and `internal`, in document order: what the query `(identifier)`
    filtered by those names finds. Each occurrence of the bytes is looked up in the tree, and
    kept where the smallest node spanning it is an identifier of exactly those bytes (not
    `apiKey`, not text in a string or comment)."""
    found = []
    data, root = file.data, file.root
    for name in _ROOT_NAMES:
        at = data.find(name)
        while at != -1:
            end = at + len(name)
            node = root.descendant_for_byte_range(at, end)
            if node is not None and node.type == "identifier" and node.start_byte == at \
                    and node.end_byte == end:
                found.append(node)
            at = data.find(name, end)
    found.sort(key=lambda node: node.start_byte)
    return found


def _starts_chain(root: tree_sitter.Node) -> bool:
    """Where _ROOTS (and _TS_ROOTS) would match the identifier: the object of a member access
    or subscript, or what parentheses, `!`, `<T>`, `as` or `satisfies` wrap."""
    parent = root.parent
    if parent is None:
        return False
    if parent.type in _CHAIN_OBJECT:
        found = parent.child_by_field_name("object")
        return found is not None and found.id == root.id
    return parent.type in _CHAIN_WRAPPER


class FunctionRef(Record):
    function_id: str  # "module/path:export"
    visibility: str  # "public" for api, "internal" for internal
    node: tree_sitter.Node


# ---------------------------------------------------------------- references


def is_generated_api_module(module: str) -> bool:
    return module.endswith("_generated/api") or module.endswith("_generated/api.js")


# One entry is enough: callers ask about many nodes of one file before moving to the next, and
# holding the file keeps its id from being reused by another file.
_last_roots: tuple[SourceFile, dict[str, str]] | None = None


def api_roots(file: SourceFile) -> dict[str, str]:
    """Local names bound to `api` / `internal` from the generated api module -> visibility."""
    global _last_roots
    if _last_roots is not None and _last_roots[0] is file:
        return _last_roots[1]
    roots: dict[str, str] = {}
    if b"_generated/api" in file.data:
        for imp in file_imports(file).values():
            if is_generated_api_module(imp.module) and imp.imported in ROOT_VISIBILITY:
                roots[imp.local] = ROOT_VISIBILITY[imp.imported]
    _last_roots = (file, roots)
    return roots


def _chain(file: SourceFile, node: tree_sitter.Node) -> tuple[str, list[str]] | None:
    """The root identifier and the property names of a member chain, outermost last."""
    segments: list[str] = []
    current = unwrap(node)
    while current.type != "identifier":
        if current.type == "member_expression":
            prop = current.child_by_field_name("property")
            if prop is None or prop.type != "property_identifier":
                return None
            segments.append(file.text(prop))
        elif current.type == "subscript_expression":
            index = current.child_by_field_name("index")
            name = string_value(file, index) if index is not None else None
            if name is None:
                return None
            segments.append(name)
        else:
            return None
        inner = current.child_by_field_name("object")
        if inner is None:
            return None
        current = unwrap(inner)
    segments.reverse()
    return file.text(current), segments


def function_ref(file: SourceFile, node: tree_sitter.Node) -> FunctionRef | None:
    """The Convex function `node` refers to, if it is a reference to one (not to a module)."""
    chain = _chain(file, node)
    if chain is None:
        return None
    root, segments = chain
    visibility = api_roots(file).get(root)
    if visibility is None or len(segments) < 2:
        return None
    function_id = "/".join(segments[:-1]) + ":" + segments[-1]
    return FunctionRef(function_id=function_id, visibility=visibility, node=node)


def _chain_top(file: SourceFile, root: tree_sitter.Node) -> tree_sitter.Node:
    """The outermost member access of the chain that starts at `root` (trailing casts left out)."""
    top = current = root
    while (parent := current.parent) is not None:
        if parent.type in TRANSPARENT:
            if wrapped_expression(parent) != current:
                break
        elif parent.type in ("member_expression", "subscript_expression"):
            if parent.child_by_field_name("object") != current:
                break
            if parent.type == "subscript_expression":
                index = parent.child_by_field_name("index")
                if index is None or string_value(file, index) is None:
                    break
            top = parent
        else:
            break
        current = parent
    return top


def references_in(project: Project, file: SourceFile) -> list[FunctionRef]:
    """Every maximal function reference in the file, in document order."""
    return project.memo(("function-references", file.relpath), lambda: _find_references(file))


def _find_references(file: SourceFile) -> list[FunctionRef]:
    roots = api_roots(file)
    if not roots:
        return []
    tops: dict[tuple[int, int], tree_sitter.Node] = {}
    plain = roots.keys() <= ROOT_VISIBILITY.keys()
    if plain:
        found_roots = plain_roots(file)
    else:
        source = _TS_ROOTS if file.language == TYPESCRIPT else _ROOTS
        found_roots = [captures["root"][0] for captures in query_matches(file, source)]
    for root in found_roots:
        if file.text(root) not in roots or (plain and not _starts_chain(root)):
            continue
        top = _chain_top(file, root)
        # `typeof api.x.y` in a type names the function's type; nothing runs it.
        if top.parent is not None and top.parent.type == "type_query":
            continue
        tops[(top.start_byte, top.end_byte)] = top
    found = []
    for key in sorted(tops):
        ref = function_ref(file, tops[key])
        if ref is not None:
            found.append(ref)
    return found
