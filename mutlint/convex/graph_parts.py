"""One functions-dir file's part of the call graph, as plain data: its units (handlers and
top-level helpers, by byte span), its registered functions (HandlerInfo), and its helper calls
that pass ctx on. Stored in the cache, so the graph of a project is assembled from every
file's part and an edit parses the edited file alone (see callgraph.py for the graph).
"""

from __future__ import annotations

import tree_sitter

from mutlint.bundled_queries import bundle_query
from mutlint.convex.decoding import as_flag, as_name, as_offset
from mutlint.convex.functions import (
    FUNCTION_TYPES,
    RegisteredFunction,
    local_functions,
    name_node,
    registered_functions,
)
from mutlint.convex.syntax import imported_names, query_matches
from mutlint.facts import PlainNode
from mutlint.findings import Span as SourceSpan
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import TYPESCRIPT, SourceFile, node_at

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
    data, like everything the graph keeps, so the graph holds no file's tree. Every unit is
    a function node: a handler that is none (`handler: withUser(async (ctx) => ...)`, or
    code too broken to hold a function) is left out, as the climb through a node's parents
    never stopped at one (unit_in reads units from their bytes, and _edges climbs to the
    unit's function node)."""
    def build(file: SourceFile) -> dict[int, int]:
        units = dict(local_function_spans(project, relpath).values())
        for start, function in file_handlers(project, file).items():
            if function.handler.type in FUNCTION_TYPES:
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


class HandlerInfo(Record):
    """A registered function as the graph keeps it: what facts about it say, and where it is
    named, without the file's tree (RegisteredFunction holds nodes)."""

    function_id: str
    name: str
    kind: str
    visibility: str
    exported: bool
    name_node: PlainNode


def _handler_infos(project: Project, file: SourceFile) -> dict[int, HandlerInfo]:
    """file_handlers as plain data: handler start -> HandlerInfo."""
    infos = {}
    for start, function in file_handlers(project, file).items():
        node = name_node(function)
        begin, end = file.node_positions(node)
        infos[start] = HandlerInfo(
            function.function_id, function.name, function.kind, function.visibility,
            function.exported, PlainNode(
                file.relpath, node.start_byte, node.end_byte, node.type,
                SourceSpan(file.relpath, begin.line, begin.column, end.line, end.column),
                file.text(node)))
    return infos


def unit_in(units: dict[int, int], node: tree_sitter.Node) -> int | None:
    """The start of the innermost unit containing node (units: start -> end, as file_units):
    of the function nodes around it (itself included) that are units, the innermost.

    Read from the bytes: each unit is a function node of the node's own tree, and in a tree
    a node whose bytes hold another's is its ancestor, so the unit that holds the node's
    bytes and starts last is the innermost around it. (Climbing the parents cost 32,000 calls
    90 ms at 10,000 files: tree-sitter finds a node's parent from the root down.) Two cases
    are not so: a node with a unit's very bytes that is no function holds that unit's node
    (a unit is never its own child's), and a node of no width at a unit's edge may lie just
    outside it; the one is skipped, the other climbs."""
    start, end = node.start_byte, node.end_byte
    if start == end:
        return _climbing_unit_in(units, node)
    best = None
    for unit_start, unit_end in units.items():
        if unit_start <= start and end <= unit_end and (best is None or unit_start > best):
            if unit_start == start and unit_end == end and node.type not in FUNCTION_TYPES:
                continue
            best = unit_start
    return best


def _climbing_unit_in(units: dict[int, int], node: tree_sitter.Node) -> int | None:
    """unit_in by the node's parents: each function node around it, inside out."""
    current = node
    while current is not None:
        if current.type in FUNCTION_TYPES and units.get(current.start_byte) == current.end_byte:
            return current.start_byte
        current = current.parent
    return None


def _edges(project: Project, file: SourceFile) -> list[Edge]:
    """The helper calls of a file of the functions dir that pass ctx on: (caller, callee, the
    call's span), in document order. The graph is these edges of every such file; a fact that
    follows calls forward reads only the files on its way."""
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


def call_at(project: Project, relpath: str, span: ByteRange) -> tuple[SourceFile, tree_sitter.Node] | None:
    """A call site the graph keeps as bytes, as (file, call node): the file parsed again if
    its tree was released."""
    file = project.file(relpath)
    call = node_at(file.root, *span, "call_expression") if file is not None else None
    return (file, call) if call is not None else None


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


def part_of(project: Project, relpath: str) -> GraphPart:
    """A file's part of the graph; a file outside the functions dir (a helper there) has its
    edges and handlers, none, without a stored part."""
    if is_graph_file(project, relpath):
        return graph_part(project, relpath)
    return GraphPart({}, {}, [])


class GraphPart(Record):
    """What the call graph takes from one file of the functions dir."""

    units: dict[int, int]
    handlers: dict[int, HandlerInfo]  # by handler start
    edges: list[Edge]


def graph_part(project: Project, relpath: str) -> GraphPart:
    """One file's part of the graph, parsed for only if no fact of this run has it yet."""
    return project.plain("graph-part", relpath, lambda file: GraphPart(
        file_units(project, relpath), _handler_infos(project, file), _edges(project, file)),
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


def keep_graph_part(project: Project, file: SourceFile) -> None:
    """Before a functions-dir file's tree is released: its part of the graph."""
    if is_graph_file(project, file.relpath):
        graph_part(project, file.relpath)
