import { fetchMutation } from "convex/nextjs";
import { api } from "../convex/_generated/api";
import type { Id } from "../convex/_generated/dataModel";

export async function archive(projectId: Id<"projects">) {
  await fetchMutation(api.steps.setStatus, { projectId, status: "archiving" });
  // ruleid: parallel-mutations-same-doc
  await fetchMutation(api.steps.setStatus, { projectId, status: "archived" });
}

// A local hook that happens to be called useMutation is not Convex's.
function useMutation(ref: unknown) {
  return (args: unknown) => Promise.resolve(args);
}

export async function local(projectId: Id<"projects">) {
  const save = useMutation(api.steps.setStatus);
  await save({ projectId, status: "a" });
  // ok: parallel-mutations-same-doc
  await save({ projectId, status: "b" });
}
