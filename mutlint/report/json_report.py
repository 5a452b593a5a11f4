"""Machine output: a stable JSON document (schema version 1, documented in docs/json-output.md)."""

from __future__ import annotations

import json

from mutlint import __version__
from mutlint.findings import Finding, Span
from mutlint.result import CheckResult

SCHEMA_VERSION = 1


def _span(span: Span) -> dict:
    return {
        "path": span.path,
        "start": {"line": span.start_line, "column": span.start_column},
        "end": {"line": span.end_line, "column": span.end_column},
    }


def finding_json(finding: Finding) -> dict:
    data = {
        "rule": finding.rule_id,
        "severity": finding.severity.label,
        "message": finding.message,
        **_span(finding.span),
        "related": [{**_span(r.span), "message": r.message} for r in finding.related],
        "fingerprint": finding.fingerprint,
    }
    if finding.suppressed_by:
        data["suppressed_by"] = finding.suppressed_by
    return data


def render_json(result: CheckResult, *, include_suppressed: bool = False) -> str:
    shown = result.findings if include_suppressed else result.reported
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "mutlint", "version": __version__},
        "findings": [finding_json(f) for f in shown],
        "skipped": [{"path": d.path, "message": d.message} for d in result.diagnostics],
        "summary": {
            "files": result.files_checked,
            "findings": len(result.reported),
            "by_severity": {s: sum(1 for f in result.reported if f.severity.label == s)
                            for s in ("error", "warning", "note")},
            "suppressed": len(result.findings) - len(result.reported),
        },
    }
    if result.baseline is not None:
        document["summary"]["baseline"] = {"hidden": result.baseline[0], "fixed": result.baseline[1]}
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
