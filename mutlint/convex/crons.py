"""Cron jobs: the functions Convex runs on a schedule, declared in `<convex dir>/crons.ts`.

```ts
const crons = cronJobs();
crons.daily("purge sessions", { hourUTC: 3, minuteUTC: 0 }, internal.sessions.purge);
export default crons;
```

The crons object is recognised by `cronJobs` imported from `convex/server`, so a method called
`daily` on anything else is not a cron job. Cron targets are roots of the call graph: retention
rules ask whether a cron reaches a delete of some table.
"""

from __future__ import annotations

import tree_sitter

from mutlint.convex.references import FunctionRef, function_ref
from mutlint.convex.syntax import (
    call_arguments,
    imported_as,
    normalized_code,
    project_imports,
    query_matches,
    string_value,
    unwrap,
)
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import SourceFile

# Every Crons method that schedules a job takes (name, schedule, function reference, args?).
SCHEDULES = frozenset({"interval", "hourly", "daily", "weekly", "monthly", "cron"})
TARGET_ARGUMENT = 2

_DECLARATIONS = "(variable_declarator name: (identifier) @name value: (_) @value)"
_METHOD_CALLS = """
(call_expression
  function: (member_expression object: (identifier) @object property: (property_identifier) @method)) @call
"""


class CronJob(Record):
    name: str  # the job's identifier, or its code when it is not a string literal
    schedule: str  # interval | hourly | daily | weekly | monthly | cron
    target: FunctionRef | None  # None when the function is not written as an api/internal reference
    node: tree_sitter.Node  # the scheduling call


def cron_jobs(project: Project) -> list[CronJob]:
    return project.memo(("cron-jobs",), lambda: _find_cron_jobs(project))


def _crons_file(project: Project) -> SourceFile | None:
    prefix = project.convex_dir + "/" if project.convex_dir else ""
    for name in ("crons.ts", "crons.js"):
        if prefix + name in project.sources:
            return project.file(prefix + name)
    return None


def _declarations(file: SourceFile) -> dict[str, tree_sitter.Node]:
    """`const name = value` anywhere in the file (crons.ts is small and flat), by name."""
    return {file.text(c["name"][0]): unwrap(c["value"][0]) for c in query_matches(file, _DECLARATIONS)}


def _crons_variables(project: Project, file: SourceFile, declarations: dict[str, tree_sitter.Node]
                     ) -> set[str]:
    """Names bound to `cronJobs()` (under any alias of `cronJobs`)."""
    makers = imported_as(project_imports(project, file), "convex/server", "cronJobs")
    variables = set()
    for name, value in declarations.items():
        callee = value.child_by_field_name("function") if value.type == "call_expression" else None
        if callee is not None and callee.type == "identifier" and file.text(callee) in makers:
            variables.add(name)
    return variables


def _target(file: SourceFile, argument: tree_sitter.Node,
            declarations: dict[str, tree_sitter.Node]) -> FunctionRef | None:
    """The job's function, also through a constant (`const purge = internal.sessions.purge`)."""
    argument = unwrap(argument)
    if argument.type == "identifier" and file.text(argument) in declarations:
        argument = declarations[file.text(argument)]
    return function_ref(file, argument)


def _find_cron_jobs(project: Project) -> list[CronJob]:
    file = _crons_file(project)
    if file is None or b"cronJobs" not in file.data:
        return []
    declarations = _declarations(file)
    variables = _crons_variables(project, file, declarations)
    if not variables:
        return []
    jobs = []
    matches = sorted(query_matches(file, _METHOD_CALLS), key=lambda c: c["call"][0].start_byte)
    for captures in matches:
        schedule = file.text(captures["method"][0])
        if schedule not in SCHEDULES or file.text(captures["object"][0]) not in variables:
            continue
        call = captures["call"][0]
        arguments = call_arguments(call)
        if not arguments:
            continue
        name = string_value(file, arguments[0])
        target = _target(file, arguments[TARGET_ARGUMENT], declarations) \
            if len(arguments) > TARGET_ARGUMENT else None
        jobs.append(CronJob(name=name if name is not None else normalized_code(file, arguments[0]),
                            schedule=schedule, target=target, node=call))
    return jobs
