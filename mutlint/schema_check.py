"""Validate YAML documents against the JSON Schemas shipped in the package, with positions."""

from __future__ import annotations

from functools import cache

from mutlint.errors import Diagnostic
from mutlint.yamldoc import YamlDoc


@cache
def _validator(package: str, name: str):
    # Imported only when a document is validated: a run whose config and rules are in the YAML
    # memo validates none, and importlib.resources brings tempfile and random with it.
    import json
    from importlib import resources

    import jsonschema

    schema = json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def schema_diagnostics(doc: YamlDoc, package: str, schema_name: str) -> list[Diagnostic]:
    """Every schema violation in `doc` as a `path:line:col: message` diagnostic."""
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
