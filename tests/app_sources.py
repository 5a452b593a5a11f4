"""Small Convex sources several tests share: a mutation that finds the caller's document from
auth, and a page that calls it twice back to back (the seed audit's racing pattern)."""

NOTES = """import { v } from "convex/values";
import { mutation } from "./_generated/server";
export const save = mutation({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const identity = await ctx.auth.getUserIdentity();
    const me = await ctx.db
      .query("users")
      .withIndex("by_token", (q) => q.eq("token", identity!.tokenIdentifier))
      .unique();
    await ctx.db.patch(me!._id, { text });
  },
});
"""
RACY_PAGE = """"use client";
import { useMutation } from "convex/react";
import { api } from "../convex/_generated/api";
export function Page() {
  const save = useMutation(api.notes.save);
  async function onClick() {
    await save({ text: "a" });
    await save({ text: "b" });
  }
  return <button onClick={onClick}>save</button>;
}
"""
