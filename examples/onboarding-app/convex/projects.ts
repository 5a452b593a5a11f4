import { ConvexError, v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { requireUser } from "./lib/auth";
import { projectStatusValidator } from "./schema";

export const listMine = query({
  args: {},
  handler: async (ctx) => {
    const user = await requireUser(ctx);
    return await ctx.db
      .query("projects")
      .withIndex("by_owner", (q) => q.eq("ownerId", user._id))
      .order("desc")
      .collect();
  },
});

export const createProject = mutation({
  args: { name: v.string() },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    const name = args.name.trim() || "Untitled project";
    // BUG: scans the whole projects table (no index), so every project any
    // other user creates or renames conflicts with this mutation.
    const duplicate = await ctx.db
      .query("projects")
      .filter((q) => q.and(q.eq(q.field("ownerId"), user._id), q.eq(q.field("name"), name)))
      .first();
    if (duplicate) {
      throw new ConvexError("A project with this name already exists");
    }
    return await ctx.db.insert("projects", { ownerId: user._id, name, status: "draft" });
  },
});

export const renameProject = mutation({
  args: { projectId: v.id("projects"), name: v.string() },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    const project = await ctx.db.get(args.projectId);
    if (!project || project.ownerId !== user._id) {
      throw new ConvexError("Project not found");
    }
    await ctx.db.patch(args.projectId, { name: args.name.trim() });
  },
});

export const setStatus = mutation({
  args: {
    projectId: v.id("projects"),
    status: projectStatusValidator,
    publishedUrl: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    const project = await ctx.db.get(args.projectId);
    if (!project || project.ownerId !== user._id) {
      throw new ConvexError("Project not found");
    }
    await ctx.db.patch(args.projectId, {
      status: args.status,
      ...(args.publishedUrl !== undefined && { publishedUrl: args.publishedUrl }),
    });
  },
});
