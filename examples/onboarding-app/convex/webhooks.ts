import { v } from "convex/values";
import { internalMutation } from "./_generated/server";
import { internal } from "./_generated/api";
import { cutoffFor, deleteBatch } from "./lib/retention";

const RETENTION_DAYS = 7;
const BATCH_SIZE = 100;

export const recordDelivery = internalMutation({
  args: {
    url: v.string(),
    event: v.string(),
    status: v.number(),
    attempt: v.number(),
  },
  handler: async (ctx, args) => {
    return await ctx.db.insert("webhookDeliveries", args);
  },
});

// Scheduled daily from crons.ts. Deletes one page at a time and reschedules
// itself until nothing older than the retention window is left.
export const cleanupOldDeliveries = internalMutation({
  args: {},
  handler: async (ctx) => {
    const cutoff = cutoffFor(RETENTION_DAYS);
    const rows = await ctx.db
      .query("webhookDeliveries")
      .withIndex("by_creation_time", (q) => q.lt("_creationTime", cutoff))
      .take(BATCH_SIZE);

    const deleted = await deleteBatch(ctx, rows);
    if (rows.length === BATCH_SIZE) {
      await ctx.scheduler.runAfter(0, internal.webhooks.cleanupOldDeliveries, {});
    }
    return deleted;
  },
});
