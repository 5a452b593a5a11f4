"use client";
import { useMutation } from "convex/react";
import { api } from "../convex/_generated/api";

// The app calls these on every visit: their tables are on a hot path.
export function Page() {
  const openSession = useMutation(api.logs.openSession);
  const sendCode = useMutation(api.logs.sendCode);
  const enqueue = useMutation(api.logs.enqueue);
  return (
    <button onClick={() => void Promise.all([openSession({ token: "t" }), sendCode({ code: "1" }), enqueue({ payload: "p" })])}>
      go
    </button>
  );
}
