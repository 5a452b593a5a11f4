"""The mutation-health audit as plain data: what `mutlint audit` reports.

Every list is sorted by the builder (audit.py), so the same code gives the same audit; the
Markdown and JSON writers in report/ only format it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARALLEL = "parallel-mutations-same-doc"
DUAL = "dual-doc-patch"
TTL = "missing-ttl-on-high-volume-table"
SCAN = "full-table-read-in-mutation"
UNAWAITED = "unawaited-convex-write"


@dataclass(frozen=True)
class Link:
    path: str  # project-relative
    line: int


@dataclass
class ParallelRow:
    location: Link
    component: str
    mutations: list[str]
    pattern: str
    effect: str
    status: str = "Fix: batch into one call"


@dataclass
class DualRow:
    location: Link
    function: str
    tables: list[str]
    risk: str = "Low"


@dataclass
class FrontendRow:
    location: Link
    component: str
    mutations: list[str]
    pattern: str
    status: str


@dataclass
class SchedulerRow:
    location: Link
    trigger: str
    target: str
    method: str
    target_is_action: bool
    in_loop: bool
    public_target: bool
    risk: str


@dataclass
class TableRow:
    table: str
    location: Link
    frequency: str  # High | Medium | Low
    reason: str
    inserts: int
    ttl: str | None
    status: str


@dataclass
class OtherFinding:
    rule: str
    severity: str
    location: Link
    message: str


@dataclass
class Metric:
    metric: str
    target: str
    why: str


@dataclass
class Example:
    location: Link
    code: str


@dataclass
class Audit:
    convex_dir: str
    convex_files: int
    write_counts: dict[str, int]
    files_with_writes: int
    findings: dict[str, dict[str, int]]  # rule -> severity -> count
    top_risks: list[str]
    parallel: list[ParallelRow] = field(default_factory=list)
    dual: list[DualRow] = field(default_factory=list)
    other: list[OtherFinding] = field(default_factory=list)
    frontend: list[FrontendRow] = field(default_factory=list)
    scheduler: list[SchedulerRow] = field(default_factory=list)
    tables: list[TableRow] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    avoid: Example | None = None
    metrics: list[Metric] = field(default_factory=list)
    schema_lines: int = 0

    @property
    def empty(self) -> bool:
        return self.convex_files == 0
