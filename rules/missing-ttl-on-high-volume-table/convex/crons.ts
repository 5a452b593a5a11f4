import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();
crons.hourly("purge api logs", { minuteUTC: 0 }, internal.logs.purgeLogs);
crons.interval("expire sessions", { minutes: 30 }, internal.logs.expireSessions, {});
export default crons;
