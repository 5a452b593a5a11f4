"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";

export default function IntegrationsPage() {
  const connectGa4 = useMutation(api.integrations.connectGa4);
  const connectGsc = useMutation(api.integrations.connectGsc);
  const [propertyId, setPropertyId] = useState("");
  const [siteUrl, setSiteUrl] = useState("");
  const [status, setStatus] = useState<"idle" | "saving" | "done">("idle");

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus("saving");
    // OK: two different mutations writing two different tables, in order.
    await connectGa4({ propertyId });
    await connectGsc({ siteUrl });
    setStatus("done");
  }

  return (
    <main>
      <h1>Connect Google</h1>
      <form onSubmit={(e) => void handleSubmit(e)}>
        <label>
          GA4 property ID
          <input value={propertyId} onChange={(e) => setPropertyId(e.target.value)} />
        </label>
        <label>
          Search Console site
          <input value={siteUrl} onChange={(e) => setSiteUrl(e.target.value)} />
        </label>
        <button type="submit" disabled={status === "saving"}>
          Connect both
        </button>
      </form>
      {status === "done" && <p>Both integrations are connected.</p>}
    </main>
  );
}
