import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { requireUser } from "./lib/auth";

// Records that the signed-in user is active: rewrites the user's own document.
export const touchPresence = mutation({
  args: { activity: v.string() },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    await ctx.db.patch(user._id, { lastSeenAt: Date.now(), lastActivity: args.activity });
  },
});
