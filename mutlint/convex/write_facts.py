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
    inference = table_inference(project, file)
    guess = inference.write_table(call[0], call[1])
    if guess is None:
        return None
    document = "new" if inference.inserted_here(call[0], call[1]) else "existing"
    return {"table": guess.table, "how": guess.how, "label": guess.label, "document": document}


register_fact(FactSpec(
    name="written-table",
    summary="The table a `ctx.db.insert/patch/replace/delete` call writes, how it was "
            "inferred (argument, validator, annotation, id-source, schema, or name: a guess), "
            "and whether the document is `new` (inserted just before by this code) or `existing`.",
    attributes=("label", "table", "how", "document"),
    display="label",
    tokens=(b"db",), compute=_written_table,
))
