import type { MutationCtx } from "../_generated/server";
import type { Id } from "../_generated/dataModel";

export async function downgradeUser(ctx: MutationCtx, userId: Id<"users">) {
  await ctx.db.patch(userId, { plan: "free" });
}

// Never called with ctx from a mutation: its write belongs to no registered function.
export async function unusedHelper(ctx: MutationCtx, teamId: Id<"teams">) {
  await ctx.db.patch(teamId, { name: "x" });
}
