"""The audit as Markdown (to read, diff and publish) and as JSON (docs/audit-json.md)."""

from __future__ import annotations

import dataclasses
import json

from mutlint import __version__
from mutlint.audit_model import Audit, Link

AUDIT_JSON_VERSION = 1
RULE_TITLES = {
    "parallel-mutations-same-doc": "Parallel mutations on the same document",
    "dual-doc-patch": "Dual document patches",
    "missing-ttl-on-high-volume-table": "High-volume tables without a TTL",
    "full-table-read-in-mutation": "Table scans in mutations",
    "unawaited-convex-write": "Unawaited writes",
}


class Links:
    """Repository-relative links with `#L<line>` anchors, absolute under `--link-base`."""

    def __init__(self, prefix: str, base: str | None):
        self.prefix = prefix
        self.base = base.rstrip("/") + "/" if base else ""

    def target(self, link: Link) -> str:
        path = f"{self.prefix}/{link.path}" if self.prefix else link.path
        return f"{self.base}{path}#L{link.line}".replace(" ", "%20")

    def markdown(self, link: Link, text: str | None = None) -> str:
        label = cell(text or f"{link.path}:{link.line}")
        return f"[{label}]({self.target(link)})"


def cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _codes(values: list[str]) -> str:
    return ", ".join(f"`{cell(v)}`" for v in values) or "—"


def render_audit_markdown(audit: Audit, links: Links) -> str:
    if audit.empty:
        return (f"# Mutation Health Audit\n\nNo Convex functions found (functions dir "
                f"`{audit.convex_dir}/`): nothing to audit.\n")
    out = ["# Mutation Health Audit", "", "## Executive Summary", ""]
    writes = audit.write_counts
    out.append(f"Analyzed **{writes.get('patch', 0)} `ctx.db.patch`** operations (plus "
               f"{writes.get('replace', 0)} replace, {writes.get('delete', 0)} delete and "
               f"{writes.get('insert', 0)} insert) in {_plural(audit.files_with_writes, 'file')}; "
               f"{_plural(audit.convex_files, 'Convex file')} "
               f"register{'s' if audit.convex_files == 1 else ''} functions.")
    out.append("")
    out.append(" ".join(audit.top_risks))
    out.append("")
    if audit.findings:
        out += _table(["Rule", "Errors", "Warnings", "Notes"],
                      [[f"`{rule}`", str(c["error"]), str(c["warning"]), str(c["note"])]
                       for rule, c in audit.findings.items()])
    out += ["---", "", "## Write Conflict Risk Assessment", ""]
    if audit.parallel:
        out += [f"### {RULE_TITLES['parallel-mutations-same-doc']}", ""]
        out += _table(["Location", "Component", "Mutations", "Pattern", "Status"],
                      [[links.markdown(r.location), cell(r.component), _codes(r.mutations),
                        cell(r.pattern), r.status] for r in audit.parallel])
    if audit.dual:
        out += [f"### {RULE_TITLES['dual-doc-patch']}", "",
                "These mutations patch documents of several tables in one transaction: safe, "
                "but their write set is wider, so they are worth watching.", ""]
        out += _table(["File", "Function", "Tables patched", "Risk"],
                      [[links.markdown(r.location), f"`{r.function}`", " + ".join(f"`{t}`" for t in r.tables),
                        r.risk] for r in audit.dual])
    for rule in ("full-table-read-in-mutation", "unawaited-convex-write"):
        rows = [o for o in audit.other if o.rule == rule]
        if rows:
            out += [f"### {RULE_TITLES[rule]}", ""]
            out += _table(["Location", "Severity", "Finding"],
                          [[links.markdown(o.location), o.severity, cell(o.message)] for o in rows])
    if not (audit.parallel or audit.dual or audit.other):
        out += ["No write-conflict finding.", ""]
    out += ["### Frontend Call Patterns", ""]
    if audit.frontend:
        out += _table(["Page", "Component", "Mutations", "Pattern", "Status"],
                      [[links.markdown(r.location), cell(r.component), _codes(r.mutations), r.pattern,
                        r.status] for r in audit.frontend])
    else:
        out += ["No client code calls mutations.", ""]
    out += ["---", "", "## Scheduler Patterns", ""]
    if audit.scheduler:
        out += _table(["Location", "Triggered by", "Target", "Target is action", "In loop",
                       "Public target", "Risk"],
                      [[links.markdown(r.location), _codes(r.trigger.split(", ")), f"`{r.target}`",
                        "yes" if r.target_is_action else "no", "yes" if r.in_loop else "no",
                        "yes (use internal.*)" if r.public_target else "no", r.risk]
                       for r in audit.scheduler])
    else:
        out += ["No `ctx.scheduler.runAfter/runAt` calls.", ""]
    out += ["---", "", "## High-Volume Tables", ""]
    if audit.tables:
        out += _table(["Table", "Write frequency", "Why", "TTL strategy", "Status"],
                      [[links.markdown(t.location, t.table), t.frequency,
                        cell(f"{t.reason}; {t.inserts} insert site{'s' if t.inserts != 1 else ''}"),
                        cell(t.ttl or "none"), t.status] for t in audit.tables])
    else:
        out += ["No schema tables written by this code.", ""]
    out += ["---", "", "## Recommendations", ""]
    if audit.recommendations:
        out += [f"{i}. {text}" for i, text in enumerate(audit.recommendations, start=1)] + [""]
    else:
        out += ["None: keep mutlint in CI so new problems are caught in review.", ""]
    if audit.avoid is not None:
        out += ["---", "", "## Patterns to Avoid", "",
                f"### Don't: call one mutation on the same document several times "
                f"({links.markdown(audit.avoid.location)})", "", "```tsx", audit.avoid.code, "```", "",
                "### Do: send all the changes in one call", "", "```tsx",
                "await updateMany({ changes: [first, second] }); // one transaction", "```", ""]
    out += ["---", "", "## Health Dashboard Metrics to Monitor", ""]
    if audit.metrics:
        out += _table(["Metric", "Target", "Why"],
                      [[m.metric, m.target, cell(m.why)] for m in audit.metrics])
    else:
        out += ["Nothing specific: watch the functions with the most retries in the Convex dashboard.", ""]
    out += [f"_Generated by mutlint {__version__} (`mutlint audit`)._", ""]
    return "\n".join(out)


def render_audit_json(audit: Audit, links: Links) -> str:
    data = dataclasses.asdict(audit)
    stack = [data]
    while stack:  # every Link gains its rendered link target
        item = stack.pop()
        if isinstance(item, dict):
            if set(item) == {"path", "line"}:
                item["href"] = links.target(Link(item["path"], item["line"]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    document = {"version": AUDIT_JSON_VERSION, "tool": {"name": "mutlint", "version": __version__},
                **data}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
