"""The commands behind the CLI: check, rules, explain, test."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from mutlint import __version__, json_codec
from mutlint.cache import (
    CACHE_DIR,
    CODE_MEMO,
    CodeFingerprint,
    cache_dir_is_ours,
    code_fingerprint,
    open_cache,
)
from mutlint.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, write_output
from mutlint.config import Config
from mutlint.engine import check, without_cycle_collection
from mutlint.engine_rules import ENGINE_RULES
from mutlint.errors import Diagnostic, UsageError
from mutlint.findings import Severity
from mutlint.project import Project
from mutlint.report import printable
from mutlint.selection import build_rule_set, load_all_rules, shown_path
from mutlint.statistics import NoStatistics, Statistics
from mutlint.teardown import keep_until_exit
from mutlint.workspace import FileSelector, open_workspace
from mutlint.yaml_memo import MEMO_FILE, YamlMemo


def prepare(paths: list[Path], args, select=None, ignore=None, stats=None, *, cached: bool = False):
    """Workspace, rule set, the files to report on, the project read for context, and the
    cache (disabled unless `cached` and not --no-cache): it is opened before discovery, whose
    walks it keeps."""
    stats = stats or NoStatistics()
    cache_dir = _CacheDir() if cached and not args.no_cache else None
    with stats.phase("load rules"):
        workspace = open_workspace(paths[0], args.config,
                                   yaml_memo=cache_dir.yaml_memo if cache_dir else None)
        rules = load_all_rules(workspace.config, args.rules, memo=workspace.yaml_memo)
        rule_set = build_rule_set(rules, workspace.config, select, ignore)
        rule_set.memo = workspace.yaml_memo  # the walks' patterns too (remembered_walks.py)
    with stats.phase("cache"):
        if cache_dir is None:
            cache = open_cache(workspace.root, "", enabled=False)
        else:
            salt, code = _cache_salt(workspace, rule_set, cache_dir.code)
            cache = open_cache(workspace.root, salt, ours=cache_dir.ours)
            if not cache.disabled:  # a tracked or linked cache dir gets no file of ours
                code.remember()
                workspace.yaml_memo.save()
    with stats.phase("discover"):
        selector = FileSelector(workspace, cache.listings)
        files, missing = selector.select(paths)
    if missing:
        raise UsageError(missing)
    # The whole project is context (schema, crons, helpers), even when one file is reported on.
    project = Project(root=workspace.root, convex_dir=workspace.convex_dir,
                      sources_found=selector.sources,
                      high_volume_tables=workspace.config.high_volume_tables or None,
                      max_file_size=workspace.config.max_file_size,
                      skip_generated=not workspace.config.lint_generated)
    return workspace, rule_set, files, project, cache


class _CacheDir:
    """What a cached run learns of the project's cache dir once, when the YAML memo is opened
    (before the config is read): whether it is ours, and mutlint's code fingerprint."""

    ours: bool | None
    code: CodeFingerprint | None

    def __init__(self, ours: bool | None = None, code: CodeFingerprint | None = None) -> None:
        self.ours = ours
        self.code = code

    def yaml_memo(self, root: Path) -> YamlMemo:
        self.ours = cache_dir_is_ours(root)
        if not self.ours:
            return YamlMemo(None)  # a tracked or linked cache dir is not read
        self.code = _code_fingerprint(root)
        return YamlMemo(root / CACHE_DIR / MEMO_FILE, self.code.value)


def _code_fingerprint(root: Path) -> CodeFingerprint:
    import tree_sitter

    from mutlint.source import grammars

    return code_fingerprint(tree_sitter, grammars(), memo=root / CACHE_DIR / CODE_MEMO)


def _cache_salt(workspace, rule_set, code: CodeFingerprint | None) -> tuple[str, CodeFingerprint]:
    """Everything besides the files that decides what a check finds: entries made under
    another version, code, grammar, config or rule set are never read."""
    config = workspace.config
    code = code or _code_fingerprint(workspace.root)
    return json_codec.dumps([
        __version__, code.value,
        # The excludes in their order: a later `!pattern` undoes an earlier pattern.
        workspace.convex_dir, config.exclude, config.high_volume_tables, config.max_file_size,
        config.lint_generated, sorted((rule.id, rule.source_hash) for rule in rule_set.rules),
        sorted(rule_set.enabled_engine_rules),
    ]), code


def _note_missing_convex_dir(workspace) -> None:
    """Without a functions dir the Convex rules have nothing to stand on; a clean report would
    look like a clean app, so say why it may be empty."""
    if (workspace.root / workspace.convex_dir).is_dir():
        return
    where = printable(shown_path(workspace.root / workspace.convex_dir))
    print(f"{where}: no Convex functions dir here, so the Convex rules see no functions (set "
          "`convex-dir` in .mutlint.yaml, or convex.json's \"functions\")", file=sys.stderr)


def run_check(args) -> int:
    with without_cycle_collection():  # through the report: see the function
        return _run_check(args)


def _run_check(args) -> int:
    paths = args.paths or [Path(".")]
    stats = Statistics() if args.statistics else NoStatistics()
    workspace, rule_set, files, project, cache = prepare(paths, args, args.select, args.ignore,
                                                         stats, cached=True)
    changes = None
    if args.base is not None and not (args.changed or args.diff_lines):
        raise UsageError("--base goes with --changed or --diff-lines")
    if args.changed or args.diff_lines:
        from mutlint.changes import changed

        changes = changed(paths[0], args.base, with_lines=args.diff_lines)
        files = [f for f in files if f.resolve() in changes.files]
    result = check(project, files, rule_set, stats, jobs=args.jobs, cache=cache)
    if not cache.disabled:
        workspace.yaml_memo.save()  # what the check added to it: a walk's patterns
    keep_until_exit(project, result, rule_set, cache)
    if args.diff_lines:
        _keep_changed_lines(result, workspace.root, changes)
    if args.write_baseline is not None:
        from mutlint.baseline import render_baseline

        write_output(render_baseline(result.reported), args.write_baseline)
        count = len(result.reported)
        print(f"{args.write_baseline}: recorded {count} finding{'' if count == 1 else 's'}",
              file=sys.stderr)
        return EXIT_OK
    if args.baseline is not None:
        from mutlint.baseline import apply_baseline, load_baseline

        result.baseline = apply_baseline(result.findings, load_baseline(args.baseline),
                                         result.checked_paths)
    for diagnostic in result.diagnostics:  # paths as the findings print them: from the cwd
        shown = diagnostic.with_path(shown_path(workspace.root / diagnostic.path))
        print(printable(str(shown)), file=sys.stderr)
    _note_missing_convex_dir(workspace)
    report_started = time.perf_counter()
    if args.format == "json":
        from mutlint.report.json_report import render_json

        text = render_json(result)
    elif args.format == "sarif":
        from mutlint.engine_rules import ENGINE_RULES
        from mutlint.report.sarif import render_sarif

        described = [*rule_set.rules, *(r for r in ENGINE_RULES if r.id in rule_set.enabled_ids)]
        text = render_sarif(result, described, prefix=workspace.repository_prefix(),
                            include_suppressed=args.sarif_include_suppressed)
    elif args.format == "github":
        from mutlint.report.github import markdown_summary, render_github

        text = render_github(result, workspace.repository_prefix())
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            try:
                with open(summary_path, "a", encoding="utf-8") as summary:
                    summary.write(markdown_summary(result, workspace.repository_prefix()))
            except OSError as exc:
                print(f"{summary_path}: cannot append the job summary ({exc.strerror})",
                      file=sys.stderr)
    else:
        from mutlint.report.text import render_text
        from mutlint.source import line_text_of

        interactive = args.output is None and sys.stdout.isatty()
        color = interactive and not args.no_color and "NO_COLOR" not in os.environ

        def line_of(relpath: str, line: int) -> str | None:
            # From the bytes, not a tree: whether a file is still parsed when the report is
            # written depends on the path the run took (-j, the cache), the frames must not.
            data = project.raw(relpath)
            return line_text_of(data, line) if data is not None else None

        def display(relpath: str) -> str:
            return shown_path(workspace.root / relpath)

        text = render_text(result, color=color, frames=interactive, line_of=line_of,
                           display=display)
    write_output(text, args.output)
    if args.statistics:
        stats.phases["report"] += time.perf_counter() - report_started
        sys.stderr.write(stats.render())
    if report_internal_errors(result, args.debug):
        return EXIT_USAGE
    if args.fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in result.reported) else EXIT_OK


def run_audit(args) -> int:
    from mutlint.audit import build_audit
    from mutlint.report.audit_report import Links, render_audit_json, render_audit_markdown

    workspace, rule_set, _, project, _ = prepare([args.path], args)
    # The audit covers the whole project, whatever the path inside it.
    result = check(project, [project.root / relpath for relpath in sorted(project.sources)], rule_set)
    for diagnostic in result.diagnostics:
        print(printable(str(diagnostic)), file=sys.stderr)
    audit = build_audit(project, result)
    links = Links(workspace.repository_prefix(), args.link_base)
    render = render_audit_json if args.format == "json" else render_audit_markdown
    write_output(render(audit, links), args.output)
    return EXIT_USAGE if report_internal_errors(result, args.debug) else EXIT_OK


def report_internal_errors(result, debug: bool) -> bool:
    """Say which rule or file failed (tracebacks with --debug); True if any did."""
    for error, trace in zip(result.errors, result.tracebacks, strict=True):
        print(printable(str(error)), file=sys.stderr)
        if debug:
            print(trace, file=sys.stderr)
    if result.errors:
        print(f"mutlint: {len(result.errors)} internal error{'s' if len(result.errors) != 1 else ''}; "
              "the report above is incomplete (exit 2)", file=sys.stderr)
    return bool(result.errors)


def _keep_changed_lines(result, root: Path, changes) -> None:
    """--diff-lines: drop findings whose primary location is not on a changed line."""
    kept = []
    for finding in result.findings:
        lines = changes.lines(root / finding.span.path)
        if lines is None or finding.span.start_line in lines:
            kept.append(finding)
    result.findings = kept


def _rules_for_listing(args):
    workspace_config = Config()
    if args.config is not None:
        workspace_config = open_workspace(Path("."), args.config).config
    return [*load_all_rules(workspace_config, args.rules), *ENGINE_RULES]


def run_rules(args) -> int:
    rules = sorted(_rules_for_listing(args), key=lambda r: r.id)
    if args.format == "json":
        data = [{"id": r.id, "severity": r.severity.label, "tags": r.tags,
                 "summary": r.summary, "languages": r.languages, "path": r.path} for r in rules]
        import json  # this listing alone writes indented JSON

        write_output(json.dumps(data, indent=2) + "\n", None)
        return EXIT_OK
    width = max(len(r.id) for r in rules)
    tag_width = max(len(",".join(r.tags)) for r in rules)
    lines = [f"{r.id:<{width}}  {r.severity.label:<7}  {','.join(r.tags):<{tag_width}}  {r.summary}"
             for r in rules]
    write_output("\n".join(lines) + "\n", None)
    return EXIT_OK


def run_explain(args) -> int:
    rules = {r.id: r for r in _rules_for_listing(args)}
    rule = rules.get(args.rule_id)
    if rule is None:
        raise UsageError(Diagnostic("mutlint", f"unknown rule id '{args.rule_id}' "
                                    f"(see `mutlint rules`)"))
    out = [f"# {rule.id} ({rule.severity.label})", "", rule.description.rstrip(), ""]
    if rule.references:
        out += ["## References", *[f"- {ref}" for ref in rule.references], ""]
    if rule.atoms:
        for language in rule.languages:
            out += [f"## Tree-sitter query ({language})", "", "```query"]
            out += [atom.by_language[language].source for atom in rule.atoms
                    if language in atom.by_language]
            out += ["```", ""]
        out += _evaluation_lines(rule)
    else:
        out += ["(reported by the engine itself; no query)", ""]
    write_output("\n".join(out), None)


def _evaluation_lines(rule) -> list[str]:
    """What the evaluator checks on top of the queries, as the rule file says it."""
    lines = []
    for name, constraint in sorted(rule.constraints.items()):
        if constraint.regex is not None:
            lines.append(f"- ${name} matches /{constraint.regex.pattern}/")
        if constraint.not_regex is not None:
            lines.append(f"- ${name} does not match /{constraint.not_regex.pattern}/")
    for use in rule.facts:
        subject = f"${use.of}" if use.of else use.of_fact or "the match"
        where = ", ".join(f"{k} in {list(v)}" for k, v in use.where.items())
        state = "must have no value" if use.absent else (f"where {where}" if where else "must have a value")
        lines.append(f"- fact {use.name} = {use.fact} of {subject}: {state}")
    if rule.group is not None:
        group = rule.group
        counted = f"distinct {group.distinct}" if group.distinct else "members"
        if group.weight:
            counted += f" (weighted by {group.weight})"
        if group.exclusive:
            counted += f" that can run together (paths from {group.exclusive})"
        lines.append(f"- grouped per {group.scope} by {', '.join(group.by) or 'nothing else'}; "
                     f"reported when {counted} >= {group.at_least}")
    if rule.focus:
        lines.append(f"- reported at ${rule.focus}")
    return ["## Evaluation", "", *lines, ""] if lines else []
    return EXIT_OK


def run_test(args) -> int:
    from mutlint.ruletest import run_rule_tests

    report, failed = run_rule_tests(args.paths, args.rules)
    write_output(report, None)
    return EXIT_FINDINGS if failed else EXIT_OK


__all__ = ["run_check", "run_audit", "run_rules", "run_explain", "run_test", "EXIT_USAGE"]
