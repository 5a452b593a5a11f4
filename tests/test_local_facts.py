"""Facts answered from the files on their way instead of the whole functions dir (the handler
a node is in, a mutation's summary) give exactly the whole-project answers: checked on tricky
shapes, the example app and a generated project, node by node and function by function. And
the point of them: an edited mutation leaves other files' cached checks alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import MakeProject, mutation_source

from mutlint import source
from mutlint.cli import main
from mutlint.convex.callgraph import call_graph, entry_calls, reaching
from mutlint.convex.flows import function_rewrites, project_flows
from mutlint.convex.functions import function_by_id, registered_functions
from mutlint.convex.handles import AUTH_CALLS, finds_document_from_auth
from mutlint.convex.syntax import query_matches
from mutlint.project import Project
from mutlint.workspace import FileSelector, open_workspace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

SERVER = 'import { mutation } from "./_generated/server";\n'
TRICKY = {
    "convex/lib/write.ts": """\
import { MutationCtx } from "../_generated/server";
export async function bump(ctx: MutationCtx, id: any) {
  await ctx.db.patch(id, { n: 1 });
  await deeper(ctx, id);
}
export async function deeper({ db }: MutationCtx, id: any) {
  await db.delete(id);
  await bump({ db } as any, id);
}
export const onlyInserts = async (ctx: any) => { await ctx.db.insert("log", {}); };
export const whoAmI = async (ctx: any) => ctx.auth.getUserIdentity();
""",
    "convex/things.ts": """\
import { mutation, internalMutation } from "./_generated/server";
import { v } from "convex/values";
import { bump, onlyInserts, whoAmI } from "./lib/write";
import { outside } from "../lib/outside";

export const viaHelper = mutation({ args: { id: v.id("things") },
  handler: async (ctx, args) => { await bump(ctx, args.id); } });
export const inserts = mutation({ args: {},
  handler: async (ctx) => { await onlyInserts(ctx); } });
export const auth = mutation({ args: {},
  handler: async (ctx) => { const me = await whoAmI(ctx); await ctx.db.insert("log", { me }); } });
async function ownHandler(ctx: any, args: any) { await ctx.db.replace(args.id, {}); }
export const named = mutation({ args: { id: v.id("things") }, handler: ownHandler });
export const callsNamed = internalMutation({ args: { id: v.id("things") },
  handler: async (ctx, args) => { await ownHandler(ctx, args); } });
export const noCtx = mutation({ args: { id: v.id("things") },
  handler: async (ctx, args) => { await bump(null as any, args.id); } });
export const lib = mutation({ args: {}, handler: async (ctx) => { await outside(ctx); } });
const make = () => mutation({ args: {}, handler: async (ctx) => { await ctx.db.delete("x" as any); } });
export const made = make();
export const nested = mutation({ args: {}, handler: async (ctx) => {
  const inner = async () => { await ctx.db.patch("a" as any, {}); };
  await inner();
} });
""",
    # convex-helpers' usual cycle: functions.ts defines the app's builder and imports a helper
    # from a module that registers its functions with that builder.
    "convex/functions.ts": """\
import { mutation as raw } from "./_generated/server";
import { customMutation, customCtx } from "convex-helpers/server/customFunctions";
import { helper } from "./steps";
export const mutation = customMutation(raw, customCtx(async (ctx) => ({})));
""",
    "convex/steps.ts": """\
import { mutation } from "./functions";
export function helper() {}
export const save = mutation({ args: {}, handler: async (ctx) => {
  await ctx.db.patch("users", "x" as any, { a: 1 }); } });
""",
    "convex/shared.ts": """\
import { mutation } from "./_generated/server";
async function h(ctx: any, args: any) { await ctx.db.patch(args.id, { n: 1 }); }
export const a = mutation({ args: {}, handler: h });
export const b = mutation({ args: {}, handler: h });
""",
    "lib/outside.ts": "export async function outside(ctx: any) { await ctx.db.patch('a' as any, {}); }\n",
    "convex/twice.ts": SERVER + mutation_source("dup", "    await ctx.db.insert(\"t\", {});"),
    "convex/twice.js": SERVER + mutation_source("dup", "    await ctx.db.patch(\"a\", {});"),
}


def project_of(root: Path) -> Project:
    workspace = open_workspace(root)
    return Project(root=workspace.root, convex_dir=workspace.convex_dir,
                   sources_found=FileSelector(workspace).sources)


def _graph_finds_auth(project: Project, file, function) -> bool:
    """The answer as the whole call graph gave it: every unit a handler's calls reach."""
    graph = call_graph(project)
    callees: dict = {}
    for callee, callers in graph.callers.items():
        for caller in callers:
            callees.setdefault(caller, set()).add(callee)
    stack, seen = [(file.relpath, function.handler.start_byte)], set()
    while stack:
        unit = stack.pop()
        if unit in seen:
            continue
        seen.add(unit)
        end = graph.units.get(unit[0], {}).get(unit[1])
        unit_file = project.file(unit[0])
        if end is not None and any(c in unit_file.data[unit[1]:end] for c in AUTH_CALLS):
            return True
        stack.extend(callees.get(unit, ()))
    return False


def _whole_index(project: Project) -> dict:
    """Every exported function by id, from every functions-dir file: what function_by_id
    answers from one module's files."""
    index: dict = {}
    for file in project.convex_files():
        for function in registered_functions(project, file):
            if function.exported:
                index.setdefault(function.function_id, (file, function))
    return index


def _calls(project: Project) -> list[tuple]:
    return [(file, captures["call"][0]) for file in project.convex_files()
            for captures in query_matches(file, "(call_expression) @call")]


def _functions(found) -> list[tuple[str, str]]:
    return [(relpath, function.function_id) for relpath, function in found]


def _sites(found) -> list[tuple[str, int]]:
    return [(file.relpath, call.start_byte) for file, call in found]


def assert_local_answers_match(root: Path) -> int:
    """Every call node, every registered function: the local answers (asked first, in a
    project of their own, so nothing the whole-project build read first can shape them) equal
    the whole-project ones. Returns how many comparisons were made."""
    local = project_of(root)
    local_calls = [(f.relpath, c.start_byte, _functions(reaching(local, f, c)),
                    [(relpath, span[0]) for relpath, span in entry_calls(local, f, c)])
                   for f, c in _calls(local)]
    whole = project_of(root)
    graph, flows, index = call_graph(whole), project_flows(whole), _whole_index(whole)
    whole_calls = [(f.relpath, c.start_byte,
                    [(relpath, function.function_id) for relpath, function in graph.reaching(f.relpath, c)],
                    [(relpath, span[0]) for relpath, span in graph.entry_calls(f.relpath, c)])
                   for f, c in _calls(whole)]
    assert local_calls == whole_calls
    ids = sorted(set(flows.functions) | set(index)
                 | {f for w in flows.writes for f in w.functions})
    for function_id in ids:
        found, expected = function_by_id(local, function_id), index.get(function_id)
        assert (found and (found[0].relpath, found[1].function_id)) == \
            (expected and (expected[0].relpath, expected[1].function_id)), function_id
        assert function_rewrites(local, function_id) == (function_id in flows.rewriting), function_id
        if found is not None and found[1].handler is not None:
            assert finds_document_from_auth(local, *found) == _graph_finds_auth(whole, *expected)
    return len(local_calls) + len(ids)


def test_tricky_shapes_get_the_whole_project_answers(make_project: MakeProject):
    root = make_project(TRICKY)
    assert assert_local_answers_match(root) > 20
    project = project_of(root)
    # The shapes mean something: spot-check the answers themselves.
    assert function_rewrites(project, "things:viaHelper")  # through two helpers and a cycle
    assert not function_rewrites(project, "things:inserts")
    assert function_rewrites(project, "things:named")
    assert not function_rewrites(project, "things:callsNamed"), "ownHandler is named's own"
    assert not function_rewrites(project, "things:noCtx")
    assert not function_rewrites(project, "things:lib"), "writes outside the functions dir"
    assert function_rewrites(project, "twice:dup"), "either file's function"
    assert function_rewrites(project, "steps:save"), "registered with the app's own builder"
    assert function_rewrites(project, "shared:b") and not function_rewrites(project, "shared:a")


@pytest.mark.parametrize("first", ["convex/functions.ts", "convex/steps.ts"])
def test_builders_through_an_import_cycle_do_not_depend_on_the_file_read_first(
        make_project: MakeProject, first: str):
    from mutlint.convex.functions import builders_in

    project = project_of(make_project(TRICKY))
    builders_in(project, project.file(first))
    assert "mutation" in builders_in(project, project.file("convex/steps.ts"))
    assert function_by_id(project, "steps:save") is not None


def test_a_gitignored_functions_file_named_on_the_command_line_is_outside_the_graph(
        capsys, make_project: MakeProject):
    """As convex_files leaves it out, so do the file-local answers: both say it is in no
    registered function the project deploys."""
    two_tables = SERVER + """\
import { v } from "convex/values";
export const two = mutation({
  args: { user: v.id("users"), team: v.id("teams") },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.user, { seen: 1 });
    await ctx.db.patch(args.team, { seen: 1 });
  },
});
"""
    root = make_project({**TRICKY, "convex/ignored.ts": two_tables, "convex/kept.ts": two_tables})
    (root / ".git").mkdir()
    (root / ".gitignore").write_text("convex/ignored.ts\n", "utf-8")

    def findings(relpath: str) -> list:
        code = main(["check", str(root / relpath), "--no-cache", "--format", "json",
                     "--fail-on", "never", "--select", "dual-doc-patch"])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)["findings"]

    assert findings("convex/kept.ts"), "the same code, deployed, is a finding"
    assert findings("convex/ignored.ts") == []


def test_the_example_app_gets_the_whole_project_answers():
    assert assert_local_answers_match(REPO / "examples" / "onboarding-app") > 50


def test_a_generated_project_gets_the_whole_project_answers(tmp_path: Path):
    generate(tmp_path / "gen", 300)
    assert assert_local_answers_match(tmp_path / "gen") > 200


def check(capsys, root: Path, *extra: str) -> tuple[str, str]:
    """(the findings as JSON, the --statistics line counting files)."""
    code = main(["check", str(root), "--format", "json", "--fail-on", "never", "--statistics",
                 *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    counts = next(line for line in err.splitlines() if line.startswith("files:"))
    return json.dumps(json.loads(out)["findings"], sort_keys=True), counts


def test_an_edited_mutation_leaves_unrelated_files_cached(capsys, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "gen"
    generate(root, 300)
    check(capsys, root)
    edited = root / "convex/m1.ts"
    edited.write_text(edited.read_text() + "\n// edited\n", encoding="utf-8")
    parsed: list[str] = []
    parse = source.parse_source
    monkeypatch.setattr(source, "parse_source", lambda data, path, relpath, language: (
        parsed.append(relpath), parse(data, path, relpath, language))[1])
    warm, counts = check(capsys, root)
    # The flows, the call graph and the builders come from every other file's stored parts:
    # nothing but the edited file and the schema (whose check uses the flows) is parsed.
    assert sorted(parsed) == ["convex/m1.ts", "convex/schema.ts"]
    assert warm == check(capsys, root, "--no-cache")[0]
    # Its own check, and the schema's (a table's volume reads every write of the app); before,
    # every file of the functions dir was checked again.
    assert " 2 parsed, " in counts, counts
