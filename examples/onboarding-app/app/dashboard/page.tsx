"use client";

import { useEffect } from "react";
import Link from "next/link";
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";

export default function DashboardPage() {
  const projects = useQuery(api.projects.listMine);
  const track = useMutation(api.analytics.track);
  const touch = useMutation(api.presence.touchPresence);

  useEffect(() => {
    const timer = setInterval(() => {
      // BUG: two unawaited calls of the same mutation fired together on
      // every tick; both rewrite the signed-in user's document.
      void touch({ activity: "heartbeat" });
      void touch({ activity: "visible" });
    }, 30000);
    return () => clearInterval(timer);
  }, [touch]);

  function handleUpgradeClick() {
    // OK: one call per click.
    void track({ name: "upgrade_clicked", props: { from: "dashboard" } });
  }

  return (
    <main>
      <h1>Your projects</h1>
      {projects === undefined ? (
        <p>Loading...</p>
      ) : (
        <ul>
          {projects.map((project) => (
            <li key={project._id}>
              <Link href={`/publish?projectId=${project._id}`}>{project.name}</Link>{" "}
              <small>{project.status}</small>
            </li>
          ))}
        </ul>
      )}
      <button onClick={handleUpgradeClick}>Upgrade plan</button>
    </main>
  );
}
