"""Load rule files: YAML -> schema check -> compiled Rule, with `path:line:col` errors.

Everything a rule says is checked here, before any file is linted: the schema, every pattern
compiles for every language the rule names, raw queries compile and use only known predicates,
regexes compile, facts exist and their `where` attributes are real, message placeholders and
group keys refer to metavariables or facts the rule defines.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

import tree_sitter

from mutlint import digests
from mutlint.errors import Diagnostic, UsageError
from mutlint.facts import fact_registry
from mutlint.findings import Severity
from mutlint.regex_guard import compile_user_regex
from mutlint.rules.in_place import mark_in_place
from mutlint.rules.model import (
    Atom,
    AtomQuery,
    Constraint,
    FactUse,
    Group,
    Relation,
    Rule,
    RuleNode,
)
from mutlint.rules.pattern import ROOT_CAPTURE, CompiledPattern, PatternError, compile_pattern
from mutlint.rules.placeholders import placeholders
from mutlint.rules.pushdown import push_down
from mutlint.rules.query_text import (
    GUARDED_PREDICATES,
    KNOWN_PREDICATES,
    capture_names,
    guard_match_predicates,
    scan_predicates,
)
from mutlint.schema_check import schema_diagnostics
from mutlint.source import LANGUAGES, ts_language
from mutlint.yaml_memo import YamlMemo
from mutlint.yamldoc import YamlDoc, load_yaml_file

RAW_QUERY_ROOT = "match"
_atom_ids = count()
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAME_CHARACTERS = _UPPER + "0123456789_"


def is_metavariable_name(name: str) -> bool:
    """What the regex `^[A-Z][A-Z0-9_]*$` matches (a final newline too), by string code: its
    compile cost every run more than its use."""
    if name[-1:] == "\n":
        name = name[:-1]
    return name != "" and name[0] in _UPPER and not name.strip(_NAME_CHARACTERS)
_COMPILED = "compiled patterns"  # the YAML memo's kind for them


class _RuleBuilder:
    def __init__(self, doc: YamlDoc, trusted: bool = False, memo: YamlMemo | None = None,
                 remembered_patterns: bool = True):
        self.doc = doc
        self.memo = memo  # compiled patterns are kept there (yaml_memo.py)
        self.remembered_patterns = remembered_patterns  # False: compiled again, and kept
        # The shipped pack: the test suite compiles its queries and regexes, so a run leaves
        # them to first use (they were a fifth of a pre-commit run on one page).
        self.trusted = trusted
        self.data = doc.data
        self.errors: list[Diagnostic] = []
        self.atoms: list[Atom] = []
        self.metavariables: set[str] = set()
        self.languages: list[str] = list(self.data.get("languages") or LANGUAGES)
        self.rule_id = self.data["id"]

    def error(self, doc_path: tuple, message: str, *, key: bool = False) -> None:
        self.errors.append(self.doc.error(doc_path, message, key=key))

    def regex(self, doc_path: tuple, text: str):
        try:
            return compile_user_regex(text, deferred=self.trusted)
        except ValueError as exc:
            self.error(doc_path, str(exc))
            return None

    # -- atoms -------------------------------------------------------------------------------
    def pattern_atom(self, doc_path: tuple, value) -> Atom | None:
        text = value if isinstance(value, str) else value["context"]
        by_language = {}
        for language in self.languages:
            try:
                compiled = self.compiled_pattern(value, language)
            except PatternError as exc:
                self.error(doc_path, f"pattern for {language}: {exc}")
                return None
            by_language[language] = AtomQuery(compiled.query, ROOT_CAPTURE,
                                              compiled.metavariables,
                                              compiled.multi_metavariables, compiled.sequences,
                                              literals=compiled.literals,
                                              literal_checks=tuple(compiled.literal_checks))
        return self.new_atom(doc_path, "pattern", text, by_language)

    def compiled_pattern(self, value, language: str) -> CompiledPattern:
        """compile_pattern's answer, from the memo when it holds one that reads back."""
        code, context, selector = (value, None, None) if isinstance(value, str) \
            else ("", value["context"], value["selector"])
        key = f"{language}\0{code}" if context is None else f"{language}\0{context}\0{selector}"
        remembered = self.memo.derived(_COMPILED, key) \
            if self.memo is not None and self.remembered_patterns else None
        if remembered is not None:
            try:
                return CompiledPattern.from_plain(remembered)
            except ValueError:
                pass  # damaged: compiled again, and kept again
        compiled = compile_pattern(code, language, context=context, selector=selector)
        if self.memo is not None:
            self.memo.keep_derived(_COMPILED, key, compiled.to_plain())
        return compiled

    def kind_atom(self, doc_path: tuple, kind: str) -> Atom | None:
        source = f"(({kind}) @{ROOT_CAPTURE})"
        for language in self.languages:
            # The grammar's symbol table answers what compiling a query to find out cost ~5 ms.
            if ts_language(language).id_for_node_kind(kind, True) is None:
                self.error(doc_path, f"unknown node kind '{kind}' in the {language} grammar")
                return None
        by_language = {language: AtomQuery(source, ROOT_CAPTURE, []) for language in self.languages}
        return self.new_atom(doc_path, "kind", kind, by_language)

    def query_atom(self, doc_path: tuple, query: str) -> Atom | None:
        ok = True
        for name, line, column, _, argument in scan_predicates(query):
            if name not in KNOWN_PREDICATES:
                self.error(doc_path, f"unknown predicate #{name} at query line {line}, column "
                           f"{column} (supported: {', '.join(sorted(KNOWN_PREDICATES))})")
                ok = False
            elif name in GUARDED_PREDICATES and argument is not None:
                try:
                    compile_user_regex(argument, deferred=self.trusted)
                except ValueError as exc:
                    self.error(doc_path, f"#{name} at query line {line}: {exc}")
                    ok = False
        if not ok:
            return None
        query = guard_match_predicates(query)
        if self.trusted:
            metavariables = [n for n in capture_names(query) if is_metavariable_name(n)]
            by_language = {language: AtomQuery(query, RAW_QUERY_ROOT, metavariables)
                           for language in self.languages}
            return self.new_atom(doc_path, "query", query, by_language)
        by_language = {}
        for language in self.languages:
            try:
                compiled = tree_sitter.Query(ts_language(language), query)
            except tree_sitter.QueryError as exc:
                self.error(doc_path, f"query does not compile for {language}: {exc}")
                return None
            names = [compiled.capture_name(i) for i in range(compiled.capture_count)]
            if RAW_QUERY_ROOT not in names:
                self.error(doc_path, f"a query must capture the node to report as @{RAW_QUERY_ROOT}")
                return None
            metavariables = [n for n in names if is_metavariable_name(n)]
            by_language[language] = AtomQuery(query, RAW_QUERY_ROOT, metavariables)
        return self.new_atom(doc_path, "query", query, by_language)

    def new_atom(self, doc_path, kind, text, by_language) -> Atom:
        atom = Atom(next(_atom_ids), self.rule_id, kind, text, by_language)
        for compiled in by_language.values():
            self.metavariables.update(compiled.metavariables, compiled.multi_metavariables)
        self.atoms.append(atom)
        return atom

    # -- rule objects ------------------------------------------------------------------------
    def rule_node(self, root_path: tuple, root_value: dict) -> RuleNode:
        """Build the rule object tree iteratively (rules may nest deeply)."""
        root = RuleNode()
        stack: list[tuple[tuple, dict, RuleNode]] = [(root_path, root_value, root)]
        while stack:
            doc_path, value, node = stack.pop()
            if "pattern" in value:
                atom = self.pattern_atom((*doc_path, "pattern"), value["pattern"])
                if atom:
                    node.atoms.append(atom)
            if "kind" in value:
                atom = self.kind_atom((*doc_path, "kind"), value["kind"])
                if atom:
                    node.atoms.append(atom)
            if "query" in value:
                atom = self.query_atom((*doc_path, "query"), value["query"])
                if atom:
                    node.atoms.append(atom)
            if "regex" in value:
                node.regex = self.regex((*doc_path, "regex"), value["regex"])
            for key in ("inside", "has"):
                if key in value:
                    relation_value = value[key]
                    child = RuleNode()
                    relation = Relation(child)
                    stop_by = relation_value.get("stopBy", "end")
                    if isinstance(stop_by, dict):
                        stop_node = RuleNode()
                        stack.append(((*doc_path, key, "stopBy"), stop_by, stop_node))
                        relation.stop_by = stop_node
                    else:
                        relation.stop_by = stop_by
                    setattr(node, key, relation)
                    inner = {k: v for k, v in relation_value.items() if k != "stopBy"}
                    if not inner:
                        self.error((*doc_path, key), f"`{key}` needs a rule, not only stopBy")
                    stack.append(((*doc_path, key), inner, child))
            if "not" in value:
                node.not_ = RuleNode()
                stack.append(((*doc_path, "not"), value["not"], node.not_))
            for key in ("all", "any"):
                for index, item in enumerate(value.get(key, [])):
                    child = RuleNode()
                    getattr(node, key).append(child)
                    stack.append(((*doc_path, key, index), item, child))
        return root

    def check_positive(self, doc_path: tuple, value: dict) -> None:
        """A rule must say what nodes to start from: a pattern, kind or query somewhere
        positive (not only under `not`, `inside` or `has`)."""
        stack = [value]
        while stack:
            item = stack.pop()
            if any(k in item for k in ("pattern", "kind", "query")):
                return
            stack.extend(item.get("all", []))
            if item.get("any") and all(
                    any(k in sub for k in ("pattern", "kind", "query", "all", "any"))
                    for sub in item["any"]):
                stack.extend(item["any"])
        self.error(doc_path, "the rule has nothing to match: give it a `pattern`, `kind` or "
                             "`query` (not only under `not`, `inside` or `has`)")

    # -- the rest of the file ----------------------------------------------------------------
    def constraints(self) -> dict[str, Constraint]:
        result = {}
        for name, spec in (self.data.get("constraints") or {}).items():
            if name not in self.metavariables:
                self.error(("constraints", name), f"constraint on ${name}, which no pattern "
                           "binds", key=True)
            constraint = Constraint()
            if "regex" in spec:
                constraint.regex = self.regex(("constraints", name, "regex"), spec["regex"])
            if "not-regex" in spec:
                constraint.not_regex = self.regex(("constraints", name, "not-regex"),
                                                  spec["not-regex"])
            result[name] = constraint
        return result

    def facts(self) -> list[FactUse]:
        registry = fact_registry()
        uses = []
        for name, spec in (self.data.get("facts") or {}).items():
            if name in self.metavariables:
                self.error(("facts", name), f"fact name {name} is already a metavariable",
                           key=True)
            fact = registry.get(spec["fact"])
            if fact is None:
                self.error(("facts", name, "fact"), f"unknown fact '{spec['fact']}' (known: "
                           f"{', '.join(sorted(registry))})")
                continue
            of = spec.get("of")
            of_fact = None
            if of is not None and not of.startswith("$"):
                if of not in {use.name for use in uses}:
                    self.error(("facts", name, "of"), f"{of} is not a fact listed before {name}")
                of_fact, of = of, None
            elif of is not None and of[1:] not in self.metavariables:
                self.error(("facts", name, "of"), f"{of} is not bound by any pattern")
            where = {}
            for attribute, allowed in (spec.get("where") or {}).items():
                if attribute not in fact.attributes:
                    self.error(("facts", name, "where", attribute), f"fact '{fact.name}' has no "
                               f"attribute '{attribute}' (it has: {', '.join(fact.attributes)})",
                               key=True)
                where[attribute] = (allowed,) if isinstance(allowed, str) else tuple(allowed)
            uses.append(FactUse(name=name, fact=fact.name, of=of[1:] if of else None,
                                of_fact=of_fact, where=where, absent=bool(spec.get("absent", False))))
        return uses

    def group(self, facts: list[FactUse]) -> Group | None:
        spec = self.data.get("group")
        if spec is None:
            return None
        fact_names = {use.name: use for use in facts}
        registry = fact_registry()
        keys = [(("group", "by", i), key) for i, key in enumerate(spec.get("by", []))]
        keys += [(("group", k), spec[k]) for k in ("distinct", "list", "weight", "exclusive")
                 if k in spec]
        for where, key in keys:
            if key.startswith("$"):
                if key[1:] not in self.metavariables:
                    self.error(where, f"{key} is not bound by any pattern")
                continue
            name, _, attribute = key.partition(".")
            use = fact_names.get(name)
            if use is None:
                self.error(where, f"{name} is not a fact of this rule")
            elif attribute and attribute not in registry[use.fact].attributes:
                self.error(where, f"fact '{use.fact}' has no attribute '{attribute}'")
            elif use.absent:
                self.error(where, f"fact {name} is required to be absent")
        report_at = spec.get("report-at")
        if report_at is not None and (report_at not in fact_names or fact_names[report_at].absent):
            self.error(("group", "report-at"), f"{report_at} is not a fact of this rule")
        exclusive = spec.get("exclusive")
        paths_name = exclusive.partition(".")[0] if isinstance(exclusive, str) else None
        paths_of = fact_names.get(paths_name)
        if paths_of is not None and paths_of.fact != "branch-path":
            self.error(("group", "exclusive"),
                       f"exclusive needs a branch-path fact; {paths_name} is {paths_of.fact}")
        return Group(spec["scope"], list(spec.get("by", [])), int(spec.get("at-least", 1)),
                     distinct=spec.get("distinct"), list=spec.get("list"), weight=spec.get("weight"),
                     report_at=report_at, exclusive=exclusive)

    def check_message(self, facts: list[FactUse], group: Group | None) -> None:
        registry = fact_registry()
        fact_names = {use.name: use for use in facts}
        text = self.data["message"].replace("{{", "").replace("}}", "")
        for start, end, name, attribute in placeholders(text):
            if name == "count" and attribute is None:
                if group is None:
                    self.error(("message",), "{count} needs a `group`")
                continue
            if name == "code" and attribute is None:
                continue
            if name == "distinct" and attribute is None:
                if group is None or group.distinct is None:
                    self.error(("message",), "{distinct} needs `group.distinct`")
                continue
            if name == "list" and attribute is None:
                if group is None or group.list is None:
                    self.error(("message",), "{list} needs `group.list`")
                continue
            if name in self.metavariables and attribute is None:
                continue
            use = fact_names.get(name)
            if use is None:
                self.error(("message",), f"placeholder {{{text[start + 1:end - 1]}}} is neither a "
                           "metavariable nor a fact of this rule")
            elif use.absent:
                self.error(("message",), f"placeholder {{{name}}} names a fact that is absent")
            elif attribute and attribute not in registry[use.fact].attributes:
                self.error(("message",), f"fact '{use.fact}' has no attribute '{attribute}'")

    def build(self) -> Rule:
        self.check_positive(("rule",), self.data["rule"])
        match = self.rule_node(("rule",), self.data["rule"])
        constraints = self.constraints()
        push_down(self.atoms, constraints)
        mark_in_place(match, self.atoms, self.languages)
        facts = self.facts()
        group = self.group(facts)
        self.check_message(facts, group)
        focus = self.data.get("focus")
        if focus is not None and focus[1:] not in self.metavariables:
            self.error(("focus",), f"{focus} is not bound by any pattern")
        if self.errors:
            raise UsageError(self.errors)
        return Rule(
            id=self.rule_id, severity=Severity.parse(self.data["severity"]),
            message=self.data["message"], description=self.data["description"].strip() + "\n",
            path=self.doc.path, tags=list(self.data.get("tags") or []),
            languages=self.languages, references=list(self.data.get("references") or []),
            precision=self.data.get("precision", "high"), match=match,
            constraints=constraints, facts=facts, group=group, atoms=self.atoms,
            focus=focus[1:] if focus else None,
        )


def load_rule_file(path: Path, display_path: str | None = None, *, trusted: bool = False,
                   memo: YamlMemo | None = None) -> Rule:
    """A rule file, checked; `trusted` (the shipped pack, which the test suite checks) skips
    the schema and leaves compiling its queries and regexes to their first use. A document
    from the YAML memo, or with patterns compiled from it, that makes no rule is made again
    from the file alone: the memo was damaged (and a shipped rule's is not checked against the
    schema), the file says what is wrong."""
    doc = load_yaml_file(path, display_path, memo)
    try:
        return _rule_from(doc, path, trusted, memo)
    except Exception:
        if memo is None:
            raise
    # What it compiles is kept again, over what the memo had.
    return _rule_from(load_yaml_file(path, display_path, memo, parse=True), path, trusted, memo,
                      remembered_patterns=False)


def _rule_from(doc: YamlDoc, path: Path, trusted: bool, memo: YamlMemo | None = None,
               remembered_patterns: bool = True) -> Rule:
    if not isinstance(doc.data, dict):
        raise UsageError(Diagnostic(doc.path, "a rule file must be a YAML mapping", 1, 1))
    diagnostics = [] if trusted else schema_diagnostics(doc, "mutlint.rules", "rule.schema.json", memo)
    if diagnostics:
        raise UsageError(diagnostics)
    rule = _RuleBuilder(doc, trusted, memo, remembered_patterns).build()
    try:
        rule.source_hash = digests.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        rule.source_hash = "unreadable"  # gone since it was loaded: never matches a cache
    return rule
