"""What earlier runs learned of each file's bytes, found again from the file's stat alone.

A warm run over 10,000 files spent most of its time reading and hashing files whose cache
entries only needed their hashes, and reading the three quarters of them that no rule can
match only to find that out again. The index keeps, per file, the stat it had when it was read
(size, mtime, ctime, inode) with its content hash and the verdict on those bytes: which rules
may match them and whether they need a parse, or why they cannot be linted. A file whose stat
is unchanged is not read.

This is git's index trick, with git's caution about "racy" files: a file changed within the
same timestamp tick as the read that hashed it would keep its stat, so a stat younger than
RACY_SECONDS when it was read is never recorded, and such a file is read again next time. A
changed inode or ctime (a file replaced, or its times set back by hand) is a change too.
The index lives in the cache's salt directory, so a verdict is only reused with the rules and
config that made it; like every cache entry it is decoded defensively and never trusted. It is
kept in INDEX_SHARDS files by a sum of the path's bytes: a pre-commit run on one page of a
10,000-file project decoded all 10,000 entries to look up four files, and wrote them all
again to record one (27 ms of a 120 ms run); it now reads and writes the shards it touches.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from mutlint import json_codec
from mutlint.records import Record

RACY_SECONDS = 2  # FAT and some network filesystems keep times to 2 s
INDEX_PREFIX = "files-"  # shard k is files-<k in hex>.json, beside the cache's entries
INDEX_SHARDS = 32

# A verdict: why the bytes cannot be linted (str), or [needs a parse, rule id, ...].
Verdict = str | list


class Known(Record):
    hash: str
    verdict: Verdict | None  # None: the bytes were hashed but never judged


def stat_key(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


class FileIndex:
    directory: Path | None  # the cache's salt directory; None: no cache, nothing is kept
    new: dict[str, list[Any]]  # relpath -> [*stat_key, hash, verdict]
    _shards: dict[int, dict[str, Any]]  # the shards read so far
    _read_as: dict[int, list[int] | None]  # the stat of the file each was read from

    def __init__(self, directory: Path | None, new: dict[str, list[Any]] | None = None) -> None:
        self.directory = directory
        self.new = {} if new is None else new
        self._shards = {}
        self._read_as = {}

    def lookup(self, relpath: str, status: os.stat_result) -> Known | None:
        if self.directory is None:
            return None
        raw = self.new.get(relpath) or self._shard(index_shard_of(relpath)).get(relpath)
        if not isinstance(raw, list) or len(raw) != 6 or raw[:4] != stat_key(status) \
                or not isinstance(raw[4], str) or not _is_verdict(raw[5]):
            return None  # another stat, or not an entry this code wrote: read the file
        return Known(raw[4], raw[5])

    def record(self, relpath: str, status: os.stat_result, content_hash: str,
               verdict: Verdict | None = None) -> None:
        """Keep what the bytes read under `status` were, unless that stat is too young to
        tell a later change from this content."""
        if self.directory is None:
            return
        newest = max(status.st_mtime_ns, status.st_ctime_ns)
        if time.time_ns() - newest < RACY_SECONDS * 1_000_000_000:
            return
        self.new[relpath] = [*stat_key(status), content_hash, verdict]

    def save(self, write) -> None:
        """Merge into the shards on disk that have new entries (another run may have written
        one meanwhile: it is read again unless it is the file this run read, by its stat;
        every write replaces the file, so another run's has another inode)."""
        if self.directory is None or not self.new:
            return
        by_shard: dict[int, dict[str, list[Any]]] = {}
        for relpath, entry in self.new.items():
            by_shard.setdefault(index_shard_of(relpath), {})[relpath] = entry
        for shard, entries in sorted(by_shard.items()):
            path = self._path(shard)
            if shard in self._shards and stat_of(path) != self._read_as[shard]:
                del self._shards[shard]
            merged = {**self._shard(shard), **entries}
            write(path, json_codec.dumps(merged, sort_keys=True, compact=True))
            self._shards[shard], self._read_as[shard] = merged, stat_of(path)
        self.new = {}

    def _path(self, shard: int) -> Path:
        return self.directory / f"{INDEX_PREFIX}{shard:02x}.json"

    def _shard(self, shard: int) -> dict[str, Any]:
        if shard not in self._shards:
            path = self._path(shard)
            self._read_as[shard] = stat_of(path)
            try:
                found = json_codec.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):  # too deep a nesting too
                found = {}
            self._shards[shard] = found if isinstance(found, dict) else {}
        return self._shards[shard]


def index_shard_of(relpath: str) -> int:
    """Which shard keeps the file's entry: a sum of its path's bytes, which needs no hash
    function (a full warm run asks it of every file) and spreads a directory's files."""
    return sum(relpath.encode("utf-8", "surrogatepass")) % INDEX_SHARDS


def stat_of(path: Path) -> list[int] | None:
    """stat_key of a file, None if it cannot be stat'ed: a file replaced since has another."""
    try:
        return stat_key(os.stat(path))
    except OSError:
        return None


def _is_verdict(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, list) and bool(value) and isinstance(value[0], bool) \
        and all(isinstance(rule_id, str) for rule_id in value[1:])
