import { customCtx, customMutation } from "convex-helpers/server/customFunctions";
import { zCustomMutation } from "convex-helpers/server/zod";
import { internalMutation as rawInternalMutation, mutation as rawMutation } from "./_generated/server";

// Re-exported under the standard names: what is imported from "./functions" is still a mutation.
export const mutation = customMutation(rawMutation, customCtx(async () => ({})));
export const internalMutation = customMutation(rawInternalMutation, customCtx(async () => ({})));
export const zMutation = zCustomMutation(mutation, customCtx(async () => ({})));
