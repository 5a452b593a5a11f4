"""Facts about registered Convex functions, for rules to use by name."""

from __future__ import annotations

from mutlint.convex.callgraph import reaching
from mutlint.convex.functions import RegisteredFunction, enclosing_registered_function, name_node
from mutlint.convex.graph_parts import HandlerInfo
from mutlint.facts import NODE_KEY, FactValue
from mutlint.project import Project
from mutlint.source import SourceFile


def function_record(file: SourceFile | None, function: RegisteredFunction | HandlerInfo) -> FactValue:
    """The fact value of a function: of this file's own (a RegisteredFunction), or of one the
    call graph names (a HandlerInfo, whose file need not be parsed)."""
    where = function.name_node if isinstance(function, HandlerInfo) else (file, name_node(function))
    return {
        "id": function.function_id,
        "name": function.name,
        "kind": function.kind,
        "visibility": function.visibility,
        "exported": "true" if function.exported else "false",
        NODE_KEY: where,
    }


def convex_function_fact(project: Project, file: SourceFile, node) -> FactValue | None:
    function = enclosing_registered_function(project, file, node)
    return function_record(file, function) if function is not None else None


def reaching_convex_function_fact(project: Project, file: SourceFile, node) -> list[FactValue]:
    return [function_record(file if relpath == file.relpath else None, function)
            for relpath, function in reaching(project, file, node)]
