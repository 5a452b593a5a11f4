"""Which registered functions reach a piece of code, through helpers that receive ctx.

A unit is a registered function's handler or a top-level named function (a helper). A helper
call is an edge when the caller passes its context on (`helper(ctx, ...)`, `helper(ctx.db)`,
`helper(db)` where `{ db }` was destructured). Code in a helper is reached by every registered
function from which a chain of such calls leads to it, in the same transaction; separate
transactions (`ctx.runMutation`, the scheduler) are not followed here.
"""

from __future__ import annotations

from collections import defaultdict

import tree_sitter

from mutlint.convex.functions import RegisteredFunction, local_functions
from mutlint.convex.graph_parts import (
    ByteRange,
    HandlerInfo,
    UnitKey,
    file_handlers,
    file_units,
    graph_part,
    is_graph_file,
    part_of,
    unit_in,
)
from mutlint.convex.syntax import imported_names
from mutlint.project import Project
from mutlint.source import SourceFile


def forward_units(project: Project, start: UnitKey, *, through_handlers: bool) -> list[UnitKey]:
    """The units code in `start` runs, following helper calls forward (start first, then in
    the order met), without the whole graph. Unless `through_handlers`, a callee that is some
    registered function's handler is not entered: as CallGraph.reaching, code there counts as
    that function's own."""
    found, stack, seen = [], [start], {start}
    while stack:
        unit = stack.pop()
        found.append(unit)
        for caller, callee, _ in part_of(project, unit[0]).edges:
            if caller != unit or callee in seen:
                continue
            seen.add(callee)
            if not through_handlers and callee[1] in part_of(project, callee[0]).handlers:
                continue
            stack.append(callee)
    return found


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

    def entry_calls(self, relpath: str, node: tree_sitter.Node) -> list[tuple[str, ByteRange]]:
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
                    found.add((site, call))
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
    return call_graph(project).entry_calls(file.relpath, node)


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
