import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({ tokenIdentifier: v.string(), steps: v.record(v.string(), v.boolean()) }),
  projects: defineTable({ name: v.string(), status: v.string() }),
  ga4: defineTable({ propertyId: v.string() }),
  gsc: defineTable({ siteUrl: v.string() }),
  events: defineTable({ name: v.string() }),
});
