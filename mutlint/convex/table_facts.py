"""Facts about schema tables: which table a schema entry is, its volume, its cleanup."""

from __future__ import annotations

import tree_sitter

from mutlint.convex.retention import table_cleanup, table_volume
from mutlint.convex.schema import project_schema
from mutlint.facts import NODE_KEY, FactValue
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


def schema_table_fact(project, file, node) -> FactValue | None:
    name = _table_at(project, file, node)
    if name is None:
        return None
    return {"name": name, NODE_KEY: (file, node)}


def table_volume_fact(project, file, node) -> FactValue | None:
    name = _table_at(project, file, node)
    if name is None:
        return None
    volume = table_volume(project, name)
    return {"level": volume.level, "reason": volume.reason}


def table_cleanup_fact(project, file, node) -> FactValue | None:
    name = _table_at(project, file, node)
    cleanup = table_cleanup(project, name) if name is not None else None
    if cleanup is None:
        return None
    return {"function": cleanup.function, "how": cleanup.how}
