"""The model's per-file parts survive the cache exactly, and a damaged one is never used.

The call graph, the flows and the builders are built from each file's plain parts, stored so
that an edit to one file parses that file alone. A part read back must equal the one written,
and one with any field of the wrong type must be refused (and so computed again).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_convex_model import make_project
from test_release import FILES

from mutlint.convex import flow_parts, functions, graph_parts

CODECS = {  # fact, encode, the decoder of a file's value
    "graph part": (graph_parts.graph_part, graph_parts._encode_part, graph_parts._decoder_of_part),
    "file flows": (flow_parts.file_flows, flow_parts._encode_flows, lambda relpath: flow_parts._decode_flows),
    "builder inputs": (functions._builder_inputs, functions._encode_inputs,
                       lambda relpath: functions._decode_inputs),
}


def _leaves(value, path=()):
    """(path, leaf) of every scalar in a JSON value."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _replaced(value, path, new):
    if not path:
        return new
    copy = list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@pytest.mark.parametrize("part", sorted(CODECS))
def test_a_stored_part_reads_back_the_same_and_a_damaged_one_is_refused(tmp_path: Path, part: str):
    compute, encode, decoder = CODECS[part]
    project = make_project(tmp_path, FILES)
    damaged = 0
    for relpath in ("convex/events.ts", "convex/schema.ts", "src/lib/shared.ts"):
        value, decode = compute(project, relpath), decoder(relpath)
        raw = json.loads(json.dumps(encode(value)))  # what the cache's JSON gives back
        assert decode(raw) == value
        for path, leaf in _leaves(raw):
            if leaf is None:
                continue  # "absent" (no table, no unit, no custom builders): a value of its own
            wrong = "x" if not isinstance(leaf, str) else 7
            with pytest.raises((ValueError, TypeError, KeyError)):
                decode(_replaced(raw, path, wrong))
            damaged += 1
    assert damaged > 5, "the parts hold something to damage"


def test_the_schemas_id_fields_read_back_the_same_and_damaged_ones_are_refused(tmp_path: Path):
    from mutlint.convex import schema

    files = {"convex/schema.ts": (
        'import { defineSchema, defineTable } from "convex/server";\n'
        'import { v } from "convex/values";\n'
        "export default defineSchema({\n"
        "  users: defineTable({ name: v.string() }),\n"
        '  posts: defineTable({ authorId: v.id("users"), tags: v.array(v.id("tags")) }),\n'
        "});\n")}
    project = make_project(tmp_path, files)
    value = schema.schema_id_fields(project)
    assert value == {"users": {}, "posts": {"authorId": "users", "tags": "tags"}}
    # What the cache's JSON gives back: its keys sorted.
    raw = json.loads(json.dumps(schema._as_is(value), sort_keys=True))
    assert schema._decoded_id_fields(raw) == value
    assert schema._decoded_id_fields(None) is None  # no schema
    table, fields = next((name, fields) for name, fields in raw.items() if fields)
    field = next(iter(fields))
    for damaged in ([table], {table: [field]}, {table: {field: 7}}, {table: {7: "x"}}, "x",
                    {table: None}):
        with pytest.raises(ValueError):
            schema._decoded_id_fields(damaged)
