"""The project's file list, found again from its directories' stats instead of a walk.

A pre-commit run on one page of a 10,000-file project spent 150 ms walking the project only to
learn that its file list (which the Convex model's cached facts depend on) had not changed.
Adding, removing or renaming an entry changes its directory's mtime and ctime, so a walk's
result holds for as long as every directory it read keeps its stat, and every `.gitignore` it
consulted keeps its own (an edited `.gitignore` leaves its directory's times alone), or stays
absent. This is git's untracked cache. As in the file index, a walk that read a directory or
`.gitignore` changed less than RACY_SECONDS before is not kept: a change within the same
timestamp tick would go unseen. The memo lives in the cache's salt directory, so the excludes
of the config and the code that walked are those of this run; it is decoded defensively.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutlint.file_index import RACY_SECONDS

LISTING_FILE = "listing.json"


def path_stat(path: str) -> list[int] | None:
    """What a walk's result depends on of a directory or `.gitignore`: None when absent."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return [-1]  # unreadable now: recorded as such, so a later stat differs
    return [status.st_mode, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


@dataclass
class WalkRecord:
    """What one walk read, in the order it read it: each path with its stat beforehand."""

    checked: list[tuple[str, list[int] | None]] = field(default_factory=list)

    def stat(self, path: str) -> list[int] | None:
        found = path_stat(path)
        self.checked.append((path, found))
        return found


@dataclass
class ListingMemo:
    path: Path | None  # None: no cache, nothing is kept
    root: str  # the project root: paths are kept relative to it
    _entries: dict[str, Any] | None = field(default=None, repr=False)
    _new: dict[str, Any] = field(default_factory=dict, repr=False)

    def lookup(self, top: str, git_root: str | None) -> list[str] | None:
        """The files an earlier walk of `top` found, if nothing it read has changed since."""
        if self.path is None:
            return None
        entry = self._new.get(top) or self._loaded().get(self._key(top))
        if not _well_formed(entry) or entry["git"] != git_root \
                or not any(relative == self._relative(top) for relative, _ in entry["checked"]):
            return None  # every walk reads its top directory: anything else was not ours
        for relative, recorded in entry["checked"]:
            if path_stat(self._absolute(relative)) != recorded:
                return None
        return [self._absolute(relative) for relative in entry["files"]]

    def record(self, top: str, git_root: str | None, walk: WalkRecord, files: list[str]) -> None:
        if self.path is None:
            return
        young = time.time_ns() - RACY_SECONDS * 1_000_000_000
        if any(found is not None and len(found) == 5 and max(found[2], found[3]) > young
               for _, found in walk.checked):
            return  # a change in the same tick as this walk would keep the stat it saw
        self._new[top] = {"git": git_root, "files": [self._relative(f) for f in files],
                          "checked": [[self._relative(p), found] for p, found in walk.checked]}

    @property
    def pending(self) -> bool:
        return bool(self._new)

    def save(self, write) -> None:
        """Merge into the memo on disk (another run may have written it meanwhile)."""
        if self.path is None or not self._new:
            return
        self._entries = None
        merged = {**self._loaded(), **{self._key(top): entry for top, entry in self._new.items()}}
        write(self.path, json.dumps(merged, sort_keys=True, separators=(",", ":")))
        self._entries, self._new = merged, {}

    def _key(self, top: str) -> str:
        return self._relative(top) or "."

    def _relative(self, path: str) -> str:
        if path == self.root:
            return ""
        prefix = self.root + os.sep
        return path[len(prefix):] if path.startswith(prefix) else path

    def _absolute(self, relative: str) -> str:
        if os.path.isabs(relative):
            return relative  # a .gitignore above the root (between it and the git root)
        return f"{self.root}{os.sep}{relative}" if relative else self.root

    def _loaded(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                found = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = {}
            self._entries = found if isinstance(found, dict) else {}
        return self._entries


def _well_formed(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), list) \
            or not isinstance(entry.get("checked"), list) or "git" not in entry:
        return False
    git = entry["git"]
    return (git is None or isinstance(git, str)) \
        and all(isinstance(f, str) for f in entry["files"]) \
        and all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str)
                and (c[1] is None or (isinstance(c[1], list) and all(isinstance(n, int) for n in c[1])))
                for c in entry["checked"])
