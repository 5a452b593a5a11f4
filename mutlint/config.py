"""`.mutlint.yaml` discovery and validation."""

from __future__ import annotations

from pathlib import Path

from mutlint.errors import Diagnostic, UsageError
from mutlint.ignore_patterns import pattern_error
from mutlint.schema_check import checked_once, schema_diagnostics
from mutlint.yaml_memo import YamlMemo
from mutlint.yamldoc import YamlDoc, load_yaml_file

DEFAULT_MAX_FILE_SIZE = 2_000_000
CONFIG_NAMES = (".mutlint.yaml", "mutlint.yaml", ".mutlint.yml", "mutlint.yml")


class Config:
    path: Path | None
    convex_dir: str | None
    exclude: list[str]
    rule_levels: dict[str, str]  # id -> off | error | ...
    extra_rules: list[Path]
    high_volume_tables: list[str]
    max_file_size: int
    lint_generated: bool
    doc: YamlDoc | None

    def __init__(self, path: Path | None = None, convex_dir: str | None = None,
                 exclude: list[str] | None = None, rule_levels: dict[str, str] | None = None,
                 extra_rules: list[Path] | None = None, high_volume_tables: list[str] | None = None,
                 max_file_size: int = DEFAULT_MAX_FILE_SIZE, lint_generated: bool = False,
                 doc: YamlDoc | None = None) -> None:
        self.path = path
        self.convex_dir = convex_dir
        self.exclude = [] if exclude is None else exclude
        self.rule_levels = {} if rule_levels is None else rule_levels
        self.extra_rules = [] if extra_rules is None else extra_rules
        self.high_volume_tables = [] if high_volume_tables is None else high_volume_tables
        self.max_file_size = max_file_size
        self.lint_generated = lint_generated
        self.doc = doc


def find_config(directory: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def is_inside(path: Path, root: Path) -> bool:
    """Is `path`, links resolved, the project root or inside it?"""
    target, top = path.resolve(), root.resolve()
    return target == top or top in target.parents


def _inside_project(doc: YamlDoc, base: Path) -> None:
    """Config comes from the repository under test: the paths it names must stay inside the
    project, so a hostile config cannot make mutlint read files elsewhere on the machine."""
    root = base.resolve()
    errors = []
    places = [(("convex-dir",), doc.data.get("convex-dir"))]
    places += [(("extra-rules", i), p) for i, p in enumerate(doc.data.get("extra-rules") or [])]
    for doc_path, value in places:
        if value is None:
            continue
        if not is_inside(root / value, root):
            errors.append(doc.error(doc_path, f"'{value}' is outside the project ({root}); "
                                              "config paths must stay inside it"))
    if errors:
        raise UsageError(errors)


def _exclude_errors(doc: YamlDoc) -> list[Diagnostic]:
    """Each `exclude` entry must be a gitignore-style pattern pathspec can compile (`!` alone or
    a trailing backslash is none): said here, with its line, not when a walk first uses it."""
    errors = []
    for index, pattern in enumerate(doc.data.get("exclude") or []):
        problem = pattern_error(pattern)  # only a config with excludes imports pathspec
        if problem is not None:
            errors.append(doc.error(("exclude", index), f"'{pattern}' is not a valid "
                                                        f"gitignore-style pattern ({problem})"))
    return errors


def load_config(path: Path, shown: str, memo: YamlMemo | None = None) -> Config:
    """The config; one from the YAML memo that is not valid is read again from the file (the
    memo was damaged: the file says what is wrong)."""
    doc = load_yaml_file(path, shown, memo)
    try:
        return _config_from(doc, path, memo)
    except Exception:
        if not doc.remembered:
            raise
    return _config_from(load_yaml_file(path, shown, memo, parse=True), path, memo)


def _config_from(doc: YamlDoc, path: Path, memo: YamlMemo | None = None) -> Config:
    if doc.data is None:
        return Config(path=path, doc=doc)
    if not isinstance(doc.data, dict):
        raise UsageError(doc.error((), "the config file must be a YAML mapping"))
    levels = doc.data.get("rules")
    if isinstance(levels, dict):  # `off` unquoted is YAML 1.1's false; it means "off" here
        for rule_id, level in levels.items():
            if level is False:
                levels[rule_id] = "off"
    # The checks of the data alone (the schema's, then the excludes'): the excludes' import
    # pathspec, and the schema's imported jsonschema until valid data was found so without it
    # (schema_subset). Data that passed them once is remembered (schema_check.checked_once),
    # so that a warm check whose file list is remembered imports neither; the paths are
    # checked at every run, since what they resolve to can change.
    diagnostics = checked_once(doc, "config.schema.json+excludes", memo, lambda: (
        schema_diagnostics(doc, "mutlint", "config.schema.json") or _exclude_errors(doc)))
    if diagnostics:
        raise UsageError(diagnostics)
    data = doc.data
    base = path.parent
    _inside_project(doc, base)
    return Config(
        path=path,
        convex_dir=data.get("convex-dir"),
        exclude=list(data.get("exclude") or []),
        rule_levels=dict(data.get("rules") or {}),
        extra_rules=[base / p for p in data.get("extra-rules") or []],
        high_volume_tables=list(data.get("high-volume-tables") or []),
        max_file_size=int(data.get("max-file-size", DEFAULT_MAX_FILE_SIZE)),
        lint_generated=bool(data.get("lint-generated", False)),
        doc=doc,
    )
