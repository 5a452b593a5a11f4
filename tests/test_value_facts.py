"""Value facts (Project.by_value): a check that used the mutations the client code calls stays
cached while that set is the same, however many pages changed; when the set changes, the check
runs again and finds what a run without a cache finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MakeProject

from mutlint import source
from mutlint.cache import SHARD_SUFFIX
from mutlint.cli import main

NOTES = """\
import { mutation } from "./_generated/server";
import { v } from "convex/values";

export const add = mutation({
  args: { body: v.string() },
  handler: async (ctx, args) => {
    await ctx.db.insert("notes", { body: args.body });
  },
});
"""
SCHEMA = """\
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  notes: defineTable({ body: v.string() }),
});
"""
PAGE = """\
"use client";
import { useMutation } from "convex/react";
import { api } from "../convex/_generated/api";

export default function Page() {
  const add = useMutation(api.notes.add);
  return <button onClick={() => add({ body: "hi" })}>add</button>;
}
"""
# The client call is what makes `notes` a high-volume table (see mutlint.convex.retention).
TTL = "missing-ttl-on-high-volume-table"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files mutlint parses, in order."""
    seen: list[str] = []
    real = source.parse_source

    def counting(data, path, relpath, language):
        seen.append(relpath)
        return real(data, path, relpath, language)

    monkeypatch.setattr(source, "parse_source", counting)
    return seen


def check(capsys, root: Path, *extra: str) -> list[tuple[str, str]]:
    code = main(["check", str(root), "--format", "json", "--fail-on", "never", *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [(f["path"], f["rule"]) for f in json.loads(out)["findings"]]


def project(make_project: MakeProject) -> Path:
    return make_project({
        "convex/notes.ts": NOTES, "convex/schema.ts": SCHEMA, "app/page.tsx": PAGE,
        "app/other.tsx": "export default function Other() { return <div>plain</div>; }\n",
    })


def test_an_edited_page_that_calls_the_same_mutations_reparses_only_itself(
        capsys, make_project, parsed):
    root = project(make_project)
    assert check(capsys, root) == [("convex/schema.ts", TTL)]
    (root / "app/page.tsx").write_text(PAGE.replace("Page()", "Page() /* edited */"), "utf-8")
    parsed.clear()
    assert check(capsys, root) == [("convex/schema.ts", TTL)]
    assert parsed == ["app/page.tsx"], "the schema's check used the same client calls: cached"


def test_a_page_that_stops_calling_the_mutation_clears_the_finding(capsys, make_project, parsed):
    root = project(make_project)
    assert check(capsys, root) == [("convex/schema.ts", TTL)]
    (root / "app/page.tsx").write_text(PAGE.replace("useMutation(api.notes.add)", "(() => {})"),
                                       "utf-8")
    parsed.clear()
    assert check(capsys, root) == [] == check(capsys, root, "--no-cache")
    assert "convex/schema.ts" in parsed


def test_a_new_page_that_calls_the_mutation_brings_the_finding(capsys, make_project):
    root = project(make_project)
    (root / "app/page.tsx").write_text(PAGE.replace("useMutation(api.notes.add)", "(() => {})"),
                                       "utf-8")
    assert check(capsys, root) == []
    (root / "app/new.tsx").write_text(PAGE, "utf-8")
    assert check(capsys, root) == [("convex/schema.ts", TTL)] == check(capsys, root, "--no-cache")


def test_a_forged_value_digest_is_recomputed_not_trusted(capsys, make_project):
    """The digest an entry recorded is compared with the value computed now: an entry naming
    a value fact this code does not define is simply out of date."""
    root = project(make_project)
    expected = check(capsys, root)
    forged = 0
    for shard in (root / ".mutlint_cache").glob(f"*/*{SHARD_SUFFIX}"):
        text = shard.read_text("utf-8")
        forged += text.count("\\u0000value:client-call-targets")
        shard.write_text(text.replace("\\u0000value:client-call-targets",
                                      "\\u0000value:no-such-fact"), "utf-8")
    assert forged, "the schema's entry names the value it used"
    assert check(capsys, root) == expected


def test_a_value_fact_that_fails_fails_its_rule_as_in_a_run_without_a_cache(
        capsys, make_project, monkeypatch: pytest.MonkeyPatch):
    """Checking whether a cached entry still holds computes the value; if that raises, the
    entry is only stale: the check runs and the failure is the rule's, not the whole file's."""
    from mutlint.convex import flows

    root = project(make_project)
    check(capsys, root)
    (root / "app/page.tsx").write_text(PAGE.replace("Page()", "Page() /* edited */"), "utf-8")
    real = flows._targets_of

    def failing(project, relpath):
        if relpath == "app/page.tsx":
            raise RuntimeError("boom")
        return real(project, relpath)

    monkeypatch.setattr(flows, "_targets_of", failing)
    results = []
    for extra in ((), ("--no-cache",)):
        code = main(["check", str(root), "--format", "json", "--fail-on", "never", *extra])
        out, err = capsys.readouterr()
        results.append((code, err.replace(str(root), "ROOT")))
    assert results[0] == results[1]
    assert results[0][0] == 2 and TTL in results[0][1], results[0]
