"""Facts about calls that run Convex mutations: what they change, and how they repeat.

`mutation-call` says which mutation a call runs, through which transport, and which document
it changes. `call-repetition` places the call among its neighbours: calls with the same
`segment` run back to back with no other awaited work between them (so their order does not
depend on anything else), inside one `Promise.all`, or the call sits alone in a loop.
"""

from __future__ import annotations

import tree_sitter

from mutlint.convex.flow_parts import loop_of
from mutlint.convex.functions import FUNCTION_TYPES
from mutlint.convex.handles import CONCURRENT, MutationCall, mutation_call
from mutlint.convex.mutation_summary import mutation_summary
from mutlint.convex.scopes import file_scopes
from mutlint.facts import NODE_KEY, FactValue
from mutlint.project import Project
from mutlint.source import SourceFile, descendants

CHAIN_METHODS = frozenset({"then", "catch", "finally"})
EFFECTS = {
    "react": "each call is its own transaction, queued by the React client: they are not "
             "atomic together, and each one can collide with other tabs, users and jobs",
    "react-client": "each call is its own transaction: they are not atomic together, and each "
                    "one can collide with other tabs, users and jobs",
    "concurrent": "the calls run concurrently as separate transactions and conflict with each other",
    "unawaited": "the calls are not awaited, so they are in flight together as separate "
                 "transactions and conflict with each other",
}


def _rewrites(project: Project, target: str) -> bool:
    """Does the mutation change existing documents (patch, replace, delete)?"""
    summary = mutation_summary(project, target)
    return summary is not None and summary.rewrites


def mutation_call_fact(project: Project, file: SourceFile, node) -> FactValue | None:
    call = mutation_call(project, file, node)
    if call is None:
        return None
    return {
        "mutation": call.target,
        "transport": call.transport,
        "document": call.document,
        "rewrites": "true" if _rewrites(project, call.target) else "false",
        NODE_KEY: (file, node),
    }


def _statement_of(call: tree_sitter.Node) -> tuple[tree_sitter.Node, bool, bool]:
    """(the expression the call's value flows into, awaited?, chained with then/catch?)."""
    current, awaited, chained = call, False, False
    while current.parent is not None:
        parent = current.parent
        if parent.type == "await_expression":
            awaited = True
        elif parent.type == "member_expression" and \
                parent.child_by_field_name("property").text.decode() in CHAIN_METHODS:
            chained = True
            parent = parent.parent  # the .then(...) call
            if parent is None:
                break
        elif parent.type not in ("parenthesized_expression", "unary_expression"):
            break
        current = parent
    return current, awaited, chained


def _enclosing_function(node: tree_sitter.Node) -> tree_sitter.Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


def _promise_all(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The `Promise.all/allSettled([...])` call whose array holds this expression."""
    array = node.parent
    if array is None or array.type != "array":
        return None
    arguments = array.parent
    call = arguments.parent if arguments is not None else None
    if call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    text = callee.text.decode() if callee is not None else ""
    return call if text in ("Promise.all", "Promise.allSettled") else None


class Repetition:
    def __init__(self, project: Project, file: SourceFile):
        self.project = project
        self.file = file
        self._awaits: dict[int, list[tree_sitter.Node]] = {}

    def awaits_in(self, scope: tree_sitter.Node) -> list[tree_sitter.Node]:
        """`await` expressions of this function (or loop) body, not of nested functions."""
        if scope.id not in self._awaits:
            found = []
            for node in descendants(scope):
                if node.type == "await_expression" and _enclosing_function(node) == \
                        (scope if scope.type in FUNCTION_TYPES else _enclosing_function(scope)):
                    found.append(node)
            self._awaits[scope.id] = found
        return self._awaits[scope.id]

    def _awaited_call(self, expression: tree_sitter.Node) -> MutationCall | None:
        inner = next((c for c in expression.named_children if c.type != "comment"), None)
        while inner is not None and inner.type == "call_expression":
            found = mutation_call(self.project, self.file, inner)
            if found is not None:
                return found
            callee = inner.child_by_field_name("function")  # a .then/.catch chain
            inner = callee.child_by_field_name("object") if callee is not None and \
                callee.type == "member_expression" else None
        return None

    def _other_awaits(self, scope: tree_sitter.Node, call: tree_sitter.Node,
                      key: str, before: int | None = None) -> list[tree_sitter.Node]:
        others = []
        for expression in self.awaits_in(scope):
            if before is not None and expression.start_byte >= before:
                break
            if expression.start_byte <= call.start_byte <= expression.end_byte:
                continue  # the call's own await
            found = self._awaited_call(expression)
            if found is None or found.document != key:
                others.append(expression)
        return others

    def value(self, node: tree_sitter.Node) -> FactValue | None:
        call = mutation_call(self.project, self.file, node)
        if call is None:
            return None
        key = call.document
        function = _enclosing_function(node)
        outer, awaited, chained = _statement_of(node)
        concurrent = call.transport in CONCURRENT
        effect = EFFECTS["concurrent" if concurrent else "unawaited" if not awaited
                         else "react" if call.transport == "react" else "react-client"]
        loop = loop_of(node)
        if loop is not None:
            return self._in_loop(node, call, key, loop, outer, effect)
        group = _promise_all(outer)
        if group is not None:
            return {"how": "inside one Promise.all", "segment": f"all@{group.start_byte}",
                    "times": "1", "effect": EFFECTS["concurrent"]}
        scope = function or self.file.root
        block = outer.parent
        while block is not None and block.type not in ("statement_block", "program"):
            block = block.parent
        before = len(self._other_awaits(scope, node, key, before=node.start_byte))
        how = ("chained with .then/.catch" if chained and not awaited else
               "awaited back to back" if awaited else "without await")
        return {"how": how, "segment": f"seq@{block.start_byte if block else 0}#{before}",
                "times": "1", "effect": effect}

    def _in_loop(self, node, call, key, loop, outer, effect) -> FactValue | None:
        # A loop whose statement uses the call's result (a drain: `more = await f()`) may need
        # each result before the next call; a callback's expression body only hands it back.
        parent = outer.parent
        is_callback_body = parent is not None and parent.type == "arrow_function" and \
            parent.child_by_field_name("body") == outer
        if parent is None or (parent.type != "expression_statement" and not is_callback_body):
            return None
        if self._other_awaits(loop, node, key):
            return None  # other awaited work in the loop body orders the calls
        scopes = file_scopes(self.project, self.file)
        for expression in call.document_nodes:
            for identifier in [expression, *descendants(expression)]:
                if identifier.type not in ("identifier", "shorthand_property_identifier"):
                    continue
                declaration = scopes.declaration(identifier, self.file.text(identifier))
                if declaration is not None and loop.start_byte <= declaration.start_byte < loop.end_byte:
                    return None  # a different document each iteration
        return {"how": "in a loop", "segment": f"loop@{loop.start_byte}", "times": "many",
                "effect": effect}


def call_repetition(project: Project, file: SourceFile, node) -> FactValue | None:
    repetition = project.memo(("repetition", file.relpath), lambda: Repetition(project, file))
    return repetition.value(node)
