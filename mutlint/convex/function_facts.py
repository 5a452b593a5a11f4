"""Facts about registered Convex functions, for rules to use by name."""

from __future__ import annotations

from mutlint.convex.functions import enclosing_registered_function
from mutlint.facts import FactSpec, FactValue, register_fact


def _convex_function(project, file, node) -> FactValue | None:
    function = enclosing_registered_function(project, file, node)
    if function is None:
        return None
    return {
        "id": function.function_id,
        "name": function.name,
        "kind": function.kind,
        "visibility": function.visibility,
        "exported": "true" if function.exported else "false",
    }


register_fact(FactSpec(
    name="convex-function",
    summary="The registered Convex function (query, mutation, action, httpAction) whose "
            "handler contains the node.",
    attributes=("id", "name", "kind", "visibility", "exported"),
    display="id",
    compute=_convex_function,
))
