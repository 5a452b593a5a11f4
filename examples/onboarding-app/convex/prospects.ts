import { ConvexError, v } from "convex/values";
import { mutation } from "./_generated/server";
import { internal } from "./_generated/api";

export const createProspect = mutation({
  args: {
    email: v.string(),
    name: v.optional(v.string()),
    source: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    const email = args.email.trim().toLowerCase();
    const existing = await ctx.db
      .query("prospects")
      .withIndex("by_email", (q) => q.eq("email", email))
      .unique();
    if (existing) {
      return existing._id;
    }

    const prospectId = await ctx.db.insert("prospects", {
      email,
      name: args.name,
      source: args.source,
    });
    await ctx.scheduler.runAfter(0, internal.hubspot.syncProspect, {
      prospectId,
      email,
    });
    return prospectId;
  },
});

// Runs when an invited prospect signs up. `userId` is the existing account
// that referred them and gets referral credit.
export const convertProspectToUser = mutation({
  args: { prospectId: v.id("prospects"), userId: v.id("users") },
  handler: async (ctx, args) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) {
      throw new ConvexError("Not authenticated");
    }
    const prospect = await ctx.db.get(args.prospectId);
    if (!prospect) {
      throw new ConvexError("Prospect not found");
    }
    if (prospect.convertedUserId) {
      return prospect.convertedUserId;
    }
    const referrer = await ctx.db.get(args.userId);
    if (!referrer) {
      throw new ConvexError("Referrer not found");
    }

    const newUserId = await ctx.db.insert("users", {
      name: identity.name ?? prospect.name ?? prospect.email,
      email: prospect.email,
      tokenIdentifier: identity.tokenIdentifier,
      role: "member",
      plan: "free",
      status: "active",
      onboardingSteps: {},
    });
    await ctx.db.patch(args.prospectId, { convertedUserId: newUserId });
    await ctx.db.patch(args.userId, {
      referralCount: (referrer.referralCount ?? 0) + 1,
    });
    return newUserId;
  },
});
