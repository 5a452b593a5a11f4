"""schema_subset.accepts says what jsonschema says of mutlint's configs and rules, or nothing.

The comparison runs on every built-in rule, a few configs, and thousands of seeded alterations
of them (a key dropped or added, a value replaced by one of another kind, a list's item
repeated): wherever accepts answers, it must be jsonschema's answer, and it must answer for
almost all of them (an answer of None everywhere would pass the first check).
"""

from __future__ import annotations

import copy
import random
from typing import Any

import jsonschema
import pytest
import yaml

from mutlint.rules.pack import builtin_rules_dir, rule_files_in
from mutlint.schema_check import _schema
from mutlint.schema_subset import accepts

CONFIG_SCHEMA = _schema("mutlint", "config.schema.json")
RULE_SCHEMA = _schema("mutlint.rules", "rule.schema.json")

CONFIGS = [
    {},
    {"exclude": ["dist/**", "**/*.generated.ts"]},
    {"convex-dir": "backend/convex", "rules": {"dual-doc-patch": "off", "unawaited-convex-write": "error"},
     "extra-rules": ["rules"], "high-volume-tables": ["events"], "max-file-size": 100000,
     "lint-generated": True},
]
RULES = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in rule_files_in(builtin_rules_dir())]

# Values of every JSON kind, and strings that some of the schemas' patterns and enums admit.
REPLACEMENTS: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 2.5, "", "x", "off", "warning", "high", "tsx", "$X", "X",
    "NAME", "CALL.document", "kebab-id", "Bad_Id", "https://docs.convex.dev", "neighbor",
    [], ["a"], ["a", "a"], ["typescript", "tsx"], ["tsx", "tsx"], [1], {}, {"pattern": "$X"},
    {"x": 1}, {"regex": "^a$"}, {"context": "a", "selector": "b"}, {"fact": "f"},
]


def _paths(data: Any) -> list[tuple]:
    """Every path to a value in the data, the root's included."""
    found, stack = [], [((), data)]
    while stack:
        path, value = stack.pop()
        found.append(path)
        if isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
    return found


def _at(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def _altered(data: Any, rng: random.Random) -> Any:
    """The data with one to three random changes."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(data))
        target = _at(data, path)
        move = rng.random()
        if isinstance(target, dict) and move < 0.3:
            if target and rng.random() < 0.5:
                del target[rng.choice(sorted(target))]
            else:
                target[rng.choice(["unknown", "kind", "not", "has", "regex", "stopBy", "of"])] = \
                    copy.deepcopy(rng.choice(REPLACEMENTS))
        elif isinstance(target, list) and target and move < 0.3:
            target.append(copy.deepcopy(rng.choice(target)))
        elif path:
            _at(data, path[:-1])[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return data


@pytest.mark.parametrize(("schema", "seeds"), [(CONFIG_SCHEMA, CONFIGS), (RULE_SCHEMA, RULES)],
                         ids=["config", "rule"])
def test_accepts_answers_as_jsonschema_does(schema: dict, seeds: list[Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for seed in seeds:
        assert accepts(schema, seed) is True and validator.is_valid(seed)
    rng = random.Random(20261207)
    answered, verdicts = 0, set()
    for _ in range(3000):
        data = _altered(rng.choice(seeds), rng)
        expected = validator.is_valid(data)
        got = accepts(schema, data)
        assert got in (None, expected), data
        if got is not None:
            answered += 1
            verdicts.add(got)
    assert answered >= 2700 and verdicts == {True, False}


@pytest.mark.parametrize(("config", "valid"), [
    ({"max-file-size": 1.0}, True),  # an integer to JSON Schema, as 1 is
    ({"max-file-size": True}, False),  # a bool is no integer
    ({"max-file-size": 0}, False),
    ({"max-file-size": 1.5}, False),
    ({"lint-generated": 1}, False),
    ({"rules": {"x": "off"}}, True),
    ({"rules": {"x": False}}, False),
    ({"exclude": [""]}, False),
    ({"exclude": "dist/**"}, False),
    ({"unknown": 1}, False),
    ([], False),
])
def test_the_config_schemas_edges(config: Any, valid: bool) -> None:
    assert jsonschema.Draft202012Validator(CONFIG_SCHEMA).is_valid(config) is valid
    assert accepts(CONFIG_SCHEMA, config) is valid


@pytest.mark.parametrize("schema", [
    {"format": "uri"},
    {"patternProperties": {"^a": {}}, "additionalProperties": False},
    {"enum": [1, "a"]},
    {"uniqueItems": True},
    {"$ref": "other.json#/x"},
    {"type": "bigint"},
])
def test_what_it_does_not_decide_it_leaves_to_jsonschema(schema: dict) -> None:
    assert accepts(schema, [1, True]) is None or accepts(schema, {"a": 1}) is None


def test_data_nested_deeper_than_python_allows_is_left_to_jsonschema() -> None:
    schema = {"$defs": {"list": {"type": "array", "items": {"$ref": "#/$defs/list"}}},
              "$ref": "#/$defs/list"}
    data: list = []
    for _ in range(5000):
        data = [data]
    assert accepts(schema, data) is None
