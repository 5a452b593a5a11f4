"""What a check found: findings, skipped files and internal errors, as plain data for the
report writers (which never parse, and so never import the engine)."""

from __future__ import annotations

from mutlint.errors import Diagnostic
from mutlint.findings import Finding


class CheckResult:
    findings: list[Finding]  # sorted; suppressed ones flagged
    diagnostics: list[Diagnostic]  # files that were skipped
    files_checked: int
    checked_paths: set[str]
    baseline: tuple[int, int] | None  # (hidden by the baseline, fixed since it)
    # Internal errors: a rule or a file that failed. The rest of the run completed, but some
    # findings may be missing, so the CLI exits 2. `tracebacks` is shown with --debug.
    errors: list[Diagnostic]
    tracebacks: list[str]

    def __init__(self, findings: list[Finding] | None = None,
                 diagnostics: list[Diagnostic] | None = None, files_checked: int = 0,
                 checked_paths: set[str] | None = None, baseline: tuple[int, int] | None = None,
                 errors: list[Diagnostic] | None = None, tracebacks: list[str] | None = None) -> None:
        self.findings = [] if findings is None else findings
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.files_checked = files_checked
        self.checked_paths = set() if checked_paths is None else checked_paths
        self.baseline = baseline
        self.errors = [] if errors is None else errors
        self.tracebacks = [] if tracebacks is None else tracebacks

    def fail(self, where: str, what: str, exc: BaseException) -> None:
        self.errors.append(Diagnostic(where, f"internal error {what}: {type(exc).__name__}: {exc}"))
        import traceback  # only a run that fails somewhere formats one

        self.tracebacks.append("".join(traceback.format_exception(exc)))

    @property
    def reported(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]
