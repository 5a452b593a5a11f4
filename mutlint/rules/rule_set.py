"""The rules one run uses, with what they compile to per language: a query plan per subset of
rules a file may match, and the prefilter that tells which rules a file's bytes allow."""

from __future__ import annotations

from mutlint.findings import Severity
from mutlint.rules.model import Rule
from mutlint.rules.plan import QueryPlan
from mutlint.rules.prefilter import Prefilter
from mutlint.yaml_memo import YamlMemo

MAX_PLANS = 4  # queries compiled per language, each for a subset of the rules
# A run of this many files or fewer walks its queries in Python (walk_query.py) instead of
# compiling them: compiling the rules' query for TypeScript costs about 300 M instructions,
# walking it over a mutation file about 30 M (tree-sitter's matching, 9 M). A query the walk
# does not take compiles with wildcard roots (light_queries.py), which cost the mutation files'
# query 111 M fewer to compile and matching a file 9 M more.
FEW_FILES = 8


class RuleSet:
    rules: list[Rule]  # pattern rules that run
    enabled_engine_rules: set[str]
    severity_overrides: dict[str, Severity]
    known_ids: set[str]  # every rule id that exists, run or not
    few_files: bool  # this run checks at most FEW_FILES files (the engine says)
    # Where the walks' patterns are kept between runs (remembered_walks.py), if anywhere.
    memo: YamlMemo | None
    _plans: dict[tuple[str, frozenset[str], bool], QueryPlan]
    _prefilter: Prefilter | None

    def __init__(self, rules: list[Rule], enabled_engine_rules: set[str],
                 severity_overrides: dict[str, Severity] | None = None, known_ids: set[str] | None = None,
                 few_files: bool = False) -> None:
        self.rules = rules
        self.enabled_engine_rules = enabled_engine_rules
        self.severity_overrides = {} if severity_overrides is None else severity_overrides
        self.known_ids = set() if known_ids is None else known_ids
        self.few_files = few_files
        self.memo = None
        self._plans = {}
        self._prefilter = None

    @property
    def prefilter(self) -> Prefilter:
        if self._prefilter is None:
            self._prefilter = Prefilter.for_rules(self.rules)
        return self._prefilter

    def plan(self, language: str, needed: set[str] | None = None) -> QueryPlan:
        """One query for the rules a file may match. tree-sitter spends ~5 ms compiling each
        pattern (and a walk tries each at every node of its root's type), so a page that only
        the parallel-calls rule can match gets a query of that rule's patterns; after MAX_PLANS
        such subsets a language uses one query of all rules."""
        ids = frozenset(r.id for r in self.rules if language in r.languages
                        and (needed is None or r.id in needed))
        key = (language, ids, self.few_files)
        if key not in self._plans:
            if needed is not None and \
                    sum(1 for known, _, _ in self._plans if known == language) >= MAX_PLANS:
                return self.plan(language)
            atoms = [a for r in self.rules if r.id in ids for a in r.atoms if a.in_place_type is None]
            self._plans[key] = QueryPlan(language, atoms, few_files=self.few_files, memo=self.memo)
        return self._plans[key]

    @property
    def enabled_ids(self) -> set[str]:
        return {r.id for r in self.rules} | self.enabled_engine_rules

