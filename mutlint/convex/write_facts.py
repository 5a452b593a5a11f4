"""Facts about ctx.db writes: which table a write touches."""

from __future__ import annotations

from mutlint.convex.tables import db_call, table_inference
from mutlint.facts import FactValue
from mutlint.project import Project
from mutlint.source import SourceFile

WRITE_METHODS = ("insert", "patch", "replace", "delete")


def written_table_fact(project: Project, file: SourceFile, node) -> FactValue | None:
    call = db_call(file, node)
    if call is None or call[0] not in WRITE_METHODS:
        return None
    inference = table_inference(project, file)
    guess = inference.write_table(call[0], call[1])
    if guess is None:
        return None
    document = "new" if inference.inserted_here(call[0], call[1]) else "existing"
    return {"table": guess.table, "how": guess.how, "label": guess.label, "document": document}
