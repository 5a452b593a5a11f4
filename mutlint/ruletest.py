"""`mutlint test`: run annotated test cases, Semgrep-style.

A rule `rules/foo.yaml` keeps its cases in `rules/foo/`, a small project (so cross-file rules
can be tested with a schema, crons and callers; a `.mutlint.yaml` there configures it). In a
test file, a comment `// ruleid: foo` says the next code line must be reported by `foo`, and
`// ok: foo` that it must not; every finding of a rule under test on a line without `ruleid`
is a failure too. The last line of the report is `N passed, N failed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mutlint.config import Config, find_config, load_config
from mutlint.engine import check
from mutlint.errors import Diagnostic, UsageError
from mutlint.project import Project
from mutlint.rules.model import Rule
from mutlint.rules.pack import builtin_rules_dir, load_rules, rule_files_in
from mutlint.selection import build_rule_set, shown_path
from mutlint.source import language_for
from mutlint.workspace import FileSelector, Workspace, normalise_dir

ANNOTATION = re.compile(r"^\s*(?://|/\*|\{\s*/\*)\s*(ruleid|ok):\s*([a-z0-9][a-z0-9, -]*)")


@dataclass
class TestUnit:
    root: Path
    owner: str | None  # the rule whose test directory this is
    files: list[Path] | None = None  # None: every lintable file under root


@dataclass
class Expectations:
    must: set[tuple[str, int, str]] = field(default_factory=set)  # (path, line, rule)
    must_not: set[tuple[str, int, str]] = field(default_factory=set)
    mentioned: set[str] = field(default_factory=set)


def read_annotations(path: Path, relpath: str, into: Expectations) -> None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    pending: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        match = ANNOTATION.match(line)
        if match:
            kind = match.group(1)
            for rule_id in re.split(r"[\s,]+", match.group(2).strip()):
                if rule_id:
                    pending.append((kind, rule_id))
            continue
        if pending and line.strip():
            for kind, rule_id in pending:
                into.mentioned.add(rule_id)
                (into.must if kind == "ruleid" else into.must_not).add((relpath, number, rule_id))
            pending = []


def _units(paths: list[Path]) -> tuple[list[Rule], list[TestUnit]]:
    rule_paths: list[Path] = []
    units: list[TestUnit] = []
    for path in paths:
        if not path.exists():
            raise UsageError(Diagnostic(str(path), "no such file or directory"))
        if path.is_file() and language_for(path) is not None:
            units.append(TestUnit(path.resolve().parent, None, [path.resolve()]))
            continue
        files = rule_files_in(path) if path.is_dir() else [path]
        rule_paths.extend(files)
        for rule_file in files:
            case_dir = rule_file.with_suffix("")
            units.append(TestUnit(case_dir.resolve(), rule_file.stem))
        if path.is_dir() and not files:
            units.append(TestUnit(path.resolve(), None))
    rules = load_rules(rule_paths, shown_path) if rule_paths else []
    return rules, units


def _workspace(root: Path) -> Workspace:
    config_path = find_config(root)
    config = load_config(config_path, shown_path(config_path)) if config_path else Config()
    return Workspace(root=root, config=config, convex_dir=normalise_dir(config.convex_dir or "convex"))


def run_rule_tests(paths: list[Path], extra_rules: list[Path]) -> tuple[str, int]:
    rules, units = _units(paths or [builtin_rules_dir()])
    known = {r.id for r in rules}
    for rule in load_rules(extra_rules, shown_path) if extra_rules else []:
        if rule.id not in known:
            rules.append(rule)
    if not rules:
        rules = load_rules([builtin_rules_dir()], shown_path)
    lines: list[str] = []
    passed = failed = 0
    covered: dict[str, set[str]] = {r.id: set() for r in rules}
    for unit in units:
        if unit.owner is not None and not unit.root.is_dir():
            lines.append(f"{unit.owner}: no test cases (expected a directory "
                         f"{shown_path(unit.root)}/)")
            failed += 1
            continue
        workspace = _workspace(unit.root)
        rule_set = build_rule_set(rules, workspace.config)
        everything = [Path(p) for p in FileSelector(workspace).walk(unit.root)]
        files = unit.files if unit.files is not None else everything
        project = Project(root=unit.root, convex_dir=workspace.convex_dir,
                          sources_found={workspace.relpath(p): str(p) for p in everything},
                          high_volume_tables=workspace.config.high_volume_tables or None,
                          max_file_size=workspace.config.max_file_size,
                          skip_generated=not workspace.config.lint_generated)
        result = check(project, files, rule_set)
        expectations = Expectations()
        for file in files:
            relpath = file.relative_to(unit.root).as_posix()
            read_annotations(file, relpath, expectations)
        considered = set(expectations.mentioned) | ({unit.owner} if unit.owner else set())
        for _, _, rule_id in expectations.must:
            covered.setdefault(rule_id, set()).add("ruleid")
        for _, _, rule_id in expectations.must_not:
            covered.setdefault(rule_id, set()).add("ok")
        reported = {(f.span.path, f.span.start_line, f.rule_id): f for f in result.reported
                    if f.rule_id in considered}
        shown_root = shown_path(unit.root)
        for key in sorted(expectations.must):
            if key in reported:
                passed += 1
            else:
                failed += 1
                lines.append(f"{shown_root}/{key[0]}:{key[1]}: missing finding: {key[2]}")
        for key in sorted(expectations.must_not):
            if key in reported:
                failed += 1
                lines.append(f"{shown_root}/{key[0]}:{key[1]}: unexpected finding (marked ok): "
                             f"{key[2]}: {reported[key].message}")
            else:
                passed += 1
        for key in sorted(set(reported) - expectations.must - expectations.must_not):
            failed += 1
            lines.append(f"{shown_root}/{key[0]}:{key[1]}: unexpected finding: {key[2]}: "
                         f"{reported[key].message}")
        for diagnostic in result.diagnostics:
            lines.append(f"{shown_root}/{diagnostic}")
    for unit in units:
        if unit.owner is None or not unit.root.is_dir():
            continue
        kinds = covered.get(unit.owner, set())
        for kind in ("ruleid", "ok"):
            if kind not in kinds:
                failed += 1
                lines.append(f"{unit.owner}: no `{kind}:` case in {shown_path(unit.root)}/")
    lines.append(f"{passed} passed, {failed} failed")
    return "\n".join(lines) + "\n", failed
