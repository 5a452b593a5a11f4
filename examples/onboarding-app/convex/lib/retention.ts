import type { MutationCtx } from "../_generated/server";
import type { Doc, TableNames } from "../_generated/dataModel";

export const DAY_MS = 24 * 60 * 60 * 1000;

export function cutoffFor(days: number, now: number = Date.now()): number {
  return now - days * DAY_MS;
}

// Deletes one page of rows. Callers keep pages small so a single cleanup run
// never comes near the per-mutation write limits.
export async function deleteBatch<T extends TableNames>(
  ctx: MutationCtx,
  rows: Doc<T>[],
): Promise<number> {
  for (const row of rows) {
    await ctx.db.delete(row._id);
  }
  return rows.length;
}
