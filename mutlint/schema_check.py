"""Validate YAML documents against the JSON Schemas shipped in the package, with positions."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from mutlint import json_codec
from mutlint.cache import content_hash
from mutlint.errors import Diagnostic
from mutlint.yaml_memo import YamlMemo, json_exact
from mutlint.yamldoc import YamlDoc

VALIDATED = "valid-documents"  # the YAML memo's kind for data a schema found valid


@cache
def _schema(package: str, name: str) -> dict:
    # Beside the package's modules, as a wheel and an editable install put it: importlib.resources
    # would bring tempfile and random with it.
    import importlib
    import json

    module_file = importlib.import_module(package).__file__
    return json.loads((Path(module_file).parent / name).read_text(encoding="utf-8"))


@cache
def _validator(package: str, name: str):
    # Imported only when a document is not surely valid (schema_subset.accepts): a run whose
    # config and rules are valid, or in the YAML memo, imports none of jsonschema.
    import jsonschema

    return jsonschema.Draft202012Validator(_schema(package, name))


def schema_diagnostics(doc: YamlDoc, package: str, schema_name: str,
                       memo: YamlMemo | None = None) -> list[Diagnostic]:
    """Every schema violation in `doc` as a `path:line:col: message` diagnostic.

    With the YAML memo, data found valid once is not validated again: the memo keeps the
    digest of its JSON under the schema's name (and, as all of the memo, under mutlint's code,
    the schemas included). A project's own rule files made every warm check import jsonschema,
    45 ms of a pre-commit run that took 60 without them (the config's checks are remembered
    the same way, by config.py). Data that differs by a byte, or that is not what JSON gives
    back exactly, is validated as before; invalid data is never remembered, so its
    diagnostics come at every run."""
    return checked_once(doc, f"{package}/{schema_name}", memo,
                        lambda: _violations(doc, package, schema_name))


def checked_once(doc: YamlDoc, checks: str, memo: YamlMemo | None,
                 check: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
    """check()'s diagnostics of the document's data, or none where the memo says this data
    passed `checks` before; data that passes now is remembered so."""
    key = _validated_key(doc.data, checks) if memo is not None else None
    if key is not None and memo.derived(VALIDATED, key) is True:
        return []
    diagnostics = check()
    if key is not None and not diagnostics:
        memo.keep_derived(VALIDATED, key, True)
    return diagnostics


def _validated_key(data, checks: str) -> str | None:
    """The YAML memo's key (kind VALIDATED) for `data` having passed `checks`: the digest of
    its JSON, or None for data that JSON does not give back exactly."""
    if not json_exact(data):  # {1: x} and {"1": x} write the same JSON
        return None
    try:
        text = json_codec.dumps(data)
    except (TypeError, ValueError, RecursionError):
        return None
    return f"{checks}:{content_hash(text.encode('utf-8'))}"


def _violations(doc: YamlDoc, package: str, schema_name: str) -> list[Diagnostic]:
    # Imported here: a warm run finds its config checked before (checked_once) and a shipped
    # rule is not checked, so a pre-commit run imports neither this nor jsonschema.
    from mutlint.schema_subset import accepts

    if json_exact(doc.data) and accepts(_schema(package, schema_name), doc.data) is True:
        return []
    from jsonschema.exceptions import best_match

    diagnostics = []
    for error in _validator(package, schema_name).iter_errors(doc.data):
        if error.context:
            error = best_match(error.context)
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(allowed), key=str):
                diagnostics.append(doc.error(
                    (*path, key), f"unknown key '{key}' (expected one of: {', '.join(allowed)})",
                    key=True))
            continue
        if error.validator == "required":
            message = f"missing required key: {error.message.split(' is a required')[0]}"
        else:
            where = "/".join(str(p) for p in path)
            what = error.message if len(error.message) <= 160 else error.message[:159] + "…"
            message = f"{where}: {what}" if where else what
        diagnostics.append(doc.error(path, message))
    return sorted(diagnostics, key=lambda d: (d.line or 0, d.column or 0, d.message))
