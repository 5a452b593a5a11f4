"""Which branch arms a node runs on, within its function: for telling writes that can happen in
one run from writes on mutually exclusive paths.

`if (team) { patch(team) } else { patch(user) }` changes one document, not two; nor does
`if (done) { await ctx.db.patch(a, ...); return; } await ctx.db.patch(b, ...)`, since the code
after an `if` whose body always returns runs only when that body did not. The fact records, per
enclosing branch, the arm taken; `group.exclusive` then never counts two members together that
took different arms of the same branch. Only what is certain is recorded: paths exist only in
a registered function's handler, which runs once per transaction (a helper may be called twice
with other arguments, and a `.map` callback runs once per element); code in a helper takes the
paths of the handler's calls that lead to it; a branch inside a loop is dropped (another
iteration may take the other arm), as is a switch whose cases may fall through.
"""

from __future__ import annotations

import tree_sitter

from mutlint.convex.callgraph import entry_calls
from mutlint.convex.functions import FUNCTION_TYPES, enclosing_registered_function
from mutlint.convex.graph_parts import call_at
from mutlint.facts import FactValue
from mutlint.project import Project
from mutlint.source import SourceFile

LOOP_TYPES = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
EXITS = frozenset({"return_statement", "throw_statement"})
CASE_EXITS = EXITS | {"break_statement"}
BLOCK_TYPES = frozenset({"statement_block", "program", "switch_case", "switch_default"})


def branch_path(project: Project, file: SourceFile, node: tree_sitter.Node) -> str:
    """`function-key|branch:arm,...`: the function the node belongs to (its start byte) and, for
    each enclosing branch in it, the branch's start byte and the arm the node is on; no arms
    outside a handler's own body."""
    arms: list[str] = []
    child, current = node, node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        kind = current.type
        if kind in ("if_statement", "ternary_expression"):  # the same fields in both
            if _same(current.child_by_field_name("consequence"), child):
                arms.append(f"{current.start_byte}:then")
            elif _same(current.child_by_field_name("alternative"), child):
                arms.append(f"{current.start_byte}:else")
        elif kind == "switch_body" and child.type in ("switch_case", "switch_default") \
                and _cases_are_exclusive(current):
            arms.append(f"{current.start_byte}:{child.start_byte}")
        if kind in BLOCK_TYPES:
            # Past an `if` (without else) whose body always exits, only its else side runs.
            for earlier in current.named_children:
                if earlier.start_byte >= child.start_byte:
                    break
                if earlier.type == "if_statement" and earlier.child_by_field_name("alternative") is None \
                        and _always_exits(earlier.child_by_field_name("consequence")):
                    arms.append(f"{earlier.start_byte}:else")
        if kind in LOOP_TYPES:
            arms.clear()  # each iteration may take another arm of what is inside the loop
        child, current = current, current.parent
    function = current.start_byte if current is not None else -1
    registered = enclosing_registered_function(project, file, node) if current is not None else None
    if registered is None or registered.handler is None or registered.handler.id != current.id:
        arms = []  # a helper or a callback: it may run more than once per transaction
    return f"{file.relpath}@{function}|{','.join(sorted(arms))}"


def exclusive(paths_a: str, paths_b: str) -> bool:
    """Can the two nodes not both run in one call of a function? Each names its paths (`;`
    between them: code in a helper runs along each of the handler's calls that lead to it);
    they are exclusive when, in every function both run in, every pair of paths is."""
    by_function_a, by_function_b = _by_function(paths_a), _by_function(paths_b)
    common = by_function_a.keys() & by_function_b.keys()
    return bool(common) and all(_arms_exclusive(a, b) for function in common
                                for a in by_function_a[function] for b in by_function_b[function])


def _by_function(paths: str) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for path in paths.split(";") if paths else ():
        function, _, arms = path.partition("|")
        pairs = [arm.rsplit(":", 1) for arm in arms.split(",")] if arms else []
        found.setdefault(function, []).append(dict(p for p in pairs if len(p) == 2))
    return found


def _arms_exclusive(a: dict[str, str], b: dict[str, str]) -> bool:
    return any(a[branch] != side for branch, side in b.items() if branch in a)


def _same(a: tree_sitter.Node | None, b: tree_sitter.Node) -> bool:
    return a is not None and a.id == b.id


def _statements(node: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    if node is None:
        return []
    if node.type in ("statement_block", "switch_case", "switch_default"):
        body = [c for c in node.named_children if c.type != "comment"]
        # A case's first named child is its value (`case "a":`), not a statement.
        return body[1:] if node.type == "switch_case" and body else body
    return [node]


def _always_exits(body: tree_sitter.Node | None) -> bool:
    statements = _statements(body)
    return bool(statements) and statements[-1].type in EXITS


def _cases_are_exclusive(switch_body: tree_sitter.Node) -> bool:
    """No case falls through into the next (the last may end as it likes)."""
    cases = [c for c in switch_body.named_children if c.type in ("switch_case", "switch_default")]
    for case in cases[:-1]:
        statements = _statements(case)
        if not statements or statements[-1].type not in CASE_EXITS:
            return False
    return True


def branch_path_fact(project: Project, file: SourceFile, node) -> FactValue:
    entries = entry_calls(project, file, node)
    if not entries:  # in a handler (or in nothing the graph knows): its own path
        return {"path": branch_path(project, file, node)}
    paths = {path for relpath, span in entries if (path := _call_path(project, relpath, span)) is not None}
    return {"path": ";".join(sorted(paths))}


def _call_path(project: Project, relpath: str, span: tuple[int, int]) -> str | None:
    """branch_path of a call into a helper, in the caller's file: plain data."""
    def compute() -> str | None:
        found = call_at(project, relpath, span)
        return branch_path(project, *found) if found is not None else None

    return project.memo(("call-path", relpath, span), compute, lasting=True)
