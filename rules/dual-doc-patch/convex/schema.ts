import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({ name: v.string(), plan: v.string() }),
  subscriptions: defineTable({ userId: v.id("users"), status: v.string() }),
  teams: defineTable({ ownerId: v.id("users"), name: v.string() }),
  invites: defineTable({ teamId: v.id("teams"), email: v.string() }),
  events: defineTable({ kind: v.string() }),
});
