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

A walk that no longer holds is still of use while every `.gitignore` keeps its stat
(`EarlierWalk`): a directory whose stat is unchanged need not be listed again, and in one that
changed, a name the walk judged keeps its verdict, so only new names are matched against the
excludes (workspace.FileSelector._walk). Many editors write a temporary file beside the one
they save, which changes its directory.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mutlint import json_codec
from mutlint.file_index import RACY_SECONDS
from mutlint.source import are_source_names

LISTING_FILE = "listing.json"
MAX_WALKS = 8  # walks kept per salt: the project's, and a few of subdirectories checked alone


def path_stat(path: str) -> list[int] | None:
    """What a walk's result depends on of a directory or `.gitignore`: None when absent."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):  # ValueError: a path no file system can hold (a forged memo)
        return [-1]  # unreadable now: recorded as such, so a later stat differs
    return [status.st_mode, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


class WalkRecord:
    """What one walk read, in the order it read it: each path with its stat beforehand."""

    checked: list[tuple[str, list[int] | None]]
    # A directory or .gitignore the walk could not read (EMFILE, EIO, a permission): the list
    # it made may miss files or ignore rules for a reason no stat records, so it is not kept.
    failed: bool

    def __init__(self, checked: list[tuple[str, list[int] | None]] | None = None,
                 failed: bool = False) -> None:
        self.checked = [] if checked is None else checked
        self.failed = failed

    def stat(self, path: str) -> list[int] | None:
        found = path_stat(path)
        self.checked.append((path, found))
        return found


class EarlierWalk:
    """An earlier walk: the files it found, in its order, the stat of each directory and
    `.gitignore` it read (absolute paths), and the files it listed in each directory."""

    files: list[str]
    stats: dict[str, list[int] | None]
    _groups: list[tuple[str, list[str]]]  # (directory, the names listed there), in the walk's order

    def __init__(self, files: list[str], stats: dict[str, list[int] | None],
                 groups: list[tuple[str, list[str]]]) -> None:
        self.files = files
        self.stats = stats
        self._groups = groups
        self._names_in: dict[str, set[str]] | None = None
        self._children: dict[str, list[str]] | None = None

    @property
    def names_in(self) -> dict[str, set[str]]:
        """The names listed in each directory: asked only by a walk that reuses this one (a
        pre-commit run whose file list still holds never is)."""
        if self._names_in is None:
            self._names_in = {}
            for directory, names in self._groups:
                self._names_in.setdefault(directory, set()).update(names)
        return self._names_in

    def subdirectories(self, directory: str) -> list[str]:
        """The directories below `directory` the walk read, by name: those it let in."""
        if self._children is None:
            self._children = {}
            for path in sorted(self.stats):
                if os.path.basename(path) != ".gitignore":
                    self._children.setdefault(os.path.dirname(path), []).append(path)
        return self._children.get(directory, [])

    def decisive_stats(self) -> list[tuple[str, list[int] | None]]:
        """The recorded stats that decide whether the walk still holds: all of them but those
        of a `.gitignore` found absent in a directory the walk read. Creating one adds an
        entry to that directory, which changes its stat (the one the file list already relies
        on, as git's untracked cache does), so statting it again was a failing system call,
        and an exception, for most directories of a project in every pre-commit run."""
        suffix = f"{os.sep}.gitignore"
        stats = self.stats
        return [(path, recorded) for path, recorded in stats.items()
                if recorded is not None or not path.endswith(suffix)
                or stats.get(path[:-len(suffix)]) is None]

    def gitignores_unchanged(self) -> bool:
        """Does every `.gitignore` the walk consulted (or found absent) keep its stat? Then
        a name it judged keeps its verdict, as long as the config's excludes are the same
        (the memo lives in the cache's salt directory, which they are part of)."""
        return all(path_stat(path) == recorded for path, recorded in self.stats.items()
                   if os.path.basename(path) == ".gitignore")


class ListingMemo:
    path: Path | None  # None: no cache, nothing is kept
    root: str  # the project root: paths are kept relative to it
    _entries: dict[str, Any] | None
    _new: dict[str, Any]

    def __init__(self, path: Path | None, root: str) -> None:
        self.path = path
        self.root = root
        self._entries = None
        self._new = {}
        self._earlier: dict[tuple[str, str | None], EarlierWalk | None] = {}
        self._looked_up: dict[tuple[str, str | None], list[str] | None] = {}

    def lookup(self, top: str, git_root: str | None) -> list[str] | None:
        """The files an earlier walk of `top` found, if nothing it read has changed since
        (asked once a run: a check asks for the file it was given, then for the project)."""
        key = (top, git_root)
        if key not in self._looked_up:
            earlier = self.earlier(top, git_root)
            self._looked_up[key] = None if earlier is None or any(
                path_stat(path) != recorded for path, recorded in earlier.decisive_stats()) \
                else earlier.files
        return self._looked_up[key]

    def earlier(self, top: str, git_root: str | None) -> EarlierWalk | None:
        """What an earlier walk of `top` read and found, vetted but not checked against the
        file system: a walk may reuse what it learned of a directory whose stat is unchanged."""
        key = (top, git_root)
        if key not in self._earlier:
            self._earlier[key] = self._vetted(top, git_root)
        return self._earlier[key]

    def _vetted(self, top: str, git_root: str | None) -> EarlierWalk | None:
        if self.path is None:
            return None
        entry = self._new.get(top) or self._loaded().get(self._key(top))
        if not _well_formed(entry) or entry["git"] != git_root:
            return None
        directories = {relative for relative, found in entry["checked"] if found is not None}
        top_key = self._relative(top)
        if top_key not in directories:
            return None  # every walk reads its top directory: anything else was not ours
        # Each file must sit in a directory whose stat is checked below, under top, with a
        # lintable name: a forged list can then name nothing the walk could not have found.
        # Files are kept by directory, so each directory is vetted once, not once per file,
        # and the names of all of them are tested at once.
        files: list[str] = []
        groups: list[tuple[str, list[str]]] = []
        every_name: list[str] = []
        for parent, names in entry["files"]:
            if parent not in directories or not (parent == top_key or _under(parent, top_key)) \
                    or ".." in parent.split(os.sep):
                return None
            base = self._absolute(parent)
            files += map(f"{base}{os.sep}".__add__, names)
            groups.append((base, names))
            every_name += names
        if not are_source_names(every_name):
            return None
        stats = {self._absolute(relative): recorded for relative, recorded in entry["checked"]}
        return EarlierWalk(files, stats, groups)

    def record(self, top: str, git_root: str | None, walk: WalkRecord, files: list[str]) -> None:
        self._earlier.clear()  # what was asked of the memo before this walk
        self._looked_up.clear()
        if self.path is None or walk.failed:
            return
        young = time.time_ns() - RACY_SECONDS * 1_000_000_000
        if any(found is not None and len(found) == 5 and max(found[2], found[3]) > young
               for _, found in walk.checked):
            return  # a change in the same tick as this walk would keep the stat it saw
        self._new[top] = {"git": git_root, "files": _by_directory(self._relative(f) for f in files),
                          "checked": [[self._relative(p), found] for p, found in walk.checked]}

    @property
    def pending(self) -> bool:
        return bool(self._new)

    def save(self, write) -> None:
        """Merge into the memo on disk (another run may have written it meanwhile)."""
        if self.path is None or not self._new:
            return
        self._entries = None
        new = {self._key(top): entry for top, entry in self._new.items()}
        # A check of a subdirectory keeps a walk of its own: only the latest few are kept.
        kept = [key for key in sorted(self._loaded()) if key not in new][:max(0, MAX_WALKS - len(new))]
        merged = {**{key: self._loaded()[key] for key in kept}, **new}
        write(self.path, json_codec.dumps(merged, sort_keys=True, compact=True))
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
                found = json_codec.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):  # RecursionError: nested too deep
                found = {}
            self._entries = found if isinstance(found, dict) else {}
        return self._entries


def _by_directory(relatives: Iterable[str]) -> list[list[Any]]:
    """[[directory, [names]], ...] in the walk's order: a walk lists a directory's files
    together, so the files come back in the order the walk found them."""
    groups: list[list[Any]] = []
    for relative in relatives:
        parent, name = os.path.split(relative)
        if groups and groups[-1][0] == parent:
            groups[-1][1].append(name)
        else:
            groups.append([parent, [name]])
    return groups


def _under(relative: str, top: str) -> bool:
    return not top or relative.startswith(top + os.sep)


def _is_path(value: Any) -> bool:
    """A string a file system could hold: no NUL, no lone surrogate."""
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _are_paths(values: list[Any]) -> bool:
    """_is_path of each, tested on them joined: one encode instead of one per file name (and
    the join refuses anything but strings)."""
    try:
        joined = "".join(values)
    except TypeError:
        return False
    return _is_path(joined)


def _well_formed(entry: Any) -> bool:
    """The shape a memo entry has: {"git": path or None, "files": [[directory, [names]], ...],
    "checked": [[path, None or [numbers]], ...]}. Its strings and numbers are gathered and
    tested together, by C-level joins and maps: a project's entry holds a thousand names, read
    at every pre-commit run."""
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), list) \
            or not isinstance(entry.get("checked"), list) or "git" not in entry:
        return False
    git = entry["git"]
    if git is not None and not _is_path(git):
        return False
    texts: list[Any] = []
    numbers: list[Any] = []
    for group in entry["files"]:
        if not isinstance(group, list) or len(group) != 2 or not isinstance(group[1], list):
            return False  # (the strings are tested by _are_paths' join)
        texts.append(group[0])
        texts += group[1]
    for check in entry["checked"]:
        if not isinstance(check, list) or len(check) != 2:
            return False
        texts.append(check[0])
        if check[1] is not None:
            if not isinstance(check[1], list):
                return False
            numbers += check[1]
    return _are_paths(texts) and (not numbers or set(map(type, numbers)) == {int})
