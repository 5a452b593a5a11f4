"""Baselines: adopt mutlint on a large app by gating only new findings.

`--write-baseline FILE` records the current findings by fingerprint; `--baseline FILE` hides
the findings it records and counts the recorded ones that are gone as fixed. Fingerprints do
not depend on line numbers, so unrelated edits do not resurrect baselined findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mutlint import __version__
from mutlint.errors import Diagnostic, UsageError
from mutlint.findings import Finding

FORMAT = "mutlint-baseline"
VERSION = 1


@dataclass(frozen=True)
class BaselineEntry:
    rule: str
    path: str
    fingerprint: str


def render_baseline(findings: list[Finding]) -> str:
    entries = sorted({(f.rule_id, f.span.path, f.fingerprint, f.message) for f in findings})
    document = {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "mutlint", "version": __version__},
        "findings": [{"rule": r, "path": p, "fingerprint": fp, "message": m}
                     for r, p, fp, m in entries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> set[BaselineEntry]:
    shown = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(Diagnostic(shown, f"cannot read baseline ({exc.strerror or exc})")) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise UsageError(Diagnostic(shown, f"not a JSON baseline: {exc}", line)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise UsageError(Diagnostic(shown, f"not a {FORMAT} version {VERSION} file "
                                    "(write one with --write-baseline)"))
    entries = set()
    for index, item in enumerate(data.get("findings") or []):
        try:
            entries.add(BaselineEntry(str(item["rule"]), str(item["path"]), str(item["fingerprint"])))
        except (TypeError, KeyError):
            raise UsageError(Diagnostic(shown, f"findings[{index}] needs rule, path and "
                                        "fingerprint")) from None
    return entries


def apply_baseline(findings: list[Finding], entries: set[BaselineEntry],
                   checked_paths: set[str]) -> tuple[int, int]:
    """Hide baselined findings; return (hidden, fixed). Only entries of files that were
    checked can be called fixed."""
    present = set()
    hidden = 0
    for finding in findings:
        key = BaselineEntry(finding.rule_id, finding.span.path, finding.fingerprint)
        if key in entries and finding.suppressed_by is None:
            finding.suppressed_by = "baseline"
            present.add(key)
            hidden += 1
    fixed = sum(1 for entry in entries - present if entry.path in checked_paths)
    return hidden, fixed
