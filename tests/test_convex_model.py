"""The Convex model: function references, the schema and cron jobs, on small projects."""

from __future__ import annotations

from pathlib import Path

import tree_sitter

from mutlint.convex.crons import cron_jobs
from mutlint.convex.references import FunctionRef, function_ref, references_in
from mutlint.convex.schema import id_field_table, project_schema
from mutlint.project import Project
from mutlint.source import SourceFile


def make_project(root: Path, files: dict[str, str], convex_dir: str = "convex") -> Project:
    sources = {}
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        sources[relpath] = path
    return Project(root=root, convex_dir=convex_dir, sources_found=sources)


def parsed(project: Project, relpath: str) -> SourceFile:
    file = project.file(relpath)
    assert file is not None
    return file


def refs(project: Project, relpath: str) -> list[tuple[str, str, str]]:
    file = parsed(project, relpath)
    return [(r.function_id, r.visibility, file.text(r.node)) for r in references_in(project, file)]


def initializer(file: SourceFile, name: str) -> tree_sitter.Node:
    """The value of the top-level `const name = ...`."""
    for statement in file.root.named_children:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        for declarator in statement.named_children:
            if declarator.type == "variable_declarator" and \
                    file.text(declarator.child_by_field_name("name")) == name:
                return declarator.child_by_field_name("value")
    raise AssertionError(f"no const {name}")


# ---------------------------------------------------------------- references

PAGE = """\
import { api, internal as int, components } from "../convex/_generated/api";
import { useMutation } from "convex/react";

const dotted = api.messages.send;
const nested = api.billing.invoices.create;
const aliased = int.jobs.cleanup;
const subscripted = api["admin/users"].remove;
const allSubscripts = api["admin/users"]["ban"];
const castInside = (api.newsletters as any).archive;
const castOutside = api.tasks.list as any;
const moduleOnly = api.tasks;
const component = components.rateLimiter.lib.check;
type Ref = typeof api.types.only;

export function Page() {
  const update = useMutation(
    api.profile.update,
  );
  return null;
}
"""


def test_references_in_every_form(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"src/page.tsx": PAGE})
    assert refs(project, "src/page.tsx") == [
        ("messages:send", "public", "api.messages.send"),
        ("billing/invoices:create", "public", "api.billing.invoices.create"),
        ("jobs:cleanup", "internal", "int.jobs.cleanup"),
        ("admin/users:remove", "public", 'api["admin/users"].remove'),
        ("admin/users:ban", "public", 'api["admin/users"]["ban"]'),
        ("newsletters:archive", "public", "(api.newsletters as any).archive"),
        ("tasks:list", "public", "api.tasks.list"),
        ("profile:update", "public", "api.profile.update"),
    ]


def test_references_are_memoised(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"src/page.tsx": PAGE})
    file = parsed(project, "src/page.tsx")
    assert references_in(project, file) is references_in(project, file)


def test_function_ref_on_single_expressions(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"src/page.tsx": PAGE})
    file = parsed(project, "src/page.tsx")
    cast = initializer(file, "castOutside")
    assert cast.type == "as_expression"
    assert function_ref(file, cast) == FunctionRef("tasks:list", "public", cast)
    inside = function_ref(file, initializer(file, "castInside"))
    assert inside is not None and inside.function_id == "newsletters:archive"
    assert function_ref(file, initializer(file, "moduleOnly")) is None
    assert function_ref(file, initializer(file, "component")) is None


def test_only_the_longest_chain_is_a_reference(tmp_path: Path) -> None:
    source = ('import { internal } from "./_generated/api.js";\n'
              "const deep = internal.a.b.c.d;\n"
              "const dynamic = internal.a[name].c;\n"
              "const partly = internal.a.b[key];\n")
    project = make_project(tmp_path, {"convex/x.ts": source})
    assert refs(project, "convex/x.ts") == [
        ("a/b/c:d", "internal", "internal.a.b.c.d"),
        ("a:b", "internal", "internal.a.b"),
    ]


def test_roots_that_are_not_generated_api_imports(tmp_path: Path) -> None:
    project = make_project(tmp_path, {
        "src/local.ts": "const api = { users: { get: 1 } };\nexport const x = api.users.get;\n",
        "src/other.ts": 'import { api } from "./myApi";\nexport const x = api.users.get;\n',
        "src/server.ts": 'import { api } from "./_generated/server";\nexport const x = api.users.get;\n',
        "src/comp.ts": ('import { components } from "../convex/_generated/api";\n'
                        "export const x = components.workpool.lib.enqueue;\n"),
    })
    for relpath in ("src/local.ts", "src/other.ts", "src/server.ts", "src/comp.ts"):
        assert refs(project, relpath) == [], relpath
    file = parsed(project, "src/local.ts")
    assert function_ref(file, initializer(file, "x")) is None


# ---------------------------------------------------------------- schema

SCHEMA = """\
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { authTables } from "@convex-dev/auth/server";
import { auditLogTable } from "./tables/auditLog";
import { billingTables } from "./tables/billing";

const usersTable = defineTable({
  name: v.string(),
  teamId: v.optional(v.id("teams")),
}).index("by_team", ["teamId"]);

const timestamps = { createdAt: v.number() };
const teamFields = { ...timestamps, name: v.string() };

const messageFields = v.object({
  author: v.id("users"),
  replyTo: v.union(v.id("messages"), v.null()),
  mentions: v.array(v.id("users")),
  either: v.union(v.id("users"), v.id("teams")),
  body: v.string(),
  tags: v.array(
    v.string(),
  ),
  embedding: v.array(v.float64()),
});

export default defineSchema({
  ...authTables,
  users: usersTable,
  teams: defineTable(teamFields).index("by_name", ["name"]),
  messages: defineTable(messageFields)
    .index("by_author", ["author", "_creationTime"])
    .searchIndex("search_body", { searchField: "body", filterFields: ["author"] })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536, filterFields: ["author"] }),
  auditLog: auditLogTable,
  "quoted_name": defineTable({ ok:   v.boolean() }),
  ...billingTables,
});
"""
AUDIT_LOG = """\
import { defineTable } from "convex/server";
import { v } from "convex/values";

export const auditLogTable = defineTable({
  actor: v.id("users"),
  action: v.string(),
}).index("by_actor", ["actor"]);
"""
BILLING = """\
import { defineTable as table } from "convex/server";
import { v as val } from "convex/values";

const invoices = table({ userId: val.id("users"), total: val.number() })
  .index("by_user", { fields: ["userId"] });

export const billingTables = {
  invoices,
  payments: table({ invoiceId: val.optional(val.id("invoices")) }),
};
"""


def schema_project(tmp_path: Path) -> Project:
    return make_project(tmp_path, {
        "convex/schema.ts": SCHEMA,
        "convex/tables/auditLog.ts": AUDIT_LOG,
        "convex/tables/billing.ts": BILLING,
    })


def test_schema_tables_and_locations(tmp_path: Path) -> None:
    project = schema_project(tmp_path)
    schema = project_schema(project)
    assert schema is not None
    assert schema.relpath == "convex/schema.ts"
    assert list(schema.tables) == ["users", "teams", "messages", "auditLog", "quoted_name",
                                   "invoices", "payments"]
    assert schema.external_spreads == ["...authTables"]
    file = parsed(project, "convex/schema.ts")
    keys = {name: file.text(table.key_node) for name, table in schema.tables.items()}
    assert keys == {"users": "users", "teams": "teams", "messages": "messages",
                    "auditLog": "auditLog", "quoted_name": '"quoted_name"',
                    "invoices": "...billingTables", "payments": "...billingTables"}
    assert {table.relpath for table in schema.tables.values()} == {"convex/schema.ts"}
    assert project_schema(project) is schema


def test_schema_fields(tmp_path: Path) -> None:
    tables = project_schema(schema_project(tmp_path)).tables
    assert tables["users"].fields == {"name": "v.string()", "teamId": 'v.optional(v.id("teams"))'}
    assert tables["teams"].fields == {"createdAt": "v.number()", "name": "v.string()"}
    assert tables["messages"].fields == {
        "author": 'v.id("users")',
        "replyTo": 'v.union(v.id("messages"), v.null())',
        "mentions": 'v.array(v.id("users"))',
        "either": 'v.union(v.id("users"), v.id("teams"))',
        "body": "v.string()",
        "tags": "v.array( v.string(), )",
        "embedding": "v.array(v.float64())",
    }
    assert tables["auditLog"].fields == {"actor": 'v.id("users")', "action": "v.string()"}
    assert tables["quoted_name"].fields == {"ok": "v.boolean()"}
    assert tables["invoices"].fields == {"userId": 'val.id("users")', "total": "val.number()"}
    assert tables["payments"].fields == {"invoiceId": 'val.optional(val.id("invoices"))'}


def test_schema_id_edges(tmp_path: Path) -> None:
    schema = project_schema(schema_project(tmp_path))
    edges = {name: table.id_fields for name, table in schema.tables.items()}
    assert edges == {
        "users": {"teamId": "teams"},
        "teams": {},
        "messages": {"author": "users", "replyTo": "messages", "mentions": "users"},
        "auditLog": {"actor": "users"},
        "quoted_name": {},
        "invoices": {"userId": "users"},
        "payments": {"invoiceId": "invoices"},
    }
    assert id_field_table(schema, "messages", "replyTo") == "messages"
    assert id_field_table(schema, "messages", "either") is None  # two tables: no single edge
    assert id_field_table(schema, "messages", "body") is None
    assert id_field_table(schema, "nosuchtable", "author") is None


def test_schema_indexes(tmp_path: Path) -> None:
    schema = project_schema(schema_project(tmp_path))
    indexes = {name: table.indexes for name, table in schema.tables.items()}
    assert indexes == {
        "users": {"by_team": ["teamId"]},
        "teams": {"by_name": ["name"]},
        "messages": {"by_author": ["author", "_creationTime"], "search_body": ["body", "author"],
                     "by_embedding": ["embedding", "author"]},
        "auditLog": {"by_actor": ["actor"]},
        "quoted_name": {},
        "invoices": {"by_user": ["userId"]},
        "payments": {},
    }


def test_schema_outside_schema_ts_and_missing(tmp_path: Path) -> None:
    source = ('import { defineSchema as schema, defineTable } from "convex/server";\n'
              'import { v } from "convex/values";\n'
              "export default schema({ notes: defineTable(v.object({ text: v.string() })) });\n")
    project = make_project(tmp_path / "a", {"convex/db.ts": source, "convex/notes.ts": "export {};\n"})
    schema = project_schema(project)
    assert schema is not None and schema.relpath == "convex/db.ts"
    assert {n: t.fields for n, t in schema.tables.items()} == {"notes": {"text": "v.string()"}}
    empty = make_project(tmp_path / "b", {"convex/notes.ts": "export const x = 1;\n"})
    assert project_schema(empty) is None
    # defineSchema not imported from convex/server is some other function.
    local = make_project(tmp_path / "c", {"convex/schema.ts": (
        "function defineSchema(x: object) { return x; }\n"
        "export default defineSchema({ fake: 1 });\n")})
    assert project_schema(local) is None


# ---------------------------------------------------------------- crons

CRONS = """\
import { cronJobs } from "convex/server";
import { api, internal } from "./_generated/api";
import { makeScheduler } from "./lib";

const crons = cronJobs();
const other = makeScheduler();
const handler = internal.misc.run;

crons.interval("clear presence", { seconds: 30 }, internal.presence.clear);
crons.hourly("hourly stats", { minuteUTC: 5 }, internal.stats.rollup, {});
crons.daily(
  "purge sessions", // comments between arguments are not arguments
  { hourUTC: 3, minuteUTC: 0 },
  internal.sessions.purge,
);
crons.weekly("weekly digest", { dayOfWeek: "monday", hourUTC: 8, minuteUTC: 0 }, api.emails.weekly);
crons.monthly("bill", { day: 1, hourUTC: 16, minuteUTC: 0 }, internal["billing/charge"].run, { dry: false });
crons.cron("nightly", "0 0 * * *", (internal.reports as any).nightly);
crons.interval(JOB_NAME, { minutes: 5 }, handler);
crons.daily("unknown target", { hourUTC: 4, minuteUTC: 0 }, makeScheduler());
other.daily("not a cron", { hourUTC: 1, minuteUTC: 0 }, internal.x.y);
crons.export();

export default crons;
"""


def test_cron_jobs_every_schedule(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"convex/crons.ts": CRONS})
    jobs = cron_jobs(project)
    summary = [(j.name, j.schedule, j.target.function_id if j.target else None,
                j.target.visibility if j.target else None) for j in jobs]
    assert summary == [
        ("clear presence", "interval", "presence:clear", "internal"),
        ("hourly stats", "hourly", "stats:rollup", "internal"),
        ("purge sessions", "daily", "sessions:purge", "internal"),
        ("weekly digest", "weekly", "emails:weekly", "public"),
        ("bill", "monthly", "billing/charge:run", "internal"),
        ("nightly", "cron", "reports:nightly", "internal"),
        ("JOB_NAME", "interval", "misc:run", "internal"),
        ("unknown target", "daily", None, None),
    ]
    file = parsed(project, "convex/crons.ts")
    assert file.text(jobs[0].node).startswith('crons.interval("clear presence"')
    assert file.position(jobs[2].node.start_byte).line == 11
    assert cron_jobs(project) is jobs


def test_cron_jobs_with_an_alias(tmp_path: Path) -> None:
    source = ('import { cronJobs as makeCrons } from "convex/server";\n'
              'import { internal } from "./_generated/api";\n'
              "const jobs = makeCrons();\n"
              'jobs.daily("cleanup", { hourUTC: 2, minuteUTC: 0 }, internal.cleanup.run);\n'
              "export default jobs;\n")
    project = make_project(tmp_path, {"src/convex/crons.ts": source}, convex_dir="src/convex")
    assert [(j.name, j.schedule, j.target.function_id) for j in cron_jobs(project)] == [
        ("cleanup", "daily", "cleanup:run")]


def test_no_cron_jobs(tmp_path: Path) -> None:
    assert cron_jobs(make_project(tmp_path / "a", {"convex/tasks.ts": "export const x = 1;\n"})) == []
    local = ('import { internal } from "./_generated/api";\n'
             "function cronJobs() { return { daily() {} }; }\n"
             "const crons = cronJobs();\n"
             'crons.daily("x", { hourUTC: 1, minuteUTC: 0 }, internal.a.b);\n')
    assert cron_jobs(make_project(tmp_path / "b", {"convex/crons.ts": local})) == []


def test_schema_follows_barrels_default_exports_and_stops_on_cycles(tmp_path: Path) -> None:
    server = 'import { defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
    project = make_project(tmp_path, {
        "convex/schema.ts": (
            'import { defineSchema } from "convex/server";\n'
            'import { postsTable, commentsTable } from "./tables";\n'
            'import likes from "./tables/likes";\n'
            'import { loopTable } from "./cycle/a";\n'
            "const selfSpread = { ...selfSpread };\n"
            "export default defineSchema({\n"
            "  posts: postsTable,\n  comments: commentsTable,\n  likes,\n  loop: loopTable,\n"
            "  ...selfSpread,\n"
            "});\n"),
        "convex/tables/index.ts": ('export * from "./posts";\n'
                                   'export { default as commentsTable } from "./comments";\n'),
        "convex/tables/posts.ts": server + "export const postsTable = defineTable({ title: v.string() });\n",
        "convex/tables/comments.ts": server + 'export default defineTable({ postId: v.id("posts") });\n',
        "convex/tables/likes.ts": (server + "const fields = { ...fields, postId: v.id(\"posts\") };\n"
                                   "const likes = defineTable(fields);\nexport default likes;\n"),
        "convex/cycle/a.ts": 'export { loopTable } from "./b";\n',
        "convex/cycle/b.ts": 'export { loopTable } from "./a";\n',
    })
    schema = project_schema(project)
    assert schema is not None
    assert {n: (t.fields, t.id_fields) for n, t in schema.tables.items()} == {
        "posts": ({"title": "v.string()"}, {}),
        "comments": ({"postId": 'v.id("posts")'}, {"postId": "posts"}),
        "likes": ({"postId": 'v.id("posts")'}, {"postId": "posts"}),
        "loop": ({}, {}),  # listed, though its definition cannot be reached
    }
    assert schema.external_spreads == []


def test_references_in_typescript_casts_and_path_aliases(tmp_path: Path) -> None:
    source = ('import { api } from "@/convex/_generated/api";\n'
              "const asserted = <any>api.files.upload;\n"
              "const nonNull = api.files.remove!;\n"
              "const satisfied = (api satisfies object).files.rename;\n"
              "const dynamic = api.files.list[`${kind}`];\n")
    project = make_project(tmp_path, {"app/page.ts": source})
    assert refs(project, "app/page.ts") == [
        ("files:upload", "public", "api.files.upload"),
        ("files:remove", "public", "api.files.remove"),
        ("files:rename", "public", "(api satisfies object).files.rename"),
        ("files:list", "public", "api.files.list"),
    ]


# ---------------------------------------------------------------- test files


def test_test_files_in_the_functions_dir_are_not_deployed_code(tmp_path: Path) -> None:
    from mutlint.convex.flows import project_flows

    project = make_project(tmp_path, {
        "convex/events.ts": 'import { mutation } from "./_generated/server";\n'
                            'export const log = mutation({ args: {}, handler: async (ctx) => {\n'
                            '  await ctx.db.insert("events", {});\n} });\n',
        # convex-test fixtures write directly; they are no traffic of the app's.
        "convex/events.test.ts": 'test("x", async () => { await t.run(async (ctx) => {\n'
                                 '  await ctx.db.insert("events", {});\n'
                                 '  await ctx.db.insert("events", {});\n}); });\n',
        "convex/events.spec.ts": 'await t.run(async (ctx) => ctx.db.delete(id));\n',
    })
    assert [f.relpath for f in project.convex_files()] == ["convex/events.ts"]
    writes = project_flows(project).writes
    assert [(w.relpath, w.method) for w in writes] == [("convex/events.ts", "insert")]


def test_branch_paths_are_exclusive_only_within_one_function():
    from mutlint.convex.path_facts import exclusive

    assert exclusive("a.ts@10|20:then", "a.ts@10|20:else")
    assert not exclusive("a.ts@10|20:then", "a.ts@10|20:then,30:else")  # nested on one side
    assert not exclusive("a.ts@10|20:then", "a.ts@99|20:else")  # another function
    assert not exclusive("a.ts@10|", "a.ts@10|20:else")  # before the branch: runs with both
    assert exclusive("a.ts@10|20:else,30:then", "a.ts@10|20:else,30:else")


def test_helper_code_takes_the_paths_of_the_calls_that_lead_to_it():
    from mutlint.convex.path_facts import exclusive

    via_then = "a.ts@10|20:then"  # a helper called once, in the then arm of branch 20
    assert exclusive(via_then, "a.ts@10|20:else")
    # called in both arms: the helper's code runs with either side
    assert not exclusive(f"{via_then};a.ts@10|20:else", "a.ts@10|20:else")
    # reached from another handler too: only the common function is weighed
    assert exclusive(f"{via_then};b.ts@5|", "a.ts@10|20:else")


def test_a_malformed_path_is_no_exclusion_and_no_crash():
    from mutlint.convex.path_facts import exclusive

    assert not exclusive("x|y", "x|y:then")
    assert not exclusive("", "a.ts@1|2:then")


def test_deployed_files_and_their_module_names(tmp_path: Path) -> None:
    """The functions dir's deployed files (no `.d.ts`, no test file) and the module each names,
    as deploys() and module_name say of each file, for a functions dir anywhere."""
    from mutlint.convex.functions import _module_files

    every = ["a.ts", "b/c.tsx", "b/c.test.ts", "d.spec.tsx", "e.d.ts", "f.test.dir/g.ts", "h",
             "i.js", "j.d.ts.ts", "k.tests.ts"]
    plain = ["a.ts", "b/c.tsx", "h", "i.js"]  # none to leave out
    for convex_dir, names in [("convex", every), ("src/backend", every), ("", every),
                              ("convex", plain), ("", plain)]:
        root = tmp_path / f"{convex_dir.replace('/', '_') or 'top'}{len(names)}"
        prefix = f"{convex_dir}/" if convex_dir else ""
        files = {f"{prefix}{name}": "export const x = 1;\n" for name in names}
        files["app/page.tsx"] = "export default function Page() {}\n"
        project = make_project(root, files, convex_dir)
        expected = sorted(relpath for relpath in files if project.deploys(relpath))
        assert project.deployed_sources() == expected
        modules: dict[str, list[str]] = {}
        for relpath in expected:
            modules.setdefault(project.module_name(relpath), []).append(relpath)
        assert _module_files(project) == modules
        assert f"{prefix}b/c.test.ts" not in expected and f"{prefix}e.d.ts" not in expected
        assert f"{prefix}b/c.tsx" in expected and f"{prefix}h" in expected
        assert (f"{prefix}f.test.dir/g.ts" in expected) is (names is every)
