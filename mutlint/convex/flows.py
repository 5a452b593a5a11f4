"""How data and control flow through a Convex app: every write and every cross-function call,
who runs them, what crons reach, and which tables something cleans up.

Everything here is computed once per project from the files in the functions dir.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, partial

import tree_sitter

from mutlint.convex.callgraph import (
    ByteRange,
    UnitKey,
    call_graph,
    file_handlers,
    file_units,
    forward_units,
    is_graph_file,
    unit_in,
)
from mutlint.convex.crons import cron_jobs
from mutlint.convex.decoding import as_flag, as_name, as_offset
from mutlint.convex.functions import (
    FUNCTION_TYPES,
    RegisteredFunction,
    functions_with_id,
    registered_functions,
)
from mutlint.convex.references import function_ref, references_in
from mutlint.convex.syntax import bundle_query, call_arguments, keep_only, query_matches
from mutlint.convex.tables import TableGuess, db_call, table_inference
from mutlint.project import Project, register_value_fact
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


@dataclass(frozen=True)
class WriteSite:
    relpath: str
    span: ByteRange  # the call's bytes
    line: int  # 1-based
    method: str
    table: TableGuess | None
    functions: tuple[str, ...]  # ids of the registered functions whose transaction runs it
    in_loop: bool


@dataclass(frozen=True)
class CallSite:
    relpath: str
    span: ByteRange
    line: int
    method: str  # runMutation, runAfter, ...
    kind: str  # run-mutation | run-action | run-query | schedule
    target: str  # function id
    callers: tuple[str, ...]
    in_loop: bool


@dataclass(frozen=True)
class FunctionInfo:
    """What the flows keep of an exported registered function."""

    kind: str
    visibility: str
    deletes_by_age: bool  # its handler compares the clock or creation time with lt/lte


@dataclass(frozen=True)
class FileFlows:
    """One functions-dir file's part of the flows, plain data: sites name their innermost
    unit (a start byte, or None) for the call graph to resolve."""

    writes: list[tuple[ByteRange, int, str, TableGuess | None, int | None, bool]]
    calls: list[tuple[ByteRange, int, str, str, str, int | None, bool]]
    passed_as_value: list[str]
    functions: list[tuple[str, FunctionInfo]]  # exported ones, in file order


@dataclass
class Flows:
    writes: list[WriteSite] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    cron_roots: dict[str, str] = field(default_factory=dict)  # function id -> cron name
    # Functions whose reference is handed over as a value in the functions dir (to a work
    # pool, a worker config, a retrier): something other than this code runs them.
    passed_as_value: set[str] = field(default_factory=set)

    # The views below are computed once, after the build: every table's retention asks them.
    def callees(self) -> dict[str, set[str]]:
        return self._callees

    @cached_property
    def _callees(self) -> dict[str, set[str]]:
        edges: dict[str, set[str]] = defaultdict(set)
        for call in self.calls:
            for caller in call.callers:
                edges[caller].add(call.target)
        return edges

    def cron_reachable(self) -> dict[str, str]:
        """Function id -> the cron that (transitively) runs it."""
        return self._cron_reachable

    @cached_property
    def _cron_reachable(self) -> dict[str, str]:
        edges = self.callees()
        reached = dict(self.cron_roots)
        stack = list(reached)
        while stack:
            current = stack.pop()
            for target in sorted(edges.get(current, ())):
                if target not in reached:
                    reached[target] = reached[current]
                    stack.append(target)
        return reached

    @cached_property
    def rewriting(self) -> frozenset[str]:
        """Functions whose transaction patches, replaces or deletes a document."""
        return frozenset(f for w in self.writes if w.method != "insert" for f in w.functions)

    def job_like(self, function_id: str) -> bool:
        """Run as a background job: by a cron, the scheduler, or a library it was handed to."""
        return function_id in self.cron_roots or function_id in self.passed_as_value or \
            function_id in self.scheduled

    @cached_property
    def scheduled(self) -> frozenset[str]:
        """Functions some code hands to the scheduler."""
        return frozenset(c.target for c in self.calls if c.kind == "schedule")

    def writes_to(self, table: str, methods: tuple[str, ...]) -> list[WriteSite]:
        return [w for w in self.writes_by_table.get(table, ()) if w.method in methods]

    @cached_property
    def writes_by_table(self) -> dict[str, list[WriteSite]]:
        by_table: dict[str, list[WriteSite]] = defaultdict(list)
        for write in self.writes:
            if write.table is not None:
                by_table[write.table.table].append(write)
        return by_table


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


@dataclass
class ClientCalls:
    """Mutation calls in the app's client code (everything outside the functions dir)."""

    calls: list[tuple[SourceFile, tree_sitter.Node]] = field(default_factory=list)
    targets: set[str] = field(default_factory=set)  # the mutations they call


def _may_call_mutations(data: bytes) -> bool:
    return b"utation" in data or b"mutate" in data


def _client_files(project: Project) -> list[str]:
    return [relpath for relpath in sorted(project.sources) if not project.in_convex_dir(relpath)
            and (data := project.raw(relpath)) is not None and _may_call_mutations(data)]


def client_call_targets(project: Project) -> set[str]:
    """The mutations the client code calls. Only the retention heuristics read every client
    file; what uses the answer depends on the answer, not on every page (Project.by_value)."""
    return project.by_value("client-call-targets")


def _all_client_targets(project: Project) -> set[str]:
    targets: set[str] = set()
    for relpath in sorted(project.sources):
        if not project.in_convex_dir(relpath):
            targets |= _file_targets(project, relpath)
    return targets


def _file_targets(project: Project, relpath: str) -> frozenset[str]:
    """One client file's targets: a stored fact, so a changed page is the only one read again."""
    return project.stored(("client-call-targets", relpath), partial(_targets_of, project, relpath),
                          sorted, _decode_targets)


def _decode_targets(raw) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(target, str) for target in raw):
        raise ValueError("not a list of mutations")
    return frozenset(raw)


register_value_fact("client-call-targets", _all_client_targets, sorted, _decode_targets)


def _targets_of(project: Project, relpath: str) -> frozenset[str]:
    data = project.raw(relpath)
    if data is None or not _may_call_mutations(data):
        return frozenset()
    file = project.file(relpath)
    return frozenset(call.target for _, call in _mutation_calls(project, file)) if file else frozenset()


def _mutation_calls(project: Project, file: SourceFile):
    """(call node, MutationCall) of each call of a client file that runs a mutation."""
    from mutlint.convex.handles import MAYBE_MUTATION_CALLS, mutation_call  # handles use the flows

    for captures in query_matches(file, MAYBE_MUTATION_CALLS):
        call = mutation_call(project, file, captures["call"][0])
        if call is not None:
            yield captures["call"][0], call


def keep_for_table_volume(project: Project, file: SourceFile) -> None:
    """Before a file's tree is released, what a table's volume estimate will ask of it: the
    mutations a client file calls, a functions-dir file's part of the flows."""
    if not project.in_convex_dir(file.relpath):
        _file_targets(project, file.relpath)
    elif project.deploys(file.relpath):
        file_flows(project, file.relpath)


def client_calls(project: Project) -> ClientCalls:
    """The calls themselves, with their nodes, for the audit (which keeps every client file)."""
    def build() -> ClientCalls:
        found = ClientCalls()
        for relpath in _client_files(project):
            file = project.file(relpath)
            for node, call in _mutation_calls(project, file):
                found.targets.add(call.target)
                found.calls.append((file, node))
        return found

    return project.memo(("client-calls",), build)


def function_rewrites(project: Project, function_id: str) -> bool:
    """`function_id in project_flows(project).rewriting`, read from the files the function's
    transaction runs code in (its own and its helpers'): what a page needs to know of a
    mutation it calls then depends on those files, not on the whole functions dir."""
    for file, function in functions_with_id(project, function_id):
        if function.handler is None:
            continue
        owner = file_handlers(project, file).get(function.handler.start_byte)
        if owner is None or owner.function_id != function_id:
            continue  # a handler two functions share counts as the last one's (see reaching)
        start = (file.relpath, function.handler.start_byte)
        for relpath, unit in forward_units(project, start, through_handlers=False):
            if unit in _rewriting_units(project, relpath):
                return True
    return False


def _rewriting_units(project: Project, relpath: str) -> frozenset[int]:
    """Starts of the units of a functions-dir file with a patch, replace or delete of their own
    (the writes _build counts, each in its innermost unit), from the file's stored flows."""
    if not is_graph_file(project, relpath):
        return frozenset()
    return frozenset(unit for _, _, method, _, unit, _ in file_flows(project, relpath).writes
                     if method != "insert" and unit is not None)


def _flow_calls(project: Project, file: SourceFile) -> list[tuple[str, tree_sitter.Node]]:
    """(method, call) of the file's write and run calls: one query, for the flows and for the
    facts about one function that read the same calls."""
    return project.memo(("flow-calls", file.relpath), lambda: [
        (file.text(captures["method"][0]), captures["call"][0])
        for captures in query_matches(file, _FLOW_CALLS)])


def project_flows(project: Project) -> Flows:
    return project.whole_model(("flows",), lambda: _build(project))


def _build(project: Project) -> Flows:
    flows = Flows()
    graph = call_graph(project)
    for relpath in project.convex_relpaths():
        part = file_flows(project, relpath)
        for function_id, info in part.functions:
            flows.functions.setdefault(function_id, info)
        for span, line, method, table, unit, looped in part.writes:
            functions = tuple(f.function_id for _, f in graph.reaching_unit(_unit_key(relpath, unit)))
            flows.writes.append(WriteSite(relpath, span, line, method, table, functions, looped))
        for span, line, method, kind, target, unit, looped in part.calls:
            callers = tuple(f.function_id for _, f in graph.reaching_unit(_unit_key(relpath, unit)))
            flows.calls.append(CallSite(relpath, span, line, method, kind, target, callers, looped))
        flows.passed_as_value.update(part.passed_as_value)
    flows.cron_roots = _cron_roots(project)
    return flows


def _cron_roots(project: Project) -> dict[str, str]:
    """Function id -> the first cron that runs it: stored, so the flows need no tree."""
    def build() -> dict[str, str]:
        roots: dict[str, str] = {}
        for job in cron_jobs(project):
            if job.target is not None:
                roots.setdefault(job.target.function_id, job.name)
        return roots

    return project.stored(("cron-roots",), build, lambda roots: sorted(roots.items()),
                          lambda raw: {as_name(fid): as_name(cron) for fid, cron in raw})


def _unit_key(relpath: str, unit: int | None) -> UnitKey | None:
    return None if unit is None else (relpath, unit)


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
