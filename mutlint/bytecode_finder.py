"""Imports of mutlint's own modules straight from the bytecode Python cached for them.

Python's path finder costs about 300,000 instructions per module before the module's code
runs: it searches the package's path, then its loader works out the cache file's name, stats
the source, opens the cache file and checks its header, all in importlib's Python code. A
one-file check imports 79 of mutlint's modules, so that was about 9% of a pre-commit run.

This finder, first on `sys.meta_path`, takes a module of mutlint's package (not a package:
three of them, left to Python) to the file Python would have found, `<dir>/<name>.py`, and
reads `<dir>/__pycache__/<name>.<cache tag>.pyc`, which Python wrote when it first imported
it. It serves that bytecode only after the check Python makes of a timestamp-based cache file:
the magic number of this interpreter, and the source's mtime and size in the header. Anything
else -- no cache file yet, a stale or hash-based one, no source, `-O`, a pycache prefix -- is
left to Python's own finder, which then writes the cache file this one reads next time. The
loader is Python's own source loader, so modules get the same `__file__`, `__cached__`,
`__spec__` and resource reader as without this finder; tests/test_bytecode_finder.py holds
that every module of the package resolves to the file Python's finder picks.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib.machinery import ModuleSpec, SourceFileLoader
from io import open_code

# Beside importlib.util's MAGIC_NUMBER, without importing importlib.util (runpy imports it,
# a console script does not) for one constant.
from importlib._bootstrap_external import MAGIC_NUMBER  # noqa: E402  isort: skip

_HEADER_SIZE = 16  # magic, flags, source mtime, source size (PEP 552)
_TIMESTAMP_FLAGS = b"\0\0\0\0"


class _CachedBytecodeLoader(SourceFileLoader):
    """Python's source loader, handed the cache file's bytes the finder already read and
    checked; without them (a reload) it is Python's loader unchanged."""

    def __init__(self, fullname: str, path: str, cached: bytes) -> None:
        super().__init__(fullname, path)
        self._cached: bytes | None = cached

    def get_code(self, fullname: str):
        cached, self._cached = self._cached, None
        if cached is None or fullname != self.name:
            return super().get_code(fullname)
        return marshal.loads(memoryview(cached)[_HEADER_SIZE:])


class BytecodeFinder:
    """Finds `prefix`-named modules (not packages) in their cached bytecode; see the module."""

    def __init__(self, prefix: str, cache_tag: str) -> None:
        self.prefix = prefix
        self.cache_tag = cache_tag

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        if path is None or len(path) != 1 or not fullname.startswith(self.prefix):
            return None
        directory = path[0]
        leaf = fullname.rpartition(".")[2]
        source = f"{directory}{os.sep}{leaf}.py"
        cache = f"{directory}{os.sep}__pycache__{os.sep}{leaf}.{self.cache_tag}.pyc"
        try:
            with open_code(cache) as file:
                cached = file.read()
            status = os.stat(source)
        except (OSError, ValueError):
            return None
        if cached[:4] != MAGIC_NUMBER or cached[4:8] != _TIMESTAMP_FLAGS \
                or int.from_bytes(cached[8:12], "little") != int(status.st_mtime) & 0xFFFFFFFF \
                or int.from_bytes(cached[12:16], "little") != status.st_size & 0xFFFFFFFF:
            return None
        spec = ModuleSpec(fullname, _CachedBytecodeLoader(fullname, source, cached), origin=source)
        spec.cached = cache
        spec.has_location = True
        return spec


def install(package: str) -> None:
    """Put the finder first for `package`'s modules, unless cache files are named or placed
    otherwise than `<dir>/__pycache__/<name>.<tag>.pyc` (optimised runs, a pycache prefix)."""
    tag = sys.implementation.cache_tag
    if tag is None or sys.flags.optimize or sys.pycache_prefix is not None:
        return
    if any(isinstance(finder, BytecodeFinder) and finder.prefix == f"{package}."
           for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, BytecodeFinder(f"{package}.", tag))
