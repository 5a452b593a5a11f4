"""Facts about ctx.db writes: which table a write touches."""

from __future__ import annotations

from mutlint.convex.tables import db_call, table_inference
from mutlint.facts import FactSpec, FactValue, register_fact
from mutlint.project import Project
from mutlint.source import SourceFile

WRITE_METHODS = ("insert", "patch", "replace", "delete")


def _written_table(project: Project, file: SourceFile, node) -> FactValue | None:
    call = db_call(file, node)
    if call is None or call[0] not in WRITE_METHODS:
        return None
    guess = table_inference(project, file).write_table(call[0], call[1])
    if guess is None:
        return None
    return {"table": guess.table, "how": guess.how, "label": guess.label}


register_fact(FactSpec(
    name="written-table",
    summary="The table a `ctx.db.insert/patch/replace/delete` call writes, and how it was "
            "inferred (argument, validator, annotation, id-source, schema, or name: a guess).",
    attributes=("label", "table", "how"),
    display="label",
    tokens=(b"db",), compute=_written_table,
))
