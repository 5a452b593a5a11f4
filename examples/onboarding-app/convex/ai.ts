import { v } from "convex/values";
import { action, internalMutation, mutation } from "./_generated/server";
import { api, internal } from "./_generated/api";
import { requireUser } from "./lib/auth";

const PROVIDER = "openai";
const MODEL = "gpt-4o-mini";

export const logRouting = internalMutation({
  args: {
    provider: v.string(),
    model: v.string(),
    latencyMs: v.number(),
    ok: v.boolean(),
  },
  handler: async (ctx, args) => {
    await ctx.db.insert("aiRoutingLogs", args);
  },
});

export const saveGeneration = mutation({
  args: { prompt: v.string(), output: v.string(), provider: v.string() },
  handler: async (ctx, args) => {
    const user = await requireUser(ctx);
    return await ctx.db.insert("aiGenerations", {
      userId: user._id,
      prompt: args.prompt,
      output: args.output,
      provider: args.provider,
    });
  },
});

export const generate = action({
  args: { prompt: v.string() },
  handler: async (ctx, args): Promise<string> => {
    const started = Date.now();
    const res = await fetch("https://api.openai.com/v1/chat/completions", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${process.env.OPENAI_API_KEY}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: "user", content: args.prompt }],
      }),
    });
    await ctx.runMutation(internal.ai.logRouting, {
      provider: PROVIDER,
      model: MODEL,
      latencyMs: Date.now() - started,
      ok: res.ok,
    });
    if (!res.ok) {
      throw new Error(`Provider returned ${res.status}`);
    }

    const body = await res.json();
    const output: string = body.choices[0].message.content;
    await ctx.runMutation(api.ai.saveGeneration, {
      prompt: args.prompt,
      output,
      provider: PROVIDER,
    });
    return output;
  },
});
