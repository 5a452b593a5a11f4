"""From matches to findings: scopes, grouping, counts and messages.

Without `group`, every match is a finding. With `group`, matches are bucketed by their scope
(enclosing function, Convex handler, file or project) and the `by` keys; a bucket with at least
`at-least` members gives one finding, located at the member that reaches the count, with the
other members as related locations.
"""

from __future__ import annotations

from collections import defaultdict

import tree_sitter

from mutlint.convex.functions import FUNCTION_TYPES, enclosing_registered_function
from mutlint.facts import FACTS, NODE_KEY, PlainNode
from mutlint.findings import Finding, Related, Span
from mutlint.project import Project
from mutlint.records import Record
from mutlint.rules.evaluate import Match
from mutlint.rules.model import Group, Rule
from mutlint.rules.placeholders import fill_placeholders
from mutlint.source import SourceFile

MAX_PLACEHOLDER_CHARS = 80


def span_of(file: SourceFile, node: tree_sitter.Node) -> Span:
    start, end = file.node_positions(node)
    return Span(file.relpath, start.line, start.column, end.line, end.column)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_PLACEHOLDER_CHARS:
        text = text[: MAX_PLACEHOLDER_CHARS - 1] + "…"
    return text


class MatchRecord(Record):
    """A match reduced to strings and positions, so no syntax tree outlives its file's turn
    (and records can cross process boundaries). Grouping and messages work on these."""

    rule_id: str
    order: tuple  # (path, start byte, end byte, node type): sorting and identity
    span: Span  # where the finding points (the rule's focus, else the match)
    anchor: str  # the matched code, for the fingerprint
    code: str  # the matched code on one line, for {code} and related locations
    env: dict  # metavariable -> code
    facts: dict  # fact name -> {attribute: value}
    fact_nodes: dict  # fact name -> (span, anchor) of the node the fact is about
    scope: tuple | None  # the group scope this match belongs to (None: no scope, dropped)


def record_of(project: Project, rule: Rule, match: Match) -> MatchRecord:
    facts, fact_nodes = {}, {}
    for name, value in match.facts.items():
        facts[name] = {k: v for k, v in value.items() if k != NODE_KEY}
        where = value.get(NODE_KEY)
        if isinstance(where, PlainNode):  # a node of another file, whose tree may be gone
            fact_nodes[name] = (where.span, where.text)
        elif where is not None:
            file, node = where
            fact_nodes[name] = (span_of(file, node), file.text(node))
    anchor = match.file.text(match.node)
    return MatchRecord(
        rule_id=rule.id,
        order=(match.file.relpath, match.node.start_byte, match.node.end_byte, match.node.type),
        span=span_of(match.file, match.reported_node),
        anchor=anchor,
        code=_one_line(anchor),
        env={name: match.text_of(name) for name in match.env},
        facts=facts,
        fact_nodes=fact_nodes,
        scope=scope_key(project, match, rule.group.scope) if rule.group is not None else None,
    )


def render_message(rule: Rule, record: MatchRecord, count: int | None = None,
                   distinct: list[str] | None = None, listed: list[str] | None = None) -> str:
    def replace(name: str, attribute: str | None) -> str:
        if name == "distinct" and attribute is None and distinct is not None:
            return " + ".join(distinct)
        if name == "list" and attribute is None and listed is not None:
            return " + ".join(listed)
        if name == "count" and attribute is None and count is not None:
            return str(count)
        if name == "code" and attribute is None:
            return record.code
        if attribute is None and name in record.env:
            return _one_line(record.env[name])
        value = record.facts.get(name)
        if value is not None:
            return value.get(attribute or FACTS[rule_fact(rule, name)].display, "")
        return ""

    parts = rule.message.split("{{")
    rendered = [("}".join(fill_placeholders(piece, replace) for piece in part.split("}}")))
                for part in parts]
    return "{".join(rendered)


def rule_fact(rule: Rule, name: str) -> str:
    return next(use.fact for use in rule.facts if use.name == name)


def scope_key(project: Project, match: Match, scope: str) -> tuple | None:
    if scope == "project":
        return ("project",)
    if scope == "file":
        return (match.file.relpath,)
    if scope == "handler":
        function = enclosing_registered_function(project, match.file, match.node)
        if function is None:
            return None  # not inside a Convex function: no handler scope to group in
        return (match.file.relpath, function.function_id, function.call.start_byte)
    ancestor = match.node.parent
    while ancestor is not None and ancestor.type not in FUNCTION_TYPES:
        ancestor = ancestor.parent
    return (match.file.relpath, ancestor.start_byte if ancestor is not None else -1)


def group_value(rule: Rule, record: MatchRecord, key: str) -> str:
    if key.startswith("$"):
        return " ".join(record.env.get(key[1:], "").split())
    name, _, attribute = key.partition(".")
    value = record.facts.get(name, {})
    return value.get(attribute or FACTS[rule_fact(rule, name)].display, "")


def finding_for(rule: Rule, record: MatchRecord, related: list[MatchRecord], count: int | None,
                distinct: list[str] | None = None, at: tuple | None = None) -> Finding:
    """`at` = (span, anchor) overrides where the finding points (`group.report-at`)."""
    span, anchor = at if at is not None else (record.span, record.anchor)
    listed = None
    if rule.group is not None and rule.group.list is not None:
        listed = sorted({group_value(rule, m, rule.group.list) for m in [record, *related]} - {""})
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        message=render_message(rule, record, count, distinct, listed),
        span=span,
        related=tuple(Related(m.span, "related: " + m.code) for m in related),
        anchor_text=anchor,
    )


def _weight(rule: Rule, record: MatchRecord) -> int:
    """How many calls a member stands for: `group.weight` names a fact attribute holding a
    number, or "many" (a call in a loop), which satisfies any `at-least` by itself."""
    if rule.group.weight is None:
        return 1
    value = group_value(rule, record, rule.group.weight)
    if value == "many":
        return rule.group.at_least
    return int(value) if value.isdigit() else 1


MAX_EXCLUSIVE_MEMBERS = 24  # beyond this many, every member counts (the search is exponential)


def _size(rule: Rule, members: list[MatchRecord]) -> int:
    if rule.group.distinct is not None:
        return len({group_value(rule, m, rule.group.distinct) for m in members} - {""})
    return sum(_weight(rule, m) for m in members)


def _run_together(rule: Rule, unique: list[MatchRecord]) -> list[MatchRecord]:
    """The members that can all happen in one run (no two on different arms of one branch,
    see mutlint.convex.path_facts) and count the most, first in document order on ties: the
    maximal cliques of the "may run together" graph, found without recursion."""
    from mutlint.convex.path_facts import exclusive  # the model's knowledge of paths

    if len(unique) > MAX_EXCLUSIVE_MEMBERS:
        return unique
    paths = [group_value(rule, m, rule.group.exclusive) for m in unique]
    together = [{j for j in range(len(unique)) if j != i and not exclusive(paths[i], paths[j])}
                for i in range(len(unique))]
    if all(len(others) == len(unique) - 1 for others in together):
        return unique  # nothing excludes anything
    best: list[int] = []
    best_size = -1
    stack = [([], set(range(len(unique))), set())]  # Bron-Kerbosch: (clique, candidates, done)
    while stack:
        clique, candidates, done = stack.pop()
        if not candidates and not done:
            chosen = sorted(clique)
            size = _size(rule, [unique[i] for i in chosen])
            if size > best_size or (size == best_size and chosen < best):
                best, best_size = chosen, size
            continue
        for index in sorted(candidates):
            stack.append(([*clique, index], candidates & together[index], done & together[index]))
            candidates = candidates - {index}
            done = done | {index}
    return [unique[i] for i in best]


def _too_few(group: Group, members: list[MatchRecord]) -> bool:
    """Can the bucket not reach `at-least`, whatever its members' values? A distinct count is
    at most the number of members (a fanned-out node's included), and without weights each
    member counts once; dropping the members that cannot run together only lowers either. Most
    buckets of a project-scoped rule hold one member (a function with one write): they are
    dropped without their values or paths being looked at."""
    return (group.distinct is not None or group.weight is None) and len(members) < group.at_least


def findings_from_records(rule: Rule, records: list[MatchRecord]) -> list[Finding]:
    ordered = sorted(records, key=lambda r: r.order)
    if rule.group is None:
        return [finding_for(rule, r, [], None) for r in ordered]
    group = rule.group
    buckets: dict[tuple, list[MatchRecord]] = defaultdict(list)
    for record in ordered:
        if record.scope is None:
            continue
        key = record.scope + tuple(group_value(rule, record, k) for k in group.by)
        buckets[key].append(record)
    findings = []
    for members in buckets.values():
        if _too_few(group, members):
            continue
        # The same node can be a member twice (a fact fanned out); count it once.
        unique = list({m.order: m for m in members}.values())
        if group.exclusive is not None:
            unique = _run_together(rule, unique)
            kept = {m.order for m in unique}
            members = [m for m in members if m.order in kept]
        distinct = None
        if group.distinct is not None:
            distinct = sorted({group_value(rule, m, group.distinct) for m in members} - {""})
            size = len(distinct)
        else:
            size = _size(rule, unique)
        if size < group.at_least:
            continue
        if group.report_at is not None:
            first = unique[0]
            findings.append(finding_for(rule, first, unique, size, distinct,
                                        at=first.fact_nodes[group.report_at]))
            continue
        running, chosen = 0, unique[-1]
        for member in unique:
            running += _weight(rule, member)
            if running >= group.at_least:
                chosen = member
                break
        others = [m for m in unique if m is not chosen]
        findings.append(finding_for(rule, chosen, others, size, distinct))
    return findings
