import { v } from "convex/values";
import { httpAction, internalMutation, mutation } from "./_generated/server";
import { internal } from "./_generated/api";

export const click = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("clickEvents", { name });
  },
});

export const recordRequest = internalMutation({
  args: { path: v.string(), status: v.number() },
  handler: async (ctx, args) => {
    await ctx.db.insert("requestRecords", args);
  },
});

export const hook = httpAction(async (ctx, request) => {
  await ctx.runMutation(internal.events.recordRequest, { path: new URL(request.url).pathname, status: 200 });
  return new Response("ok");
});

export const importViews = internalMutation({
  args: { paths: v.array(v.string()) },
  handler: async (ctx, { paths }) => {
    for (const path of paths) {
      await ctx.db.insert("pageViews", { path });
    }
  },
});

export const audit = internalMutation({
  args: { action: v.string() },
  handler: async (ctx, { action }) => {
    await ctx.db.insert("auditTrail", { action });
  },
});

export const createInvoice = internalMutation({
  args: { amount: v.number() },
  handler: async (ctx, { amount }) => {
    await ctx.db.insert("invoices", { amount });
  },
});

export const receiveWebhook = internalMutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    await ctx.db.insert("webhookEvents", { body });
  },
});

export const deleteWebhookEvent = mutation({
  args: { id: v.id("webhookEvents") },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
  },
});

export const visit = mutation({
  args: { userId: v.id("users") },
  handler: async (ctx, { userId }) => {
    const user = await ctx.db.get(userId);
    await ctx.db.patch(userId, { visits: (user?.visits ?? 0) + 1 });
  },
});

export const signUp = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("users", { name, visits: 0 });
  },
});
