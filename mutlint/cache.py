"""The on-disk cache in `.mutlint_cache/`: what a file's check produced, and what it depended on.

An entry is kept per linted file: the file's content hash, the content hashes of the other
files the Convex model read to check it (most of them through shared groups, see
mutlint.dependencies), and the match records, suppression directives and parse-error finding
the check produced. A later run reuses the entry only when all of those hashes still match,
so an edit to a mutation invalidates the pages that call it and nothing else.

Everything about the cache is distrusted: entries are plain JSON decoded into typed values and
any entry that does not decode is ignored and rebuilt; a cache directory that git tracks (one a
pull request could have forged) is not read at all; writes go to a temporary file that replaces
its shard atomically, so concurrent runs see an old shard or a new one, never half of one. The
salt (mutlint's version and code, the rules, the config and the rule selection) names a
directory of its own, so runs with different settings never read each other's entries.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from mutlint import digests, json_codec
from mutlint.file_index import FileIndex, stat_of
from mutlint.listing_memo import LISTING_FILE, ListingMemo

CACHE_DIR = ".mutlint_cache"
KEEP_SALTS = 4  # settings directories kept; older ones are removed when a new one is made
MISSING = "-"  # the hash of a file that could not be read


def content_hash(data: bytes | None) -> str:
    return MISSING if data is None else digests.blake2b(data, digest_size=16).hexdigest()


CODE_MEMO = "code.json"  # in the cache dir: the stats of the code's files -> their content hash
_CODE_MEMO_SIZE = 16


class CodeFingerprint:
    value: str
    memo: Path | None
    known: dict[str, str]  # the memo's entries, with this run's

    def __init__(self, value: str, memo: Path | None, known: dict[str, str]) -> None:
        self.value = value
        self.memo = memo
        self.known = known

    def remember(self) -> None:
        """Write the memo: only once the cache dir is known to be ours (open_cache)."""
        if self.memo is None or not self.memo.parent.is_dir() or self.memo.parent.is_symlink():
            return
        try:
            write_atomically(self.memo, json_codec.dumps(self.known))
        except OSError:
            pass  # a read-only cache: hashed again next time


def code_fingerprint(*modules: Any, memo: Path | None = None) -> CodeFingerprint:
    """mutlint's own code and the given packages' (the grammar), by content: a checkout edited
    without a version bump, or another tree-sitter build, must not reuse entries, and a fresh
    install of the same code (a CI runner restoring its cache) must. Hashing the 5 MB of files
    takes about 10 ms, so `memo` (CODE_MEMO, beside the entries) maps their paths, sizes and
    times to the hash: a machine that has seen these files pays for a listing and their stats
    (about 0.4 ms). (Files changed keeping all three, as builds that fix every mtime could,
    would go unnoticed.)"""
    packages = [Path(__file__).resolve().parent, *(Path(m.__file__).resolve().parent for m in modules)]
    found = _code_files(packages)  # (package index, path, size, mtime), in path order
    stat_key = content_hash("\n".join(f"{path}:{size}:{mtime}" for _, path, size, mtime in found)
                            .encode())
    known = _read_code_memo(memo)
    if stat_key in known:
        return CodeFingerprint(known[stat_key], None, known)  # nothing new to remember
    digest = digests.blake2b(digest_size=16)
    for index, path, _, _ in found:  # named from their package, so any install path gives one hash
        with open(path, "rb") as handle:
            data = handle.read()
        digest.update(f"{index}/{os.path.relpath(path, packages[index])}\0{len(data)}\0".encode())
        digest.update(data)
    value = digest.hexdigest()
    known = dict(list({**known, stat_key: value}.items())[-_CODE_MEMO_SIZE:])
    return CodeFingerprint(value, memo, known)


def _code_files(packages: list[Path]) -> list[tuple[int, str, int, int]]:
    """The code files (.py, .json and extension modules) under each package, with their stats:
    the listing is what a one-file check pays for the memo's answer, so it is made with
    scandir (whose entries know whether they are directories) and without __pycache__ (only
    bytecode, which follows the sources)."""
    found = []
    for index, package in enumerate(packages):
        pending = [str(package)]
        while pending:
            directory = pending.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                elif entry.name.endswith((".py", ".json", ".so", ".pyd")):
                    stat = entry.stat()
                    found.append((index, entry.path, stat.st_size, stat.st_mtime_ns))
    found.sort()
    return found


def _read_code_memo(memo: Path | None) -> dict[str, str]:
    if memo is None:
        return {}
    try:
        known = json_codec.loads(memo.read_bytes())
    except (OSError, ValueError, RecursionError):  # too deep a nesting too
        return {}  # none yet, or damaged: hashed again and rewritten
    if not isinstance(known, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in known.items()):
        return {}
    return known


class Entry:
    hash: str
    deps: dict[str, str]  # relpath (or the file list) -> content hash when the entry was made
    payload: dict[str, Any]  # what the check produced, encoded by mutlint.cache_records
    groups: list[str]  # digests of dependency groups (see below)

    def __init__(self, hash: str, deps: dict[str, str], payload: dict[str, Any],
                 groups: list[str] | None = None) -> None:
        self.hash = hash
        self.deps = deps
        self.payload = payload
        self.groups = [] if groups is None else groups


class Cache:
    """The entries of one project under one salt. `disabled` caches read and write nothing."""

    directory: Path | None
    new: dict[str, Entry]
    _shards: dict[str, dict[str, str]]  # each shard's entries read so far, as JSON text
    _read_as: dict[str, list[int] | None]  # the stat of the file each shard was read from
    files: FileIndex  # what each file's stat says of its bytes
    listings: ListingMemo  # what each walk found, while its dirs are unchanged

    def __init__(self, directory: Path | None, new: dict[str, Entry] | None = None) -> None:
        self.directory = directory
        self.new = {} if new is None else new
        self._shards = {}
        self._read_as = {}
        self.files = FileIndex(self.directory)
        # The salt directory is <root>/.mutlint_cache/<salt>: walks are kept relative to root.
        self.listings = ListingMemo(None, "") if self.directory is None else \
            ListingMemo(self.directory / LISTING_FILE, str(self.directory.parent.parent))

    @property
    def disabled(self) -> bool:
        return self.directory is None

    def get_fact(self, key: tuple[str, ...]) -> Entry | None:
        """A fact about the project (see Project.stored), under its own name space."""
        return self.get(_fact_name(key))

    def put_fact(self, key: tuple[str, ...], entry: Entry) -> None:
        self.put(_fact_name(key), entry)

    def get_group(self, digest: str) -> tuple[dict[str, str], list[str]] | None:
        """A dependency group: files with their hashes, and the groups it contains, that many
        entries share (what a fact about the whole project read), stored once under the
        digest of its content; one whose content does not match its digest is not used."""
        entry = self.get(_group_name(digest))
        if entry is None or content_hash(json_codec.dumps([entry.deps, entry.groups], sort_keys=True)
                                         .encode()) != digest:
            return None
        return entry.deps, entry.groups

    def put_group(self, digest: str, members: dict[str, str], nested: list[str]) -> None:
        self.put(_group_name(digest), Entry("", members, {}, nested))

    def get(self, name: str) -> Entry | None:
        if self.directory is None:
            return None
        text = self._shard(_shard_of(name)).get(_encode_name(name))
        if text is None:
            return None
        try:
            raw = json_codec.loads(text)
            entry = Entry(raw["hash"], raw["deps"], raw["payload"], raw.get("groups", []))
        except (ValueError, RecursionError, KeyError, TypeError, AttributeError):
            return None  # absent or corrupted: rebuilt, never trusted
        return entry if _well_formed(entry) else None

    def put(self, name: str, entry: Entry) -> None:
        if self.directory is not None:
            self.new[name] = entry

    def _shard(self, shard: str) -> dict[str, str]:
        """Entries live in 256 shard files (facts in up to 256 more), by the hash of their name:
        a file per entry made the first run on 10,000 files spend two seconds creating files.
        A shard's entries stay JSON text until one is asked for (see _entries_of)."""
        found = self._shards.get(shard)
        if found is None:
            path = self.directory / f"{shard}{SHARD_SUFFIX}"
            self._read_as[shard] = stat_of(path)
            try:
                found = _entries_of(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # none yet, or not UTF-8
                found = {}
            self._shards[shard] = found
        return found

    def save(self) -> None:
        """Write the new entries; a cache that cannot be written is simply not kept. A shard
        another run replaced since this one read it (it has another stat: every write is a new
        file) is read again just before it is replaced, so the entries that run wrote stay (at
        worst a concurrent run's entry is lost, and made again next time); one unchanged is
        not, as the file index's: reading it again was 40% of the writes' cost, 8 M
        instructions of a pre-commit run on a mutation file."""
        if self.directory is None or not (self.new or self.files.new or self.listings.pending):
            return
        by_shard: dict[str, dict[str, Entry]] = {}
        for name, entry in self.new.items():
            by_shard.setdefault(_shard_of(name), {})[name] = entry
        try:
            fresh = not self.directory.is_dir()
            self.directory.mkdir(parents=True, exist_ok=True)
            if fresh:
                _prune_old_salts(self.directory.parent)
            for shard, entries in sorted(by_shard.items()):
                path = self.directory / f"{shard}{SHARD_SUFFIX}"
                if shard in self._shards and stat_of(path) != self._read_as[shard]:
                    del self._shards[shard]
                merged = dict(self._shard(shard))
                for name, entry in entries.items():
                    merged[_encode_name(name)] = json_codec.dumps({
                        "hash": entry.hash, "deps": entry.deps, "groups": entry.groups,
                        "payload": entry.payload}, sort_keys=True, compact=True)
                write_atomically(path, shard_text(merged))
                self._shards[shard], self._read_as[shard] = merged, stat_of(path)
            self.files.save(write_atomically)
            self.listings.save(write_atomically)
        except OSError:
            pass
        self.new.clear()


def cache_dir_is_ours(root: Path) -> bool:
    """May this run read and write the project's cache dir? Not if it is a link (which could
    send the cache's writes anywhere on the machine), nor if git tracks it (see below)."""
    top = root / CACHE_DIR
    return not (top.is_symlink() or (top.is_dir() and _tracked_by_git(root)))


def open_cache(root: Path, salt: str, enabled: bool = True, ours: bool | None = None) -> Cache:
    """The cache of this salt; `ours` is cache_dir_is_ours(root) when already asked."""
    if not enabled:
        return Cache(None)
    top = root / CACHE_DIR
    if not (cache_dir_is_ours(root) if ours is None else ours):
        return Cache(None)
    try:
        _mark_cache_dir(top)
    except OSError:
        return Cache(None)  # a read-only checkout: run without a cache
    return Cache(top / content_hash(salt.encode()))


# A shard file has a line per entry: the entry's name as a JSON string, a tab, and the entry as
# JSON. Both are ASCII with every control character escaped, so neither holds a tab or a
# newline. The text of an entry is decoded only when the entry is asked for, and an entry
# unchanged is written back as the text it was read as: a check of one mutation file reads
# 9 shards of 116 entries for 9 of them, and its facts' shards held about 86 KB of entries
# that were decoded and encoded again to replace one in each (13 M instructions of 270 M).
SHARD_SUFFIX = ".entries"
_encode_name = json_codec.encode_string


def _entries_of(text: str) -> dict[str, str]:
    """A shard's text -> each entry's encoded name -> its JSON text. A line without a tab is
    not an entry (a damaged file); the text of one is checked when it is decoded."""
    found = {}
    start, size = 0, len(text)
    while start < size:  # by str.find, which is memchr: str.split reads the text a char at a time
        end = text.find("\n", start)
        if end < 0:
            end = size
        tab = text.find("\t", start, end)
        if tab >= 0:
            found[text[start:tab]] = text[tab + 1:end]
        start = end + 1
    return found


def shard_text(entries: dict[str, str]) -> str:
    """The file of a shard's entries (encoded name -> JSON text), in a stable order."""
    return "".join(f"{name}\t{entry}\n" for name, entry in sorted(entries.items()))


def _well_formed(entry: Entry) -> bool:
    return isinstance(entry.hash, str) and isinstance(entry.payload, dict) \
        and isinstance(entry.deps, dict) and isinstance(entry.groups, list) \
        and all(isinstance(k, str) and isinstance(v, str) for k, v in entry.deps.items()) \
        and all(isinstance(g, str) for g in entry.groups)


def _group_name(digest: str) -> str:
    return "\0group " + digest


def _fact_name(key: tuple[str, ...]) -> str:
    return "\0fact " + json_codec.dumps(list(key))  # no file's relative path starts with NUL


def _shard_of(name: str) -> str:
    # Facts have shards of their own, 16 per kind of fact: a warm run whose files are all
    # unchanged reads check entries only, and one after a page edit the pages' facts only;
    # the model's per-file parts would more than double what either loads.
    if name.startswith("\0fact "):
        kind = name.split(",", 1)[0]
        return "f" + content_hash(kind.encode())[:1] + content_hash(name.encode())[:1]
    return content_hash(name.encode())[:2]


def _mark_cache_dir(top: Path) -> None:
    """The cache ignores itself in git and tells backup tools what it is."""
    if (top / ".gitignore").is_file():
        return
    top.mkdir(exist_ok=True)
    write_atomically(top / ".gitignore", "# Created by mutlint: the whole directory is a cache.\n*\n")
    write_atomically(top / "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                      "# This file is a cache directory tag created by mutlint.\n")


def _tracked_by_git(root: Path) -> bool:
    """A cache committed to the repository came from whoever wrote the commit: not ours."""
    from mutlint.git_index import tracks
    from mutlint.workspace import git_root

    top = git_root(root)
    if top is None:
        return False  # no repository: nothing is tracked, and no git process to start
    known = tracks(top, root / CACHE_DIR)  # the index read directly, in the common layouts
    if known is not None:
        return known
    import subprocess  # here, as below: a run that needs none should not pay its import
    try:
        done = subprocess.run(["git", "ls-files", "--cached", "-z", "--", CACHE_DIR], cwd=root,
                              capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and bool(done.stdout)


def write_atomically(path: Path, text: str) -> None:
    # A name of our own, created exclusively (what tempfile.mkstemp does, without its import).
    temporary = path.parent / f".tmp-{os.getpid()}-{time.time_ns()}-{path.name}"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _prune_old_salts(top: Path) -> None:
    import shutil

    salts = [p for p in top.iterdir() if p.is_dir()]
    salts.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in salts[KEEP_SALTS:]:
        shutil.rmtree(old, ignore_errors=True)

