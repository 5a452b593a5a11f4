"""GitHub Actions workflow commands: annotations on the pull request, and a job summary.

GitHub shows at most 10 annotations of each level per step, so the most severe come first and
a last notice says how many were left out; the job summary (when GITHUB_STEP_SUMMARY is set)
lists every finding.
"""

from __future__ import annotations

from mutlint.findings import Finding, Severity
from mutlint.report import printable
from mutlint.result import CheckResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
PER_LEVEL = 10


def escape_data(text: str) -> str:
    """The toolkit's escaping for a command's message (other control characters, which could
    colour or rewrite the log, are shown escaped)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)


def escape_property(text: str) -> str:
    """The toolkit's escaping for a property value (file, title): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(finding: Finding, prefix: str) -> str:
    return f"{prefix}/{finding.span.path}" if prefix else finding.span.path


def annotation(finding: Finding, prefix: str = "") -> str:
    span = finding.span
    properties = {
        "file": _path(finding, prefix),
        "line": str(span.start_line),
        "endLine": str(span.end_line),
        "col": str(span.start_column),
        "endColumn": str(span.end_column),
        "title": f"mutlint({finding.rule_id})",
    }
    if span.start_line != span.end_line:  # columns only apply to single-line annotations
        del properties["col"], properties["endColumn"]
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(finding.message)}"


def render_github(result: CheckResult, prefix: str = "") -> str:
    findings = sorted(result.reported, key=lambda f: (-f.severity, f.sort_key()))
    lines: list[str] = []
    shown = dict.fromkeys(Severity, 0)
    left_out = 0
    for finding in findings:
        limit = PER_LEVEL - 1 if finding.severity == Severity.NOTE else PER_LEVEL
        if shown[finding.severity] >= limit:
            left_out += 1
            continue
        shown[finding.severity] += 1
        lines.append(annotation(finding, prefix))
    if left_out:
        lines.append("::notice title=mutlint::" + escape_data(
            f"{left_out} more finding{'s' if left_out != 1 else ''} not shown as annotations "
            "(GitHub shows 10 per level); see the job summary or run mutlint locally"))
    return "".join(line + "\n" for line in lines)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def markdown_summary(result: CheckResult, prefix: str = "") -> str:
    reported = result.reported
    if not reported:
        return f"### mutlint\n\nNo findings in {result.files_checked} files.\n"
    rows = ["### mutlint", "", f"{len(reported)} findings in {result.files_checked} files.", "",
            "| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
    for finding in sorted(reported, key=lambda f: (-f.severity, f.sort_key())):
        where = f"{_path(finding, prefix)}:{finding.span.start_line}:{finding.span.start_column}"
        rows.append(f"| {finding.severity.label} | `{finding.rule_id}` | `{_cell(where)}` | "
                    f"{_cell(finding.message)} |")
    return "\n".join(rows) + "\n"
