"""A deterministic generator of realistic synthetic Convex projects, for benchmarks.

`generate(root, files, seed)` writes about `files` TS/TSX files: a convex/ dir (schema with
tables and log tables, crons, mutation/query/action modules, helpers that receive ctx) and a
React front end calling mutations, and, as in public Convex apps, about three quarters UI and
library code that never touches Convex. A realistic share of problems is seeded in: pages that
call one mutation twice, mutations that patch two tables, log tables without cleanup.
Usage: python benchmarks/generate.py DIR --files 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
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


def _module(rng: random.Random, index: int, tables: list[str], logs: list[str]) -> str:
    table, other = rng.choice(tables), rng.choice(tables)
    log = rng.choice(logs)
    dual = rng.random() < 0.3
    second = (f'    await ctx.db.patch("{other}", args.otherId, {{ status: "touched" }});\n'
              if dual else "")
    other_arg = f', otherId: v.id("{other}")' if dual else ""
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
'''


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
  internal.m{modules - 1}.record{modules - 1}, {{ kind: "tick" }});
export default crons;
'''


def _page(rng: random.Random, index: int, modules: int) -> str:
    module = rng.randrange(modules)
    racing = rng.random() < 0.2
    second = ('    await rename({ id, name: name + "!" });\n' if racing else "")
    return f'''"use client";
import {{ useState }} from "react";
import {{ useMutation, useQuery }} from "convex/react";
import {{ api }} from "../../convex/_generated/api";
import type {{ Id }} from "../../convex/_generated/dataModel";

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
    </form>
  );
}}
'''


def _component(rng: random.Random, index: int) -> str:
    items = rng.randint(3, 12)
    rows = "\n".join(f'        <li key="{i}" className="item-{i}">{{props.label}} {i}</li>'
                     for i in range(items))
    return f'''import {{ useMemo, useState }} from "react";
import {{ formatLabel{index % 50} }} from "../lib/format{index % 50}";

export interface Props{index} {{ label: string; count?: number }}

export function Component{index}(props: Props{index}) {{
  const [open, setOpen] = useState(false);
  const label = useMemo(() => formatLabel{index % 50}(props.label), [props.label]);
  return (
    <section aria-expanded={{open}} onClick={{() => setOpen(!open)}}>
      <h2>{{label}}</h2>
      <ul>
{rows}
      </ul>
    </section>
  );
}}
'''


def _library(rng: random.Random, index: int) -> str:
    return f'''export function formatLabel{index}(value: string): string {{
  return value.trim().replace(/\\s+/g, " ").slice(0, {rng.randint(20, 80)});
}}

export function sum{index}(values: number[]): number {{
  let total = 0;
  for (const value of values) total += value;
  return total;
}}

export const DEFAULTS_{index} = {{ pageSize: {rng.randint(10, 50)}, retries: {rng.randint(1, 5)} }};
'''


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.directory, args.files, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
