"""GitHub Actions annotations: escaping, the per-level limit, the job summary."""

from __future__ import annotations

from pathlib import Path

from conftest import MakeProject, RunMutlint

from mutlint.findings import Finding, Severity, Span
from mutlint.report.github import annotation, escape_data, escape_property


def test_escaping_follows_the_toolkit():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_annotation_escapes_file_title_and_message():
    finding = Finding("some-rule", Severity.WARNING, "bad: 100%\nreally",
                      Span("app/a,b:c.tsx", 3, 5, 3, 9))
    assert annotation(finding, "web") == (
        "::warning file=web/app/a%2Cb%3Ac.tsx,line=3,endLine=3,col=5,endColumn=9,"
        "title=mutlint(some-rule)::bad: 100%25%0Areally")
    multi_line = Finding("r", Severity.NOTE, "m", Span("a.ts", 1, 2, 4, 1))
    assert annotation(multi_line) == "::notice file=a.ts,line=1,endLine=4,title=mutlint(r)::m"


def _many_unawaited(count: int) -> str:
    body = "\n".join(f"    ctx.db.patch(id{i}, {{}});" for i in range(count))
    return ('import { mutation } from "./_generated/server";\n'
            "export const f = mutation({ args: {}, handler: async (ctx) => {\n"
            f"{body}\n  }},\n}});\n")


def test_at_most_ten_per_level_most_severe_first(run_mutlint: RunMutlint,
                                                 make_project: MakeProject, tmp_path: Path):
    root = make_project({"convex/a.ts": _many_unawaited(12),
                         "convex/b.ts": 'const x = {\n// mutlint-disable-next-line unknown-rule\n};\n'})
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    code, out, _ = run_mutlint("check", ".", "--format", "github", "--fail-on", "error", cwd=root,
                               env={"GITHUB_STEP_SUMMARY": str(summary)})
    lines = out.splitlines()
    assert code == 1
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 10 + ["::notice"] * 2
    assert "title=mutlint(unawaited-convex-write)" in lines[0]
    assert "unused-suppression" in lines[10]
    assert lines[-1] == ("::notice title=mutlint::2 more findings not shown as annotations "
                         "(GitHub shows 10 per level); see the job summary or run mutlint locally")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### mutlint\n\n13 findings in 2 files.")
    assert text.count("| error | `unawaited-convex-write` |") == 12


def test_example_workflow_is_well_formed():
    import yaml

    workflow = yaml.safe_load((Path(__file__).resolve().parent.parent / "examples" / "github"
                               / "mutlint.yml").read_text(encoding="utf-8"))
    scanning = workflow["jobs"]["code-scanning"]
    upload = next(step for step in scanning["steps"]
                  if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"] == {"sarif_file": "mutlint.sarif", "category": "mutlint"}
    assert scanning["permissions"]["security-events"] == "write"
    commands = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("--format sarif -o mutlint.sarif" in c for c in commands)
    assert any("--format github" in c and "--changed" in c for c in commands)
