"""Whether git tracks a path, read from the repository's index file instead of asked of git.

Every cached run asks whether git tracks `.mutlint_cache/` (a committed cache came from whoever
wrote the commit, mutlint.cache). `git ls-files` answers, but starting it, and importing
subprocess to start it, cost a pre-commit check of one page a tenth of its time. The index is a
plain file: in versions 2 and 3 of its format every entry holds its whole path, so a walk over
the entries answers exactly what `git ls-files --cached -- PATH` would. Anything this reader
does not fully understand answers None, and the caller asks git as before: index version 4
(prefix-compressed paths), a split index (entries kept in another file), a sparse index
(directories standing for the files below them), a `.git` that is a file (a worktree or a
submodule), GIT_DIR, GIT_WORK_TREE or GIT_COMMON_DIR set, a header it does not know, or entries
that do not end where the checksum starts. (An index that names no such path is not walked: a
damaged one gets the answer git's error gave before, not tracked.)

The format: https://git-scm.com/docs/index-format
"""

from __future__ import annotations

import os
from pathlib import Path

_HEADER = 12  # "DIRC", version, number of entries
_CHECKSUM = 20  # the SHA-1 of everything before it, at the end
_ENTRY_FIXED = 62  # stat data, object name (SHA-1), flags; before the path
_EXTENDED = 0x4000  # in an entry's flags: two more bytes of flags follow (version 3)
_NAME_MASK = 0x0FFF  # the path's length, or 0xFFF when it is that long or longer
_UNSUPPORTED_EXTENSIONS = (b"link", b"sdir")  # split index, sparse directories
# Set, these mean a repository laid out otherwise than a plain `.git` directory: git knows.
_LAYOUT_VARIABLES = ("GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE")


def tracks(git_top: Path, path: Path) -> bool | None:
    """Does the index hold `path` (a file or a directory below `git_top`), as `git ls-files
    --cached -- PATH` would tell? None when the index cannot be read here with certainty."""
    if any(os.environ.get(name) for name in _LAYOUT_VARIABLES):
        return None
    git_dir = git_top / ".git"
    if not git_dir.is_dir() or git_dir.is_symlink():
        return None
    # A hook run by `git commit` is told which index is being committed: `.git/index`, or an
    # absolute path to a lock file that holds the index being committed. Git reads a relative
    # one from the top of the work tree, wherever it was started.
    index_file = git_top / (os.environ.get("GIT_INDEX_FILE") or ".git/index")
    try:
        wanted = os.fsencode(path.relative_to(git_top).as_posix())
    except ValueError:
        return None
    try:
        with open(index_file, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        # No index yet (a repository without a first `git add`) tracks nothing; but an index
        # named by the environment that is not there is git's to explain.
        return False if "GIT_INDEX_FILE" not in os.environ else None
    except OSError:
        return None
    return _holds(data, wanted, git_dir)


def _holds(data: bytes, wanted: bytes, git_dir: Path) -> bool | None:
    if len(data) < _HEADER + _CHECKSUM or data[:4] != b"DIRC":
        return None
    version = int.from_bytes(data[4:8], "big")
    if version not in (2, 3):
        return None
    maybe = wanted in data  # compared as git's pathspec compares: byte for byte
    if not maybe and not any(signature in data for signature in _UNSUPPORTED_EXTENSIONS):
        return False  # no entry names it, and no extension keeps entries elsewhere: no walk
    if _sha256_repository(git_dir):
        return None  # entries with 32-byte object names: not walked here
    under = wanted + b"/"
    position, end_of_entries = _HEADER, len(data) - _CHECKSUM
    for _ in range(int.from_bytes(data[8:12], "big")):
        if position + _ENTRY_FIXED > end_of_entries:
            return None
        flags = int.from_bytes(data[position + 60:position + 62], "big")
        start = position + _ENTRY_FIXED + (2 if flags & _EXTENDED else 0)
        length = flags & _NAME_MASK
        if length == _NAME_MASK:
            length = data.find(b"\0", start) - start
            if length < 0:
                return None
        if maybe:
            name = data[start:start + length]
            if name == wanted or name.startswith(under):
                return True
        # The path ends with one to eight NULs that pad the entry to a multiple of 8 bytes.
        following = position + (start - position + length) // 8 * 8 + 8
        if data[start + length:following].strip(b"\0") or following > end_of_entries:
            return None  # not an entry where one should be: a format this reader misreads
        position = following
    return _no_entries_elsewhere(data, position, end_of_entries)


def _no_entries_elsewhere(data: bytes, position: int, end: int) -> bool | None:
    """False (nothing tracked) when the extensions after the entries hold no entries and end
    where the checksum starts; None for a split or sparse index or a misread."""
    while position < end:
        if position + 8 > end:
            return None
        if data[position:position + 4] in _UNSUPPORTED_EXTENSIONS:
            return None
        position += 8 + int.from_bytes(data[position + 4:position + 8], "big")
    return False if position == end else None


def _sha256_repository(git_dir: Path) -> bool:
    """Such a repository says so in its own config (extensions.objectFormat); any mention,
    or no config to read, counts."""
    try:
        return b"objectformat" in (git_dir / "config").read_bytes().lower()
    except OSError:
        return True
