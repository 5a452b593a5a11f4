"""The project being linted: its root, its Convex functions dir and its parsed files.

Facts about the project are memoised here, per file or per project, so every rule that asks
for the same fact pays for it once per run.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from operator import methodcaller
from pathlib import Path
from typing import Any

from mutlint import source
from mutlint.byte_facts import ByteFacts
from mutlint.cache import Cache
from mutlint.dependencies import LISTING, ContentHashes, Deps, Reads, Recorder
from mutlint.file_index import Known
from mutlint.file_reads import FileReads
from mutlint.handed_facts import HandedFacts
from mutlint.source import SourceFile
from mutlint.stored_facts import StoredFacts

# What a relative import may name: `./x` is x.ts, x.tsx, ..., or x/index.ts, ...
_IMPORT_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# Test files in the functions dir (`foo.test.ts`, convex-test's usual place) are not deployed:
# their `t.run(async (ctx) => ctx.db.insert(...))` writes are fixtures, not the app's traffic.
_TEST_FILE_MARKERS = (".test.", ".spec.")


def is_test_file(relpath: str) -> bool:
    name = relpath.rpartition("/")[2]  # asked for every file the model reads: no PurePosixPath
    return any(marker in name for marker in _TEST_FILE_MARKERS)


_MISSING = object()


def module_stem(inner: str) -> str:
    """A module's name from its file's path within the functions dir: without its extension."""
    stem, dot, _ = inner.rpartition(".")
    return stem if dot else inner


class NeedsWholeModel(BaseException):
    """A whole-project fact (the call graph, the flows) was asked while the engine defers the
    checks that need one (Project.whole_model). A BaseException, so that the facts' and the
    rules' `except Exception` let it through to the engine."""


TRANSIENT_TREES = 16  # files parsed for facts, not for their own check, kept parsed (release)

class Project(FileReads, StoredFacts, ByteFacts, HandedFacts):
    """Files are parsed on first use and kept, so a file is parsed once per run whether it is
    reported on, read for context (schema, crons, helpers), or both; a client file no other
    file's facts read is released once checked (see release)."""

    root: Path
    convex_dir: str  # POSIX path relative to root, no trailing slash ("convex", "src/convex")
    # Every lintable file (relpath -> path), or a function that finds them: walking the project
    # is left until some fact needs context, so a run that parses nothing never walks.
    sources_found: dict[str, str] | Callable[[], dict[str, str]]
    files: dict[str, SourceFile]  # relpath -> parsed file
    unreadable: dict[str, str]  # relpath -> why it was skipped
    high_volume_tables: list[str] | None  # from the config; None: estimate from code
    max_file_size: int | None
    skip_generated: bool
    _memo: dict[tuple, tuple[Any, Deps]]
    _raw: dict[str, bytes]
    # Open computations, innermost last: every file read is recorded in each, so the cache
    # knows which files a check (or a memoised fact) depended on.
    _reading: list[Reads]
    cache: Cache
    _hashes: ContentHashes | None
    _recorder: Recorder | None
    # The stat each file had when this run first looked at it (None: it could not be stat'ed),
    # and the content hash of the bytes read under it: what the cache's file index records.
    _status: dict[str, os.stat_result | None]
    _read_hash: dict[str, str]
    _known: dict[str, Known | None]
    _imports_resolved: dict[tuple[str, str], str | None]
    # Memo keys being computed, innermost last, with whether the value is plain data; files
    # read for another file's or the project's facts that may hold their nodes; and each file's
    # own memo keys (key[1] == relpath).
    _computing: list[tuple[tuple, bool]]
    # The file whose own check is running (the engine sets it): only its own facts may use its
    # tree without pinning it. Hooks of the facts in use, run on a file before its release.
    checking: str | None
    release_hooks: tuple[Callable[[Project, SourceFile], None], ...]
    # Called with a file parsed for another file's facts (not its own check): the engine runs
    # the file's rules' walk then, if the file waits for its own check (scan.py).
    parse_hook: Callable[[SourceFile], None] | None
    _pinned: set[str]
    _keys_of_file: dict[str, list[tuple]]
    _values: dict[str, tuple[Any, str]]  # value, digest
    _transient: list[str]  # see _release_transient
    _fetched: list[set[str]]  # by each open computation
    _releasing: set[str]  # whose release hooks run
    _generation: dict[str, int]  # releases per file
    # While set, a whole-project fact not yet built raises NeedsWholeModel instead: the engine
    # checks every other file first, and each leaves its parts behind (see whole_model).
    defer_whole_model: bool
    verdicts: dict[str, Any]  # the engine's, per file
    _lasting_keys: set[tuple]  # memo keys of plain facts
    _pending: dict[str, list[bytes]]  # see adopt
    _byte_facts: dict[str, dict[str, bool]]  # name -> relpath -> what its bytes say
    _deployed: tuple[dict[str, str], list[str]] | None  # the file list -> deployed_sources()
    parses: int  # trees made, for whatever reason (--statistics)

    def __init__(self, root: Path, convex_dir: str,
                 sources_found: dict[str, str] | Callable[[], dict[str, str]] | None = None,
                 files: dict[str, SourceFile] | None = None, unreadable: dict[str, str] | None = None,
                 high_volume_tables: list[str] | None = None, max_file_size: int | None = None,
                 skip_generated: bool = True, cache: Cache | None = None, checking: str | None = None,
                 release_hooks: tuple[Callable[[Project, SourceFile], None], ...] = (),
                 defer_whole_model: bool = False, verdicts: dict[str, Any] | None = None,
                 parses: int = 0) -> None:
        self.root = root
        self.convex_dir = convex_dir
        self.sources_found = {} if sources_found is None else sources_found
        self.files = {} if files is None else files
        self.unreadable = {} if unreadable is None else unreadable
        self.high_volume_tables = high_volume_tables
        self.max_file_size = max_file_size
        self.skip_generated = skip_generated
        self._memo = {}
        self._raw = {}
        self._reading = []
        self.cache = Cache(None) if cache is None else cache
        self._hashes = None
        self._recorder = None
        self._status = {}
        self._read_hash = {}
        self._known = {}
        self._imports_resolved = {}
        self._computing = []
        self.checking = checking
        self.release_hooks = release_hooks
        self.parse_hook = None
        self._pinned = set()
        self._keys_of_file = {}
        self._deployed = None
        self._values = {}
        self._transient = []
        self._fetched = []
        self._releasing = set()
        self._generation = {}
        self.defer_whole_model = defer_whole_model
        self.verdicts = {} if verdicts is None else verdicts
        self._lasting_keys = set()
        self._pending = {}
        self._byte_facts = {}
        self.parses = parses

    @property
    def sources(self) -> dict[str, str]:
        self._read(LISTING)
        if callable(self.sources_found):
            self.sources_found = self.sources_found()
        return self.sources_found

    def _read(self, dependency: str) -> None:
        if self._reading:
            self._reading[-1].files.add(dependency)

    def reads_of(self, compute: Callable[[], Any]) -> tuple[Any, Deps]:
        """compute()'s value and what it read (files, LISTING, the facts it used)."""
        self._reading.append(Reads())
        try:
            value = compute()
        finally:
            deps = self._reading.pop().close()
        if self._reading:
            self._reading[-1].use(deps)
        return value, deps

    def file(self, relpath: str, path: Path | None = None) -> SourceFile | None:
        """The parsed file, or None if it cannot be read (the reason is in `unreadable`)."""
        self._read(relpath)
        if relpath not in self._pinned and self._may_keep_nodes(relpath):
            self._pinned.add(relpath)
        if self._fetched:
            self._fetched[-1].add(relpath)  # held by the open computation: see _release_transient
        if relpath in self.files:
            return self.files[relpath]
        path = path or self.root / relpath
        data = self.raw(relpath, path)
        if data is None:
            return None
        parsed = source.parse_source(data, path, relpath, source.language_for(path))
        self.parses += 1
        self.files[relpath] = parsed
        if self._computing and relpath != self.checking and relpath not in self._pinned:
            self._transient.append(relpath)  # parsed for a fact: see _release_transient
        self._raw.pop(relpath, None)  # the parsed file keeps the bytes
        if self.parse_hook is not None and relpath != self.checking:
            self.parse_hook(parsed)
        return parsed

    def _may_keep_nodes(self, relpath: str) -> bool:
        """May the code asking for this file keep its nodes beyond the file's own facts? Yes
        unless it is the file's own check, or a fact of its own, with no other file's or the
        project's node-holding fact being computed around it (a lasting one is plain data)."""
        for key, lasting in reversed(self._computing):
            if lasting:
                # Plain data keeps no node: what the facts around it hold of this file can
                # only come out of it as plain data too (a file's own memos of the file are
                # forgotten with its tree).
                return False
            if key[1:2] != (relpath,):
                return True
        return self.checking != relpath

    def release(self, relpath: str) -> None:
        """Forget a checked file's tree and the facts built on it: a tree costs about 40 times
        its source, and 10,000 realistic files' trees would not fit the RSS budget. Kept are
        files that facts of another file, or node-holding facts of the project (the schema, the
        crons), read; the rest of the model is plain data. The bytes stay, so the file is never
        read twice. Asked for again, the file is parsed again."""
        if relpath in self._pinned or relpath not in self.files or relpath in self._releasing:
            return
        self._releasing.add(relpath)
        # Hooks keep what the file alone gives: not charged to the computations open around
        # this release, never building the whole model (that would re-enter its build), and
        # releasing nothing themselves (releases would nest without bound).
        outer = self._reading, self._computing, self._fetched, self.defer_whole_model
        self._reading, self._computing, self._fetched, self.defer_whole_model = [], [], [], True
        try:
            for hook in self.release_hooks:
                try:
                    hook(self, self.files[relpath])
                except NeedsWholeModel:
                    pass  # a part that needs the whole model is computed when asked
        finally:
            self._reading, self._computing, self._fetched, self.defer_whole_model = outer
            self._releasing.discard(relpath)
        self._raw[relpath] = self.files.pop(relpath).data
        self._generation[relpath] = self._generation.get(relpath, 0) + 1
        for key in self._keys_of_file.pop(relpath, ()):
            self._memo.pop(key, None)

    def _compute(self, key: tuple, compute: Callable[[], Any],
                 lasting: bool) -> tuple[tuple[Any, Deps], bool]:
        """(compute()'s value with its reads, whether it may be memoised): a file's own fact
        whose file was released meanwhile holds nodes of a tree that is gone, and is not."""
        if lasting:
            self._lasting_keys.add(key)
        own = key[1] if not lasting and len(key) > 1 and isinstance(key[1], str) else None
        generation = self._generation.get(own, 0) if own is not None else None
        self._computing.append((key, lasting))
        self._fetched.append(set())
        try:
            found = self.reads_of(compute)
        finally:
            self._computing.pop()
            self._fetched.pop()
            if lasting or not self._computing:
                self._release_transient()
        if own is not None:
            if self._generation.get(own, 0) != generation:
                return found, False
            self._keys_of_file.setdefault(own, []).append(key)
        return found, True

    def parsed_for_facts(self) -> list[str]:
        """Files parsed for facts (not for their own check) and still parsed, in parse order."""
        return [relpath for relpath in self._transient if relpath in self.files]

    def _release_transient(self) -> None:
        """Release the files facts parsed that nothing holds, but the last few: building the
        call graph reads every file of the functions dir, and keeping them all would keep every
        tree, while the file a fact parsed is often what the next one asks for (a helper many
        files import; a file's part of the flows after its part of the graph). A file whose
        check comes later is parsed again for it if it is gone by then. Never released is a
        file an open computation fetched itself (it may still use the tree; were the file
        parsed again, its facts would mix two trees' nodes), nor the file being checked."""
        excess = len(self._transient) - TRANSIENT_TREES
        if excess <= 0 or self._releasing:
            return
        in_use = set().union(*self._fetched) | {self.checking}
        kept, released = [], []
        for relpath in self._transient:
            if len(released) < excess and relpath not in in_use:
                released.append(relpath)
            else:
                kept.append(relpath)
        self._transient = kept
        for relpath in released:
            try:
                self.release(relpath)
            except Exception:
                pass  # kept parsed; a hook that failed fails again, and is reported, in its rule

    def deploys(self, relpath: str) -> bool:
        """Is this a file of the functions dir that Convex deploys (not a `.d.ts`, not a test)?"""
        return self.in_convex_dir(relpath) and not relpath.endswith(".d.ts") \
            and not is_test_file(relpath)

    def convex_files(self) -> list[SourceFile]:
        """Every readable file in the functions dir that Convex deploys, in path order."""
        return [f for relpath in self.convex_relpaths() if (f := self.file(relpath)) is not None]

    def convex_relpaths(self) -> list[str]:
        """convex_files' paths, without parsing them: for facts built from each file's plain
        summary, which a file checked (and released) earlier in the run already has."""
        return [relpath for relpath in self.deployed_sources() if self.raw(relpath) is not None]

    def deployed_sources(self) -> list[str]:
        """The sources that deploys() holds, in path order: a read of the file list, as
        `sources` is. Worked out once per file list, by a prefix test before the calls: the
        model asks for them in every check of a mutation file, and testing each of an app's
        files (a quarter of them in the functions dir) by deploys() was 1 M instructions."""
        sources = self.sources
        if self._deployed is None or self._deployed[0] is not sources:
            prefix = self.convex_dir + "/" if self.convex_dir else ""
            inside = sorted(filter(methodcaller("startswith", prefix), sources))
            # Most functions dirs hold no declaration or test file: one search of all the
            # names tells, instead of two tests per file.
            names = "\n".join(inside) + "\n"
            if ".d.ts\n" in names or any(marker in names for marker in _TEST_FILE_MARKERS):
                inside = [relpath for relpath in inside
                          if not relpath.endswith(".d.ts") and not is_test_file(relpath)]
            self._deployed = (sources, inside)
        return self._deployed[1]

    def resolve_import(self, from_relpath: str, specifier: str) -> str | None:
        """The project file a relative import names, if it is one of the project's sources."""
        if not specifier.startswith("."):
            return None
        base = posixpath.dirname(from_relpath)
        key = (base, specifier)
        if key not in self._imports_resolved:  # strings only: paths cost a tenth of the model
            target = posixpath.normpath(posixpath.join(base, specifier) if base else specifier)
            stem = posixpath.splitext(target)[0] if target.endswith(
                (".js", ".mjs", ".cjs", ".jsx")) else target
            candidates = [target, *(stem + s for s in _IMPORT_SUFFIXES),
                          *(f"{target}/index{s}" for s in _IMPORT_SUFFIXES)]
            sources = self.sources
            self._imports_resolved[key] = next((c for c in candidates if c in sources), None)
        else:
            self._read(LISTING)  # what the answer was computed from
        return self._imports_resolved[key]

    def memo(self, key: tuple, compute: Callable[[], Any], *, lasting: bool = False) -> Any:
        """compute() once per run. A key `(name, relpath, ...)` is that file's, forgotten when
        its tree is released, unless `lasting` (plain data)."""
        found = self._memo.get(key, _MISSING)
        if found is _MISSING and key[0] in self._pending:
            self._adopt_pending(key)
            found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found, keep = self._compute(key, compute, lasting)
            if keep:
                self._memo[key] = found
        elif self._reading:
            self._reading[-1].use(found[1])  # a fact used is a fact's reads depended on
        return found[0]

    def whole_model(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """A whole-project fact built from every file's plain parts. Built before the files
        are checked, it parses each of them for its parts and again for its check; asked only
        after they were checked, it finds every part ready. So while the engine defers (it
        checks the files that do not need one first), the first ask raises NeedsWholeModel."""
        if key[0] in self._pending:
            self._adopt_pending(key)
        if key not in self._memo and (self.defer_whole_model or any(
                open_key == key for open_key, _ in self._computing)):
            raise NeedsWholeModel(key)  # deferred, or asked again while being built
        return self.memo(key, compute, lasting=True)

    def plain(self, name: str, relpath: str, compute: Callable[[SourceFile], Any], default: Any,
              codec: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None) -> Any:
        """A file's lasting (plain-data) fact, `default` if the file cannot be read: the file
        is parsed only if the fact is not known yet, so facts built from every file's part
        (the call graph, the flows) read released files without parsing them again. With a
        codec (encode, decode) it is stored: the next run reads it from the cache while the
        files it was computed from are unchanged."""
        def build() -> Any:
            file = self.file(relpath)
            return default if file is None else compute(file)

        if codec is not None:
            return self.stored((name, relpath), build, *codec)
        return self.memo((name, relpath), build, lasting=True)

    def in_convex_dir(self, relpath: str) -> bool:
        prefix = self.convex_dir + "/" if self.convex_dir else ""
        return relpath.startswith(prefix)

    def module_name(self, relpath: str) -> str:
        """Convex's module name for a file: `subscriptions/lifecycle` for
        `convex/subscriptions/lifecycle.ts`. A file outside the configured functions dir (a
        nested app linted from its parent, say) is named from the last directory that has the
        functions dir's name, else from its whole path."""
        if self.in_convex_dir(relpath):
            inner = relpath[len(self.convex_dir) + 1 :] if self.convex_dir else relpath
        else:
            marker = "/" + (self.convex_dir.rsplit("/", 1)[-1] or "convex") + "/"
            at = ("/" + relpath).rfind(marker)
            inner = ("/" + relpath)[at + len(marker):] if at != -1 else relpath
        return module_stem(inner)
