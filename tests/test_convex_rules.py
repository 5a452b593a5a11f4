"""The Convex rules on whole projects: config that changes their verdicts, and context that
comes from files other than the ones reported on."""

from __future__ import annotations

import json

from conftest import MakeProject, RunMutlint

SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  users: defineTable({ name: v.string() }),
  events: defineTable({ name: v.string() }),
  subscriptions: defineTable({ userId: v.id("users"), status: v.string() }),
});
"""
FUNCTIONS = """import { v } from "convex/values";
import { mutation } from "./_generated/server";
export const rename = mutation({
  args: { userId: v.id("users"), name: v.string() },
  handler: async (ctx, { userId, name }) => {
    await ctx.db.patch(userId, { name });
  },
});
export const track = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("events", { name });
  },
});
export const cancel = mutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, { subscriptionId }) => {
    const sub = await ctx.db.get(subscriptionId);
    await ctx.db.patch(subscriptionId, { status: "canceled" });
    await ctx.db.patch(sub!.userId, { name: "former customer" });
  },
});
"""
PAGE = """"use client";
import { useMutation } from "convex/react";
import { api } from "../convex/_generated/api";
export function Page({ id }: { id: any }) {
  const rename = useMutation(api.users.rename);
  async function save() {
    await rename({ userId: id, name: "a" });
    await rename({ userId: id, name: "b" });
  }
  return <button onClick={save}>save</button>;
}
"""


def findings(stdout: str) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["start"]["line"]) for f in json.loads(stdout)["findings"]]


def test_ttl_heuristic_and_config_list(run_mutlint: RunMutlint, make_project: MakeProject):
    files = {"convex/schema.ts": SCHEMA, "convex/users.ts": FUNCTIONS}
    root = make_project(files)
    code, out, _ = run_mutlint("check", ".", "--format", "json", "--select",
                               "missing-ttl-on-high-volume-table", cwd=root)
    assert findings(out) == [("missing-ttl-on-high-volume-table", "convex/schema.ts", 5)]  # events
    assert "log-like name" in json.loads(out)["findings"][0]["message"]
    # The config list is authoritative: users is listed (and has no cleanup), events is not.
    root = make_project({**files, ".mutlint.yaml": "high-volume-tables: [users]\n"})
    code, out, _ = run_mutlint("check", ".", "--format", "json", "--select",
                               "missing-ttl-on-high-volume-table", cwd=root)
    assert code == 1
    assert findings(out) == [("missing-ttl-on-high-volume-table", "convex/schema.ts", 4)]
    assert "listed in high-volume-tables" in json.loads(out)["findings"][0]["message"]


def test_one_reported_file_still_sees_the_whole_project(run_mutlint: RunMutlint,
                                                        make_project: MakeProject):
    """pre-commit passes only the page; the mutation's arguments come from convex/."""
    root = make_project({"convex/schema.ts": SCHEMA, "convex/users.ts": FUNCTIONS,
                         "app/page.tsx": PAGE})
    code, out, _ = run_mutlint("check", "app/page.tsx", "--format", "json", cwd=root)
    assert code == 1
    assert findings(out) == [("parallel-mutations-same-doc", "app/page.tsx", 8)]
    assert json.loads(out)["summary"]["files"] == 1
    code, out, _ = run_mutlint("check", "convex/users.ts", "--format", "json", cwd=root)
    assert findings(out) == [("dual-doc-patch", "convex/users.ts", 15)]  # cancel: subscriptions + users


BRANCHES = """import { v } from "convex/values";
import { mutation } from "./_generated/server";
export const settle = mutation({
  args: { userId: v.id("users"), teamId: v.id("teams"), inviteId: v.id("invites"), a: v.boolean() },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.userId, { busy: true });
    if (args.a) {
      await ctx.db.patch(args.teamId, { busy: true });
      await ctx.db.delete(args.inviteId);
      return;
    }
    await ctx.db.patch(args.teamId, { idle: true });
  },
});
"""


def test_dual_doc_patch_counts_only_the_writes_of_one_path(run_mutlint: RunMutlint,
                                                           make_project: MakeProject):
    """users, then teams + invites on one path or teams alone on the other: the finding names
    the path that writes most (three tables), and the write on the other path is not related."""
    root = make_project({"convex/settle.ts": BRANCHES})
    _, out, err = run_mutlint("check", ".", "--format", "json", "--select", "dual-doc-patch", cwd=root)
    [finding] = json.loads(out)["findings"]
    assert "in 3 tables in one transaction (invites + teams + users)" in finding["message"], err
    related_lines = sorted(r["start"]["line"] for r in finding["related"])
    assert related_lines == [6, 8, 9], finding["related"]  # not line 12, after the return
