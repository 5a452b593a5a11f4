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
