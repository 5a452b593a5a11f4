import { defineTable } from "convex/server";
import { v } from "convex/values";

export const pageViewsTable = defineTable({ path: v.string() });
