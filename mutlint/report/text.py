"""Human output: `path:line:col: severity[rule-id] message`, optional code frames, a summary."""

from __future__ import annotations

from mutlint.findings import Finding, Severity
from mutlint.report import printable
from mutlint.result import CheckResult

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.NOTE: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(result: CheckResult, *, color: bool = False, frames: bool = False,
                line_of=None, display=lambda path: path) -> str:
    """`line_of(path, line)` returns source text for code frames (None disables them);
    `display(path)` turns a project-relative path into the one to print (relative to cwd)."""
    lines = []
    reported = result.reported
    for finding in reported:
        lines.append(_headline(finding, color, display))
        if frames and line_of is not None:
            lines.extend(_frame(finding, line_of, color))
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _headline(finding: Finding, color: bool, display) -> str:
    where = f"{printable(display(finding.span.path))}:{finding.span.start_line}:{finding.span.start_column}"
    label = f"{finding.severity.label}[{finding.rule_id}]"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        label = f"{_COLOURS[finding.severity]}{label}{_RESET}"
    return f"{where}: {label} {printable(finding.message)}"


def _frame(finding: Finding, line_of, color: bool) -> list[str]:
    number = finding.span.start_line
    text = line_of(finding.span.path, number)
    if text is None:
        return []
    gutter = f"{number:>5} | "
    width = (finding.span.end_column if finding.span.end_line == number
             else len(text) + 1) - finding.span.start_column
    marker = " " * (len(gutter) - 2) + "| " + " " * (finding.span.start_column - 1) \
        + "^" * max(1, width)
    if color:
        marker = f"{_COLOURS[finding.severity]}{marker}{_RESET}"
        gutter = f"{_DIM}{gutter}{_RESET}"
    frame = [gutter + printable(text.expandtabs(1)), marker]
    for related in finding.related:
        frame.append(f"        {printable(related.span.path)}:{related.span.start_line}:"
                     f"{related.span.start_column}: {printable(related.message)}")
    return frame


def summary_line(result: CheckResult) -> str:
    reported = result.reported
    files = _plural(result.files_checked, "file")
    suppressed = len(result.findings) - len(reported)
    notes = []
    if result.baseline is not None:
        hidden, fixed = result.baseline
        suppressed -= hidden
        notes.append(f"{hidden} in the baseline")
        if fixed:
            notes.append(f"{fixed} baseline finding{'s' if fixed != 1 else ''} fixed")
    if suppressed:
        notes.insert(0, f"{suppressed} suppressed")
    tail = f" ({', '.join(notes)})" if notes else ""
    if not reported:
        return f"No findings in {files}.{tail}"
    counts = {s: sum(1 for f in reported if f.severity == s) for s in Severity}
    parts = [_plural(counts[s], s.label) for s in sorted(Severity, reverse=True) if counts[s]]
    return f"Found {_plural(len(reported), 'finding')} ({', '.join(parts)}) in {files}.{tail}"
