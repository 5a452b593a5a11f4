"""Rules as plain data: what a loaded, validated rule file says."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mutlint.findings import Severity
from mutlint.regex_guard import guarded_search


@dataclass(eq=False, repr=False)
class AtomQuery:
    """One atom compiled for one language: query source plus what the evaluator checks on top."""

    source: str
    root_capture: str
    metavariables: list[str]
    multi_metavariables: list[str] = field(default_factory=list)
    sequences: list = field(default_factory=list)  # pattern.SequenceCheck
    literals: list[str] = field(default_factory=list)  # text any match must contain
    checked_in_query: frozenset[str] = frozenset()  # constraints the query applies (pushdown.py)
    # What pushdown.py added to `source`: (predicate, metavariable, regex), and the source
    # before it (None: nothing was added). Atoms alike but for these share a pattern (plan.py).
    pushed: tuple[tuple[str, str, str], ...] = ()
    base_source: str | None = None
    # (hidden capture, text) of each literal leaf, tested in `source` by an `#eq?` predicate
    literal_checks: tuple[tuple[str, str], ...] = ()


@dataclass(eq=False, repr=False)
class Atom:
    """A positive matcher (`pattern`, `kind` or `query`): nodes come from the query pass."""

    id: int  # unique in a run
    rule_id: str
    kind: str  # "pattern" | "kind" | "query"
    text: str
    by_language: dict[str, AtomQuery]
    # A kind atom the evaluator checks on the node in hand (node.type), not in the query pass
    # (rules/in_place.py).
    in_place_type: str | None = None


@dataclass(eq=False, repr=False)
class Relation:
    rule: RuleNode
    stop_by: str | RuleNode = "end"  # "end" | "neighbor" | a rule the search stops at


@dataclass(eq=False, repr=False)
class RuleNode:
    """ast-grep's rule object: every key present must hold for a node."""

    atoms: list[Atom] = field(default_factory=list)
    regex: Any = None  # compiled by regex_guard
    inside: Relation | None = None
    has: Relation | None = None
    not_: RuleNode | None = None
    all: list[RuleNode] = field(default_factory=list)
    any: list[RuleNode] = field(default_factory=list)


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


@dataclass(eq=False, repr=False)
class Constraint:
    regex: Any = None  # compiled by regex_guard
    not_regex: Any = None

    def allows(self, text: str) -> bool:
        if self.regex is not None and not guarded_search(self.regex, text):
            return False
        return not (self.not_regex is not None and guarded_search(self.not_regex, text))


@dataclass(eq=False, repr=False)
class FactUse:
    name: str  # the name messages and group keys use
    fact: str
    of: str | None  # metavariable (without `$`) the fact is computed on; None = the match
    of_fact: str | None = None  # or: an earlier fact, computed on the node that fact is about
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    absent: bool = False


@dataclass(eq=False, repr=False)
class Group:
    scope: str  # function | handler | file | project
    by: list[str] = field(default_factory=list)  # "$VAR" or "FACT" or "FACT.attr"
    at_least: int = 1
    distinct: str | None = None  # count distinct values of this key instead of members
    list: str | None = None  # a key whose distinct values `{list}` prints (counting unchanged)
    weight: str | None = None  # "FACT.attr": how many calls one member stands for ("many": any)
    report_at: str | None = None  # a fact whose node the finding points at
    # "FACT.attr" (a branch-path): members on mutually exclusive paths never count together
    exclusive: str | None = None


@dataclass(eq=False, repr=False)
class Rule:
    id: str
    severity: Severity
    message: str
    description: str
    path: str
    tags: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["typescript", "tsx"])
    references: list[str] = field(default_factory=list)
    precision: str = "high"
    match: RuleNode = field(default_factory=RuleNode)
    constraints: dict[str, Constraint] = field(default_factory=dict)
    facts: list[FactUse] = field(default_factory=list)
    group: Group | None = None
    focus: str | None = None  # metavariable (without `$`) whose node is reported
    atoms: list[Atom] = field(default_factory=list)  # every atom in `match`, for the query plan
    source_hash: str = ""  # of the rule file's bytes: the cache's entries are per rule set

    @property
    def summary(self) -> str:
        """The first sentence of the description's first paragraph, for listings."""
        for paragraph in re.split(r"\n\s*\n", self.description):
            text = " ".join(line.strip() for line in paragraph.splitlines()
                            if not line.strip().startswith("#")).strip()
            if text:
                return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        return self.message
