"""The functions a page calls the way a mutation is called, for the retention heuristics.

A table is hot when a mutation the client code calls inserts into it. Which function a call
names is read from the page alone (handles.call_target): nothing of the function itself, so
a run that checks the functions dir before the pages' targets are asked (a rule set without
parallel-mutations-same-doc, whose check of each page asks for them first) does not parse a
mutation's file again to summarise it. Whether the named function is a mutation is the
retention heuristics' to check, from the flows' plain parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_convex_model import make_project

from mutlint import source
from mutlint.config import Config
from mutlint.convex.flows import client_call_targets
from mutlint.convex.handles import MAYBE_MUTATION_CALLS, call_target, mutation_call
from mutlint.convex.syntax import query_matches
from mutlint.engine import check
from mutlint.rules.pack import load_rules
from mutlint.selection import build_rule_set

REPO = Path(__file__).resolve().parent.parent

FILES = {
    "convex/schema.ts": """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  stamps: defineTable({ kind: v.string() }),
  marks: defineTable({ kind: v.string() }),
  items: defineTable({ name: v.string() }),
});
""",
    "convex/events.ts": """import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
export const record = mutation({
  args: { kind: v.string() },
  handler: async (ctx, { kind }) => { await ctx.db.insert("stamps", { kind }); },
});
export const rename = mutation({
  args: { id: v.id("items"), name: v.string() },
  handler: async (ctx, args) => { await ctx.db.patch(args.id, { name: args.name }); },
});
// A query that inserts nothing a client could make hot, called below as if it were a mutation.
export const peek = query({
  args: {},
  handler: async (ctx) => await ctx.db.query("items").take(1),
});
""",
    # Inserted by an internal mutation no client calls: not hot.
    "convex/audit.ts": """import { v } from "convex/values";
import { internalMutation } from "./_generated/server";
export const note = internalMutation({
  args: { kind: v.string() },
  handler: async (ctx, { kind }) => { await ctx.db.insert("marks", { kind }); },
});
""",
    "app/page.tsx": """"use client";
import { useMutation } from "convex/react";
import { api } from "../convex/_generated/api";
export function Page({ id }: { id: any }) {
  const record = useMutation(api.events.record);
  const rename = useMutation(api.events.rename);
  const peek = useMutation(api.events.peek);
  const missing = useMutation(api.nowhere.gone);
  async function save() {
    await rename({ id, name: "a" });
    await record({ kind: "saved" });
    await peek({});
    await missing({});
    console.log("saved");
  }
  return <button onClick={() => void save()}>Save</button>;
}
""",
}


def _ttl_findings(project, select: str | None) -> list[str]:
    rule_set = build_rule_set(load_rules([REPO / "rules"]), Config(), select=select)
    result = check(project, sorted(project.root / relpath for relpath in FILES), rule_set)
    assert not result.errors
    return sorted(f"{f.span.path}:{f.span.start_line}: {f.message}" for f in result.findings
                  if f.rule_id == "missing-ttl-on-high-volume-table")


def test_a_call_names_its_function_whatever_that_function_is(tmp_path: Path) -> None:
    project = make_project(tmp_path, FILES)
    page = project.file("app/page.tsx")
    assert page is not None
    named = {}
    for captures in query_matches(page, MAYBE_MUTATION_CALLS):
        call = captures["call"][0]
        named[page.text(call).split("(")[0]] = (call_target(project, page, call),
                                                mutation_call(project, page, call))
    # A mutation call's target is the function the call names.
    assert {name: (target, found.target) for name, (target, found) in named.items()
            if found is not None} == {"rename": ("events:rename", "events:rename"),
                                      "record": ("events:record", "events:record")}
    # Named the way a mutation is called, but no mutation of this project: no mutation call,
    # yet the name is read all the same; any other call names nothing (console.log is no
    # call the query asks about).
    assert named["peek"] == ("events:peek", None)
    assert named["missing"] == ("nowhere:gone", None)
    assert named["useMutation"] == (None, None)
    assert named["save"] == (None, None)
    assert set(named) == {"rename", "record", "peek", "missing", "useMutation", "save"}
    assert client_call_targets(project) == {"events:rename", "events:record", "events:peek",
                                            "nowhere:gone"}


@pytest.mark.parametrize("select", [None, "missing-ttl-on-high-volume-table"])
def test_only_a_mutation_the_client_calls_makes_its_table_hot(tmp_path: Path, select) -> None:
    found = _ttl_findings(make_project(tmp_path, FILES), select)
    assert len(found) == 1 and "table stamps grows without limit" in found[0], found
    assert "inserted by events:record, which the app's client code calls" in found[0]


def test_without_the_rule_that_checks_pages_each_file_is_parsed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the schema's rule: the functions dir's files are parsed for their parts of the
    flows and released, and the page after them for the mutations it calls; the page's
    targets then parsed each mutation's file again, to summarise a mutation no rule asked
    about."""
    parsed: list[str] = []
    parse = source.parse_source
    monkeypatch.setattr(source, "parse_source", lambda data, path, relpath, language: (
        parsed.append(relpath), parse(data, path, relpath, language))[1])
    monkeypatch.setattr("mutlint.project.TRANSIENT_TREES", 0)  # every file released at once
    project = make_project(tmp_path, FILES)
    assert _ttl_findings(project, "missing-ttl-on-high-volume-table")
    assert sorted(parsed) == sorted(set(parsed)), parsed
    assert "app/page.tsx" in parsed
