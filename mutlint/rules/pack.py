"""Where rules come from: the built-in pack and rule directories, loaded all at once.

A directory's rule files are its `*.yaml`/`*.yml` files at any depth, except config files and
rule test directories (a directory `foo/` beside `foo.yaml` holds foo's test cases).
"""

from __future__ import annotations

import os
from pathlib import Path

from mutlint.errors import Diagnostic, UsageError
from mutlint.rules.loader import load_rule_file
from mutlint.rules.model import Rule
from mutlint.workspace import refuse_outside_links
from mutlint.yaml_memo import YamlMemo

CONFIG_NAMES = frozenset({".mutlint.yaml", "mutlint.yaml", ".mutlint.yml", "mutlint.yml"})


def rule_files_in(directory: Path) -> list[Path]:
    """Rule YAML files under `directory`, skipping config files and rule test directories
    (a directory `foo/` next to `foo.yaml` holds foo's test cases, not rules). Test directories
    are not entered: the built-in pack's hold ten times as many files as its rules, and listing
    them cost a pre-commit run more than loading the rules."""
    found = []
    pending = [str(directory)]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        files = {entry.name for entry in entries if entry.is_file()}
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if f"{name}.yaml" not in files and f"{name}.yml" not in files:
                    pending.append(entry.path)
            elif name in files and name.endswith((".yaml", ".yml")) and name not in CONFIG_NAMES \
                    and not name.startswith("."):
                found.append(Path(entry.path))
    return sorted(found)


def builtin_rules_dir() -> Path:
    """The shipped rule pack: inside the wheel, or the repository's `rules/` in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_builtin_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def load_rules(paths: list[Path], shown=lambda p: str(p), *, confined: dict[Path, Path] | None = None,
               memo: YamlMemo | None = None) -> list[Rule]:
    """Load every rule file under `paths`; all errors are collected before raising.
    `confined` maps rule directories the repository named (config `extra-rules`) to the project
    root their files must stay inside, symbolic links included."""
    rules: list[Rule] = []
    errors: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for path in paths:
        files = rule_files_in(path) if path.is_dir() else [path]
        if not path.exists():
            errors.append(Diagnostic(str(path), "no such file or directory"))
            continue
        root = (confined or {}).get(path)
        # The shipped pack is checked by the test suite (schema, queries, regexes); importing
        # jsonschema and compiling everything up front cost more than the rest of loading it.
        trusted = path == builtin_rules_dir()
        for file in files:
            try:
                if root is not None:
                    refuse_outside_links(file, root, "a rule file")
                rule = load_rule_file(file, shown(file), trusted=trusted, memo=memo)
            except UsageError as exc:
                errors.extend(exc.diagnostics)
                continue
            if rule.id in seen:
                errors.append(Diagnostic(rule.path, f"rule id '{rule.id}' is already defined in "
                                         f"{seen[rule.id]}", 1, 1))
                continue
            seen[rule.id] = rule.path
            rules.append(rule)
    if errors:
        raise UsageError(errors)
    return sorted(rules, key=lambda r: r.id)
