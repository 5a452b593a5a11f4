import type { MutationCtx } from "../_generated/server";
import type { Doc, TableNames } from "../_generated/dataModel";

export async function removeAll<T extends TableNames>(ctx: MutationCtx, rows: Doc<T>[]) {
  for (const row of rows) {
    await ctx.db.delete(row._id);
  }
}
