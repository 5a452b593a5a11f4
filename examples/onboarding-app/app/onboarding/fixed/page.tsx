"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "convex/react";
import { api } from "../../../convex/_generated/api";

export default function OnboardingFixedPage() {
  const router = useRouter();
  const updateMultipleSteps = useMutation(api.onboarding.updateMultipleSteps);
  const markComplete = useMutation(api.onboarding.markComplete);
  const [saving, setSaving] = useState(false);

  async function handleContinue() {
    setSaving(true);
    try {
      // FIX: one mutation, one write to the user document.
      await updateMultipleSteps({
        steps: [
          { step: "profile", value: true },
          { step: "team", value: true },
        ],
      });
      router.push("/dashboard");
    } finally {
      setSaving(false);
    }
  }

  async function handleFinish() {
    await markComplete({});
    router.push("/dashboard");
  }

  return (
    <main>
      <h1>Welcome aboard</h1>
      <p>Confirm your profile and invite your team to get started.</p>
      <button onClick={() => void handleContinue()} disabled={saving}>
        {saving ? "Saving..." : "Continue"}
      </button>
      <button onClick={() => void handleFinish()}>Skip setup</button>
    </main>
  );
}
