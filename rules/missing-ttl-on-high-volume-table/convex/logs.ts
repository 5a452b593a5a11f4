import { v } from "convex/values";
import { internalMutation, mutation } from "./_generated/server";
import { internal } from "./_generated/api";
import { removeAll } from "./lib/cleanup";

export const logCall = mutation({
  args: { route: v.string() },
  handler: async (ctx, { route }) => {
    await ctx.db.insert("apiLogs", { route });
  },
});

export const purgeLogs = internalMutation({
  args: {},
  handler: async (ctx) => {
    const old = await ctx.db
      .query("apiLogs")
      .withIndex("by_creation_time", (q) => q.lt("_creationTime", Date.now() - 86_400_000))
      .take(200);
    await removeAll(ctx, old);
  },
});

export const openSession = mutation({
  args: { token: v.string() },
  handler: async (ctx, { token }) => {
    await ctx.db.insert("sessions", { token });
  },
});

// Started by the cron; deletes one batch and reschedules itself while rows remain.
export const expireSessions = internalMutation({
  args: {},
  handler: async (ctx) => {
    const batch = await ctx.db.query("sessions").order("asc").take(100);
    for (const session of batch) {
      await ctx.db.delete("sessions", session._id);
    }
    if (batch.length === 100) {
      await ctx.scheduler.runAfter(0, internal.logs.expireSessions, {});
    }
  },
});

export const sendCode = mutation({
  args: { code: v.string() },
  handler: async (ctx, { code }) => {
    const id = await ctx.db.insert("otpCodes", { code });
    await ctx.scheduler.runAfter(10 * 60 * 1000, internal.logs.dropCode, { id });
  },
});

export const dropCode = internalMutation({
  args: { id: v.id("otpCodes") },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
  },
});

export const enqueue = mutation({
  args: { payload: v.string() },
  handler: async (ctx, { payload }) => {
    await ctx.db.insert("queueItems", { payload });
    await workpool.enqueueMutation(ctx, internal.logs.drainQueue, {});
  },
});

export const drainQueue = internalMutation({
  args: {},
  handler: async (ctx) => {
    const items = await ctx.db.query("queueItems").take(50);
    for (const item of items) {
      await ctx.db.delete(item._id);
    }
  },
});

export const issueToken = mutation({
  args: { token: v.string() },
  handler: async (ctx, { token }) => {
    await ctx.db.insert("apiTokens", { token });
  },
});

declare const workpool: { enqueueMutation: (...args: unknown[]) => Promise<void> };

export const logDelivery = internalMutation({
  args: { to: v.string() },
  handler: async (ctx, { to }) => {
    await ctx.db.insert("deliveryLogs", { to });
  },
});

export const cleanupOldDeliveries = mutation({
  args: { olderThanMs: v.number() },
  handler: async (ctx, { olderThanMs }) => {
    const old = await ctx.db
      .query("deliveryLogs")
      .withIndex("by_creation_time", (q) => q.lt("_creationTime", Date.now() - olderThanMs))
      .take(100);
    for (const row of old) await ctx.db.delete(row._id);
  },
});
