"""Report writers: turn a CheckResult into bytes. They never parse or evaluate."""

from __future__ import annotations

from mutlint.lazy_regex import LazyRegex

# Control characters (and Unicode line separators) in file names or code must not break a
# line-based format or inject terminal escapes, so text outputs show them escaped.
_CONTROL = LazyRegex(r"[\x00-\x1f\x7f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)
