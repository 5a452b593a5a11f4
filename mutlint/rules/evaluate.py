"""Evaluate rule objects on one file's query pass: which nodes match, with which bindings.

Atoms (`pattern`, `kind`, `query`) were matched by the query pass; here we combine them:
`all`/`any`/`not`, `inside` (walk up the parents) and `has` (look among matched descendants),
metavariable consistency across atoms (the same `$X` must bind the same code), constraints,
and facts. Recursion here is over the rule object, whose depth the YAML loader caps; syntax
trees are only ever walked with parent links, tree cursors or sorted match lists.
"""

from __future__ import annotations

from collections.abc import Callable

import tree_sitter

from mutlint.facts import NODE_KEY, FactSpec, FactValue, PlainNode, fact_spec
from mutlint.project import Project
from mutlint.regex_guard import guarded_search
from mutlint.rules.model import Relation, Rule, RuleNode
from mutlint.rules.plan import Env, FilePass
from mutlint.source import SourceFile, descendants


class Match:
    rule: Rule
    file: SourceFile
    node: tree_sitter.Node
    env: Env
    facts: dict[str, FactValue]

    def __init__(self, rule: Rule, file: SourceFile, node: tree_sitter.Node, env: Env,
                 facts: dict[str, FactValue] | None = None) -> None:
        self.rule = rule
        self.file = file
        self.node = node
        self.env = env
        self.facts = {} if facts is None else facts

    @property
    def reported_node(self) -> tree_sitter.Node:
        """Where the finding points: the rule's `focus` metavariable, else the whole match."""
        focus = self.rule.focus
        if focus and self.env.get(focus):
            return self.env[focus][0]
        return self.node

    def text_of(self, name: str) -> str:
        nodes = self.env.get(name, ())
        if not nodes:
            return ""
        return self.file.data[nodes[0].start_byte : nodes[-1].end_byte].decode("utf-8", "replace")


class FileEvaluator:
    def __init__(self, project: Project, file: SourceFile, file_pass: FilePass):
        self.project = project
        self.file = file
        self.file_pass = file_pass
        # Each fact's spec with its functions imported (fact_spec), looked up once per file.
        self.facts: dict[str, FactSpec] = {}
        self._fact_cache: dict[tuple[str, int], FactValue | None] = {}

    # -- bindings ----------------------------------------------------------------------------
    def _text(self, nodes: tuple[tree_sitter.Node, ...]) -> tuple[bytes, ...]:
        return tuple(self.file.data[n.start_byte : n.end_byte] for n in nodes)

    def merge(self, rule: Rule, env: Env, extra: Env,
              checked: frozenset[str] = frozenset()) -> Env | None:
        """`env` and `extra` together, or None if they disagree or a constraint fails;
        `checked` names metavariables whose constraints the query pass already applied."""
        merged = dict(env)
        for name, nodes in extra.items():
            if name in merged:
                if self._text(merged[name]) != self._text(nodes):
                    return None
                continue
            constraint = rule.constraints.get(name)
            if constraint is not None and name not in checked:
                text = b"".join(self._text(nodes)).decode("utf-8", "replace") if nodes else ""
                if not constraint.allows(text):
                    return None
            merged[name] = nodes
        return merged

    # -- candidates --------------------------------------------------------------------------
    def candidates(self, node: RuleNode) -> list[tree_sitter.Node] | None:
        """Nodes that can match `node`, or None when it has no positive atom to start from."""
        if node.atoms:
            hits = self.file_pass.hits.get(node.atoms[0].id)
            return list(hits.nodes) if hits else []
        for member in node.all:
            found = self.candidates(member)
            if found is not None:
                return found
        if node.any:
            union: dict[int, tree_sitter.Node] = {}
            for member in node.any:
                found = self.candidates(member)
                if found is None:
                    return None
                for candidate in found:
                    union.setdefault(candidate.id, candidate)
            return list(union.values())
        return None

    # -- matching ----------------------------------------------------------------------------
    def evaluate(self, rule: Rule, node: RuleNode, target: tree_sitter.Node, env: Env) -> list[Env]:
        envs = [env]
        for atom in node.atoms:
            if atom.in_place_type is not None:  # rules/in_place.py: a kind, no bindings
                # A query's `(string)` is the named node, never the keyword of `x: string`.
                if not target.is_named or target.type != atom.in_place_type:
                    return []
                continue
            hits = self.file_pass.hits.get(atom.id)
            found = hits.by_node.get(target.id) if hits else None
            if not found:
                return []
            checked = self.file_pass.applied.get(atom.id, frozenset())
            envs = [m for e in envs for h in found
                    if (m := self.merge(rule, e, h, checked)) is not None]
            if not envs:
                return []
        if node.regex is not None:
            text = self.file.data[target.start_byte : target.end_byte].decode("utf-8", "replace")
            if not guarded_search(node.regex, text):
                return []
        if node.inside is not None:
            envs = [m for e in envs for m in self.inside(rule, node.inside, target, e)]
        if node.has is not None and envs:
            envs = [m for e in envs for m in self.has(rule, node.has, target, e)]
        if node.not_ is not None and envs:
            envs = [e for e in envs if not self.evaluate(rule, node.not_, target, e)]
        for member in node.all:
            if not envs:
                return []
            envs = [m for e in envs for m in self.evaluate(rule, member, target, e)]
        if node.any and envs:
            chosen = []
            for e in envs:
                for member in node.any:
                    found = self.evaluate(rule, member, target, e)
                    if found:
                        chosen.extend(found)
                        break
            envs = chosen
        return envs

    def _stops(self, rule: Rule, relation: Relation, node: tree_sitter.Node, env: Env) -> bool:
        if isinstance(relation.stop_by, RuleNode):
            return bool(self.evaluate(rule, relation.stop_by, node, env))
        return False

    def inside(self, rule: Rule, relation: Relation, target: tree_sitter.Node,
               env: Env) -> list[Env]:
        """The nearest ancestor that matches decides the bindings."""
        ancestor = target.parent
        while ancestor is not None:
            found = self.evaluate(rule, relation.rule, ancestor, env)
            if found:
                return found
            if relation.stop_by == "neighbor" or self._stops(rule, relation, ancestor, env):
                return []
            ancestor = ancestor.parent
        return []

    def has(self, rule: Rule, relation: Relation, target: tree_sitter.Node, env: Env) -> list[Env]:
        """The first matching descendant in document order decides the bindings."""
        candidates = None if relation.rule.atoms else self.candidates(relation.rule)
        if relation.rule.atoms:
            hits = self.file_pass.hits.get(relation.rule.atoms[0].id)
            pool = hits.within(target) if hits else []
        elif candidates is None:
            pool = descendants(target)
        else:
            hits_nodes = sorted(candidates, key=lambda n: (n.start_byte, -n.end_byte))
            pool = (n for n in hits_nodes if target.start_byte <= n.start_byte
                    and n.end_byte <= target.end_byte and n.id != target.id)
        for candidate in pool:
            if relation.stop_by == "neighbor":
                if candidate.parent is None or candidate.parent.id != target.id:
                    continue
            elif isinstance(relation.stop_by, RuleNode) and self._blocked(rule, relation,
                                                                          candidate, target, env):
                continue
            found = self.evaluate(rule, relation.rule, candidate, env)
            if found:
                return found
        return []

    def _blocked(self, rule, relation, candidate, target, env) -> bool:
        between = candidate.parent
        while between is not None and between.id != target.id:
            if self._stops(rule, relation, between, env):
                return True
            between = between.parent
        return False

    # -- facts -------------------------------------------------------------------------------
    def fact(self, name: str, file: SourceFile, node: tree_sitter.Node) -> list[FactValue]:
        """Every value of a fact for a node: none, one, or several (facts may fan out)."""
        key = (name, file.relpath, node.id)
        if key not in self._fact_cache:
            spec = self.facts.get(name) or self._spec(name)
            value = spec.compute(self.project, file, node)
            if value is None:
                value = []
            elif not isinstance(value, list):
                value = [value]
            self._fact_cache[key] = value
        return self._fact_cache[key]

    def with_facts(self, rule: Rule, match: Match) -> list[Match]:
        """The match once per combination of fact values that satisfies the rule's facts."""
        partial: list[dict[str, FactValue]] = [{}]
        for use in rule.facts:
            extended = []
            for known in partial:
                file, subject = self.file, match.node
                if use.of_fact:
                    where = known[use.of_fact][NODE_KEY]
                    if isinstance(where, PlainNode):  # another file's node: parsed again
                        where = where.resolve(self.project)
                        if where is None:
                            continue
                    file, subject = where
                elif use.of and match.env.get(use.of):
                    subject = match.env[use.of][0]
                values = self.fact(use.fact, file, subject)
                if use.absent:
                    if not values:
                        extended.append(known)
                    continue
                for value in values:
                    if all(value.get(a) in allowed for a, allowed in use.where.items()):
                        extended.append({**known, use.name: value})
            partial = extended
            if not partial:
                return []
        return [Match(rule, match.file, match.node, match.env, facts) for facts in partial]

    # -- a whole rule ------------------------------------------------------------------------
    def _dismissals(self, rule: Rule) -> list[Callable[[tree_sitter.Node], bool]]:
        """The file's tests of the facts a match must have a value of on its own node, that
        tell from the node alone it has none (FactSpec.dismisses)."""
        return [dismisses(self.project, self.file) for use in rule.facts
                if not use.absent and use.of is None and use.of_fact is None
                and (dismisses := (self.facts.get(use.fact) or self._spec(use.fact)).dismisses)
                is not None]

    def _spec(self, name: str) -> FactSpec:
        spec = self.facts[name] = fact_spec(name)
        return spec

    def matches(self, rule: Rule) -> list[Match]:
        candidates = self.candidates(rule.match) or []
        # A candidate a required fact surely has no value for cannot match: not matched
        # against the rule at all (what with_facts would drop, after the rule's work), nor
        # sorted (most of a call rule's candidates).
        for dismissed in self._dismissals(rule) if candidates else ():
            candidates = [candidate for candidate in candidates if not dismissed(candidate)]
        found = []
        seen: set[int] = set()
        for candidate in sorted(candidates, key=lambda n: (n.start_byte, -n.end_byte)):
            if candidate.id in seen or self.file_pass.in_error(candidate):
                continue
            seen.add(candidate.id)
            envs = self.evaluate(rule, rule.match, candidate, {})
            if not envs:
                continue
            found.extend(self.with_facts(rule, Match(rule, self.file, candidate, envs[0])))
        return found
