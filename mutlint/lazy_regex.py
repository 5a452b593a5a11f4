"""mutlint's own regexes, compiled when first used instead of when their module is imported.

Python compiles a regex in Python code (re._parser, re._compiler): 0.05 to 0.5 ms each, the
character class of report.printable, say, half a millisecond. A pre-commit check of one page
imported eight modules whose regexes it never used (a table's `Id<"t">` annotation, a log-like
table name, a suppression comment in a file that holds none) and paid for compiling them all,
about as much as its parse. Each regex here compiles on its first search, once per process.

Only for regexes written in mutlint: a user's regex is compiled, checked and time-limited by
regex_guard.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator


class LazyRegex:
    """The methods of a compiled re.Pattern that mutlint uses, compiling it first."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.match(text, pos)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)

    def sub(self, replacement: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.compiled.sub(replacement, text)
