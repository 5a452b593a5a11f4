import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { auditLogTable } from "./tables/auditLog";

export const planValidator = v.union(
  v.literal("free"),
  v.literal("pro"),
  v.literal("team"),
);

export const subscriptionStatusValidator = v.union(
  v.literal("trialing"),
  v.literal("active"),
  v.literal("past_due"),
  v.literal("canceled"),
);

export const projectStatusValidator = v.union(
  v.literal("draft"),
  v.literal("publishing"),
  v.literal("published"),
  v.literal("failed"),
);

export default defineSchema({
  users: defineTable({
    name: v.string(),
    email: v.string(),
    tokenIdentifier: v.string(),
    role: v.union(v.literal("member"), v.literal("admin")),
    plan: planValidator,
    status: v.union(
      v.literal("active"),
      v.literal("suspended"),
      v.literal("churned"),
    ),
    onboardingSteps: v.record(v.string(), v.boolean()),
    onboardingCompletedAt: v.optional(v.number()),
    referralCount: v.optional(v.number()),
    lastSeenAt: v.optional(v.number()),
    lastActivity: v.optional(v.string()),
  })
    .index("by_token", ["tokenIdentifier"])
    .index("by_email", ["email"]),

  subscriptions: defineTable({
    userId: v.id("users"),
    plan: planValidator,
    status: subscriptionStatusValidator,
    currentPeriodEnd: v.number(),
    canceledAt: v.optional(v.number()),
  }).index("by_user", ["userId"]),

  prospects: defineTable({
    email: v.string(),
    name: v.optional(v.string()),
    source: v.optional(v.string()),
    convertedUserId: v.optional(v.id("users")),
  }).index("by_email", ["email"]),

  projects: defineTable({
    ownerId: v.id("users"),
    name: v.string(),
    status: projectStatusValidator,
    publishedUrl: v.optional(v.string()),
  }).index("by_owner", ["ownerId"]),

  ga4Connections: defineTable({
    userId: v.id("users"),
    propertyId: v.string(),
    connectedAt: v.number(),
  }).index("by_user", ["userId"]),

  gscConnections: defineTable({
    userId: v.id("users"),
    siteUrl: v.string(),
    connectedAt: v.number(),
  }).index("by_user", ["userId"]),

  analyticsEvents: defineTable({
    userId: v.optional(v.id("users")),
    name: v.string(),
    props: v.optional(v.any()),
  }),

  aiRoutingLogs: defineTable({
    provider: v.string(),
    model: v.string(),
    latencyMs: v.number(),
    ok: v.boolean(),
  }),

  aiGenerations: defineTable({
    userId: v.id("users"),
    prompt: v.string(),
    output: v.string(),
    provider: v.string(),
  }).index("by_user", ["userId"]),

  webhookDeliveries: defineTable({
    url: v.string(),
    event: v.string(),
    status: v.number(),
    attempt: v.number(),
  }),

  // The audit trail is kept on purpose (compliance), so it has no TTL.
  // mutlint-disable-next-line missing-ttl-on-high-volume-table -- kept for compliance
  auditLog: auditLogTable,
});
