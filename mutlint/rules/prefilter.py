"""Which rules can possibly match a file, decided from its bytes before it is parsed.

Each rule gets clauses derived from what it says: a file must contain at least one token of
every clause. A candidate atom contributes its longest literal (`db`, `defineSchema`), or the
words of a metavariable constraint that is a plain alternation (`^(runMutation|runAction)$`);
a rule's candidate atoms together form one clause (any of them may match). Each required fact
adds the tokens it declares. A rule with no clause at all needs every file. Searching bytes
costs a small fraction of a parse, and most files of a Convex app are UI code no rule needs.
"""

from __future__ import annotations

import re

from mutlint.facts import fact_registry
from mutlint.rules.model import Rule, candidate_nodes

_ALTERNATION = re.compile(r"^\^\((?:\?:)?([\w$]+(?:\|[\w$]+)*)\)\$$|^\^([\w$]+)\$$")
ALWAYS = (b"mutlint-disable",)  # files whose directives must be checked (unused-suppression)


def _constraint_words(rule: Rule, metavariables: list[str]) -> list[str] | None:
    for name in metavariables:
        constraint = rule.constraints.get(name)
        if constraint is None or constraint.regex is None:
            continue
        match = _ALTERNATION.match(constraint.regex.pattern)
        if match:
            return (match.group(1) or match.group(2)).split("|")
    return None


def rule_clauses(rule: Rule) -> list[frozenset[bytes]]:
    clauses = []
    candidates = candidate_nodes(rule.match) or []
    atom_clause: set[bytes] = set()
    for node in candidates:
        atom = node.atoms[0]
        words: list[str] = []
        for compiled in atom.by_language.values():
            if compiled.literals:
                words = [max(compiled.literals, key=len)]
            else:
                words = _constraint_words(rule, compiled.metavariables) or []
            break
        if not words:
            atom_clause = set()
            break
        atom_clause.update(word.encode("utf-8") for word in words)
    if atom_clause:
        clauses.append(frozenset(atom_clause))
    registry = fact_registry()
    for use in rule.facts:
        tokens = registry[use.fact].tokens
        if tokens and not use.absent:
            clauses.append(frozenset(tokens))
    return clauses


class Prefilter:
    clauses: dict[str, list[frozenset[bytes]]]
    # Each rule's distinct clauses, their tokens in a fixed order: asked of every file of the
    # project, a token is searched for at most once per file (rules share them).
    _distinct: list[tuple[str, tuple[tuple[bytes, ...], ...]]]

    def __init__(self, clauses: dict[str, list[frozenset[bytes]]]) -> None:
        self.clauses = clauses
        self._distinct = [(rule_id, tuple(tuple(sorted(clause)) for clause in dict.fromkeys(listed)))
                          for rule_id, listed in clauses.items()]

    @classmethod
    def for_rules(cls, rules: list[Rule]) -> Prefilter:
        return cls({rule.id: rule_clauses(rule) for rule in rules})

    def rules_for(self, data: bytes) -> set[str]:
        """Ids of the rules that may match a file with these bytes. A token is searched for
        when a clause first needs it, and once: most files fail each rule's first clause, so
        most tokens are never searched."""
        found: dict[bytes, bool] = {}

        def present(token: bytes) -> bool:
            known = found.get(token)
            if known is None:
                known = found[token] = token in data
            return known

        return {rule_id for rule_id, clauses in self._distinct
                if all(any(present(token) for token in clause) for clause in clauses)}

    def needs_parse(self, data: bytes, rules: set[str]) -> bool:
        return bool(rules) or any(token in data for token in ALWAYS)
