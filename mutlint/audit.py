"""Build the mutation-health audit from one check run over the whole project and from the
Convex model the rules used (the data is in audit_model.py, the conclusions in audit_advice.py)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import tree_sitter

from mutlint.audit_advice import conclude
from mutlint.audit_model import (
    DUAL,
    PARALLEL,
    SCAN,
    TTL,
    UNAWAITED,
    Audit,
    DualRow,
    FrontendRow,
    Link,
    OtherFinding,
    ParallelRow,
    SchedulerRow,
    TableRow,
)
from mutlint.convex.call_facts import call_repetition
from mutlint.convex.flow_parts import loop_of
from mutlint.convex.flows import client_calls, project_flows
from mutlint.convex.functions import FUNCTION_TYPES, name_node, registered_functions
from mutlint.convex.handles import mutation_call
from mutlint.convex.retention import table_cleanup, table_volume
from mutlint.convex.schema import project_schema
from mutlint.findings import Finding, Severity
from mutlint.project import Project
from mutlint.result import CheckResult
from mutlint.source import SourceFile


def _line(file: SourceFile, node: tree_sitter.Node) -> Link:
    return Link(file.relpath, node.start_point.row + 1)


def _node_at(file: SourceFile, finding: Finding) -> tree_sitter.Node:
    """The node a finding points at (its start and end)."""
    start = (finding.span.start_line - 1, _byte_column(file, finding.span.start_line,
                                                       finding.span.start_column))
    end = (finding.span.end_line - 1, _byte_column(file, finding.span.end_line,
                                                   finding.span.end_column))
    return file.root.named_descendant_for_point_range(start, end)


def _byte_column(file: SourceFile, line: int, utf16_column: int) -> int:
    text = file.line_text(line)
    units = 0
    for index, char in enumerate(text):
        if units >= utf16_column - 1:
            return len(text[:index].encode("utf-8"))
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text.encode("utf-8"))


def _call_at(node: tree_sitter.Node) -> tree_sitter.Node:
    while node is not None and node.type != "call_expression":
        node = node.parent
    return node


def component_name(file: SourceFile, node: tree_sitter.Node) -> str:
    """`Component → handler` for the functions around a node, outermost first."""
    names = []
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_TYPES:
            name = current.child_by_field_name("name")
            if name is None and current.parent is not None and current.parent.type == "variable_declarator":
                name = current.parent.child_by_field_name("name")
            attribute = _jsx_attribute(current)
            if name is not None:
                names.append(file.text(name))
            elif attribute is not None:
                names.append(f"{attribute} handler")
            elif current.parent is not None and current.parent.type == "arguments":
                callee = current.parent.parent.child_by_field_name("function") if \
                    current.parent.parent is not None else None
                names.append(f"{file.text(callee) if callee is not None else 'callback'} callback")
        current = current.parent
    return " → ".join(reversed(names)) or "(module)"


def _jsx_attribute(function: tree_sitter.Node) -> str | None:
    """`onClick` for the arrow in `onClick={() => ...}`."""
    container = function.parent
    attribute = container.parent if container is not None and container.type == "jsx_expression" else None
    if attribute is None or attribute.type != "jsx_attribute" or not attribute.named_children:
        return None
    return attribute.named_children[0].text.decode("utf-8", "replace")


EVENT_HANDLER = re.compile(r"(^|→ )(on[A-Z]\w*( handler)?|handle[A-Z]\w*)$")


def build_audit(project: Project, result: CheckResult) -> Audit:
    flows = project_flows(project)
    convex_files = project.convex_files()
    reported = result.reported
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("error", "warning", "note"), 0))
    for finding in reported:
        counts[finding.rule_id][finding.severity.label] += 1
    audit = Audit(
        convex_dir=project.convex_dir,
        convex_files=sum(1 for f in convex_files if enclosing_functions_exist(project, f)),
        write_counts=dict(sorted(Counter(w.method for w in flows.writes).items())),
        files_with_writes=len({w.relpath for w in flows.writes}),
        findings={rule: counts[rule] for rule in sorted(counts)},
        top_risks=[],
    )
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in reported:
        by_rule[finding.rule_id].append(finding)
    _parallel(project, audit, by_rule[PARALLEL])
    _dual(project, audit, by_rule[DUAL], flows)
    for rule in (SCAN, UNAWAITED):
        audit.other.extend(OtherFinding(f.rule_id, f.severity.label, Link(f.span.path, f.span.start_line),
                                        f.message) for f in by_rule[rule])
    _frontend(project, audit, flows)
    _scheduler(audit, flows)
    _tables(project, audit, {f.span.start_line for f in by_rule[TTL]})
    schema = project_schema(project)
    if schema is not None and schema.relpath in project.files:
        audit.schema_lines = len(project.files[schema.relpath].line_starts())
    conclude(project, audit, by_rule)
    return audit


def enclosing_functions_exist(project: Project, file: SourceFile) -> bool:
    return bool(registered_functions(project, file))


def _parallel(project: Project, audit: Audit, findings: list[Finding]) -> None:
    for finding in findings:
        file = project.file(finding.span.path)
        call = _call_at(_node_at(file, finding)) if file is not None else None
        if call is None:
            continue
        repetition = call_repetition(project, file, call) or {}
        found = mutation_call(project, file, call)
        mutations = {found.target} if found else set()
        for related in finding.related:
            other_file = project.file(related.span.path)
            other = mutation_call(project, other_file, _call_at(_node_at(other_file, _as_finding(related))))
            if other is not None:
                mutations.add(other.target)
        audit.parallel.append(ParallelRow(
            location=Link(finding.span.path, finding.span.start_line),
            component=component_name(file, call), mutations=sorted(mutations),
            pattern=repetition.get("how", "repeated"), effect=repetition.get("effect", "")))


def _as_finding(related) -> Finding:
    return Finding("", Severity.NOTE, "", related.span)


def _dual(project: Project, audit: Audit, findings: list[Finding], flows) -> None:
    for finding in findings:
        file = project.file(finding.span.path)
        node = _node_at(file, finding) if file is not None else None
        function = next((f for f in registered_functions(project, file)
                         if node is not None and name_node(f).id == node.id), None)
        if function is None:
            continue
        tables = sorted({w.table.table for w in flows.writes if w.method != "insert"
                         and w.table is not None and function.function_id in w.functions})
        audit.dual.append(DualRow(Link(finding.span.path, finding.span.start_line),
                                  function.function_id, tables))


def _frontend_pattern(project: Project, file: SourceFile, component: str,
                      calls: list[tree_sitter.Node]) -> str:
    if any(loop_of(c) is not None for c in calls):
        return "In a loop"
    repetitions = [(call_repetition(project, file, c) or {}).get("how", "") for c in calls]
    if len(calls) == 1:
        args = calls[0].child_by_field_name("arguments")
        batched = args is not None and any(
            pair.type == "pair" and (pair.child_by_field_name("value") or pair).type == "array"
            for arg in args.named_children if arg.type == "object" for pair in arg.named_children)
        if batched:
            return "Batched (one call, many changes)"
        return "User-initiated (one call per event)" if EVENT_HANDLER.search(component) \
            else "Single mutation"
    if any("without await" in r or "Promise.all" in r for r in repetitions):
        return "Concurrent (not awaited)"
    return "Sequential with await"


def _frontend(project: Project, audit: Audit, flows) -> None:
    racing = {(row.location.path, row.component) for row in audit.parallel}
    # One row per function that makes the calls (two onClick arrows are two handlers).
    handlers: dict[tuple[str, int], list[tree_sitter.Node]] = defaultdict(list)
    files: dict[str, SourceFile] = {}
    for file, call in client_calls(project).calls:
        files[file.relpath] = file
        function = call.parent
        while function is not None and function.type not in FUNCTION_TYPES:
            function = function.parent
        handlers[(file.relpath, function.start_byte if function is not None else -1)].append(call)
    for (relpath, _), calls in sorted(handlers.items()):
        file = files[relpath]
        component = component_name(file, calls[0])
        calls.sort(key=lambda c: c.start_byte)
        targets = sorted({m.target for c in calls if (m := mutation_call(project, file, c))})
        pattern = _frontend_pattern(project, file, component, calls)
        status = "Racing: see above" if (relpath, component) in racing else "OK"
        audit.frontend.append(FrontendRow(_line(file, calls[0]), component, targets, pattern, status))


def _scheduler(audit: Audit, flows) -> None:
    for call in sorted((c for c in flows.calls if c.kind == "schedule"),
                       key=lambda c: (c.relpath, c.span)):
        target = flows.functions.get(call.target)
        is_action = target is not None and target.kind in ("action", "httpAction")
        public = target is not None and target.visibility == "public"
        risk = "Medium" if call.in_loop or public else "Low"
        audit.scheduler.append(SchedulerRow(
            Link(call.relpath, call.line), ", ".join(call.callers) or "(not in a registered function)",
            call.target, call.method, is_action, call.in_loop, public, risk))


def _tables(project: Project, audit: Audit, flagged_lines: set[int]) -> None:
    schema = project_schema(project)
    if schema is None:
        return
    flows = project_flows(project)
    for name in sorted(schema.tables):
        table = schema.tables[name]
        volume = table_volume(project, name)
        cleanup = table_cleanup(project, name)
        inserts = len(flows.writes_to(name, ("insert",)))
        line = table.key_node.start_point.row + 1 if table.key_node is not None else 1
        if volume.level != "high" and inserts == 0:
            continue  # not written by this code: nothing to say about its growth
        if cleanup is not None:
            status = "OK"
        elif volume.level == "high":
            status = "Add a TTL" if line in flagged_lines else "Kept on purpose (suppressed in code)"
        else:
            status = "Watch" if volume.level == "medium" else "OK"
        audit.tables.append(TableRow(
            name, Link(table.relpath, line), volume.level.capitalize(), volume.reason, inserts,
            f"{cleanup.function} ({cleanup.how})" if cleanup else None, status))
