"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om.

sarif-om is the object model only: it has no serialiser, and its attrs defaults would make a
naive one drop fields (a result's `level` defaults to "warning", so a warning would lose it).
`to_sarif_json` below writes every field that is set, under its SARIF (camelCase) name, and
leaves out only values equal to the schema default that mean "unset" (-1 indexes, "en-US").
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import attr
import sarif_om as sarif

from mutlint import __version__
from mutlint.findings import Finding, Severity, Span
from mutlint.result import CheckResult
from mutlint.rules.model import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/mutlint/"
FINGERPRINT_KEY = "mutlint/v1"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning",
                    Severity.NOTE: "recommendation"}
ALWAYS_WRITTEN = frozenset({"level"})  # meaningful even when equal to the default


def to_sarif_json(value):
    """sarif-om objects (and plain dicts/lists) to JSON-ready data, iteratively."""
    root: list = [None]
    stack = [(value, root, 0)]
    while stack:
        item, container, slot = stack.pop()
        if attr.has(type(item)):
            out: dict = {}
            container[slot] = out
            for field in attr.fields(type(item)):
                current = getattr(item, field.name)
                if current is None:
                    continue
                default = field.default
                if isinstance(default, attr.Factory):
                    default = default.factory()
                if field.name not in ALWAYS_WRITTEN and default is not attr.NOTHING \
                        and current == default:
                    continue
                name = field.metadata.get("schema_property_name", field.name)
                out[name] = None
                stack.append((current, out, name))
        elif isinstance(item, dict):
            out = {}
            container[slot] = out
            for key, current in item.items():
                out[key] = None
                stack.append((current, out, key))
        elif isinstance(item, (list, tuple)):
            out_list: list = [None] * len(item)
            container[slot] = out_list
            for index, current in enumerate(item):
                stack.append((current, out_list, index))
        else:
            container[slot] = item
    return root[0]


def uri_for(path: str, prefix: str) -> str:
    """Repository-relative URI, percent-encoded (spaces, %, unicode), `/` kept."""
    full = f"{prefix}/{path}" if prefix else path
    return quote(full, safe="/")


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", rule_id) if part)


def _first_paragraph(markdown: str) -> str:
    for paragraph in re.split(r"\n\s*\n", markdown):
        lines = [line.strip() for line in paragraph.splitlines() if not line.strip().startswith("#")]
        text = " ".join(line for line in lines if line)
        if text:
            return text
    return markdown.strip()


def _plain(markdown: str) -> str:
    """Markdown to readable plain text for `help.text` (headings and code fences kept simple)."""
    text = re.sub(r"^#+\s*", "", markdown, flags=re.MULTILINE)
    return re.sub(r"^```\w*\n?", "", text, flags=re.MULTILINE).strip()


def _descriptor(rule: Rule) -> sarif.ReportingDescriptor:
    return sarif.ReportingDescriptor(
        id=rule.id,
        name=_rule_name(rule.id),
        short_description=sarif.MultiformatMessageString(text=rule.summary),
        full_description=sarif.MultiformatMessageString(text=_first_paragraph(rule.description)),
        help=sarif.MultiformatMessageString(text=_plain(rule.description), markdown=rule.description),
        help_uri=rule.references[0] if rule.references else INFORMATION_URI,
        default_configuration=sarif.ReportingConfiguration(level=LEVELS[rule.severity]),
        properties={"tags": sorted(rule.tags), "precision": rule.precision,
                    "problem.severity": PROBLEM_SEVERITY[rule.severity]},
    )


def _region(span: Span) -> sarif.Region:
    return sarif.Region(start_line=span.start_line, start_column=span.start_column,
                        end_line=span.end_line, end_column=span.end_column)


def _location(span: Span, prefix: str, message: str | None = None,
              location_id: int | None = None) -> sarif.Location:
    return sarif.Location(
        id=location_id,
        physical_location=sarif.PhysicalLocation(
            artifact_location=sarif.ArtifactLocation(uri=uri_for(span.path, prefix), uri_base_id=SRCROOT),
            region=_region(span)),
        message=sarif.Message(text=message) if message else None,
    )


def _result(finding: Finding, rule_index: dict[str, int], prefix: str) -> sarif.Result:
    related = [_location(r.span, prefix, r.message, location_id=i)
               for i, r in enumerate(finding.related, start=1)]
    suppressions = None
    if finding.suppressed_by is not None:
        kind = "external" if finding.suppressed_by == "baseline" else "inSource"
        suppressions = [sarif.Suppression(kind=kind, justification=finding.suppressed_by)]
    return sarif.Result(
        rule_id=finding.rule_id,
        rule_index=rule_index[finding.rule_id],
        level=LEVELS[finding.severity],
        message=sarif.Message(text=finding.message),
        locations=[_location(finding.span, prefix)],
        related_locations=related or None,
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        suppressions=suppressions,
    )


def _invocation(result: CheckResult, prefix: str) -> sarif.Invocation:
    """Files that were skipped, and rules or files that failed: a finding must never go
    missing without a word, in code scanning either (GitHub lists these as tool notifications)."""
    notifications = [_notification(d, "warning", prefix) for d in result.diagnostics]
    notifications += [_notification(e, "error", prefix) for e in result.errors]
    return sarif.Invocation(execution_successful=not result.errors,
                            tool_execution_notifications=notifications or None)


def _notification(diagnostic, level: str, prefix: str) -> sarif.Notification:
    location = None
    if diagnostic.path and not diagnostic.path.startswith("("):
        location = [sarif.Location(physical_location=sarif.PhysicalLocation(
            artifact_location=sarif.ArtifactLocation(uri=uri_for(diagnostic.path, prefix),
                                                     uri_base_id=SRCROOT)))]
    return sarif.Notification(level=level, message=sarif.Message(text=diagnostic.message),
                              locations=location)


def render_sarif(result: CheckResult, rules: list[Rule], *, prefix: str = "",
                 include_suppressed: bool = False) -> str:
    """`prefix`: the project root's path inside the repository ("" at the top)."""
    shown = result.findings if include_suppressed else result.reported
    descriptors = sorted(rules, key=lambda r: r.id)
    rule_index = {rule.id: index for index, rule in enumerate(descriptors)}
    run = sarif.Run(
        tool=sarif.Tool(driver=sarif.ToolComponent(
            name="mutlint", version=__version__, semantic_version=__version__,
            information_uri=INFORMATION_URI, rules=[_descriptor(r) for r in descriptors])),
        results=[_result(f, rule_index, prefix) for f in shown],
        invocations=[_invocation(result, prefix)],
        column_kind="utf16CodeUnits",
    )
    data = to_sarif_json(sarif.SarifLog(version="2.1.0", runs=[run], schema_uri=SCHEMA_URI))
    ordered = {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
