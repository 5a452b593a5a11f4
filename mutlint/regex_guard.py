"""User regexes (rule constraints, `regex:` filters, `#match?` in raw queries) come from the
repository under test, so they run under a time limit: a catastrophic pattern such as
`^(a+)+$` on a long line stops after REGEX_TIMEOUT seconds with RegexTimeout, which the engine
reports as that rule failing on that file, instead of hanging CI."""

from __future__ import annotations

from functools import lru_cache

import regex

REGEX_TIMEOUT = 0.25  # seconds per search
MAX_REGEX_LENGTH = 1000
MAX_SUBJECT_LENGTH = 100_000  # longer code is matched on its first characters only


class RegexTimeout(Exception):
    def __init__(self, pattern: str):
        super().__init__(f"regex /{pattern}/ took longer than {REGEX_TIMEOUT} s and was stopped")


def compile_user_regex(text: str) -> regex.Pattern:
    """Compile, or raise ValueError with the reason (too long, invalid)."""
    if len(text) > MAX_REGEX_LENGTH:
        raise ValueError(f"regex longer than {MAX_REGEX_LENGTH} characters")
    try:
        return _compile(text)
    except regex.error as exc:
        raise ValueError(f"invalid regex {text!r}: {exc}") from None


@lru_cache(maxsize=512)
def _compile(text: str) -> regex.Pattern:
    return regex.compile(text)


def guarded_search(pattern: regex.Pattern, subject: str) -> bool:
    try:
        return pattern.search(subject[:MAX_SUBJECT_LENGTH], timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise RegexTimeout(pattern.pattern) from None
