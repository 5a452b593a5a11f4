"""A deterministic generator of realistic synthetic Convex projects, for benchmarks.

`generate(root, files, seed)` writes about `files` TS/TSX files: a convex/ dir (schema with
tables and log tables, crons, mutation/query/action modules, helpers that receive ctx) and a
React front end calling mutations, and, as in public Convex apps, about three quarters UI and
library code that never touches Convex. A realistic share of problems is seeded in: pages that
call one mutation twice, mutations that patch two tables, log tables without cleanup.
Files are as large as real ones (6 KB on average, a few over 25 KB: see _sections), with the
code rules must read and stay silent on: queries by index, single-document mutations, JSX.
Usage: python benchmarks/generate.py DIR --files 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
from pathlib import Path

CONVEX_SHARE = 0.25


def _schema(tables: list[str], logs: list[str]) -> str:
    lines = ['import { defineSchema, defineTable } from "convex/server";',
             'import { v } from "convex/values";', "", "export default defineSchema({"]
    for index, table in enumerate(tables):
        owner = f', ownerId: v.id("{tables[0]}")' if index else ""
        lines.append(f"  {table}: defineTable({{ name: v.string(), status: v.string(), "
                     f"count: v.number(){owner} }}).index(\"by_name\", [\"name\"]),")
    for table in logs:
        lines.append(f"  {table}: defineTable({{ kind: v.string(), payload: v.any() }}),")
    return "\n".join([*lines, "});", ""])


def _extra_function(rng: random.Random, index: int, k: int, table: str) -> str:
    """A query or a single-document mutation a rule reads but must stay silent on."""
    if rng.random() < 0.5:
        return f'''
export const list{index}_{k} = query({{
  args: {{ name: v.string(), limit: v.optional(v.number()) }},
  handler: async (ctx, args) => {{
    const rows = await ctx.db
      .query("{table}")
      .withIndex("by_name", (q) => q.eq("name", args.name))
      .take(args.limit ?? {rng.randint(10, 100)});
    return rows.map((row) => ({{ id: row._id, name: row.name, count: row.count }}));
  }},
}});
'''
    return f'''
export const setStatus{index}_{k} = mutation({{
  args: {{ id: v.id("{table}"), status: v.union(v.literal("open"), v.literal("done")) }},
  handler: async (ctx, args) => {{
    const doc = await ctx.db.get(args.id);
    if (doc === null) throw new Error("not found");
    if (doc.status === args.status) return doc._id;
    await ctx.db.patch(args.id, {{ status: args.status }});
    return doc._id;
  }},
}});
'''


def _module(rng: random.Random, index: int, tables: list[str], logs: list[str]) -> str:
    table, other = rng.choice(tables), rng.choice(tables)
    log = rng.choice(logs)
    dual = rng.random() < 0.3
    second = (f'    await ctx.db.patch("{other}", args.otherId, {{ status: "touched" }});\n'
              if dual else "")
    other_arg = f', otherId: v.id("{other}")' if dual else ""
    extras = "".join(_extra_function(rng, index, k, table) for k in range(_sections(rng, 7, 30)))
    return f'''import {{ v }} from "convex/values";
import {{ action, internalMutation, mutation, query }} from "./_generated/server";
import {{ internal }} from "./_generated/api";
import {{ touch }} from "./lib/helpers{index % 7}";

export const get{index} = query({{
  args: {{ id: v.id("{table}") }},
  handler: async (ctx, args) => await ctx.db.get(args.id),
}});

export const rename{index} = mutation({{
  args: {{ id: v.id("{table}"), name: v.string(){other_arg} }},
  handler: async (ctx, args) => {{
    const doc = await ctx.db.get(args.id);
    if (!doc) throw new Error("missing");
    await ctx.db.patch(args.id, {{ name: args.name, count: doc.count + 1 }});
{second}    await touch(ctx, args.id);
  }},
}});

export const record{index} = internalMutation({{
  args: {{ kind: v.string() }},
  handler: async (ctx, {{ kind }}) => {{
    await ctx.db.insert("{log}", {{ kind, payload: null }});
  }},
}});

export const sync{index} = action({{
  args: {{ id: v.id("{table}") }},
  handler: async (ctx, args) => {{
    const response = await fetch("https://example.com/sync/" + args.id);
    await ctx.runMutation(internal.m{index}.record{index}, {{ kind: String(response.status) }});
    await ctx.scheduler.runAfter(60_000, internal.m{index}.record{index}, {{ kind: "later" }});
  }},
}});
{extras}'''


def _helper(tables: list[str]) -> str:
    return f'''import type {{ MutationCtx }} from "../_generated/server";
import type {{ Id }} from "../_generated/dataModel";

export async function touch(ctx: MutationCtx, id: Id<"{tables[0]}">) {{
  const doc = await ctx.db.get(id);
  return doc?.status ?? "unknown";
}}
'''


def _crons(modules: int) -> str:
    return f'''import {{ cronJobs }} from "convex/server";
import {{ internal }} from "./_generated/api";

const crons = cronJobs();
crons.hourly("record", {{ minuteUTC: 0 }}, internal.m0.record0, {{ kind: "tick" }});
crons.daily("record more", {{ hourUTC: 3, minuteUTC: 0 }},
  internal.m{modules - 1}.record{modules - 1}, {{ kind: "tick" }});
export default crons;
'''


# Sizes: the 19 public Convex apps measured for the benchmark issue hold 8,489 TS/TSX files in
# 52 MB, 6.1 KB a file, most files small and a few large. Each generated file is built from a
# number of sections drawn from a skewed (lognormal) distribution, tuned so a project's files
# average about 6 KB with about that spread; with files of one size, per-file overheads would
# weigh far more than they do in a real app.
def _sections(rng: random.Random, typical: float, most: int) -> int:
    return max(1, min(most, round(rng.lognormvariate(0, 0.8) * typical)))


CLASSES = ["flex items-center gap-2", "rounded-lg border bg-card p-4 shadow-sm",
           "text-sm text-muted-foreground", "grid grid-cols-1 gap-4 md:grid-cols-3",
           "space-y-2", "inline-flex h-9 items-center justify-center rounded-md px-3 text-sm",
           "mt-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between",
           "truncate font-medium leading-none", "h-4 w-4 shrink-0 opacity-70"]
ICONS = ["Check", "ChevronDown", "Loader2", "Plus", "Search", "Settings", "Trash2", "User", "X"]


def _jsx_section(rng: random.Random, k: int) -> str:
    css = [rng.choice(CLASSES) for _ in range(4)]
    icon = rng.choice(ICONS)
    shape = rng.randrange(5)
    if shape == 0:
        return f'''      <div className="{css[0]}">
        {{props.items.filter((item) => item.group === {k}).map((item) => (
          <div key={{item.id}} className="{css[1]}">
            <{icon} className="{css[2]}" />
            <span className="{css[3]}">{{item.title}}</span>
            {{item.done ? <Badge variant="secondary">Done</Badge> : null}}
          </div>
        ))}}
      </div>
'''
    if shape == 1:
        return f'''      <label className="{css[0]}" htmlFor="field-{k}">
        <span className="{css[1]}">Field {k}</span>
        <input
          id="field-{k}"
          className="{css[2]}"
          value={{values["field{k}"] ?? ""}}
          onChange={{(event) => setValues({{ ...values, field{k}: event.target.value }})}}
        />
      </label>
'''
    if shape == 2:
        return f'''      {{open && (
        <div role="dialog" className="{css[0]}">
          <p className="{css[1]}">Step {k}: {{summary}}</p>
          <div className="{css[2]}">
            <Button variant="ghost" onClick={{() => setOpen(false)}}>Cancel</Button>
            <Button onClick={{() => {{ setOpen(false); props.onSelect?.({k}); }}}}>
              <{icon} className="{css[3]}" /> Confirm
            </Button>
          </div>
        </div>
      )}}
'''
    if shape == 3:
        return f'''      <table className="w-full text-sm">
        <thead>
          <tr>{{COLUMNS.map((column) => <th key={{column}} className="{css[0]}">{{column}}</th>)}}</tr>
        </thead>
        <tbody>
          {{props.items.slice(0, {rng.randint(5, 50)}).map((item, index) => (
            <tr key={{item.id}} className={{cn("border-b", index % 2 === 0 && "bg-muted/50")}}>
              <td className="{css[1]}">{{item.title}}</td>
              <td className="{css[2]} text-right">{{item.count.toLocaleString()}}</td>
            </tr>
          ))}}
        </tbody>
      </table>
'''
    return f'''      <header className="{css[0]}">
        <h2 className="{css[1]}">{{props.title ?? "Section {k}"}}</h2>
        <p className="{css[2]}">
          {{summary}} and {{props.items.length}} items, updated {{new Date().toLocaleDateString()}}.
        </p>
      </header>
'''


def _ui_helper(rng: random.Random, k: int) -> str:
    return f'''function describe{k}(item: Item): string {{
  if (item.count === 0) return "empty";
  const share = Math.round((item.count / {rng.randint(10, 500)}) * 100);
  return `${{item.title}} (${{share}}%)`;
}}
'''


UI_HEADER = '''import { useEffect, useMemo, useState } from "react";
import { {icon} } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
'''


def _ui_body(rng: random.Random, name: str, sections: int) -> str:
    """A React component over `props.items`: some helpers, hooks, then `sections` JSX blocks."""
    helpers = "\n".join(_ui_helper(rng, k) for k in range(rng.randint(0, 3)))
    jsx = "".join(_jsx_section(rng, k) for k in range(sections))
    return f'''
interface Item {{ id: string; title: string; count: number; group: number; done?: boolean }}

const COLUMNS = ["Title", "Count"];

{helpers}
export function {name}(props: {{ items: Item[]; title?: string; onSelect?: (k: number) => void }}) {{
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({{}});
  const summary = useMemo(
    () => props.items.filter((item) => item.done).length + " done",
    [props.items],
  );
  useEffect(() => {{
    if (!open) setValues({{}});
  }}, [open]);
  return (
    <section className={{cn("{rng.choice(CLASSES)}", open && "ring-2")}}>
{jsx}    </section>
  );
}}
'''


def _page(rng: random.Random, index: int, modules: int) -> str:
    module = rng.randrange(modules)
    racing = rng.random() < 0.2
    second = ('    await rename({ id, name: name + "!" });\n' if racing else "")
    header = UI_HEADER.replace("{icon}", rng.choice(ICONS))
    return f'''"use client";
{header}import {{ useMutation, useQuery }} from "convex/react";
import {{ api }} from "../../convex/_generated/api";
import type {{ Id }} from "../../convex/_generated/dataModel";
{_ui_body(rng, f"Details{index}", _sections(rng, 6, 40))}
export default function Page{index}({{ id }}: {{ id: Id<any> }}) {{
  const doc = useQuery(api.m{module}.get{module}, {{ id }});
  const rename = useMutation(api.m{module}.rename{module});
  const [name, setName] = useState("");

  async function handleSave() {{
    await rename({{ id, name }});
{second}  }}

  return (
    <form onSubmit={{(event) => {{ event.preventDefault(); void handleSave(); }}}}>
      <h1>{{doc?.name ?? "Loading"}}</h1>
      <input value={{name}} onChange={{(event) => setName(event.target.value)}} />
      <button type="submit">Save</button>
      <Details{index} items={{[]}} />
    </form>
  );
}}
'''


def _component(rng: random.Random, index: int) -> str:
    header = UI_HEADER.replace("{icon}", rng.choice(ICONS))
    return (f'{header}import {{ formatLabel{index % 50} }} from "../lib/format{index % 50}";\n'
            f'{_ui_body(rng, f"Component{index}", _sections(rng, 8, 60))}'
            f'export const label{index} = formatLabel{index % 50}("Component {index}");\n')


def _utility(rng: random.Random, index: int, k: int) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return f'''export function formatLabel{index}_{k}(value: string): string {{
  return value.trim().replace(/\\s+/g, " ").slice(0, {rng.randint(20, 80)});
}}
'''
    if shape == 1:
        return f'''export function groupBy{index}_{k}<T>(values: T[], key: (value: T) => string) {{
  const groups: Record<string, T[]> = {{}};
  for (const value of values) {{
    const name = key(value);
    (groups[name] ??= []).push(value);
  }}
  return groups;
}}
'''
    return f'''export function clamp{index}_{k}(value: number, low = 0, high = {rng.randint(10, 1000)}) {{
  if (Number.isNaN(value)) return low;
  return Math.min(high, Math.max(low, value));
}}
'''


def _library(rng: random.Random, index: int) -> str:
    utilities = "\n".join(_utility(rng, index, k) for k in range(_sections(rng, 14, 80)))
    return f'''export function formatLabel{index}(value: string): string {{
  return value.trim().replace(/\\s+/g, " ").slice(0, {rng.randint(20, 80)});
}}

export const DEFAULTS_{index} = {{ pageSize: {rng.randint(10, 50)}, retries: {rng.randint(1, 5)} }};

{utilities}'''


def generate(root: Path, files: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    convex_files = max(4, int(files * CONVEX_SHARE))
    modules = max(1, int(convex_files * 0.6))
    pages = max(1, convex_files - modules - 9)
    tables = [f"table{i}" for i in range(max(2, modules // 10))]
    logs = [f"eventLog{i}" for i in range(max(1, modules // 25))]
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text('{"name": "synthetic", "private": true}\n')
    (root / "convex.json").write_text('{"functions": "convex/"}\n')
    # A config, as a team that runs mutlint keeps one (build output and generated code left
    # alone): a warm check reads it at every run, so its cost is in every row.
    (root / ".mutlint.yaml").write_text('exclude:\n  - "dist/**"\n  - "**/*.generated.ts"\n')
    written = {"convex/schema.ts": _schema(tables, logs), "convex/crons.ts": _crons(modules)}
    for index in range(7):
        written[f"convex/lib/helpers{index}.ts"] = _helper(tables)
    for index in range(modules):
        written[f"convex/m{index}.ts"] = _module(rng, index, tables, logs)
    for index in range(pages):
        written[f"app/p{index}/page.tsx"] = _page(rng, index, modules)
    for index in range(50):
        written[f"src/lib/format{index}.ts"] = _library(rng, index)
    index = 0
    while len(written) < files:
        written[f"src/components/c{index // 100}/Component{index}.tsx"] = _component(rng, index)
        index += 1
    for relpath, text in written.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(written)


def commit_all(root: Path) -> bool:
    """Make the project a git repository with every file committed, as a pre-commit hook sees
    its project (mutlint then asks whether git tracks its cache dir). False without git."""
    if shutil.which("git") is None:
        return False
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
           "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "generated"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--git", action="store_true", help="commit the files to a new repository")
    args = parser.parse_args()
    print(generate(args.directory, args.files, args.seed))
    if args.git and not commit_all(args.directory):
        print("no git on PATH: the project is not a repository", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
