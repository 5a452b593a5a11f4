"""What the audit concludes: top risks, recommendations, the repository's own worst example,
and the dashboard metrics to watch, all derived from the findings."""

from __future__ import annotations

from mutlint.audit_model import PARALLEL, SCAN, UNAWAITED, Audit, Example, Link, Metric
from mutlint.findings import Finding
from mutlint.project import Project

SCHEMA_SPLIT_LINES = 500  # a schema file longer than this is worth splitting


def conclude(project: Project, audit: Audit, by_rule: dict[str, list[Finding]]) -> None:
    parallel, ttl = audit.parallel, [t for t in audit.tables if t.status == "Add a TTL"]
    if parallel:
        names = sorted({m for row in parallel for m in row.mutations})
        audit.top_risks.append(
            f"{len(parallel)} place{'s' if len(parallel) != 1 else ''} call the same mutation on one "
            f"document several times ({', '.join(f'`{n}`' for n in names)}): the write-conflict "
            "pattern behind retries and failures; batch each into one call.")
        places = "; ".join(f"{', '.join(r.mutations)} in {r.location.path}:{r.location.line}"
                           for r in parallel)
        audit.recommendations.append("**Immediate:** batch the repeated calls into one mutation "
                                     f"that takes all the changes: {places}.")
    for rule, text in ((UNAWAITED, "await every `ctx.db` write and scheduler call"),
                       (SCAN, "read through an index (`.withIndex`), not a scan, in mutations")):
        found = by_rule[rule]
        if found:
            audit.top_risks.append(f"{len(found)} finding{'s' if len(found) != 1 else ''} of "
                                   f"`{rule}`: {text}.")
            places = ", ".join(f"{f.span.path}:{f.span.start_line}" for f in found)
            audit.recommendations.append(f"**Immediate:** {text} ({places}).")
    if ttl:
        audit.top_risks.append(f"{len(ttl)} high-volume table{'s' if len(ttl) != 1 else ''} without "
                               f"a TTL ({', '.join(f'`{t.table}`' for t in ttl)}) will grow without limit.")
        audit.recommendations.append(
            "**Short-term:** add a cron that runs an internal mutation deleting a bounded batch of "
            "old rows (by `_creationTime`) and reschedules itself while rows remain, for: "
            + ", ".join(f"`{t.table}`" for t in ttl) + ".")
    if audit.dual:
        audit.recommendations.append(
            "**Monitor:** mutations that patch several tables are safe (one transaction) but widen "
            "the write set; watch their retries: " + ", ".join(f"`{r.function}`" for r in audit.dual) + ".")
    if audit.schema_lines > SCHEMA_SPLIT_LINES:
        audit.recommendations.append(
            f"**Long-term:** the schema is {audit.schema_lines} lines; consider splitting it into "
            "table modules imported into `defineSchema`.")
    if not audit.top_risks:
        audit.top_risks.append("No write-conflict, atomicity or retention problem was found.")
    if parallel:
        worst = parallel[0]
        file = project.file(worst.location.path)
        finding = by_rule[PARALLEL][0]
        first = min([finding.span.start_line, *(r.span.start_line for r in finding.related)])
        last = max([finding.span.end_line, *(r.span.end_line for r in finding.related)])
        code = "\n".join(file.line_text(n) for n in range(first, last + 1))
        audit.avoid = Example(Link(worst.location.path, first), _dedent(code))
    for row in parallel:
        for mutation in row.mutations:
            audit.metrics.append(Metric(f"`{mutation}` write conflicts (retries, failures)",
                                        "near 0 once batched", f"called repeatedly on one document "
                                        f"({row.location.path}:{row.location.line})"))
    for row in audit.dual:
        audit.metrics.append(Metric(f"`{row.function}` retries", "low and stable",
                                    f"patches {' + '.join(row.tables)} in one transaction"))
    for table in ttl:
        audit.metrics.append(Metric(f"`{table.table}` document count", "flat once a TTL cron runs",
                                    "high-volume table without cleanup"))
    unique: dict[str, Metric] = {}
    for metric in audit.metrics:
        unique.setdefault(metric.metric, metric)
    audit.metrics = list(unique.values())


def _dedent(code: str) -> str:
    lines = code.splitlines()
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)
