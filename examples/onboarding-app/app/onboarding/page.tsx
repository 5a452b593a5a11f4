"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";

export default function OnboardingPage() {
  const router = useRouter();
  const updateStep = useMutation(api.onboarding.updateOnboardingStep);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleContinue() {
    setSaving(true);
    setError(null);
    try {
      // BUG: two calls of the same mutation back to back, both rewriting the
      // signed-in user's document. Under load these collide and retry.
      await updateStep({ step: "profile", value: true });
      await updateStep({ step: "team", value: true });
      router.push("/dashboard");
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not save progress");
    } finally {
      setSaving(false);
    }
  }

  return (
    <main>
      <h1>Welcome aboard</h1>
      <p>Confirm your profile and invite your team to get started.</p>
      {error && <p role="alert">{error}</p>}
      <button onClick={() => void handleContinue()} disabled={saving}>
        {saving ? "Saving..." : "Continue"}
      </button>
    </main>
  );
}
