import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { pageViewsTable } from "./tables";

export default defineSchema(
  {
    // Appended by a public mutation on every click; nothing deletes it.
    // ruleid: missing-ttl-on-high-volume-table
    clickEvents: defineTable({
      // ok: missing-ttl-on-high-volume-table
      name: v.string(),
      userId: v.optional(v.id("users")),
    }),
    // Appended from an HTTP action through ctx.runMutation.
    // ruleid: missing-ttl-on-high-volume-table
    requestRecords: defineTable({ path: v.string(), status: v.number() }),
    // Defined in another file, appended in a loop.
    // ruleid: missing-ttl-on-high-volume-table
    pageViews: pageViewsTable,
    // Log-like name, written only by an internal mutation that nothing hot calls.
    // ruleid: missing-ttl-on-high-volume-table
    auditTrail: defineTable({ action: v.string() }),
    // Cleaned by a cron through a helper in another file.
    // ok: missing-ttl-on-high-volume-table
    apiLogs: defineTable({ route: v.string() }),
    // Cleaned by a self-rescheduling batch delete that a cron starts.
    // ok: missing-ttl-on-high-volume-table
    sessions: defineTable({ token: v.string() }),
    // Each row schedules its own deletion when it is inserted.
    // ok: missing-ttl-on-high-volume-table
    otpCodes: defineTable({ code: v.string() }),
    // Updated in place: not append-only.
    // ok: missing-ttl-on-high-volume-table
    users: defineTable({ name: v.string(), visits: v.number() }),
    // Append-only but written rarely and not named like a log.
    // ok: missing-ttl-on-high-volume-table
    invoices: defineTable({ amount: v.number() }),
    // A queue: rows are consumed (deleted) by an internal job handed to a work pool.
    // ok: missing-ttl-on-high-volume-table
    queueItems: defineTable({ payload: v.string() }),
    // Issued by a public mutation that no client code calls, not named like a log.
    // ok: missing-ttl-on-high-volume-table
    apiTokens: defineTable({ token: v.string() }),
    // Cleaned by a mutation that deletes rows older than a cutoff (the app's own cron, or a
    // parent app when this is a component, calls it).
    // ok: missing-ttl-on-high-volume-table
    deliveryLogs: defineTable({ to: v.string() }),
    // Deleted by a user action: its rows have a lifecycle, it is not a log.
    // ok: missing-ttl-on-high-volume-table
    webhookEvents: defineTable({ body: v.string() }),
  },
  // ok: missing-ttl-on-high-volume-table
  { schemaValidation: true },
);
