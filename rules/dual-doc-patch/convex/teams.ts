import { v } from "convex/values";
import { internalMutation, mutation, zMutation } from "./functions";

// ruleid: dual-doc-patch
export const leave = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites") },
  handler: async (ctx, { teamId, inviteId }) => {
    await ctx.db.patch(teamId, { name: "left" });
    await ctx.db.delete(inviteId);
  },
});

// ruleid: dual-doc-patch
export const purge = internalMutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites") },
  handler: async (ctx, args) => {
    await ctx.db.delete(args.teamId);
    await ctx.db.delete(args.inviteId);
  },
});

// ruleid: dual-doc-patch
export const rename = zMutation({
  args: { teamId: v.id("teams"), userId: v.id("users") },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.teamId, { name: "z" });
    await ctx.db.patch(args.userId, { plan: "team" });
  },
});

// A loop of writes to one table inside one mutation is one transaction on one table.
// ok: dual-doc-patch
export const renameAll = mutation({
  args: { teamIds: v.array(v.id("teams")) },
  handler: async (ctx, { teamIds }) => {
    for (const teamId of teamIds) {
      await ctx.db.patch(teamId, { name: "renamed" });
    }
  },
});
