"""`mutlint audit`: the golden report of the example app, well-formed tables, JSON, links,
determinism, and edits that change only the rows they affect."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import MakeProject, RunMutlint
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "onboarding-app"
GOLDEN = REPO / "tests" / "golden" / "onboarding-app-audit.md"


def audit(run_mutlint: RunMutlint, root: Path, *args: str) -> str:
    code, out, err = run_mutlint("audit", ".", *args, cwd=root)
    assert code == 0, err
    return out


def test_example_audit_matches_the_golden_report(run_mutlint: RunMutlint):
    """Regenerate with: mutlint audit examples/onboarding-app -o tests/golden/onboarding-app-audit.md"""
    assert audit(run_mutlint, EXAMPLE) == GOLDEN.read_text(encoding="utf-8")


def test_audit_reads_like_the_seed(run_mutlint: RunMutlint):
    text = audit(run_mutlint, EXAMPLE)
    for heading in ("## Executive Summary", "## Write Conflict Risk Assessment",
                    "### Parallel mutations on the same document", "### Dual document patches",
                    "### Frontend Call Patterns", "## Scheduler Patterns", "## High-Volume Tables",
                    "## Recommendations", "## Patterns to Avoid",
                    "## Health Dashboard Metrics to Monitor"):
        assert heading in text, heading
    assert "Analyzed **18 `ctx.db.patch`** operations" in text
    assert "| `onboarding:updateOnboardingStep` write conflicts (retries, failures) |" in text
    assert "| [webhookDeliveries](examples/onboarding-app/convex/schema.ts#L100) | High |" in text
    assert "Kept on purpose (suppressed in code)" in text  # auditLog
    assert "`auditLog`" not in text.split("## Recommendations")[1].split("## Patterns")[0]


def test_every_table_renders_well_formed(run_mutlint: RunMutlint):
    text = audit(run_mutlint, EXAMPLE)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables = header_cells = 0
    cells_in_row = None
    for token in tokens:
        if token.type == "table_open":
            tables += 1
        elif token.type == "thead_open":
            header_cells, cells_in_row = 0, None
        elif token.type == "th_open":
            header_cells += 1
        elif token.type == "tr_open":
            cells_in_row = 0
        elif token.type == "td_open":
            cells_in_row += 1
        elif token.type == "tr_close" and cells_in_row:
            assert cells_in_row == header_cells
    separators = [line for line in text.splitlines() if line.startswith("| --- ")]
    assert tables == len(separators) == 8
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") == 8 and "<td>|" not in html


def test_json_audit_and_link_base(run_mutlint: RunMutlint):
    data = json.loads(audit(run_mutlint, EXAMPLE, "--format", "json", "--link-base",
                            "https://github.com/acme/app/blob/abc123"))
    assert data["version"] == 1
    assert data["write_counts"] == {"delete": 1, "insert": 11, "patch": 18}
    assert [row["function"] for row in data["dual"]] == [
        "prospects:convertProspectToUser", "subscriptions/subscriptionLifecycle:cancelSubscription",
        "subscriptions/subscriptionLifecycle:reactivateSubscription",
        "subscriptions/subscriptionLifecycle:adminChangeSubscriptionPlan"]
    assert data["parallel"][1]["location"]["href"] == (
        "https://github.com/acme/app/blob/abc123/examples/onboarding-app/app/onboarding/page.tsx#L21")
    scheduler = {row["target"]: row for row in data["scheduler"]}
    assert scheduler["hubspot:syncContact"]["target_is_action"] is True
    assert scheduler["webhooks:cleanupOldDeliveries"]["trigger"] == "webhooks:cleanupOldDeliveries"


def test_audit_is_deterministic(run_mutlint: RunMutlint):
    assert audit(run_mutlint, EXAMPLE) == audit(run_mutlint, EXAMPLE)


def test_fixing_one_file_changes_only_its_rows(run_mutlint: RunMutlint, tmp_path: Path):
    copy = tmp_path / "app"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".mutlint_cache"))
    before = json.loads(audit(run_mutlint, copy, "--format", "json"))
    page = copy / "app" / "onboarding" / "page.tsx"
    text = page.read_text(encoding="utf-8")
    fixed = text.replace('await updateStep({ step: "team", value: true });\n', "")
    assert fixed != text
    page.write_text(fixed, encoding="utf-8")
    after = json.loads(audit(run_mutlint, copy, "--format", "json"))
    for section in ("dual", "other", "scheduler", "tables", "write_counts"):
        assert after[section] == before[section], section
    assert [r["mutations"] for r in after["parallel"]] == [["presence:touchPresence"]]
    changed = [(b, a) for b, a in zip(before["frontend"], after["frontend"], strict=True) if a != b]
    assert len(after["frontend"]) == len(before["frontend"])
    assert [(b["location"]["path"], b["pattern"], a["pattern"], a["status"]) for b, a in changed] == [
        ("app/onboarding/page.tsx", "Sequential with await", "User-initiated (one call per event)", "OK")]


def test_project_without_convex_code_says_so(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"src/util.ts": "export const add = (a: number, b: number) => a + b;\n"})
    assert audit(run_mutlint, root) == ("# Mutation Health Audit\n\nNo Convex functions found "
                                        "(functions dir `convex/`): nothing to audit.\n")
