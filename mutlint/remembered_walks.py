"""A walk's patterns kept in the YAML memo, read back instead of read from the query's text.

Reading a query's text into the steps the walk matches (walk_patterns.py) cost a pre-commit
check 4.4 M instructions for a page's query and 11 M for a mutation file's, of 250 M and 285 M:
tokenising, the grammar's kind ids, the steps. The steps are plain data, so the YAML memo
(mutlint.yaml_memo) keeps them by the query's text and language, next to the rules' compiled
patterns, and a run whose query is the same reads them back. What is read back is checked
kind by kind, and against a digest of the whole kept with it: a memo damaged in a way that
still reads as patterns (a kind id off by one) would make the walk match other nodes, so
anything that does not read back exactly is read from the text again.
"""

from __future__ import annotations

import re

import tree_sitter

from mutlint import json_codec
from mutlint.cache import content_hash
from mutlint.walk_steps import Child, Pattern, Step, TextTest, Unsupported
from mutlint.yaml_memo import YamlMemo

KIND = "walk patterns"  # the memo's kind of derived data
_DEPTH = 64  # steps nest a few levels in a query; deeper is not something we kept


def remembered_patterns(source: str, language_name: str, language: tree_sitter.Language,
                        memo: YamlMemo | None) -> list[Pattern] | None:
    """read_patterns(source), or None for a query the walk does not take (Unsupported), from
    the memo when it holds them; read from the text, they are kept there."""
    key = f"{language_name}\0{source}"
    remembered = memo.derived(KIND, key) if memo is not None else None
    if remembered is not None:
        try:
            return from_plain(remembered, language)
        except ValueError:
            pass  # damaged: read again from the text, and kept again
    from mutlint.walk_patterns import read_patterns  # only here: see walk_steps.py

    try:
        patterns = read_patterns(source, language)
    except Unsupported:
        return None
    if memo is not None:
        memo.keep_derived(KIND, key, to_plain(patterns))
    return patterns


def to_plain(patterns: list[Pattern]) -> list:
    """[digest, patterns] as JSON keeps them; bytes as the Latin-1 text of the same code
    points, which maps every byte to one character and back."""
    plain = [[_step_to_plain(pattern.root),
              [[name, [[value, kind] for value, kind in args]] for name, args in pattern.predicates],
              pattern.start_byte] for pattern in patterns]
    return [_digest(plain), plain]


def from_plain(kept: object, language: tree_sitter.Language) -> list[Pattern]:
    """What to_plain kept, for `language`: ValueError if anything is off."""
    if type(kept) is not list or len(kept) != 2 or type(kept[1]) is not list \
            or kept[0] != _digest(kept[1]):
        raise ValueError("not a walk's patterns")
    patterns = []
    for pattern in kept[1]:
        if type(pattern) is not list or len(pattern) != 3:
            raise ValueError("not a walk's pattern")
        root, predicates, start = pattern
        if type(start) is not int or start < 0:
            raise ValueError("not a walk's pattern")
        patterns.append(Pattern(_step(root, language, 0), _predicates(predicates), start))
    return patterns


def _digest(plain: list) -> str:
    return content_hash(json_codec.dumps(plain, compact=True).encode())


def _step_to_plain(step: Step) -> list:
    return [None if step.kinds is None else sorted(step.kinds), step.named, list(step.captures),
            list(step.negated),
            [[child.field, child.anchored, _step_to_plain(child.step)] for child in step.children],
            step.last_anchored, [_test_to_plain(test) for test in step.tests]]


def _test_to_plain(test: TextTest) -> list:
    if test.kind == "eq":
        value = test.value.decode("latin-1")
    elif test.kind == "any":
        value = sorted(each.decode("latin-1") for each in test.value)
    else:
        value = [test.value.pattern, test.value.flags]
    return [test.kind, value, test.positive]


def _step(plain: object, language: tree_sitter.Language, depth: int) -> Step:
    if depth > _DEPTH or type(plain) is not list or len(plain) != 7:
        raise ValueError("not a walk's step")
    kinds, named, captures, negated, children, last_anchored, tests = plain
    if kinds is not None:
        kinds = frozenset(_ints(kinds, 0, language.node_kind_count - 1))
    if named not in (True, False, None) or type(last_anchored) is not bool:
        raise ValueError("not a walk's step")
    return Step(kinds, named, tuple(_strings(captures)),
                tuple(_ints(negated, 1, language.field_count)),
                tuple(_child(child, language, depth) for child in _list(children)),
                last_anchored, tuple(_test(test) for test in _list(tests)))


def _child(plain: object, language: tree_sitter.Language, depth: int) -> Child:
    if type(plain) is not list or len(plain) != 3:
        raise ValueError("not a walk's child step")
    field, anchored, step = plain
    if not (field is None or (type(field) is int and 1 <= field <= language.field_count)) \
            or type(anchored) is not bool:
        raise ValueError("not a walk's child step")
    return Child(field, anchored, _step(step, language, depth + 1))


def _test(plain: object) -> TextTest:
    if type(plain) is not list or len(plain) != 3 or type(plain[2]) is not bool:
        raise ValueError("not a walk's text test")
    kind, value, positive = plain
    if kind == "eq" and type(value) is str:
        return TextTest(kind, _latin1(value), positive)
    if kind == "any":
        return TextTest(kind, frozenset(_latin1(each) for each in _strings(value)), positive)
    if kind == "match" and type(value) is list and len(value) == 2 and type(value[0]) is str \
            and type(value[1]) is int:
        try:
            return TextTest(kind, re.compile(value[0], value[1]), positive)
        except (re.error, ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise ValueError("not a walk's regex") from exc
    raise ValueError("not a walk's text test")


def _predicates(plain: object) -> tuple:
    found = []
    for predicate in _list(plain):
        if type(predicate) is not list or len(predicate) != 2 or type(predicate[0]) is not str:
            raise ValueError("not a walk's predicate")
        args = []
        for arg in _list(predicate[1]):
            if type(arg) is not list or len(arg) != 2 or type(arg[0]) is not str \
                    or arg[1] not in ("capture", "string"):
                raise ValueError("not a walk's predicate")
            args.append((arg[0], arg[1]))
        found.append((predicate[0], tuple(args)))
    return tuple(found)


def _list(value: object) -> list:
    if type(value) is not list:
        raise ValueError("not a walk's list")
    return value


def _strings(value: object) -> list[str]:
    if any(type(each) is not str for each in _list(value)):
        raise ValueError("not a walk's strings")
    return value


def _ints(value: object, low: int, high: int) -> list[int]:
    if any(type(each) is not int or not low <= each <= high for each in _list(value)):
        raise ValueError("not a walk's ids")
    return value


def _latin1(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ValueError("not a walk's bytes") from exc
