"""A parsed source file: path, bytes, tree-sitter tree, and position helpers.

Every file is read and parsed once per run. Positions are reported as 1-based lines and 1-based
columns counted in UTF-16 code units, the unit TypeScript, ESLint and GitHub use.
"""

from __future__ import annotations

import importlib.machinery
import os
import stat
import sys
from bisect import bisect_right
from functools import cache
from itertools import repeat
from pathlib import Path
from types import ModuleType
from typing import Any

import tree_sitter

from mutlint.records import Record
from mutlint.walk_query import Captures, NotWalkable, WalkQuery

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


def _find_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of the top-level module `name` as an import would find it, without loading it."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        spec = find_spec(name, None) if find_spec is not None else None
        if spec is not None:
            return spec
    return None


@cache
def grammars() -> ModuleType:
    """tree_sitter_typescript's compiled grammars. Its package's `__init__` imports
    importlib.resources (and through it tempfile and random) to offer query files mutlint never
    reads, a tenth of a one-file check's start-up; so its extension module is loaded alone, and
    the package is imported only where its layout is not the one expected. (The package is
    found as importlib.util.find_spec would, by asking the finders on sys.meta_path in turn:
    importlib.util itself costs a check run by the console script 1.5 M instructions.)"""
    spec = _find_spec("tree_sitter_typescript")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(location, f"_binding{suffix}")
            if os.path.isfile(path):
                name = "tree_sitter_typescript._binding"
                loader = importlib.machinery.ExtensionFileLoader(name, path)
                module = loader.create_module(importlib.machinery.ModuleSpec(name, loader, origin=path))
                loader.exec_module(module)
                return module
    import tree_sitter_typescript

    return tree_sitter_typescript


@cache
def ts_language(name: str) -> tree_sitter.Language:
    if name == TYPESCRIPT:
        return tree_sitter.Language(grammars().language_typescript())
    return tree_sitter.Language(grammars().language_tsx())


@cache
def ts_parser(name: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(ts_language(name))


@cache
def compiled_query(language: str, source: str) -> tree_sitter.Query:
    """A query compiled once per run (tree-sitter takes milliseconds per query), its nested
    parents as wildcards: test its matches with light_queries.kinds_hold. (light_queries is
    imported by the compiles alone: a run of a few files walks its queries instead.)"""
    from mutlint.light_queries import lighten

    grammar = ts_language(language)
    return tree_sitter.Query(grammar, lighten(source, grammar))


# A run of a few files matches its queries by a walk in Python rather than compile them
# (walk_query.py): the engine says which kind of run this is.
_WALKING = [False]


def walk_queries(enabled: bool) -> None:
    _WALKING[0] = enabled


def walking_queries() -> bool:
    return _WALKING[0]


@cache
def walk_query(language: str, source: str) -> WalkQuery | None:
    return WalkQuery.parse(source, ts_language(language))


def query_matches(language: str, source: str, node: tree_sitter.Node) -> list[tuple[int, Captures]]:
    """(pattern, captures) of every match of a query within `node`, as the typed query gives
    them: walked in a run of a few files where the walk takes the query and the tree, else
    compiled once per run with its nested parents as wildcards, whose types are tested here."""
    if _WALKING[0]:
        walk = walk_query(language, source)
        if walk is not None:
            try:
                return walk.matches(node)
            except NotWalkable:
                pass  # a tree with an error, say: tree-sitter's matches it is
    from mutlint.light_queries import kind_checks, kinds_hold

    query = compiled_query(language, source)
    checks = kind_checks(query)
    return [(pattern, captures) for pattern, captures in tree_sitter.QueryCursor(query).matches(node)
            if kinds_hold(captures, checks)]


def language_for(path: Path | str) -> str | None:
    """os.path.splitext's suffix (dots that start the name start no suffix), looked up without
    splitext's Python-level cost: this runs for every entry of a walk and of a listing memo."""
    name = os.fspath(path)
    dot = name.rfind(".")
    language = LANGUAGE_BY_SUFFIX.get(name[dot:].lower()) if dot > 0 else None
    if language is None:
        return None
    start = max(name.rfind("/"), name.rfind(os.sep)) + 1  # where the last component starts
    return language if name[start:dot].strip(".") else None


def is_source_name(name: str) -> bool:
    """`language_for(name) is not None`, for a bare file name (no directory part), at half its
    cost: asked of every entry a walk lists and every name a listing memo holds, 10,000 of
    them in a large project's pre-commit run."""
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in LANGUAGE_BY_SUFFIX and name[:dot].strip(".") != ""


def are_source_names(names: list[str]) -> bool:
    """`is_source_name` of every name, none of which holds a path separator, at half the cost
    of a call per name: a listing memo's 1,000 names are tested joined, by C-level loops. A
    name ends with a language's suffix exactly when the suffix after its last dot is that one
    (no suffix holds a second dot), and its stem is all dots exactly when the name without
    its leading dots is a bare suffix (`..ts`). Lowercasing the joined names, as
    is_source_name lowercases a suffix, changes no dot, separator or NUL."""
    if not names:
        return True
    joined = "\0".join(names).lower()
    if "/" in joined or os.sep in joined:
        return False
    lowered = joined.split("\0")
    return len(lowered) == len(names) \
        and all(map(str.endswith, lowered, repeat(_SUFFIXES))) \
        and _BARE_SUFFIXES.isdisjoint(map(str.lstrip, lowered, repeat(".")))


_SUFFIXES = tuple(LANGUAGE_BY_SUFFIX)
_BARE_SUFFIXES = frozenset(suffix[1:] for suffix in LANGUAGE_BY_SUFFIX)


class UnreadableSource(Exception):
    """The file cannot be linted; the message says why in a few words. `from_content`: the
    reason lies in the bytes (or the size), so it holds for as long as they do."""

    def __init__(self, message: str, from_content: bool = True):
        super().__init__(message)
        self.from_content = from_content


class Position(Record):
    line: int  # 1-based
    column: int  # 1-based, UTF-16 code units


class SourceFile:
    path: Path  # absolute
    relpath: str  # POSIX path relative to the project root, used in all output
    language: str
    data: bytes
    tree: tree_sitter.Tree
    _line_starts: list[int] | None
    # Facts of the tree alone (its imports, say), computed once per file whoever asks.
    derived: dict[str, Any]

    def __init__(self, path: Path, relpath: str, language: str, data: bytes, tree: tree_sitter.Tree,
                 derived: dict[str, Any] | None = None) -> None:
        self.path = path
        self.relpath = relpath
        self.language = language
        self.data = data
        self.tree = tree
        self._line_starts = None
        self.derived = {} if derived is None else derived

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
        line = max(bisect_right(starts, byte_offset) - 1, 0)  # the last line start <= offset
        prefix = self.data[starts[line] : byte_offset]
        if prefix.isascii():  # a byte is a UTF-16 unit: no decoding
            return Position(line + 1, len(prefix) + 1)
        return Position(line + 1, utf16_length(prefix.decode("utf-8", "replace")) + 1)

    def node_positions(self, node: tree_sitter.Node) -> tuple[Position, Position]:
        """position() of the node's start and end, from the rows and byte columns its tree
        keeps (both count lines at "\n"): no line table to build or search."""
        return (self._point_position(node.start_point, node.start_byte),
                self._point_position(node.end_point, node.end_byte))

    def _point_position(self, point: tree_sitter.Point, byte_offset: int) -> Position:
        row, column = point
        prefix = self.data[byte_offset - column : byte_offset]
        if prefix.isascii():
            return Position(row + 1, column + 1)
        return Position(row + 1, utf16_length(prefix.decode("utf-8", "replace")) + 1)

    def line_text(self, line: int) -> str:
        starts = self.line_starts()
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.data)
        return self.data[starts[line - 1] : end].decode("utf-8", "replace").rstrip("\r\n")


def line_text_of(data: bytes, line: int) -> str:
    """Line `line` (1-based) of a file's bytes without its line break, "" past the end: what
    SourceFile.line_text gives, for a file whose tree is released (or was never parsed)."""
    if line < 1:
        return ""
    start = 0
    for _ in range(line - 1):
        at = data.find(b"\n", start)
        if at == -1:
            return ""
        start = at + 1
    end = data.find(b"\n", start)
    return data[start: len(data) if end == -1 else end].decode("utf-8", "replace").rstrip("\r\n")


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


GENERATED_MARKERS = (b"@generated", b"do not edit", b"automatically generated",
                     b"auto-generated", b"autogenerated")
MINIFIED_MIN_BYTES = 5_000
MINIFIED_BYTES_PER_LINE = 250
# Minified code has almost no white space; a hand-written file with a long line (an AI prompt
# in one string, say) has the spaces of its prose and must still be linted.
MINIFIED_MAX_WHITESPACE = 0.08


def generated_reason(data: bytes) -> str | None:
    """Why a file looks generated or minified, or None. Cheap: a header and a line count, each
    cut short where it can be (a tenth of the time a cold check spent reading 10,000 files)."""
    header = data[:1024].lower()
    if b"generated" in header or b"do not edit" in header:  # within or equal to every marker
        for marker in GENERATED_MARKERS:
            if marker in header:
                return f"generated (its header says \"{marker.decode()}\")"
    size = len(data)
    if size < MINIFIED_MIN_BYTES:
        return None
    # Lines of at most MINIFIED_BYTES_PER_LINE bytes on average: those of the file's first
    # quarter are as many as that already in a hand-written file (whose lines are far
    # shorter), and counting them is enough.
    if data.count(b"\n", 0, size // 4) + 1 >= size / MINIFIED_BYTES_PER_LINE:
        return None
    lines = data.count(b"\n") + 1
    if size / lines > MINIFIED_BYTES_PER_LINE and \
            (data.count(b" ") + data.count(b"\t") + lines) / size < MINIFIED_MAX_WHITESPACE:
        return f"minified ({size} bytes on {lines} line{'s' if lines != 1 else ''})"
    return None


def load_bytes(path: Path, *, max_size: int | None = None, skip_generated: bool = False,
               status: os.stat_result | None = None) -> bytes:
    """A file's bytes if mutlint can lint it, else UnreadableSource with a short reason. All
    byte-level checks, so a file can be judged (and skipped) before it is parsed. `status`:
    the file's stat if the caller has it already."""
    if language_for(path) is None:
        raise UnreadableSource("not a TypeScript or JavaScript file")
    try:
        status = status or path.stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe or a device would block or never end
            raise UnreadableSource("not a regular file", from_content=False)
        if max_size is not None and status.st_size > max_size:
            raise UnreadableSource(f"larger than {max_size} bytes (max-file-size)")
        data = _read_all(path, status.st_size)
    except OSError as exc:
        raise UnreadableSource(f"cannot read file ({exc.strerror or exc})", from_content=False) from None
    if max_size is not None and len(data) > max_size:
        raise UnreadableSource(f"larger than {max_size} bytes (max-file-size)")
    if not data or data.isspace():  # (what `not data.strip()` says, without copying the file)
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
    if skip_generated:
        reason = generated_reason(data)
        if reason is not None:
            raise UnreadableSource(f"{reason}; set lint-generated: true to lint it")
    return data


def _read_all(path: Path, size: int) -> bytes:
    """The file's bytes with plain system calls: no buffered file object per file (reading the
    10,000 files of the benchmark went from 0.10 s to 0.085 s). Reads on until the end: a read
    may return less, and the file may have grown since its stat."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while chunk := os.read(handle, max(size + 1, 1 << 16) if not chunks else 1 << 20):
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(handle)


def read_source(path: Path, relpath: str, *, max_size: int | None = None,
                skip_generated: bool = False) -> SourceFile:
    """Read and parse one file, or raise UnreadableSource with a short reason."""
    data = load_bytes(path, max_size=max_size, skip_generated=skip_generated)
    return parse_source(data, path, relpath, language_for(path))


def parse_source(data: bytes, path: Path, relpath: str, language: str) -> SourceFile:
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


def node_at(root: tree_sitter.Node, start: int, end: int, node_type: str) -> tree_sitter.Node | None:
    """The node of this type that spans exactly these bytes: how plain data (byte offsets) finds
    a node again, in a file that may have been parsed again since."""
    node = root.descendant_for_byte_range(start, end)
    while node is not None and (node.start_byte, node.end_byte) == (start, end):
        if node.type == node_type:
            return node
        node = node.parent
    return None
