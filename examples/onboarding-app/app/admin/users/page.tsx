"use client";

import { useMutation, useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";

const PLANS = ["free", "pro", "team"] as const;
type Plan = (typeof PLANS)[number];

export default function AdminUsersPage() {
  const rows = useQuery(api.subscriptions.subscriptionLifecycle.listForAdmin);
  const cancel = useMutation(api.subscriptions.subscriptionLifecycle.cancelSubscription);
  const reactivate = useMutation(
    api.subscriptions.subscriptionLifecycle.reactivateSubscription,
  );
  const changePlan = useMutation(
    api.subscriptions.subscriptionLifecycle.adminChangeSubscriptionPlan,
  );

  if (rows === undefined) {
    return <p>Loading...</p>;
  }

  // OK: every control below makes exactly one user-initiated mutation call.
  return (
    <main>
      <h1>Users</h1>
      <table>
        <tbody>
          {rows.map((row) => (
            <tr key={row._id}>
              <td>{row.user?.email ?? "deleted user"}</td>
              <td>{row.status}</td>
              <td>
                <select
                  value={row.plan}
                  onChange={(e) =>
                    void changePlan({
                      subscriptionId: row._id,
                      plan: e.target.value as Plan,
                    })
                  }
                >
                  {PLANS.map((plan) => (
                    <option key={plan} value={plan}>
                      {plan}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {row.status === "canceled" ? (
                  <button onClick={() => void reactivate({ subscriptionId: row._id })}>
                    Reactivate
                  </button>
                ) : (
                  <button onClick={() => void cancel({ subscriptionId: row._id })}>
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
