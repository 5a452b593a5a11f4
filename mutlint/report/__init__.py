"""Report writers: turn a CheckResult into bytes. They never parse or evaluate."""

from __future__ import annotations

# Control characters (and Unicode line separators) in file names or code must not break a
# line-based format or inject terminal escapes, so text outputs show them escaped. By
# str.translate: a regex was compiled for it (half a millisecond) in every run that reports.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES = {code: _NAMED.get(chr(code), f"\\x{code:02x}")
            for code in (*range(0x20), 0x7F, 0x2028, 0x2029)}


def printable(text: str) -> str:
    return text.translate(_ESCAPES)
