import { v } from "convex/values";
import { mutation } from "./functions";

// Each run takes one arm: one table changes, whichever it is.
// ok: dual-doc-patch
export const archiveOwner = mutation({
  args: { teamId: v.id("teams"), userId: v.id("users"), isTeam: v.boolean() },
  handler: async (ctx, args) => {
    if (args.isTeam) {
      await ctx.db.patch(args.teamId, { archived: true });
    } else {
      await ctx.db.patch(args.userId, { archived: true });
    }
  },
});

// The early return: the invite is deleted only when the team is not renamed.
// ok: dual-doc-patch
export const settleInvite = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites"), accept: v.boolean() },
  handler: async (ctx, args) => {
    if (args.accept) {
      await ctx.db.patch(args.teamId, { members: 2 });
      return "accepted";
    }
    await ctx.db.delete(args.inviteId);
    return "declined";
  },
});

// ok: dual-doc-patch
export const closeOne = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites"), kind: v.string() },
  handler: async (ctx, args) => {
    switch (args.kind) {
      case "team":
        await ctx.db.delete(args.teamId);
        break;
      case "invite":
        await ctx.db.delete(args.inviteId);
        break;
    }
  },
});

// ok: dual-doc-patch
export const touchEither = mutation({
  args: { teamId: v.id("teams"), userId: v.id("users"), team: v.boolean() },
  handler: async (ctx, args) => {
    await (args.team
      ? ctx.db.patch(args.teamId, { touched: 1 })
      : ctx.db.patch(args.userId, { touched: 1 }));
  },
});

// No return in the first branch: both writes can happen in one run.
// ruleid: dual-doc-patch
export const acceptAndClean = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites"), accept: v.boolean() },
  handler: async (ctx, args) => {
    if (args.accept) {
      await ctx.db.patch(args.teamId, { members: 2 });
    }
    await ctx.db.delete(args.inviteId);
  },
});

// One iteration takes one arm, the next the other: both tables change in one transaction.
// ruleid: dual-doc-patch
export const archiveMany = mutation({
  args: { items: v.array(v.object({ teamId: v.id("teams"), userId: v.id("users"), team: v.boolean() })) },
  handler: async (ctx, args) => {
    for (const item of args.items) {
      if (item.team) {
        await ctx.db.patch(item.teamId, { archived: true });
      } else {
        await ctx.db.patch(item.userId, { archived: true });
      }
    }
  },
});

// The first case falls through into the second.
// ruleid: dual-doc-patch
export const closeFallingThrough = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites"), kind: v.string() },
  handler: async (ctx, args) => {
    switch (args.kind) {
      case "team":
        await ctx.db.delete(args.teamId);
      case "invite":
        await ctx.db.delete(args.inviteId);
        break;
    }
  },
});

// One arm writes two tables.
// ruleid: dual-doc-patch
export const leaveOrStay = mutation({
  args: { teamId: v.id("teams"), userId: v.id("users"), leave: v.boolean() },
  handler: async (ctx, args) => {
    if (args.leave) {
      await ctx.db.patch(args.teamId, { members: 1 });
      await ctx.db.patch(args.userId, { teamId: undefined });
    } else {
      await ctx.db.patch(args.teamId, { seen: true });
    }
  },
});

// A write before the branch runs with either arm.
// ruleid: dual-doc-patch
export const markThenBranch = mutation({
  args: { teamId: v.id("teams"), userId: v.id("users"), inviteId: v.id("invites"), a: v.boolean() },
  handler: async (ctx, args) => {
    await ctx.db.patch(args.userId, { busy: true });
    if (args.a) {
      await ctx.db.patch(args.teamId, { busy: true });
    } else {
      await ctx.db.delete(args.inviteId);
    }
  },
});

// Each element of the map takes its own arm: one call deletes invites, another patches teams.
// ruleid: dual-doc-patch
export const settleAll = mutation({
  args: { pairs: v.array(v.object({ teamId: v.id("teams"), inviteId: v.id("invites") })) },
  handler: async (ctx, args) => {
    await Promise.all(args.pairs.map(async (pair) => {
      const team = await ctx.db.get(pair.teamId);
      if (!team) {
        await ctx.db.delete(pair.inviteId);
        return;
      }
      await ctx.db.patch(pair.teamId, { members: 2 });
    }));
  },
});

async function archiveOne(ctx: any, teamId: any, userId: any, team: boolean) {
  if (team) {
    await ctx.db.patch(teamId, { archived: true });
    return;
  }
  await ctx.db.patch(userId, { archived: true });
}

// A helper's early return holds per call, and it is called twice: both tables change.
// ruleid: dual-doc-patch
export const archiveBoth = mutation({
  args: { teamId: v.id("teams"), userId: v.id("users") },
  handler: async (ctx, args) => {
    await archiveOne(ctx, args.teamId, args.userId, true);
    await archiveOne(ctx, args.teamId, args.userId, false);
  },
});

async function markTeam(ctx: any, teamId: any) {
  await ctx.db.patch(teamId, { marked: true });
}

// The helper runs on the early-return path only; the invite is deleted on the other.
// ok: dual-doc-patch
export const markOrDelete = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites"), mark: v.boolean() },
  handler: async (ctx, args) => {
    if (args.mark) {
      return markTeam(ctx, args.teamId);
    }
    await ctx.db.delete(args.inviteId);
  },
});

// Without the return, the helper's patch and the delete both run.
// ruleid: dual-doc-patch
export const markAndDelete = mutation({
  args: { teamId: v.id("teams"), inviteId: v.id("invites"), mark: v.boolean() },
  handler: async (ctx, args) => {
    if (args.mark) {
      await markTeam(ctx, args.teamId);
    }
    await ctx.db.delete(args.inviteId);
  },
});
