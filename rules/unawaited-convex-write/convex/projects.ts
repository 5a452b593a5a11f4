import { v } from "convex/values";
import { internal } from "./_generated/api";
import { action, internalMutation, mutation, query } from "./_generated/server";

export const rename = mutation({
  args: { id: v.id("projects"), name: v.string() },
  handler: async (ctx, args) => {
    // ruleid: unawaited-convex-write
    ctx.db.patch(args.id, { name: args.name });
    // ok: unawaited-convex-write
    await ctx.db.patch(args.id, { renamedAt: Date.now() });
  },
});

export const archive = mutation({
  args: { id: v.id("projects") },
  handler: async (ctx, args) => {
    // ruleid: unawaited-convex-write
    void ctx.db.patch("projects", args.id, { archived: true });
    // ruleid: unawaited-convex-write
    ctx.scheduler.runAfter(0, internal.projects.notify, { id: args.id });
    // ok: unawaited-convex-write
    const pending = ctx.db.insert("events", { kind: "archived" });
    await pending;
    // ok: unawaited-convex-write
    return ctx.db.delete(args.id);
  },
});

// Destructured db and the old function syntax are still Convex handlers.
export const touch = internalMutation(async ({ db }, { id }: { id: any }) => {
  // ruleid: unawaited-convex-write
  db.replace(id, { touched: true });
  // ok: unawaited-convex-write
  await Promise.all([db.insert("events", { kind: "a" }), db.insert("events", { kind: "b" })]);
});

export const notify = action({
  args: { id: v.id("projects") },
  handler: async (ctx, args) => {
    // ruleid: unawaited-convex-write
    ctx.runMutation(internal.projects.touch, { id: args.id });
    // ok: unawaited-convex-write
    await ctx.runMutation(internal.projects.touch, { id: args.id });
    // ok: unawaited-convex-write
    ctx.runQuery(internal.projects.get, { id: args.id }).then(console.log);
    // ok: unawaited-convex-write
    fetch("https://example.com/hook").catch(() => undefined);
  },
});

export const get = query({
  args: { id: v.id("projects") },
  handler: async (ctx, args) => ctx.db.get(args.id),
});

// Not a Convex function: a plain helper with its own `db` (a local SQL client).
function flush(db: { delete: (x: string) => Promise<void> }) {
  // ok: unawaited-convex-write
  db.delete("cache");
}

// A local function that happens to be called `mutation` is not Convex's builder.
const mutation2 = (f: unknown) => f;
export const fake = mutation2({
  handler: async (ctx: any) => {
    // ok: unawaited-convex-write
    ctx.db.patch("x", {});
  },
});

export const suppressed = mutation({
  args: {},
  handler: async (ctx) => {
    // ok: unawaited-convex-write
    // mutlint-disable-next-line unawaited-convex-write -- fire and forget on purpose
    ctx.db.insert("events", { kind: "ping" });
  },
});
