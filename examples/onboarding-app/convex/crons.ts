import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

crons.daily(
  "clean webhook deliveries",
  { hourUTC: 3, minuteUTC: 0 },
  internal.webhooks.cleanupOldDeliveries,
);

export default crons;
