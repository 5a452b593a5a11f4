"""What a run reports: findings with locations, severities and stable fingerprints."""

from __future__ import annotations

import enum

from mutlint import digests
from mutlint.compared import ComparedByValue
from mutlint.records import Record


class Severity(enum.IntEnum):
    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


SEVERITY_NAMES = ("error", "warning", "note")


class Span(Record):
    """A region of one file, 1-based lines and UTF-16 columns, end exclusive."""

    path: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int


class Related(Record):
    span: Span
    message: str


class Finding(ComparedByValue):
    rule_id: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...]
    # The text that identifies the finding independently of its line number (the matched code,
    # whitespace-normalised); combined with rule and path into the fingerprint.
    anchor_text: str
    suppressed_by: str | None  # the directive or baseline that hid it, if any
    _fingerprint: str
    _fingerprint_input: str | None  # what assign_fingerprints hashes, until first read

    def __init__(self, rule_id: str, severity: Severity, message: str, span: Span,
                 related: tuple[Related, ...] = (), anchor_text: str = "", fingerprint: str = "",
                 suppressed_by: str | None = None) -> None:
        self.rule_id = rule_id
        self.severity = severity
        self.message = message
        self.span = span
        self.related = related
        self.anchor_text = anchor_text
        self.fingerprint = fingerprint
        self.suppressed_by = suppressed_by

    @property
    def fingerprint(self) -> str:
        """Hashed when first read: a text report, which prints none, imports no SHA-256."""
        if self._fingerprint_input is not None:
            digest = digests.sha256(self._fingerprint_input.encode("utf-8"))
            self._fingerprint, self._fingerprint_input = digest.hexdigest()[:32], None
        return self._fingerprint

    @fingerprint.setter
    def fingerprint(self, value: str) -> None:
        self._fingerprint, self._fingerprint_input = value, None

    def _fields(self) -> tuple:
        return (self.rule_id, self.severity, self.message, self.span, self.related,
                self.anchor_text, self.fingerprint, self.suppressed_by)

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(rule_id={self.rule_id!r}, severity={self.severity!r}, "
                f"message={self.message!r}, span={self.span!r}, related={self.related!r}, "
                f"anchor_text={self.anchor_text!r}, fingerprint={self.fingerprint!r}, "
                f"suppressed_by={self.suppressed_by!r})")

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.start_line, self.span.start_column,
                self.rule_id, self.span.end_line, self.span.end_column, self.message)


def normalised_code(text: str) -> str:
    """Runs of whitespace as one space, none at the ends: what the regex `\\s+` replaced by a
    space, then strip(), made of it (both go by str.isspace), without compiling a regex in
    every run that finds something."""
    return " ".join(text.split())


def assign_fingerprints(findings: list[Finding]) -> None:
    """Give each finding a fingerprint that survives edits elsewhere in the file.

    The fingerprint hashes rule id, path and the whitespace-normalised matched code, plus the
    occurrence number among findings with the same three, so inserting unrelated lines above a
    finding does not change it while two identical calls in one file still differ.
    """
    seen: dict[tuple[str, str, str], int] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        normalised = normalised_code(finding.anchor_text)
        key = (finding.rule_id, finding.span.path, normalised)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        finding._fingerprint_input = "\0".join((*key, str(occurrence)))  # hashed when read
