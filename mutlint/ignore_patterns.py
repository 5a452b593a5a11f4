"""gitignore-style patterns, as `.gitignore` files and the config's `exclude` write them:
pathspec's, compiled when first matched (pathspec's import alone costs a pre-commit run as much
as the rest of its start-up), with a shortcut for the usual answer, no match at all."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec


class IgnoreSpec:
    """gitignore-style patterns (pathspec's), with a shortcut for the usual answer. Compiled
    when first matched: a run whose files an earlier walk listed matches none."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self._spec = None
        self._may_match = None

    def match_file(self, path: str) -> bool:
        if self._spec is None:
            self._spec = _compile_ignore_lines(self.lines)
            self._may_match = _any_pattern_matcher(self._spec)
        if self._may_match is not None and self._may_match(path) is None:
            return False  # no pattern matches at all: nothing to weigh
        return self._spec.match_file(path)


def pattern_error(line: str) -> str | None:
    """Why `line` is no gitignore-style pattern (`!` alone, a trailing backslash), or None."""
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except ValueError as exc:  # pathspec's pattern errors are ValueErrors
        return str(exc)
    return None


def _compile_ignore_lines(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """Lines that are no valid pattern match nothing, as in git; the config's own patterns
    were checked when it was loaded (config._exclude_errors)."""
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:
        return pathspec.GitIgnoreSpec.from_lines(line for line in lines if pattern_error(line) is None)


def _any_pattern_matcher(spec: pathspec.GitIgnoreSpec):
    """One regex that matches where any excluding pattern of `spec` does, or None. Most files
    match no pattern, and one search answers that for them; weighing matches (negations, the
    last pattern wins) stays with pathspec. Any surprise in pathspec's regexes: no shortcut."""
    parts = []
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if getattr(pattern, "include", None) is None or regex is None:
            continue
        if regex.flags != re.compile("").flags:
            return None
        if pattern.include:  # groups renamed away: a union may not repeat a group's name
            parts.append("(?:" + re.sub(r"\(\?P<\w+>", "(?:", regex.pattern) + ")")
    try:
        return re.compile("|".join(parts) or "(?!)").search  # as pathspec matches
    except re.error:
        return None
