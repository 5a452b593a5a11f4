"""A parsed source file: path, bytes, tree-sitter tree, and position helpers.

Every file is read and parsed once per run. Positions are reported as 1-based lines and 1-based
columns counted in UTF-16 code units, the unit TypeScript, ESLint and GitHub use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tree_sitter
import tree_sitter_typescript

TYPESCRIPT = "typescript"
TSX = "tsx"

# .tsx and the JavaScript family use the TSX grammar (JSX allowed); plain TypeScript does not,
# because `<T>x` type assertions are ambiguous with JSX.
LANGUAGE_BY_SUFFIX = {
    ".ts": TYPESCRIPT,
    ".mts": TYPESCRIPT,
    ".cts": TYPESCRIPT,
    ".tsx": TSX,
    ".jsx": TSX,
    ".js": TSX,
    ".mjs": TSX,
    ".cjs": TSX,
}
LANGUAGES = (TYPESCRIPT, TSX)
UTF8_BOM = b"\xef\xbb\xbf"
BINARY_SNIFF_BYTES = 8192


@cache
def ts_language(name: str) -> tree_sitter.Language:
    if name == TYPESCRIPT:
        return tree_sitter.Language(tree_sitter_typescript.language_typescript())
    return tree_sitter.Language(tree_sitter_typescript.language_tsx())


@cache
def ts_parser(name: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(ts_language(name))


def language_for(path: Path | str) -> str | None:
    return LANGUAGE_BY_SUFFIX.get(Path(path).suffix.lower())


class UnreadableSource(Exception):
    """The file cannot be linted; the message says why in a few words."""


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, UTF-16 code units


@dataclass
class SourceFile:
    path: Path  # absolute
    relpath: str  # POSIX path relative to the project root, used in all output
    language: str
    data: bytes
    tree: tree_sitter.Tree
    _line_starts: list[int] | None = field(default=None, repr=False)

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.data.find
            at = find(b"\n")
            while at != -1:
                starts.append(at + 1)
                at = find(b"\n", at + 1)
            self._line_starts = starts
        return self._line_starts

    def position(self, byte_offset: int) -> Position:
        starts = self.line_starts()
        lo, hi = 0, len(starts) - 1
        while lo < hi:  # last line start <= offset
            mid = (lo + hi + 1) // 2
            if starts[mid] <= byte_offset:
                lo = mid
            else:
                hi = mid - 1
        prefix = self.data[starts[lo] : byte_offset].decode("utf-8", "replace")
        return Position(lo + 1, utf16_length(prefix) + 1)

    def line_text(self, line: int) -> str:
        starts = self.line_starts()
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.data)
        return self.data[starts[line - 1] : end].decode("utf-8", "replace").rstrip("\r\n")


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def read_source(path: Path, relpath: str) -> SourceFile:
    """Read and parse one file, or raise UnreadableSource with a short reason."""
    language = language_for(path)
    if language is None:
        raise UnreadableSource("not a TypeScript or JavaScript file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(f"cannot read file ({exc.strerror or exc})") from None
    return parse_source(data, path, relpath, language)


def parse_source(data: bytes, path: Path, relpath: str, language: str) -> SourceFile:
    if not data.strip():
        raise UnreadableSource("empty file")
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        raise UnreadableSource("binary file (contains NUL bytes)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnreadableSource(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); "
            "save the file as UTF-8 to lint it"
        ) from None
    # A BOM is not TypeScript syntax; blank it out so byte offsets stay those of the file.
    parse_data = b"   " + data[3:] if data.startswith(UTF8_BOM) else data
    tree = ts_parser(language).parse(parse_data)
    return SourceFile(path=path, relpath=relpath, language=language, data=data, tree=tree)


def first_syntax_error(tree: tree_sitter.Tree) -> tree_sitter.Node | None:
    """The first ERROR or MISSING node in document order, found without recursion."""
    if not tree.root_node.has_error:
        return None
    cursor = tree.root_node.walk()
    while True:
        node = cursor.node
        if node.type == "ERROR" or node.is_missing:
            return node
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None


def descendants(node: tree_sitter.Node):
    """Every node strictly below `node`, in document order (tree cursor, no recursion)."""
    cursor = node.walk()
    if not cursor.goto_first_child():
        return
    while True:
        yield cursor.node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.node == node:
                return
