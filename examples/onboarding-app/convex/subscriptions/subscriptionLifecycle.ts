import { ConvexError, v } from "convex/values";
import { internalMutation, mutation, query } from "../_generated/server";
import { requireAdmin, requireUser } from "../lib/auth";
import { planValidator } from "../schema";

const PERIOD_MS = 30 * 24 * 60 * 60 * 1000;

export const listForAdmin = query({
  args: {},
  handler: async (ctx) => {
    await requireAdmin(ctx);
    const subs = await ctx.db.query("subscriptions").order("desc").take(50);
    return await Promise.all(
      subs.map(async (sub) => ({ ...sub, user: await ctx.db.get(sub.userId) })),
    );
  },
});

export const cancelSubscription = mutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, args) => {
    const caller = await requireUser(ctx);
    const sub = await ctx.db.get(args.subscriptionId);
    if (!sub) throw new ConvexError("Subscription not found");
    if (sub.userId !== caller._id && caller.role !== "admin") {
      throw new ConvexError("Not allowed");
    }

    await ctx.db.patch("subscriptions", sub._id, {
      status: "canceled",
      canceledAt: Date.now(),
    });
    await ctx.db.patch("users", sub.userId, { plan: "free" });
  },
});

export const reactivateSubscription = mutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, args) => {
    const caller = await requireUser(ctx);
    const sub = await ctx.db.get(args.subscriptionId);
    if (!sub) throw new ConvexError("Subscription not found");
    if (sub.userId !== caller._id && caller.role !== "admin") {
      throw new ConvexError("Not allowed");
    }

    await ctx.db.patch(sub._id, {
      status: "active",
      canceledAt: undefined,
      currentPeriodEnd: Date.now() + PERIOD_MS,
    });
    await ctx.db.patch(sub.userId, { plan: sub.plan, status: "active" });
  },
});

export const adminChangeSubscriptionPlan = mutation({
  args: { subscriptionId: v.id("subscriptions"), plan: planValidator },
  handler: async (ctx, args) => {
    await requireAdmin(ctx);
    const sub = await ctx.db.get(args.subscriptionId);
    if (!sub) throw new ConvexError("Subscription not found");

    await ctx.db.patch(args.subscriptionId, { plan: args.plan });
    await ctx.db.patch(sub.userId, { plan: args.plan });
  },
});

// Called by the billing webhook handler when a renewal payment succeeds.
export const renewSubscription = internalMutation({
  args: { subscriptionId: v.id("subscriptions") },
  handler: async (ctx, args) => {
    const sub = await ctx.db.get(args.subscriptionId);
    if (!sub) return;

    // OK: two patches, but both hit the same subscription document.
    if (sub.status === "past_due") {
      await ctx.db.patch(sub._id, { status: "active" });
    }
    await ctx.db.patch(sub._id, {
      currentPeriodEnd: Math.max(sub.currentPeriodEnd, Date.now()) + PERIOD_MS,
    });
  },
});

export const startTrial = mutation({
  args: { plan: planValidator },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);

    // OK: two inserts into two tables; new documents cannot conflict.
    const subscriptionId = await ctx.db.insert("subscriptions", {
      userId: user._id,
      plan: args.plan,
      status: "trialing",
      currentPeriodEnd: Date.now() + 14 * 24 * 60 * 60 * 1000,
    });
    await ctx.db.insert("auditLog", {
      actorId: user._id,
      action: "subscription.trial_started",
      targetTable: "subscriptions",
      targetId: subscriptionId,
      details: { plan: args.plan },
    });
    return subscriptionId;
  },
});
