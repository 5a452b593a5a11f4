"""Kind atoms the evaluator checks on the node in hand instead of the query pass finding them.

`inside: {kind: expression_statement, stopBy: neighbor}` asks of a candidate's parent only
whether it is an expression statement. Compiled into the rules' query, that atom matched every
expression statement of every file parsed (14,700 matches at 10,000 files, a capture dict each).
An atom is checked in place when it is a `kind`
atom whose nodes carry its name in every language of the rule (not a hidden supertype such as
`expression`, which a query matches by its subtypes), and no list of candidates and no `has`
search draws nodes from its matches. Checked in place, it matches named nodes only, as the
query did: `string` is also the keyword of `x: string`.
"""

from __future__ import annotations

from mutlint.rules.model import Atom, RuleNode, candidate_nodes
from mutlint.source import ts_language


def mark_in_place(match: RuleNode, atoms: list[Atom], languages: list[str]) -> None:
    drawn = {node.atoms[0].id for node in candidate_nodes(match) or []}  # FileEvaluator.matches
    stack = [match]
    while stack:
        node = stack.pop()
        for relation in (node.inside, node.has):
            if relation is not None:
                stack.append(relation.rule)
                if isinstance(relation.stop_by, RuleNode):
                    stack.append(relation.stop_by)
        if node.has is not None:  # FileEvaluator.has: its rule's first atom, or its candidates
            pool = [node.has.rule] if node.has.rule.atoms else candidate_nodes(node.has.rule) or []
            drawn.update(member.atoms[0].id for member in pool)
        if node.not_ is not None:
            stack.append(node.not_)
        stack.extend(node.all)
        stack.extend(node.any)
    for atom in atoms:
        if atom.kind == "kind" and atom.id not in drawn and all(
                _named_as_itself(language, atom.text) for language in languages):
            atom.in_place_type = atom.text


def _named_as_itself(language: str, kind: str) -> bool:
    grammar = ts_language(language)
    symbol = grammar.id_for_node_kind(kind, True)
    return symbol is not None and grammar.node_kind_is_visible(symbol)
