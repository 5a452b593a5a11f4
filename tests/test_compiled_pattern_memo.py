"""Compiled patterns kept in the YAML memo: a warm start-up compiles none, what it reads back
is what compiling gives, and a damaged or wrong one is compiled again, never believed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mutlint.rules.loader as loader
from mutlint.rules.pack import builtin_rules_dir, load_rules, rule_files_in
from mutlint.rules.pattern import CompiledPattern, SequenceCheck, compile_pattern
from mutlint.selection import shown_path
from mutlint.source import LANGUAGES
from mutlint.yaml_memo import YamlMemo
from mutlint.yamldoc import load_yaml_file

FIXTURES = Path(__file__).parent / "fixtures" / "rule-language"
COMPILED = "compiled patterns"


def _pattern_values() -> list:
    """Every `pattern:` of the shipped rules and the rule-language fixtures."""
    found = []
    for path in [*rule_files_in(builtin_rules_dir()), *sorted(FIXTURES.glob("*.yaml"))]:
        stack = [load_yaml_file(path).data]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                if "pattern" in value and isinstance(value["pattern"], (str, dict)):
                    found.append(value["pattern"])
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
    return found


def _fields(compiled: CompiledPattern) -> tuple:
    return (compiled.query, compiled.metavariables, compiled.multi_metavariables,
            [tuple(check) for check in compiled.sequences], compiled.root_type, compiled.literals,
            [tuple(pair) for pair in compiled.literal_checks])


def _compile(value, language: str) -> CompiledPattern:
    if isinstance(value, str):
        return compile_pattern(value, language)
    return compile_pattern("", language, context=value["context"], selector=value["selector"])


# Shapes the pack has few of: string literals, a repeated metavariable, `$$$` between fixed
# siblings, an empty argument list, JSX, a fragment by its context.
SHAPES = ['$X.patch($ID, {status: "done"})', "f($A, $A)", "g($FIRST, $$$MIDDLE, $LAST)",
          "h()", "[$$$ITEMS]", "<Button onClick={$H} />", "await $P",
          {"context": "class A { $M() { return 1 } }", "selector": "method_definition"}]


def test_every_pattern_reads_back_as_it_compiled() -> None:
    values = [*_pattern_values(), *SHAPES]
    assert len(values) > 30
    for value in values:
        for language in LANGUAGES:
            if isinstance(value, str) and value.startswith("<") and language != "tsx":
                continue  # JSX is TSX's
            compiled = _compile(value, language)
            kept = json.loads(json.dumps(compiled.to_plain()))  # as the memo file keeps it
            back = CompiledPattern.from_plain(kept)
            assert _fields(back) == _fields(compiled), (value, language)
            assert all(type(check) is SequenceCheck for check in back.sequences)


def _plain() -> list:
    """A compiled pattern with a metavariable, a `$$$` and a literal, as kept."""
    plain = compile_pattern("$CTX.db.patch($ID, $$$REST)", "typescript").to_plain()
    assert plain[1] and plain[2] and plain[3] and plain[6]
    return plain


def _damaged(change) -> object:
    plain = _plain()
    change(plain)
    return plain


@pytest.mark.parametrize("damage", [
    lambda p: p.pop(),  # too short
    lambda p: p.append(1),  # too long
    lambda p: p.__setitem__(0, 1),  # the query is no string
    lambda p: p.__setitem__(0, p[0].replace("@_match", "@other")),  # nor captures the match
    lambda p: p.__setitem__(1, "CTX"),  # metavariables no list
    lambda p: p.__setitem__(1, [*p[1], 7]),
    lambda p: p.__setitem__(1, [*p[1], "NOT_IN_QUERY"]),
    lambda p: p.__setitem__(2, [None]),
    lambda p: p.__setitem__(3, {}),
    lambda p: p[3][0].__setitem__(1, True),  # a bool is no count
    lambda p: p[3][0].__setitem__(2, -1),
    lambda p: p[3][0].__setitem__(3, 1),  # nor an int a flag
    lambda p: p[3][0].__setitem__(4, 3),
    lambda p: p[3][0].__setitem__(0, "_absent"),
    lambda p: p[3].__setitem__(0, p[3][0][:4]),
    lambda p: p.__setitem__(4, None),
    lambda p: p.__setitem__(5, [b"db"]),
    lambda p: p[6].__setitem__(0, [*p[6][0], "x"]),
    lambda p: p[6].__setitem__(0, ["_absent", "db"]),
    lambda p: p.__setitem__(6, "db"),
])
def test_a_damaged_compiled_pattern_does_not_read_back(damage) -> None:
    CompiledPattern.from_plain(_plain())  # the control reads back
    with pytest.raises(ValueError):
        CompiledPattern.from_plain(_damaged(damage))


def _load(memo: YamlMemo) -> list:
    return load_rules([builtin_rules_dir()], shown_path, memo=memo)


def _queries(rules: list) -> list:
    return [(rule.id, [(atom.text, sorted((language, query.source, tuple(query.metavariables))
                                          for language, query in atom.by_language.items()))
                       for atom in rule.atoms]) for rule in rules]


def test_a_warm_load_compiles_no_pattern(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo_file = tmp_path / "yaml.json"
    first = YamlMemo(memo_file)
    compiled = _queries(_load(first))
    first.save()
    assert json.loads(memo_file.read_bytes())["derived"][COMPILED]

    def refuse(*args, **kwargs):
        raise AssertionError("compiled although remembered")

    monkeypatch.setattr(loader, "compile_pattern", refuse)
    again = YamlMemo(memo_file)
    assert _queries(_load(again)) == compiled
    again.save()
    assert json.loads(memo_file.read_bytes())["derived"][COMPILED]  # a hit adds nothing


def test_damaged_compiled_patterns_are_compiled_again_and_kept_again(tmp_path: Path) -> None:
    memo_file = tmp_path / "yaml.json"
    first = YamlMemo(memo_file)
    compiled = _queries(_load(first))
    first.save()
    found = json.loads(memo_file.read_bytes())
    kept = found["derived"][COMPILED]
    damages = ["text", None, [], {"query": "x"}]
    found["derived"][COMPILED] = {key: damages[index % len(damages)] if index % 5 else value
                                  for index, (key, value) in enumerate(kept.items())}
    memo_file.write_text(json.dumps(found), encoding="utf-8")
    damaged = YamlMemo(memo_file)
    assert _queries(_load(damaged)) == compiled
    damaged.save()
    assert json.loads(memo_file.read_bytes())["derived"][COMPILED] == kept


def test_a_wrong_remembered_pattern_that_breaks_its_rule_is_compiled_from_the_file(
        tmp_path: Path) -> None:
    """Well formed but wrong (its metavariable gone, which the rule's message names): the rule
    is made again from its file alone, as a remembered document that makes no rule is, even
    when the document itself was not remembered."""
    path = builtin_rules_dir() / "full-table-read-in-mutation.yaml"
    fresh = loader.load_rule_file(path, trusted=True)
    memo_file = tmp_path / "yaml.json"
    writer = YamlMemo(memo_file)
    loader.load_rule_file(path, trusted=True, memo=writer)
    writer.save()
    found = json.loads(memo_file.read_bytes())
    forged = 0
    for plain in found["derived"][COMPILED].values():
        if "TABLE" in plain[1]:
            plain[1].remove("TABLE")
            forged += 1
    assert forged
    found["documents"] = {}  # the file itself is read: only the pattern is remembered
    memo_file.write_text(json.dumps(found), encoding="utf-8")
    with pytest.raises(Exception, match="TABLE"):  # what the forged pattern alone would do
        loader._rule_from(load_yaml_file(path), path, True, YamlMemo(memo_file))
    reader = YamlMemo(memo_file)
    remade = loader.load_rule_file(path, trusted=True, memo=reader)
    assert _queries([remade]) == _queries([fresh])
    reader.save()  # and the memo holds what compiling gives again
    kept = json.loads(memo_file.read_bytes())["derived"][COMPILED]
    assert not any("TABLE" in plain[0] and "TABLE" not in plain[1] for plain in kept.values())
    loader._rule_from(load_yaml_file(path), path, True, YamlMemo(memo_file))  # builds now


def test_no_memo_no_compiled_patterns_kept(tmp_path: Path) -> None:
    """--no-cache, or a cache dir not ours: a memo without a file keeps nothing."""
    memo = YamlMemo(None)
    _load(memo)
    assert memo.derived(COMPILED, "typescript\0db.$WRITE($$$ARGS)") is None
