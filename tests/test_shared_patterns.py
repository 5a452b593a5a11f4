"""Atoms alike but for their pushed-down constraints and their metavariables' names share one
pattern of the rules' query (mutlint/rules/shared_patterns.py). The shared-* fixture rules
(tests/fixtures/rule-language) pin what each still finds; here, what the query holds. The query
names metavariables by order of appearance: in `$O.$M($$$ARGS)`, M is `_v1`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mutlint.rules.loader import load_rule_file
from mutlint.rules.plan import QueryPlan

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "rule-language"


def _plan(*names: str) -> tuple[QueryPlan, list]:
    rules = [load_rule_file(FIXTURES / f"{name}.yaml") for name in names]
    return QueryPlan("typescript", [a for r in rules for a in r.atoms]), rules


def test_two_regexes_on_one_metavariable_become_their_alternation():
    plan, rules = _plan("shared-get-set", "shared-set-put")
    assert plan.rule_patterns == 1
    assert '(#match? @_v1 "(?:^(get|set)$)|(?:^(set|put)$)")' in plan.source
    # The alternation admits more than either: each rule's evaluator tests its own regex.
    assert all(plan.applied[a.id] == frozenset() for r in rules for a in r.atoms)


def test_a_rule_without_the_test_leaves_the_shared_pattern_without_it():
    plan, rules = _plan("shared-get-set", "shared-set-put", "shared-not-del")
    assert plan.rule_patterns == 1 and "#match?" not in plan.source
    assert "#not-match?" not in plan.source


def test_one_rule_keeps_its_pushed_constraint_and_trusts_it():
    plan, (rule,) = _plan("shared-get-set")
    assert '(#match? @_v1 "^(get|set)$")' in plan.source
    assert plan.applied[rule.atoms[0].id] == frozenset({"M"})


def test_the_shipped_write_rules_share_their_db_write_patterns():
    rules = [load_rule_file(REPO / "rules" / f"{name}.yaml")
             for name in ("dual-doc-patch", "unawaited-convex-write")]
    plan = QueryPlan("typescript", [a for r in rules for a in r.atoms])
    shared = [members for members in plan.pattern_atoms if len(members) > 1]
    assert len(shared) == 2  # `$CTX.db.$WRITE(...)` and `db.$WRITE(...)`
    assert all({atom.rule_id for atom, _ in members} == {"dual-doc-patch", "unawaited-convex-write"}
               for members in shared)


def test_metavariable_names_do_not_keep_patterns_apart():
    plan, rules = _plan("shared-get-set", "shared-renamed")
    assert plan.rule_patterns == 1
    assert '(#match? @_v1 "(?:^(get|set)$)|(?:^(put|del)$)")' in plan.source
    renamed = rules[1].atoms[0]
    assert plan.own_names[renamed.id] == {"_v0": "TARGET", "_v1": "CALL", "_v2": "REST"}


def test_a_repeated_metavariable_is_another_pattern(tmp_path):
    """`$O.$O($$$ARGS)` asks two nodes to be equal, `$O.$M($$$ARGS)` does not: their canonical
    names alike, their patterns still differ."""
    twice = tmp_path / "twice.yaml"
    twice.write_text((FIXTURES / "shared-get-set.yaml").read_text("utf-8")
                     .replace("id: shared-get-set", "id: twice")
                     .replace("pattern: $O.$M($$$ARGS)", "pattern: $O.$O($$$ARGS)")
                     .replace('message: "{M}"', 'message: "{O}"')
                     .replace("  M:\n    regex", "  O:\n    regex"), "utf-8")
    rules = [load_rule_file(FIXTURES / "shared-get-set.yaml"), load_rule_file(twice)]
    rules[1].atoms[0].id = rules[0].atoms[0].id + 1
    plan = QueryPlan("typescript", [a for r in rules for a in r.atoms])
    assert plan.rule_patterns == 2


def test_bindings_come_back_under_each_rules_own_names(tmp_path):
    """Both rules report `o.put()` (the shared pattern matched once): each message is built
    from its own metavariables."""
    (tmp_path / "a.ts").write_text("export function f(o: Store) { o.put(1); }\n", "utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("shared-set-put", "shared-renamed"):
        (rules / f"{name}.yaml").write_bytes((FIXTURES / f"{name}.yaml").read_bytes())
    done = subprocess.run([sys.executable, "-m", "mutlint", "check", str(tmp_path / "a.ts"),
                           "--rules", str(rules), "--select", "shared-set-put,shared-renamed",
                           "--no-cache", "--format", "json", "--fail-on", "never"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    messages = {f["rule"]: f["message"] for f in json.loads(done.stdout)["findings"]}
    assert messages == {"shared-set-put": "put", "shared-renamed": "put on o"}


def test_literal_leaves_that_differ_are_one_pattern_each_rule_testing_its_own():
    plan, rules = _plan("shared-leaf-db", "shared-leaf-scheduler")
    assert plan.rule_patterns == 1
    assert '(#any-of? @_l1 "db" "scheduler")' in plan.source and "#eq? @_l1" not in plan.source
    assert [plan.literal_checks[r.atoms[0].id] for r in rules] == [(("_l1", b"db"),),
                                                                    (("_l1", b"scheduler"),)]


def test_a_literal_leaf_all_atoms_share_stays_in_the_query():
    plan, _ = _plan("shared-leaf-db", "shared-leaf-db")
    assert '(#eq? @_l1 "db")' in plan.source and plan.literal_checks == {}
