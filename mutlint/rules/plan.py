"""One query pass per file: every atom of every rule for a language in a single tree-sitter query.

The plan is compiled once per run and language (a run of a few files walks it in Python
instead, walk_query.py, where compiling would cost more than the walks). Running it over a file
yields, per atom, the nodes it matched with their metavariable bindings, plus the file's
comments (when it holds a suppression directive) and its ERROR regions (where matches are not
trusted). The query also carries the model's bundled queries (bundled_queries.py), whose
matches the run leaves with the file.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable

import tree_sitter

from mutlint.bundled_queries import bundled_sources, keep_matches, source_of_patterns
from mutlint.regex_guard import compile_user_regex, guarded_search
from mutlint.remembered_walks import remembered_patterns
from mutlint.rules.model import Atom, AtomQuery
from mutlint.rules.shared_patterns import Member, canonical, shared_source, sharing_key
from mutlint.source import SourceFile, query_matches, ts_language
from mutlint.walk_query import NotWalkable, WalkQuery
from mutlint.yaml_memo import YamlMemo

Env = dict[str, tuple[tree_sitter.Node, ...]]
# Comments matter only as suppression directives, ERROR nodes only in a tree with an error:
# each is its own query, run on the files that need it. In the rules' query they matched every
# comment of every file parsed (compiling them there cost next to nothing: a bare node type).
DIRECTIVE_TOKEN = b"mutlint-disable"
_COMMENTS = "(comment) @comment"
_ERRORS = "(ERROR) @error"


def _nodes(file: SourceFile, source: str) -> list[tree_sitter.Node]:
    """The nodes a one-capture query captures, in document order."""
    nodes = [node for _, captures in query_matches(file.language, source, file.root)
             for found in captures.values() for node in found]
    return sorted(nodes, key=lambda node: node.start_byte)


class AtomHits:
    """The nodes one atom matched in one file, with every binding found for each."""

    by_node: dict[int, list[Env]]
    nodes: list[tree_sitter.Node]  # document order
    _starts: list[int] | None

    def __init__(self, by_node: dict[int, list[Env]] | None = None,
                 nodes: list[tree_sitter.Node] | None = None) -> None:
        self.by_node = {} if by_node is None else by_node
        self.nodes = [] if nodes is None else nodes
        self._starts = None

    def add(self, node: tree_sitter.Node, env: Env) -> None:
        envs = self.by_node.get(node.id)
        if envs is None:
            self.by_node[node.id] = [env]
            self.nodes.append(node)
        else:
            envs.append(env)

    def within(self, node: tree_sitter.Node) -> list[tree_sitter.Node]:
        """Matched nodes strictly inside `node`, in document order."""
        if self._starts is None:
            self.nodes.sort(key=lambda n: (n.start_byte, -n.end_byte))
            self._starts = [n.start_byte for n in self.nodes]
        found = []
        for index in range(bisect_left(self._starts, node.start_byte), len(self.nodes)):
            candidate = self.nodes[index]
            if candidate.start_byte >= node.end_byte:
                break
            if candidate.end_byte <= node.end_byte and candidate.id != node.id:
                found.append(candidate)
        return found


class FilePass:
    hits: dict[int, AtomHits]
    comments: list[tree_sitter.Node]
    error_ranges: list[tuple[int, int]]
    failed_rules: dict[str, Exception]  # rule id -> why
    # atom id -> the constraints its query applied, which the evaluator need not test again
    applied: dict[int, frozenset[str]]

    def __init__(self, hits: dict[int, AtomHits], comments: list[tree_sitter.Node],
                 error_ranges: list[tuple[int, int]], failed_rules: dict[str, Exception] | None = None,
                 applied: dict[int, frozenset[str]] | None = None) -> None:
        self.hits = hits
        self.comments = comments
        self.error_ranges = error_ranges
        self.failed_rules = {} if failed_rules is None else failed_rules
        self.applied = {} if applied is None else applied

    def in_error(self, node: tree_sitter.Node) -> bool:
        return any(start <= node.start_byte and node.end_byte <= end
                   for start, end in self.error_ranges)


class QueryPlan:
    def __init__(self, language: str, atoms: list[Atom], *, few_files: bool = False,
                 memo: YamlMemo | None = None):
        """`few_files`: for a run of a few files, where compiling the query costs more than
        matching it: the query is walked in Python (walk_query.py) where the walk takes it,
        and compiled with wildcard roots too (light_queries.py) where it does not, or for a
        tree the walk hands back. The walk's patterns come from `memo` when it holds them
        (remembered_walks.py)."""
        self.language = language
        self.few_files = few_files
        groups: dict[Hashable, list[Member]] = {}  # atoms that share a pattern (shared_patterns.py)
        # atom id -> canonical metavariable name -> the atom's own (pattern atoms only)
        self.own_names: dict[int, dict[str, str]] = {}
        # atom id -> (capture, text) of the literal leaves its shared pattern admits other
        # texts for, which run() tests
        self.literal_checks: dict[int, tuple[tuple[str, bytes], ...]] = {}
        for atom in atoms:
            compiled = atom.by_language.get(language)
            if compiled is None:
                continue
            if atom.kind == "pattern":
                compiled, self.own_names[atom.id] = canonical(compiled)
            groups.setdefault(sharing_key(atom, compiled), []).append((atom, compiled))
        sources: list[str] = []
        included: list[list[Member]] = []
        self.applied: dict[int, frozenset[str]] = {}  # atom id -> constraints the query applied
        for members in groups.values():
            source, applied, literals = shared_source(members)
            self.literal_checks.update(literals)
            sources.append(source)
            included.append(members)
            for atom_id, names in applied.items():
                own = self.own_names.get(atom_id, {})
                self.applied[atom_id] = frozenset(own.get(name, name) for name in names)
        # The model's bundled queries ride along (bundled_queries.py): one compile instead of
        # two, and the walk that finds the rules' matches leaves theirs with the file.
        self.bundle = bundled_sources(language) if sources else ()
        texts = (*sources, *self.bundle)
        patterns = remembered_patterns("\n".join(texts), language, ts_language(language), memo) \
            if few_files and sources else None
        self.walk = WalkQuery(patterns) if patterns is not None else None
        self._texts = texts
        self._light: tuple[str, ...] | None = None  # the texts lightened, once compiled
        self._compiled: tree_sitter.Query | None = None
        self.kind_checks: tuple[tuple[str, str], ...] = ()
        # No atom (a file read only for its directives): no query, which tree-sitter rejects.
        self.query = None if not sources else self.walk or self.compiled_query()
        # A raw query atom may hold several patterns: each pattern belongs to the atoms whose
        # source it starts in (tree-sitter counts offsets in bytes). The walk's text is typed
        # and the compiled one lightened, but a pattern's index is the same in both.
        shown = self._light if self._light is not None else texts
        self.source = "\n".join(shown[:len(sources)])  # the rules' part, as it runs
        offsets, at = [], 0  # where each group's source starts in the whole query
        for source in shown[:len(sources)]:
            offsets.append(at)
            at += len(source.encode()) + 1
        count = self.query.pattern_count if self.query else 0
        self.rule_patterns = next((index for index in range(count)
                                   if self.query.start_byte_for_pattern(index) >= at), count)
        self.pattern_atoms: list[list[Member]] = [
            included[bisect_right(offsets, self.query.start_byte_for_pattern(index)) - 1]
            for index in range(self.rule_patterns)]
        # Patterns that bind nothing (a raw query's single capture, say: one of a call by its
        # name, as parallel-mutations-same-doc has, matches every such call of a file) give each
        # match an empty environment without _bindings' work.
        self.binds = [bool(members[0][1].metavariables or members[0][1].sequences)
                      for members in self.pattern_atoms]
        self.bundle_source = source_of_patterns(self.query, shown[len(sources):], at,
                                                self.rule_patterns) if self.bundle else []

    def compiled_query(self) -> tree_sitter.Query:
        """The query compiled (once), its parents as wildcards whose types run() tests: each
        text lightened by itself, so that the offsets above are the compiled text's."""
        if self._compiled is None:
            from mutlint.light_queries import kind_checks, lighten  # compiles only (source.py)

            grammar = ts_language(self.language)
            self._light = tuple(lighten(text, grammar, roots=self.few_files) for text in self._texts)
            self._compiled = tree_sitter.Query(grammar, "\n".join(self._light))
            self.kind_checks = kind_checks(self._compiled)
        return self._compiled

    def _matches(self, file: SourceFile, predicate) -> tuple[list, tuple[tuple[str, str], ...]]:
        """The matches of the query on the file, and the kind checks they still need."""
        if self.walk is not None:
            try:
                return self.walk.matches(file.root, predicate), ()
            except NotWalkable:
                pass  # a tree with an error, say: compiled after all, for this file
        query = self.compiled_query()
        return tree_sitter.QueryCursor(query).matches(file.root, predicate=predicate), self.kind_checks

    def run(self, file: SourceFile) -> FilePass:
        hits: dict[int, AtomHits] = {}
        comments = _nodes(file, _COMMENTS) if DIRECTIVE_TOKEN in file.data else []
        errors = [(n.start_byte, n.end_byte) for n in _nodes(file, _ERRORS)] \
            if file.root.has_error else []
        failed: dict[str, Exception] = {}
        if self.query is None:
            return FilePass(hits, comments, errors, failed, self.applied)

        def predicate(name, args, pattern_index, captures) -> bool:
            # py-tree-sitter swallows exceptions raised here, so failures are recorded instead.
            # (The bundle's predicates are tree-sitter's own: only rules' raise.)
            try:
                return _guarded_predicate(name, args, captures)
            except Exception as exc:
                atom = self.pattern_atoms[pattern_index][0][0]
                failed.setdefault(atom.rule_id, exc)
                return False

        bundled: dict[str, list] = {source: [] for source in self.bundle}
        binds = self.binds
        matches, checks = self._matches(file, predicate)
        if checks:  # only a compiled query has them: light_queries was imported to compile it
            from mutlint.light_queries import kinds_hold
        for pattern_index, captures in matches:
            if checks and not kinds_hold(captures, checks):
                continue
            if pattern_index >= self.rule_patterns:
                source = self.bundle[self.bundle_source[pattern_index - self.rule_patterns]]
                bundled[source].append(captures)
                continue
            members = self.pattern_atoms[pattern_index]
            compiled = members[0][1]
            root_nodes = captures.get(compiled.root_capture)
            if not root_nodes:
                continue
            if binds[pattern_index]:
                env = _bindings(captures, compiled)
                if env is None:
                    continue
            else:
                env = {}
            for atom, _ in members:
                literals = self.literal_checks.get(atom.id)
                if literals and not all(captures[capture][0].text == text
                                        for capture, text in literals):
                    continue
                own = self.own_names.get(atom.id)
                atom_hits = hits.get(atom.id)
                if atom_hits is None:  # (setdefault would make one for every match)
                    atom_hits = hits[atom.id] = AtomHits()
                atom_hits.add(root_nodes[0],
                              env if own is None else {own.get(k, k): v for k, v in env.items()})
        if self.bundle:
            keep_matches(file, bundled)
        return FilePass(hits, comments, errors, failed, self.applied)


def _guarded_predicate(name: str, args, captures) -> bool:
    """The regex predicates of raw queries (renamed by the loader), under a time limit."""
    if not name.startswith("mutlint-") or len(args) != 2:
        return True  # not ours; the loader rejects every other unknown predicate
    (capture, _), (pattern_text, _) = args
    pattern = compile_user_regex(pattern_text)
    texts = [n.text.decode("utf-8", "replace") for n in captures.get(capture, [])]
    results = [guarded_search(pattern, text) for text in texts]
    kind = name[len("mutlint-"):]
    if kind == "match?":
        return all(results)
    if kind == "not-match?":
        return not any(results)
    if kind == "any-match?":
        return any(results)
    return not all(results)  # any-not-match?


def _bindings(captures: dict[str, list[tree_sitter.Node]], compiled: AtomQuery) -> Env | None:
    env: Env = {name: tuple(captures[name]) for name in compiled.metavariables if name in captures}
    for check in compiled.sequences:
        parent = captures[check.capture][0]
        children = [c for c in parent.named_children if c.type != "comment"]
        fixed = check.prefix + check.suffix
        if len(children) < fixed or (not check.has_ellipsis and len(children) != fixed):
            return None
        if check.bind:
            env[check.bind] = tuple(children[check.prefix : len(children) - check.suffix])
    return env
