"""Constraints the query pass checks itself, so nodes they reject are never matches.

A rule like `$CTX.$RUN($$$ARGS)` with `RUN: regex: ^(runMutation|runAction)$` matches every
two-part call in a file; the evaluator then built bindings for each and dropped all but a few.
When a constraint's regex is a shape that cannot backtrack (a list of words, or one class of
literal ASCII characters repeated), it is also added to the atom's query as tree-sitter's own
`#match?` (Python's `re`, which answers as the `regex` module does for these shapes only), and
the query pass returns only what survives it; the evaluator then skips that check
(AtomQuery.checked_in_query) and still makes every other.
"""

from __future__ import annotations

from mutlint.lazy_regex import LazyRegex
from mutlint.rules.model import Atom, Constraint

_WORD = r"[A-Za-z0-9_]+"
# Literal ASCII characters and well-formed ranges only: `\w`, `\d` and the like mean other sets
# of characters in `re` than in `regex`, and `regex` accepts classes `re` rejects (`[\w-.]`).
_CLASS = r"\[(?:[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]|[A-Za-z0-9_$])+\]"
# Anchored at both ends, no group under a quantifier: linear on any subject, and the same
# answer from both engines (the evaluator reads at most the first 100,000 characters of a
# subject; a single node that long is not something these shapes are used on).
_SAFE_SHAPES = LazyRegex(
    rf"\^(?:{_WORD}|\((?:\?:)?{_WORD}(?:\|{_WORD})*\)|{_CLASS}[+*])\$")


def checkable_in_query(pattern_text: str) -> bool:
    return _SAFE_SHAPES.fullmatch(pattern_text) is not None


def push_down(atoms: list[Atom], constraints: dict[str, Constraint]) -> None:
    """Add each safe constraint on a single-node metavariable to the pattern atoms binding it."""
    for atom in atoms:
        if atom.kind != "pattern":
            continue
        for compiled in atom.by_language.values():
            predicates, pushed, checked = [], [], set()
            for name in compiled.metavariables:
                constraint = constraints.get(name)
                if constraint is None:
                    continue
                tests = [(regex, predicate) for regex, predicate in
                         ((constraint.regex, "match?"), (constraint.not_regex, "not-match?"))
                         if regex is not None]
                safe = [(regex, predicate) for regex, predicate in tests
                        if checkable_in_query(regex.pattern)]
                for regex, predicate in safe:
                    predicates.append(query_predicate(predicate, name, regex.pattern))
                    pushed.append((predicate, name, regex.pattern))
                if len(safe) == len(tests):
                    checked.add(name)  # else the evaluator checks the rest, under its time limit
            if predicates and compiled.source.endswith(")"):
                # A compiled pattern is one parenthesised group: the predicates go inside it.
                compiled.base_source = compiled.source
                compiled.source = f"{compiled.source[:-1]} {' '.join(predicates)})"
                compiled.checked_in_query = frozenset(checked)
                compiled.pushed = tuple(pushed)


def query_predicate(predicate: str, name: str, pattern: str) -> str:
    text = pattern.replace("\\", "\\\\")  # a query string's escapes
    return f'(#{predicate} @{name} "{text}")'
