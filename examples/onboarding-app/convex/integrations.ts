import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { requireUser } from "./lib/auth";

export const connectGa4 = mutation({
  args: { propertyId: v.string() },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    const existing = await ctx.db
      .query("ga4Connections")
      .withIndex("by_user", (q) => q.eq("userId", user._id))
      .unique();
    if (existing) {
      await ctx.db.patch(existing._id, {
        propertyId: args.propertyId,
        connectedAt: Date.now(),
      });
      return existing._id;
    }
    return await ctx.db.insert("ga4Connections", {
      userId: user._id,
      propertyId: args.propertyId,
      connectedAt: Date.now(),
    });
  },
});

export const connectGsc = mutation({
  args: { siteUrl: v.string() },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    const existing = await ctx.db
      .query("gscConnections")
      .withIndex("by_user", (q) => q.eq("userId", user._id))
      .unique();
    if (existing) {
      await ctx.db.patch(existing._id, {
        siteUrl: args.siteUrl,
        connectedAt: Date.now(),
      });
      return existing._id;
    }
    return await ctx.db.insert("gscConnections", {
      userId: user._id,
      siteUrl: args.siteUrl,
      connectedAt: Date.now(),
    });
  },
});
