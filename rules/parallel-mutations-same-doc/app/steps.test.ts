import { convexTest } from "convex-test";
import { api } from "../convex/_generated/api";
import schema from "../convex/schema";

// A test harness's t.mutation is not a client that races: tests call mutations in order.
export async function scenario(projectId: any) {
  const t = convexTest(schema);
  await t.mutation(api.steps.setStatus, { projectId, status: "a" });
  // ok: parallel-mutations-same-doc
  await t.mutation(api.steps.setStatus, { projectId, status: "b" });
}
