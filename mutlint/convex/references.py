"""Function references as Convex names them: `api.billing.invoices.send` is "billing/invoices:send".

A reference starts at `api` or `internal` imported from Convex's generated `api` module (under
any alias), never at a name alone, so a local object called `api` is not one. The chain may be
written with dots, with string subscripts (`api["billing/invoices"].send`) and through casts
(`(api.newsletters as any).archive`), as real apps do.

This module also holds the few syntax helpers the other Convex model modules share (imports,
casts, string literals, call arguments).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import tree_sitter

from mutlint.project import Project
from mutlint.source import TYPESCRIPT, SourceFile, ts_language

# Expressions that only change the static type (or add parentheses) around the value they wrap.
TRANSPARENT = frozenset({
    "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
    "type_assertion",
})
ROOT_VISIBILITY = {"api": "public", "internal": "internal"}

_IMPORTS = """
(import_statement
  (import_clause (named_imports (import_specifier name: (_) @imported alias: (_)? @local)))
  source: (string (string_fragment) @module))
(import_statement (import_clause (identifier) @default) source: (string (string_fragment) @module))
(import_statement
  (import_clause (namespace_import (identifier) @namespace)) source: (string (string_fragment) @module))
"""
# Where a chain can start: the root identifier is the object of the first member access, or is
# wrapped in a cast or parentheses that the first access then applies to.
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


@dataclass(frozen=True)
class FunctionRef:
    function_id: str  # "module/path:export"
    visibility: str  # "public" for api, "internal" for internal
    node: tree_sitter.Node


@dataclass(frozen=True)
class Import:
    local: str  # the name the importing file uses
    imported: str  # the exported name, "default" for a default import, "*" for a namespace
    module: str  # the specifier as written


# ---------------------------------------------------------------- shared syntax helpers


@cache
def _query(language: str, source: str) -> tree_sitter.Query:
    return tree_sitter.Query(ts_language(language), source)


def query_matches(file: SourceFile, source: str) -> list[dict[str, list[tree_sitter.Node]]]:
    """The captures of every match of a query compiled once per language."""
    cursor = tree_sitter.QueryCursor(_query(file.language, source))
    return [captures for _, captures in cursor.matches(file.root)]


def file_imports(file: SourceFile) -> dict[str, Import]:
    """Every name the file imports, by local name (the last import wins, as in a broken file)."""
    found: dict[str, Import] = {}
    for captures in query_matches(file, _IMPORTS):
        module = file.text(captures["module"][0])
        if "default" in captures:
            local = file.text(captures["default"][0])
            found[local] = Import(local, "default", module)
        elif "namespace" in captures:
            local = file.text(captures["namespace"][0])
            found[local] = Import(local, "*", module)
        else:
            imported = string_value(file, captures["imported"][0]) or file.text(captures["imported"][0])
            local = file.text(captures["local"][0]) if captures.get("local") else imported
            found[local] = Import(local, imported, module)
    return found


def project_imports(project: Project, file: SourceFile) -> dict[str, Import]:
    return project.memo(("imports", file.relpath), lambda: file_imports(file))


def imported_as(imports: dict[str, Import], module: str, name: str) -> set[str]:
    """The local names bound to export `name` of `module` (`defineTable`, `cronJobs`, ...)."""
    return {imp.local for imp in imports.values() if imp.module == module and imp.imported == name}


def unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    """The value inside any casts and parentheses."""
    while node.type in TRANSPARENT and (inner := wrapped_expression(node)) is not None:
        node = inner
    return node


def wrapped_expression(node: tree_sitter.Node) -> tree_sitter.Node | None:
    children = [c for c in node.named_children if c.type != "comment"]
    if not children:
        return None
    # `<T>x` puts the type first; every other wrapper puts the expression first.
    return children[-1] if node.type == "type_assertion" else children[0]


def string_value(file: SourceFile, node: tree_sitter.Node) -> str | None:
    """The value of a string literal or a template without substitutions, escapes left as written."""
    if node.type == "string" or (node.type == "template_string" and not any(
            c.type == "template_substitution" for c in node.named_children)):
        return file.text(node)[1:-1]
    return None


def call_arguments(call: tree_sitter.Node) -> list[tree_sitter.Node]:
    """A call's arguments without the comments tree-sitter keeps among them."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return []
    return [a for a in arguments.named_children if a.type != "comment"]


def member_name_and_value(file: SourceFile, member: tree_sitter.Node
                          ) -> tuple[str, tree_sitter.Node, tree_sitter.Node] | None:
    """(name, key node, value node) of an object's `name: value` or shorthand `{ name }`."""
    if member.type == "shorthand_property_identifier":
        return file.text(member), member, member
    key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
    if member.type != "pair" or key is None or value is None or key.type == "computed_property_name":
        return None
    name = string_value(file, key)
    return name if name is not None else file.text(key), key, value


def normalized_code(file: SourceFile, node: tree_sitter.Node) -> str:
    return " ".join(file.text(node).split())


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
    for captures in query_matches(file, _TS_ROOTS if file.language == TYPESCRIPT else _ROOTS):
        root = captures["root"][0]
        if file.text(root) not in roots:
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
