"""Which registered functions reach a piece of code, through helpers that receive ctx.

A unit is a registered function's handler or a top-level named function (a helper). A helper
call is an edge when the caller passes its context on (`helper(ctx, ...)`, `helper(ctx.db)`,
`helper(db)` where `{ db }` was destructured). Code in a helper is reached by every registered
function from which a chain of such calls leads to it, in the same transaction; separate
transactions (`ctx.runMutation`, the scheduler) are not followed here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import tree_sitter

from mutlint.convex.decoding import as_flag, as_name, as_offset
from mutlint.convex.functions import (
    FUNCTION_TYPES,
    RegisteredFunction,
    local_functions,
    name_node,
    registered_functions,
)
from mutlint.convex.syntax import bundle_query, project_imports, query_matches
from mutlint.facts import PlainNode
from mutlint.findings import Span as SourceSpan
from mutlint.project import Project
from mutlint.source import TYPESCRIPT, SourceFile

UnitKey = tuple[str, int]  # (relpath, start byte of the function node)
ByteRange = tuple[int, int]  # start and end byte
Edge = tuple[UnitKey, UnitKey, ByteRange]  # caller, callee, the call

_CALLS = bundle_query("""
(call_expression function: (identifier) @callee arguments: (arguments) @args) @call
""", TYPESCRIPT)


def is_graph_file(project: Project, relpath: str) -> bool:
    """Is this one of the files whose handlers and helper calls the graph has (convex_files)?
    (A file the project's walk leaves out, such as a gitignored one named on the command
    line, is not.)"""
    return project.deploys(relpath) and relpath in project.sources


def file_units(project: Project, relpath: str) -> dict[int, int]:
    """A file's units, start byte -> end byte: its top-level helpers and, in a file of the
    functions dir, its handlers (a handler that is a top-level function is a handler). Plain
    data, like everything the graph keeps, so the graph holds no file's tree."""
    def build(file: SourceFile) -> dict[int, int]:
        units = dict(local_function_spans(project, relpath).values())
        for start, function in file_handlers(project, file).items():
            units[start] = function.handler.end_byte
        return units

    return project.plain("units", relpath, build, {})


def local_function_spans(project: Project, relpath: str) -> dict[str, tuple[int, int]]:
    """local_functions as (start, end) byte spans: what a call into the file needs of it."""
    return project.plain("function-spans", relpath, lambda file: {
        name: (node.start_byte, node.end_byte) for name, node in local_functions(file).items()}, {},
        (lambda spans: sorted([name, list(span)] for name, span in spans.items()),
         lambda raw: {as_name(name): (as_offset(start), as_offset(end)) for name, (start, end) in raw}))


def file_handlers(project: Project, file: SourceFile) -> dict[int, RegisteredFunction]:
    """The registered functions of a file of the functions dir, by their handler's start."""
    def build() -> dict[int, RegisteredFunction]:
        if not is_graph_file(project, file.relpath):
            return {}
        return {function.handler.start_byte: function
                for function in registered_functions(project, file) if function.handler is not None}

    return project.memo(("handlers", file.relpath), build)


@dataclass(frozen=True)
class HandlerInfo:
    """A registered function as the graph keeps it: what facts about it say, and where it is
    named, without the file's tree (RegisteredFunction holds nodes)."""

    function_id: str
    name: str
    kind: str
    visibility: str
    exported: bool
    name_node: PlainNode


def _handler_infos(project: Project, relpath: str) -> dict[int, HandlerInfo]:
    """file_handlers as plain data: handler start -> HandlerInfo."""
    def build(file: SourceFile) -> dict[int, HandlerInfo]:
        infos = {}
        for start, function in file_handlers(project, file).items():
            node = name_node(function)
            begin, end = file.position(node.start_byte), file.position(node.end_byte)
            infos[start] = HandlerInfo(
                function.function_id, function.name, function.kind, function.visibility,
                function.exported, PlainNode(
                    relpath, node.start_byte, node.end_byte, node.type,
                    SourceSpan(relpath, begin.line, begin.column, end.line, end.column), file.text(node)))
        return infos

    return project.plain("handler-infos", relpath, build, {})


def unit_in(units: dict[int, int], node: tree_sitter.Node) -> int | None:
    """The start of the innermost unit containing node (units: start -> end, as file_units)."""
    current = node
    while current is not None:
        if current.type in FUNCTION_TYPES and units.get(current.start_byte) == current.end_byte:
            return current.start_byte
        current = current.parent
    return None


def file_edges(project: Project, relpath: str) -> list[Edge]:
    """The helper calls of a file of the functions dir that pass ctx on: (caller, callee, the
    call's span), in document order. The graph is these edges of every such file; a fact that
    follows calls forward reads only the files on its way."""
    def build(file: SourceFile) -> list[Edge]:
        if not is_graph_file(project, file.relpath):
            return []
        helpers = local_functions(file)
        imported = imported_names(project, file)
        if not helpers and not imported:
            return []  # no name here can be a helper: no call to walk the tree for
        units = file_units(project, file.relpath)
        edges = []
        for captures in query_matches(file, _CALLS):
            callee_name = file.text(captures["callee"][0])
            if callee_name in helpers:
                callee = (file.relpath, helpers[callee_name].start_byte)
            elif callee_name in imported:
                target, name = imported[callee_name]
                span = local_function_spans(project, target).get(name)
                if span is None:
                    continue
                callee = (target, span[0])
            else:
                continue
            call = captures["call"][0]
            caller = unit_in(units, call)
            if caller is None or not _passes_context(file, _unit_node(file, call, caller),
                                                     captures["args"][0]):
                continue
            edges.append(((file.relpath, caller), callee, (call.start_byte, call.end_byte)))
        return edges

    return project.plain("helper-edges", relpath, build, [])


def _unit_node(file: SourceFile, node: tree_sitter.Node, start: int) -> tree_sitter.Node:
    """The function node around `node` that starts at `start` (unit_in found it)."""
    current = node
    while current.start_byte != start or current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


def _passes_context(file: SourceFile, unit: tree_sitter.Node, args: tree_sitter.Node) -> bool:
    names = context_names(file, unit)
    for argument in args.named_children:
        root = argument
        while root.type == "member_expression":
            root = root.child_by_field_name("object")
        if root is not None and root.type == "identifier" and file.text(root) in names:
            return True
    return False


def forward_units(project: Project, start: UnitKey, *, through_handlers: bool) -> list[UnitKey]:
    """The units code in `start` runs, following helper calls forward (start first, then in
    the order met), without the whole graph. Unless `through_handlers`, a callee that is some
    registered function's handler is not entered: as CallGraph.reaching, code there counts as
    that function's own."""
    found, stack, seen = [], [start], {start}
    while stack:
        unit = stack.pop()
        found.append(unit)
        for caller, callee, _ in _part(project, unit[0]).edges:
            if caller != unit or callee in seen:
                continue
            seen.add(callee)
            if not through_handlers and callee[1] in _part(project, callee[0]).handlers:
                continue
            stack.append(callee)
    return found


def _part(project: Project, relpath: str) -> GraphPart:
    """A file's part of the graph; a file outside the functions dir (a helper there) has its
    edges and handlers, none, without a stored part."""
    if is_graph_file(project, relpath):
        return graph_part(project, relpath)
    return GraphPart({}, {}, [])


@dataclass(frozen=True)
class GraphPart:
    """What the call graph takes from one file of the functions dir."""

    units: dict[int, int]
    handlers: dict[int, HandlerInfo]  # by handler start
    edges: list[Edge]


def graph_part(project: Project, relpath: str) -> GraphPart:
    """One file's part of the graph, parsed for only if no fact of this run has it yet."""
    return project.plain("graph-part", relpath, lambda file: GraphPart(
        file_units(project, relpath), _handler_infos(project, relpath), file_edges(project, relpath)),
        GraphPart({}, {}, []), (_encode_part, _decoder_of_part(relpath)))


def _encode_part(part: GraphPart) -> list:
    def node(where: PlainNode) -> list:
        span = where.span
        return [where.start, where.end, where.type, span.start_line, span.start_column,
                span.end_line, span.end_column, where.text]

    return [sorted(part.units.items()),
            [[start, info.function_id, info.name, info.kind, info.visibility, info.exported,
              node(info.name_node)] for start, info in sorted(part.handlers.items())],
            [[list(caller), list(callee), list(call)] for caller, callee, call in part.edges]]


def _decoder_of_part(relpath: str):
    def decode(raw) -> GraphPart:
        """A stored part, checked to the last field: a corrupted cache is recomputed, never used."""
        units, handlers, edges = raw

        def node(value) -> PlainNode:
            start, end, node_type, line, column, end_line, end_column, text = value
            return PlainNode(relpath, as_offset(start), as_offset(end), as_name(node_type), SourceSpan(
                relpath, as_offset(line), as_offset(column), as_offset(end_line), as_offset(end_column)),
                as_name(text))

        return GraphPart(
            {as_offset(start): as_offset(end) for start, end in units},
            {as_offset(start): HandlerInfo(as_name(fid), as_name(name), as_name(kind), as_name(visibility),
                                           as_flag(exported), node(where))
             for start, fid, name, kind, visibility, exported, where in handlers},
            [((as_name(a), as_offset(b)), (as_name(c), as_offset(d)), (as_offset(e), as_offset(f)))
             for (a, b), (c, d), (e, f) in edges])

    return decode


class CallGraph:
    """The whole functions dir's units, handlers and helper calls, as plain data (byte offsets,
    ids): it holds no tree, so building it keeps no file parsed."""

    def __init__(self, project: Project):
        self.handlers: dict[UnitKey, HandlerInfo] = {}
        self.units: dict[str, dict[int, int]] = defaultdict(dict)  # relpath -> start -> end
        self.callers: dict[UnitKey, set[UnitKey]] = defaultdict(set)
        # callee -> every call that passes ctx to it: (relpath, the call's span, its unit)
        self.call_sites: dict[UnitKey, list[tuple[str, ByteRange, UnitKey]]] = defaultdict(list)
        self._reached: dict[UnitKey, list[tuple[str, HandlerInfo]]] = {}
        parts = [(relpath, graph_part(project, relpath)) for relpath in project.convex_relpaths()]
        for relpath, part in parts:
            self.units[relpath] = dict(part.units)
            for start, info in part.handlers.items():
                self.handlers[(relpath, start)] = info
        for relpath, part in parts:
            for caller, callee, call in part.edges:
                if callee[0] not in self.units:  # a helper outside the functions dir
                    self.units[callee[0]] = dict(file_units(project, callee[0]))
                self.callers[callee].add(caller)
                self.call_sites[callee].append((relpath, call, caller))

    def is_handler(self, relpath: str, function: tree_sitter.Node) -> bool:
        return (relpath, function.start_byte) in self.handlers

    def unit_of(self, relpath: str, node: tree_sitter.Node) -> UnitKey | None:
        """The innermost unit containing node."""
        start = unit_in(self.units.get(relpath, {}), node)
        return None if start is None else (relpath, start)

    def entry_calls(self, relpath: str, node: tree_sitter.Node) -> list[tuple[str, ByteRange, UnitKey]]:
        """For code in a helper: the calls in registered functions' bodies through which it
        runs (the first step from a handler into the helpers), in path order."""
        start = self.unit_of(relpath, node)
        if start is None or start in self.handlers:
            return []
        seen, stack, found = {start}, [start], set()
        while stack:
            unit = stack.pop()
            for site, call, caller in self.call_sites.get(unit, ()):
                if caller in self.handlers:
                    found.add((site, call, caller))
                elif caller not in seen:
                    seen.add(caller)
                    stack.append(caller)
        return sorted(found)

    def reaching(self, relpath: str, node: tree_sitter.Node) -> list[tuple[str, HandlerInfo]]:
        """(relpath, function) for each registered function whose transaction runs this code."""
        return self.reaching_unit(self.unit_of(relpath, node))

    def reaching_unit(self, start: UnitKey | None) -> list[tuple[str, HandlerInfo]]:
        """reaching() for code whose innermost unit is `start` (each unit walked once: the
        flows ask it of every write and call)."""
        if start is None:
            return []
        found = self._reached.get(start)
        if found is None:
            found = self._reached[start] = self._walk_callers(start)
        return found

    def _walk_callers(self, start: UnitKey) -> list[tuple[str, HandlerInfo]]:
        seen, stack, found = {start}, [start], {}
        while stack:
            unit = stack.pop()
            if unit in self.handlers:
                info = self.handlers[unit]
                found[info.function_id] = (unit[0], info)
                continue
            for caller in sorted(self.callers.get(unit, ())):  # sets: no hash-seed order
                if caller not in seen:
                    seen.add(caller)
                    stack.append(caller)
        return [found[k] for k in sorted(found)]


def context_names(file: SourceFile, function: tree_sitter.Node) -> set[str]:
    """Names under which a function holds the Convex context: its first parameter, or the
    properties destructured from it (`{ db, scheduler }`), plus the conventional `ctx`."""
    names = {"ctx"}
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        parameter = function.child_by_field_name("parameter")  # `ctx => ...`
        if parameter is not None:
            names.add(file.text(parameter))
        return names
    first = next((p for p in parameters.named_children if p.type != "comment"), None)
    if first is None:
        return names
    pattern = first.child_by_field_name("pattern") or first
    if pattern.type == "identifier":
        names.add(file.text(pattern))
    elif pattern.type == "object_pattern":
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                names.add(file.text(prop))
            elif prop.type == "pair_pattern":
                value = prop.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    names.add(file.text(value))
    return names


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


def reaching(project: Project, file: SourceFile,
             node: tree_sitter.Node) -> list[tuple[str, RegisteredFunction | HandlerInfo]]:
    """CallGraph.reaching, answered from the file alone where it can be: code whose innermost
    unit is a handler of this file runs in that function only, whatever other files do. Only
    code in a helper needs the project's call graph (who calls the helper), so a check that
    asked about handler code no longer depends on every file of the functions dir, and an
    edit to one mutation does not make every other file's cached check stale. (For a helper,
    the functions are the graph's plain HandlerInfo: their files need not be parsed.)"""
    if is_graph_file(project, file.relpath):
        start = unit_in(file_units(project, file.relpath), node)
        if start is None:
            return []
        function = file_handlers(project, file).get(start)
        if function is not None:
            return [(file.relpath, function)]
    return call_graph(project).reaching(file.relpath, node)  # a helper: its callers decide


def entry_calls(project: Project, file: SourceFile, node: tree_sitter.Node) -> list[tuple[str, ByteRange]]:
    """CallGraph.entry_calls as (relpath, the call's bytes), from the file alone for code in a
    handler (or in no unit): none. (A fact about each call is asked of its own file, in a
    plain fact of its own, so the caller's tree need not stay parsed.)"""
    if is_graph_file(project, file.relpath):
        start = unit_in(file_units(project, file.relpath), node)
        if start is None or start in file_handlers(project, file):
            return []
    return [(relpath, span) for relpath, span, _ in call_graph(project).entry_calls(file.relpath, node)]


def helper_named(project: Project, file: SourceFile, name: str) -> tuple[SourceFile, tree_sitter.Node] | None:
    """The top-level function `name` refers to in `file`: defined there or imported. (Each
    file's own top-level functions: no call graph needed.)"""
    local = local_functions(file).get(name)
    if local is not None:
        return file, local
    imported = imported_names(project, file).get(name)
    if imported is None:
        return None
    target = project.file(imported[0])
    node = local_functions(target).get(imported[1]) if target is not None else None
    return (target, node) if node is not None else None


def call_graph(project: Project) -> CallGraph:
    return project.whole_model(("call-graph",), lambda: CallGraph(project))
