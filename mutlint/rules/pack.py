"""Where rules come from: the built-in pack and rule directories, loaded all at once.

A directory's rule files are its `*.yaml`/`*.yml` files at any depth, except config files and
rule test directories (a directory `foo/` beside `foo.yaml` holds foo's test cases).
"""

from __future__ import annotations

from pathlib import Path

from mutlint.errors import Diagnostic, UsageError
from mutlint.rules.loader import load_rule_file
from mutlint.rules.model import Rule
from mutlint.workspace import refuse_outside_links

CONFIG_NAMES = frozenset({".mutlint.yaml", "mutlint.yaml", ".mutlint.yml", "mutlint.yml"})


def rule_files_in(directory: Path) -> list[Path]:
    """Rule YAML files under `directory`, skipping config files and rule test directories
    (a directory `foo/` next to `foo.yaml` holds foo's test cases, not rules)."""
    found = []
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or path.name in CONFIG_NAMES \
                or path.name.startswith(".") or not path.is_file():
            continue
        relative_parts = path.relative_to(directory).parts[:-1]
        parent = directory
        inside_test_dir = False
        for part in relative_parts:
            if (parent / f"{part}.yaml").is_file() or (parent / f"{part}.yml").is_file():
                inside_test_dir = True
                break
            parent = parent / part
        if not inside_test_dir:
            found.append(path)
    return found


def builtin_rules_dir() -> Path:
    """The shipped rule pack: inside the wheel, or the repository's `rules/` in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_builtin_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def load_rules(paths: list[Path], shown=lambda p: str(p), *, confined: dict[Path, Path] | None = None
               ) -> list[Rule]:
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
                rule = load_rule_file(file, shown(file), trusted=trusted)
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
