import { defineTable } from "convex/server";
import { v } from "convex/values";

// Append-only record of billing and admin actions. Kept in its own file so
// the main schema stays readable.
export const auditLogTable = defineTable({
  actorId: v.optional(v.id("users")),
  action: v.string(),
  targetTable: v.string(),
  targetId: v.string(),
  details: v.optional(v.any()),
}).index("by_actor", ["actorId"]);
