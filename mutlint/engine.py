"""One check run: parse each file once, run the query plan, evaluate rules, filter, sort.

This is the only place the four rooms meet: sources are parsed (source.py), rules are matched
(rules/), facts come from the Convex model (convex/) through the fact registry, and the result
is plain data (findings and diagnostics) for a report writer to format.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from mutlint.cache import Cache, Entry
from mutlint.cache_records import BadEntry, decode_payload, encode_payload
from mutlint.dependencies import ContentHashes
from mutlint.engine_rules import ENGINE_RULES, PARSE_ERROR
from mutlint.errors import Diagnostic
from mutlint.facts import MODEL_PARTS, fact_registry
from mutlint.findings import Finding, Severity, assign_fingerprints
from mutlint.project import NeedsWholeModel, Project
from mutlint.regex_guard import reset_regex_budget
from mutlint.rules.evaluate import FileEvaluator
from mutlint.rules.grouping import MatchRecord, findings_from_records, record_of, span_of
from mutlint.rules.model import Rule
from mutlint.rules.plan import QueryPlan
from mutlint.rules.prefilter import Prefilter
from mutlint.source import first_syntax_error
from mutlint.statistics import NoStatistics, Statistics
from mutlint.suppress import Directive, apply_directives, parse_directives, unused_directive_findings


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)  # sorted; suppressed ones flagged
    diagnostics: list[Diagnostic] = field(default_factory=list)  # files that were skipped
    files_checked: int = 0
    checked_paths: set[str] = field(default_factory=set)
    baseline: tuple[int, int] | None = None  # (hidden by the baseline, fixed since it)
    # Internal errors: a rule or a file that failed. The rest of the run completed, but some
    # findings may be missing, so the CLI exits 2. `tracebacks` is shown with --debug.
    errors: list[Diagnostic] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    def fail(self, where: str, what: str, exc: BaseException) -> None:
        self.errors.append(Diagnostic(where, f"internal error {what}: {type(exc).__name__}: {exc}"))
        self.tracebacks.append("".join(traceback.format_exception(exc)))

    @property
    def reported(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]


MAX_PLANS = 4  # queries compiled per language, each for a subset of the rules
AUTO_JOBS = 0  # `-j auto`
# -j auto forks only for this much work per process: files that need a parse, or (without a
# cache, which tells them) files, of which about a quarter do in a Convex app.
MIN_PARSES_PER_JOB = 50
MIN_FILES_PER_JOB = 200


@dataclass
class RuleSet:
    rules: list[Rule]  # pattern rules that run
    enabled_engine_rules: set[str]
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    known_ids: set[str] = field(default_factory=set)  # every rule id that exists, run or not
    _plans: dict[tuple[str, frozenset[str]], QueryPlan] = field(default_factory=dict, repr=False)
    _prefilter: Prefilter | None = field(default=None, repr=False)

    @property
    def prefilter(self) -> Prefilter:
        if self._prefilter is None:
            self._prefilter = Prefilter.for_rules(self.rules)
        return self._prefilter

    def plan(self, language: str, needed: set[str] | None = None) -> QueryPlan:
        """One query for the rules a file may match. tree-sitter spends ~5 ms compiling each
        pattern, so a page that only the parallel-calls rule can match gets a query of that
        rule's patterns; after MAX_PLANS such subsets a language uses one query of all rules."""
        ids = frozenset(r.id for r in self.rules if language in r.languages
                        and (needed is None or r.id in needed))
        key = (language, ids)
        if key not in self._plans:
            if needed is not None and \
                    sum(1 for known, _ in self._plans if known == language) >= MAX_PLANS:
                return self.plan(language)
            atoms = [a for r in self.rules if r.id in ids for a in r.atoms]
            self._plans[key] = QueryPlan(language, atoms)
        return self._plans[key]

    @property
    def enabled_ids(self) -> set[str]:
        return {r.id for r in self.rules} | self.enabled_engine_rules


@dataclass
class Scan:
    """What reading and matching some files produced: strings and spans only, so the scans of
    several processes can be merged (-j N) into the same result one process would give."""

    result: CheckResult
    records: dict[str, list[MatchRecord]]
    directives: dict[str, list[Directive]]
    stats: Statistics
    cache_entries: dict[str, Entry] = field(default_factory=dict)  # made by this scan
    index_entries: dict[str, list] = field(default_factory=dict)  # the file index's, too
    deferred: list[Path] = field(default_factory=list)  # checks left for the whole model
    plain_facts: dict = field(default_factory=dict)  # a -j child's plain facts (Project.adopt)


def check(project: Project, paths: list[Path], rule_set: RuleSet,
          stats: Statistics | None = None, jobs: int = 1, cache: Cache | None = None) -> CheckResult:
    stats = stats or NoStatistics()
    cache = cache or Cache(None)
    project.cache = cache  # facts that outlive the run go there too
    registry = fact_registry()
    # Hooks keep, before a checked file's tree is released, what the functions dir's facts will
    # ask of it (a page's mutation calls, a functions-dir file's parts of the model): a run
    # that checks no functions-dir file (a pre-commit hook on a page) has no one to keep it
    # for. (A fact asked anyway finds the file unparsed and parses it: slower, never wrong.)
    if any(project.in_convex_dir(_relpath(project.root, path)) for path in paths):
        hooks = [hook for rule in rule_set.rules for use in rule.facts
                 if (hook := registry[use.fact].before_release) is not None]
        if any(rule.facts for rule in rule_set.rules):
            hooks.extend(MODEL_PARTS)
        project.release_hooks = tuple(dict.fromkeys(hooks))
    reset_regex_budget()
    # Client files first: each is released once checked, keeping what the functions dir's
    # facts ask of it later (see Project.release); checked after the schema, every page would
    # be parsed once for the schema's facts and again for its own check.
    paths = sorted(paths, key=lambda path: project.in_convex_dir(_relpath(project.root, path)))
    auto = jobs == AUTO_JOBS
    if auto:
        jobs = max(1, os.cpu_count() or 1)
    pending, enough = paths, (MIN_FILES_PER_JOB if auto else 2) * jobs
    if jobs > 1 and len(paths) >= 2 * jobs and not cache.disabled:
        # A file the cache answers needs no child. (Without a cache, the children read and
        # judge the files themselves, in parallel: most need no parse, which they see first.)
        with stats.phase("read"):
            pending = [path for path in paths if _needs_work(project, path, rule_set, cache)]
        enough = (MIN_PARSES_PER_JOB if auto else 2) * jobs
    # Forking, and handing the model's parts back, costs more than a small project's check:
    # `-j auto` stays in one process for one (an explicit -j N always forks).
    if jobs > 1 and len(pending) >= enough and "fork" in _multiprocessing().get_all_start_methods():
        global _FORK_STATE
        _FORK_STATE = (project, rule_set, not isinstance(stats, NoStatistics), cache)
        waiting = set(pending)
        try:
            # Interleaved chunks balance directories of big and small files.
            chunks = [pending[index::jobs] for index in range(jobs)]
            with _multiprocessing().get_context("fork").Pool(jobs) as pool:
                children = pool.map_async(_scan_in_child, chunks)
                scans = [_scan(project, [p for p in paths if p not in waiting], rule_set, stats, cache),
                         *children.get()]
        finally:
            _FORK_STATE = None
        # The checks that need the whole call graph or the flows (a helper's, the schema's)
        # waited in the children; here every child's plain parts build it without a parse.
        for scan in scans:
            project.adopt(scan.plain_facts)
        order = {path: index for index, path in enumerate(paths)}
        deferred = sorted((path for scan in scans for path in scan.deferred), key=order.__getitem__)
        if deferred:
            scans.append(_scan(project, deferred, rule_set, stats, cache, resuming=True))
    else:
        scans = [_scan(project, paths, rule_set, stats, cache)]
    for scan in scans:
        for relpath, entry in scan.cache_entries.items():
            cache.put(relpath, entry)
        cache.files.new.update(scan.index_entries)
    with stats.phase("cache"):
        cache.save()
    return _finish(scans, rule_set, stats)


_FORK_STATE: tuple | None = None


def _multiprocessing():
    import multiprocessing  # only -j needs it; a pre-commit run should not pay its import

    return multiprocessing


def _scan_in_child(paths: list[Path]) -> Scan:
    project, rule_set, timed, cache = _FORK_STATE
    scan = _scan(project, paths, rule_set, Statistics() if timed else NoStatistics(), cache,
                 defer=True)
    scan.plain_facts = project.lasting_facts()
    return scan


def _scan(project: Project, paths: list[Path], rule_set: RuleSet, stats: Statistics,
          cache: Cache, *, defer: bool = False, resuming: bool = False) -> Scan:
    """Check the paths. With `defer` (a -j child), a check that needs the whole call graph or
    the flows is left in Scan.deferred, for the parent to do once every child's plain parts
    are in (Project.whole_model); `resuming` such checks, the paths were counted already.
    (One process builds the model when first asked: deferring would parse the deferred files
    twice.)"""
    result = CheckResult()
    records: dict[str, list[MatchRecord]] = {rule.id: [] for rule in rule_set.rules}
    per_file_directives: dict[str, list[Directive]] = {}
    hashes = project.hashes
    new_entries: dict[str, Entry] = {}
    project.defer_whole_model = defer
    deferred: list[Path] = []
    counted: set[Path] = set(paths) if resuming else set()
    for path in paths:
        relpath = _relpath(project.root, path)
        project.checking = relpath
        cached = None
        try:
            with stats.phase("read"):
                if path not in counted:
                    stats.counts["files"] += 1
                verdict = _verdict(project, relpath, path, rule_set)
                if isinstance(verdict, str):
                    result.diagnostics.append(Diagnostic(relpath, f"skipped: {verdict}"))
                    continue
                parse, needed = verdict[0], set(verdict[1:])
            if not parse:
                # No rule can match code without these tokens: checked, without a parse.
                stats.counts["prefiltered"] += 1
                result.files_checked += 1
                result.checked_paths.add(relpath)
                continue
            with stats.phase("cache"):
                cached = _from_cache(cache, relpath, hashes, rule_set)
            if cached is None:
                with stats.phase("parse and query"):
                    file = project.file(relpath, path)
                    file_pass = rule_set.plan(file.language, needed).run(file)
                    directives = parse_directives(file, file_pass.comments)
                    if path not in counted:
                        stats.counts["parsed"] += 1
        except Exception as exc:  # one bad file must not stop the run
            result.fail(relpath, "while reading the file; no rule ran on it", exc)
            continue
        if cached is not None:
            stats.counts["cached"] += 1
            file_records, directives, findings = cached
        else:
            errors_before = len(result.errors)
            try:
                file_records, reads = project.reads_of(
                    partial(_run_rules, project, file, file_pass, rule_set, needed, result, stats))
            except NeedsWholeModel as exc:
                del result.errors[errors_before:], result.tracebacks[errors_before:]
                if defer:
                    deferred.append(path)
                else:  # only a fact asking for the model while building it: a bug, reported
                    result.fail(relpath, "while building the project's model; no rule ran on it",
                                RuntimeError(f"{exc.args[0]} asked for while being built"))
                _release(project, relpath)
                continue
            findings = _parse_error_finding(file) if PARSE_ERROR in rule_set.enabled_engine_rules else []
            if len(result.errors) == errors_before and not cache.disabled:
                # A check that failed somewhere is not kept: the next run tries again.
                files, groups = project.dependencies(reads, leave_out=relpath)
                new_entries[relpath] = Entry(hashes.of(relpath), files,
                                             encode_payload(file_records, directives, findings), groups)
        result.files_checked += 1
        result.checked_paths.add(relpath)
        for rule_id, found in file_records.items():
            records[rule_id].extend(found)
        per_file_directives[relpath] = directives
        result.findings.extend(findings)
        _release(project, relpath)
    project.checking = None
    project.defer_whole_model = False
    # Facts the model stored (Project.stored) travel with the scan too, out of a -j child.
    return Scan(result, records, per_file_directives, stats, {**cache.new, **new_entries},
                dict(cache.files.new), deferred)


def _release(project: Project, relpath: str) -> None:
    try:
        project.release(relpath)
    except Exception:
        pass  # kept parsed; a fact whose hook failed fails again, and is reported, in its rule
    finally:
        project.checking = None


def _run_rules(project: Project, file, file_pass, rule_set: RuleSet, needed: set[str],
               result: CheckResult, stats: Statistics) -> dict[str, list[MatchRecord]]:
    relpath = file.relpath
    evaluator = FileEvaluator(project, file, file_pass)
    found: dict[str, list[MatchRecord]] = {rule.id: [] for rule in rule_set.rules}
    for rule in rule_set.rules:
        if file.language not in rule.languages or rule.id not in needed:
            continue
        if rule.id in file_pass.failed_rules:
            result.fail(relpath, f"in rule {rule.id}; its findings in this file are missing",
                        file_pass.failed_rules[rule.id])
            continue
        try:
            with stats.phase("rules"), stats.rule(rule.id):
                found[rule.id] = [record_of(project, rule, match) for match in evaluator.matches(rule)]
        except Exception as exc:  # one bad rule must not stop the others
            result.fail(relpath, f"in rule {rule.id}; its findings in this file are missing", exc)
    return found


def _verdict(project: Project, relpath: str, path: Path, rule_set: RuleSet) -> list | str:
    """[needs a parse, rule id, ...] for the rules that may match the file, or why it cannot be
    linted: from the cache's file index when the file's stat is unchanged, else from its bytes."""
    found = project.verdicts.get(relpath)
    if found is None:
        found = project.verdicts[relpath] = _find_verdict(project, relpath, path, rule_set)
    return found


def _find_verdict(project: Project, relpath: str, path: Path, rule_set: RuleSet) -> list | str:
    known = project.known(relpath, path)
    if known is not None and known.verdict is not None and \
            (isinstance(known.verdict, str) or set(known.verdict[1:]) <= rule_set.prefilter.clauses.keys()):
        if isinstance(known.verdict, str):
            project.unreadable[relpath] = known.verdict
        return known.verdict
    data = project.raw(relpath, path)
    if data is None:
        return project.unreadable[relpath]
    needed = rule_set.prefilter.rules_for(data)
    verdict = [rule_set.prefilter.needs_parse(data, needed), *sorted(needed)]
    project.note_verdict(relpath, verdict)
    return verdict


def _needs_work(project: Project, path: Path, rule_set: RuleSet, cache: Cache) -> bool:
    """Does checking the file take more than reading the cache (a parse, the rules)?"""
    relpath = _relpath(project.root, path)
    try:
        verdict = _verdict(project, relpath, path, rule_set)
    except Exception:
        return True  # the scan reports it
    if isinstance(verdict, str) or not verdict[0]:
        return False
    return _still_good_entry(cache, relpath, project.hashes) is None


def _still_good_entry(cache: Cache, relpath: str, hashes: ContentHashes) -> Entry | None:
    """The file's cache entry if the file and everything it was checked with are unchanged."""
    entry = cache.get(relpath)
    if entry is None or entry.hash != hashes.of(relpath) or \
            not hashes.still_good(entry.deps, entry.groups, cache):
        return None
    return entry


def _from_cache(cache: Cache, relpath: str, hashes: ContentHashes, rule_set: RuleSet):
    """(records, directives, findings) of an earlier run whose inputs are all unchanged."""
    entry = _still_good_entry(cache, relpath, hashes)
    if entry is None:
        return None
    try:
        return decode_payload(entry.payload, {rule.id for rule in rule_set.rules})
    except BadEntry:
        return None


def _finish(scans: list[Scan], rule_set: RuleSet, stats: Statistics) -> CheckResult:
    result = CheckResult()
    records: dict[str, list[MatchRecord]] = {rule.id: [] for rule in rule_set.rules}
    per_file_directives: dict[str, list[Directive]] = {}
    failures = []
    for scan in scans:
        part = scan.result
        result.findings.extend(part.findings)
        result.diagnostics.extend(part.diagnostics)
        failures.extend(zip(part.errors, part.tracebacks, strict=True))
        result.files_checked += part.files_checked
        result.checked_paths |= part.checked_paths
        for rule_id, found in scan.records.items():
            records[rule_id].extend(found)
        per_file_directives.update(scan.directives)
        if scan.stats is not stats:
            stats.merge(scan.stats)
    for rule in rule_set.rules:
        try:
            with stats.phase("group"), stats.rule(rule.id):
                result.findings.extend(findings_from_records(rule, records[rule.id]))
        except Exception as exc:
            result.fail("(project)", f"in rule {rule.id} while grouping; its findings are missing", exc)
    for finding in result.findings:
        override = rule_set.severity_overrides.get(finding.rule_id)
        if override is not None:
            finding.severity = override
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.span.path, []).append(finding)
    for relpath in sorted(per_file_directives):
        directives = per_file_directives[relpath]
        apply_directives(by_path.get(relpath, []), directives)
        if "unused-suppression" in rule_set.enabled_engine_rules:
            result.findings.extend(unused_directive_findings(
                directives, rule_set.enabled_ids, rule_set.known_ids))
    assign_fingerprints(result.findings)
    result.findings.sort(key=Finding.sort_key)
    result.diagnostics.sort(key=lambda d: (d.path, d.message))
    failures.sort(key=lambda item: (item[0].path, item[0].message))
    result.errors = [e for e, _ in failures] + result.errors
    result.tracebacks = [t for _, t in failures] + result.tracebacks
    return result


def _parse_error_finding(file) -> list[Finding]:
    node = first_syntax_error(file.tree)
    if node is None:
        return []
    rule = next(r for r in ENGINE_RULES if r.id == PARSE_ERROR)
    near = " ".join(file.text(node).split())[:40]
    what = f"missing `{node.type}`" if node.is_missing else (f"unexpected `{near}`" if near
                                                             else "unexpected syntax")
    return [Finding(rule_id=PARSE_ERROR, severity=rule.severity,
                    message=f"syntax error ({what}); findings inside the broken code are skipped",
                    span=span_of(file, node), anchor_text=what)]


def _relpath(root: Path, path: Path) -> str:
    # The selector hands over resolved paths: cut the root off the string when it is there.
    text, prefix = str(path), f"{root}{os.sep}"
    if text.startswith(prefix) and path.is_absolute():
        return text[len(prefix):].replace(os.sep, "/")
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()
