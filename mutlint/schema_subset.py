"""What a JSON Schema says of data, for the keywords mutlint's own schemas use, without jsonschema.

Importing jsonschema costs a run about 60 ms (it brings attrs, referencing, rpds and its
format checkers), more than a pre-commit check of one file takes without it. A project's
config and its own rules are almost always valid, and a run without the cache (`--no-cache`,
a CI job's first run) had to import it only to hear so. `accepts` answers for the keywords
of draft 2020-12 that config.schema.json and rule.schema.json use, each as jsonschema
applies it (its type checker's kinds, `re.search` for `pattern`); a keyword, a reference or
a value it does not decide exactly makes it answer None, and the caller asks jsonschema,
which also words the messages of data that is not valid. The tests compare both on
thousands of altered configs and rules.

Recursion follows the schema and the data (a rule is a few levels deep), never a syntax tree;
data nested deeper than Python allows is left to jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# Keywords that annotate and do not validate (`$defs` is read by `$ref`).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description",
                          "default", "examples"})


class _Undecided(Exception):
    """A keyword, reference or value this module does not decide: jsonschema will."""


def accepts(schema: dict, data: Any) -> bool | None:
    """True when `data` is valid against `schema`, False when it is not, None when this module
    cannot tell (jsonschema can). `data` must be what JSON gives back (yaml_memo.json_exact)."""
    try:
        return _valid(schema, data, schema)
    except (_Undecided, RecursionError):
        return None


def _valid(schema: Any, instance: Any, root: dict) -> bool:
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, dict):
        raise _Undecided("a schema that is not an object")
    for keyword, value in schema.items():
        check = _KEYWORDS.get(keyword)
        if check is None:
            if keyword in _ANNOTATIONS:
                continue
            raise _Undecided(keyword)
        if not check(value, instance, schema, root):
            return False  # invalid by one keyword is invalid, whatever the others say
    return True


def _is_type(instance: Any, name: str) -> bool:
    """jsonschema's draft 2020-12 type checker: a bool is no number, 1.0 is an integer."""
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if name == "number":
        return isinstance(instance, (int, float)) and not isinstance(instance, bool)
    if name == "integer":
        if isinstance(instance, bool):
            return False
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    raise _Undecided(f"type {name!r}")


def _type(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(_is_type(instance, name) for name in names)


def _enum(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    # jsonschema compares with JSON's equality (1 == 1.0, True != 1); among strings alone it
    # is Python's, and nothing but a string equals one.
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        raise _Undecided("an enum of other values than strings")
    return isinstance(instance, str) and instance in value


def _properties(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(_valid(subschema, instance[name], root)
               for name, subschema in value.items() if name in instance)


def _additional_properties(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        raise _Undecided("patternProperties")
    named = schema.get("properties", {})
    return all(_valid(value, item, root) for name, item in instance.items() if name not in named)


def _required(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not isinstance(instance, dict) or all(name in instance for name in value)


def _items(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    if not isinstance(instance, list):
        return True
    if "prefixItems" in schema or isinstance(value, list):
        raise _Undecided("items after prefixItems")
    return all(_valid(value, item, root) for item in instance)


def _min_items(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not isinstance(instance, list) or len(instance) >= value


def _min_length(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not isinstance(instance, str) or len(instance) >= value


def _min_properties(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not isinstance(instance, dict) or len(instance) >= value


def _minimum(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not _is_type(instance, "number") or instance >= value


def _pattern(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not isinstance(instance, str) or re.search(value, instance) is not None


def _property_names(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return not isinstance(instance, dict) or all(_valid(value, name, root) for name in instance)


def _unique_items(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    if not value or not isinstance(instance, list):
        return True
    if not all(isinstance(item, str) for item in instance):
        raise _Undecided("uniqueItems of other values than strings")
    return len(set(instance)) == len(instance)


def _one_of(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    return sum(1 for subschema in value if _valid(subschema, instance, root)) == 1


def _ref(value: Any, instance: Any, schema: dict, root: dict) -> bool:
    prefix = "#/$defs/"
    name = value[len(prefix):] if isinstance(value, str) and value.startswith(prefix) else None
    definitions = root.get("$defs", {})
    if name is None or "/" in name or "~" in name or name not in definitions:
        raise _Undecided(f"$ref {value!r}")
    return _valid(definitions[name], instance, root)


_KEYWORDS: dict[str, Callable[[Any, Any, dict, dict], bool]] = {
    "type": _type,
    "enum": _enum,
    "properties": _properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "items": _items,
    "minItems": _min_items,
    "minLength": _min_length,
    "minProperties": _min_properties,
    "minimum": _minimum,
    "pattern": _pattern,
    "propertyNames": _property_names,
    "uniqueItems": _unique_items,
    "oneOf": _one_of,
    "$ref": _ref,
}
