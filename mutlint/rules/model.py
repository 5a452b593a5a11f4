"""Rules as plain data: what a loaded, validated rule file says."""

from __future__ import annotations

import re
from typing import Any

from mutlint.findings import Severity
from mutlint.regex_guard import guarded_search


class AtomQuery:
    """One atom compiled for one language: query source plus what the evaluator checks on top."""

    source: str
    root_capture: str
    metavariables: list[str]
    multi_metavariables: list[str]
    sequences: list  # pattern.SequenceCheck
    literals: list[str]  # text any match must contain
    checked_in_query: frozenset[str]  # constraints the query applies (pushdown.py)
    # What pushdown.py added to `source`: (predicate, metavariable, regex), and the source
    # before it (None: nothing was added). Atoms alike but for these share a pattern (plan.py).
    pushed: tuple[tuple[str, str, str], ...]
    base_source: str | None
    # (hidden capture, text) of each literal leaf, tested in `source` by an `#eq?` predicate
    literal_checks: tuple[tuple[str, str], ...]

    def __init__(self, source: str, root_capture: str, metavariables: list[str],
                 multi_metavariables: list[str] | None = None, sequences: list | None = None,
                 literals: list[str] | None = None, checked_in_query: frozenset[str] = frozenset(),
                 pushed: tuple[tuple[str, str, str], ...] = (), base_source: str | None = None,
                 literal_checks: tuple[tuple[str, str], ...] = ()) -> None:
        self.source = source
        self.root_capture = root_capture
        self.metavariables = metavariables
        self.multi_metavariables = [] if multi_metavariables is None else multi_metavariables
        self.sequences = [] if sequences is None else sequences
        self.literals = [] if literals is None else literals
        self.checked_in_query = checked_in_query
        self.pushed = pushed
        self.base_source = base_source
        self.literal_checks = literal_checks


class Atom:
    """A positive matcher (`pattern`, `kind` or `query`): nodes come from the query pass."""

    id: int  # unique in a run
    rule_id: str
    kind: str  # "pattern" | "kind" | "query"
    text: str
    by_language: dict[str, AtomQuery]
    # A kind atom the evaluator checks on the node in hand (node.type), not in the query pass
    # (rules/in_place.py).
    in_place_type: str | None

    def __init__(self, id: int, rule_id: str, kind: str, text: str, by_language: dict[str, AtomQuery],
                 in_place_type: str | None = None) -> None:
        self.id = id
        self.rule_id = rule_id
        self.kind = kind
        self.text = text
        self.by_language = by_language
        self.in_place_type = in_place_type


class Relation:
    rule: RuleNode
    stop_by: str | RuleNode  # "end" | "neighbor" | a rule the search stops at

    def __init__(self, rule: RuleNode, stop_by: str | RuleNode = "end") -> None:
        self.rule = rule
        self.stop_by = stop_by


class RuleNode:
    """ast-grep's rule object: every key present must hold for a node."""

    atoms: list[Atom]
    regex: Any  # compiled by regex_guard
    inside: Relation | None
    has: Relation | None
    not_: RuleNode | None
    all: list[RuleNode]
    any: list[RuleNode]

    def __init__(self, atoms: list[Atom] | None = None, regex: Any = None, inside: Relation | None = None,
                 has: Relation | None = None, not_: RuleNode | None = None, all: list[RuleNode] | None = None,
                 any: list[RuleNode] | None = None) -> None:
        self.atoms = [] if atoms is None else atoms
        self.regex = regex
        self.inside = inside
        self.has = has
        self.not_ = not_
        self.all = [] if all is None else all
        self.any = [] if any is None else any


def candidate_nodes(node: RuleNode) -> list[RuleNode] | None:
    """The rule nodes whose first atom's matches are the candidates for `node` (mirrors
    FileEvaluator.candidates), or None when it has no positive atom to start from."""
    if node.atoms:
        return [node]
    for member in node.all:
        found = candidate_nodes(member)
        if found is not None:
            return found
    if node.any:
        nodes: list[RuleNode] = []
        for member in node.any:
            found = candidate_nodes(member)
            if found is None:
                return None
            nodes.extend(found)
        return nodes
    return None


class Constraint:
    regex: Any  # compiled by regex_guard
    not_regex: Any

    def __init__(self, regex: Any = None, not_regex: Any = None) -> None:
        self.regex = regex
        self.not_regex = not_regex

    def allows(self, text: str) -> bool:
        if self.regex is not None and not guarded_search(self.regex, text):
            return False
        return not (self.not_regex is not None and guarded_search(self.not_regex, text))


class FactUse:
    name: str  # the name messages and group keys use
    fact: str
    of: str | None  # metavariable (without `$`) the fact is computed on; None = the match
    of_fact: str | None  # or: an earlier fact, computed on the node that fact is about
    where: dict[str, tuple[str, ...]]
    absent: bool

    def __init__(self, name: str, fact: str, of: str | None, of_fact: str | None = None,
                 where: dict[str, tuple[str, ...]] | None = None, absent: bool = False) -> None:
        self.name = name
        self.fact = fact
        self.of = of
        self.of_fact = of_fact
        self.where = {} if where is None else where
        self.absent = absent


class Group:
    scope: str  # function | handler | file | project
    by: list[str]  # "$VAR" or "FACT" or "FACT.attr"
    at_least: int
    distinct: str | None  # count distinct values of this key instead of members
    list: str | None  # a key whose distinct values `{list}` prints (counting unchanged)
    weight: str | None  # "FACT.attr": how many calls one member stands for ("many": any)
    report_at: str | None  # a fact whose node the finding points at
    # "FACT.attr" (a branch-path): members on mutually exclusive paths never count together
    exclusive: str | None

    def __init__(self, scope: str, by: list[str] | None = None, at_least: int = 1,
                 distinct: str | None = None, list: str | None = None, weight: str | None = None,
                 report_at: str | None = None, exclusive: str | None = None) -> None:
        self.scope = scope
        self.by = [] if by is None else by
        self.at_least = at_least
        self.distinct = distinct
        self.list = list
        self.weight = weight
        self.report_at = report_at
        self.exclusive = exclusive


class Rule:
    id: str
    severity: Severity
    message: str
    description: str
    path: str
    tags: list[str]
    languages: list[str]
    references: list[str]
    precision: str
    match: RuleNode
    constraints: dict[str, Constraint]
    facts: list[FactUse]
    group: Group | None
    focus: str | None  # metavariable (without `$`) whose node is reported
    atoms: list[Atom]  # every atom in `match`, for the query plan
    source_hash: str  # of the rule file's bytes: the cache's entries are per rule set

    def __init__(self, id: str, severity: Severity, message: str, description: str, path: str,
                 tags: list[str] | None = None, languages: list[str] | None = None,
                 references: list[str] | None = None, precision: str = "high", match: RuleNode | None = None,
                 constraints: dict[str, Constraint] | None = None, facts: list[FactUse] | None = None,
                 group: Group | None = None, focus: str | None = None, atoms: list[Atom] | None = None,
                 source_hash: str = "") -> None:
        self.id = id
        self.severity = severity
        self.message = message
        self.description = description
        self.path = path
        self.tags = [] if tags is None else tags
        self.languages = ["typescript", "tsx"] if languages is None else languages
        self.references = [] if references is None else references
        self.precision = precision
        self.match = RuleNode() if match is None else match
        self.constraints = {} if constraints is None else constraints
        self.facts = [] if facts is None else facts
        self.group = group
        self.focus = focus
        self.atoms = [] if atoms is None else atoms
        self.source_hash = source_hash

    @property
    def summary(self) -> str:
        """The first sentence of the description's first paragraph, for listings."""
        for paragraph in re.split(r"\n\s*\n", self.description):
            text = " ".join(line.strip() for line in paragraph.splitlines()
                            if not line.strip().startswith("#")).strip()
            if text:
                return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        return self.message
