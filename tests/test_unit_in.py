"""graph_parts.unit_in, read from the bytes, answers as the climb through a node's parents does,
for every node of real-shaped files: handlers, helpers, nested functions, a handler that is a
top-level function, an arrow as a statement, and a file with a syntax error (zero-width
MISSING nodes)."""

from __future__ import annotations

import sys
from pathlib import Path

from test_convex_model import make_project

from mutlint.convex.graph_parts import _climbing_unit_in, file_units, unit_in

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

SHAPES = {
    "convex/shapes.ts": (
        'import { mutation, query } from "./_generated/server";\n'
        "async function touch(ctx, id) { const inner = () => ctx.db.get(id); return inner(); }\n"
        "const helper = async (ctx) => { await ctx.db.insert(\"t\", {}); };\n"
        "async function handle(ctx, args) { await helper(ctx); }\n"
        "export const viaName = mutation({ args: {}, handler: handle });\n"
        "export const inline = mutation({ args: {}, handler: async (ctx, args) => {\n"
        "  await touch(ctx, args.id);\n"
        "  [1, 2].forEach(async (n) => { await ctx.db.patch(args.id, { n }); });\n"
        "} });\n"
        "export const method = query({ args: {},\n"
        "  async handler(ctx) { return ctx.db.query(\"t\").collect(); } });\n"
        "(async () => { await helper(null); });\n"
    ),
    # Handlers that are no function node: wrapped in a call, and one too broken to be a
    # function (`async(ctx,` is a call of a function named async). Neither is a unit.
    "convex/wrapped.ts": (
        'import { mutation } from "./_generated/server";\n'
        'import { withUser } from "./lib";\n'
        "async function helper(ctx) { await ctx.db.insert(\"t\", {}); }\n"
        "export const wrapped = mutation({ args: {}, handler: withUser(async (ctx) => {\n"
        "  await helper(ctx); }) });\n"
        "export const torn = mutation({ args: {}, handler: async (ctx,\n"
        "  const user = await helper(ctx);\n"
        "  await ctx.db.patch(user._id, {});\n"
        "  },\n"
        "});\n"
    ),
    "convex/broken.ts": (
        'import { mutation } from "./_generated/server";\n'
        "async function h(ctx) { const x = [ctx, 2; }\n"
        "const helper = async (ctx) => { await ctx.db.insert(\"t\", {}) \n"
        "export const m = mutation({ args: {}, handler: async (ctx) => { await helper(ctx) } });\n"
    ),
}


def _nodes(root):
    cursor = root.walk()
    while True:
        yield cursor.node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def test_unit_in_agrees_with_the_climb_on_every_node(tmp_path: Path) -> None:
    generate(tmp_path / "gen", 60, seed=11)
    files = dict(SHAPES)
    for path in sorted((tmp_path / "gen" / "convex").rglob("*.ts")):
        files["convex/" + path.relative_to(tmp_path / "gen" / "convex").as_posix()] = \
            path.read_text(encoding="utf-8")
    project = make_project(tmp_path / "p", files)
    checked, inside, zero_width = 0, 0, 0
    for relpath in sorted(files):
        file = project.file(relpath)
        units = file_units(project, relpath)
        for node in _nodes(file.root):
            expected = _climbing_unit_in(units, node)
            assert unit_in(units, node) == expected, (relpath, node.type, node.start_byte)
            checked += 1
            inside += expected is not None
            zero_width += node.start_byte == node.end_byte
    # Not vacuous: many nodes, most inside a unit, some outside, and MISSING nodes met.
    assert checked > 10_000 and checked > inside > checked // 2 and zero_width > 0


def test_nested_units_give_the_innermost(tmp_path: Path) -> None:
    """A project's units do not nest (helpers are top-level, handlers are an exported
    const's), but unit_in does not rely on it: with every function node of the files as a
    unit, nested ones included, it still answers as the climb does."""
    from mutlint.convex.functions import FUNCTION_TYPES

    project = make_project(tmp_path, SHAPES)
    nested = 0
    for relpath in sorted(SHAPES):
        file = project.file(relpath)
        units = {node.start_byte: node.end_byte for node in _nodes(file.root)
                 if node.type in FUNCTION_TYPES}
        for node in _nodes(file.root):
            expected = _climbing_unit_in(units, node)
            assert unit_in(units, node) == expected, (relpath, node.type, node.start_byte)
            nested += expected is not None and any(
                start < expected and end >= units[expected] for start, end in units.items())
    assert nested > 20
