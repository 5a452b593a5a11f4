"""A rule message's placeholders: `{name}` and `{name.attribute}` (`{{` and `}}` are literal
braces, split off by the callers).

Read by string code, not the regex `\\{([A-Za-z][A-Za-z0-9_]*)(?:\\.([a-z][a-z0-9-]*))?\\}`,
whose compile cost every run (the loader checks each message's placeholders) more than its
searches: tests/test_regex_free_readers.py holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

from mutlint.regex_guard import WORD_CHARACTERS

_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_NAME = WORD_CHARACTERS  # letters, digits and `_`, all ASCII
_ATTRIBUTE_START = frozenset("abcdefghijklmnopqrstuvwxyz")
_ATTRIBUTE = _ATTRIBUTE_START | frozenset("0123456789-")

Placeholder = tuple[int, int, str, "str | None"]  # start, end, name, attribute


def placeholders(text: str) -> list[Placeholder]:
    """Each placeholder in `text`, left to right, as the regex's finditer finds them."""
    found: list[Placeholder] = []
    size = len(text)
    at = text.find("{")
    while at >= 0:
        end, name, attribute = _placeholder_at(text, at + 1, size)
        if end:
            found.append((at, end, name, attribute))
            at = text.find("{", end)
        else:
            at = text.find("{", at + 1)
    return found


def _placeholder_at(text: str, start: int, size: int) -> tuple[int, str, str | None]:
    """(end, name, attribute) of the placeholder whose name starts at `start` (just after a
    `{`), or (0, "", None). Each part is as long as it can be, and the character after it
    must be the next part's first, so there is nothing to backtrack."""
    if start >= size or text[start] not in _LETTERS:
        return 0, "", None
    at = start + 1
    while at < size and text[at] in _NAME:
        at += 1
    name = text[start:at]
    if at < size and text[at] == "}":
        return at + 1, name, None
    if at + 1 < size and text[at] == "." and text[at + 1] in _ATTRIBUTE_START:
        end = at + 2
        while end < size and text[end] in _ATTRIBUTE:
            end += 1
        if end < size and text[end] == "}":
            return end + 1, name, text[at + 1:end]
    return 0, "", None


def fill_placeholders(text: str, replace: Callable[[str, str | None], str]) -> str:
    """`text` with each placeholder replaced by replace(name, attribute)."""
    pieces, done = [], 0
    for start, end, name, attribute in placeholders(text):
        pieces += (text[done:start], replace(name, attribute))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)
