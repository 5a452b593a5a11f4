"""How data and control flow through a Convex app: every write and every cross-function call,
who runs them, what crons reach, and which tables something cleans up.

Everything here is computed once per project, from each functions-dir file's plain part
(flow_parts) and the call graph's, so it holds no syntax tree.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property, partial

import tree_sitter

from mutlint.byte_facts import register_byte_fact
from mutlint.convex.callgraph import call_graph, forward_units
from mutlint.convex.decoding import as_name
from mutlint.convex.flow_parts import FunctionInfo, file_flows
from mutlint.convex.functions import functions_with_id
from mutlint.convex.graph_parts import ByteRange, UnitKey, file_handlers, is_graph_file
from mutlint.convex.syntax import query_matches
from mutlint.convex.tables import TableGuess
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import SourceFile
from mutlint.stored_facts import register_value_fact


class WriteSite(Record):
    relpath: str
    span: ByteRange  # the call's bytes
    line: int  # 1-based
    method: str
    table: TableGuess | None
    functions: tuple[str, ...]  # ids of the registered functions whose transaction runs it
    in_loop: bool


class CallSite(Record):
    relpath: str
    span: ByteRange
    line: int
    method: str  # runMutation, runAfter, ...
    kind: str  # run-mutation | run-action | run-query | schedule
    target: str  # function id
    callers: tuple[str, ...]
    in_loop: bool


class Flows:
    writes: list[WriteSite]
    calls: list[CallSite]
    functions: dict[str, FunctionInfo]
    cron_roots: dict[str, str]  # function id -> cron name
    # Functions whose reference is handed over as a value in the functions dir (to a work
    # pool, a worker config, a retrier): something other than this code runs them.
    passed_as_value: set[str]

    def __init__(self, writes: list[WriteSite] | None = None, calls: list[CallSite] | None = None,
                 functions: dict[str, FunctionInfo] | None = None, cron_roots: dict[str, str] | None = None,
                 passed_as_value: set[str] | None = None) -> None:
        self.writes = [] if writes is None else writes
        self.calls = [] if calls is None else calls
        self.functions = {} if functions is None else functions
        self.cron_roots = {} if cron_roots is None else cron_roots
        self.passed_as_value = set() if passed_as_value is None else passed_as_value

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


class ClientCalls:
    """Mutation calls in the app's client code (everything outside the functions dir)."""

    calls: list[tuple[SourceFile, tree_sitter.Node]]
    targets: set[str]  # the mutations they call

    def __init__(self, calls: list[tuple[SourceFile, tree_sitter.Node]] | None = None,
                 targets: set[str] | None = None) -> None:
        self.calls = [] if calls is None else calls
        self.targets = set() if targets is None else targets


def _may_call_mutations(data: bytes) -> bool:
    return b"utation" in data or b"mutate" in data


def _is_client_file(project: Project, relpath: str) -> bool:
    return not project.in_convex_dir(relpath)


MAY_CALL_MUTATIONS = "may-call-mutations"
register_byte_fact(MAY_CALL_MUTATIONS, _is_client_file, _may_call_mutations)


def _client_files(project: Project) -> list[str]:
    return [relpath for relpath in sorted(project.sources) if not project.in_convex_dir(relpath)
            and project.byte_fact(MAY_CALL_MUTATIONS, relpath)]


def client_call_targets(project: Project) -> set[str]:
    """The functions the client code calls the way a mutation is called (handles.call_target):
    the mutations it calls, and whatever else such a call names, which a reader asking about
    a mutation never meets. Only the retention heuristics read every client file; what uses
    the answer depends on the answer, not on every page (Project.by_value)."""
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
    if not project.byte_fact(MAY_CALL_MUTATIONS, relpath):
        return frozenset()
    from mutlint.convex.handles import MAYBE_MUTATION_CALLS, call_target  # handles use the flows

    file = project.file(relpath)
    if file is None:
        return frozenset()
    return frozenset(target for captures in query_matches(file, MAYBE_MUTATION_CALLS)
                     if (target := call_target(project, file, captures["call"][0])) is not None)


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
        # Imported here: a run whose cron roots are stored (a pre-commit check) never reads
        # the crons file, and the flows are imported by every run (convex/fact_catalogue.py).
        from mutlint.convex.crons import cron_jobs

        roots: dict[str, str] = {}
        for job in cron_jobs(project):
            if job.target is not None:
                roots.setdefault(job.target.function_id, job.name)
        return roots

    return project.stored(("cron-roots",), build, lambda roots: sorted(roots.items()),
                          lambda raw: {as_name(fid): as_name(cron) for fid, cron in raw})


def _unit_key(relpath: str, unit: int | None) -> UnitKey | None:
    return None if unit is None else (relpath, unit)
