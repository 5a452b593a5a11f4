"""What changed, according to git: files and lines since the merge-base with a base ref.

Only read-only git commands run (diff, ls-files, merge-base, rev-parse), with optional locks
off so not even the index's stat cache is rewritten: mutlint never touches the working tree or
the index. Staged, unstaged and untracked files all count as changed; deleted files have
nothing left to lint; a renamed file counts under its new name.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mutlint.errors import Diagnostic, UsageError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass
class Changes:
    base: str  # the commit compared against
    # Files as git names them under the (resolved) repository root -> changed lines (None: all).
    # Links are left out, so every path here is a real file that a walk of the project meets.
    files: dict[Path, set[int] | None] = field(default_factory=dict)

    def lines(self, path: Path) -> set[int] | None:
        return self.files.get(path, set())


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env,
                              timeout=120, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise UsageError(Diagnostic("mutlint", "--changed needs git, which is not installed")) from None
    except subprocess.TimeoutExpired:
        raise UsageError(Diagnostic("mutlint", f"git {args[0]} did not answer in 120 s")) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(Diagnostic("mutlint", f"git {args[0]} failed: "
                                    f"{message[-1] if message else 'exit ' + str(done.returncode)}"))
    return done.stdout.decode("utf-8", "surrogateescape")


def repository_root(path: Path) -> Path:
    directory = path if path.is_dir() else path.parent
    try:
        top = _git(directory, "rev-parse", "--show-toplevel").strip()
    except UsageError:
        raise UsageError(Diagnostic(str(path), "--changed needs a git repository, and this is not "
                                    "inside one")) from None
    return Path(top).resolve()


def default_base(root: Path) -> str:
    """The upstream of the current branch, else HEAD."""
    try:
        return _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}").strip()
    except UsageError:
        return "HEAD"


def changed(path: Path, base: str | None, *, with_lines: bool) -> Changes:
    root = repository_root(path)
    ref = base or default_base(root)
    try:
        commit = _git(root, "merge-base", ref, "HEAD").strip()
    except UsageError:
        try:
            commit = _git(root, "rev-parse", "--verify", f"{ref}^{{commit}}").strip()
        except UsageError:
            raise UsageError(Diagnostic("mutlint", f"--base {ref}: no such commit in this "
                                        "repository (fetch it first?)")) from None
    changes = Changes(base=commit)
    status = _git(root, "diff", "--name-status", "-z", "-M", "--no-ext-diff", commit, "--")
    fields = status.split("\0")
    index = 0
    while index < len(fields) - 1:
        code = fields[index]
        if code.startswith(("R", "C")):
            new = fields[index + 2]
            index += 3
        else:
            new = fields[index + 1]
            index += 2
        if code.startswith("D") or (root / new).is_symlink():
            continue  # deleted, or a link: mutlint lints neither (nor follows a link elsewhere)
        changes.files[root / new] = set()
    for untracked in _git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0"):
        if untracked and not (root / untracked).is_symlink():
            changes.files[root / untracked] = None  # every line is new
    if with_lines:
        for target, lines in changes.files.items():
            if lines is not None:
                lines.update(_changed_lines(root, commit, target))
    return changes


def _changed_lines(root: Path, commit: str, target: Path) -> set[int]:
    """Lines of the file as it is now that the diff since `commit` added or changed."""
    diff = _git(root, "diff", "-U0", "--no-ext-diff", "-M", commit, "--", str(target))
    lines: set[int] = set()
    for line in diff.splitlines():
        match = _HUNK.match(line)
        if match:
            start, count = int(match.group(1)), int(match.group(2) or "1")
            lines.update(range(start, start + count))
    return lines
