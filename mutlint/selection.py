"""Which rules run: the built-in pack, the config's extra rules, --rules, then config levels
and --select/--ignore. Every unknown rule id is a usage error."""

from __future__ import annotations

import os
from pathlib import Path

from mutlint.config import Config
from mutlint.engine_rules import ENGINE_RULES
from mutlint.errors import Diagnostic, UsageError
from mutlint.findings import Severity
from mutlint.rules.model import Rule
from mutlint.rules.pack import builtin_rules_dir, load_rules
from mutlint.rules.rule_set import RuleSet
from mutlint.yaml_memo import YamlMemo


def shown_path(path: Path) -> str:
    """How a path is shown: relative to the current directory, unless it is an absolute path
    outside it, which is shown resolved. What os.path.relpath and that test gave, without
    relpath's normalising and splitting of both paths for the usual ones (an absolute path
    with no `.` or `..` in it): shown for each rule file and each finding, that was a million
    instructions of a pre-commit run."""
    text = str(path)
    if text[:1] == os.sep and os.altsep is None and not _dotted(text):
        cwd = os.getcwd()
        under = cwd if cwd.endswith(os.sep) else cwd + os.sep
        if text.startswith(under) and len(text) > len(under):
            relative = text[len(under):]
            return str(path.resolve()) if relative.startswith("..") else relative
        if text != cwd:  # outside: relpath would climb (`..`) out of the current directory
            return str(path.resolve())
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return text
    return str(path.resolve()) if relative.startswith("..") and path.is_absolute() else relative


def _dotted(text: str) -> bool:
    """Does the path hold an empty, `.` or `..` step (which relpath normalises away)?"""
    return "//" in text or "/./" in text or "/../" in text or text.endswith(("/.", "/..", "/"))


def load_all_rules(config: Config, extra: list[Path], *, builtin: bool = True,
                   memo: YamlMemo | None = None) -> list[Rule]:
    sources = ([builtin_rules_dir()] if builtin else []) + config.extra_rules + list(extra)
    confined = {path: config.path.parent for path in config.extra_rules} if config.path else {}
    return load_rules(sources, shown_path, confined=confined, memo=memo)


def _ids(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def build_rule_set(rules: list[Rule], config: Config, select: str | None = None,
                   ignore: str | None = None) -> RuleSet:
    every = {r.id: r for r in [*rules, *ENGINE_RULES]}
    errors = []
    overrides: dict[str, Severity] = {}
    off: set[str] = set()
    for rule_id, level in config.rule_levels.items():
        if rule_id not in every:
            errors.append(config.doc.error(("rules", rule_id), f"unknown rule id '{rule_id}'",
                                           key=True))
        elif level == "off":
            off.add(rule_id)
        else:
            overrides[rule_id] = Severity.parse(level)
    for option, ids in (("--select", _ids(select)), ("--ignore", _ids(ignore))):
        for rule_id in ids:
            if rule_id not in every:
                errors.append(Diagnostic("mutlint", f"{option}: unknown rule id '{rule_id}'"))
    if errors:
        raise UsageError(errors)
    enabled = set(every) - off
    if select:
        enabled = set(_ids(select))  # an explicit selection wins over the config's `off`
    enabled -= set(_ids(ignore))
    return RuleSet(
        rules=[r for r in rules if r.id in enabled],
        enabled_engine_rules={r.id for r in ENGINE_RULES if r.id in enabled},
        severity_overrides=overrides,
        known_ids=set(every),
    )
