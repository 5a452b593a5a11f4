"""Reading a raw tree-sitter query's text: its predicates and its captures, skipping strings
and comments, without compiling it (a compile costs milliseconds for this grammar)."""

from __future__ import annotations

import re

# Text predicates py-tree-sitter evaluates. Any other `#name?` would silently count as true.
KNOWN_PREDICATES = frozenset({
    "eq?", "not-eq?", "any-eq?", "any-not-eq?", "match?", "not-match?", "any-match?",
    "any-not-match?", "any-of?", "not-any-of?",
})
# Regex predicates are renamed so that mutlint, not py-tree-sitter, evaluates them, under the
# time limit of regex_guard (the query pass's predicate callback handles the new names).
GUARDED_PREDICATES = {"match?": "mutlint-match?", "not-match?": "mutlint-not-match?",
                      "any-match?": "mutlint-any-match?", "any-not-match?": "mutlint-any-not-match?"}


def _string_after(query: str, start: int) -> str | None:
    """The first string literal after `start` within the same predicate, unescaped."""
    i = start
    while i < len(query) and query[i] not in '")':
        i += 1
    if i >= len(query) or query[i] != '"':
        return None
    value, i = [], i + 1
    while i < len(query) and query[i] != '"':
        if query[i] == "\\" and i + 1 < len(query):
            i += 1
            value.append({"n": "\n", "t": "\t"}.get(query[i], query[i]))
        else:
            value.append(query[i])
        i += 1
    return "".join(value)


def scan_predicates(query: str) -> list[tuple[str, int, int, int, str | None]]:
    """(name, line, column, offset, first string argument) of every `#predicate` in query
    source, skipping strings and comments."""
    found = []
    line, column, i = 1, 1, 0
    in_string = False
    while i < len(query):
        ch = query[i]
        if in_string:
            if ch == "\\":
                i += 2
                column += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == ";":
            while i < len(query) and query[i] != "\n":
                i += 1
            continue
        elif ch == "#":
            m = re.match(r"#([A-Za-z_][A-Za-z0-9_-]*[?!]?)", query[i:])
            if m:
                found.append((m.group(1), line, column, i, _string_after(query, i + len(m.group(0)))))
        if ch == "\n":
            line, column = line + 1, 1
        else:
            column += 1
        i += 1
    return found


def guard_match_predicates(query: str) -> str:
    """Rename regex predicates so the query pass evaluates them with a time limit."""
    for name, _, _, offset, _ in reversed(scan_predicates(query)):
        if name in GUARDED_PREDICATES:
            query = query[:offset + 1] + GUARDED_PREDICATES[name] + query[offset + 1 + len(name):]
    return query




def capture_name_end(query: str, start: int) -> int:
    """Where the capture name starting at `start` ends: tree-sitter's identifier characters
    are alphanumerics of any script, `_`, `-`, `.`, `?` and `!` (the regex
    `(?:[^\\W]|[.?!-])+`, read by string code: its compile cost every run more than its use)."""
    end, size = start, len(query)
    while end < size and (query[end].isalnum() or query[end] in "_.?!-"):
        end += 1
    return end


def capture_names(query: str) -> list[str]:
    """The capture names a query uses, in order of first use, as tree-sitter would list them:
    what the loader needs of the shipped pack's queries, whose compiling the test suite checks."""
    names: dict[str, None] = {}
    i = 0
    while i < len(query):
        ch = query[i]
        if ch == '"':
            i += 1
            while i < len(query) and query[i] != '"':
                i += 2 if query[i] == "\\" else 1
        elif ch == ";":
            while i < len(query) and query[i] != "\n":
                i += 1
        elif ch == "@":
            end = capture_name_end(query, i + 1)
            if end > i + 1:
                names.setdefault(query[i + 1:end])
                i = end
                continue
        i += 1
    return list(names)
