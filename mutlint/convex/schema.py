"""The schema: tables, their fields, their `v.id` edges and their indexes.

Apps write `defineSchema({...})` in `schema.ts`, but tables are often built elsewhere: bound to a
constant, imported from another module, or spread in from an object of tables (`...authTables`
from a package). Identifiers are followed across project files through their imports; a spread
that cannot be read is recorded as external, so a rule can tell "no such table" from "a table we
could not see".
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import tree_sitter

from mutlint.convex import references as syntax
from mutlint.project import Project
from mutlint.source import SourceFile

# Index-defining methods -> the option naming their first field(s); filterFields may follow.
INDEX_FIELDS = {"index": "fields", "searchIndex": "searchField", "vectorIndex": "vectorField"}
ID_WRAPPERS = ("optional", "union", "array")  # a field inside these still holds ids of one table
MAX_HOPS = 32  # names followed per lookup: an import cycle ends here instead of looping
_DEFAULT = "\0default"  # the binding of `export default <expr>`, which has no name of its own
_CALLS = "(call_expression function: (identifier) @callee) @call"

Located = tuple[SourceFile, tree_sitter.Node]


class Table:
    name: str
    relpath: str  # the file holding key_node (the schema file)
    key_node: tree_sitter.Node  # the key inside defineSchema({...}), or the spread it came from
    fields: dict[str, str]  # field -> validator code
    id_fields: dict[str, str]  # field -> table its v.id names
    indexes: dict[str, list[str]]  # index (any kind) -> fields

    def __init__(self, name: str, relpath: str, key_node: tree_sitter.Node,
                 fields: dict[str, str] | None = None, id_fields: dict[str, str] | None = None,
                 indexes: dict[str, list[str]] | None = None) -> None:
        self.name = name
        self.relpath = relpath
        self.key_node = key_node
        self.fields = {} if fields is None else fields
        self.id_fields = {} if id_fields is None else id_fields
        self.indexes = {} if indexes is None else indexes


class Schema:
    relpath: str
    tables: dict[str, Table]
    external_spreads: list[str]  # "...authTables"

    def __init__(self, relpath: str, tables: dict[str, Table] | None = None,
                 external_spreads: list[str] | None = None) -> None:
        self.relpath = relpath
        self.tables = {} if tables is None else tables
        self.external_spreads = [] if external_spreads is None else external_spreads


class _Bindings:  # what a file's top level binds and exports, for following identifiers
    values: dict[str, tree_sitter.Node]  # const/let/var name -> initialiser
    exports: dict[str, tuple[str | None, str]]  # name -> (None, local) or (specifier, name there)
    star_sources: list[str]  # `export * from "..."`

    def __init__(self, values: dict[str, tree_sitter.Node], exports: dict[str, tuple[str | None, str]],
                 star_sources: list[str]) -> None:
        self.values = values
        self.exports = exports
        self.star_sources = star_sources


def id_field_table(schema: Schema, table: str, field_name: str) -> str | None:
    found = schema.tables.get(table)
    return found.id_fields.get(field_name) if found is not None else None


def project_schema(project: Project) -> Schema | None:
    return project.memo(("schema",), lambda: _find_schema(project))


def schema_id_fields(project: Project) -> dict[str, dict[str, str]] | None:
    """Each table of the schema with its `v.id` fields (field -> the table it names), None
    without a schema: what table inference asks of the schema, as plain data kept in the
    cache while every file it was read from is unchanged. A pre-commit check of one mutation
    file parsed the schema (and any file its tables come from) for it: 17 M instructions of
    300 M."""
    return project.stored(("schema-id-fields",), partial(_id_fields, project), _as_is,
                          _decoded_id_fields)


def _id_fields(project: Project) -> dict[str, dict[str, str]] | None:
    schema = project_schema(project)
    return None if schema is None else \
        {name: dict(table.id_fields) for name, table in schema.tables.items()}


def _as_is(value: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]] | None:
    return value


def _decoded_id_fields(value: object) -> dict[str, dict[str, str]] | None:
    if value is None:
        return None
    if type(value) is not dict or not all(
            type(table) is str and type(fields) is dict
            and all(type(field) is str and type(target) is str for field, target in fields.items())
            for table, fields in value.items()):
        raise ValueError("not a schema's id fields")
    return value


def _schema_files(project: Project) -> Iterator[SourceFile]:
    """schema.ts first; the other convex files only if it has no schema (so rarely parsed)."""
    prefix = project.convex_dir + "/" if project.convex_dir else ""
    preferred = [prefix + name for name in ("schema.ts", "schema.js") if prefix + name in project.sources]
    yield from filter(None, map(project.file, preferred))
    # By their bytes: a file parsed here stays parsed (the schema holds its nodes).
    yield from (f for relpath in project.convex_relpaths() if relpath not in preferred
                and b"defineSchema" in (project.raw(relpath) or b"") and (f := project.file(relpath)))


def _find_schema(project: Project) -> Schema | None:
    for file in _schema_files(project):
        callees = _names(project, file, "convex/server", "defineSchema")
        for captures in syntax.query_matches(file, _CALLS):
            if file.text(captures["callee"][0]) in callees:
                arguments = syntax.call_arguments(captures["call"][0])
                found = _resolve(project, file, arguments[0]) if arguments else None
                if found is not None and found[1].type == "object":
                    return _read_schema(project, file, found)
    return None


def _read_schema(project: Project, schema_file: SourceFile, tables: Located) -> Schema:
    schema = Schema(relpath=schema_file.relpath)
    seen: set[tuple[str, int, int]] = set()  # objects of tables already spread, so `...self` ends
    # (file, member, the spread in defineSchema it came through), popped in source order
    stack = [(tables[0], member, None) for member in reversed(tables[1].named_children)]
    while stack:
        file, member, through = stack.pop()
        if member.type == "spread_element":
            found = _resolve(project, file, member.named_children[0]) if member.named_children else None
            if found is None or found[1].type != "object":
                # From a package, or built by code we do not run: its tables stay unknown.
                schema.external_spreads.append(syntax.normalized_code(file, member))
            elif _first_visit(found, seen):
                stack.extend((found[0], inner, through or member)
                             for inner in reversed(found[1].named_children))
            continue
        named = syntax.member_name_and_value(file, member)
        if named is not None:
            table = Table(name=named[0], relpath=schema_file.relpath, key_node=through or named[1])
            _read_table(project, (file, named[2]), table)
            schema.tables[table.name] = table
    return schema


def _read_table(project: Project, value: Located, table: Table) -> None:
    """Fields and indexes from `defineTable(...)` and the index calls chained on it."""
    indexes: list[tuple[str, list[str]]] = []  # outermost call first
    found: Located | None = value
    for _ in range(MAX_HOPS):
        found = _resolve(project, *found) if found is not None else None
        if found is None or found[1].type != "call_expression":
            return
        file, call = found
        callee, arguments = call.child_by_field_name("function"), syntax.call_arguments(call)
        if callee is not None and callee.type == "identifier":
            if arguments and file.text(callee) in _names(project, file, "convex/server", "defineTable"):
                _read_fields(project, (file, arguments[0]), table)
                table.indexes.update(reversed(indexes))
            return
        method = callee.child_by_field_name("property") if callee is not None else None
        if callee is None or callee.type != "member_expression" or method is None \
                or file.text(method) not in INDEX_FIELDS:
            return
        index = _index(file, file.text(method), arguments)
        if index is not None:
            indexes.append(index)
        receiver = callee.child_by_field_name("object")
        found = (file, receiver) if receiver is not None else None


def _index(file: SourceFile, method: str, arguments: list[tree_sitter.Node]
           ) -> tuple[str, list[str]] | None:
    """`.index("n", ["a"])` or `.index("n", { fields })`, `.searchIndex("n", { searchField,
    filterFields })`, `.vectorIndex("n", { vectorField, filterFields })`."""
    name = syntax.string_value(file, arguments[0]) if len(arguments) >= 2 else None
    if name is None:
        return None
    config = syntax.unwrap(arguments[1])
    if config.type != "object":
        return name, _strings(file, config)
    options = {named[0]: named[2] for member in config.named_children
               if (named := syntax.member_name_and_value(file, member)) is not None}
    return name, _strings(file, options.get(INDEX_FIELDS[method])) + \
        _strings(file, options.get("filterFields"))


def _strings(file: SourceFile, node: tree_sitter.Node | None) -> list[str]:
    """The value of a string literal, or the string literals of an array."""
    node = syntax.unwrap(node) if node is not None else None
    elements = [] if node is None else node.named_children if node.type == "array" else [node]
    return [s for element in elements if (s := syntax.string_value(file, element)) is not None]


def _validator_call(project: Project, file: SourceFile, node: tree_sitter.Node
                    ) -> tuple[str, list[tree_sitter.Node]] | None:
    """("id", [args]) for `v.id("t")`: the method and arguments of a call on the `v` namespace."""
    callee = node.child_by_field_name("function") if node.type == "call_expression" else None
    if callee is None or callee.type != "member_expression":
        return None
    receiver, method = callee.child_by_field_name("object"), callee.child_by_field_name("property")
    if receiver is None or method is None or receiver.type != "identifier" or \
            file.text(receiver) not in _names(project, file, "convex/values", "v") | {"v"}:
        return None
    return file.text(method), syntax.call_arguments(node)


def _read_fields(project: Project, argument: Located, table: Table) -> None:
    """Fields of an object literal, `v.object({...})` or a `v.union` of those, spreads included.

    The stack holds expressions and object members alike, each pushed in reverse, so fields are
    read in source order and a later key overrides an earlier one as it does in JavaScript (in a
    union, the last member that declares a field wins)."""
    pending, seen = [argument], set()  # seen: expanded expressions, so `{ ...self }` ends
    while pending:
        file, node = pending.pop()
        if node.type == "spread_element":
            pending.extend((file, inner) for inner in node.named_children[:1])
        elif node.type in ("pair", "shorthand_property_identifier"):
            named = syntax.member_name_and_value(file, node)
            if named is not None:
                table.fields[named[0]] = syntax.normalized_code(file, named[2])
                table.id_fields.pop(named[0], None)  # a later key replaces an earlier one
                if (target := _id_table(project, (file, named[2]))) is not None:
                    table.id_fields[named[0]] = target
        elif (found := _resolve(project, file, node)) is not None and _first_visit(found, seen):
            call = _validator_call(project, *found)
            if call is not None and call[0] in ("object", "union"):
                pending.extend((found[0], a) for a in reversed(call[1]))
            elif found[1].type == "object":
                pending.extend((found[0], m) for m in reversed(found[1].named_children))


def _id_table(project: Project, value: Located) -> str | None:
    """The one table a field's ids point to through optional/union/array, else None."""
    tables: set[str] = set()
    pending, seen = [value], set()
    while pending:
        found = _resolve(project, *pending.pop())
        call = _validator_call(project, *found) if found is not None and _first_visit(found, seen) else None
        if call is None:
            continue
        method, arguments = call
        if method == "id" and arguments and (name := syntax.string_value(found[0], arguments[0])):
            tables.add(name)
        elif method in ID_WRAPPERS:
            pending.extend((found[0], a) for a in arguments)
    return tables.pop() if len(tables) == 1 else None


def _first_visit(found: Located, seen: set[tuple[str, int, int]]) -> bool:
    key = (found[0].relpath, found[1].start_byte, found[1].end_byte)
    if key in seen:
        return False
    seen.add(key)
    return True


def _names(project: Project, file: SourceFile, module: str, name: str) -> set[str]:
    return syntax.imported_as(syntax.project_imports(project, file), module, name)


def _bindings(project: Project, file: SourceFile) -> _Bindings:
    return project.memo(("schema-bindings", file.relpath), lambda: _read_bindings(file))


def _read_bindings(file: SourceFile) -> _Bindings:
    found = _Bindings(values={}, exports={}, star_sources=[])
    for statement in file.root.named_children:
        exported = statement.type == "export_statement"
        declaration = statement.child_by_field_name("declaration") if exported else statement
        for declarator in declaration.named_children if declaration is not None and \
                declaration.type in ("lexical_declaration", "variable_declaration") else []:
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if name is not None and value is not None and name.type == "identifier":
                found.values[file.text(name)] = value
                if exported:
                    found.exports[file.text(name)] = (None, file.text(name))
        if exported:
            _read_export(file, statement, found)
    return found


def _read_export(file: SourceFile, statement: tree_sitter.Node, found: _Bindings) -> None:
    """`export default x`, `export { a as b }`, `export { a } from "./m"`, `export * from "./m"`."""
    source = statement.child_by_field_name("source")
    specifier = syntax.string_value(file, source) if source is not None else None
    if (default := statement.child_by_field_name("value")) is not None:
        found.values[_DEFAULT], found.exports["default"] = default, (None, _DEFAULT)
    clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
    if clause is None and specifier is not None and statement.named_child_count == 1:
        found.star_sources.append(specifier)  # `export * as ns from` has a second child
    for item in clause.named_children if clause is not None else []:
        name, alias = item.child_by_field_name("name"), item.child_by_field_name("alias")
        if name is not None:
            found.exports[file.text(alias or name)] = (specifier, file.text(name))


def _resolve(project: Project, file: SourceFile, node: tree_sitter.Node) -> Located | None:
    """The expression an identifier is bound to, and its file, followed through project imports
    and re-exports; the node itself if it is not an identifier; None if it is bound outside the
    project (a package) or not at all."""
    node = syntax.unwrap(node)
    if node.type not in ("identifier", "shorthand_property_identifier"):
        return file, node
    name, exported = file.text(node), False  # look `name` up among locals, or among exports
    for _ in range(MAX_HOPS):
        bindings = _bindings(project, file)
        if exported:
            link = bindings.exports.get(name)
            star = _star_source(project, file, name) if link is None else None
            if link is None and star is None:
                return None
            specifier, name = link or (star, name)
        elif name in bindings.values:
            node = syntax.unwrap(bindings.values[name])
            if node.type != "identifier":
                return file, node
            name = file.text(node)
            continue
        else:
            imported = syntax.project_imports(project, file).get(name)
            if imported is None or imported.imported == "*":
                return None
            specifier, name = imported.module, imported.imported
        if specifier is None:  # exported from a binding of this file
            exported = False
            continue
        target = project.resolve_import(file.relpath, specifier)
        next_file = project.file(target) if target is not None else None
        if next_file is None:
            return None
        file, exported = next_file, True
    return None


def _star_source(project: Project, file: SourceFile, name: str) -> str | None:
    """The `export * from` source that exports `name` itself (one level deep)."""
    for specifier in _bindings(project, file).star_sources:
        target = project.resolve_import(file.relpath, specifier)
        found = project.file(target) if target is not None else None
        if found is not None and name in _bindings(project, found).exports:
            return specifier
    return None
