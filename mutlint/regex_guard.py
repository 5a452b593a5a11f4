"""User regexes (rule constraints, `regex:` filters, `#match?` in raw queries) come from the
repository under test, so they run under a time limit: a catastrophic pattern such as
`^(a+)+$` on a long line stops after REGEX_TIMEOUT seconds with RegexTimeout, which the engine
reports as that rule failing on that file, instead of hanging CI. A pattern that stays under
the limit on each line but is slow on thousands of them has a budget for the whole run too."""

from __future__ import annotations

import time
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

REGEX_TIMEOUT = 0.25  # seconds per search
REGEX_BUDGET = 5.0  # seconds per pattern and run
MAX_REGEX_LENGTH = 1000
MAX_SUBJECT_LENGTH = 100_000  # longer code is matched on its first characters only


class RegexTimeout(Exception):
    def __init__(self, pattern: str):
        super().__init__(f"regex /{pattern}/ took longer than {REGEX_TIMEOUT} s and was stopped")


def compile_user_regex(text: str, *,
                       deferred: bool = False) -> regex.Pattern | DeferredRegex | WordList:
    """Compile, or raise ValueError with the reason (too long, invalid). `deferred` leaves the
    compiling to the first search, for regexes known to compile (the shipped pack's). A list
    of words (`^(patch|replace)$`, the shape of nearly every constraint) needs no regex."""
    if len(text) > MAX_REGEX_LENGTH:
        raise ValueError(f"regex longer than {MAX_REGEX_LENGTH} characters")
    words = anchored_words(text)
    if words is not None:
        return WordList(text, words)
    if deferred:
        return DeferredRegex(text)
    import regex  # a pre-commit run that searches no user regex never imports it (10 ms)

    try:
        return _compile(text)
    except regex.error as exc:
        raise ValueError(f"invalid regex {text!r}: {exc}") from None


@lru_cache(maxsize=512)
def _compile(text: str) -> regex.Pattern:
    import regex

    return regex.compile(text)


class DeferredRegex:
    """A regex compiled on its first search; `pattern` is its text, as on a compiled one."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled: regex.Pattern | None = None

    def search(self, subject: str, **options):
        if self._compiled is None:
            self._compiled = _compile(self.pattern)
        return self._compiled.search(subject, **options)

    def __eq__(self, other) -> bool:
        return isinstance(other, DeferredRegex) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)


WORD_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def anchored_words(text: str) -> frozenset[str] | None:
    """The words of `^word$`, `^(one|two)$` or `^(?:one|two)$` (ASCII letters, digits and
    underscores), whose only matches are those words; None for any other regex."""
    if len(text) < 3 or text[0] != "^" or text[-1] != "$":
        return None
    body = text[1:-1]
    if body[:1] == "(" and body[-1:] == ")":
        body = body[3:-1] if body[1:3] == "?:" else body[1:-1]
        words = body.split("|")
    else:
        words = [body]  # an alternation outside a group would bind to the anchors: not words
    if all(word and WORD_CHARACTERS.issuperset(word) for word in words):
        return frozenset(words)
    return None


class WordList:
    """`^(one|two)$` searched as a set: the same answers as the regex (whose `$` also matches
    before a final newline), without importing or compiling one, and never slow."""

    __slots__ = ("pattern", "_words")

    def __init__(self, pattern: str, words: frozenset[str]):
        self.pattern = pattern
        self._words = words

    def search(self, subject: str, **options) -> bool | None:
        if subject[-1:] == "\n":
            subject = subject[:-1]
        return True if subject in self._words else None

    def __eq__(self, other) -> bool:
        return isinstance(other, WordList) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)


class RegexBudgetSpent(RegexTimeout):
    def __init__(self, pattern: str):
        Exception.__init__(self, f"regex /{pattern}/ has used its {REGEX_BUDGET} s for this run "
                                 "and was stopped")


_spent: dict[str, float] = defaultdict(float)


def reset_regex_budget() -> None:
    _spent.clear()


def guarded_search(pattern: regex.Pattern | DeferredRegex | WordList, subject: str) -> bool:
    if type(pattern) is WordList:
        return pattern.search(subject[:MAX_SUBJECT_LENGTH]) is not None  # a set: no time limit
    spent = _spent[pattern.pattern]
    if spent >= REGEX_BUDGET:
        raise RegexBudgetSpent(pattern.pattern)
    started = time.perf_counter()
    try:
        return pattern.search(subject[:MAX_SUBJECT_LENGTH],
                              timeout=min(REGEX_TIMEOUT, REGEX_BUDGET - spent)) is not None
    except TimeoutError:
        if _spent[pattern.pattern] + time.perf_counter() - started >= REGEX_BUDGET:
            raise RegexBudgetSpent(pattern.pattern) from None
        raise RegexTimeout(pattern.pattern) from None
    finally:
        _spent[pattern.pattern] += time.perf_counter() - started
