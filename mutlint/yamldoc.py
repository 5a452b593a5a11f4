"""Safe YAML loading that remembers where every value came from.

Rule and config files come from the repository being linted, so they are untrusted: we only ever
use PyYAML's SafeLoader, cap nesting depth and total node count (alias bombs expand through the
count), and convert the composed node graph to plain data iteratively. Every value's position is
kept so validation errors can say `path:line:col`. The parsing itself is mutlint.yaml_parse;
a document read before comes from the YAML memo (mutlint.yaml_memo) without it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mutlint.errors import Diagnostic, UsageError

if TYPE_CHECKING:
    from mutlint.yaml_memo import YamlMemo

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_BYTES = 2_000_000

STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "str", "int", "float", "bool", "null", "seq", "map", "timestamp"))

DocPath = tuple  # keys and indexes from the document root


class YamlDoc:
    path: str
    data: Any
    # An alias (`*name`) shares one value in two places: a copy (the memo's) would not.
    aliased: bool
    remembered: bool  # from the YAML memo: load_yaml_file (== ignores it)
    _value_marks: dict[DocPath, tuple[int, int]]
    _key_marks: dict[DocPath, tuple[int, int]]
    # A remembered document's marks, read when first asked for (see value_marks).
    _read_marks: Callable[[], tuple[dict[DocPath, tuple[int, int]], dict[DocPath, tuple[int, int]]]] | None

    def __init__(self, path: str, data: Any, value_marks: dict[DocPath, tuple[int, int]] | None = None,
                 key_marks: dict[DocPath, tuple[int, int]] | None = None, aliased: bool = False,
                 remembered: bool = False, read_marks: Callable[[], tuple[dict, dict]] | None = None
                 ) -> None:
        self.path = path
        self.data = data
        self._value_marks = {} if value_marks is None else value_marks
        self._key_marks = {} if key_marks is None else key_marks
        self._read_marks = read_marks
        self.aliased = aliased
        self.remembered = remembered

    @property
    def value_marks(self) -> dict[DocPath, tuple[int, int]]:
        """Where each value is. A remembered document reads its marks when they are first
        asked for: only an error message needs them, and reading a rule pack's thousand of
        them was 1.8 M instructions of every pre-commit run (yaml_memo.py)."""
        if self._read_marks is not None:
            self._take_marks()
        return self._value_marks

    @property
    def key_marks(self) -> dict[DocPath, tuple[int, int]]:
        if self._read_marks is not None:
            self._take_marks()
        return self._key_marks

    def _take_marks(self) -> None:
        read, self._read_marks = self._read_marks, None
        self._value_marks, self._key_marks = read()

    def __eq__(self, other: object) -> bool:  # a remembered document is the parsed one
        if type(other) is not type(self):
            return NotImplemented
        return (self.path, self.data, self.value_marks, self.key_marks, self.aliased) == \
            (other.path, other.data, other.value_marks, other.key_marks, other.aliased)

    __hash__ = None  # mutable and compared by value

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(path={self.path!r}, data={self.data!r}, "
                f"value_marks={self.value_marks!r}, key_marks={self.key_marks!r}, "
                f"aliased={self.aliased!r}, remembered={self.remembered!r})")

    def where(self, doc_path: DocPath, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value (or key) at doc_path, or its nearest ancestor."""
        doc_path = tuple(doc_path)
        if key and doc_path in self.key_marks:
            return self.key_marks[doc_path]
        while doc_path:
            if doc_path in self.value_marks:
                return self.value_marks[doc_path]
            doc_path = doc_path[:-1]
        return self.value_marks.get((), (1, 1))

    def error(self, doc_path: DocPath, message: str, *, key: bool = False) -> Diagnostic:
        line, column = self.where(doc_path, key=key)
        return Diagnostic(self.path, message, line, column)


def load_yaml_file(path: Path, display_path: str | None = None,
                   memo: YamlMemo | None = None, *, parse: bool = False) -> YamlDoc:
    """The file's document; with a memo, one whose bytes were read before is not parsed,
    unless `parse` (a remembered document its loader found wrong: the memo was damaged)."""
    shown = display_path or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(Diagnostic(shown, f"cannot read file ({exc.strerror or exc})")) from None
    if len(raw) > MAX_BYTES:
        raise UsageError(Diagnostic(shown, f"file is larger than {MAX_BYTES} bytes"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UsageError(Diagnostic(shown, "not valid UTF-8", line)) from None
    if memo is not None and not parse:
        known = memo.get(raw, shown)
        if known is not None:
            return known
    from mutlint.yaml_parse import load_yaml_text

    doc = load_yaml_text(text, shown)
    if memo is not None:
        memo.put(raw, doc)
    return doc
