"""The prefilter: which rules may match a file, from its bytes, before any parse."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from mutlint.config import Config
from mutlint.rules.pack import load_rules
from mutlint.rules.prefilter import Prefilter
from mutlint.selection import build_rule_set

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


def _naive(prefilter: Prefilter, data: bytes) -> set[str]:
    """The definition: every clause of the rule has a token in the file."""
    return {rule_id for rule_id, clauses in prefilter.clauses.items()
            if all(any(token in data for token in clause) for clause in clauses)}


def _pack() -> Prefilter:
    return build_rule_set(load_rules([REPO / "rules"]), Config()).prefilter


def test_the_shipped_rules_are_filtered_as_their_clauses_say(tmp_path: Path) -> None:
    prefilter = _pack()
    generate(tmp_path, 150, seed=3)
    files = [p.read_bytes() for p in sorted(tmp_path.rglob("*.ts*"))]
    files += [p.read_bytes() for p in sorted((REPO / "examples").rglob("*.ts*"))]
    tokens = sorted({t for clauses in prefilter.clauses.values() for c in clauses for t in c})
    # Every combination of up to two tokens, and each file: the same answer as the definition.
    combos = [b" ".join(c) for n in range(3) for c in itertools.combinations(tokens, n)]
    answers = [prefilter.rules_for(data) for data in files + combos]
    assert answers == [_naive(prefilter, data) for data in files + combos]
    assert set() in answers and any(len(a) >= 3 for a in answers)  # not all-or-nothing


def test_near_misses_are_filtered_out() -> None:
    prefilter = _pack()
    assert prefilter.rules_for(b"export function Button() { return <div/>; }") == set()
    assert "missing-ttl-on-high-volume-table" not in prefilter.rules_for(b"defineTable({})")
    assert "missing-ttl-on-high-volume-table" in prefilter.rules_for(b"defineSchema({})")
    assert "parallel-mutations-same-doc" in prefilter.rules_for(b"useMutation(api.a.b)")
    assert "parallel-mutations-same-doc" not in prefilter.rules_for(b"useQuery(api.a.b)")


def test_a_rule_with_several_clauses_needs_each_of_them() -> None:
    prefilter = Prefilter({"both": [frozenset({b"aa", b"bb"}), frozenset({b"cc"})],
                           "none": [], "one": [frozenset({b"cc"}), frozenset({b"cc"})]})
    assert prefilter.rules_for(b"aa") == {"none"}
    assert prefilter.rules_for(b"bb cc") == {"both", "none", "one"}
    assert prefilter.rules_for(b"cc") == {"none", "one"}


NESTED_RULE = """id: nested
severity: warning
message: m
description: d
languages: [typescript, tsx]
rule:
  all:
    - pattern: $Q.$TERMINAL()
    - has:
        pattern: $CTX.db.query($TABLE)
    - any:
        - pattern: $A.alpha($$$)
        - all:
            - pattern: $B.beta($$$)
            - inside:
                pattern: gamma($$$)
    - not:
        has:
          pattern: $S.withIndex($$$)
constraints:
  TERMINAL:
    regex: ^(collect|first)$
"""


def test_every_required_part_of_a_rule_gives_a_clause(tmp_path: Path) -> None:
    from mutlint.rules.loader import load_rule_file
    from mutlint.rules.prefilter import rule_clauses

    path = tmp_path / "nested.yaml"
    path.write_text(NESTED_RULE, encoding="utf-8")
    clauses = set(rule_clauses(load_rule_file(path)))
    # the constraint's words, the `has` pattern's literals, one token of each `any` member
    # (beta and gamma are each required of the second: of clauses as short, the longer token)
    # and nothing of `not`
    assert clauses == {frozenset({b"collect", b"first"}), frozenset({b"db"}), frozenset({b"query"}),
                       frozenset({b"alpha", b"gamma"})}
    prefilter = Prefilter({"nested": list(clauses)})
    match = b"ctx.db.query('t').collect(); x.alpha(1)"
    assert prefilter.rules_for(match.replace(b"alpha", b"gamma")) == {"nested"}
    assert prefilter.rules_for(match) == {"nested"}
    for missing in (b"db.", b"query", b"alpha", b"collect"):  # near misses: one part gone
        assert prefilter.rules_for(match.replace(missing, b"zz")) == set(), missing


def test_a_token_within_another_is_searched_first_when_known(monkeypatch) -> None:
    """runMutation contains utation: a file known not to hold the one cannot hold the other."""
    prefilter = Prefilter({"a": [frozenset({b"utation"})], "b": [frozenset({b"runMutation", b"xyz"})]})
    assert prefilter.rules_for(b"const f = runMutation; xyz") == {"a", "b"}
    assert prefilter.rules_for(b"const f = runMutatio; xyz") == {"b"}
    assert prefilter.rules_for(b"only utation") == {"a"}
    assert prefilter.rules_for(b"nothing") == set()


def test_no_file_with_a_finding_is_filtered_out(monkeypatch, tmp_path: Path) -> None:
    """The shipped rules on their own fixtures, the example app and a generated project: the
    same report as when every file is parsed for every rule."""
    from conftest import report_in_process

    generate(tmp_path, 300, seed=5)
    targets = [str(REPO / "rules"), str(REPO / "examples" / "onboarding-app"), str(tmp_path)]

    def report() -> list[list[dict]]:
        return [report_in_process(["check", target, "--no-cache"])["findings"] for target in targets]

    filtered = report()
    assert all(filtered)
    every_rule = list(_pack().clauses)
    monkeypatch.setattr(Prefilter, "rules_for", lambda self, data: set(every_rule))
    assert report() == filtered
