"""What a computation read, so the cache can tell when its result is still good.

Every check and every memoised fact records its reads as a `Deps` node: the files it read
itself and the nodes of the facts it used. The nodes form a graph that is never flattened as a
whole: a project of 10,000 files has facts (every registered function, the call graph) that
read thousands of files, and most checks use them, so listing those files in every entry took
hundreds of megabytes. Instead, a fact that read the project's file list (the sign of a fact
about the whole project) is a *context*: its files and their hashes are stored once, under the
hash of that list, as a group that entries name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from mutlint.cache import Cache, content_hash

LISTING = "\0listing"  # the dependency "which files the project has"
INLINE_MAX = 16  # a context with at most this many files is listed in the entry itself


class Deps:
    """Files read directly, the Deps of facts used, and groups already in the cache."""

    __slots__ = ("files", "parts", "groups", "_flat")

    def __init__(self, files: frozenset[str], parts: tuple[Deps, ...] = (),
                 groups: tuple[str, ...] = ()):
        self.files = files
        self.parts = parts
        self.groups = groups
        self._flat: tuple[frozenset[str], frozenset[str]] | None = None

    @property
    def context(self) -> bool:
        return LISTING in self.files

    def flat(self) -> tuple[frozenset[str], frozenset[str]]:
        """(every file, every group) under this node, computed once per node, iteratively."""
        stack: list[tuple[Deps, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if node._flat is not None:
                continue
            if not expanded:
                stack.append((node, True))
                stack.extend((part, False) for part in node.parts if part._flat is None)
                continue
            files, groups = set(node.files), set(node.groups)
            for part in node.parts:
                part_files, part_groups = part._flat
                files |= part_files
                groups |= part_groups
            node._flat = (frozenset(files), frozenset(groups))
        return self._flat


class Reads:
    """An open computation's reads, while it runs."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.parts: dict[int, Deps] = {}

    def use(self, deps: Deps) -> None:
        self.parts.setdefault(id(deps), deps)

    def close(self) -> Deps:
        return Deps(frozenset(self.files), tuple(self.parts.values()))


class ContentHashes:
    """The content hash of each project file (and of the file list) in this run, each computed
    once, from the bytes the run itself reads; and which cached groups still hold."""

    def __init__(self, read: Callable[[str], bytes | None], listing: Callable[[], Iterable[str]]):
        self._read = read
        self._listing = listing
        self._hashes: dict[str, str] = {}
        self._groups: dict[str, bool] = {}

    def of(self, dependency: str) -> str:
        found = self._hashes.get(dependency)
        if found is None:
            if dependency == LISTING:
                found = content_hash("\n".join(sorted(self._listing())).encode())
            else:
                found = content_hash(self._read(dependency))
            self._hashes[dependency] = found
        return found

    def unchanged(self, dependencies: dict[str, str]) -> bool:
        return all(self.of(dependency) == recorded for dependency, recorded in dependencies.items())

    def still_good(self, deps: dict[str, str], groups: list[str], cache: Cache) -> bool:
        """Are an entry's files and groups all as they were when it was made?"""
        if not self.unchanged(deps):
            return False
        for digest in groups:
            if digest not in self._groups:
                members = cache.get_group(digest)
                self._groups[digest] = members is not None and self.unchanged(members)
            if not self._groups[digest]:
                return False
        return True


class Recorder:
    """Turns Deps into what an entry stores: files with their hashes, and group digests."""

    def __init__(self, cache: Cache, hashes: ContentHashes):
        self.cache = cache
        self.hashes = hashes
        self._digests: dict[Deps, str] = {}  # keyed by the node itself, which keeps it alive

    def record(self, root: Deps, leave_out: str | None = None) -> tuple[dict[str, str], list[str]]:
        direct: set[str] = set()
        groups: set[str] = set()
        stack, seen = [root], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            groups.update(node.groups)
            if node.context:
                files, inner = node.flat()
                groups |= inner
                if len(files) > INLINE_MAX:
                    groups.add(self._group(node, files))
                else:
                    direct |= files
                continue
            direct |= node.files
            stack.extend(node.parts)
        direct.discard(leave_out)
        return {d: self.hashes.of(d) for d in sorted(direct)}, sorted(groups)

    def _group(self, node: Deps, files: frozenset[str]) -> str:
        digest = self._digests.get(node)
        if digest is None:
            members = {d: self.hashes.of(d) for d in sorted(files)}
            digest = content_hash(json.dumps(members, sort_keys=True).encode())
            self.cache.put_group(digest, members)
            self._digests[node] = digest
        return digest
