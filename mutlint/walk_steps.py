"""The patterns walk_query.py matches, as plain records: what walk_patterns.py reads from a
query's text, and remembered_walks.py reads back from the YAML memo. They are kept apart from
the reader, which a warm run never calls: importing it cost a pre-commit check 1.5 M
instructions. Generic and tree-sitter only.
"""

from __future__ import annotations

import re

from mutlint.records import Record

TEXT_PREDICATES = frozenset({"eq?", "not-eq?", "match?", "not-match?", "any-of?"})


class Unsupported(Exception):
    """A shape of query the walk does not take."""


class Step(Record):
    """One node of a pattern: what it matches, its captures and its children's steps."""

    kinds: frozenset[int] | None  # the node's kind ids (aliases share a name); None: `(_)`, `_`
    named: bool | None  # must the node be named (None: `_`, any node)
    captures: tuple[str, ...]
    negated: tuple[int, ...]  # the ids of fields the node must not have
    children: tuple[Child, ...]
    last_anchored: bool  # `.` after the last child: it is the last named child
    # The text predicates on this node's captures, tested when it is met: a pattern's text
    # predicates are pure, so testing them before the rest of the match drops what the end
    # would, sooner (a query's calls mostly differ in a method name).
    tests: tuple[TextTest, ...] = ()


class TextTest(Record):
    kind: str  # "eq", "any" (the text is one of a set: any-of?, a list of words) or "match"
    value: bytes | frozenset[bytes] | re.Pattern
    positive: bool


class Child(Record):
    field: int | None  # a field id
    anchored: bool  # `.` before it: the next named child (the first, for the first step)
    step: Step


class Pattern(Record):
    root: Step
    predicates: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (name, ((value, type),))
    start_byte: int
