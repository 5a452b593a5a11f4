"""Facts about schema tables: which table a schema entry is, its volume, its cleanup."""

from __future__ import annotations

import tree_sitter

from mutlint.convex.flows import keep_for_table_volume
from mutlint.convex.retention import table_cleanup, table_volume
from mutlint.convex.schema import project_schema
from mutlint.facts import NODE_KEY, FactSpec, FactValue, register_fact
from mutlint.project import Project
from mutlint.source import SourceFile


def _table_at(project: Project, file: SourceFile, node: tree_sitter.Node) -> str | None:
    """The schema table whose entry in defineSchema({...}) is `node` (or its key)."""
    schema = project_schema(project)
    if schema is None or schema.relpath != file.relpath:
        return None
    key = node.child_by_field_name("key") if node.type == "pair" else node
    for table in schema.tables.values():
        if table.key_node is not None and key is not None and table.key_node.id == key.id:
            return table.name
    return None


def _schema_table(project, file, node) -> FactValue | None:
    name = _table_at(project, file, node)
    if name is None:
        return None
    return {"name": name, NODE_KEY: (file, node)}


def _volume(project, file, node) -> FactValue | None:
    name = _table_at(project, file, node)
    if name is None:
        return None
    volume = table_volume(project, name)
    return {"level": volume.level, "reason": volume.reason}


def _cleanup(project, file, node) -> FactValue | None:
    name = _table_at(project, file, node)
    cleanup = table_cleanup(project, name) if name is not None else None
    if cleanup is None:
        return None
    return {"function": cleanup.function, "how": cleanup.how}


register_fact(FactSpec(
    name="schema-table", summary="The schema table defined by this entry of defineSchema({...}).",
    attributes=("name",), display="name", tokens=(b"defineSchema",), compute=_schema_table))
register_fact(FactSpec(
    name="table-volume",
    summary="How fast a schema table grows, estimated from the code (config high-volume-tables "
            "first; else append-only plus a hot path or a log-like name), with the reason.",
    attributes=("level", "reason"), display="level", tokens=(b"defineSchema",), compute=_volume,
    before_release=keep_for_table_volume))  # the flows, and the mutations client files call
register_fact(FactSpec(
    name="table-cleanup",
    summary="What deletes old rows of a schema table: a function reached from a cron, or a job "
            "scheduled when the row is inserted. No value when nothing does.",
    attributes=("function", "how"), display="function", tokens=(b"defineSchema",), compute=_cleanup,
    before_release=keep_for_table_volume))
