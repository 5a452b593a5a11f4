"""Which rules can possibly match a file, decided from its bytes before it is parsed.

Each rule gets clauses derived from what it says: a file must contain at least one token of
every clause. Each atom a match needs (the rule's own, and those of its `all`, `has` and
`inside` parts) contributes each literal of its pattern (`db`, `query`) and the words of each
metavariable constraint that is a plain alternation (`^(runMutation|runAction)$`); an `any`
contributes one clause with a clause of each member. Each required fact adds the tokens it
declares. A rule with no clause at all needs every file. Searching bytes costs a small
fraction of a parse, and most files of a Convex app are UI code no rule needs: tried in turn,
the first clause such a file fails is most often `db`, which every rule that asks shares.
"""

from __future__ import annotations

from collections import Counter

from mutlint.facts import fact_registry
from mutlint.rules.model import Atom, Rule, RuleNode

ALWAYS = (b"mutlint-disable",)  # files whose directives must be checked (unused-suppression)


def _constraint_words(rule: Rule, metavariable: str) -> list[str] | None:
    """The words a metavariable's text must be one of, when its constraint says so plainly."""
    constraint = rule.constraints.get(metavariable)
    if constraint is None or constraint.regex is None:
        return None
    return alternation_words(constraint.regex.pattern)


def alternation_words(text: str) -> list[str] | None:
    """The words of `^word$`, `^(one|two)$` or `^(?:one|two)$`, words of `\\w` characters and
    `$`; what the regex `^\\^\\((?:\\?:)?([\\w$]+(?:\\|[\\w$]+)*)\\)\\$$|^\\^([\\w$]+)\\$$` read
    of a regex's text (its final `$` allows a newline after the text), by string code: that
    regex cost every run more to compile than to use."""
    if text[-1:] == "\n":
        text = text[:-1]
    if len(text) < 3 or text[0] != "^" or text[-1] != "$":
        return None
    body = text[1:-1]
    if body[:1] == "(" and body[-1:] == ")":
        words = (body[3:-1] if body[1:3] == "?:" else body[1:-1]).split("|")
    else:
        words = [body]
    if all(word and all(c.isalnum() or c in "_$" for c in word) for word in words):
        return words
    return None


def _atom_clauses(rule: Rule, atom: Atom) -> list[frozenset[bytes]]:
    """What a match of the atom contains, in every language it is compiled for: each literal of
    its pattern, and one of the words of each metavariable a plain alternation constrains."""
    per_language = []
    for compiled in atom.by_language.values():
        clauses = [frozenset({literal.encode("utf-8")}) for literal in compiled.literals if literal]
        for metavariable in compiled.metavariables:
            words = _constraint_words(rule, metavariable)
            if words:
                clauses.append(frozenset(word.encode("utf-8") for word in words))
        per_language.append(clauses)
    if not per_language:
        return []
    return [clause for clause in per_language[0] if all(clause in other for other in per_language[1:])]


def _required(rule: Rule, node: RuleNode) -> list[frozenset[bytes]]:
    """Clauses every file with a match of `node` satisfies: a match of each atom, of each
    `all` member, of the `has` and `inside` rules (the node it finds is in the file too), and
    of one `any` member. (`not` and `regex` require nothing of the file's tokens.) A rule tree
    is a few nodes deep: recursion over it, not over a syntax tree."""
    clauses = [clause for atom in node.atoms for clause in _atom_clauses(rule, atom)]
    for relation in (node.has, node.inside):
        if relation is not None:
            clauses.extend(_required(rule, relation.rule))
    for member in node.all:
        clauses.extend(_required(rule, member))
    if node.any:
        alternatives = [_required(rule, member) for member in node.any]
        if all(alternatives):
            # one clause of each alternative: the fewest tokens to search for, longest first
            clauses.append(frozenset().union(*(
                min(found, key=lambda clause: (len(clause), -min(map(len, clause))))
                for found in alternatives)))
    return clauses


def rule_clauses(rule: Rule) -> list[frozenset[bytes]]:
    clauses = _required(rule, rule.match)
    registry = fact_registry()
    for use in rule.facts:
        tokens = registry[use.fact].tokens
        if tokens and not use.absent:
            clauses.append(frozenset(tokens))
    return list(dict.fromkeys(clauses))


class Prefilter:
    clauses: dict[str, list[frozenset[bytes]]]
    # Each rule's distinct clauses, their tokens in a fixed order: asked of every file of the
    # project, a token is searched for at most once per file (rules share them).
    _distinct: list[tuple[str, tuple[tuple[bytes, ...], ...]]]
    _within: dict[bytes, tuple[bytes, ...]]  # token -> the rules' tokens it contains

    def __init__(self, clauses: dict[str, list[frozenset[bytes]]]) -> None:
        self.clauses = clauses
        # A rule's clauses are tried in turn until one fails: first those of fewer tokens, and
        # of tokens more rules ask for (searched once per file for all of them).
        asked = Counter(token for listed in clauses.values() for clause in set(listed)
                        for token in clause)
        self._distinct = [(rule_id, tuple(tuple(sorted(clause)) for clause in sorted(
            dict.fromkeys(listed), key=lambda clause: (len(clause), -max(asked[t] for t in clause),
                                                       sorted(clause)))))
            for rule_id, listed in clauses.items()]
        # Tokens within another (utation, runMutation): a file without the one lacks the other.
        self._within = {token: parts for token in asked if (parts := tuple(sorted(
            part for part in asked if part != token and part in token)))}

    @classmethod
    def for_rules(cls, rules: list[Rule]) -> Prefilter:
        return cls({rule.id: rule_clauses(rule) for rule in rules})

    def rules_for(self, data: bytes) -> set[str]:
        """Ids of the rules that may match a file with these bytes. A token is searched for
        when a clause first needs it, and once: most files fail each rule's first clause, so
        most tokens are never searched."""
        found: dict[bytes, bool] = {}
        within = self._within
        rules: set[str] = set()
        # Loops rather than all(any(...)) over a closure: asked of every file of a project,
        # generators and calls were a third of the prefilter's time.
        for rule_id, clauses in self._distinct:
            for clause in clauses:
                for token in clause:
                    known = found.get(token)
                    if known is None:
                        parts = within.get(token)
                        known = found[token] = (parts is None or all(
                            found.get(part, True) for part in parts)) and token in data
                    if known:
                        break
                else:
                    break  # no token of this clause: the rule cannot match
            else:
                rules.add(rule_id)
        return rules

    def needs_parse(self, data: bytes, rules: set[str]) -> bool:
        return bool(rules) or any(token in data for token in ALWAYS)
