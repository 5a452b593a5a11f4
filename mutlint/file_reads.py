"""The bytes of the project's files as this run reads them: each file's stat, its bytes (read
once, kept until it is parsed), their content hashes, and what the cache's file index knew of
files whose stat is unchanged. A part of Project, as StoredFacts is: the memo records which
files each fact read (Project._read), and the cache's entries name them by these hashes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mutlint import source
from mutlint.cache import MISSING, content_hash
from mutlint.dependencies import ContentHashes, Deps, Recorder
from mutlint.file_index import Known, Verdict

if TYPE_CHECKING:
    from mutlint.project import Project


class FileReads:
    """Uses Project's files, unreadable, cache and _read, and keeps _raw, _status, _read_hash,
    _known, _hashes and _recorder (initialised by Project)."""

    @property
    def hashes(self: Project) -> ContentHashes:
        """Content hashes of the project's files (and file list) as this run reads them."""
        if self._hashes is None:
            self._hashes = ContentHashes(self._hash_of, lambda: self.sources)
        return self._hashes

    def _hash_of(self: Project, relpath: str) -> str:
        """The file's content hash in this run: of the bytes it read, else from the cache's
        file index when the file's stat is unchanged, else of the bytes read now. (Or a value
        fact's digest: see by_value.)"""
        value_hash = self.value_fact_hash(relpath)
        if value_hash is not None:
            return value_hash
        if relpath not in self._read_hash and relpath not in self.unreadable:
            known = self.known(relpath)
            if known is not None:
                return known.hash
            data = self.raw(relpath)
            if relpath not in self._read_hash:
                return content_hash(data)
        return self._read_hash.get(relpath, MISSING)

    def known(self: Project, relpath: str, path: Path | None = None) -> Known | None:
        """What an earlier run learned of this file's bytes, if its stat says they are the same."""
        if self.cache.disabled:
            return None
        if relpath not in self._known:
            status = self._stat(relpath, path or f"{self.root}{os.sep}{relpath}")
            self._known[relpath] = None if status is None else self.cache.files.lookup(relpath, status)
        return self._known[relpath]

    def note_verdict(self: Project, relpath: str, verdict: Verdict) -> None:
        """Keep the engine's verdict on the bytes this run read (see mutlint.file_index)."""
        status = self._status.get(relpath)
        if status is not None and relpath in self._read_hash:
            self.cache.files.record(relpath, status, self._read_hash[relpath], verdict)

    def _stat(self: Project, relpath: str, path: Path | str) -> os.stat_result | None:
        if relpath not in self._status:
            try:
                self._status[relpath] = os.stat(path)
            except OSError:
                self._status[relpath] = None
        return self._status[relpath]

    def dependencies(self: Project, deps: Deps,
                     leave_out: str | None = None) -> tuple[dict[str, str], list[str]]:
        """What a cache entry records of `deps`: files with hashes, and group digests."""
        if self._recorder is None or self._recorder.cache is not self.cache:
            self._recorder = Recorder(self.cache, self.hashes)
        return self._recorder.record(deps, leave_out)

    def raw(self: Project, relpath: str, path: Path | None = None) -> bytes | None:
        """The file's bytes if it can be linted, or None (the reason is in `unreadable`)."""
        self._read(relpath)
        if relpath in self.files:
            return self.files[relpath].data
        if relpath in self._raw:
            return self._raw[relpath]
        if relpath in self.unreadable:
            return None
        path = path or self.root / relpath
        status = self._stat(relpath, path)
        try:
            data = source.load_bytes(path, max_size=self.max_file_size,
                                     skip_generated=self.skip_generated, status=status)
        except source.UnreadableSource as exc:
            self.unreadable[relpath] = str(exc)
            self._read_hash[relpath] = MISSING
            if exc.from_content and status is not None:
                self.cache.files.record(relpath, status, MISSING, str(exc))
            return None
        self._raw[relpath] = data
        if not self.cache.disabled:  # a run without a cache never needs a hash
            self._read_hash[relpath] = content_hash(data)
            if status is not None:
                self.cache.files.record(relpath, status, self._read_hash[relpath])
        return data
