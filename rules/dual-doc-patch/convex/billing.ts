import { v } from "convex/values";
import { internalMutation, mutation } from "./_generated/server";
import type { Id } from "./_generated/dataModel";
import { downgradeUser } from "./lib/users";

// ruleid: dual-doc-patch
export const cancel = mutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, args) => {
    const sub = await ctx.db.get(args.subscriptionId);
    if (!sub) return;
    await ctx.db.patch(args.subscriptionId, { status: "canceled" });
    // The schema says subscriptions.userId is v.id("users").
    await ctx.db.patch(sub.userId, { plan: "free" });
  },
});

// Table-name-first form and destructured args.
// ruleid: dual-doc-patch
export const transfer = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites") },
  handler: async (ctx, { teamId, inviteId }) => {
    await ctx.db.patch("teams", teamId, { name: "moved" });
    await ctx.db.delete("invites", inviteId);
  },
});

// The second write happens in a helper that receives ctx (in another file).
// ruleid: dual-doc-patch
export const expire = internalMutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, { subscriptionId }) => {
    const sub = await ctx.db.get(subscriptionId);
    await ctx.db.replace(subscriptionId, { userId: sub!.userId, status: "expired" });
    await downgradeUser(ctx, sub!.userId);
  },
});

// Two patches of the same document: one table.
// ok: dual-doc-patch
export const renew = mutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.subscriptionId, { status: "active" });
    await ctx.db.patch(args.subscriptionId, { status: "renewed" });
  },
});

// Inserts alone do not count.
// ok: dual-doc-patch
export const signUp = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const userId = await ctx.db.insert("users", { name, plan: "free" });
    await ctx.db.insert("subscriptions", { userId, status: "trial" });
    await ctx.db.insert("events", { kind: "signup" });
  },
});

// One write of a known table, one whose table cannot be inferred.
// ok: dual-doc-patch
export const touch = mutation({
  args: { subscriptionId: v.id("subscriptions"), other: v.string() },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.subscriptionId, { status: "touched" });
    await ctx.db.delete(args.other as any);
  },
});

// Id<"t"> annotations and ids from insert count as evidence too.
// ruleid: dual-doc-patch
export const rename = mutation({
  args: {},
  handler: async (ctx) => {
    const teamId: Id<"teams"> = await someTeam();
    const event = await ctx.db.query("events").withIndex("by_kind", (q) => q.eq("kind", "rename")).first();
    await ctx.db.patch(teamId, { name: "renamed" });
    await ctx.db.delete(event!._id);
  },
});

// A document inserted in this transaction is new: patching or deleting it conflicts with no
// one, so only the jobs table counts (both spellings of the write).
// ok: dual-doc-patch
export const enqueue = mutation({
  args: { jobId: v.id("jobs") },
  handler: async (ctx, { jobId }) => {
    const workId = await ctx.db.insert("work", { state: "pending" });
    await ctx.db.patch("work", workId, { state: "queued" });
    const logId = await ctx.db.insert("logs", { kind: "enqueue" });
    await ctx.db.patch(logId, { kind: "enqueued" });
    await ctx.db.replace(jobId, { state: "busy" });
  },
});

// Near miss: a `let` may have been given another id since; it counts as existing.
// ruleid: dual-doc-patch
export const requeue = mutation({
  args: { jobId: v.id("jobs"), workId: v.id("work") },
  handler: async (ctx, args) => {
    let workId = await ctx.db.insert("work", { state: "pending" });
    workId = args.workId;
    await ctx.db.patch(workId, { state: "queued" });
    await ctx.db.replace(args.jobId, { state: "busy" });
  },
});

// Queries and actions do not write.
// ok: dual-doc-patch
export const notAMutation = internalMutation({
  args: {},
  handler: async () => null,
});

async function someTeam(): Promise<Id<"teams">> {
  throw new Error("fixture");
}
