import { v } from "convex/values";
import { internalAction } from "./_generated/server";
import { internal } from "./_generated/api";

const CONTACTS_URL = "https://api.hubapi.com/crm/v3/objects/contacts";

function hubspotHeaders() {
  return {
    Authorization: `Bearer ${process.env.HUBSPOT_ACCESS_TOKEN}`,
    "Content-Type": "application/json",
  };
}

export const syncContact = internalAction({
  args: { userId: v.id("users"), email: v.string(), name: v.string() },
  handler: async (ctx, args) => {
    const res = await fetch(CONTACTS_URL, {
      method: "POST",
      headers: hubspotHeaders(),
      body: JSON.stringify({
        properties: {
          email: args.email,
          firstname: args.name,
          lifecyclestage: "customer",
          app_user_id: args.userId,
        },
      }),
    });
    await ctx.runMutation(internal.webhooks.recordDelivery, {
      url: CONTACTS_URL,
      event: "hubspot.contact.sync",
      status: res.status,
      attempt: 1,
    });
  },
});

export const syncProspect = internalAction({
  args: { prospectId: v.id("prospects"), email: v.string() },
  handler: async (ctx, args) => {
    const res = await fetch(CONTACTS_URL, {
      method: "POST",
      headers: hubspotHeaders(),
      body: JSON.stringify({
        properties: {
          email: args.email,
          lifecyclestage: "lead",
          app_prospect_id: args.prospectId,
        },
      }),
    });
    await ctx.runMutation(internal.webhooks.recordDelivery, {
      url: CONTACTS_URL,
      event: "hubspot.prospect.sync",
      status: res.status,
      attempt: 1,
    });
  },
});
