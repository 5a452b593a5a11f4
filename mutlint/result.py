"""What a check found: findings, skipped files and internal errors, as plain data for the
report writers (which never parse, and so never import the engine)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mutlint.errors import Diagnostic
from mutlint.findings import Finding


@dataclass(eq=False, repr=False)
class CheckResult:
    findings: list[Finding] = field(default_factory=list)  # sorted; suppressed ones flagged
    diagnostics: list[Diagnostic] = field(default_factory=list)  # files that were skipped
    files_checked: int = 0
    checked_paths: set[str] = field(default_factory=set)
    baseline: tuple[int, int] | None = None  # (hidden by the baseline, fixed since it)
    # Internal errors: a rule or a file that failed. The rest of the run completed, but some
    # findings may be missing, so the CLI exits 2. `tracebacks` is shown with --debug.
    errors: list[Diagnostic] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    def fail(self, where: str, what: str, exc: BaseException) -> None:
        self.errors.append(Diagnostic(where, f"internal error {what}: {type(exc).__name__}: {exc}"))
        import traceback  # only a run that fails somewhere formats one

        self.tracebacks.append("".join(traceback.format_exception(exc)))

    @property
    def reported(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]
