import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { getCurrentUser } from "./lib/auth";

// Hot path: called from every page. Rows are only ever appended.
export const track = mutation({
  args: { name: v.string(), props: v.optional(v.any()) },
  handler: async (ctx, args) => {
    const user = await getCurrentUser(ctx);
    await ctx.db.insert("analyticsEvents", {
      userId: user?._id,
      name: args.name,
      props: args.props,
    });
  },
});
