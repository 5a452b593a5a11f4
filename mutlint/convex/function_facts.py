"""Facts about registered Convex functions, for rules to use by name."""

from __future__ import annotations

import tree_sitter

from mutlint.convex.callgraph import reaching
from mutlint.convex.functions import RegisteredFunction, enclosing_registered_function
from mutlint.facts import NODE_KEY, FactSpec, FactValue, register_fact
from mutlint.project import Project
from mutlint.source import SourceFile

FUNCTION_ATTRIBUTES = ("id", "name", "kind", "visibility", "exported")


def name_node(function: RegisteredFunction) -> tree_sitter.Node:
    """Where a function is named: the exported const's name, else the builder call."""
    declarator = function.call.parent
    while declarator is not None and declarator.type in ("parenthesized_expression", "as_expression"):
        declarator = declarator.parent
    if declarator is not None and declarator.type == "variable_declarator":
        return declarator.child_by_field_name("name")
    return function.call


def function_record(file: SourceFile, function: RegisteredFunction) -> FactValue:
    return {
        "id": function.function_id,
        "name": function.name,
        "kind": function.kind,
        "visibility": function.visibility,
        "exported": "true" if function.exported else "false",
        NODE_KEY: (file, name_node(function)),
    }


def _convex_function(project: Project, file: SourceFile, node) -> FactValue | None:
    function = enclosing_registered_function(project, file, node)
    return function_record(file, function) if function is not None else None


def _reaching_convex_function(project: Project, file: SourceFile, node) -> list[FactValue]:
    return [function_record(project.file(relpath), function)
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
