"""The example app's documented findings (examples/onboarding-app/README.md) are what
mutlint reports, no more and no fewer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "onboarding-app"


def test_example_app_findings_are_exactly_the_documented_ones():
    done = subprocess.run([sys.executable, "-m", "mutlint", "check", str(EXAMPLE), "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    found = [(f["rule"], f["path"], f["start"]["line"]) for f in report["findings"]]
    lifecycle = "convex/subscriptions/subscriptionLifecycle.ts"
    assert found == [
        ("parallel-mutations-same-doc", "app/dashboard/page.tsx", 18),  # void touch() twice
        ("parallel-mutations-same-doc", "app/onboarding/page.tsx", 21),  # await updateStep() twice
        ("full-table-read-in-mutation", "convex/projects.ts", 28),
        ("dual-doc-patch", "convex/prospects.ts", 36),  # convertProspectToUser
        ("missing-ttl-on-high-volume-table", "convex/schema.ts", 80),  # analyticsEvents
        ("missing-ttl-on-high-volume-table", "convex/schema.ts", 86),  # aiRoutingLogs
        ("missing-ttl-on-high-volume-table", "convex/schema.ts", 93),  # aiGenerations
        ("dual-doc-patch", lifecycle, 19),  # cancelSubscription
        ("dual-doc-patch", lifecycle, 37),  # reactivateSubscription
        ("dual-doc-patch", lifecycle, 56),  # adminChangeSubscriptionPlan
    ]
    assert report["summary"]["suppressed"] == 1  # auditLog, kept on purpose
    assert report["skipped"] == []
    messages = [f["message"] for f in report["findings"]]
    assert messages[0].startswith("presence:touchPresence called 2 times without await")
    assert messages[1].startswith("onboarding:updateOnboardingStep called 2 times awaited back to back")
    assert "projects:createProject" in messages[2]
    assert "(prospects + users)" in messages[3]
    assert "analyticsEvents" in messages[4] and "analytics:track" in messages[4]
    assert all("(subscriptions + users)" in m for m in messages[7:10])
    related = [[(r["path"], r["start"]["line"]) for r in f["related"]] for f in report["findings"]]
    assert related[0] == [("app/dashboard/page.tsx", 17)]
    assert related[1] == [("app/onboarding/page.tsx", 20)]
