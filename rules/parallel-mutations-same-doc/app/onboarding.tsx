"use client";
import { useConvex, useMutation } from "convex/react";
import { useConvexMutation } from "@convex-dev/react-query";
import { useMutation as useQueryMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { api } from "../convex/_generated/api";
import type { Id } from "../convex/_generated/dataModel";

export function Onboarding({ projectId, ids }: { projectId: Id<"projects">; ids: Id<"projects">[] }) {
  const updateStep = useMutation(api.steps.updateStep);
  const setStatus = useMutation(api.steps.setStatus).withOptimisticUpdate(() => {});
  const connectGa4 = useMutation(api.steps.connectGa4);
  const connectGsc = useMutation(api.steps.connectGsc);
  const track = useMutation(api.steps.track);
  const renameProject = useMutation(api.steps.renameProject);
  const convex = useConvex();
  const steps = useQueryMutation({ mutationFn: useConvexMutation(api.steps.updateStep) });
  const upload = useQueryMutation({ mutationFn: (file: Blob) => fetch("/upload", { method: "POST", body: file }) });

  async function handleContinue() {
    await updateStep({ step: "profile", value: true });
    // ruleid: parallel-mutations-same-doc
    await updateStep({ step: "team", value: true });
  }

  function handleSkip() {
    updateStep({ step: "profile", value: false }).catch(console.error);
    // ruleid: parallel-mutations-same-doc
    updateStep({ step: "team", value: false }).catch(console.error);
  }

  useEffect(() => {
    const timer = setInterval(() => {
      void setStatus({ projectId, status: "alive" });
      // ruleid: parallel-mutations-same-doc
      void setStatus({ projectId, status: "visible" });
    }, 30_000);
    return () => clearInterval(timer);
  }, [projectId, setStatus]);

  async function handleAll() {
    await Promise.all([
      setStatus({ projectId, status: "a" }),
      // ruleid: parallel-mutations-same-doc
      setStatus({ projectId, status: "b" }),
    ]);
  }

  async function handleLoop(names: string[]) {
    for (const name of names) {
      // ruleid: parallel-mutations-same-doc
      await updateStep({ step: name, value: true });
    }
    // ruleid: parallel-mutations-same-doc
    names.forEach((name) => void updateStep({ step: name, value: false }));
  }

  async function handleClient() {
    await convex.mutation(api.steps.setStatus, { projectId, status: "x" });
    // ruleid: parallel-mutations-same-doc
    await convex.mutation(api.steps.setStatus, { projectId, status: "y" });
  }

  function handleTanstack() {
    steps.mutate({ step: "a", value: true });
    // ruleid: parallel-mutations-same-doc
    steps.mutate({ step: "b", value: true });
    upload.mutate(new Blob());
    // ok: parallel-mutations-same-doc
    upload.mutate(new Blob());
  }

  async function handleTwoMutationsOneDocument(name: string, otherId: Id<"projects">) {
    // Different mutations, different argument names, the same projects document.
    await setStatus({ projectId, status: "renamed" });
    // ruleid: parallel-mutations-same-doc
    await renameProject({ id: projectId, name });
    await setStatus({ projectId: otherId, status: "renamed" });
    // ok: parallel-mutations-same-doc
    await renameProject({ id: projectId, name });
  }

  async function handleRetarget() {
    // connectGa4 has no v.id argument and does not read auth: only identical arguments
    // are known to reach the same document.
    await connectGa4({ propertyId: "G-1" });
    // ok: parallel-mutations-same-doc
    await connectGa4({ propertyId: "G-2" });
    await connectGa4({ propertyId: "G-3" });
    // ruleid: parallel-mutations-same-doc
    await connectGa4({ propertyId: "G-3" });
  }

  async function handleIntegrations() {
    await connectGa4({ propertyId: "G-1" });
    // ok: parallel-mutations-same-doc
    await connectGsc({ siteUrl: "https://example.com" });
  }

  async function handlePublish() {
    await setStatus({ projectId, status: "publishing" });
    const res = await fetch("/api/publish");
    // ok: parallel-mutations-same-doc
    await setStatus({ projectId, status: res.ok ? "published" : "failed" });
  }

  async function handleEach() {
    for (const id of ids) {
      // ok: parallel-mutations-same-doc
      await setStatus({ projectId: id, status: "archived" });
    }
    await setStatus({ projectId: ids[0], status: "a" });
    // ok: parallel-mutations-same-doc
    await setStatus({ projectId: ids[1], status: "a" });
  }

  async function handleBranches(ok: boolean) {
    if (ok) {
      await setStatus({ projectId, status: "ok" });
    } else {
      // ok: parallel-mutations-same-doc
      await setStatus({ projectId, status: "failed" });
    }
  }

  function handleTrack() {
    void track({ name: "a" });
    // ok: parallel-mutations-same-doc
    void track({ name: "b" });
  }

  function handleOnce() {
    // ok: parallel-mutations-same-doc
    void updateStep({ step: "done", value: true });
  }

  // A handle's name may hold any identifier character, not only [A-Za-z0-9_$].
  const update·step = useMutation(api.steps.updateStep);
  async function handleUnicodeName() {
    await update·step({ step: "profile", value: true });
    // ruleid: parallel-mutations-same-doc
    await update·step({ step: "team", value: true });
  }

  return <button onClick={handleContinue}>Continue</button>;
}
