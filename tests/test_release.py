"""Trees of checked files are released; what later facts need of them survives.

A file's tree costs about 40 times its source. Once its rules have run, only plain data is
needed of it: the mutations a page calls (for the retention heuristics), a functions-dir file's
part of the call graph and of the flows. Files a node-holding fact of the project (the schema)
or of another file read stay parsed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_convex_model import make_project

from mutlint import engine, source
from mutlint import project as project_module
from mutlint import scan as scan_module
from mutlint.config import Config
from mutlint.convex import callgraph
from mutlint.convex.callgraph import call_graph
from mutlint.convex.flows import keep_for_table_volume, project_flows
from mutlint.convex.graph_parts import keep_graph_part
from mutlint.convex.handles import mutation_call
from mutlint.convex.schema import project_schema
from mutlint.convex.syntax import query_matches
from mutlint.engine import check
from mutlint.project import TRANSIENT_TREES, Project
from mutlint.rules.pack import load_rules
from mutlint.selection import build_rule_set

REPO = Path(__file__).resolve().parent.parent

FILES = {
    "convex/schema.ts": """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  events: defineTable({ kind: v.string() }),
  items: defineTable({ name: v.string(), count: v.number() }),
});
""",
    "convex/events.ts": """import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { bump } from "../src/lib/shared";
export const record = mutation({
  args: { kind: v.string() },
  handler: async (ctx, { kind }) => { await ctx.db.insert("events", { kind }); },
});
export const rename = mutation({
  args: { id: v.id("items"), name: v.string() },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.id, { name: args.name });
    await bump(ctx, args.id);
  },
});
""",
    # Outside the functions dir, but part of the model: its nodes must stay valid.
    "src/lib/shared.ts": """import type { MutationCtx } from "../../convex/_generated/server";
export async function bump(ctx: MutationCtx, id: any) {
  const doc = await ctx.db.get(id);
  await ctx.db.patch(id, { count: (doc?.count ?? 0) + 1 });
}
""",
    # Client files are checked before the functions dir, wherever they sort (src/ after
    # convex/): released before the schema's rules ask which mutations the client calls.
    "src/app/settings.tsx": """import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";
export function Settings() {
  const record = useMutation(api.events.record);
  return <button onClick={() => void record({ kind: "opened" })}>Open</button>;
}
""",
    "app/page.tsx": """"use client";
import { useMutation } from "convex/react";
import { api } from "../convex/_generated/api";
export function Page({ id }: { id: any }) {
  const record = useMutation(api.events.record);
  const rename = useMutation(api.events.rename);
  async function save() {
    await rename({ id, name: "a" });
    await rename({ id, name: "b" });
    await record({ kind: "saved" });
  }
  return <button onClick={() => void save()}>Save</button>;
}
""",
}


def _check(project: Project, select: str | None = None,
           only: list[str] | None = None) -> list[tuple[str, str, int, str]]:
    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config(), select=select)
    paths = sorted(project.root / relpath for relpath in (only or FILES))
    result = check(project, paths, rule_set)
    assert not result.errors
    return sorted((f.rule_id, f.span.path, f.span.start_line, f.message) for f in result.findings)


def test_checked_files_are_released_but_the_schema(tmp_path: Path) -> None:
    project = make_project(tmp_path, FILES)
    findings = _check(project)
    # The helper's facts name the mutation that calls it by plain data (the graph's
    # HandlerInfo, its call's branch path), so nothing holds that mutation's tree: it was
    # checked early (the page's facts had parsed it) and released, and what is parsed now
    # is the schema and, for the helper's facts later, trees kept only as the last few
    # parsed (Project._release_transient).
    assert project._pinned == {"convex/schema.ts"}
    assert set(project.files) - set(project.parsed_for_facts()) == {"convex/schema.ts"}
    # What the graph and the flows take from a released file was kept before its release.
    assert {("graph-part", "convex/events.ts"), ("file-flows", "convex/events.ts")} <= project._memo.keys()
    assert keep_graph_part in project.release_hooks and keep_for_table_volume in project.release_hooks
    assert not [key for key in project._memo if key[1:2] == ("app/page.tsx",)
                and key[0] != "client-call-targets"]
    rules = {rule for rule, *_ in findings}
    assert {"parallel-mutations-same-doc", "missing-ttl-on-high-volume-table"} <= rules
    ttl = next(message for rule, _, _, message in findings if rule.startswith("missing-ttl"))
    assert "which the app's client code calls" in ttl  # from the released page's plain data


def test_a_functions_dir_file_nothing_holds_is_released_once_checked(tmp_path: Path) -> None:
    files = {relpath: text for relpath, text in FILES.items() if relpath != "src/lib/shared.ts"}
    files["convex/events.ts"] = files["convex/events.ts"].replace(
        'import { bump } from "../src/lib/shared";\n', "").replace("    await bump(ctx, args.id);\n", "")
    project = make_project(tmp_path, files)
    findings = _check(project, only=list(files))
    assert set(project.files) == {"convex/schema.ts"}  # the schema's facts hold its nodes
    assert {rule for rule, *_ in findings} >= {"missing-ttl-on-high-volume-table",
                                                "parallel-mutations-same-doc"}


@pytest.mark.parametrize("kept", [0, 1, TRANSIENT_TREES])
def test_the_whole_project_model_keeps_no_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               kept: int) -> None:
    """The call graph and the flows read every functions-dir file and hold none of them: only
    the last few files facts parsed stay parsed (with enough kept, each is parsed once)."""
    monkeypatch.setattr(project_module, "TRANSIENT_TREES", kept)
    project = make_project(tmp_path, FILES)
    parsed: list[str] = []
    parse = source.parse_source
    monkeypatch.setattr(source, "parse_source", lambda data, path, relpath, language: (
        parsed.append(relpath), parse(data, path, relpath, language))[1])
    graph, flows = call_graph(project), project_flows(project)
    # The schema's facts hold its nodes; the rest is at most the last `kept` files parsed.
    assert "convex/schema.ts" in project.files and len(project.files) <= kept + 1
    if kept == TRANSIENT_TREES:
        assert sorted(parsed) == ["convex/events.ts", "convex/schema.ts", "src/lib/shared.ts"]
    helper = ("src/lib/shared.ts", FILES["src/lib/shared.ts"].index("async function"))
    rename = ("convex/events.ts", FILES["convex/events.ts"].index("async (ctx, args)"))
    assert graph.callers[helper] == {rename}
    assert sorted((w.relpath, w.method, w.functions) for w in flows.writes) == [
        ("convex/events.ts", "insert", ("events:record",)),
        ("convex/events.ts", "patch", ("events:rename",))]  # only the functions dir's own
    parsed.clear()
    assert call_graph(project) is graph and project_flows(project) is flows and parsed == []


def test_releasing_changes_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    released = _check(make_project(tmp_path / "released", FILES))
    monkeypatch.setattr(Project, "release", lambda self, relpath: None)
    kept = _check(make_project(tmp_path / "kept", FILES))
    assert released == kept


def test_a_released_file_asked_for_again_is_parsed_again(tmp_path: Path) -> None:
    project = make_project(tmp_path, FILES)
    _check(project)
    page = project.file("app/page.tsx")
    assert page is not None and "app/page.tsx" in project.files
    targets = {call.target for captures in query_matches(page, "(call_expression) @call")
               if (call := mutation_call(project, page, captures["call"][0])) is not None}
    assert targets == {"events:record", "events:rename"}


@pytest.mark.parametrize("run", ["without the rule that needs it", "on a page alone"])
def test_what_nothing_in_the_run_needs_is_not_kept(tmp_path: Path, run: str) -> None:
    project = make_project(tmp_path, FILES)
    if run == "on a page alone":  # a pre-commit hook's run: no schema checked, none to keep for
        _check(project, only=["app/page.tsx"])
    else:
        _check(project, select="parallel-mutations-same-doc")
    assert keep_for_table_volume not in project.release_hooks
    assert "app/page.tsx" not in project.files
    assert not [key for key in project._memo if key[0] == "client-call-targets"]


def test_a_file_read_outside_its_own_check_stays_parsed(tmp_path: Path) -> None:
    """Code checking one file may keep another's nodes in a whole-project structure (a helper
    it resolves, say) without a memo around it: that file is never released."""
    project = make_project(tmp_path, FILES)
    project.checking = "app/page.tsx"
    assert project.file("app/page.tsx") is not None and project.file("src/app/settings.tsx") is not None
    project.checking = None
    project.release("app/page.tsx")
    project.release("src/app/settings.tsx")
    assert "app/page.tsx" not in project.files
    assert "src/app/settings.tsx" in project.files


HELPED = {
    "convex/schema.ts": FILES["convex/schema.ts"],
    # Sorted before the mutations that call it: its check needs the whole call graph.
    "convex/a_helpers.ts": """import type { MutationCtx } from "./_generated/server";
export async function touch(ctx: MutationCtx, id: any) {
  await ctx.db.patch(id, { count: 1 });
  await ctx.db.patch(id, { name: "x" });
}
""",
    **{f"convex/m{index}.ts": f"""import {{ v }} from "convex/values";
import {{ mutation }} from "./_generated/server";
import {{ touch }} from "./a_helpers";
export const run{index} = mutation({{
  args: {{ id: v.id("items") }},
  handler: async (ctx, {{ id }}) => {{
    await touch(ctx, id);
    await ctx.db.insert("events", {{ kind: "t" }});
  }},
}});
""" for index in range(3)},
}


def test_jobs_leave_the_checks_that_need_the_whole_model_to_the_parent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A -j child does not build the call graph or the flows: the helper's and the schema's
    checks wait, and the parent does them from the parts every child left (Scan.plain_facts)."""
    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config())
    one = check(make_project(tmp_path / "one", HELPED), sorted(tmp_path / "one" / r for r in HELPED),
                rule_set)
    resumed: list[str] = []
    scan = engine.scan_files

    def spy(project, paths, *args, **kwargs):
        if kwargs.get("resuming"):
            resumed.extend(path.relative_to(project.root).as_posix() for path in paths)
        return scan(project, paths, *args, **kwargs)

    monkeypatch.setattr(engine, "scan_files", spy)
    two = check(make_project(tmp_path / "two", HELPED), sorted(tmp_path / "two" / r for r in HELPED),
                rule_set, jobs=2)
    assert not one.errors and not two.errors
    assert [(f.rule_id, f.span, f.message) for f in one.findings] == \
        [(f.rule_id, f.span, f.message) for f in two.findings]
    assert {"missing-ttl-on-high-volume-table"} <= {f.rule_id for f in two.findings}
    assert {"convex/a_helpers.ts", "convex/schema.ts"} <= set(resumed)
    assert "convex/m0.ts" not in resumed


OF_FACT_RULE = """id: helper-patch
severity: warning
message: "{FN.id} patches through a helper"
languages: [typescript]
description: |
  ## What it finds
  Test rule: a patch in a helper, with a fact computed on the function that reaches it.
rule:
  pattern: $CTX.db.patch($$$ARGS)
facts:
  FN:
    fact: reaching-convex-function
  OUTSIDE:
    fact: convex-function
    of: FN          # on FN's node: a mutation's name, in a file whose tree is released
    absent: true    # a name is in no handler
"""


def test_a_fact_on_a_released_files_node_parses_it_again(tmp_path: Path) -> None:
    """A helper's reaching functions are plain data; a fact asked `of:` one of them finds its
    node again in the file, parsed anew (PlainNode.resolve)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "helper-patch.yaml").write_text(OF_FACT_RULE, encoding="utf-8")
    rule_set = build_rule_set(load_rules([rules]), Config(), select="helper-patch")
    project = make_project(tmp_path / "app", HELPED)
    result = check(project, sorted(project.root / relpath for relpath in HELPED), rule_set)
    assert not result.errors
    found = sorted((f.span.path, f.message) for f in result.findings)
    assert found == sorted([("convex/a_helpers.ts", f"m{index}:run{index} patches through a helper")
                            for index in range(3)] * 2), found


def _exclusive(index: int, helper: str) -> str:
    """A mutation whose two patches are on exclusive branches (never both: no dual-doc-patch),
    importing a helper it may or may not call."""
    return f"""import {{ v }} from "convex/values";
import {{ mutation }} from "./_generated/server";
import {{ {helper} }} from "../src/lib/shared";
export const c{index} = mutation({{
  args: {{ userId: v.id("users"), teamId: v.id("teams"), flag: v.boolean() }},
  handler: async (ctx, args) => {{
    if (args.flag) {{
      await ctx.db.patch(args.userId, {{ count: 3 }});
    }} else {{
      await ctx.db.patch(args.teamId, {{ name: "y" }});
    }}
  }},
}});
"""


EXCLUSIVE = {
    "convex/schema.ts": """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  users: defineTable({ count: v.number() }),
  teams: defineTable({ name: v.string() }),
});
""",
    "src/lib/shared.ts": """import type { MutationCtx } from "../../convex/_generated/server";
export async function bumpTeam(ctx: MutationCtx, teamId) {
  await ctx.db.patch(teamId, { name: "x" });
}
""",
    **{f"convex/m{index}.ts": _exclusive(index, "bumpTeam") for index in range(24)},
}


@pytest.mark.parametrize("kept", [0, 1, 8, TRANSIENT_TREES])
def test_a_file_is_never_released_under_its_own_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      kept: int) -> None:
    """A file released while facts of its own were being computed left memos with the old
    tree's nodes, served for the new tree: the branch arms compared node ids across the two,
    and exclusive writes counted together (a false dual-doc-patch that moved with the number
    of trees kept). A reviewer's reproducer."""
    monkeypatch.setattr(project_module, "TRANSIENT_TREES", kept)
    project = make_project(tmp_path, EXCLUSIVE)
    assert _check(project, only=list(EXCLUSIVE), select="dual-doc-patch") == []


def test_release_hooks_neither_nest_nor_rebuild_the_call_graph(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Each mutation's helper is called by the next one: a release hook asking for a helper's
    table used to build the call graph again inside its own build, nesting releases until
    Python's recursion limit (the errors were swallowed)."""
    files = {"convex/schema.ts": EXCLUSIVE["convex/schema.ts"],
             "src/lib/shared.ts": EXCLUSIVE["src/lib/shared.ts"]}
    for index in range(60):
        previous = f'import {{ h{index - 1} }} from "./m{index - 1}";\n' if index else ""
        call = f"await h{index - 1}(ctx, args.userId);" if index else ""
        files[f"convex/m{index}.ts"] = f"""import {{ v }} from "convex/values";
import {{ mutation }} from "./_generated/server";
import {{ bumpTeam }} from "../src/lib/shared";
{previous}export async function h{index}(ctx, id) {{ await ctx.db.patch(id, {{ count: {index} }}); }}
export const f{index} = mutation({{
  args: {{ userId: v.id("users"), teamId: v.id("teams") }},
  handler: async (ctx, args) => {{ {call} await bumpTeam(ctx, args.teamId); }},
}});
"""
    monkeypatch.setattr(project_module, "TRANSIENT_TREES", 0)
    builds = []
    build = callgraph.CallGraph.__init__
    monkeypatch.setattr(callgraph.CallGraph, "__init__",
                        lambda self, project: (builds.append(1), build(self, project))[1])
    findings = _check(make_project(tmp_path, files), only=list(files))  # the TTL rule's hooks too
    assert len(builds) == 1
    # f1 .. f59 patch a user through the previous helper and a team through bumpTeam.
    dual = [message for rule, _, _, message in findings if rule == "dual-doc-patch"]
    assert len(dual) == 59 and all("(teams + users)" in message for message in dual)


def test_jobs_auto_stays_in_one_process_for_a_small_project(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config())
    paths = lambda root: sorted(root / relpath for relpath in HELPED)  # noqa: E731
    one = check(make_project(tmp_path / "one", HELPED), paths(tmp_path / "one"), rule_set)
    forks: list[int] = []
    real = engine._multiprocessing
    monkeypatch.setattr(engine, "_multiprocessing", lambda: (forks.append(1), real())[1])
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 2)
    auto = check(make_project(tmp_path / "auto", HELPED), paths(tmp_path / "auto"), rule_set,
                 jobs=engine.AUTO_JOBS)
    assert forks == []  # 5 files: not worth a fork
    monkeypatch.setattr(engine, "MIN_FILES_PER_JOB", 2)
    big = check(make_project(tmp_path / "big", HELPED), paths(tmp_path / "big"), rule_set,
                jobs=engine.AUTO_JOBS)
    assert forks  # "big enough" now: two processes
    assert [(f.rule_id, f.span, f.message) for f in one.findings] == \
        [(f.rule_id, f.span, f.message) for f in auto.findings] == \
        [(f.rule_id, f.span, f.message) for f in big.findings]


def test_a_schema_not_in_schema_ts_is_found_by_bytes(tmp_path: Path) -> None:
    """Without schema.ts, the schema is looked for in the files whose bytes say defineSchema:
    parsing every functions-dir file for it kept them all (the schema holds its file's nodes)."""
    files = {relpath: text for relpath, text in HELPED.items() if relpath != "convex/schema.ts"}
    files["convex/tables.ts"] = HELPED["convex/schema.ts"]
    project = make_project(tmp_path, files)
    schema = project_schema(project)
    assert schema is not None and {"events", "items"} <= schema.tables.keys()
    assert set(project.files) == {"convex/tables.ts"}


def test_adopted_facts_are_unpickled_by_kind_when_first_asked(tmp_path: Path) -> None:
    """A -j child's plain facts come back pickled by kind (Project.lasting_facts); the parent
    unpickles a kind when one of its facts is first asked, and the first process's fact wins."""
    child, other, parent = (Project(root=tmp_path, convex_dir="convex") for _ in range(3))
    child.memo(("flows-part", "convex/a.ts"), lambda: ("a", 1), lasting=True)
    child.memo(("summary", "convex/a.ts"), lambda: "summary of a", lasting=True)
    child.memo(("own-tree", "convex/a.ts"), lambda: "holds nodes")  # not plain: stays behind
    other.memo(("flows-part", "convex/a.ts"), lambda: ("a", 2), lasting=True)
    handed = child.lasting_facts()
    assert sorted(handed) == ["flows-part", "summary"]
    parent.adopt(handed)
    parent.adopt(other.lasting_facts())

    def must_not_run():
        raise AssertionError("an adopted fact was computed again")

    assert parent.memo(("flows-part", "convex/a.ts"), must_not_run, lasting=True) == ("a", 1)
    assert "summary" in parent._pending and "flows-part" not in parent._pending
    assert parent.memo(("summary", "convex/a.ts"), must_not_run, lasting=True) == "summary of a"
    assert parent.memo(("own-tree", "convex/a.ts"), lambda: "computed here") == "computed here"
    assert parent._pending == {}


def test_a_mutation_a_page_calls_is_checked_while_its_facts_have_it_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's check parses the mutation file for the mutations' summaries; the file is
    checked right after the page, before the other client files, so its own check finds it
    parsed (at its turn, after other files' facts had parsed more than the last few kept, it
    was parsed again: 708 of 2,499 files at 10,000)."""
    events: list[str] = []
    real_parse, real_check = source.parse_source, scan_module._ScanState.check

    def parse(data, path, relpath, language):
        events.append(f"parse {relpath}")
        return real_parse(data, path, relpath, language)

    def check_file(self, path, *, early=False):
        events.append(f"check {path.relative_to(tmp_path).as_posix()}" + (" early" if early else ""))
        return real_check(self, path, early=early)

    monkeypatch.setattr(source, "parse_source", parse)
    monkeypatch.setattr(scan_module._ScanState, "check", check_file)
    files = {relpath: text for relpath, text in FILES.items() if relpath != "src/lib/shared.ts"}
    files["convex/events.ts"] = files["convex/events.ts"].replace(
        'import { bump } from "../src/lib/shared";\n', "").replace("    await bump(ctx, args.id);\n", "")
    findings = _check(make_project(tmp_path, files), only=list(files))
    checks = [event for event in events if event.startswith("check")]
    assert checks[:3] == ["check app/page.tsx", "check convex/events.ts early", "check src/app/settings.tsx"]
    assert events.count("parse convex/events.ts") == 1
    assert {"parallel-mutations-same-doc", "missing-ttl-on-high-volume-table"} <= {f[0] for f in findings}
