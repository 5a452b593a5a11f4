"""One check run: the files' scans (mutlint.scan), in one process or several (-j N), merged,
grouped, filtered and sorted.

This is the only place the four rooms meet: sources are parsed (source.py), rules are matched
(rules/), facts come from the Convex model (convex/) through the fact registry, and the result
is plain data (findings and diagnostics, mutlint.result) for a report writer to format.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from pathlib import Path

from mutlint import teardown
from mutlint.cache import Cache
from mutlint.facts import fact_registry, imported, model_parts
from mutlint.findings import Finding, assign_fingerprints
from mutlint.project import Project
from mutlint.regex_guard import reset_regex_budget
from mutlint.result import CheckResult
from mutlint.rules.grouping import MatchRecord, findings_from_records
from mutlint.rules.rule_set import FEW_FILES, RuleSet
from mutlint.scan import HANDOFF_SHARE, Scan, needs_work, relpath_of, scan_files
from mutlint.source import walk_queries
from mutlint.statistics import NoStatistics, Statistics
from mutlint.suppress import Directive, apply_directives, unused_directive_findings
from mutlint.teardown import keep_until_exit

AUTO_JOBS = 0  # `-j auto`
# -j auto forks only for this much work per process: files that need a parse, or (without a
# cache, which tells them) files, of which about a quarter do in a Convex app.
MIN_PARSES_PER_JOB = 50
MIN_FILES_PER_JOB = 200


def check(project: Project, paths: list[Path], rule_set: RuleSet,
          stats: Statistics | None = None, jobs: int = 1, cache: Cache | None = None) -> CheckResult:
    with without_cycle_collection():
        return _check(project, paths, rule_set, stats, jobs, cache)


@contextmanager
def without_cycle_collection():
    """A check makes millions of objects that live to its end (facts, records, a tree's node
    wrappers) and almost no cycles (a 10,000-file run collected 1,500 objects in all), so the
    cyclic collector's passes over that heap were wasted: 1.1 s of an 11.5 s cold run at
    10,000 files, 1.9 s in a -j 2 parent unpickling its child's facts. Reference counting
    still frees everything else. (The command keeps it off while it writes the report too:
    the project's facts are still alive then, and one pass over them cost a 10,000-file JSON
    report a third of a second.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and not teardown.skipped():
            gc.enable()


def _check(project: Project, paths: list[Path], rule_set: RuleSet,
           stats: Statistics | None, jobs: int, cache: Cache | None) -> CheckResult:
    stats = stats or NoStatistics()
    cache = cache or Cache(None)
    relpath_of.cache_clear()
    project.cache = cache  # facts that outlive the run go there too
    registry = fact_registry()
    # Hooks keep, before a checked file's tree is released, what the functions dir's facts will
    # ask of it (a page's mutation calls, a functions-dir file's parts of the model): a run
    # that checks no functions-dir file (a pre-commit hook on a page) has no one to keep it
    # for. (A fact asked anyway finds the file unparsed and parses it: slower, never wrong.)
    if any(project.in_convex_dir(relpath_of(project.root, path)) for path in paths):
        hooks = [imported(hook) for rule in rule_set.rules for use in rule.facts
                 if (hook := registry[use.fact].before_release) is not None]
        if any(rule.facts for rule in rule_set.rules):
            hooks.extend(model_parts())
        project.release_hooks = tuple(dict.fromkeys(hooks))
    reset_regex_budget()
    rule_set.few_files = len(paths) <= FEW_FILES
    walk_queries(rule_set.few_files)  # the model's queries too (source.query_matches)
    # Client files first: each is released once checked, keeping what the functions dir's
    # facts ask of it later (see Project.release); checked after the schema, every page would
    # be parsed once for the schema's facts and again for its own check.
    paths = sorted(paths, key=lambda path: project.in_convex_dir(relpath_of(project.root, path)))
    auto = jobs == AUTO_JOBS
    if auto:
        jobs = max(1, os.cpu_count() or 1)
    pending, enough = paths, (MIN_FILES_PER_JOB if auto else 2) * jobs
    if jobs > 1 and len(paths) >= 2 * jobs and not cache.disabled:
        # A file the cache answers needs no child. (Without a cache, the children read and
        # judge the files themselves, in parallel: most need no parse, which they see first.)
        with stats.phase("read"):
            pending = [path for path in paths if needs_work(project, path, rule_set, cache)]
        enough = (MIN_PARSES_PER_JOB if auto else 2) * jobs
    # Forking, and handing the model's parts back, costs more than a small project's check:
    # `-j auto` stays in one process for one (an explicit -j N always forks).
    if jobs > 1 and len(pending) >= enough and "fork" in _multiprocessing().get_all_start_methods():
        global _FORK_STATE
        from mutlint.claims import Claims  # -j only, with multiprocessing

        everyone = {relpath_of(project.root, path): path for path in pending}
        claims = Claims(list(everyone))
        chunks = _deal(pending, jobs)
        _FORK_STATE = (project, rule_set, not isinstance(stats, NoStatistics), cache, claims,
                       everyone, pending, chunks)
        own = set(chunks[0]) | (set(paths) - set(pending))
        # Done with its chunk, a process goes on with the files still unclaimed in others',
        # from their ends: dealt the same number of files, one process took up to 0.8 s longer
        # than the other at 10,000 files. No one takes this process's: a child done early
        # hands its facts back while this one checks on (0.2 s at 10,000 files), and they are
        # needed only once this one is done.
        spare = _spare(pending, chunks, skip=0)
        try:
            with _multiprocessing().get_context("fork").Pool(jobs - 1) as pool:
                # Numbered chunks: a worker may take two, and claims are a chunk's (claims.py).
                children = pool.map_async(_scan_in_child, list(enumerate(chunks[1:], start=2)))
                scans = [scan_files(project, [p for p in paths if p in own], rule_set, stats, cache,
                                    defer=True, claims=claims, others=everyone, claim_as=1,
                                    spare=spare),
                         *children.get()]
        finally:
            _FORK_STATE = None
        # The checks that need the whole call graph or the flows (a helper's, the schema's)
        # waited; here every child's plain parts build it without a parse.
        for scan in scans[1:]:
            project.adopt(scan.plain_facts)
        order = {path: index for index, path in enumerate(paths)}
        deferred = sorted((path for scan in scans for path in scan.deferred), key=order.__getitem__)
        if deferred:
            scans.append(scan_files(project, deferred, rule_set, stats, cache, resuming=True))
    else:
        scans = [scan_files(project, paths, rule_set, stats, cache)]
    for scan in scans:
        for relpath, entry in scan.cache_entries.items():
            cache.put(relpath, entry)
        cache.files.new.update(scan.index_entries)
    with stats.phase("cache"):
        cache.save()
    keep_until_exit(scans)  # their records and cache entries: see teardown.py
    return _finish(scans, rule_set, stats)


_FORK_STATE: tuple | None = None


def _multiprocessing():
    import multiprocessing  # only -j needs it; a pre-commit run should not pay its import

    return multiprocessing


def _deal(pending: list[Path], jobs: int) -> list[list[Path]]:
    """Each process's files. Interleaved chunks balance directories of big and small files.
    This process has the first (and the files the cache answers): its facts need no handing
    back, which cost a second per child's share of 10,000 files (pickled, then unpickled
    here). It is also dealt some of each child's files, spread over its chunk (the functions
    dir's, three times the work of a page, come last), so that a child runs out first by
    about the time its hand-off takes (scan.HANDOFF_SHARE): dealt even chunks, all ran out
    together and this process waited for the hand-off, 0.2 s of a 4.3-second run at 10,000
    files. Each child gives up a `jobs`-th of that share: this process gains what they all
    lose, and ends the whole share after them."""
    chunks = [pending[index::jobs] for index in range(jobs)]
    step = round(jobs / HANDOFF_SHARE)
    for number in range(1, jobs):
        chunk = chunks[number]
        chunks[0].extend(chunk[step - 1::step])
        chunks[number] = [path for index, path in enumerate(chunk) if index % step != step - 1]
    return chunks


def _spare(pending: list[Path], chunks: list[list[Path]], skip: int) -> list[Path]:
    """The children's files but those of chunk `skip`, the last first (in the order of
    `pending`): what a process done with its own chunk may take (scan.scan_files)."""
    theirs = {path for number, chunk in enumerate(chunks) if number not in (0, skip) for path in chunk}
    return [path for path in reversed(pending) if path in theirs]


def _scan_in_child(numbered: tuple[int, list[Path]]) -> Scan:
    number, paths = numbered
    project, rule_set, timed, cache, claims, everyone, pending, chunks = _FORK_STATE
    spare = _spare(pending, chunks, skip=number - 1)  # the other children's, not the parent's
    scan = scan_files(project, paths, rule_set, Statistics() if timed else NoStatistics(), cache,
                      defer=True, claims=claims, others=everyone, claim_as=number, spare=spare)
    scan.plain_facts = project.lasting_facts()
    return scan


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
    keep_until_exit(records)
    assign_fingerprints(result.findings)
    result.findings.sort(key=Finding.sort_key)
    result.diagnostics.sort(key=lambda d: (d.path, d.message))
    failures.sort(key=lambda item: (item[0].path, item[0].message))
    result.errors = [e for e, _ in failures] + result.errors
    result.tracebacks = [t for _, t in failures] + result.tracebacks
    return result


