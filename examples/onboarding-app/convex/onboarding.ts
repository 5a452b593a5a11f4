import { ConvexError, v } from "convex/values";
import { mutation } from "./_generated/server";
import { internal } from "./_generated/api";

export const updateOnboardingStep = mutation({
  args: { step: v.string(), value: v.boolean() },
  handler: async (ctx, args) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) {
      throw new ConvexError("Not authenticated");
    }
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) =>
        q.eq("tokenIdentifier", identity.tokenIdentifier),
      )
      .unique();
    if (!user) {
      throw new ConvexError("User not found");
    }

    // Read-modify-write of the user's onboardingSteps: every call reads and
    // rewrites the same document.
    await ctx.db.patch(user._id, {
      onboardingSteps: { ...user.onboardingSteps, [args.step]: args.value },
    });
  },
});

export const updateMultipleSteps = mutation({
  args: {
    steps: v.array(v.object({ step: v.string(), value: v.boolean() })),
  },
  handler: async (ctx, args) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) {
      throw new ConvexError("Not authenticated");
    }
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) =>
        q.eq("tokenIdentifier", identity.tokenIdentifier),
      )
      .unique();
    if (!user) {
      throw new ConvexError("User not found");
    }

    const onboardingSteps = { ...user.onboardingSteps };
    for (const { step, value } of args.steps) {
      onboardingSteps[step] = value;
    }
    // FIX: all steps land in one write.
    await ctx.db.patch(user._id, { onboardingSteps });
    return onboardingSteps;
  },
});

export const markComplete = mutation({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) {
      throw new ConvexError("Not authenticated");
    }
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) =>
        q.eq("tokenIdentifier", identity.tokenIdentifier),
      )
      .unique();
    if (!user) {
      throw new ConvexError("User not found");
    }
    if (user.onboardingCompletedAt !== undefined) {
      return user.onboardingCompletedAt;
    }

    const completedAt = Date.now();
    await ctx.db.patch(user._id, { onboardingCompletedAt: completedAt });
    await ctx.scheduler.runAfter(0, internal.hubspot.syncContact, {
      userId: user._id,
      email: user.email,
      name: user.name,
    });
    return completedAt;
  },
});
