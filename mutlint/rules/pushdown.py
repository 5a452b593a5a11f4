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

from mutlint.regex_guard import WORD_CHARACTERS, anchored_words
from mutlint.rules.model import Atom, Constraint

_CLASS_CHARACTERS = WORD_CHARACTERS | {"$"}
_RANGE_ENDS = ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789")


def checkable_in_query(pattern_text: str) -> bool:
    """Is the regex one of the shapes a query predicate checks as the evaluator would:
    `^word$`, `^(one|two)$` (or `(?:...)`) of ASCII word characters (anchored_words), or
    `^[class]+$` / `^[class]*$` of literal ASCII word characters, `$` and ranges within one of
    a-z, A-Z, 0-9? Anchored at both ends, no group under a quantifier: linear on any subject,
    and the same answer from both engines (`\\w`, `\\d` and the like mean other sets of
    characters in `re` than in `regex`, and `regex` accepts classes `re` rejects, `[\\w-.]`).
    (The evaluator reads at most the first 100,000 characters of a subject; a single node that
    long is not something these shapes are used on.) Read by string code: the regex that read
    them cost a pre-commit run more to compile (1.5 M instructions) than its use."""
    if anchored_words(pattern_text) is not None:
        return True
    return pattern_text[:2] == "^[" and pattern_text[-3:] in ("]+$", "]*$") \
        and _is_class(pattern_text[2:-3])


def _is_class(members: str) -> bool:
    """One or more of: a character of _CLASS_CHARACTERS, or `x-y` with both ends in one of
    _RANGE_ENDS. A `-` can only be the middle of a range that starts just before it, so one
    pass from the left decides."""
    at, size = 0, len(members)
    while at < size:
        if at + 2 < size and members[at + 1] == "-":
            if not any(members[at] in ends and members[at + 2] in ends for ends in _RANGE_ENDS):
                return False
            at += 3
        elif members[at] in _CLASS_CHARACTERS:
            at += 1
        else:
            return False
    return size > 0


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
