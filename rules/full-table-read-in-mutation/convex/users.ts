import { v } from "convex/values";
import { internalMutation, mutation, query } from "./_generated/server";

export const join = mutation({
  args: { email: v.string() },
  handler: async (ctx, { email }) => {
    const existing = await ctx.db
      .query("users")
      .filter((q) => q.eq(q.field("email"), email))
      // ruleid: full-table-read-in-mutation
      .first();
    if (existing) return existing._id;
    // ruleid: full-table-read-in-mutation
    const everyone = await ctx.db.query("users").collect();
    return await ctx.db.insert("users", { email, rank: everyone.length });
  },
});

export const recount = internalMutation({
  args: {},
  handler: async (ctx) => {
    // ruleid: full-table-read-in-mutation
    const active = await ctx.db.query("sessions").filter((q) => q.eq(q.field("active"), true)).collect();
    // ruleid: full-table-read-in-mutation
    const newestFirst = await ctx.db.query("events").order("desc").collect();
    // ruleid: full-table-read-in-mutation
    const only = await ctx.db.query("settings").filter((q) => q.eq(q.field("key"), "x")).unique();
    await ctx.db.insert("stats", { active: active.length, events: newestFirst.length, only });
  },
});

export const indexed = mutation({
  args: { email: v.string() },
  handler: async (ctx, { email }) => {
    // ok: full-table-read-in-mutation
    const user = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).first();
    const sessions = await ctx.db
      .query("sessions")
      .withIndex("by_user", (q) => q.eq("userId", user!._id))
      .filter((q) => q.eq(q.field("active"), true))
      // ok: full-table-read-in-mutation
      .collect();
    // ok: full-table-read-in-mutation
    const latest = await ctx.db.query("events").order("desc").first();
    // ok: full-table-read-in-mutation
    const firstTen = await ctx.db.query("events").take(10);
    // ok: full-table-read-in-mutation
    const hits = await ctx.db.query("docs").withSearchIndex("search_body", (q) => q.search("body", email)).collect();
    return { sessions, latest, firstTen, hits };
  },
});

// Queries do not take part in write conflicts; scanning there is a cost, not a conflict.
export const listAll = query({
  args: {},
  // ok: full-table-read-in-mutation
  handler: async (ctx) => await ctx.db.query("users").collect(),
});

// Not a Convex function: some other client's query builder.
export async function report(db: any) {
  // ok: full-table-read-in-mutation
  return await db.query("users").collect();
}

export const paged = mutation({
  args: { cursor: v.union(v.string(), v.null()) },
  handler: async (ctx, { cursor }) => {
    // ok: full-table-read-in-mutation
    return await ctx.db.query("events").paginate({ cursor, numItems: 50 });
  },
});
