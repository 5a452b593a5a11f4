"""What a file's check produced, as plain JSON and back, for the cache.

Decoding checks every type on the way in and raises `BadEntry` on anything unexpected, so a
corrupted or hand-edited cache entry is rebuilt instead of reaching the rules.
"""

from __future__ import annotations

from typing import Any

from mutlint.findings import Finding, Severity, Span
from mutlint.rules.grouping import MatchRecord
from mutlint.suppress import Directive


class BadEntry(ValueError):
    pass


def encode_payload(records: dict[str, list[MatchRecord]], directives: list[Directive],
                   findings: list[Finding]) -> dict[str, Any]:
    return {
        "records": {rule_id: [_record(r) for r in found] for rule_id, found in records.items()},
        "directives": [[d.kind, list(d.rules), d.line, _span(d.span), d.text] for d in directives],
        "findings": [[f.rule_id, f.severity.label, f.message, _span(f.span), f.anchor_text]
                     for f in findings],
    }


def decode_payload(payload: dict[str, Any], rule_ids: set[str]
                   ) -> tuple[dict[str, list[MatchRecord]], list[Directive], list[Finding]]:
    """The records of `rule_ids` (all of them must be there), the directives and findings."""
    try:
        stored = _mapping(payload["records"])
        if not rule_ids <= set(stored):
            raise BadEntry("rules missing")
        records = {rule_id: [_decode_record(rule_id, r) for r in _list(stored[rule_id])]
                   for rule_id in sorted(rule_ids)}
        directives = [Directive(_str(kind), tuple(_str(r) for r in _list(rules)), _int(line),
                                _decode_span(span), _str(text))
                      for kind, rules, line, span, text in _list(payload["directives"])]
        findings = [Finding(rule_id=_str(rule_id), severity=Severity.parse(_str(severity)),
                            message=_str(message), span=_decode_span(span),
                            anchor_text=_str(anchor))
                    for rule_id, severity, message, span, anchor in _list(payload["findings"])]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEntry(str(exc)) from None
    return records, directives, findings


def _record(record: MatchRecord) -> list:
    return [list(record.order), _span(record.span), record.anchor, record.code, record.env,
            record.facts, {name: [_span(span), anchor] for name, (span, anchor) in record.fact_nodes.items()},
            None if record.scope is None else list(record.scope)]


def _decode_record(rule_id: str, raw: Any) -> MatchRecord:
    order, span, anchor, code, env, facts, fact_nodes, scope = _list(raw)
    return MatchRecord(
        rule_id=rule_id,
        order=tuple(_scalar(part) for part in _list(order)),
        span=_decode_span(span),
        anchor=_str(anchor),
        code=_str(code),
        env={_str(k): _str(v) for k, v in _mapping(env).items()},
        facts={_str(name): {_str(k): _scalar(v) for k, v in _mapping(value).items()}
               for name, value in _mapping(facts).items()},
        fact_nodes={_str(name): (_decode_span(_list(pair)[0]), _str(_list(pair)[1]))
                    for name, pair in _mapping(fact_nodes).items()},
        scope=None if scope is None else tuple(_scalar(part) for part in _list(scope)),
    )


def _span(span: Span) -> list:
    return [span.path, span.start_line, span.start_column, span.end_line, span.end_column]


def _decode_span(raw: Any) -> Span:
    path, *numbers = _list(raw)
    if len(numbers) != 4:
        raise BadEntry("span")
    return Span(_str(path), *(_int(n) for n in numbers))


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise BadEntry("expected a list")
    return value


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise BadEntry("expected a mapping")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise BadEntry("expected a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadEntry("expected an integer")
    return value


def _scalar(value: Any) -> str | int | bool | None:
    if value is not None and not isinstance(value, (str, int, bool)):
        raise BadEntry("expected a plain value")
    return value
