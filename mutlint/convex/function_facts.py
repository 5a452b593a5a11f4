"""Facts about registered Convex functions, for rules to use by name."""

from __future__ import annotations

from mutlint.convex.callgraph import reaching
from mutlint.convex.functions import RegisteredFunction, enclosing_registered_function, name_node
from mutlint.convex.graph_parts import HandlerInfo
from mutlint.facts import NODE_KEY, FactSpec, FactValue, register_fact
from mutlint.project import Project
from mutlint.source import SourceFile

FUNCTION_ATTRIBUTES = ("id", "name", "kind", "visibility", "exported")


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


def _convex_function(project: Project, file: SourceFile, node) -> FactValue | None:
    function = enclosing_registered_function(project, file, node)
    return function_record(file, function) if function is not None else None


def _reaching_convex_function(project: Project, file: SourceFile, node) -> list[FactValue]:
    return [function_record(file if relpath == file.relpath else None, function)
            for relpath, function in reaching(project, file, node)]


register_fact(FactSpec(
    name="convex-function",
    summary="The registered Convex function (query, mutation, action, httpAction) whose "
            "handler contains the node.",
    attributes=FUNCTION_ATTRIBUTES,
    display="id",
    compute=_convex_function,
))

register_fact(FactSpec(
    name="reaching-convex-function",
    summary="Every registered Convex function whose transaction runs the node: the handler it "
            "is in, or each function that reaches its helper through calls that pass ctx on. "
            "One value per function.",
    attributes=FUNCTION_ATTRIBUTES,
    display="id",
    compute=_reaching_convex_function,
))
