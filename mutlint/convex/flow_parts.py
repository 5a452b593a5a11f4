"""One functions-dir file's part of the flows: its writes (method, table, innermost unit, in
a loop), its run and schedule calls, the function references it hands over as values and its
exported functions, as plain data. Stored in the cache, so the flows of a project are
assembled from every file's part and an edit parses the edited file alone.
"""

from __future__ import annotations

from functools import partial

import tree_sitter

from mutlint.bundled_queries import bundle_query
from mutlint.convex.decoding import as_flag, as_name, as_offset
from mutlint.convex.functions import FUNCTION_TYPES, RegisteredFunction, registered_functions
from mutlint.convex.graph_parts import ByteRange, file_units, unit_in
from mutlint.convex.references import function_ref, references_in
from mutlint.convex.syntax import call_arguments, keep_only, query_matches
from mutlint.convex.tables import TableGuess, db_call, table_inference
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import TYPESCRIPT, SourceFile

WRITE_METHODS = ("insert", "patch", "replace", "delete")
LOOP_TYPES = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
LOOP_CALLBACKS = frozenset({"map", "forEach", "flatMap", "reduce", "filter", "some", "every"})
_METHOD_CALLS = """
(call_expression
  function: (member_expression property: (property_identifier) @method)
  arguments: (arguments) @args) @call
"""
# method -> (what the call is, index of the function reference among the arguments)
CALL_METHODS = {
    "runMutation": ("run-mutation", 0),
    "runAction": ("run-action", 0),
    "runQuery": ("run-query", 0),
    "runAfter": ("schedule", 1),
    "runAt": ("schedule", 1),
}
_FLOW_CALLS = bundle_query(keep_only(_METHOD_CALLS, "method", (*WRITE_METHODS, *CALL_METHODS)), TYPESCRIPT)


class FunctionInfo(Record):
    """What the flows keep of an exported registered function."""

    kind: str
    visibility: str
    deletes_by_age: bool  # its handler compares the clock or creation time with lt/lte


class FileFlows(Record):
    """One functions-dir file's part of the flows, plain data: sites name their innermost
    unit (a start byte, or None) for the call graph to resolve."""

    writes: list[tuple[ByteRange, int, str, TableGuess | None, int | None, bool]]
    calls: list[tuple[ByteRange, int, str, str, str, int | None, bool]]
    passed_as_value: list[str]
    functions: list[tuple[str, FunctionInfo]]  # exported ones, in file order


def loop_of(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The loop statement, or `.map/.forEach/...` call, that repeats `node` within its
    function (a callback of such a call is the function boundary it may cross)."""
    current = node.parent
    while current is not None:
        if current.type in LOOP_TYPES:
            return current
        if current.type in FUNCTION_TYPES:
            call = current.parent.parent if current.parent is not None else None
            if call is not None and call.type == "call_expression":
                callee = call.child_by_field_name("function")
                if callee is not None and callee.type == "member_expression" and \
                        callee.child_by_field_name("property").text.decode() in LOOP_CALLBACKS:
                    return call
            return None
        current = current.parent
    return None


def in_loop(node: tree_sitter.Node) -> bool:
    return loop_of(node) is not None


def _flow_calls(project: Project, file: SourceFile) -> list[tuple[str, tree_sitter.Node]]:
    """(method, call) of the file's write and run calls: one query, for the flows and for the
    facts about one function that read the same calls."""
    return project.memo(("flow-calls", file.relpath), lambda: [
        (file.text(captures["method"][0]), captures["call"][0])
        for captures in query_matches(file, _FLOW_CALLS)])


def file_flows(project: Project, relpath: str) -> FileFlows:
    """One file's writes, run calls, references handed over as values and exported functions:
    parsed for only if no fact of this run has them yet."""
    return project.plain("file-flows", relpath, partial(_file_flows, project), FileFlows([], [], [], []),
                         (_encode_flows, _decode_flows))


def _encode_flows(part: FileFlows) -> list:
    def table(guess: TableGuess | None):
        return None if guess is None else [guess.table, guess.how]

    return [[[list(span), line, method, table(guess), unit, looped]
             for span, line, method, guess, unit, looped in part.writes],
            [[list(span), line, method, kind, target, unit, looped]
             for span, line, method, kind, target, unit, looped in part.calls],
            list(part.passed_as_value),
            [[fid, f.kind, f.visibility, f.deletes_by_age] for fid, f in part.functions]]


def _decode_flows(raw) -> FileFlows:
    """A stored part, checked to the last field: a corrupted cache is recomputed, never used."""
    writes, calls, passed, functions = raw

    def table(value) -> TableGuess | None:
        return None if value is None else TableGuess(as_name(value[0]), as_name(value[1]))

    def unit(value) -> int | None:
        return None if value is None else as_offset(value)

    def span(value) -> ByteRange:
        start, end = value
        return as_offset(start), as_offset(end)

    return FileFlows(
        [(span(at), as_offset(line), as_name(method), table(guess), unit(start), as_flag(looped))
         for at, line, method, guess, start, looped in writes],
        [(span(at), as_offset(line), as_name(method), as_name(kind), as_name(target), unit(start),
          as_flag(looped)) for at, line, method, kind, target, start, looped in calls],
        [as_name(fid) for fid in passed],
        [(as_name(fid), FunctionInfo(as_name(kind), as_name(visibility), as_flag(by_age)))
         for fid, kind, visibility, by_age in functions])


def _file_flows(project: Project, file: SourceFile) -> FileFlows:
    inference = table_inference(project, file)
    units = file_units(project, file.relpath)
    writes, calls, called = [], [], set()
    for method, call in _flow_calls(project, file):
        span, line = (call.start_byte, call.end_byte), call.start_point.row + 1
        if method in WRITE_METHODS:
            found = db_call(file, call)
            if found is not None:
                writes.append((span, line, method, inference.write_table(method, found[1]),
                               unit_in(units, call), in_loop(call)))
        elif method in CALL_METHODS:
            kind, index = CALL_METHODS[method]
            args = call_arguments(call)
            ref = function_ref(file, args[index]) if len(args) > index else None
            if ref is not None:
                calls.append((span, line, method, kind, ref.function_id, unit_in(units, call),
                              in_loop(call)))
                called.add(call.id)
    passed = []
    for ref in references_in(project, file):
        argument_of = ref.node.parent.parent if ref.node.parent is not None else None
        if argument_of is None or argument_of.id not in called:
            passed.append(ref.function_id)
    functions = [(function.function_id, FunctionInfo(function.kind, function.visibility,
                                                     _deletes_by_age(file, function)))
                 for function in registered_functions(project, file) if function.exported]
    return FileFlows(writes, calls, passed, functions)


_AGE_MARKERS = (b"_creationTime", b"by_creation_time", b"Date.now()")


def _deletes_by_age(file: SourceFile, function: RegisteredFunction) -> bool:
    """The function's handler compares against the clock or the creation time with lt/lte
    (searched in place: every exported function of the functions dir is asked)."""
    if function.handler is None:
        return False
    data, start, end = file.data, function.handler.start_byte, function.handler.end_byte
    return (data.find(b".lt(", start, end) >= 0 or data.find(b".lte(", start, end) >= 0) \
        and any(data.find(marker, start, end) >= 0 for marker in _AGE_MARKERS)
