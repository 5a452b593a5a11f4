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
    assert found == [("full-table-read-in-mutation", "convex/projects.ts", 28)]
    assert report["skipped"] == []
    assert "projects:createProject" in report["findings"][0]["message"]
