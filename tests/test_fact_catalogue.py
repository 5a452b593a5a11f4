"""The fact catalogue declares every fact without importing the code that computes them; what
the model's modules register when imported (queries bundled into every walk, byte and value
facts, model parts) must all be registered by the catalogue already, or a run's walks and
cache would depend on which facts it happened to compute first (and which modules those
imported on their way)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = r"""
import json, sys
from mutlint import bundled_queries, byte_facts, facts, stored_facts

def registered():
    return {"bundled": {k: list(v) for k, v in bundled_queries.BUNDLED.items()},
            "byte": sorted(byte_facts.BYTE_FACTS), "value": sorted(stored_facts.VALUE_FACTS),
            "parts": [str(p) for p in facts.MODEL_PARTS], "facts": sorted(facts.FACTS)}

facts.fact_registry()
before = registered()
loaded = set(sys.modules)
for name in sorted(facts.FACTS):
    facts.fact_spec(name)
import importlib, pkgutil, mutlint.convex  # and every module of the model, imported lazily or not
for module in pkgutil.iter_modules(mutlint.convex.__path__):
    importlib.import_module(f"mutlint.convex.{module.name}")
after = registered()
print(json.dumps({"before": before, "after": after,
                  "imported": sorted(set(sys.modules) - loaded)}))
"""


def test_computing_any_fact_registers_nothing_the_catalogue_did_not() -> None:
    import json

    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    assert found["before"] == found["after"]
    assert found["before"]["bundled"] and found["before"]["byte"] and found["before"]["value"]
    # and the catalogue did leave the facts' own modules to their first use
    assert "mutlint.convex.table_facts" in found["imported"]
    assert "mutlint.convex.path_facts" in found["imported"]


def test_a_fact_spec_has_its_functions_imported() -> None:
    from mutlint.convex.graph_parts import keep_graph_part
    from mutlint.facts import fact_registry, fact_spec, model_parts

    for name in fact_registry():
        spec = fact_spec(name)
        assert callable(spec.compute), name
        assert spec.before_release is None or callable(spec.before_release), name
        assert spec.dismisses is None or callable(spec.dismisses), name
    assert keep_graph_part in model_parts()
