"""The project being linted: its root, its Convex functions dir and its parsed files.

Facts about the project are memoised here, per file or per project, so every rule that asks
for the same fact pays for it once per run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutlint.source import SourceFile


@dataclass
class Project:
    root: Path
    convex_dir: str  # POSIX path relative to root, no trailing slash ("convex", "src/convex")
    files: dict[str, SourceFile] = field(default_factory=dict)  # relpath -> parsed file
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

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
        stem, dot, _ = inner.rpartition(".")
        return stem if dot else inner
