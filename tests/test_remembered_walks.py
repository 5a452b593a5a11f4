"""A walk's patterns kept in the YAML memo: what reads back is what reading the query's text
gives, a warm plan reads no text, and anything damaged is read from the text again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from app_sources import NOTES
from test_stored_parts import _leaves, _replaced
from test_walk_query import _root

import mutlint.remembered_walks as remembered
from mutlint import walk_patterns
from mutlint.rules.pack import builtin_rules_dir, load_rules
from mutlint.rules.rule_set import RuleSet
from mutlint.source import LANGUAGES, TSX, TYPESCRIPT, ts_language
from mutlint.walk_patterns import read_patterns
from mutlint.yaml_memo import YamlMemo

QUERIES = [  # shapes of every kind: fields, anchors, negated fields, each text test, predicates
    "(call_expression function: (member_expression object: (_) @o property: (_) @p) @m"
    " arguments: (_ . (_) @v .) @args) @c",
    "(unary_expression operator: \"void\" argument: (_) @a)",
    "(variable_declarator name: (identifier) @n !value) @d (variable_declarator name: _ @x)",
    "((identifier) @a (#eq? @a \"é\")) ((identifier) @b (#any-of? @b \"x\" \"y\"))",
    "((identifier) @a (#not-match? @a \"^e.+\")) ((identifier) @b (#match? @b \"^(x|y)$\"))",
    "((binary_expression left: (identifier) @l right: (identifier) @r) (#eq? @l @r))",
    "((identifier) @x (#mutlint-match? @x \"b|c\"))",
]


def _plan_queries() -> list[tuple[str, str]]:
    """(language, query text) of the walk of every plan the shipped rules make."""
    rules = load_rules([builtin_rules_dir()])
    found = []
    for language in LANGUAGES:
        rule_set = RuleSet(rules, set(), few_files=True)
        plan = rule_set.plan(language)
        found.append((language, "\n".join(plan._texts)))
    return found


def _read_back(patterns, language):
    return remembered.from_plain(json.loads(json.dumps(remembered.to_plain(patterns))), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pattern_reads_back_as_the_text_reads(language: str) -> None:
    grammar = ts_language(language)
    queries = [*QUERIES, *(text for name, text in _plan_queries() if name == language)]
    for query in queries:
        patterns = read_patterns(query, grammar)
        assert _read_back(patterns, grammar) == patterns, query


def test_the_plans_hold_every_kind_of_text_test() -> None:
    kinds = set()
    for language, text in _plan_queries():
        stack = [pattern.root for pattern in read_patterns(text, ts_language(language))]
        while stack:
            step = stack.pop()
            kinds.update(test.kind for test in step.tests)
            stack.extend(child.step for child in step.children)
    assert "any" in kinds  # the rules' method names


def test_any_damage_is_refused_and_so_is_a_wrong_type_under_a_matching_digest() -> None:
    grammar = ts_language(TYPESCRIPT)
    kept = json.loads(json.dumps(remembered.to_plain(
        read_patterns("\n".join(QUERIES[:6]), grammar))))
    digest, plain = kept
    damaged = 0
    for path, leaf in _leaves(plain):
        wrong = "x" if not isinstance(leaf, str) else 7
        with pytest.raises(ValueError):  # the digest no longer matches
            remembered.from_plain([digest, _replaced(plain, path, wrong)], grammar)
        forged = _replaced(plain, path, wrong)
        with pytest.raises(ValueError):  # a digest made for it: the types are checked
            remembered.from_plain([remembered._digest(forged), forged], grammar)
        damaged += 1
    assert damaged > 40
    for bad in (None, [], [digest], [digest, "x"], "x", [digest, plain, 1]):
        with pytest.raises(ValueError):
            remembered.from_plain(bad, grammar)
    # Well formed, and wrong: another kind id. Only the digest tells.
    other_kind = _replaced(plain, (0, 0, 0, 0), plain[0][0][0][0] + 1)
    remembered.from_plain([remembered._digest(other_kind), other_kind], grammar)  # reads as one
    with pytest.raises(ValueError):
        remembered.from_plain([digest, other_kind], grammar)
    out_of_range = _replaced(plain, (0, 0, 0, 0), grammar.node_kind_count)  # a kind id
    with pytest.raises(ValueError):
        remembered.from_plain([remembered._digest(out_of_range), out_of_range], grammar)


def _plan_walk(memo: YamlMemo, language: str = TSX):
    rules = load_rules([builtin_rules_dir()])
    rule_set = RuleSet(rules, set(), few_files=True)
    rule_set.memo = memo
    return rule_set.plan(language).walk


def test_a_warm_plan_reads_no_query_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo_file = tmp_path / "yaml.json"
    first = YamlMemo(memo_file)
    walked = _plan_walk(first)
    first.save()
    assert json.loads(memo_file.read_bytes())["derived"][remembered.KIND]

    def refuse(*args, **kwargs):
        raise AssertionError("read from the text although remembered")

    monkeypatch.setattr(walk_patterns, "read_patterns", refuse)
    again = _plan_walk(YamlMemo(memo_file))
    assert again.patterns == walked.patterns
    root = _root("const run = useMutation(api.a.b); run({}); void run({}); x.mutation(1)", TSX)
    assert [(p, sorted(c)) for p, c in again.matches(root)] == \
        [(p, sorted(c)) for p, c in walked.matches(root)]


def test_a_warm_check_does_not_import_the_reader(tmp_path: Path) -> None:
    """The point of walk_steps.py: a pre-commit check whose walks the memo holds never loads
    the query-text reader (1.5 M instructions to import)."""
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "notes.ts").write_text(NOTES)
    probe = ("import sys\nfrom mutlint.cli import main\ncode = main(['check', 'convex/notes.ts'])\n"
             "print('mutlint.walk_patterns' in sys.modules, code)")
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.splitlines()[-1].split() for _ in range(2)]
    assert runs == [["True", "0"], ["False", "0"]]  # the first run reads the texts and keeps them


def test_damaged_patterns_are_read_from_the_text_and_kept_again(tmp_path: Path) -> None:
    memo_file = tmp_path / "yaml.json"
    first = YamlMemo(memo_file)
    walked = _plan_walk(first)
    first.save()
    found = json.loads(memo_file.read_bytes())
    kept = found["derived"][remembered.KIND]
    (key, value), = kept.items()
    digest, plain = value
    found["derived"][remembered.KIND] = {key: [digest, _replaced(plain, (0, 2), 1)]}  # an offset
    memo_file.write_text(json.dumps(found), encoding="utf-8")
    damaged = YamlMemo(memo_file)
    assert _plan_walk(damaged).patterns == walked.patterns
    damaged.save()
    assert json.loads(memo_file.read_bytes())["derived"][remembered.KIND] == kept


def test_no_memo_nothing_kept(tmp_path: Path) -> None:
    memo = YamlMemo(None)
    assert _plan_walk(memo) is not None
    assert memo.derived(remembered.KIND, "anything") is None
