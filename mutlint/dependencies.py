"""What a computation read, so the cache can tell when its result is still good.

Every check and every memoised fact records its reads as a `Deps` node: the files it read
itself and the nodes of the facts it used. The nodes form a graph that is never flattened as a
whole: a project of 10,000 files has facts (every registered function, the call graph) that
read thousands of files, and most checks use them, so listing those files in every entry took
hundreds of megabytes. Instead, a fact that read the project's file list (the sign of a fact
about the whole project) is a *context*: its files and their hashes, and the contexts beneath
it, are stored once as a group named by the hash of its content, which entries name in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mutlint import json_codec
from mutlint.cache import Cache, content_hash

LISTING = "\0listing"  # the dependency "which files the project has"
INLINE_MAX = 16  # a context with at most this many files is listed in the entry itself


class Deps:
    """Files read directly, the Deps of facts used, and groups already in the cache."""

    __slots__ = ("files", "parts", "groups")

    def __init__(self, files: frozenset[str], parts: tuple[Deps, ...] = (),
                 groups: tuple[str, ...] = ()):
        self.files = files
        self.parts = parts
        self.groups = groups

    @property
    def context(self) -> bool:
        return LISTING in self.files

    def __reduce__(self):
        # Pickled as a call: the default for a __slots__ class unpickled a -j child's 8,600
        # Deps of the call graph's parts in 0.25 s, this in 0.01 s.
        return Deps, (self.files, self.parts, self.groups)


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
    once (`hash_of` says how: the project hashes the bytes it read, or asks the cache's file
    index); and which cached groups still hold."""

    def __init__(self, hash_of: Callable[[str], str], listing: Callable[[], Iterable[str]]):
        self._hash_of = hash_of
        self._listing = listing
        self._hashes: dict[str, str] = {}
        self._groups: dict[str, bool] = {}

    def of(self, dependency: str) -> str:
        found = self._hashes.get(dependency)
        if found is None:
            if dependency == LISTING:
                found = content_hash("\n".join(sorted(self._listing())).encode())
            else:
                found = self._hash_of(dependency)
            self._hashes[dependency] = found
        return found

    def unchanged(self, dependencies: dict[str, str]) -> bool:
        return all(self.of(dependency) == recorded for dependency, recorded in dependencies.items())

    def still_good(self, deps: dict[str, str], groups: list[str], cache: Cache) -> bool:
        """Are an entry's files and groups (and the groups they name) all as they were?"""
        return self.unchanged(deps) and all(self._group_good(digest, cache) for digest in groups)

    def _group_good(self, digest: str, cache: Cache) -> bool:
        stack, visiting = [digest], set()
        while stack:
            current = stack[-1]
            if current in self._groups:
                stack.pop()
                continue
            found = cache.get_group(current)
            if found is None or not self.unchanged(found[0]):
                self._groups[current] = False
                stack.pop()
                continue
            pending = [g for g in found[1] if g not in self._groups]
            if pending and current not in visiting:
                visiting.add(current)
                stack.extend(g for g in pending if g not in visiting)
                continue
            # Groups are named by their content, so they cannot contain each other; a
            # cycle could only be forged, and a group still pending here counts as changed.
            self._groups[current] = all(self._groups.get(g, False) for g in found[1])
            stack.pop()
        return self._groups[digest]


class Recorder:
    """Turns Deps into what an entry stores: files with their hashes, and group digests.

    A context (see the module's docstring) becomes a group of its own files and those of the
    facts beneath it, down to the next contexts, which it names as groups in turn: nothing is
    flattened, so memory stays proportional to what the run computed."""

    def __init__(self, cache: Cache, hashes: ContentHashes):
        self.cache = cache
        self.hashes = hashes
        # Per context node (keyed by the node itself, which keeps it alive): its group's
        # digest, or its files when they are few enough to list in whatever uses it.
        self._done: dict[Deps, str | frozenset[str]] = {}

    def record(self, root: Deps, leave_out: str | None = None) -> tuple[dict[str, str], list[str]]:
        files, groups = self._reach(root, expand_root=True)
        files.discard(leave_out)
        return {d: self.hashes.of(d) for d in sorted(files)}, sorted(groups)

    def _gather(self, start: Deps, expand_root: bool) -> tuple[set[str], set[str], list[Deps]]:
        """Files and cached groups reachable from `start` without entering a context, and
        the contexts met on the way."""
        files: set[str] = set()
        groups: set[str] = set()
        contexts: list[Deps] = []
        stack, seen = [start], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.context and not (node is start and expand_root):
                contexts.append(node)
                continue
            files |= node.files
            groups.update(node.groups)
            stack.extend(node.parts)
        return files, groups, contexts

    def _reach(self, start: Deps, expand_root: bool) -> tuple[set[str], set[str]]:
        files, groups, contexts = self._gather(start, expand_root)
        self._settle(contexts)
        self._absorb(contexts, files, groups)
        return files, groups

    def _absorb(self, contexts: list[Deps], files: set[str], groups: set[str]) -> None:
        """Settled contexts into what names them: a group's digest, or its few files."""
        for context in contexts:
            done = self._done[context]
            if isinstance(done, str):
                groups.add(done)
            else:
                files |= done

    def _settle(self, contexts: list[Deps]) -> None:
        """Give every context (and every context beneath it) its group, innermost first,
        without recursion."""
        stack = [(c, False) for c in contexts if c not in self._done]
        while stack:
            node, ready = stack.pop()
            if node in self._done:
                continue
            files, groups, inner = self._gather(node, expand_root=True)
            pending = [c for c in inner if c not in self._done]
            if pending:
                if ready:
                    raise RuntimeError("dependency cycle")  # memo guards make cycles impossible
                stack.append((node, True))
                stack.extend((c, False) for c in pending)
                continue
            self._absorb(inner, files, groups)
            if not groups and len(files) <= INLINE_MAX:
                self._done[node] = frozenset(files)
                continue
            members = {d: self.hashes.of(d) for d in sorted(files)}
            nested = sorted(groups)
            digest = group_digest(members, nested)
            self.cache.put_group(digest, members, nested)
            self._done[node] = digest


def group_digest(members: dict[str, str], nested: list[str]) -> str:
    return content_hash(json_codec.dumps([members, nested], sort_keys=True).encode())
