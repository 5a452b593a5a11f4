"""Syntax helpers shared by the Convex model: queries compiled once, imports, literals.

Small, generic and tree-sitter only: no Convex knowledge lives here.
"""

from __future__ import annotations

from functools import cache

import tree_sitter

from mutlint.bundled_queries import BUNDLED, Captures, keep_matches, kept_matches, source_of_patterns
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import SourceFile, compiled_query, ts_language, walk_query, walking_queries
from mutlint.source import query_matches as run_query

# Expressions that only change the static type (or add parentheses) around the value they wrap.
TRANSPARENT = frozenset({
    "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
    "type_assertion",
})
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

class Import(Record):
    local: str  # the name the importing file uses
    imported: str  # the exported name, "default" for a default import, "*" for a namespace
    module: str  # the specifier as written




def keep_only(source: str, capture: str, names) -> str:
    """`source` with every top-level pattern keeping only matches whose @capture's text is one of
    `names`: tree-sitter drops the rest itself, where Python used to receive every call of a file
    to keep a few. The caller still tests the names; this only removes work."""
    listed = " ".join(f'"{name}"' for name in sorted(names))
    starts, depth = [], 0
    for index, char in enumerate(source):  # the queries here hold no strings or comments
        if char == "(":
            if depth == 0:
                starts.append(index)
            depth += 1
        elif char == ")":
            depth -= 1
    # A pattern runs to the next one's start, so its own top-level capture goes with it.
    ends = [*starts[1:], len(source)]
    patterns = [source[start:end].strip() for start, end in zip(starts, ends, strict=True)]
    return "".join(f"({pattern} (#any-of? @{capture} {listed}))\n" for pattern in patterns)


# The queries the model asks of nearly every file of a language run in one walk
# (mutlint/bundled_queries.py): bundle_query registers one.


@cache
def _bundle(language: str, sources: tuple[str, ...], walking: bool) -> tuple[str, list[int]]:
    """The sources as one query's text, and for each of its patterns the index of its source.
    Walked (a run of a few files), the text is typed; compiled, each source is lightened by
    itself, so that the offsets are the compiled text's. Either way a pattern's index is the
    same, so the second also serves a tree the walk hands back to tree-sitter."""
    if walking:
        text = "\n".join(sources)
        walk = walk_query(language, text)
        if walk is not None:
            return text, source_of_patterns(walk, sources)
    from mutlint.light_queries import lighten  # compiles only (source.py)

    grammar = ts_language(language)
    lightened = tuple(lighten(source, grammar) for source in sources)
    text = "\n".join(lightened)
    return text, source_of_patterns(compiled_query(language, text), lightened)


def query_matches(file: SourceFile, source: str) -> list[dict[str, list[tree_sitter.Node]]]:
    """The captures of every match of a query compiled once per language, in the order the
    query alone gives them (bundled queries: one walk for all of them, kept with the file,
    which the rules' walk may have made already)."""
    bundled = BUNDLED.get(file.language)
    if bundled is None or source not in bundled:
        return query_matches_alone(file, source)
    found = kept_matches(file)
    if found is None:
        sources = tuple(bundled)
        text, source_of = _bundle(file.language, sources, walking_queries())
        found = {each: [] for each in sources}
        for pattern, captures in run_query(file.language, text, file.root):
            found[sources[source_of[pattern]]].append(captures)
        keep_matches(file, found)
    return found[source] if source in found else query_matches_alone(file, source)


def query_matches_alone(file: SourceFile, source: str) -> list[dict[str, list[tree_sitter.Node]]]:
    """A query run by itself (a source bundled after the file's bundle ran)."""
    return matches_in(file, source, file.root)


def matches_in(file: SourceFile, source: str, node: tree_sitter.Node) -> list[Captures]:
    """The captures of each match of a query (compiled once per language) within `node`."""
    return [captures for _, captures in run_query(file.language, source, node)]


def file_imports(file: SourceFile) -> dict[str, Import]:
    """Every name the file imports, by local name (the last import wins, as in a broken file)."""
    found = file.derived.get("imports")
    if found is None:
        found = file.derived["imports"] = _find_imports(file)
    return found


def _find_imports(file: SourceFile) -> dict[str, Import]:
    found: dict[str, Import] = {}
    if file.root.has_error:  # an import may hang below an ERROR node: search the whole tree
        matches = query_matches(file, _IMPORTS)
    else:  # imports are top-level statements: the query need not walk every function body
        matches = []
        for node in file.root.children:
            if node.type == "import_statement":
                matches.extend(_import_matches(file, node))
    for captures in matches:
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


def _import_matches(file: SourceFile, statement: tree_sitter.Node) -> list[Captures]:
    """What _IMPORTS matches in one import statement of a tree without errors, read off its
    few children: compiling that query cost a pre-commit check about 12 ms, more than reading
    every import of a file this way. A source string of another shape than one fragment (an
    escape in it) is left to the query."""
    source = statement.child_by_field_name("source")
    if source is None or source.type != "string":
        return []  # a bare `import x = require(...)`: none of the query's patterns
    fragments = source.named_children
    if not fragments:
        return []  # `from ""`: the query needs a fragment
    if len(fragments) != 1 or fragments[0].type != "string_fragment":
        return matches_in(file, _IMPORTS, statement)
    module = [fragments[0]]
    defaults: list[Captures] = []
    namespaces: list[Captures] = []
    named: list[Captures] = []
    for clause in statement.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                defaults.append({"default": [part], "module": module})
            elif part.type == "namespace_import":
                namespaces.extend({"namespace": [name], "module": module}
                                  for name in part.named_children if name.type == "identifier")
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    name = specifier.child_by_field_name("name") \
                        if specifier.type == "import_specifier" else None
                    if name is None:
                        continue
                    alias = specifier.child_by_field_name("alias")
                    named.append({"imported": [name], "module": module,
                                  **({"local": [alias]} if alias is not None else {})})
    # The query's order: its patterns' matches end together, at the source, in pattern order.
    return [*named, *defaults, *namespaces]


def project_imports(project: Project, file: SourceFile) -> dict[str, Import]:
    return project.memo(("imports", file.relpath), lambda: file_imports(file))


def imported_names(project: Project, file: SourceFile) -> dict[str, tuple[str, str]]:
    """Names this file imports from other project files: local name -> (relpath, export)."""
    def build() -> dict[str, tuple[str, str]]:
        imported = {}
        for local, spec in project_imports(project, file).items():
            target = project.resolve_import(file.relpath, spec.module)
            if target is not None:
                imported[local] = (target, spec.imported)
        return imported

    return project.memo(("imported-names", file.relpath), build)


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
