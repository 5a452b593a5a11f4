"""Checking files in one process: each file's verdict (from the cache's file index or its
bytes), its cache entry if still good, else one parse, one query plan run and the rules, with
the file released once checked. The result is a Scan of strings and spans, which the engine
merges with the scans of other processes (-j N)."""

from __future__ import annotations

import functools
import os
from collections import deque
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from mutlint.cache import Cache, Entry
from mutlint.cache_records import BadEntry, decode_payload, encode_payload
from mutlint.dependencies import ContentHashes
from mutlint.engine_rules import ENGINE_RULES, PARSE_ERROR
from mutlint.errors import Diagnostic
from mutlint.findings import Finding
from mutlint.project import NeedsWholeModel, Project
from mutlint.result import CheckResult
from mutlint.rules.evaluate import FileEvaluator
from mutlint.rules.grouping import MatchRecord, record_of, span_of
from mutlint.rules.rule_set import RuleSet
from mutlint.source import SourceFile, first_syntax_error
from mutlint.statistics import Statistics
from mutlint.suppress import Directive, parse_directives

if TYPE_CHECKING:  # -j only: a pre-commit run does not import multiprocessing
    from mutlint.claims import Claims


class Scan:
    """What reading and matching some files produced: strings and spans only, so the scans of
    several processes can be merged (-j N) into the same result one process would give."""

    result: CheckResult
    records: dict[str, list[MatchRecord]]
    directives: dict[str, list[Directive]]
    stats: Statistics
    cache_entries: dict[str, Entry]  # made by this scan
    index_entries: dict[str, list]  # the file index's, too
    deferred: list[Path]  # checks left for the whole model
    plain_facts: dict[str, bytes]  # a -j child's, by kind (Project.adopt)

    def __init__(self, result: CheckResult, records: dict[str, list[MatchRecord]],
                 directives: dict[str, list[Directive]], stats: Statistics,
                 cache_entries: dict[str, Entry] | None = None, index_entries: dict[str, list] | None = None,
                 deferred: list[Path] | None = None, plain_facts: dict[str, bytes] | None = None) -> None:
        self.result = result
        self.records = records
        self.directives = directives
        self.stats = stats
        self.cache_entries = {} if cache_entries is None else cache_entries
        self.index_entries = {} if index_entries is None else index_entries
        self.deferred = [] if deferred is None else deferred
        self.plain_facts = {} if plain_facts is None else plain_facts


def scan_files(project: Project, paths: list[Path], rule_set: RuleSet, stats: Statistics,
               cache: Cache, *, defer: bool = False, resuming: bool = False,
               claims: Claims | None = None, others: dict[str, Path] | None = None,
               claim_as: int = 1, spare: list[Path] | None = None) -> Scan:
    """Check the paths. With `defer` (-j), a check that needs the whole call graph or
    the flows is left in Scan.deferred, for the parent to do once every child's plain parts
    are in (Project.whole_model); `resuming` such checks, the paths were counted already.
    (One process builds the model when first asked: deferring would parse the deferred files
    twice.)

    After a client file, the files its facts parsed that wait for their own check (the
    mutations a page calls, a helper module it imports) are checked at once, while parsed: at
    their turn they were parsed again, 708 of the 2,499 files parsed at 10,000 files. Such an
    early check that needs the whole model waits for its turn instead (building the model
    early would parse the files not checked yet for their parts, and again for their checks).

    With `claims` (-j), a file is checked by the process that claims it first (claims.py):
    one of `others` (every process's files) that a client file's facts parsed is checked
    early here if no process has claimed it, a file of these paths that another process
    claimed is skipped at its turn, and once these paths are done, the files of `spare` (of
    others, the last first) that are still unclaimed are checked here."""
    scan = _ScanState(project, rule_set, stats, cache, defer)
    parses_before = project.parses
    if resuming:
        scan.counted.update(paths)
    project.defer_whole_model = defer
    by_relpath = {relpath_of(project.root, path): path for path in paths}
    waiting = set(paths)  # not checked yet

    def walk_ahead(file: SourceFile) -> None:
        # A file another's facts parse that this scan may still check (its own, or another
        # process's that no one has claimed yet) gets its rules' walk now: the walk also runs
        # the model's bundled queries those facts ask for first, which would otherwise walk
        # the tree by themselves (724 extra walks, 0.3 s, at 10,000 files).
        path = by_relpath.get(file.relpath)
        if path is not None:
            if path not in waiting:
                return
        elif claims is not None and defer and others:
            path = others.get(file.relpath)
            if path is None or path in scan.counted:
                return
        else:
            return
        if claims is None or claims.free(file.relpath, claim_as):
            scan.walk_ahead(file, path)

    project.parse_hook = walk_ahead
    turns, early, tried_early = deque(paths), deque(), set()
    spare = deque(spare) if claims is not None and defer and spare else deque()
    held: deque[Path] = deque()  # spare files claimed ahead of their check
    reserve = -int(-len(spare) * HANDOFF_SHARE // 1)  # the ceiling, without importing math
    while early or turns or held or spare:
        is_early = bool(early)
        if is_early:
            path = early.popleft()
        elif turns:
            path = turns.popleft()
        else:
            _claim_ahead(spare, held, reserve, scan.counted, claims, claim_as, project.root)
            if not held:
                continue  # the rest of spare is claimed, or was checked here early
            path = held.popleft()
            if path in scan.counted:
                continue  # checked here early since it was claimed
            waiting.add(path)
        if path not in waiting:
            continue  # checked early
        if claims is not None and not claims.take(relpath_of(project.root, path), claim_as):
            waiting.discard(path)  # another process checks it
            continue
        if not scan.check(path, early=is_early):
            continue  # an early check that needs the whole model: at its turn
        waiting.discard(path)
        if not project.in_convex_dir(relpath_of(project.root, path)):
            for parsed in project.parsed_for_facts():
                found = by_relpath.get(parsed)
                if found is None and claims is not None and defer and others:
                    # Another process's file: ours if it is still unclaimed at its early turn
                    # (deferred checks come back to the parent, so none waits for a turn here).
                    found = others.get(parsed)
                    if found is not None and found not in tried_early and found not in scan.counted:
                        waiting.add(found)  # (one checked here already, a spare one, is done)
                if found in waiting and found not in tried_early:
                    tried_early.add(found)
                    early.append(found)
    project.checking = None
    project.defer_whole_model = False
    project.parse_hook = None
    stats.counts["parses"] += project.parses - parses_before
    # Facts the model stored (Project.stored) travel with the scan too, out of a -j child.
    return Scan(scan.result, scan.records, scan.directives, stats, {**cache.new, **scan.new_entries},
                dict(cache.files.new), scan.deferred)


# A child hands its facts back once its files are done (pickled, sent, unpickled here: about
# 6% of its scan's time), and the parent waits for them. A parent taking the child's files
# keeps this share of them claimed ahead, so that where the two meet, the child runs out first
# by about that time and hands back while the parent checks what it holds: without it, both
# ran out together and the parent waited 0.2 s of a 4.3-second run at 10,000 files.
HANDOFF_SHARE = 0.06


def _claim_ahead(spare: deque[Path], held: deque[Path], reserve: int, counted: set[Path],
                 claims: Claims, claim_as: int, root: Path) -> None:
    """Claim spare files (another process's, from the end of its chunk) until `reserve` more
    than the next to check are held, skipping those checked here early or claimed by others."""
    while spare and len(held) <= reserve:
        path = spare.popleft()
        if path not in counted and claims.take(relpath_of(root, path), claim_as):
            held.append(path)


class _ScanState:
    """What one scan_files call has found so far."""

    def __init__(self, project: Project, rule_set: RuleSet, stats: Statistics, cache: Cache,
                 defer: bool):
        self.project, self.rule_set, self.stats, self.cache, self.defer = \
            project, rule_set, stats, cache, defer
        self.result = CheckResult()
        self.records: dict[str, list[MatchRecord]] = {rule.id: [] for rule in rule_set.rules}
        self.directives: dict[str, list[Directive]] = {}
        self.new_entries: dict[str, Entry] = {}
        self.deferred: list[Path] = []
        self.counted: set[Path] = set()  # in the statistics already

    def check(self, path: Path, *, early: bool = False) -> bool:
        """Check one file; False when an early check needs the whole model (not done)."""
        project, rule_set, stats, cache, result = \
            self.project, self.rule_set, self.stats, self.cache, self.result
        relpath = relpath_of(project.root, path)
        project.checking = relpath
        first_look = path not in self.counted
        self.counted.add(path)
        cached = None
        try:
            with stats.phase("read"):
                if first_look:
                    stats.counts["files"] += 1
                verdict = _verdict(project, relpath, path, rule_set)
                if isinstance(verdict, str):
                    result.diagnostics.append(Diagnostic(relpath, f"skipped: {verdict}"))
                    return True
                parse, needed = verdict[0], set(verdict[1:])
            if not parse:
                # No rule can match code without these tokens: checked, without a parse.
                stats.counts["prefiltered"] += 1
                if self.defer:  # -j: the parent's checks need not read it again
                    project.note_bytes(relpath)
                result.files_checked += 1
                result.checked_paths.add(relpath)
                return True
            with stats.phase("cache"):
                cached = _from_cache(cache, relpath, project.hashes, rule_set)
            if cached is None:
                with stats.phase("parse and query"):
                    file = project.file(relpath, path)
                    ahead = file.derived.pop(_WALKED_AHEAD, None)
                    file_pass = ahead[1] if ahead is not None and ahead[0] == needed \
                        else rule_set.plan(file.language, needed).run(file)
                    directives = parse_directives(file, file_pass.comments)
                    if first_look:
                        stats.counts["parsed"] += 1
        except Exception as exc:  # one bad file must not stop the run
            result.fail(relpath, "while reading the file; no rule ran on it", exc)
            return True
        if cached is not None:
            stats.counts["cached"] += 1
            file_records, directives, findings = cached
        else:
            errors_before = len(result.errors)
            project.defer_whole_model = self.defer or early
            try:
                file_records, reads = project.reads_of(
                    partial(_run_rules, project, file, file_pass, rule_set, needed, result, stats))
            except NeedsWholeModel as exc:
                del result.errors[errors_before:], result.tracebacks[errors_before:]
                # Kept for the check when it comes back, if the file stays parsed (the schema)
                file.derived[_WALKED_AHEAD] = (frozenset(needed), file_pass)
                _release(project, relpath)
                if self.defer:
                    self.deferred.append(path)
                    return True
                if early:
                    return False
                # only a fact asking for the model while building it: a bug, reported
                result.fail(relpath, "while building the project's model; no rule ran on it",
                            RuntimeError(f"{exc.args[0]} asked for while being built"))
                return True
            finally:
                project.defer_whole_model = self.defer
            findings = _parse_error_finding(file) if PARSE_ERROR in rule_set.enabled_engine_rules else []
            if len(result.errors) == errors_before and not cache.disabled:
                # A check that failed somewhere is not kept: the next run tries again.
                files, groups = project.dependencies(reads, leave_out=relpath)
                self.new_entries[relpath] = Entry(project.hashes.of(relpath), files,
                                                  encode_payload(file_records, directives, findings),
                                                  groups)
        result.files_checked += 1
        result.checked_paths.add(relpath)
        for rule_id, found in file_records.items():
            self.records[rule_id].extend(found)
        self.directives[relpath] = directives
        result.findings.extend(findings)
        _release(project, relpath)
        return True


    def walk_ahead(self, file: SourceFile, path: Path) -> None:
        """Run the rules' walk of a file parsed before its check, for its check to use."""
        try:
            verdict = _verdict(self.project, file.relpath, path, self.rule_set)
            if isinstance(verdict, str) or not verdict[0]:
                return
            needed = frozenset(verdict[1:])
            file.derived[_WALKED_AHEAD] = \
                (needed, self.rule_set.plan(file.language, set(needed)).run(file))
        except Exception:
            pass  # walked again at its check, which reports what fails


_WALKED_AHEAD = "rules' walk"  # SourceFile.derived: (rule ids, FilePass)


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


def needs_work(project: Project, path: Path, rule_set: RuleSet, cache: Cache) -> bool:
    """Does checking the file take more than reading the cache (a parse, the rules)?"""
    relpath = relpath_of(project.root, path)
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


@functools.cache
def relpath_of(root: Path, path: Path) -> str:
    """The path relative to the root, with `/`. Remembered: a run asks it of each of its paths
    four times (40,000 calls at 10,000 files); engine.check forgets it at its start, where a
    path may have come to resolve elsewhere since the last check of this process."""
    # The selector hands over resolved paths: cut the root off the string when it is there.
    text, prefix = str(path), f"{root}{os.sep}"
    if text.startswith(prefix) and path.is_absolute():
        return text[len(prefix):].replace(os.sep, "/")
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()
