"""The project being linted: its root, its Convex functions dir and its parsed files.

Facts about the project are memoised here, per file or per project, so every rule that asks
for the same fact pays for it once per run.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mutlint import source
from mutlint.source import SourceFile

# What a relative import may name: `./x` is x.ts, x.tsx, ..., or x/index.ts, ...
_IMPORT_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# Test files in the functions dir (`foo.test.ts`, convex-test's usual place) are not deployed:
# their `t.run(async (ctx) => ctx.db.insert(...))` writes are fixtures, not the app's traffic.
_TEST_FILE_MARKERS = (".test.", ".spec.")


def is_test_file(relpath: str) -> bool:
    name = PurePosixPath(relpath).name
    return any(marker in name for marker in _TEST_FILE_MARKERS)


@dataclass
class Project:
    """Files are parsed on first use and kept, so a file is parsed at most once per run
    whether it is reported on, read for context (schema, crons, helpers), or both."""

    root: Path
    convex_dir: str  # POSIX path relative to root, no trailing slash ("convex", "src/convex")
    # Every lintable file (relpath -> path), or a function that finds them: walking the project
    # is left until some fact needs context, so a run that parses nothing never walks.
    sources_found: dict[str, Path] | Callable[[], dict[str, Path]] = field(default_factory=dict)
    files: dict[str, SourceFile] = field(default_factory=dict)  # relpath -> parsed file
    unreadable: dict[str, str] = field(default_factory=dict)  # relpath -> why it was skipped
    high_volume_tables: list[str] | None = None  # from the config; None: estimate from code
    max_file_size: int | None = None
    skip_generated: bool = True
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False)
    _raw: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def sources(self) -> dict[str, Path]:
        if callable(self.sources_found):
            self.sources_found = self.sources_found()
        return self.sources_found

    def raw(self, relpath: str, path: Path | None = None) -> bytes | None:
        """The file's bytes if it can be linted, or None (the reason is in `unreadable`)."""
        if relpath in self.files:
            return self.files[relpath].data
        if relpath in self._raw:
            return self._raw[relpath]
        if relpath in self.unreadable:
            return None
        path = path or self.root / relpath
        try:
            data = source.load_bytes(path, max_size=self.max_file_size,
                                     skip_generated=self.skip_generated)
        except source.UnreadableSource as exc:
            self.unreadable[relpath] = str(exc)
            return None
        self._raw[relpath] = data
        return data

    def file(self, relpath: str, path: Path | None = None) -> SourceFile | None:
        """The parsed file, or None if it cannot be read (the reason is in `unreadable`)."""
        if relpath in self.files:
            return self.files[relpath]
        path = path or self.root / relpath
        data = self.raw(relpath, path)
        if data is None:
            return None
        parsed = source.parse_source(data, path, relpath, source.language_for(path))
        self.files[relpath] = parsed
        self._raw.pop(relpath, None)  # the parsed file keeps the bytes
        return parsed

    def convex_files(self) -> list[SourceFile]:
        """Every readable file in the functions dir that Convex deploys, in path order."""
        return [f for relpath in sorted(self.sources) if self.in_convex_dir(relpath)
                and not relpath.endswith(".d.ts") and not is_test_file(relpath)
                and (f := self.file(relpath)) is not None]

    def resolve_import(self, from_relpath: str, specifier: str) -> str | None:
        """The project file a relative import names, if it is one of the project's sources."""
        if not specifier.startswith("."):
            return None
        base = PurePosixPath(from_relpath).parent
        target = posixpath.normpath((base / specifier).as_posix())
        stem = target[: -len(PurePosixPath(target).suffix)] if target.endswith(
            (".js", ".mjs", ".cjs", ".jsx")) else target
        candidates = [target, *(stem + s for s in _IMPORT_SUFFIXES),
                      *(f"{target}/index{s}" for s in _IMPORT_SUFFIXES)]
        for candidate in candidates:
            if candidate in self.sources:
                return candidate
        return None

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
