"""Which table a document or document id belongs to, inferred from the code around it.

Tried in the order the evidence is strongest (`how` records which one answered):
  argument    ctx.db.patch("users", id, ...): the table-name-first form (convex >= 1.31)
  validator   args: { id: v.id("users") }, as args.id or destructured { id }
  annotation  id: Id<"users">, doc: Doc<"users">, a helper returning Promise<Doc<"users">>
  id-source   const id = await ctx.db.insert("users", ...); doc = await ctx.db.get(id);
              ctx.db.query("users")...first(); row of ...collect(); doc._id
  schema      sub.userId where the schema says subscriptions.userId is v.id("users")
  name        userId -> users, only when the schema has that table (a guess, marked as such)
Unknown stays unknown.
"""

from __future__ import annotations

import tree_sitter

from mutlint.convex.functions import RegisteredFunction, args_validators, enclosing_registered_function
from mutlint.convex.schema import schema_id_fields
from mutlint.convex.scopes import file_scopes
from mutlint.convex.syntax import string_value as literal_string
from mutlint.convex.syntax import unwrap as unwrap_cast
from mutlint.lazy_regex import LazyRegex
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import SourceFile

_ID_TYPE = LazyRegex(r"""^\s*Id<\s*["'](\w+)["']\s*>""")
_DOC_TYPE = LazyRegex(r"""^\s*(?:Promise<\s*)?Doc<\s*["'](\w+)["']\s*>""")
_DOC_ARRAY_TYPE = LazyRegex(
    r"""^\s*(?:Promise<\s*)?(?:Doc<\s*["'](\w+)["']\s*>\[\]|Array<\s*Doc<\s*["'](\w+)["']\s*>\s*>)""")
_SINGLE_DOC_METHODS = ("first", "unique", "get")
_MANY_DOC_METHODS = ("collect", "take")
MAX_STEPS = 24  # how many hops (variable -> initialiser -> ...) one inference may take


class TableGuess(Record):
    table: str
    how: str  # argument | validator | annotation | id-source | schema | name

    @property
    def label(self) -> str:
        return self.table if self.how != "name" else f"{self.table} (guessed from the name)"


def unwrap(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """The value inside casts, parentheses and `await`."""
    while node is not None:
        node = unwrap_cast(node)
        if node.type != "await_expression":
            return node
        node = next((c for c in node.named_children if c.type != "comment"), None)
    return None


def string_value(file: SourceFile, node: tree_sitter.Node | None) -> str | None:
    return literal_string(file, node) if node is not None else None


def db_call(file: SourceFile, node: tree_sitter.Node) -> tuple[str, list[tree_sitter.Node]] | None:
    """(method, arguments) for `<x>.db.<method>(...)` or `db.<method>(...)`."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None
    receiver = function.child_by_field_name("object")
    method = function.child_by_field_name("property")
    if receiver is None or method is None:
        return None
    is_db = (receiver.type == "identifier" and file.text(receiver) == "db") or (
        receiver.type == "member_expression"
        and file.text(receiver.child_by_field_name("property")) == "db")
    if not is_db:
        return None
    arguments = node.child_by_field_name("arguments")
    args = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
    return file.text(method), args


class TableInference:
    def __init__(self, project: Project, file: SourceFile):
        self.project = project
        self.file = file
        self.schema_ids = schema_id_fields(project)  # table -> its `v.id` fields
        self.scopes = file_scopes(project, file)
        # A registered function's (args parameter, validators), by its call's start: asked
        # for every id a handler reads (16,476 times for 3,000 functions at 10,000 files).
        self._args_of: dict[int, tuple[str, dict[str, str]]] = {}

    # -- public --------------------------------------------------------------------------------
    def write_table(self, method: str, args: list[tree_sitter.Node]) -> TableGuess | None:
        """The table a ctx.db.insert/patch/replace/delete/get call touches."""
        if not args:
            return None
        # The flows' part of the file and the written-table fact ask it of the same writes
        # (8,698 of 18,896 at 10,000 files asked a second time). A memo of the project's, not
        # of this object's: the answer reads other files (a helper's, the schema's), and a
        # fact that takes it from the memo depends on what it read, as the first asker did.
        return self.project.memo(("write-table", self.file.relpath, method, args[0].id, len(args)),
                                 lambda: self._write_table(method, args))

    def _write_table(self, method: str, args: list[tree_sitter.Node]) -> TableGuess | None:
        first = string_value(self.file, args[0])
        if method == "insert" and first is not None:
            return TableGuess(first, "argument")
        if self._table_first(method, args):
            return TableGuess(first, "argument")
        return self.id_table(args[0])

    def _table_first(self, method: str, args: list[tree_sitter.Node]) -> bool:
        """`ctx.db.patch("t", id, ...)` (convex >= 1.31) rather than `ctx.db.patch(id, ...)`."""
        needs_value = method in ("patch", "replace")
        return string_value(self.file, args[0]) is not None and \
            (len(args) >= 3 or (not needs_value and len(args) >= 2))

    def id_table(self, node: tree_sitter.Node, steps: int = 0) -> TableGuess | None:
        node = unwrap(node)
        if node is None or steps > MAX_STEPS:
            return None
        call = db_call(self.file, node)
        if call is not None and call[0] == "insert":
            table = string_value(self.file, call[1][0]) if call[1] else None
            return TableGuess(table, "id-source") if table else None
        if node.type == "member_expression":
            owner = node.child_by_field_name("object")
            field = self.file.text(node.child_by_field_name("property"))
            if field == "_id":
                return self.doc_table(owner, steps + 1)
            validated = self._validator_table(owner, field)
            if validated is not None:
                return validated
            owner_table = self.doc_table(owner, steps + 1)
            if owner_table is not None and self.schema_ids is not None:
                id_fields = self.schema_ids.get(owner_table.table)
                if id_fields is not None and field in id_fields:
                    return TableGuess(id_fields[field], "schema")
            return self._by_name(field)
        if node.type in ("identifier", "shorthand_property_identifier"):
            name = self.file.text(node)
            declaration = self.scopes.declaration(node, name)
            if declaration is not None:
                found = self._declared_id_table(declaration, name, steps)
                if found is not None:
                    return found
            return self._by_name(name)
        return None

    def inserted_here(self, method: str, args: list[tree_sitter.Node]) -> bool:
        """Is the document a patch/replace/delete changes one that this code has just inserted
        (`const id = await ctx.db.insert(...)`, then `ctx.db.patch(id, ...)`)? Nobody else can
        have read a document that is not committed yet, so writing it conflicts with no one."""
        if method not in ("patch", "replace", "delete") or not args:
            return False
        node = unwrap(args[1] if self._table_first(method, args) else args[0])
        for _ in range(MAX_STEPS):
            if node is None:
                return False
            call = db_call(self.file, node)
            if call is not None:
                return call[0] == "insert"
            if node.type != "identifier":
                return False
            declaration = self.scopes.declaration(node, self.file.text(node))
            # Only a `const` binding keeps the id it was given.
            if declaration is None or declaration.type != "variable_declarator" or \
                    declaration.parent is None or declaration.parent.type != "lexical_declaration" \
                    or declaration.parent.child(0).type != "const":
                return False
            node = unwrap(declaration.child_by_field_name("value"))
        return False

    def doc_table(self, node: tree_sitter.Node, steps: int = 0) -> TableGuess | None:
        node = unwrap(node)
        if node is None or steps > MAX_STEPS:
            return None
        call = db_call(self.file, node)
        if call is not None and call[0] == "get" and call[1]:
            return self.write_table("get", call[1])
        if node.type == "call_expression":
            return self._query_doc_table(node, _SINGLE_DOC_METHODS) or self._helper_doc(node)
        if node.type in ("identifier", "shorthand_property_identifier"):
            name = self.file.text(node)
            declaration = self.scopes.declaration(node, name)
            if declaration is not None:
                return self._declared_doc_table(declaration, name, steps)
        return None

    # -- evidence ------------------------------------------------------------------------------
    def _query_doc_table(self, call: tree_sitter.Node, methods: tuple[str, ...]) -> TableGuess | None:
        """ctx.db.query("t")....first() and friends: the table of the documents it returns."""
        function = call.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return None
        if self.file.text(function.child_by_field_name("property")) not in methods:
            return None
        current = function.child_by_field_name("object")
        while current is not None:
            current = unwrap(current)
            found = db_call(self.file, current)
            if found is not None and found[0] == "query" and found[1]:
                table = string_value(self.file, found[1][0])
                return TableGuess(table, "id-source") if table else None
            if current.type == "call_expression":
                callee = current.child_by_field_name("function")
                current = callee.child_by_field_name("object") if callee is not None \
                    and callee.type == "member_expression" else None
            elif current.type == "member_expression":
                current = current.child_by_field_name("object")
            else:
                return None
        return None

    def _helper_doc(self, call: tree_sitter.Node) -> TableGuess | None:
        """A call of a function whose declared return type is a document of one table."""
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "identifier":
            return None
        function = self._function_named(self.file.text(callee))
        if function is None:
            return None
        file, node = function
        annotation = node.child_by_field_name("return_type")
        if annotation is None:
            return None
        match = _DOC_TYPE.match(file.text(annotation).lstrip(": "))
        return TableGuess(match.group(1), "annotation") if match else None

    def _function_named(self, name: str) -> tuple[SourceFile, tree_sitter.Node] | None:
        from mutlint.convex.callgraph import helper_named  # the call graph imports this module's users

        return helper_named(self.project, self.file, name)

    def _validator_table(self, owner: tree_sitter.Node, field: str) -> TableGuess | None:
        """`args.field` in a handler whose args validator says v.id("t")."""
        owner = unwrap(owner)
        if owner is None or owner.type != "identifier":
            return None
        validators = self._handler_args(owner)
        if validators is None or validators[0] != self.file.text(owner):
            return None
        table = id_validator_table(validators[1].get(field))
        return TableGuess(table, "validator") if table else None

    def _handler_args(self, node: tree_sitter.Node) -> tuple[str, dict[str, str]] | None:
        """(name of the handler's args parameter or "", {arg: validator code})."""
        function = enclosing_registered_function(self.project, self.file, node)
        if function is None or function.handler is None:
            return None
        found = self._args_of.get(function.call.start_byte)
        if found is None:
            found = self._args_of[function.call.start_byte] = self._args_parameter(function)
        return found

    def _args_parameter(self, function: RegisteredFunction) -> tuple[str, dict[str, str]]:
        validators = args_validators(self.file, function)
        parameters = function.handler.child_by_field_name("parameters")
        params = [p for p in parameters.named_children if p.type != "comment"] if parameters else []
        args_name = ""
        if len(params) >= 2:
            pattern = params[1].child_by_field_name("pattern") or params[1]
            if pattern.type == "identifier":
                args_name = self.file.text(pattern)
        return args_name, validators

    def _by_name(self, name: str) -> TableGuess | None:
        if self.schema_ids is None or not name.endswith("Id") or len(name) <= 2:
            return None
        stem = name[:-2]
        for candidate in (stem + "s", stem, stem + "es", stem[:-1] + "ies" if stem.endswith("y") else ""):
            if candidate and candidate in self.schema_ids:
                return TableGuess(candidate, "name")
        return None

    # -- declarations --------------------------------------------------------------------------
    def _annotation(self, declaration: tree_sitter.Node) -> str | None:
        annotation = declaration.child_by_field_name("type")
        return self.file.text(annotation).lstrip(": ") if annotation is not None else None

    def _from_call_sites(self, declaration: tree_sitter.Node, kind: str,
                         steps: int) -> TableGuess | None:
        """A helper's parameter: the table of the argument every caller passes in that
        position, when they all agree (a helper fed several tables stays unknown)."""
        from mutlint.convex.callgraph import call_graph

        parameters = declaration.parent
        helper = parameters.parent if parameters is not None else None
        if parameters is None or parameters.type != "formal_parameters" or helper is None:
            return None
        graph = call_graph(self.project)
        if graph.is_handler(self.file.relpath, helper):
            return None
        position = [p.id for p in parameters.named_children if p.type != "comment"].index(declaration.id)
        found: set[TableGuess | None] = set()
        for relpath, span, _ in graph.call_sites.get((self.file.relpath, helper.start_byte), ()):
            found.add(_argument_table(self.project, relpath, span, position, kind, steps + 1))
            if None in found:
                return None
        return found.pop() if len(found) == 1 else None

    def _declared_id_table(self, declaration, name, steps) -> TableGuess | None:
        if declaration.type == "shorthand_property_identifier_pattern":
            pattern = declaration.parent
            parameter = pattern.parent if pattern is not None else None
            validators = self._handler_args(declaration)
            if validators is not None and parameter is not None \
                    and parameter.type == "required_parameter":
                table = id_validator_table(validators[1].get(name))
                if table:
                    return TableGuess(table, "validator")
            return None
        annotation = self._annotation(declaration)
        if annotation:
            match = _ID_TYPE.match(annotation)
            if match:
                return TableGuess(match.group(1), "annotation")
        if declaration.type == "variable_declarator":
            value = declaration.child_by_field_name("value")
            if value is not None:
                return self.id_table(value, steps + 1)
        if declaration.type in ("required_parameter", "optional_parameter"):
            return self._from_call_sites(declaration, "id", steps)
        return None

    def _declared_doc_table(self, declaration, name, steps) -> TableGuess | None:
        annotation = self._annotation(declaration)
        if annotation:
            match = _DOC_TYPE.match(annotation)
            if match:
                return TableGuess(match.group(1), "annotation")
        if declaration.type == "variable_declarator":
            value = declaration.child_by_field_name("value")
            return self.doc_table(value, steps + 1) if value is not None else None
        if declaration.type == "for_in_statement":
            right = unwrap(declaration.child_by_field_name("right"))
            return self._many_docs_table(right, steps + 1)
        if declaration.type in ("required_parameter", "optional_parameter"):
            return self._from_call_sites(declaration, "doc", steps)
        return None

    def _many_docs_table(self, node, steps) -> TableGuess | None:
        """The table of an array of documents (`...collect()`, `...take(n)`, `Doc<"t">[]`)."""
        node = unwrap(node)
        if node is None or steps > MAX_STEPS:
            return None
        if node.type == "call_expression":
            return self._query_doc_table(node, _MANY_DOC_METHODS)
        if node.type == "identifier":
            declaration = self.scopes.declaration(node, self.file.text(node))
            if declaration is None:
                return None
            annotation = self._annotation(declaration)
            if annotation:
                match = _DOC_ARRAY_TYPE.match(annotation)
                if match:
                    return TableGuess(match.group(1) or match.group(2), "annotation")
            if declaration.type == "variable_declarator":
                value = declaration.child_by_field_name("value")
                return self._many_docs_table(value, steps + 1) if value is not None else None
            if declaration.type in ("required_parameter", "optional_parameter"):
                return self._from_call_sites(declaration, "docs", steps)
        return None


def id_validator_table(validator_code: str | None) -> str | None:
    """`v.id("t")` (also inside v.optional / v.union) -> "t": what the regex
    `^v\\.(?:(?:optional|union)\\(\\s*v\\.)?id\\(\\s*["'](\\w+)["']\\s*\\)` matched at the
    start of the code, by string code: compiling the regex was 0.7 M instructions of a
    pre-commit check of a mutation file, which reads a few validators."""
    if not validator_code or "id(" not in validator_code or not validator_code.startswith("v."):
        return None  # most validators: v.string(), v.number(), ...
    rest = validator_code[2:]
    for wrapper in ("optional(", "union("):
        if rest.startswith(wrapper):
            inner = rest[len(wrapper):].lstrip()
            if not inner.startswith("v."):
                return None  # nor would `id(` match where the wrapper's name stands
            rest = inner[2:]
            break
    if not rest.startswith("id("):
        return None
    rest = rest[3:].lstrip()
    if rest[:1] not in ("'", '"'):
        return None
    # The name runs to the first quote, and must be all of `\w` (alphanumerics of any script
    # and `_`, as re reads it): then it is the longest run the regex took, and a quote ends it.
    quotes = [at for at in (rest.find("'", 1), rest.find('"', 1)) if at > 0]
    if not quotes:
        return None
    end = min(quotes)
    name = rest[1:end]
    if not name or not name.replace("_", "a").isalnum() or rest[end + 1:].lstrip()[:1] != ")":
        return None
    return name


def _argument_table(project: Project, relpath: str, span: tuple[int, int], position: int, kind: str,
                    steps: int) -> TableGuess | None:
    """The table of a helper call's argument, in the caller's file: plain data, so the
    caller's tree need not stay parsed for the helper's facts."""
    from mutlint.convex.graph_parts import call_at  # the call graph imports this module's users

    def compute() -> TableGuess | None:
        found = call_at(project, relpath, span)
        if found is None:
            return None
        file, call = found
        arguments = call.child_by_field_name("arguments")
        args = [a for a in arguments.named_children if a.type != "comment"]
        if position >= len(args):
            return None
        inference = table_inference(project, file)
        method = {"id": inference.id_table, "doc": inference.doc_table,
                  "docs": inference._many_docs_table}[kind]
        return method(args[position], steps)

    return project.memo(("argument-table", relpath, span, position, kind, steps), compute, lasting=True)


def table_inference(project: Project, file: SourceFile) -> TableInference:
    return project.memo(("table-inference", file.relpath), lambda: TableInference(project, file))
