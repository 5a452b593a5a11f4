"""Queries compiled with their nested parent nodes as wildcards, whose types Python tests.

tree-sitter analyses every node of a query that has children ("a parent") against the whole
parse table when it compiles the query: for the TypeScript grammar that costs tens of millions
of instructions a parent, and the rules' query of a mutation file compiled 383 M instructions,
a third of a pre-commit check. A wildcard parent `(_ ...)` is not analysed. So a parent that
hangs below a field, `function: (member_expression object: ...)`, is compiled as
`function: (_ object: ...) @_mutlint_is_member_expression`, and a match whose hidden capture
holds a node of another type is dropped (`kinds_hold`): the matches left are the typed query's.

Only a node below a field is rewritten: a field holds one node, so the wildcard cannot pair a
pattern with another child than the typed node would. A quantified node (`?`, `*`, `+`) is
left alone (its typed form may skip a child the wildcard binds), as are supertypes (`node.type`
names the subtype) and names the grammar lacks (the compile reports them as before).

The roots keep their types unless asked (`roots`): tree-sitter starts a match only at a node of
the root's type, and wildcard roots made matching a tree 2.5 times as costly, so only a run of a
few files, whose compile outweighs its matching, takes them (rules/rule_set.py, FEW_FILES).
Matching with nested wildcards costs what it did (461 M instructions for 150 pages either way).
Generic and tree-sitter only.
"""

from __future__ import annotations

import re

import tree_sitter

from mutlint.lazy_regex import LazyRegex

KIND_PREFIX = "_mutlint_is_"
# The query language's tokens; anything else (a node type, `_`, an anchor) is one character
# or a name the patterns below do not need to tell apart.
_TOKENS = LazyRegex(r"""
    (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<comment>;[^\n]*)
  | (?P<field>[A-Za-z_][\w-]*[ \t]*:)
  | (?P<name>[@#!]?[A-Za-z_][\w.\-/?!]*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def lighten(source: str, language: tree_sitter.Language, *, roots: bool = False) -> str:
    """`source` with every parent node below a field made a wildcard, and a hidden capture
    naming the type it had (see the module's docstring); with `roots`, the patterns' root
    parents too. Unchanged when nothing applies."""
    if KIND_PREFIX in source:
        return source  # a capture of ours already (or a user's of our name): left as written
    tokens = [(m.lastgroup, m.start(), m.group()) for m in _TOKENS.finditer(source)
              if m.lastgroup not in ("space", "comment")]
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), not overlapping
    enclosing: list[str] = []  # what each open bracket opened: node, group or alternation
    for index, (_, _, text) in enumerate(tokens):
        if text == "(":
            following = tokens[index + 1] if index + 1 < len(tokens) else ("", 0, "")
            opened = "node" if following[0] == "name" and following[2][0] not in "@#!" else "group"
            if opened == "node":
                below_field = index > 0 and tokens[index - 1][0] == "field"
                is_root = all(each == "group" for each in enclosing)
                if below_field or (roots and is_root):
                    edits.extend(_as_wildcard(tokens, index, language))
            enclosing.append(opened)
        elif text == "[":
            enclosing.append("alternation")
        elif text in (")", "]") and enclosing:
            enclosing.pop()
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    return source


def _as_wildcard(tokens: list[tuple[str, int, str]], opening: int,
                 language: tree_sitter.Language) -> list[tuple[int, int, str]]:
    """The edits that make the node opened at `opening` a wildcard with its type captured, or
    none where that could change what matches (or would save nothing: a leaf)."""
    _, type_at, type_name = tokens[opening + 1]
    if type_name == "_" or "/" in type_name or not _in_trees(language, type_name):
        return []
    closing = _closing(tokens, opening)
    if closing is None or not _has_child(tokens[opening + 2:closing]):
        return []
    if closing + 1 < len(tokens) and tokens[closing + 1][2] in ("?", "*", "+"):
        return []
    close_at = tokens[closing][1]
    return [(type_at, type_at + len(type_name), "_"),
            (close_at + 1, close_at + 1, f" @{KIND_PREFIX}{type_name}")]


def kind_checks(query: tree_sitter.Query) -> tuple[tuple[str, str], ...]:
    """(hidden capture, node type) for each type lighten() replaced in the query."""
    names = (query.capture_name(index) for index in range(query.capture_count))
    return tuple((name, name[len(KIND_PREFIX):]) for name in names if name.startswith(KIND_PREFIX))


def kinds_hold(captures: dict[str, list[tree_sitter.Node]],
               checks: tuple[tuple[str, str], ...]) -> bool:
    """Does every node a hidden capture holds have the type its parent step had?"""
    for capture, kind in checks:
        nodes = captures.get(capture)
        if nodes is not None:
            for node in nodes:
                if node.type != kind:
                    return False
    return True


def _closing(tokens: list[tuple[str, int, str]], opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(tokens)):
        text = tokens[index][2]
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _has_child(inside: list[tuple[str, int, str]]) -> bool:
    """Does a node's content hold a child step (and so make the node a parent)?"""
    return any(text in ("(", "[") or kind == "string" or (kind == "name" and text[0] not in "@#!")
               for kind, _, text in inside)


def _in_trees(language: tree_sitter.Language, type_name: str) -> bool:
    """Is this a named node type a tree holds, so that node.type can name it? A supertype
    (`expression`) is hidden: its nodes are of their subtypes' types."""
    symbol = language.id_for_node_kind(type_name, True)
    return symbol is not None and language.node_kind_is_visible(symbol)
