"use client";

import { useState } from "react";
import { useSearchParams } from "next/navigation";
import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";

const DEPLOY_API = "https://deploy.example.com/v1/deployments";

export default function PublishPage() {
  const searchParams = useSearchParams();
  const projectId = searchParams.get("projectId") as Id<"projects"> | null;
  const setStatus = useMutation(api.projects.setStatus);
  const [message, setMessage] = useState<string | null>(null);

  async function handlePublish() {
    if (!projectId) return;
    await setStatus({ projectId, status: "publishing" });

    const res = await fetch(DEPLOY_API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ projectId }),
    });
    if (!res.ok) {
      await setStatus({ projectId, status: "failed" });
      setMessage(`Deploy failed (${res.status})`);
      return;
    }
    const { url } = (await res.json()) as { url: string };

    // OK: same mutation again, but only after the deploy call returned and
    // with its result; the two writes never overlap.
    await setStatus({ projectId, status: "published", publishedUrl: url });
    setMessage(`Live at ${url}`);
  }

  return (
    <main>
      <h1>Publish</h1>
      <button onClick={() => void handlePublish()} disabled={!projectId}>
        Publish project
      </button>
      {message && <p>{message}</p>}
    </main>
  );
}
