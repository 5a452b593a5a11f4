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

from mutlint.convex.functions import (
    FUNCTION_TYPES,
    RegisteredFunction,
    local_functions,
    registered_functions,
)
from mutlint.convex.syntax import project_imports, query_matches
from mutlint.project import Project
from mutlint.source import SourceFile

UnitKey = tuple[str, int]  # (relpath, start byte of the function node)

_CALLS = """
(call_expression function: (identifier) @callee arguments: (arguments) @args) @call
"""


class CallGraph:
    def __init__(self, project: Project):
        self.project = project
        self.handlers: dict[UnitKey, RegisteredFunction] = {}
        self.units: dict[str, dict[int, tree_sitter.Node]] = defaultdict(dict)  # relpath -> start -> node
        self.callers: dict[UnitKey, set[UnitKey]] = defaultdict(set)
        # callee -> every call that passes ctx to it: (file, call node)
        self.call_sites: dict[UnitKey, list[tuple[SourceFile, tree_sitter.Node]]] = defaultdict(list)
        self._helpers: dict[str, dict[str, tree_sitter.Node]] = {}
        for file in project.convex_files():
            self._add_units(file)
        for file in project.convex_files():
            self._add_edges(file)

    def helpers_of(self, file: SourceFile) -> dict[str, tree_sitter.Node]:
        if file.relpath not in self._helpers:
            self._helpers[file.relpath] = local_functions(file)
            for node in self._helpers[file.relpath].values():
                self.units[file.relpath][node.start_byte] = node
        return self._helpers[file.relpath]

    def _add_units(self, file: SourceFile) -> None:
        self.helpers_of(file)
        for function in registered_functions(self.project, file):
            if function.handler is not None:
                key = (file.relpath, function.handler.start_byte)
                self.handlers[key] = function
                self.units[file.relpath][function.handler.start_byte] = function.handler

    def is_handler(self, relpath: str, function: tree_sitter.Node) -> bool:
        return (relpath, function.start_byte) in self.handlers

    def unit_of(self, file: SourceFile, node: tree_sitter.Node) -> UnitKey | None:
        """The innermost unit containing node."""
        units = self.units.get(file.relpath, {})
        current = node
        while current is not None:
            if current.type in FUNCTION_TYPES and units.get(current.start_byte) is not None \
                    and units[current.start_byte].id == current.id:
                return (file.relpath, current.start_byte)
            current = current.parent
        return None

    def _add_edges(self, file: SourceFile) -> None:
        helpers = self.helpers_of(file)
        imported = imported_names(self.project, file)
        if not helpers and not imported:
            return  # no name here can be a helper: no call to walk the tree for
        for captures in query_matches(file, _CALLS):
            callee_name = file.text(captures["callee"][0])
            if callee_name in helpers:
                callee = (file.relpath, helpers[callee_name].start_byte)
            elif callee_name in imported:
                target, name = imported[callee_name]
                target_file = self.project.file(target)
                node = self.helpers_of(target_file).get(name) if target_file else None
                if node is None:
                    continue
                callee = (target, node.start_byte)
            else:
                continue
            caller = self.unit_of(file, captures["call"][0])
            if caller is None or not self._passes_context(file, caller, captures["args"][0]):
                continue
            self.callers[callee].add(caller)
            self.call_sites[callee].append((file, captures["call"][0]))

    def _passes_context(self, file: SourceFile, caller: UnitKey, args: tree_sitter.Node) -> bool:
        unit = self.units[caller[0]][caller[1]]
        names = context_names(file, unit)
        for argument in args.named_children:
            root = argument
            while root.type == "member_expression":
                root = root.child_by_field_name("object")
            if root is not None and root.type == "identifier" and file.text(root) in names:
                return True
        return False

    def entry_calls(self, file: SourceFile,
                    node: tree_sitter.Node) -> list[tuple[SourceFile, tree_sitter.Node]]:
        """For code in a helper: the calls in registered functions' bodies through which it
        runs (the first step from a handler into the helpers), in path order."""
        start = self.unit_of(file, node)
        if start is None or start in self.handlers:
            return []
        seen, stack, found = {start}, [start], {}
        while stack:
            unit = stack.pop()
            for site_file, call in self.call_sites.get(unit, ()):
                caller = self.unit_of(site_file, call)
                if caller is None:
                    continue
                if caller in self.handlers:
                    found[(site_file.relpath, call.start_byte)] = (site_file, call)
                elif caller not in seen:
                    seen.add(caller)
                    stack.append(caller)
        return [found[key] for key in sorted(found)]

    def reaching(self, file: SourceFile, node: tree_sitter.Node) -> list[tuple[str, RegisteredFunction]]:
        """(relpath, function) for each registered function whose transaction runs this code."""
        start = self.unit_of(file, node)
        if start is None:
            return []
        seen, stack, found = {start}, [start], {}
        while stack:
            unit = stack.pop()
            if unit in self.handlers:
                function = self.handlers[unit]
                found[function.function_id] = (unit[0], function)
                continue
            for caller in self.callers.get(unit, ()):
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


def helper_named(project: Project, file: SourceFile, name: str) -> tuple[SourceFile, tree_sitter.Node] | None:
    """The top-level function `name` refers to in `file`: defined there or imported."""
    graph = call_graph(project)
    local = graph.helpers_of(file).get(name)
    if local is not None:
        return file, local
    imported = imported_names(project, file).get(name)
    if imported is None:
        return None
    target = project.file(imported[0])
    node = graph.helpers_of(target).get(imported[1]) if target is not None else None
    return (target, node) if node is not None else None


def call_graph(project: Project) -> CallGraph:
    return project.memo(("call-graph",), lambda: CallGraph(project))
