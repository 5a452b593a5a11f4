import { v } from "convex/values";
import { action, internalMutation, mutation } from "./_generated/server";
import { internal } from "./_generated/api";

async function me(ctx: any) {
  const identity = await ctx.auth.getUserIdentity();
  return await ctx.db
    .query("users")
    .withIndex("by_token", (q: any) => q.eq("tokenIdentifier", identity.tokenIdentifier))
    .unique();
}

// Finds its document from auth: every call changes the caller's user document.
export const updateStep = mutation({
  args: { step: v.string(), value: v.boolean() },
  handler: async (ctx, { step, value }) => {
    const user = await me(ctx);
    await ctx.db.patch(user._id, { steps: { ...user.steps, [step]: value } });
  },
});

export const setStatus = mutation({
  args: { projectId: v.id("projects"), status: v.string() },
  handler: async (ctx, { projectId, status }) => {
    await ctx.db.patch(projectId, { status });
  },
});

export const renameProject = mutation({
  args: { id: v.id("projects"), name: v.string() },
  handler: async (ctx, { id, name }) => {
    await ctx.db.patch(id, { name });
  },
});

export const setStatusInternal = internalMutation({
  args: { projectId: v.id("projects"), status: v.string() },
  handler: async (ctx, { projectId, status }) => {
    await ctx.db.patch(projectId, { status });
  },
});

export const drainBatch = internalMutation({
  args: { projectId: v.id("projects") },
  handler: async (ctx, { projectId }) => {
    await ctx.db.patch(projectId, { status: "draining" });
    return false;
  },
});

export const connectGa4 = mutation({
  args: { propertyId: v.string() },
  handler: async (ctx, args) => {
    const existing = await ctx.db.query("ga4").first();
    if (existing) await ctx.db.patch(existing._id, args);
  },
});

export const connectGsc = mutation({
  args: { siteUrl: v.string() },
  handler: async (ctx, args) => {
    const existing = await ctx.db.query("gsc").first();
    if (existing) await ctx.db.patch(existing._id, args);
  },
});

// Inserts only: two calls add two rows, they do not change one document.
export const track = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("events", { name });
  },
});

export const publish = action({
  args: { projectId: v.id("projects") },
  handler: async (ctx, { projectId }) => {
    await ctx.runMutation(internal.steps.setStatusInternal, { projectId, status: "queued" });
    // ruleid: parallel-mutations-same-doc
    await ctx.runMutation(internal.steps.setStatusInternal, { projectId, status: "publishing" });
    const response = await fetch("https://example.com/publish");
    // ok: parallel-mutations-same-doc
    await ctx.runMutation(internal.steps.setStatusInternal, { projectId, status: response.ok ? "done" : "failed" });
  },
});

export const drain = action({
  args: { projectId: v.id("projects"), others: v.array(v.id("projects")) },
  handler: async (ctx, { projectId, others }) => {
    let more = true;
    while (more) {
      // ok: parallel-mutations-same-doc
      more = await ctx.runMutation(internal.steps.drainBatch, { projectId });
    }
    for (const other of others) {
      // ok: parallel-mutations-same-doc
      await ctx.runMutation(internal.steps.setStatusInternal, { projectId: other, status: "x" });
    }
  },
});

// Inside a mutation, ctx.runMutation joins the caller's transaction.
export const nested = mutation({
  args: { projectId: v.id("projects") },
  handler: async (ctx, { projectId }) => {
    await ctx.runMutation(internal.steps.setStatusInternal, { projectId, status: "a" });
    // ok: parallel-mutations-same-doc
    await ctx.runMutation(internal.steps.setStatusInternal, { projectId, status: "b" });
  },
});

// Any number of ctx.db writes inside one mutation commit together: a loop of them is fine.
export const importEvents = mutation({
  args: { names: v.array(v.string()) },
  handler: async (ctx, { names }) => {
    for (const name of names) {
      // ok: parallel-mutations-same-doc
      await ctx.db.insert("events", { name });
    }
  },
});
