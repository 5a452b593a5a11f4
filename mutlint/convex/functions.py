"""Registered Convex functions: which builder, which export, where the handler is.

`export const cancel = mutation({ args, handler: async (ctx, args) => ... })` registers
`<module>:cancel`, a public mutation whose handler is the arrow function. Builders are
recognised by their import from Convex's generated `server` module (or the generic builders
from `convex/server`), never by name alone, so a local function called `mutation` is not one.
"""

from __future__ import annotations

import tree_sitter

from mutlint.bundled_queries import bundle_query
from mutlint.convex.decoding import as_name
from mutlint.convex.syntax import imported_names, keep_only, project_imports, query_matches
from mutlint.lazy_regex import LazyRegex
from mutlint.project import Project, module_stem
from mutlint.records import Record
from mutlint.source import TYPESCRIPT, SourceFile

# builder name -> (kind, visibility)
GENERATED_BUILDERS = {
    "query": ("query", "public"),
    "internalQuery": ("query", "internal"),
    "mutation": ("mutation", "public"),
    "internalMutation": ("mutation", "internal"),
    "action": ("action", "public"),
    "internalAction": ("action", "internal"),
    "httpAction": ("httpAction", "public"),
}
GENERIC_BUILDERS = {
    "queryGeneric": ("query", "public"),
    "internalQueryGeneric": ("query", "internal"),
    "mutationGeneric": ("mutation", "public"),
    "internalMutationGeneric": ("mutation", "internal"),
    "actionGeneric": ("action", "public"),
    "internalActionGeneric": ("action", "internal"),
    "httpActionGeneric": ("httpAction", "public"),
}
FUNCTION_TYPES = frozenset({
    "arrow_function", "function_expression", "function_declaration", "function",
    "generator_function", "generator_function_declaration", "method_definition",
})

_CALLS = """
(call_expression function: (identifier) @builder arguments: (arguments . (_) @definition)) @call
"""
_BUILDER_CALLS = bundle_query(keep_only(_CALLS, "builder", GENERATED_BUILDERS), TYPESCRIPT)


class RegisteredFunction(Record):
    name: str  # export name ("default" for a default export), or the local name if not exported
    function_id: str  # Convex's name: "module/path:export"
    kind: str  # query | mutation | action | httpAction
    visibility: str  # public | internal
    exported: bool
    call: tree_sitter.Node  # the builder call
    handler: tree_sitter.Node | None  # the function node that runs


def is_generated_server_module(module: str) -> bool:
    return module.endswith("_generated/server") or module.endswith("_generated/server.js")


# convex-helpers' custom builders inherit the kind and visibility of the builder they wrap:
# `export const mutation = customMutation(rawMutation, customCtx(...))`.
CUSTOM_BUILDER = LazyRegex(r"^z?[cC]ustom(Query|Mutation|Action)$")
_CUSTOM_DEFINITIONS = """
(variable_declarator
  name: (identifier) @name
  value: (call_expression function: (identifier) @wrapper
                          arguments: (arguments . (identifier) @wrapped)))
"""
MAX_IMPORT_DEPTH = 16


def builders_in(project: Project, file: SourceFile) -> dict[str, tuple[str, str]]:
    """Names in this file bound to Convex function builders: imported from Convex's generated
    `server` module or `convex/server`, imported from a project file that defines builders
    (a local `functions.ts`), or defined here with a custom builder wrapping one of those.

    Import cycles are common (`functions.ts` imports a helper from a module that uses its
    `mutation`), so this is the least fixpoint over the files within MAX_IMPORT_DEPTH imports
    of this one: the answer is the same whichever file a run reads first."""
    return project.memo(("builders", file.relpath), lambda: _builders_fixpoint(project, file.relpath),
                        lasting=True)  # plain data


class BuilderInputs(Record):
    """What a file's builders are computed from, as plain data, so the fixpoint over an import
    closure reads each file once whatever the run released."""

    imports: tuple[tuple[str, str, str], ...]  # (local, module, imported)
    targets: dict[str, str]  # local name -> the project file a relative import names
    definitions: tuple[tuple[str, str, str], ...] | None  # (name, wrapper, wrapped); None: no "ustom"


def _builder_inputs(project: Project, relpath: str) -> BuilderInputs | None:
    def build(file: SourceFile) -> BuilderInputs:
        imports = tuple((local, spec.module, spec.imported)
                        for local, spec in project_imports(project, file).items())
        targets = {local: target for local, (target, _) in imported_names(project, file).items()}
        # A custom builder's wrapper says "ustom": without it the query cannot add one (and
        # it cost a walk of every functions-dir file).
        definitions = tuple(
            (file.text(c["name"][0]), file.text(c["wrapper"][0]), file.text(c["wrapped"][0]))
            for c in query_matches(file, _CUSTOM_DEFINITIONS)) if b"ustom" in file.data else None
        return BuilderInputs(imports, targets, definitions)

    return project.plain("builder-inputs", relpath, build, None, (_encode_inputs, _decode_inputs))


def _encode_inputs(inputs: BuilderInputs | None):
    if inputs is None:
        return None
    return [[list(each) for each in inputs.imports], sorted(inputs.targets.items()),
            None if inputs.definitions is None else [list(each) for each in inputs.definitions]]


def _decode_inputs(raw) -> BuilderInputs | None:
    """Stored inputs, checked to the last field: a corrupted cache is recomputed, never used."""
    if raw is None:
        return None
    imports, targets, definitions = raw
    return BuilderInputs(
        tuple((as_name(a), as_name(b), as_name(c)) for a, b, c in imports),
        {as_name(local): as_name(target) for local, target in targets},
        None if definitions is None else
        tuple((as_name(a), as_name(b), as_name(c)) for a, b, c in definitions))


def _builders_fixpoint(project: Project, relpath: str) -> dict[str, tuple[str, str]]:
    closure: dict[str, BuilderInputs] = {}
    if (inputs := _builder_inputs(project, relpath)) is not None:
        closure[relpath] = inputs
    frontier = list(closure)
    for _ in range(MAX_IMPORT_DEPTH):
        reached = []
        for current in frontier:
            for target in closure[current].targets.values():
                if target not in closure and (found := _builder_inputs(project, target)) is not None:
                    closure[target] = found
                    reached.append(target)
        frontier = reached
    boundary = set(frontier)  # their imports are beyond the depth limit
    known: dict[str, dict[str, tuple[str, str]]] = {path: {} for path in closure}
    changed = True
    while changed:  # monotone: builders are only ever added, so this ends
        changed = False
        for path in sorted(closure):
            found = _local_builders(closure[path], known, follow_imports=path not in boundary)
            if found != known[path]:
                known[path] = found
                changed = True
    return known.get(relpath, {})


def _local_builders(inputs: BuilderInputs, known: dict[str, dict[str, tuple[str, str]]],
                    follow_imports: bool) -> dict[str, tuple[str, str]]:
    """One file's builders, given what is known so far of the files it imports from."""
    builders: dict[str, tuple[str, str]] = {}
    targets = inputs.targets if follow_imports else {}
    for local, module, imported in inputs.imports:
        if is_generated_server_module(module) and imported in GENERATED_BUILDERS:
            builders[local] = GENERATED_BUILDERS[imported]
        elif module == "convex/server" and imported in GENERIC_BUILDERS:
            builders[local] = GENERIC_BUILDERS[imported]
        elif local in targets:
            inherited = known.get(targets[local], {}).get(imported)
            if inherited is not None:
                builders[local] = inherited
    if not builders or inputs.definitions is None:
        return builders
    changed = True
    while changed:  # a custom builder may wrap another custom builder defined above it
        changed = False
        for name, wrapper, wrapped in inputs.definitions:
            if name not in builders and wrapped in builders and CUSTOM_BUILDER.match(wrapper):
                builders[name] = builders[wrapped]
                changed = True
    return builders


def local_functions(file: SourceFile) -> dict[str, tree_sitter.Node]:
    """Top-level named functions of the file, for `handler: someFunction`: read once per
    parse (the registered functions, the file's units and its call edges each ask)."""
    found = file.derived.get("local-functions")
    if found is None:
        found = file.derived["local-functions"] = _find_local_functions(file)
    return found


def _find_local_functions(file: SourceFile) -> dict[str, tree_sitter.Node]:
    found: dict[str, tree_sitter.Node] = {}
    for statement in file.root.named_children:
        node = statement
        if node.type == "export_statement" and node.named_children:
            node = node.named_children[0]
        if node.type == "function_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                found[file.text(name)] = node
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                name = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if name is not None and value is not None and value.type in FUNCTION_TYPES:
                    found[file.text(name)] = value
    return found


def _handler_of(file: SourceFile, definition: tree_sitter.Node,
                functions_here: dict[str, tree_sitter.Node]) -> tree_sitter.Node | None:
    if definition.type in FUNCTION_TYPES:
        return definition  # old syntax: mutation(async (ctx, args) => ...)
    if definition.type != "object":
        return None
    for member in definition.named_children:
        if member.type == "pair":
            key = member.child_by_field_name("key")
            if key is not None and file.text(key).strip("\"'") == "handler":
                value = member.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    return functions_here.get(file.text(value))
                return value
        elif member.type == "method_definition":
            name = member.child_by_field_name("name")
            if name is not None and file.text(name) == "handler":
                return member
    return None


def _export_name(file: SourceFile, call: tree_sitter.Node) -> tuple[str, bool] | None:
    parent = call.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression",
                                                 "satisfies_expression"):
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "export_statement":
        return "default", True
    if parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        if name is None:
            return None
        declaration = parent.parent
        exported = declaration is not None and declaration.parent is not None \
            and declaration.parent.type == "export_statement"
        return file.text(name), exported
    return None


def registered_functions(project: Project, file: SourceFile) -> list[RegisteredFunction]:
    return project.memo(("registered-functions", file.relpath),
                        lambda: _find_registered_functions(project, file))


def _find_registered_functions(project: Project, file: SourceFile) -> list[RegisteredFunction]:
    builders = builders_in(project, file)
    if not builders:
        return []
    functions_here = local_functions(file)
    module = project.module_name(file.relpath)
    found = []
    # Nearly always only Convex's own builders: the query itself keeps their calls.
    source = _BUILDER_CALLS if builders.keys() <= GENERATED_BUILDERS.keys() else _CALLS
    for captures in query_matches(file, source):
        builder = file.text(captures["builder"][0])
        if builder not in builders:
            continue
        call = captures["call"][0]
        named = _export_name(file, call)
        if named is None:
            continue
        name, exported = named
        kind, visibility = builders[builder]
        found.append(RegisteredFunction(
            name=name, function_id=f"{module}:{name}", kind=kind, visibility=visibility,
            exported=exported, call=call,
            handler=_handler_of(file, captures["definition"][0], functions_here),
        ))
    return found


def name_node(function: RegisteredFunction) -> tree_sitter.Node:
    """Where a function is named: the exported const's name, else the builder call."""
    declarator = function.call.parent
    while declarator is not None and declarator.type in ("parenthesized_expression", "as_expression"):
        declarator = declarator.parent
    if declarator is not None and declarator.type == "variable_declarator":
        return declarator.child_by_field_name("name")
    return function.call


def enclosing_registered_function(project: Project, file: SourceFile,
                                  node: tree_sitter.Node) -> RegisteredFunction | None:
    """The registered function whose handler contains `node` (innermost if nested)."""
    best = None
    for function in registered_functions(project, file):
        handler = function.handler
        if handler is None:
            continue
        if handler.start_byte <= node.start_byte and node.end_byte <= handler.end_byte:
            if best is None or handler.start_byte >= best.handler.start_byte:
                best = function
    return best


def function_by_id(project: Project, function_id: str) -> tuple[SourceFile, RegisteredFunction] | None:
    """The exported function with this id (the first, in path order), read from the files of
    its module alone: a fact about one function then depends on its own file, not on the
    functions dir."""
    return next(((file, function) for file, function in functions_with_id(project, function_id)
                 if function.exported), None)


def functions_with_id(project: Project, function_id: str) -> list[tuple[SourceFile, RegisteredFunction]]:
    """Every registered function (exported or not) with this id, in path order."""
    module = function_id.rpartition(":")[0]
    found = []
    for relpath in _module_files(project).get(module, ()):
        file = project.file(relpath)
        if file is not None:
            found.extend((file, function) for function in registered_functions(project, file)
                         if function.function_id == function_id)
    return found


def _module_files(project: Project) -> dict[str, list[str]]:
    """Convex module name -> the functions dir's files that name it, in path order (the files
    convex_files would parse, from the file list alone)."""
    def build() -> dict[str, list[str]]:
        # project.module_name without its test of where each file is: every deployed file is
        # in the functions dir, whose path and `/` come off (built at every check of a
        # mutation file, for every file of the dir).
        cut = len(project.convex_dir) + 1 if project.convex_dir else 0
        found: dict[str, list[str]] = {}
        for relpath in project.deployed_sources():
            found.setdefault(module_stem(relpath[cut:]), []).append(relpath)
        return found

    return project.memo(("module-files",), build, lasting=True)


def args_validators(file: SourceFile, function: RegisteredFunction) -> dict[str, str]:
    """{argument name: validator code} from the definition's `args: {...}` object."""
    arguments = function.call.child_by_field_name("arguments")
    definition = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    validators: dict[str, str] = {}
    if definition is None or definition.type != "object":
        return validators
    for member in definition.named_children:
        key = member.child_by_field_name("key") if member.type == "pair" else None
        if key is None or file.text(key).strip("\"'") != "args":
            continue
        value = member.child_by_field_name("value")
        for pair in value.named_children if value is not None else []:
            if pair.type == "pair":
                name = file.text(pair.child_by_field_name("key")).strip("\"'")
                validators[name] = " ".join(file.text(pair.child_by_field_name("value")).split())
    return validators
