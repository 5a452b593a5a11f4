"""Inline suppression directives, in the form TypeScript developers know from ESLint.

    // mutlint-disable-next-line RULE[, RULE] [-- reason]
    someCall();  // mutlint-disable-line RULE
    // mutlint-disable-file RULE           (anywhere in the file; applies to all of it)

Without rule ids a directive applies to every rule. A directive that suppresses nothing is
itself reported (`unused-suppression`), so stale suppressions do not pile up.
"""

from __future__ import annotations

import re

import tree_sitter

from mutlint.engine_rules import UNUSED_SUPPRESSION
from mutlint.findings import Finding, Severity, Span
from mutlint.lazy_regex import LazyRegex
from mutlint.rules.grouping import span_of
from mutlint.source import SourceFile

_DIRECTIVE = LazyRegex(
    r"^\s*(?://+|/\*+)?\s*mutlint-disable-(next-line|line|file)\b(?P<rest>.*?)(?:\*+/\s*)?$",
    re.DOTALL,
)
_RULE_ID = LazyRegex(r"^[a-z0-9][a-z0-9-]*$")


class Directive:
    kind: str  # next-line | line | file
    rules: tuple[str, ...]  # empty: every rule
    line: int  # the line the directive applies to (0 for file-wide)
    span: Span  # of the comment
    text: str  # the comment
    used: set[str]

    def __init__(self, kind: str, rules: tuple[str, ...], line: int, span: Span, text: str,
                 used: set[str] | None = None) -> None:
        self.kind = kind
        self.rules = rules
        self.line = line
        self.span = span
        self.text = text
        self.used = set() if used is None else used

    def covers(self, finding: Finding) -> bool:
        if self.rules and finding.rule_id not in self.rules:
            return False
        return self.kind == "file" or finding.span.start_line == self.line


def parse_directives(file: SourceFile, comments: list[tree_sitter.Node]) -> list[Directive]:
    directives = []
    for comment in comments:
        text = file.text(comment)
        if "mutlint-disable" not in text:
            continue
        match = _DIRECTIVE.match(text)
        if match is None:
            continue
        rest = match.group("rest").split("--", 1)[0]
        rules = tuple(r for r in re.split(r"[\s,]+", rest.strip()) if r)
        if any(not _RULE_ID.match(r) for r in rules):
            continue  # prose that happens to mention the directive, not a directive
        kind = match.group(1)
        comment_line = comment.start_point.row + 1
        end_line = comment.end_point.row + 1
        line = {"next-line": end_line + 1, "line": comment_line, "file": 0}[kind]
        directives.append(Directive(kind, rules, line, span_of(file, comment), text))
    return directives


def apply_directives(findings: list[Finding], directives: list[Directive]) -> None:
    for finding in findings:
        for directive in directives:
            if directive.covers(finding):
                finding.suppressed_by = f"mutlint-disable-{directive.kind}"
                directive.used.add(finding.rule_id)
                break


def unused_directive_findings(directives: list[Directive],
                              enabled: set[str], known: set[str]) -> list[Finding]:
    """Notes for directives (or rule ids in them) that suppressed nothing in this run."""
    findings = []
    for directive in directives:
        span = directive.span
        if not directive.rules:
            if not directive.used:
                findings.append(_unused(directive, span,
                                        f"mutlint-disable-{directive.kind} suppresses nothing"))
            continue
        for rule_id in directive.rules:
            if rule_id in directive.used:
                continue
            if rule_id not in known:
                message = f"mutlint-disable-{directive.kind} names unknown rule '{rule_id}'"
            elif rule_id in enabled:
                message = f"mutlint-disable-{directive.kind} for {rule_id} suppresses nothing"
            else:
                continue  # that rule did not run, so we cannot tell
            findings.append(_unused(directive, span, message))
    return findings


def _unused(directive: Directive, span, message: str) -> Finding:
    return Finding(rule_id=UNUSED_SUPPRESSION, severity=Severity.NOTE, message=message, span=span,
                   anchor_text=directive.text + message)
