"""Where the project is and which files to lint.

The project root is the nearest ancestor of the first path that holds a mutlint config; without
one, the nearest that holds `convex.json`, `package.json` or a `convex/` directory; without
those, the git root; else
the path itself. The search never climbs above the git root. Directories are walked without
recursion, honouring every `.gitignore` on the way, the default excludes (dependencies and
generated output) and the config's `exclude` globs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mutlint import json_codec
from mutlint.config import Config, find_config, is_inside, load_config
from mutlint.errors import Diagnostic, UsageError
from mutlint.ignore_patterns import IgnoreSpec
from mutlint.listing_memo import EarlierWalk, ListingMemo, WalkRecord
from mutlint.source import is_source_name, language_for
from mutlint.yaml_memo import YamlMemo

DEFAULT_EXCLUDES = (
    "node_modules/", ".git/", "_generated/", ".next/", ".turbo/", ".vercel/", ".output/",
    ".expo/", "dist/", "build/", "out/", "coverage/", ".mutlint_cache/", "*.min.js", "*.d.ts",
)
PROJECT_MARKERS = ("convex.json", "package.json")


class Workspace:
    root: Path
    config: Config
    convex_dir: str
    yaml_memo: YamlMemo  # see open_workspace

    def __init__(self, root: Path, config: Config, convex_dir: str,
                 yaml_memo: YamlMemo | None = None) -> None:
        self.root = root
        self.config = config
        self.convex_dir = convex_dir
        self.yaml_memo = YamlMemo(None) if yaml_memo is None else yaml_memo

    def repository_prefix(self) -> str:
        """The project root's path inside its git repository ("" when they are the same), so
        reports for code scanning name files as the repository does."""
        top = git_root(self.root)
        if top is None or top.resolve() == self.root.resolve():
            return ""
        return self.root.resolve().relative_to(top.resolve()).as_posix()

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.resolve().as_posix()


def git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def find_project_root(start: Path) -> tuple[Path, Path | None]:
    """(root, config path or None) for a file or directory."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    top = git_root(directory)
    marker_dir = None
    for candidate in (directory, *directory.parents):
        config = find_config(candidate)
        if config is not None:
            return candidate, config
        if marker_dir is None and (any((candidate / m).is_file() for m in PROJECT_MARKERS)
                                   or (candidate / "convex").is_dir()):
            marker_dir = candidate
        if candidate == top:
            break
    return (marker_dir or top or directory), None


def _convex_dir_from_convex_json(root: Path) -> str | None:
    path = root / "convex.json"
    try:
        data = json_codec.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    functions = data.get("functions") if isinstance(data, dict) else None
    if not isinstance(functions, str) or not functions.strip():
        return None
    return functions if is_inside(root / functions.strip(), root) else None


def refuse_outside_links(path: Path, root: Path, what: str) -> None:
    """A config or rule file the repository supplies may be a symbolic link; one that leads
    out of the project would make mutlint read (and quote, in its errors) a file elsewhere on
    the machine, such as a CI runner's credentials."""
    if not is_inside(path, root):
        raise UsageError(Diagnostic(_shown(path), f"{what} that is a symbolic link out of the "
                                    "project; refusing to read it"))


def normalise_dir(text: str) -> str:
    return Path(text.strip()).as_posix().strip("/").removeprefix("./").rstrip("/") or ""


def open_workspace(first_path: Path, config_path: Path | None = None, *,
                   yaml_memo: Callable[[Path], YamlMemo] | None = None) -> Workspace:
    """The project, its config and convex dir; `yaml_memo` gives the project root's YAML memo,
    which the config is read with and the rules can be."""
    if config_path is not None:
        if not config_path.is_file():
            raise UsageError(Diagnostic(str(config_path), "config file not found"))
        root = config_path.resolve().parent
        found = config_path
    else:
        root, found = find_project_root(first_path)
        if found is not None:
            refuse_outside_links(found, root, "a config file")
    memo = yaml_memo(root) if yaml_memo is not None else YamlMemo(None)
    config = load_config(found, _shown(found), memo) if found else Config()
    convex_dir = config.convex_dir or _convex_dir_from_convex_json(root) or "convex"
    return Workspace(root=root, config=config, convex_dir=normalise_dir(convex_dir), yaml_memo=memo)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class FileSelector:
    def __init__(self, workspace: Workspace, listings: ListingMemo | None = None):
        self.workspace = workspace
        patterns = list(DEFAULT_EXCLUDES) + list(workspace.config.exclude)
        self.excludes = IgnoreSpec(patterns)
        self._walked: dict[Path, list[str]] = {}  # a check of `.` walks the project once
        self.listings = listings  # earlier walks, reused while their directories are unchanged
        self._remembered: set[str] | None = None  # the root's files, as _listed_earlier found them

    def excluded(self, relpath: str, is_dir: bool = False) -> bool:
        return self.excludes.match_file(relpath + "/" if is_dir else relpath)

    def select(self, paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
        """Lintable files under `paths`, sorted and without duplicates."""
        found: set[Path] = set()
        problems: list[Diagnostic] = []
        for path in paths:
            if not path.exists():
                problems.append(Diagnostic(str(path), "no such file or directory"))
                continue
            if path.is_dir():
                found.update(self.walk(path.resolve()))
            elif language_for(path) is not None:
                resolved = str(path.resolve())
                if resolved in self._listed_earlier() or not self.excluded(self.workspace.relpath(path)):
                    found.add(resolved)
        # Sorted as strings, made Paths once: comparing Paths cost a tenth of a warm run.
        return [Path(text) for text in sorted(found)], problems

    def _listed_earlier(self) -> set[str]:
        """The project's files as an earlier walk found them, if it still holds (else empty):
        a file it listed passed the excludes, so a pre-commit run on a few files need not
        compile them (importing pathspec alone costs about as much as the rest of start-up)."""
        if self._remembered is None:
            root = self.workspace.root
            git = git_root(root)
            found = self._walked.get(root) or self._earlier_walk(root, git)
            if found is None and self._earlier_walk_to_reuse(root, git) is not None:
                found = self.walk(root)  # a few directories changed: walked again, cheaply
            if found is not None:
                self._walked.setdefault(root, found)
            self._remembered = set(found or ())
        return self._remembered

    def sources(self) -> dict[str, str]:
        """Every lintable file of the project (its absolute path) by its POSIX path relative
        to the root."""
        prefix = len(str(self.workspace.root)) + 1
        if os.sep == "/":  # without a call per file: a pre-commit run makes this of them all
            return {path[prefix:]: path for path in self.walk(self.workspace.root)}
        return {_posix(path[prefix:]): path for path in self.walk(self.workspace.root)}

    def walk(self, top: Path) -> list[str]:
        """Lintable files under `top` (a resolved directory), walked once per run. Entries are
        never symlinks, so their paths are real and relative paths are cut from the strings:
        resolving every path cost more than the rest of the walk."""
        if top not in self._walked:  # absolute paths as strings
            self._walked[top] = self._remembered_walk(top)
        return self._walked[top]

    def _remembered_walk(self, top: Path) -> list[str]:
        found_git = git_root(top)
        files = self._earlier_walk(top, found_git)
        if files is not None:
            return files
        record = WalkRecord()
        files = self._walk(top, found_git, record, self._earlier_walk_to_reuse(top, found_git))
        if self.listings is not None:
            self.listings.record(str(top), _text(found_git), record, files)
        return files

    def _earlier_walk(self, top: Path, git: Path | None) -> list[str] | None:
        """What an earlier walk of `top` found, while nothing it read has changed."""
        return None if self.listings is None else self.listings.lookup(str(top), _text(git))

    def _earlier_walk_to_reuse(self, top: Path, git: Path | None) -> EarlierWalk | None:
        """An earlier walk of `top` whose verdicts still hold, where only directories changed
        (an entry added or removed: an editor's swap file, a new file): its unchanged
        directories need no listing, and a name it judged no matching. Saving a file in place
        changes nothing, but writing a temporary file beside it, as many editors do, changes
        its directory; rewalked, a 1,000-file project cost a one-page check 166 M instructions
        more, most of it importing pathspec to judge names judged before."""
        if self.listings is None:
            return None
        earlier = self.listings.earlier(str(top), _text(git))
        return earlier if earlier is not None and earlier.gitignores_unchanged() else None

    def _walk(self, top: Path, git: Path | None, record: WalkRecord,
              earlier: EarlierWalk | None = None) -> list[str]:
        """Every directory is stat'ed before it is read, and every `.gitignore` consulted (or
        found absent) too, so that the record says what this listing was made from. With an
        `earlier` walk, a directory whose stat it recorded is not read again, and in one that
        changed, a name it listed (a file) or walked (a directory) is not judged again: the
        result is the one a full walk gives, in its order."""
        files = []
        walked = earlier.stats if earlier is not None else {}
        names_in = earlier.names_in if earlier is not None else {}
        root_prefix = str(self.workspace.root) + os.sep
        ignores = self._inherited_gitignores(top, git, record)
        stack: list[tuple[str, list[tuple[str, IgnoreSpec]]]] = [
            (str(top), [(str(base), spec) for base, spec in ignores])]
        while stack:
            directory, ignores = stack.pop()
            status = record.stat(directory)
            local = _gitignore_of(directory, record)
            if local is not None:
                ignores = [*ignores, (directory, local)]
            listed = names_in.get(directory, set())
            if status is not None and walked.get(directory) == status:
                # Unchanged: its files, then its subdirectories, as the listing below would.
                prefix = directory + os.sep
                files.extend(prefix + name for name in sorted(listed))
                stack.extend((path, ignores) for path in earlier.subdirectories(directory))
                continue
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                record.failed = True
                continue
            for entry in entries:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_file = entry.is_file(follow_symlinks=False)
                except OSError:
                    record.failed = True
                    continue
                if not is_dir and not (is_file and is_source_name(entry.name)):
                    continue
                full = entry.path
                judged = full in walked if is_dir else entry.name in listed
                rel = _posix(full[len(root_prefix):]) if full.startswith(root_prefix) else _posix(full)
                if not judged and (self.excluded(rel, is_dir) or _git_ignored(full, is_dir, ignores)):
                    continue
                if is_dir:
                    stack.append((full, ignores))
                else:
                    files.append(full)
        return files

    def _inherited_gitignores(self, top: Path, git: Path | None,
                              record: WalkRecord) -> list[tuple[Path, IgnoreSpec]]:
        """.gitignore files of the directories between the git root (or project root) and top."""
        base = git or self.workspace.root
        chain = []
        directory = top.parent
        while directory != base.parent and base in (directory, *directory.parents):
            spec = _gitignore_of(str(directory), record)
            if spec is not None:
                chain.append((directory, spec))
            if directory == base:
                break
            directory = directory.parent
        return list(reversed(chain))


def _gitignore_of(directory: str, record: WalkRecord) -> IgnoreSpec | None:
    path = f"{directory}{os.sep}.gitignore"
    if record.stat(path) is None:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = file.read().splitlines()
    except OSError:
        record.failed = True
        return None
    return IgnoreSpec(lines)


def _git_ignored(path: str, is_dir: bool, ignores: list[tuple[str, IgnoreSpec]]) -> bool:
    for base, spec in ignores:
        rel = _posix(path[len(base) + 1:])
        if spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")
