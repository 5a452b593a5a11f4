"""Fuzzing (bounded here; `python benchmarks/fuzz_long.py --minutes 30` runs long): whatever
one file of the example app becomes, mutlint exits 0 or 1 without an internal error, writes
valid SARIF, gives the same bytes twice, and leaves the findings of other files unchanged."""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path

import jsonschema
from fuzz_inputs import EXAMPLE, MUTABLE, SOURCES, hostile_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sarif_tools import sarif_schema

from mutlint.cli import main

EXAMPLES = int(os.environ.get("MUTLINT_FUZZ_EXAMPLES", "25"))


def run_sarif(capsys, root: Path) -> tuple[int, str, str]:
    code = main(["check", str(root), "--format", "sarif", "--no-color"])
    out, err = capsys.readouterr()
    return code, out, err


def other_findings(sarif: dict, changed: str) -> list[tuple]:
    found = []
    for result in sarif["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        if not uri.endswith(changed):
            found.append((result["ruleId"], uri, result["partialFingerprints"]["mutlint/v1"],
                          result["message"]["text"]))
    return sorted(found)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), target=st.sampled_from(MUTABLE))
def test_any_broken_file_is_handled(capsys, rng: random.Random, target: str):
    schema = sarif_schema()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "app"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
        _, clean, _ = run_sarif(capsys, root)
        path = root / target
        path.write_bytes(hostile_file(rng, path.read_bytes()))
        code, out, err = run_sarif(capsys, root)
        assert code in (0, 1), err
        assert "internal error" not in err and "Traceback" not in err
        log = json.loads(out)
        jsonschema.validate(log, schema)
        assert run_sarif(capsys, root)[1] == out  # deterministic
        assert other_findings(log, target) == other_findings(json.loads(clean), target)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), target=st.sampled_from(SOURCES))
def test_any_broken_convex_file_is_handled(capsys, rng: random.Random, target: str):
    """The schema, crons and mutations broken too: findings may move anywhere, but the run
    completes, its SARIF is valid and a second run (from the cache) says the same."""
    schema = sarif_schema()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "app"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
        path = root / target
        path.write_bytes(hostile_file(rng, path.read_bytes()))
        code, out, err = run_sarif(capsys, root)
        assert code in (0, 1), err
        assert "internal error" not in err and "Traceback" not in err
        jsonschema.validate(json.loads(out), schema)
        assert run_sarif(capsys, root)[1] == out
