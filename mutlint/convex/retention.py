"""Table growth and cleanup: which tables grow with traffic, and what (if anything) deletes
their old rows.

Convex has no TTL. Retention is a cron, or a job scheduled when a row is written, that reaches
a mutation deleting from the table. Volume is estimated from the code, never from data:

- `high-volume-tables` in the config is authoritative when it is set;
- otherwise a table is high-volume when it is append-only (inserted, never patched or
  replaced, and deleted by nothing but a cleanup) and either inserted on a hot path (by a
  mutation the app's client code calls, from an action or HTTP action through
  `ctx.runMutation`, in a loop) or named like a log (events, logs, deliveries, generations,
  metrics, history, ...).

A cleanup is a delete reached from a cron, a delete scheduled (at any depth) by the code that
inserts the row, a delete by a background job (a queue's consumer, a job that reschedules
itself or is handed to a work pool or worker), or a delete of rows older than a cutoff.
"""

from __future__ import annotations

import re

from mutlint.convex.flows import Flows, client_call_targets, project_flows
from mutlint.lazy_regex import LazyRegex
from mutlint.project import Project
from mutlint.records import Record

LOG_LIKE = LazyRegex(
    r"(log|event|deliver|generation|metric|histor|analytic|trace|audit|activit|notification"
    r"|ping|heartbeat|snapshot|webhook|request|usage)", re.IGNORECASE)


class Volume(Record):
    level: str  # high | medium | low
    reason: str


class Cleanup(Record):
    function: str  # the function that deletes
    how: str  # "cron <name>" | "scheduled when inserted by <function>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _hot_paths(flows: Flows, client_targets: set[str], inserting: set[str], in_loop: bool) -> list[str]:
    """Why inserts of this table happen often, strongest first."""
    reasons = []
    callers: dict[str, set[str]] = {}
    for call in flows.calls:
        if call.kind in ("run-mutation", "schedule") and call.target in inserting:
            for caller in call.callers:
                callers.setdefault(call.target, set()).add(caller)
    for function_id in sorted(inserting):
        function = flows.functions.get(function_id)
        if function is None:
            continue
        if function.kind == "mutation" and function_id in client_targets:
            reasons.append(f"inserted by {function_id}, which the app's client code calls")
        for caller_id in sorted(callers.get(function_id, ())):
            caller = flows.functions.get(caller_id)
            if caller is not None and caller.kind in ("action", "httpAction"):
                reasons.append(f"inserted from the {caller.kind} {caller_id}")
    if in_loop:
        reasons.append("inserted in a loop")
    return reasons


def table_volume(project: Project, table: str) -> Volume:
    def build() -> Volume:
        flows = project_flows(project)
        listed = project.high_volume_tables
        if listed is not None:
            if table in listed:
                return Volume("high", "listed in high-volume-tables")
            return Volume("low", "not listed in high-volume-tables")
        inserts = flows.writes_to(table, ("insert",))
        if not inserts:
            return Volume("low", "never inserted by this code")
        updates = flows.writes_to(table, ("patch", "replace"))
        inserting = {f for w in inserts for f in w.functions}
        count = _plural(len(inserting), "function")
        if updates:
            return Volume("low", f"its rows are updated in place (inserted by {count})")
        if flows.writes_to(table, ("delete",)) and table_cleanup(project, table) is None:
            # Rows are deleted by the app's own logic (with their owner, by a user): they have
            # a lifecycle, unlike a log that only grows.
            return Volume("medium", f"its rows are deleted by the app (inserted by {count})")
        hot = _hot_paths(flows, client_call_targets(project), inserting,
                         any(w.in_loop for w in inserts))
        log_like = LOG_LIKE.search(table) is not None
        basis = f"append-only (inserted by {count}, never patched or replaced)"
        if hot:
            return Volume("high", f"{basis}, {hot[0]}")
        if log_like:
            return Volume("high", f"{basis}, with a log-like name")
        return Volume("medium", basis)

    return project.memo(("table-volume", table), build)


def _deletes_by_age(flows: Flows, function_id: str) -> bool:
    """The function's handler compares against the clock or the creation time with lt/lte."""
    function = flows.functions.get(function_id)
    return function is not None and function.deletes_by_age


def table_cleanup(project: Project, table: str) -> Cleanup | None:
    def build() -> Cleanup | None:
        flows = project_flows(project)
        deleters = {f for w in flows.writes_to(table, ("delete",)) for f in w.functions}
        if not deleters:
            return None
        reached = flows.cron_reachable()
        for function_id in sorted(deleters):
            if function_id in reached:
                return Cleanup(function_id, f"cron \"{reached[function_id]}\"")
        # A delete scheduled when the row is written: the inserting function schedules a job
        # that (through any calls) deletes from the table.
        edges = flows.callees()
        inserting = {f for w in flows.writes_to(table, ("insert",)) for f in w.functions}
        for call in flows.calls:
            if call.kind != "schedule" or not inserting.intersection(call.callers):
                continue
            stack, seen = [call.target], {call.target}
            while stack:
                current = stack.pop()
                if current in deleters:
                    inserter = sorted(inserting.intersection(call.callers))[0]
                    return Cleanup(current, f"scheduled when inserted by {inserter}")
                for target in edges.get(current, ()):
                    if target not in seen:
                        seen.add(target)
                        stack.append(target)
        # A background job deletes the rows: a queue's consumer, or a retention job that
        # reschedules itself or is handed to a work pool (and, in a component, to the app).
        for function_id in sorted(deleters):
            if flows.job_like(function_id):
                return Cleanup(function_id, "deleted by a background job")
        # A delete of rows older than a cutoff: retention, whoever schedules it.
        for function_id in sorted(deleters):
            if _deletes_by_age(flows, function_id):
                return Cleanup(function_id, "deletes rows older than a cutoff")
        return None

    return project.memo(("table-cleanup", table), build)
