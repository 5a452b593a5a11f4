"""The schema: tables, their fields, their `v.id` edges and their indexes.

Apps write `defineSchema({...})` in `schema.ts`, but tables are often built elsewhere: bound to a
constant, imported from another module, or spread in from an object of tables (`...authTables`
from a package). Identifiers are followed across project files through their imports; what comes
from a package cannot be read and is recorded as an external spread, so a rule can tell "no such
table" from "a table we could not see".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter

from mutlint.convex.references import (
    call_arguments,
    file_imports,
    imported_as,
    normalized_code,
    query_matches,
    string_value,
    unwrap,
)
from mutlint.project import Project
from mutlint.source import SourceFile

INDEX_METHODS = ("index", "searchIndex", "vectorIndex")
# Validator wrappers through which a field still holds an id of one table.
ID_WRAPPERS = ("optional", "union", "array")
MAX_HOPS = 32  # identifiers followed per lookup; import cycles end here instead of looping
_DEFAULT = "\0default"  # the binding of `export default <expr>`, which has no name of its own

_CALLS = "(call_expression function: (identifier) @callee) @call"


@dataclass
class Table:
    name: str
    relpath: str  # the file holding key_node (the schema file)
    key_node: tree_sitter.Node  # the key inside defineSchema({...}), or the spread it came from
    fields: dict[str, str] = field(default_factory=dict)  # field -> validator code
    id_fields: dict[str, str] = field(default_factory=dict)  # field -> table its v.id names
    indexes: dict[str, list[str]] = field(default_factory=dict)  # index (any kind) -> fields


@dataclass
class Schema:
    relpath: str
    tables: dict[str, Table] = field(default_factory=dict)
    external_spreads: list[str] = field(default_factory=list)  # "...authTables"


@dataclass
class _Bindings:
    """What a file's top level binds and exports, for following identifiers."""

    values: dict[str, tree_sitter.Node]  # const/let/var name -> initialiser
    exports: dict[str, str]  # exported name -> local name
    reexports: dict[str, tuple[str, str]]  # exported name -> (specifier, name there)
    star_sources: list[str]  # `export * from "..."`


@dataclass(frozen=True)
class _Resolved:
    file: SourceFile | None  # None when the value comes from outside the project
    node: tree_sitter.Node | None


def id_field_table(schema: Schema, table: str, field_name: str) -> str | None:
    found = schema.tables.get(table)
    return found.id_fields.get(field_name) if found is not None else None


def project_schema(project: Project) -> Schema | None:
    return project.memo(("schema",), lambda: _find_schema(project))


def _schema_candidates(project: Project) -> list[SourceFile]:
    prefix = project.convex_dir + "/" if project.convex_dir else ""
    preferred = [project.file(prefix + name) for name in ("schema.ts", "schema.js")
                 if prefix + name in project.sources]
    others = [f for f in project.convex_files() if b"defineSchema" in f.data]
    return [f for f in [*preferred, *others] if f is not None]


def _find_schema(project: Project) -> Schema | None:
    for file in _schema_candidates(project):
        callees = imported_as(file, "convex/server", "defineSchema")
        for captures in query_matches(file, _CALLS):
            if file.text(captures["callee"][0]) not in callees:
                continue
            arguments = call_arguments(captures["call"][0])
            resolved = _resolve(project, file, arguments[0]) if arguments else None
            if resolved is not None and resolved.file is not None and resolved.node.type == "object":
                return _read_schema(project, file, resolved.file, resolved.node)
    return None


def _read_schema(project: Project, schema_file: SourceFile, file: SourceFile,
                 tables: tree_sitter.Node) -> Schema:
    schema = Schema(relpath=schema_file.relpath)
    # (file, member, spread in the schema it came through); popped in source order.
    stack = [(file, member, None) for member in reversed(tables.named_children)]
    while stack:
        file, member, through = stack.pop()
        if member.type == "spread_element":
            expression = member.named_children[0] if member.named_children else None
            resolved = _resolve(project, file, expression) if expression is not None else None
            if resolved is None or resolved.file is None or resolved.node.type != "object":
                schema.external_spreads.append(normalized_code(file, member))
                continue
            stack.extend((resolved.file, inner, through or member)
                         for inner in reversed(resolved.node.named_children))
            continue
        named = _member_name_and_value(file, member)
        if named is None:
            continue
        name, key, value = named
        table = Table(name=name, relpath=schema_file.relpath, key_node=through or key)
        _read_table(project, file, value, table)
        schema.tables[name] = table
    return schema


def _member_name_and_value(file: SourceFile, member: tree_sitter.Node
                           ) -> tuple[str, tree_sitter.Node, tree_sitter.Node] | None:
    """(name, key node, value node) of `name: value` or the shorthand `{ name }`."""
    if member.type == "shorthand_property_identifier":
        return file.text(member), member, member
    if member.type != "pair":
        return None
    key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
    if key is None or value is None or key.type == "computed_property_name":
        return None
    return string_value(file, key) or file.text(key), key, value


def _read_table(project: Project, file: SourceFile, value: tree_sitter.Node, table: Table) -> None:
    """Fill in fields and indexes from `defineTable(...)` and the index calls chained on it."""
    indexes: list[tuple[str, list[str]]] = []  # outermost call first
    node: tree_sitter.Node | None = value
    for _ in range(MAX_HOPS):
        resolved = _resolve(project, file, node)
        if resolved is None or resolved.file is None or resolved.node.type != "call_expression":
            return
        file, node = resolved.file, resolved.node
        callee = node.child_by_field_name("function")
        arguments = call_arguments(node)
        if callee is not None and callee.type == "identifier":
            if file.text(callee) in imported_as(file, "convex/server", "defineTable") and arguments:
                _read_fields(project, file, arguments[0], table)
                for name, fields in reversed(indexes):
                    table.indexes[name] = fields
            return
        if callee is None or callee.type != "member_expression":
            return
        method = callee.child_by_field_name("property")
        if method is None or file.text(method) not in INDEX_METHODS:
            return
        index = _index(file, file.text(method), arguments)
        if index is not None:
            indexes.append(index)
        node = callee.child_by_field_name("object")


def _index(file: SourceFile, method: str, arguments: list[tree_sitter.Node]
           ) -> tuple[str, list[str]] | None:
    """`.index("n", ["a"])`, `.index("n", { fields })`, `.searchIndex("n", { searchField,
    filterFields })`, `.vectorIndex("n", { vectorField, filterFields })`."""
    name = string_value(file, arguments[0]) if arguments else None
    if name is None or len(arguments) < 2:
        return None
    config = unwrap(arguments[1])
    if config.type == "array":
        return name, _strings(file, config)
    if config.type != "object":
        return None
    options = {key: value for member in config.named_children
               if (named := _member_name_and_value(file, member)) is not None
               for key, _, value in [named]}
    first = {"index": "fields", "searchIndex": "searchField", "vectorIndex": "vectorField"}[method]
    fields: list[str] = []
    if first in options:
        target = unwrap(options[first])
        single = string_value(file, target)
        fields.extend([single] if single is not None else _strings(file, target))
    if "filterFields" in options:
        fields.extend(_strings(file, unwrap(options["filterFields"])))
    return name, fields


def _strings(file: SourceFile, array: tree_sitter.Node) -> list[str]:
    if array.type != "array":
        return []
    return [s for element in array.named_children if (s := string_value(file, element)) is not None]


def _validator_call(file: SourceFile, node: tree_sitter.Node
                    ) -> tuple[str, list[tree_sitter.Node]] | None:
    """("id", [args]) for `v.id("t")`: the method and arguments of a call on the `v` namespace."""
    if node.type != "call_expression":
        return None
    callee = node.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    receiver, method = callee.child_by_field_name("object"), callee.child_by_field_name("property")
    if receiver is None or method is None or receiver.type != "identifier":
        return None
    if file.text(receiver) not in imported_as(file, "convex/values", "v") | {"v"}:
        return None
    return file.text(method), call_arguments(node)


def _read_fields(project: Project, file: SourceFile, argument: tree_sitter.Node, table: Table) -> None:
    """Fields of an object literal, `v.object({...})` or `v.union` of those, spreads included."""
    pending = [(file, argument)]
    while pending:
        file, node = pending.pop()
        resolved = _resolve(project, file, node)
        if resolved is None or resolved.file is None:
            continue
        file, node = resolved.file, resolved.node
        call = _validator_call(file, node)
        if call is not None and call[0] in ("object", "union"):
            pending.extend((file, a) for a in reversed(call[1]))
            continue
        if node.type != "object":
            continue
        for member in reversed(node.named_children):
            if member.type == "spread_element" and member.named_children:
                pending.append((file, member.named_children[0]))
                continue
            named = _member_name_and_value(file, member)
            if named is None or named[0] in table.fields:
                continue  # the first union member to declare a field wins
            name, _, value = named
            table.fields[name] = normalized_code(file, value)
            target = _id_table(project, file, value)
            if target is not None:
                table.id_fields[name] = target
        # Members are pushed in reverse, but spreads and union members must keep source order.
        pending[len(pending) - sum(1 for m in node.named_children if m.type == "spread_element"):] = \
            reversed(pending[len(pending) - sum(1 for m in node.named_children
                                                  if m.type == "spread_element"):])


def _id_table(project: Project, file: SourceFile, value: tree_sitter.Node) -> str | None:
    """The one table a field's ids point to through optional/union/array, else None."""
    tables: set[str] = set()
    pending = [(file, value)]
    for _ in range(MAX_HOPS):
        if not pending:
            break
        file, node = pending.pop()
        resolved = _resolve(project, file, node)
        if resolved is None or resolved.file is None:
            continue
        call = _validator_call(resolved.file, resolved.node)
        if call is None:
            continue
        method, arguments = call
        if method == "id" and arguments:
            table = string_value(resolved.file, arguments[0])
            if table is not None:
                tables.add(table)
        elif method in ID_WRAPPERS:
            pending.extend((resolved.file, a) for a in arguments)
    return tables.pop() if len(tables) == 1 else None


def _bindings(project: Project, file: SourceFile) -> _Bindings:
    return project.memo(("schema-bindings", file.relpath), lambda: _read_bindings(file))


def _read_bindings(file: SourceFile) -> _Bindings:
    bindings = _Bindings(values={}, exports={}, reexports={}, star_sources=[])
    for statement in file.root.named_children:
        exported = statement.type == "export_statement"
        source = statement.child_by_field_name("source") if exported else None
        declaration = statement.child_by_field_name("declaration") if exported else statement
        default = statement.child_by_field_name("value") if exported else None
        if default is not None:
            bindings.values[_DEFAULT] = default
            bindings.exports["default"] = _DEFAULT
        if declaration is not None and declaration.type in ("lexical_declaration",
                                                            "variable_declaration"):
            for declarator in declaration.named_children:
                name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if name is not None and value is not None and name.type == "identifier":
                    bindings.values[file.text(name)] = value
                    if exported:
                        bindings.exports[file.text(name)] = file.text(name)
        clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
        if exported and source is not None and clause is None:
            bindings.star_sources.append(string_value(file, source) or "")
        for specifier in clause.named_children if clause is not None else []:
            name, alias = specifier.child_by_field_name("name"), specifier.child_by_field_name("alias")
            if name is None:
                continue
            public = file.text(alias or name)
            if source is not None:
                bindings.reexports[public] = (string_value(file, source) or "", file.text(name))
            else:
                bindings.exports[public] = file.text(name)
    return bindings


def _resolve(project: Project, file: SourceFile, node: tree_sitter.Node) -> _Resolved | None:
    """The expression an identifier is bound to, followed through project imports and re-exports.

    Returns the node itself when it is not an identifier, `_Resolved(None, None)` when the
    binding comes from a package, and None when it cannot be found."""
    node = unwrap(node)
    if node.type != "identifier":
        return _Resolved(file, node)
    name, exported = file.text(node), False  # look `name` up among locals, or among exports
    for _ in range(MAX_HOPS):
        bindings = _bindings(project, file)
        if exported:
            if name in bindings.exports:
                name, exported = bindings.exports[name], False
                continue
            specifier, name = bindings.reexports.get(name) or (_star_source(project, file, name), name)
        elif name in bindings.values:
            node = unwrap(bindings.values[name])
            if node.type != "identifier":
                return _Resolved(file, node)
            name = file.text(node)
            continue
        else:
            imported = file_imports(file).get(name)
            if imported is None or imported.imported == "*":
                return None
            specifier, name = imported.module, imported.imported
        if specifier is None:
            return None
        target = project.resolve_import(file.relpath, specifier)
        if target is None:
            return _Resolved(None, None)
        next_file = project.file(target)
        if next_file is None:
            return None
        file, exported = next_file, True
    return None


def _star_source(project: Project, file: SourceFile, name: str) -> str | None:
    """The `export * from` source that declares `name` itself (one level deep)."""
    for specifier in _bindings(project, file).star_sources:
        target = project.resolve_import(file.relpath, specifier)
        found = project.file(target) if target is not None else None
        if found is not None and name in _bindings(project, found).exports:
            return specifier
    return None
